/**
 * The reports' reads on either database (sql-db.ts): dial report rollups, the call list read in
 * pages for CSV, webhook health, the outbox depth, readiness. The rollups themselves are written
 * by each store as A legs end (rollups-behind.ts, sqlite-rollups.ts, pg-store.ts). Shapes
 * and rules live in report-rollup.ts and src/reports/.
 */
import { sql, type Kysely } from 'kysely';
import { callFilterWhere } from './call-filter.ts';
import { checkCallFilter } from './store-input.ts';
import { fromStored, type AttemptKind, type RollupDim, type RollupRow, type StoredRollupRow } from './report-rollup.ts';
import { backfillRollups } from './report-backfill.ts';
import type { SqlDb } from './sql-db.ts';
import type { CallFilter, CallRow } from './store.ts';
import { IS_PENDING_DELIVERY } from './store-queries.ts';

/** One URL's attempts in a time range: counts per latency, so percentiles are exact. */
export interface AttemptStatsRow {
  url: string;
  latency_ms: number | null;
  n: number;
  ok: number;
  retries: number;
}

/**
 * The outbox's two reads here. Each repeats the predicate of its partial index (migration 013) with
 * the same literals, so either database can use it: `deliveries_dead`, `deliveries_pending`.
 */
export const outboxReads = {
  dead: (k: Kysely<any>, from: number, to: number) =>
    sql<{ url: string; n: number }>`select url, count(*) as n from deliveries
      where status = 'dead' and completed_at >= ${from} and completed_at < ${to} group by url`.compile(k),
  pendingCount: (k: Kysely<any>) => sql<{ n: number }>`select count(*) as n from deliveries where ${IS_PENDING_DELIVERY}`.compile(k),
};

export class ReportStore {
  /** `rollupsBehind`: writes the rollups the store keeps in memory (SQLite: rollups-behind.ts). */
  constructor(
    private readonly db: SqlDb,
    private readonly rollupsBehind: () => Promise<void> = async () => {},
  ) {}

  /** Rollup rows of one dimension for hours in [fromHour, toHour), optionally one kind. */
  async readRollups(dim: RollupDim, fromHour: number, toHour: number, kind?: AttemptKind): Promise<RollupRow[]> {
    await this.rollupsBehind();
    let q = this.db.kysely.selectFrom('report_rollups').selectAll().where('dim', '=', dim).where('hour', '>=', fromHour).where('hour', '<', toHour);
    if (kind !== undefined) q = q.where('kind', '=', kind);
    return (await this.db.all<StoredRollupRow>('read report rollups', q.compile())).map(fromStored);
  }

  /** Recomputes every rollup from the calls and events (after a bulk import, or to repair). */
  async rebuildRollups(): Promise<number> {
    // Written first, so nothing kept in memory is added again on top of the rebuilt rows.
    await this.rollupsBehind();
    await this.db.run('clear report rollups', this.db.kysely.deleteFrom('report_rollups').compile());
    return backfillRollups(this.db.kysely);
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
      let q = this.db.kysely
        .selectFrom('calls')
        .selectAll()
        .where((eb: any) => callFilterWhere(eb, filter as CallFilter));
      if (cursor) {
        const c = cursor;
        q = q.where((eb: any) => eb.or([eb('initiation_time', '<', c.t), eb.and([eb('initiation_time', '=', c.t), eb('call_uuid', '>', c.u)])]));
      }
      q = q.orderBy('initiation_time', 'desc').orderBy('call_uuid').limit(size);
      if (offset > 0) q = q.offset(offset);
      const rows = await this.db.all<CallRow>('list calls for export', q.compile());
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
  async attemptStats(from: number, to: number): Promise<AttemptStatsRow[]> {
    const q = sql<AttemptStatsRow>`select url, latency_ms, count(*) as n,
        sum(case when status_code between 200 and 299 then 1 else 0 end) as ok,
        sum(case when attempt > 1 then 1 else 0 end) as retries
      from delivery_attempts where at >= ${from} and at < ${to}
      group by url, latency_ms`.compile(this.db.kysely);
    return this.db.all('webhook attempt stats', q);
  }

  /** Deliveries that went dead in [from, to), per configured URL. */
  async deadDeliveries(from: number, to: number): Promise<Array<{ url: string; n: number }>> {
    return this.db.all('dead deliveries', outboxReads.dead(this.db.kysely, from, to));
  }

  /** Deliveries still owed (the outbox depth gauge). */
  async pendingDeliveries(): Promise<number> {
    return Number((await this.db.first('count pending deliveries', outboxReads.pendingCount(this.db.kysely)))?.n ?? 0);
  }

  /** Readiness: the database answers a query. */
  async ping(): Promise<boolean> {
    return (await this.db.first('ping', sql<{ one: number }>`select 1 as one`.compile(this.db.kysely)))?.one === 1;
  }
}
