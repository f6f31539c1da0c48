/**
 * The reports' SQL on the SqliteStore's connection (SqliteStore.shared()): dial report rollups,
 * maintained inside the record() transaction that ends a call's A leg; the call list read in pages
 * for CSV; webhook health; the outbox depth. Shapes and rules live in report-rollup.ts and
 * src/reports/; this file only reads and writes rows.
 */
import { sql, type Kysely } from 'kysely';
import type { SqliteRunner } from './sqlite-connection.ts';
import type { SqliteStore } from './sqlite-store.ts';
import { QueryTemplate } from './query-template.ts';
import { callFilterWhere } from './call-filter.ts';
import { checkCallFilter } from './store-input.ts';
import {
  RollupAccumulator,
  attemptsOfCall,
  fromStored,
  mergeInto,
  toStored,
  type AttemptKind,
  type RollupDim,
  type RollupRow,
  type StoredRollupRow,
} from './report-rollup.ts';
import { backfillRollups } from './report-backfill.ts';
import type { CallFilter, CallRow, EventRow } from './store.ts';

/** One URL's attempts in a time range: counts per latency, so percentiles are exact. */
export interface AttemptStatsRow {
  url: string;
  latency_ms: number | null;
  n: number;
  ok: number;
  retries: number;
}

export interface ReportStoreOptions {
  /** A rollup that could not be written; the event itself is kept (the record does not fail). */
  onError?: (err: unknown, callUuid: string) => void;
}

const ROLLUP_COLUMNS = ['hour', 'dim', 'key', 'kind', 'attempts', 'answered', 'talk_s', 'talk_n', 'dial_status', 'call_status', 'causes', 'pdd', 'ring'] as const;

export class SqliteReportStore {
  private readonly k: Kysely<any>;
  private readonly runner: SqliteRunner;
  private readonly sync: <T>(what: string, body: () => T) => T;
  private readonly q;

  constructor(store: SqliteStore, private readonly opts: ReportStoreOptions = {}) {
    const shared = store.shared();
    this.k = shared.kysely;
    this.runner = shared.runner;
    this.sync = shared.sync;
    const k = this.k;
    this.q = {
      getCall: new QueryTemplate(['uuid'], (p) => k.selectFrom('calls').selectAll().where('call_uuid', '=', p.uuid)),
      bLegs: new QueryTemplate(['uuid'], (p) => k.selectFrom('calls').selectAll().where('parent_call_uuid', '=', p.uuid)),
      dialEvents: new QueryTemplate(['uuid'], (p) =>
        k.selectFrom('events').select(['type', 'at', 'data']).where('call_uuid', '=', p.uuid).where('type', 'in', ['dial.started', 'dial.ended']).orderBy('seq'),
      ),
      getRollup: new QueryTemplate(['dim', 'hour', 'key', 'kind'], (p) =>
        k.selectFrom('report_rollups').selectAll().where('dim', '=', p.dim).where('hour', '=', p.hour).where('key', '=', p.key).where('kind', '=', p.kind),
      ),
      putRollup: new QueryTemplate(ROLLUP_COLUMNS, (p) => k.replaceInto('report_rollups').values(p)),
    };
    // Rollups follow the record() that ends an A leg, in its transaction (docs/reports.md).
    store.onRecorded((input) => {
      if (input.type === 'leg.ended') this.rollUpSafely(input.callUuid);
    });
  }

  /** In its own savepoint: a failure rolls back only the rollup, never the event being recorded. */
  private rollUpSafely(callUuid: string): void {
    try {
      this.runner.transaction(() => this.rollUpCall(callUuid));
    } catch (err) {
      this.opts.onError?.(err, callUuid);
    }
  }

  /** Adds an ended A leg's attempts to the rollups; B legs are counted with their A leg. */
  private rollUpCall(callUuid: string): void {
    const a = this.runner.first(this.q.getCall.bind({ uuid: callUuid })) as CallRow | undefined;
    if (!a || a.parent_call_uuid !== null || a.end_time === null) return;
    const bLegs = this.runner.all(this.q.bLegs.bind({ uuid: callUuid })) as CallRow[];
    const events = this.runner.all(this.q.dialEvents.bind({ uuid: callUuid })) as Array<Pick<EventRow, 'type' | 'at' | 'data'>>;
    const acc = new RollupAccumulator();
    for (const attempt of attemptsOfCall(a, bLegs, events)) acc.add(attempt);
    this.writeMerged(acc);
  }

  /** Adds accumulated rows to the stored ones (read, merge, replace); call inside a transaction. */
  private writeMerged(acc: RollupAccumulator): void {
    for (const row of acc.rows.values()) {
      const stored = this.runner.first(this.q.getRollup.bind(row)) as StoredRollupRow | undefined;
      const merged = stored ? fromStored(stored) : row;
      if (stored) mergeInto(merged, row);
      this.runner.run(this.q.putRollup.bind(toStored(merged)));
    }
  }

