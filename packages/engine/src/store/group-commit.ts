/**
 * Group commit for record(): the writes submitted in one turn of the event loop are committed
 * together, in the order submitted, in one transaction. One commit (one WAL append) then carries
 * many events, which is what makes thousands of calls per second fit on one SQLite file. Writes
 * almost never fail, so a group first runs without a savepoint per write (two statements fewer
 * each); when one does fail, the group is rolled back and run again with each write inside its own
 * savepoint, so the failed write rejects alone.
 *
 * By default the flush runs as a microtask, so it happens before any I/O callback or timer can
 * run: nothing outside can observe a write as "submitted but not yet stored". With 'next-turn' it
 * waits one turn of the event loop (the virtual clock waits several quiet turns before moving, so
 * it still cannot jump past a pending record). Any other store operation flushes first, so reads
 * see every earlier write.
 *
 * With `intervalMs`, a group starts no sooner than that long after the previous one started: what
 * is submitted meanwhile waits and shares the next commit. A commit's cost is mostly fixed (every
 * page it dirtied goes to the WAL, at least one page of each table and index it touched, however
 * few rows), so under a moderate load of small groups the interval halves the commits and cuts
 * the engine's CPU a call by a sixth, for at most that much more latency; when commits come
 * further apart than the interval, or take longer than it (a busy engine's groups are large
 * anyway), nothing waits (docs/performance.md, "A commit interval").
 *
 * When the disk cannot take a group (SQLITE_FULL, an I/O error), nothing of it is lost: the whole
 * group is rolled back and HELD, in order, with everything submitted after it, and retried on a
 * backoff until it commits; its promises settle only then (docs/storage.md, "When the disk is
 * full"). A group is all or nothing here, never partly committed: a later event of a call must not
 * land before an earlier one.
 */
import { performance } from 'node:perf_hooks';
import { RealClock, type Timer } from '../clock.ts';
import type { BoundQuery } from './query-template.ts';
import type { SqliteRunner } from './sqlite-connection.ts';
import type { GroupWriter, WriterOutcome } from './sqlite-writer.ts';
import { StoreError, isStorageFailure, toStoreError, type WriteState } from './store-error.ts';

export type { WriteState };

interface Job {
  readonly work: () => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (err: unknown) => void;
  /** Set for a write refused rather than held when the disk cannot take it (see `submit`). */
  readonly what?: string;
  /**
   * The same write as plain statements, for the writer thread; undefined when, at commit time, it
   * must run here after all (its result is looked at). Its value is then `undefined`.
   */
  readonly data?: () => readonly BoundQuery<unknown>[] | undefined;
}

