/**
 * Group commit for record(): the writes submitted in one turn of the event loop are committed
 * together, in the order submitted, in one transaction, each inside its own savepoint. One commit
 * (one WAL append) then carries many events, which is what makes thousands of calls per second
 * fit on one SQLite file; a write that fails rolls back to its savepoint and rejects alone.
 *
 * By default the flush runs as a microtask, so it happens before any I/O callback or timer can
 * run: nothing outside can observe a write as "submitted but not yet stored". With 'next-turn' it
 * waits one turn of the event loop (the virtual clock waits several quiet turns before moving, so
 * it still cannot jump past a pending record). Any other store operation flushes first, so reads
 * see every earlier write.
 */
import type { SqliteRunner } from './sqlite-connection.ts';
import { toStoreError } from './store-error.ts';

interface Job {
  readonly work: () => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (err: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * When a group is committed: 'microtask' (default) at the end of the current turn, before any I/O
 * or timer; 'next-turn' after the current poll phase (setImmediate), so records issued by many
 * I/O callbacks share one commit, at the price of one event-loop turn of latency per record.
 */
export type GroupCommitTiming = 'microtask' | 'next-turn';

export class GroupCommit {
  private queue: Job[] = [];
  private scheduled = false;

  constructor(
    private readonly runner: SqliteRunner,
    private readonly timing: GroupCommitTiming = 'microtask',
  ) {}

  /** Queues `work` (synchronous SQL) for the next group; settles once the group has committed. */
  submit<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        const flush = () => {
          this.scheduled = false;
          this.flush();
        };
        if (this.timing === 'microtask') queueMicrotask(flush);
        else setImmediate(flush);
      }
    });
  }

  /** Commits whatever is queued now; a no-op when nothing is. */
  flush(): void {
    if (this.queue.length === 0) return;
    const jobs = this.queue;
    this.queue = [];
    const outcomes: Outcome[] = [];
    try {
      this.runner.transaction(() => {
        for (const job of jobs) {
          try {
            // Nested: better-sqlite3 turns the inner transaction into a SAVEPOINT.
            outcomes.push({ ok: true, value: this.runner.transaction(job.work) });
          } catch (error) {
            outcomes.push({ ok: false, error });
          }
        }
      });
    } catch (err) {
      // The commit itself failed (I/O, lock timeout): nothing of the group is stored.
      const error = toStoreError(err, `commit of ${jobs.length} recorded events`);
      for (const job of jobs) job.reject(error);
      return;
    }
    jobs.forEach((job, i) => {
      const outcome = outcomes[i];
      if (outcome?.ok) job.resolve(outcome.value);
      else job.reject(outcome?.error);
    });
  }
}
