/**
 * Dial report rollups on SQLite (docs/reports.md): maintained inside the record() transaction that
 * ends a call's A leg, and merged in bulk by `switchboard generate`. Read-merge-replace is safe
 * here because SQLite writes never interleave (one connection, synchronous transactions); the
 * PostgreSQL store merges under a row lock instead (pg-store.ts).
 */
import type { Kysely } from 'kysely';
import type { SqliteRunner } from './sqlite-connection.ts';
import type { SqliteStore } from './sqlite-store.ts';
import { QueryTemplate } from './query-template.ts';
import { RollupAccumulator, attemptsOfCall, fromStored, mergeInto, toStored, type StoredRollupRow } from './report-rollup.ts';
import type { CallRow, EventRow } from './store.ts';

export const ROLLUP_COLUMNS = ['hour', 'dim', 'key', 'kind', 'attempts', 'answered', 'talk_s', 'talk_n', 'dial_status', 'call_status', 'causes', 'pdd', 'ring'] as const;

export interface RollupOptions {
  /** A rollup that could not be written; the event itself is kept (the record does not fail). */
  onError?: (err: unknown, callUuid: string) => void;
}

/** The queries that gather one ended call's attempts; shared with the PostgreSQL store. */
export function rollupReadQueries(k: Kysely<any>) {
  return {
    getCall: new QueryTemplate(['uuid'], (p) => k.selectFrom('calls').selectAll().where('call_uuid', '=', p.uuid)),
    bLegs: new QueryTemplate(['uuid'], (p) => k.selectFrom('calls').selectAll().where('parent_call_uuid', '=', p.uuid)),
    dialEvents: new QueryTemplate(['uuid'], (p) =>
      k.selectFrom('events').select(['type', 'at', 'data']).where('call_uuid', '=', p.uuid).where('type', 'in', ['dial.started', 'dial.ended']).orderBy('seq'),
    ),
  };
}

/** The rollup rows of one A leg, or none when it is not an ended A leg. */
export function rollupOf(a: CallRow | undefined, bLegs: readonly CallRow[], events: ReadonlyArray<Pick<EventRow, 'type' | 'at' | 'data'>>): RollupAccumulator | undefined {
  if (!a || a.parent_call_uuid !== null || a.end_time === null) return undefined;
  const acc = new RollupAccumulator();
  for (const attempt of attemptsOfCall(a, bLegs, events)) acc.add(attempt);
  return acc;
}

export class SqliteRollups {
  private readonly runner: SqliteRunner;
  private readonly sync: <T>(what: string, body: () => T) => T;
  private readonly q;

  constructor(store: SqliteStore, private readonly opts: RollupOptions = {}) {
    const shared = store.shared();
    const k = shared.kysely;
    this.runner = shared.runner;
    this.sync = shared.sync;
    this.q = {
      ...rollupReadQueries(k),
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
    const acc = rollupOf(a, bLegs, events);
    if (acc) this.writeMerged(acc);
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
}
