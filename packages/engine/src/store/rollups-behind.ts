/**
 * Report rollups written behind the calls, on SQLite (docs/reports.md, "When rollups are written").
 *
 * A call's rollup touches fourteen rows scattered over the rollup table (every dimension, by hour
 * and by day), and written with each group commit it was the dearest statement of a call whenever
 * a group held one call: about 0.8 ms of a 5.8 ms call at 110 calls/s (docs/performance.md). So an A
 * leg's end only notes its call in `report_rollups_pending`, as one more row of the multi-row
 * INSERTs the group already writes, and its attempts are kept here in memory. They are summed and
 * written once for many calls, with every pending row deleted, in the tail of a group:
 * - when MAX_CALLS calls are kept, or the oldest has been kept MAX_AGE_MS;
 * - before the rollups are read (a report, a rebuild), and when the store closes (`request`).
 *
 * Nothing is lost in a crash: the pending rows were stored with the ends, so start-up reads those
 * calls back from their rows and rolls them up (`recoverStatements`). The memory and the table
 * agree because the memory changes only once a group has committed (`committed`), and a try that
 * is rolled back is forgotten (`begin`).
 *
 * A rollup write that fails (not for the disk: the group then holds and retries whole) is reported
 * for each of its calls and those rollups are dropped, as a failed rollup always was; their rows
 * stay pending and are deleted by the next write, or rolled up by a restart that comes first.
 */
import type { Kysely } from 'kysely';
import type { GroupTail } from './group-commit.ts';
import { QueryTemplate, RowsTemplate, pieceOf, type BoundQuery } from './query-template.ts';
import { RollupAccumulator, type DialAttempt } from './report-rollup.ts';
import type { RollupUpserts } from './report-rollup-sql.ts';

/** Calls kept before their rollups are written: a 14-row upsert then serves hundreds of calls. */
export const MAX_CALLS = 256;
/** How long the oldest kept call waits at most, while groups commit (wall time). */
export const MAX_AGE_MS = 1000;
/** Pending rows per INSERT at most (one parameter each), a power of two (query-template.ts, pieceOf). */
const NOTE_CHUNK = 256;

/** What a group's end carries: the calls it ended, with their attempts. */
export interface EndedCalls {
  readonly dialAttempts: readonly DialAttempt[];
  readonly rolledUp: readonly string[];
}

export class RollupsBehind {
  private attempts: DialAttempt[] = [];
  private calls: string[] = [];
  private firstKeptAt = 0;
  private requested = false;
  /** The try being committed: the calls it ends, and whether its tail writes every rollup kept. */
  private inFlight: { ended: readonly EndedCalls[]; writes: boolean } | undefined;
  private readonly note = new RowsTemplate<unknown>((rows) => this.k.insertInto('report_rollups_pending').values(rows as never));
  private readonly clear: BoundQuery<unknown>;
  /** The calls left pending, as stored. */
  readonly pendingQuery: BoundQuery<unknown>;

  constructor(
    private readonly k: Kysely<any>,
    private readonly upserts: RollupUpserts,
    private readonly onError: (err: unknown, callUuid: string) => void,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.clear = new QueryTemplate([], () => k.deleteFrom('report_rollups_pending')).bind({});
    this.pendingQuery = new QueryTemplate([], () => k.selectFrom('report_rollups_pending').select('call_uuid')).bind({});
  }

  /** How many calls' rollups are kept in memory, not yet written. */
  get kept(): number {
    return this.calls.length;
  }

  /** The statements that note `calls` as pending, written with the records that end them. */
  noteStatements(calls: readonly string[]): BoundQuery<unknown>[] {
    const out: BoundQuery<unknown>[] = [];
    for (let i = 0; i < calls.length; ) {
      const n = pieceOf(calls.length - i, NOTE_CHUNK);
      out.push(this.note.bind(calls.slice(i, i + n).map((call_uuid) => ({ call_uuid }))));
      i += n;
    }
    return out;
  }

  /** The next group writes every rollup kept (a read or a close waits for them). */
  request(): void {
    this.requested = true;
  }

  /** A try of a group begins: what an earlier try left is forgotten. */
  begin(): void {
    this.inFlight = undefined;
  }

  /**
   * The tail of a group whose records end `ended` (already noted as pending by their statements):
   * every rollup kept plus theirs, when it is time, else nothing (they are kept once it commits).
   */
  tail(ended: readonly EndedCalls[]): GroupTail | undefined {
    let endedCalls = 0;
    for (const e of ended) endedCalls += e.rolledUp.length;
    const kept = this.calls.length;
    // A request with nothing to write is answered: the read that made it sees every rollup.
    if (kept + endedCalls === 0) this.requested = false;
    const writes =
      kept + endedCalls > 0 && (this.requested || kept + endedCalls >= MAX_CALLS || (kept > 0 && this.now() - this.firstKeptAt >= MAX_AGE_MS));
    this.inFlight = { ended, writes };
    if (!writes) return undefined;
    const acc = RollupAccumulator.of(this.attempts);
    for (const e of ended) for (const attempt of e.dialAttempts) acc.add(attempt);
    const calls = this.calls;
    return {
      statements: [...this.upserts.ofAccumulator(acc), this.clear],
      // Reported; what it carried is dropped with the rest once the group commits (`committed`).
      onError: (err) => {
        for (const callUuid of calls) this.onError(err, callUuid);
        for (const e of ended) for (const callUuid of e.rolledUp) this.onError(err, callUuid);
      },
    };
  }

  /** The try has committed: its ended calls are kept, or everything kept was written (or dropped). */
  committed(): void {
    const flight = this.inFlight;
    this.inFlight = undefined;
    if (!flight) return;
    if (flight.writes) {
      this.attempts = [];
      this.calls = [];
      this.requested = false;
      return;
    }
    for (const e of flight.ended) {
      if (e.rolledUp.length === 0) continue;
      if (this.calls.length === 0) this.firstKeptAt = this.now();
      for (const attempt of e.dialAttempts) this.attempts.push(attempt);
      for (const callUuid of e.rolledUp) this.calls.push(callUuid);
    }
  }

  /**
   * At start-up: the statements that roll up the calls a crash left pending (`attemptsOf` reads
   * each back from its rows) and delete the pending rows, to run in one transaction.
   */
  recoverStatements(pending: readonly string[], attemptsOf: (callUuid: string) => readonly DialAttempt[]): BoundQuery<unknown>[] {
    if (pending.length === 0) return [];
    const acc = new RollupAccumulator();
    for (const callUuid of new Set(pending)) for (const attempt of attemptsOf(callUuid)) acc.add(attempt);
    return [...this.upserts.ofAccumulator(acc), this.clear];
  }
}
