/**
 * Dial report rollups on SQLite (docs/reports.md): added inside the record() transaction that
 * ends a call's A leg, and in bulk by `switchboard generate`, through the additive upsert both
 * stores share (report-rollup-sql.ts): nothing is read back and merged in JavaScript.
 */
import type { SqliteRunner } from './sqlite-connection.ts';
import type { SqliteStore } from './sqlite-store.ts';
import { RollupAccumulator, attemptsOfCall, isEndedALeg, type DialAttempt } from './report-rollup.ts';
import { RollupUpserts, rollupReadQueries } from './report-rollup-sql.ts';
import type { CallRow, EventRow } from './store.ts';

export interface RollupOptions {
  /** A rollup that could not be written; the event itself is kept (the record does not fail). */
  onError?: (err: unknown, callUuid: string) => void;
}

export class SqliteRollups {
  private readonly runner: SqliteRunner;
  private readonly sync: <T>(what: string, body: () => T) => T;
  private readonly q;
  private readonly upserts: RollupUpserts;

  constructor(store: SqliteStore, private readonly opts: RollupOptions = {}) {
    const shared = store.shared();
    this.runner = shared.runner;
    this.sync = shared.sync;
    this.q = rollupReadQueries(shared.kysely);
    this.upserts = new RollupUpserts(shared.kysely, 'sqlite');
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
    const attempts = this.attemptsOf(callUuid);
    if (attempts.length > 0) this.add(RollupAccumulator.of(attempts));
  }

  /** An ended A leg's attempts, read back from its rows; none for anything else. */
  attemptsOf(callUuid: string): DialAttempt[] {
    const a = this.runner.first(this.q.getCall.bind({ uuid: callUuid })) as CallRow | undefined;
    if (!isEndedALeg(a)) return [];
    const bLegs = this.runner.all(this.q.bLegs.bind({ uuid: callUuid })) as CallRow[];
    const events = this.runner.all(this.q.dialEvents.bind({ uuid: callUuid })) as Array<Pick<EventRow, 'type' | 'at' | 'data'>>;
    return attemptsOfCall(a, bLegs, events);
  }

  private add(acc: RollupAccumulator): void {
    for (const q of this.upserts.ofAccumulator(acc)) this.runner.run(q);
  }

  /** Bulk: adds a generator's accumulated rollups in one transaction. */
  mergeRollups(acc: RollupAccumulator): void {
    this.sync('merge report rollups', () => this.runner.transaction(() => this.add(acc)));
  }
}
