/**
 * WAL checkpoints on a worker thread (store/sqlite-checkpointer.ts): the worker starts once the
 * WAL grows, the store's own connection then never checkpoints, the worker copies the WAL into
 * the file while the store writes, a close
 * leaves no WAL behind, and a worker that cannot work hands checkpoints back to the store's
 * connection (SQLite's default of 1,000 pages).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { SqliteStore } from '../src/store/sqlite-store.ts';
import { SqliteCheckpointer } from '../src/store/sqlite-checkpointer.ts';
import { openSqlite } from '../src/store/sqlite-connection.ts';
import { callRow } from './support/call-rows.ts';
import { waitUntil } from './support/delivery-log.ts';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'sb-checkpoint-'));
}

test('the worker starts once the WAL grows and checkpoints what the store writes; the store then never does; close leaves no WAL', async () => {
  const dir = tempDir();
  const path = join(dir, 'sb.db');
  const store = new SqliteStore(path, { groupCommit: 'next-turn', checkpointInWorker: true });
  try {
    await store.migrate();
    const autocheckpoint = () => store.shared().runner.db.pragma('wal_autocheckpoint', { simple: true });
    // No thread until the WAL grows: until then the connection checkpoints as SQLite does.
    const before = store.checkpointer;
    assert.equal(before, undefined);
    assert.equal(autocheckpoint(), 1000);
    for (let i = 0; i < 300; i++) await store.insertCall(callRow({ call_uuid: `c${String(i).padStart(4, '0')}`, request_uuid: `r${i}` }));
    assert.ok(store.checkpointer, 'the worker started once the WAL passed 500 pages');
    assert.equal(autocheckpoint(), 0);
    const stats = store.checkpointer.stats;
    await waitUntil('a checkpoint by the worker', () => (stats.checkpoints > 0 ? true : undefined), 10_000);
    assert.ok(stats.pages > 0);
    assert.equal(stats.failed, undefined);
    // Its thread's CPU time, for the benchmarks (Linux /proc): it said where to read it before its first checkpoint.
    const cpu = store.checkpointer.cpuSeconds();
    assert.ok(typeof cpu === 'number' && cpu >= 0, `checkpoint thread CPU: ${cpu}`);
    // Another connection sees every row.
    const reader = new BetterSqlite3(path, { readonly: true });
    try {
      assert.equal((reader.prepare('select count(*) as n from calls').get() as { n: number }).n, 300);
    } finally {
      reader.close();
    }
  } finally {
    await store.close();
  }
  assert.equal(existsSync(`${path}-wal`), false);
  rmSync(dir, { recursive: true, force: true });
});

test('a worker that cannot open the file hands checkpoints back to the store connection', async () => {
  const dir = tempDir();
  const db = openSqlite(join(dir, 'sb.db'));
  try {
    // A folder is no database: the worker's open fails at once.
    const checkpointer = new SqliteCheckpointer(db, dir, 10);
    assert.equal(db.pragma('wal_autocheckpoint', { simple: true }), 0);
    await waitUntil('the worker fails', () => checkpointer.stats.failed, 10_000);
    assert.match(checkpointer.stats.failed!, /directory|unable to open|cannot open/i);
    assert.equal(db.pragma('wal_autocheckpoint', { simple: true }), 1000);
    await checkpointer.stop();
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
