/**
 * One serving engine per SQLite file (docs/storage.md, "One engine per file"). A second `serve` on
 * a file that a live engine holds would "recover" that engine's live calls; it must refuse before
 * it touches anything.
 *
 * The lock is SQLite's own, on a small side file `<db>.lock`: a connection in exclusive locking
 * mode that has written once keeps its exclusive lock until it is closed, and the operating
 * system drops it when the process dies (kill -9 included), so a crash never leaves a stale lock
 * and a reused PID cannot fake one. The holder writes its PID into the file's header
 * (`user_version`, bytes 60-63), which a refused process reads with a plain file read (SQLite's
 * locks are advisory) to name the holder.
 */
import { closeSync, mkdirSync, openSync, readSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { StoreError } from './store-error.ts';

export interface FileLock {
  readonly path: string;
  release(): void;
}

/** Takes the lock of database `dbPath`, or throws a StoreError naming the file and the holder's PID. */
export function lockDatabaseFile(dbPath: string, pid = process.pid): FileLock {
  const path = `${dbPath}.lock`;
  let db: BetterSqlite3.Database;
  try {
    mkdirSync(dirname(resolve(dbPath)), { recursive: true });
    db = new BetterSqlite3(path, { timeout: 0 });
  } catch (err) {
    throw new StoreError('database', `cannot open the lock file ${path}: ${(err as Error).message}`, { cause: err });
  }
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    // The write takes the exclusive lock; exclusive mode keeps it after the commit.
    db.pragma(`user_version = ${pid}`);
  } catch (err) {
    db.close();
    if ((err as { code?: string }).code?.startsWith('SQLITE_BUSY')) {
      const holder = holderPid(path);
      throw new StoreError(
        'locked',
        `database ${dbPath} is in use by another Switchboard engine${holder ? ` (PID ${holder})` : ''}: stop it first, or give this one another --db (nothing was changed)`,
        { cause: err },
      );
    }
    throw new StoreError('database', `cannot lock database ${dbPath} (${path}): ${(err as Error).message}`, { cause: err });
  }
  return {
    path,
    release: () => {
      if (db.open) db.close();
    },
  };
}

/** The PID the holder wrote into the header; undefined when it cannot be read. */
function holderPid(path: string): number | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const header = Buffer.alloc(4);
    if (readSync(fd, header, 0, 4, 60) !== 4) return undefined;
    const pid = header.readUInt32BE(0);
    return pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