/** What a group leaves for its end, run in a savepoint: its failure is `onError`'s, not the group's. */
export interface GroupTail {
  statements: readonly BoundQuery<unknown>[];
  onError: (err: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * When a group is committed: 'microtask' (default) at the end of the current turn, before any I/O
 * or timer; 'next-turn' after the current poll phase (setImmediate), so records issued by many
 * I/O callbacks share one commit, at the price of one event-loop turn of latency per record.
 */
export type GroupCommitTiming = 'microtask' | 'next-turn';


export interface GroupCommitOptions {
  timing?: GroupCommitTiming;
  /** The least time, in ms of wall time, from one group's start to the next's (0: none). */
  intervalMs?: number;
  /**
   * A tiny write committed when the store cannot write but holds nothing (a refused API write found
   * the disk full): without it nothing would ever try again and readiness would stay at 503.
   */
  probe?: () => void;
  /** Told when writes start being held, and when they land again (with how many were held). */
  onStateChange?: (state: WriteState, written?: number) => void;
  /**
   * Run inside a group's transaction before its jobs (`begin`) and after them (`beforeCommit`), on
   * every try: what the jobs leave for the end of the group (the SQLite store's merged rollup) is
   * written once for the whole group, and dropped by `begin` when a try is rolled back.
   */
  begin?: () => void;
  beforeCommit?: () => void;
  /** After a group has committed (outside its transaction). */
  afterCommit?: () => void;
  /**
   * A second connection on a thread of its own (sqlite-writer.ts): a group whose every job has
   * `data` is sent there, with `tail()` after its jobs (the group's `begin` runs first, as here).
   */
  writer?: GroupWriter;
  tail?: () => GroupTail | undefined;
}

/** Disk space comes back on an operator's time scale: retry soon, then every few seconds. */
const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 2000;
/** The disk is real whatever clock the calls run on. */
const wallClock = new RealClock();

/** Thrown inside the group's transaction to abandon it whole. */
class GroupAbandoned extends Error {}

export class GroupCommit {
  private queue: Job[] = [];
  private scheduled = false;
  /** Set while the database cannot write: `queue` is then held and only the retry timer commits it. */
  private failure?: StoreError;
  private retry?: Timer;
  private retryMs = FIRST_RETRY_MS;
  private committing = false;
  private closed = false;
  private readonly timing: GroupCommitTiming;
  private readonly intervalMs: number;
  /** When the last group started (`performance.now()`: a wall clock set back must not stall commits), for `intervalMs`. */
  private lastStartMs = -Infinity;
  /** A commit waiting for the interval to pass. */
  private waitTimer?: Timer;

  constructor(
    private readonly runner: SqliteRunner,
    private readonly options: GroupCommitOptions = {},
  ) {
    this.timing = options.timing ?? 'microtask';
    this.intervalMs = options.intervalMs ?? 0;
    // A write outside the group (insertCall, a setting) that meets a full disk tells us too.
    // (Inside a commit, the commit itself sees the failure and holds its group.)
    runner.onStorageFailure = (err) => {
      if (!this.committing) this.hold(err);
    };
  }

  /** Whether writes land now; while they do not, how many are held in memory. */
  get state(): WriteState {
    return this.failure ? { ok: false, error: this.failure, held: this.queue.length } : { ok: true, held: 0 };
  }

  /**
   * Queues `work` (synchronous SQL) for the next group; settles once the group has committed.
   * With `refuse`, the write is one whose caller is still waiting for an answer (a new call's row
   * for POST Call/): when the disk cannot take its group it is not held but rejected, as StoreError
   * 'unavailable' prefixed with `refuse`, and nothing submitted later may depend on it. With
   * `data`, the same write as plain statements, which the writer thread can run (see `Job.data`).
   */
  submit<T>(work: () => T, refuse?: string, data?: () => readonly BoundQuery<unknown>[] | undefined): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject, ...(refuse !== undefined ? { what: refuse } : {}), ...(data ? { data } : {}) });
      // While held, only the retry timer commits: a doomed attempt per record would cost a rollback each.
      if (!this.failure) this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    const commit = () => {
      this.scheduled = false;
      this.waitTimer = undefined;
      if (!this.failure) this.commit();
    };
    const wait = this.lastStartMs + this.intervalMs - performance.now();
    if (wait > 0) this.waitTimer = wallClock.setTimer(wait, commit);
    else if (this.timing === 'microtask') queueMicrotask(commit);
    else setImmediate(commit);
  }

  /**
   * Commits whatever is queued now; a no-op when nothing is, or while writes are held (a reader
   * then sees the database without the held writes).
   */
  flush(): void {
    this.settle();
    if (this.failure) return;
    this.commitHere();
  }

  /** Waits for the group on the writer thread, if one is there: after it, this connection may write. */
  private settle(): void {
    const writer = this.options.writer;
    while (writer?.busy) writer.settle();
  }

  /**
   * Last chance before the connection closes: one more try, then whatever is still held is
   * rejected with the failure (those events are lost; a restart closes their calls with 8010).
   * Answers how many writes were lost.
   */
  close(): number {
    this.closed = true;
    this.retry?.cancel();
    this.retry = undefined;
    this.waitTimer?.cancel();
    this.waitTimer = undefined;
    this.settle();
    if (!this.failure) {
      this.commitHere();
      return 0;
    }
    if (this.commitHere()) return 0;
    const lost = this.queue;
    this.queue = [];
    for (const job of lost) job.reject(this.failure);
    return lost.length;
  }

  /**
   * Commits the queue as one group: on the writer thread when it can take it, else here. While a
   * group is on the thread, the queue waits for it (it goes when that one has landed).
   */
  private commit(): void {
    const writer = this.options.writer;
    if (writer?.busy) return;
    if (writer?.ready && this.queue.length > 0 && this.queue.every((job) => job.data) && this.send(writer)) return;
    this.commitHere();
  }

  /** Sends the queue to the writer thread; answers false, sending nothing, when a job must run here. */
  private send(writer: GroupWriter): boolean {
    const jobs = this.queue;
    this.options.begin?.();
    const statements: Array<readonly BoundQuery<unknown>[]> = [];
    for (const job of jobs) {
      const s = job.data!();
      if (!s) return false;
      statements.push(s);
    }
    const tail = this.options.tail?.();
    this.queue = [];
    this.lastStartMs = performance.now();
    // Counted as the same group run here would be (statement-counter.ts).
    const counter = this.runner.statements;
    counter.add('begin');
    for (const s of statements) for (const q of s) counter.count(q.sql);
    if (tail) {
      counter.add('savepoint');
      for (const q of tail.statements) counter.count(q.sql);
      counter.add('release');
    }
    counter.add('commit');
    writer.send({ jobs: statements, ...(tail ? { tail: tail.statements } : {}) }, (outcome) => this.landed(jobs, tail, outcome));
    return true;
  }

  /** The writer thread's answer for the group in flight. */
  private landed(jobs: Job[], tail: GroupTail | undefined, outcome: WriterOutcome): void {
    if (!outcome.ok) {
      this.queue = jobs.concat(this.queue);
      if (isStorageFailure(outcome.error)) {
        // Held, in order, before anything submitted since, as a group refused here is.
        this.hold(outcome.error);
        this.refuseHeld();
        return;
      }
      // Not the disk: the group runs again here, where the job that fails is found and rejected alone.
      this.commitHere();
      return;
    }
    if (outcome.tailError) tail?.onError(outcome.tailError);
    if (this.failure) this.recovered(jobs.length);
    this.options.afterCommit?.();
    for (const job of jobs) job.resolve(undefined);
    // What was submitted meanwhile goes as the next group.
    if (this.queue.length > 0 && !this.failure) this.schedule();
  }

  /** Commits the queue as one group on this connection; answers false when the disk refused it and it is held. */
  private commitHere(): boolean {
    const jobs = this.queue;
    const probe = this.failure && jobs.length === 0 ? this.options.probe : undefined;
    if (jobs.length === 0 && !probe) {
      if (this.failure) this.recovered(0);
      return true;
    }
    this.queue = [];
    this.lastStartMs = performance.now();
    const failuresBefore = this.runner.storageFailures;
    const diskFailed = () => this.runner.storageFailures !== failuresBefore;
    const outcomes: Outcome[] = [];
    const run = (savepoints: boolean) =>
      this.runner.transaction(() => {
        probe?.();
        this.options.begin?.();
        for (const job of jobs) {
          if (!savepoints) {
            outcomes.push({ ok: true, value: job.work() });
          } else {
            try {
              // Nested: better-sqlite3 turns the inner transaction into a SAVEPOINT.
              outcomes.push({ ok: true, value: this.runner.transaction(job.work) });
            } catch (error) {
              outcomes.push({ ok: false, error });
            }
          }
          // A full disk may have made SQLite roll the whole transaction back: the jobs after this one
          // would then run outside it, each committed alone and out of order. Abandon the group.
          if (diskFailed() || !this.runner.db.inTransaction) throw new GroupAbandoned();
        }
        this.options.beforeCommit?.();
        if (diskFailed() || !this.runner.db.inTransaction) throw new GroupAbandoned();
      });
    this.committing = true;
    try {
      try {
        // Optimistic: no savepoint per job, two statements fewer per write (docs/performance.md).
        // Jobs almost never fail; when one does, nothing of the group was stored and it runs again
        // below, each job in its own savepoint, so that it fails alone.
        run(false);
      } catch (err) {
        if (err instanceof GroupAbandoned || isStorageFailure(err) || diskFailed() || outcomes.length === jobs.length) throw err;
        this.runner.rollbackIfOpen();
        outcomes.length = 0;
        run(true);
      }
    } catch (err) {
      this.runner.rollbackIfOpen();
      if (err instanceof GroupAbandoned || isStorageFailure(err) || diskFailed()) {
        const cause = err instanceof GroupAbandoned ? outcomes[outcomes.length - 1] : undefined;
        // Held before anything submitted since: the order of writes is the order of submission.
        this.queue = jobs.concat(this.queue);
        this.hold(cause && !cause.ok ? cause.error : err);
        this.refuseHeld();
        return false;
      }
      // A probe that fails otherwise says nothing about the disk: stop holding rather than hold forever.
      if (probe) {
        this.recovered(0);
        return true;
      }
      // The commit itself failed otherwise (a lock held too long): nothing of the group is stored.
      const error = toStoreError(err, `commit of ${jobs.length} recorded events`);
      for (const job of jobs) job.reject(error);
      return true;
    } finally {
      this.committing = false;
    }
    if (this.failure) this.recovered(jobs.length);
    this.options.afterCommit?.();
    jobs.forEach((job, i) => {
      const outcome = outcomes[i];
      if (outcome?.ok) job.resolve(outcome.value);
      else job.reject(outcome?.error);
    });
    return true;
  }

  /** The held writes whose callers want an answer now are answered 'unavailable' and dropped. */
  private refuseHeld(): void {
    if (!this.queue.some((job) => job.what !== undefined)) return;
    const failure = this.failure!;
    this.queue = this.queue.filter((job) => {
      if (job.what === undefined) return true;
      job.reject(new StoreError('unavailable', `${job.what}: ${failure.message}`, { cause: failure.cause }));
      return false;
    });
  }

  /** Writes are held from now until a retry commits them. */
  private hold(err: unknown): void {
    const first = !this.failure;
    this.failure = new StoreError('unavailable', `the database cannot write: ${driverMessage(err)}`, { cause: err });
    if (first) {
      this.retryMs = FIRST_RETRY_MS;
      this.options.onStateChange?.(this.state);
    }
    if (this.retry || this.closed) return;
    this.retry = wallClock.setTimer(this.retryMs, () => {
      this.retry = undefined;
      this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
      // The probe (nothing held) runs here; held writes go wherever they can.
      if (this.queue.length === 0) this.commitHere();
      else this.commit();
    });
  }

  private recovered(written: number): void {
    this.failure = undefined;
    this.retry?.cancel();
    this.retry = undefined;
    this.options.onStateChange?.(this.state, written);
  }
}

/** SQLite's own words ("database or disk is full"), under whatever wrapped them. */
function driverMessage(err: unknown): string {
  let e: unknown = err;
  while (e instanceof Error && e.cause instanceof Error) e = e.cause;
  return e instanceof Error ? e.message : String(e);
}
