/**
 * The SQLite writer thread's side (sqlite-writer.ts): a connection of its own to the store's file,
 * on which it runs each group it is sent as one transaction, and says how it ended.
 *
 * A group is plain data: each job's statements, then a tail run in a savepoint whose failure is
 * reported but does not undo the jobs (the report rollup). Anything else that fails rolls the whole
 * group back and is reported; the engine's thread then decides (hold it for the disk, or run it
 * again itself to find the job that failed).
 */
import { readlinkSync } from 'node:fs';
import { workerData, type MessagePort } from 'node:worker_threads';
import type BetterSqlite3 from 'better-sqlite3';
import { openSqlite, type SqliteDatabase } from './sqlite-connection.ts';
import { isStorageFailure } from './store-error.ts';
import { FINISHED, COMMITTED, GONE, type FromWriter, type ToWriter, type WireError, type WireStatement } from './sqlite-writer.ts';

const { path, port, flags: buffer } = workerData as { path: string; port: MessagePort; flags: SharedArrayBuffer };
const flags = new Int32Array(buffer);
const post = (m: FromWriter) => port.postMessage(m);
// However the thread ends, an engine thread waiting for it stops waiting.
process.on('exit', () => {
  Atomics.store(flags, GONE, 1);
  Atomics.notify(flags, FINISHED);
});

let db: SqliteDatabase;
try {
  db = openSqlite(path);
} catch (err) {
  post({ t: 'fatal', message: String((err as Error)?.message ?? err) });
  port.close();
  throw err;
}

const statements = new Map<number, BetterSqlite3.Statement>();
const control = {
  begin: db.prepare('BEGIN IMMEDIATE'),
  commit: db.prepare('COMMIT'),
  rollback: db.prepare('ROLLBACK'),
  savepoint: db.prepare('SAVEPOINT tail'),
  release: db.prepare('RELEASE tail'),
  rollbackTail: db.prepare('ROLLBACK TO tail'),
};

function wire(err: unknown): WireError {
  const code = (err as { code?: unknown })?.code;
  return { message: err instanceof Error ? err.message : String(err), ...(typeof code === 'string' ? { code } : {}) };
}

function runAll(list: readonly WireStatement[]): void {
  for (const [id, parameters] of list) statements.get(id)!.run(...parameters);
}

function runGroup(m: Extract<ToWriter, { t: 'group' }>): FromWriter {
  try {
    control.begin.run();
    for (const job of m.jobs) runAll(job);
    let tailError: WireError | undefined;
    if (m.tail) {
      control.savepoint.run();
      try {
        runAll(m.tail);
        control.release.run();
      } catch (err) {
        // The disk, or a transaction SQLite ended itself: the whole group failed.
        if (isStorageFailure(err) || !db.inTransaction) throw err;
        tailError = wire(err);
        control.rollbackTail.run();
        control.release.run();
      }
    }
    control.commit.run();
    Atomics.store(flags, COMMITTED, m.id);
    return { t: 'done', id: m.id, ...(tailError ? { tailError } : {}) };
  } catch (err) {
    if (db.inTransaction) {
      try {
        control.rollback.run();
      } catch {
        // Already ended by SQLite.
      }
    }
    return { t: 'failed', id: m.id, error: wire(err) };
  }
}

port.on('message', (m: ToWriter) => {
  if (m.t === 'close') {
    db.close();
    port.close();
    return;
  }
  let failed: FromWriter | undefined;
  for (const [id, sql] of m.sqls) {
    try {
      statements.set(id, db.prepare(sql));
    } catch (err) {
      failed ??= { t: 'failed', id: m.id, error: wire(err) };
    }
  }
  // The answer is posted before the flag moves: a thread that waits on the flag then finds it queued.
  post(failed ?? runGroup(m));
  // After the group: one of its own statements may be among them.
  for (const id of m.drop) statements.delete(id);
  Atomics.store(flags, FINISHED, m.id);
  Atomics.notify(flags, FINISHED);
});

/** This thread's id in /proc (Linux), so the engine can read its CPU time; undefined elsewhere. */
function threadId(): number | undefined {
  try {
    return Number(readlinkSync('/proc/thread-self').split('/').pop());
  } catch {
    return undefined;
  }
}

post({ t: 'ready', tid: threadId() });
