/**
 * WAL checkpoints on a worker thread (docs/storage.md, "Durability"; docs/performance.md).
 *
 * In WAL mode a commit only appends pages to the `-wal` file; a checkpoint later copies them into
 * the database file and, with synchronous=NORMAL, waits for the disk (fsync) twice. SQLite runs it
 * inside whichever commit pushes the WAL past 1,000 pages: on the engine's one thread, where that
 * commit then stalls every call for the copy and the two fsyncs. Here the engine's connection
 * never checkpoints (wal_autocheckpoint = 0) and a second connection on a worker thread runs a
 * PASSIVE checkpoint when the WAL has reached the same 1,000 pages: it copies what no reader still
 * needs, never blocks a writer, and a commit is an append again. The WAL restarts from its
 * beginning once a checkpoint has copied it all, so it stays as small as before, and a full disk
 * is met when it was before (docs/storage.md, "When the disk is full").
 *
 * A checkpoint that fails (a full disk) is tried again at the next turn. If the worker itself fails
 * (it cannot open the file, it dies), the engine's connection takes checkpoints back
 * (wal_autocheckpoint = 1000, SQLite's default): the WAL never grows unchecked.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { commonJsWorkerSource } from '../util/eval-worker.ts';
import { cpuSecondsOf } from '../util/proc-cpu.ts';
import type { SqliteDatabase } from './sqlite-connection.ts';

/** How often the worker looks at the WAL; a busy engine appends ~1,000 pages in about this long. */
export const CHECKPOINT_EVERY_MS = 200;
/**
 * The WAL's size, in pages, from which the worker checkpoints: SQLite's own autocheckpoint
 * threshold, which the engine's connection goes back to when the worker is gone.
 */
export const CHECKPOINT_FROM_PAGES = 1000;

// CommonJS for `eval` (util/eval-worker.ts): the worker loads no TypeScript. It sleeps on the stop flag between
// looks (woken at once by stop()); it checkpoints once the WAL file has reached the threshold, as
// SQLite's autocheckpoint would (a WAL that starts again reuses its file, so the size stays); it
// reports only checkpoints that moved pages, and failures.
const WORKER_SOURCE = commonJsWorkerSource(`
const { parentPort, workerData } = require('node:worker_threads');
const { readlinkSync, statSync } = require('node:fs');
const Database = require(workerData.driver);
const stop = new Int32Array(workerData.stop);
// Linux: "<pid>/task/<tid>", so the engine can read this thread's CPU time (benchmarks).
try {
  parentPort.postMessage({ kind: 'thread', stat: '/proc/' + readlinkSync('/proc/thread-self') + '/stat' });
} catch {}
let db;
try {
  db = new Database(workerData.path, { timeout: 5000 });
  db.pragma('journal_mode');
} catch (err) {
  // An error thrown out of a worker reaches the parent without its message: say it here.
  parentPort.postMessage({ kind: 'fatal', message: String((err && err.message) || err) });
  Atomics.store(stop, 0, 1);
}
const fromBytes = db ? workerData.fromPages * db.pragma('page_size', { simple: true }) : 0;
const walSize = () => {
  try {
    return statSync(workerData.path + '-wal').size;
  } catch {
    return 0;
  }
};
while (Atomics.load(stop, 0) === 0) {
  try {
    const [r] = walSize() >= fromBytes ? db.pragma('wal_checkpoint(PASSIVE)') : [];
    if (r && r.checkpointed > 0) parentPort.postMessage({ kind: 'checkpoint', checkpointed: r.checkpointed });
  } catch (err) {
    parentPort.postMessage({ kind: 'error', message: String((err && err.message) || err) });
  }
  Atomics.wait(stop, 0, 0, workerData.everyMs);
}
if (db) db.close();
`);

export interface CheckpointStats {
  /** Checkpoints that copied pages. */
  checkpoints: number;
  /** Pages copied into the database file in all. */
  pages: number;
  /** Checkpoints that failed (a full disk: tried again at the next turn), and the last reason. */
  errors: number;
  lastError?: string;
  /** Why the worker stopped, when it did before close(): the engine's connection checkpoints again. */
  failed?: string;
}

export class SqliteCheckpointer {
  readonly stats: CheckpointStats = { checkpoints: 0, pages: 0, errors: 0 };
  private readonly worker: Worker;
  private readonly stopFlag = new Int32Array(new SharedArrayBuffer(4));
  private stopped = false;
  private readonly exited: Promise<void>;
  /** The worker thread's /proc stat file, once it has said (Linux). */
  private stat?: string;

  constructor(
    private readonly db: SqliteDatabase,
    path: string,
    everyMs = CHECKPOINT_EVERY_MS,
    fromPages = CHECKPOINT_FROM_PAGES,
  ) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, path, everyMs, fromPages, stop: this.stopFlag.buffer } });
    // Only once there is a worker (the constructor above may throw).
    db.pragma('wal_autocheckpoint = 0');
    // It does not keep the process alive; stop() waits for it.
    this.worker.unref();
    this.worker.on('message', (m: { kind: string; checkpointed?: number; message?: string; stat?: string }) => {
      if (m.kind === 'thread') {
        this.stat = m.stat;
      } else if (m.kind === 'checkpoint') {
        this.stats.checkpoints++;
        this.stats.pages += m.checkpointed ?? 0;
      } else if (m.kind === 'fatal') {
        this.takeBack(m.message ?? 'unknown error');
      } else if (m.kind === 'error') {
        this.stats.errors++;
        this.stats.lastError = m.message;
      }
    });
    this.worker.on('error', (err: unknown) => this.takeBack(err instanceof Error ? err.message : JSON.stringify(err)));
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()));
    void this.exited.then(() => {
      if (!this.stopped) this.takeBack('the checkpoint worker exited');
    });
  }

  /** CPU seconds the worker thread has used (Linux, benchmarks), or null when unknown. */
  cpuSeconds(): number | null {
    return this.stat === undefined || this.stopped ? null : cpuSecondsOf(this.stat);
  }

  /** Stops the worker and waits until its connection is closed (the store's close() is then the last). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    Atomics.store(this.stopFlag, 0, 1);
    Atomics.notify(this.stopFlag, 0);
    // Held open while the worker finishes: nothing else may be keeping the process alive.
    this.worker.ref();
    await this.exited;
  }

  private takeBack(why: string): void {
    if (this.stats.failed !== undefined) return;
    this.stats.failed = why;
    if (this.db.open) this.db.pragma(`wal_autocheckpoint = ${CHECKPOINT_FROM_PAGES}`);
    if (!this.stopped) void this.worker.terminate();
  }
}