  /** Bulk: merges a generator's accumulated rollups in one transaction. */
  mergeRollups(acc: RollupAccumulator): void {
    this.sync('merge report rollups', () => this.runner.transaction(() => this.writeMerged(acc)));
  }

  /** Rollup rows of one dimension for hours in [fromHour, toHour), optionally one kind. */
  readRollups(dim: RollupDim, fromHour: number, toHour: number, kind?: AttemptKind): RollupRow[] {
    return this.sync('read report rollups', () => {
      let q = this.k.selectFrom('report_rollups').selectAll().where('dim', '=', dim).where('hour', '>=', fromHour).where('hour', '<', toHour);
      if (kind !== undefined) q = q.where('kind', '=', kind);
      return (this.runner.all(q.compile()) as StoredRollupRow[]).map(fromStored);
    });
  }

  /** Recomputes every rollup from the calls and events (after a bulk import, or to repair). */
  async rebuildRollups(): Promise<number> {
    this.sync('clear report rollups', () => this.runner.run(this.k.deleteFrom('report_rollups').compile()));
    return backfillRollups(this.k);
  }

  /**
   * The CDR list in GET /Call/ order, read `pageSize` rows at a time by keyset (initiation_time
   * desc, call_uuid) so a million rows never sit in memory and writers run between pages.
   * `filter.limit` caps the total (0 or undefined: no cap); `filter.offset` skips rows first.
   */
  async *iterateCalls(filter: Omit<CallFilter, 'limit'> & { limit?: number }, pageSize = 1000): AsyncGenerator<CallRow[]> {
    checkCallFilter({ ...filter, limit: Math.max(1, filter.limit ?? 1) });
    let remaining = filter.limit && filter.limit > 0 ? filter.limit : Infinity;
    let cursor: { t: number; u: string } | undefined;
    let offset = filter.offset;
    while (remaining > 0) {
      const size = Math.min(pageSize, remaining);
      const rows = this.sync('list calls for export', () => {
        let q = this.k
          .selectFrom('calls')
          .selectAll()
          .where((eb: any) => callFilterWhere(eb, filter as CallFilter));
        if (cursor) {
          const c = cursor;
          q = q.where((eb: any) => eb.or([eb('initiation_time', '<', c.t), eb.and([eb('initiation_time', '=', c.t), eb('call_uuid', '>', c.u)])]));
        }
        q = q.orderBy('initiation_time', 'desc').orderBy('call_uuid').limit(size);
        if (offset > 0) q = q.offset(offset);
        return this.runner.all(q.compile()) as CallRow[];
      });
      offset = 0;
      if (rows.length === 0) return;
      remaining -= rows.length;
      const last = rows[rows.length - 1]!;
      cursor = { t: last.initiation_time, u: last.call_uuid };
      yield rows;
      if (rows.length < size) return;
      // Let the engine's own work (records, webhooks) run between pages.
      await new Promise((r) => setImmediate(r));
    }
  }

  /** Attempts sent in [from, to), per URL and latency (webhook health). */
  attemptStats(from: number, to: number): AttemptStatsRow[] {
    return this.sync('webhook attempt stats', () => {
      const q = sql<AttemptStatsRow>`select url, latency_ms, count(*) as n,
          sum(case when status_code between 200 and 299 then 1 else 0 end) as ok,
          sum(case when attempt > 1 then 1 else 0 end) as retries
        from delivery_attempts where at >= ${from} and at < ${to}
        group by url, latency_ms`.compile(this.k);
      return this.runner.all(q);
    });
  }

  /** Deliveries that went dead in [from, to), per configured URL. */
  deadDeliveries(from: number, to: number): Array<{ url: string; n: number }> {
    return this.sync('dead deliveries', () => {
      const q = sql<{ url: string; n: number }>`select url, count(*) as n from deliveries
        where status = 'dead' and completed_at >= ${from} and completed_at < ${to} group by url`.compile(this.k);
      return this.runner.all(q);
    });
  }

  /** Deliveries still owed (the outbox depth gauge). */
  pendingDeliveries(): number {
    return this.sync('count pending deliveries', () => {
      const q = sql<{ n: number }>`select count(*) as n from deliveries where status = 'pending'`.compile(this.k);
      return Number(this.runner.first(q)?.n ?? 0);
    });
  }

  /** Readiness: the database answers a query. */
  ping(): boolean {
    return this.sync('ping', () => this.runner.first(sql<{ one: number }>`select 1 as one`.compile(this.k))?.one === 1);
  }
}
