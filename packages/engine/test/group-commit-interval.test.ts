/**
 * The commit interval (store/group-commit.ts `intervalMs`, `--commit-interval`): a group starts no
 * sooner than the interval after the previous one started, so writes submitted in the turns between
 * share one commit; a read does not wait for it. SQLite only: PostgreSQL commits each record itself.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { SqliteStore } from '../src/store/sqlite-store.ts';
import { statementDelta } from '../src/store/statement-counter.ts';
import { callRow } from './support/call-rows.ts';

async function withStore(commitIntervalMs: number, fn: (store: SqliteStore) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-interval-'));
  const store = new SqliteStore(join(dir, 'sb.db'), { groupCommit: 'next-turn', commitIntervalMs });
  try {
    await store.migrate();
    // One turn, so one group: the first commit, which waits for no interval.
    await Promise.all(['a', 'b', 'c'].map((id) => store.insertCall(callRow({ call_uuid: id }))));
    await fn(store);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Records a ringing leg `id`; answers whether it has landed by the time `settled` is read. */
function ring(store: SqliteStore, id: string, at: number): { done: Promise<void>; settled: () => boolean } {
  let landed = false;
  const done = store.record({ callUuid: id, at, type: 'leg.ringing', patch: { call_status: 'ringing', ring_time: at } }).then(() => {
    landed = true;
  });
  return { done, settled: () => landed };
}

/** Commits of the writes issued in two successive turns, right after a commit. */
async function commitsOfTwoTurns(store: SqliteStore): Promise<number> {
  await ring(store, 'a', 10).done;
  const before = store.statements.snapshot();
  const b = ring(store, 'b', 11);
  await nextTurn();
  const c = ring(store, 'c', 12);
  await Promise.all([b.done, c.done]);
  return statementDelta(before, store.statements.snapshot()).commit ?? 0;
}

test('without an interval each turn commits its own writes; with one, writes of the turns between share a commit', async () => {
  await withStore(0, async (store) => assert.equal(await commitsOfTwoTurns(store), 2));
  await withStore(30, async (store) => assert.equal(await commitsOfTwoTurns(store), 1));
});

test('a write waits for the interval to pass since the last commit started, or for a read, whichever comes first', async () => {
  await withStore(60_000, async (store) => {
    const b = ring(store, 'b', 11); // the calls' rows were committed just now
    for (let i = 0; i < 5; i++) await nextTurn();
    assert.equal(b.settled(), false, 'a minute has not passed');
    // A read commits what is queued first, interval or not, and sees it.
    assert.equal((await store.getCall('b'))?.call_status, 'ringing');
    await b.done;
    assert.equal(b.settled(), true);
  });
});
