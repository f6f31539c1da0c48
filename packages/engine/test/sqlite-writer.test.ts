/**
 * The SQLite writer thread (store/sqlite-writer.ts; docs/performance.md, "The store's writer
 * thread"): the group commits made of plain statements run on a second connection, in order; a
 * read sees every write issued before it; a group that fails for another reason than the disk runs
 * again here, where the failing write is rejected alone; a full disk holds the thread's groups and
 * they land once when space returns; a thread that cannot start or is gone leaves every write to
 * the engine's connection. "On disk" is what a second store on the same file, without deferral, reads.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualClock } from '../src/clock.ts';
import { SQLITE_THREAD_MIN_CORES, loadConfig } from '../src/config/config.ts';
import { SqliteStore, type SqliteStoreOptions } from '../src/store/sqlite-store.ts';
import { SqliteWriter } from '../src/store/sqlite-writer.ts';
import { StoreError } from '../src/store/store-error.ts';
import { statementDelta } from '../src/store/statement-counter.ts';
import { callRow } from './support/call-rows.ts';
import { waitUntil } from './support/delivery-log.ts';
import { placeOneCall, startHarness } from './support/harness.ts';
import { fillDisk, SMALL_DISK_SKIP, withSmallDisk } from './support/small-disk.ts';
import { TEST_PG } from './support/test-db.ts';

/** A store with the writer thread, loaded, deferring on a virtual clock; and a plain one on the same file. */
async function withWriter(fn: (store: SqliteStore, plain: SqliteStore, writer: SqliteWriter) => Promise<void>, dir?: string, extra: SqliteStoreOptions = {}): Promise<void> {
  const own = dir === undefined ? mkdtempSync(join(tmpdir(), 'sb-writer-')) : undefined;
  const path = join(dir ?? own!, 'sb.db');
  const store = new SqliteStore(path, { groupCommit: 'next-turn', defer: { clock: new VirtualClock() }, writerThread: true, ...extra });
  await store.migrate();
  const plain = new SqliteStore(path);
  try {
    const writer = store.writer!;
    assert.equal(await writer.whenLoaded(), true, 'the writer thread loads');
    await fn(store, plain, writer);
  } finally {
    await store.close();
    await plain.close();
    if (own) rmSync(own, { recursive: true, force: true });
  }
}

const answered = (callUuid: string, at: number) => ({ callUuid, at, type: 'leg.answered', patch: { call_status: 'in-progress' as const, answer_time: at } });

test("a call's writes commit on the writer thread, counted as they would be here, and a read sees them at once", async () => {
  await withWriter(async (store, plain, writer) => {
    const before = store.statements.snapshot();
    await store.insertCall(callRow({ call_uuid: 'a' }));
    assert.equal(writer.groups, 1);
    assert.ok(await plain.getCall('a'), 'the row is on disk once insertCall resolves');
    // Deferred, then durable: the answer carries what was deferred before it, in one group.
    void store.record({ callUuid: 'a', at: 1, type: 'leg.originated' });
    await store.record(answered('a', 2));
    assert.equal(writer.groups, 2);
    assert.deepEqual((await plain.listEvents('a')).map((e) => [e.seq, e.type]), [[1, 'leg.originated'], [2, 'leg.answered']]);
    assert.deepEqual(statementDelta(before, store.statements.snapshot()), { begin: 2, 'insert calls': 1, 'update calls': 1, 'insert events': 1, commit: 2 });

    // A read of the writing store waits for the group in flight, and commits what is queued, here.
    void store.record({ callUuid: 'a', at: 3, type: 'leg.note' });
    const pending = store.record({ callUuid: 'a', at: 4, type: 'leg.ended', patch: { call_status: 'completed', end_time: 4, hangup_cause: 'NORMAL_CLEARING', hangup_cause_code: 4000 } });
    assert.deepEqual((await store.listEvents('a')).map((e) => e.type), ['leg.originated', 'leg.answered', 'leg.note', 'leg.ended']);
    await pending;
    assert.equal((await plain.getCall('a'))?.call_status, 'completed');
  });
});

test('groups keep the order they were submitted in while one is on the thread', async () => {
  await withWriter(async (store, plain, writer) => {
    const calls = Array.from({ length: 20 }, (_, i) => `c${i}`);
    await Promise.all(calls.map((c) => store.insertCall(callRow({ call_uuid: c }))));
    const landed: string[] = [];
    await Promise.all(calls.flatMap((c, i) => [store.record(answered(c, 10 + i)).then(() => landed.push(c))]));
    assert.deepEqual(landed, calls);
    assert.ok(writer.groups >= 2, `several groups went to the thread (${writer.groups})`);
    for (const c of calls) assert.equal((await plain.getCall(c))?.call_status, 'in-progress');
  });
});

test('a write that fails for another reason than the disk is rejected alone; the rest of its group lands', async () => {
  await withWriter(async (store, plain, writer) => {
    await store.insertCall(callRow({ call_uuid: 'a' }));
    const sent = writer.sent;
    // One group: the same call twice, between two good ones. The thread's try fails whole; here,
    // each write in a savepoint of its own, only the duplicate fails.
    const results = await Promise.allSettled([
      store.insertCall(callRow({ call_uuid: 'b' })),
      store.insertCall(callRow({ call_uuid: 'a' })),
      store.insertCall(callRow({ call_uuid: 'c' })),
    ]);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
    const err = (results[1] as PromiseRejectedResult).reason;
    assert.ok(err instanceof StoreError && err.code === 'duplicate', String(err));
    assert.equal(writer.sent, sent + 1);
    assert.equal(writer.groups, 1, 'the thread committed only the first group');
    assert.deepEqual((await Promise.all(['a', 'b', 'c', 'd'].map((c) => plain.getCall(c)))).map((r) => r?.call_uuid), ['a', 'b', 'c', undefined]);
  });
});

test('a thread that cannot open the database leaves every write to the engine connection, and says so once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-writer-'));
  try {
    const notADir = join(dir, 'file');
    writeFileSync(notADir, '');
    const told: string[] = [];
    const writer = new SqliteWriter(join(notADir, 'sb.db'), { onUnavailable: (why) => told.push(why) });
    assert.equal(await writer.whenLoaded(), false);
    assert.equal(writer.ready, false);
    assert.equal(told.length, 1);
    assert.match(told[0]!, /^the SQLite writer thread could not start: cannot create the folder of database/);
    await writer.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a thread that is gone: the writes after it commit on the engine connection', async () => {
  const told: string[] = [];
  await withWriter(
    async (store, plain, writer) => {
      await store.insertCall(callRow({ call_uuid: 'a' }));
      assert.equal(writer.groups, 1);
      await writer.kill();
      assert.equal(writer.ready, false);
      await store.record(answered('a', 2));
      assert.equal(writer.groups, 1);
      assert.equal((await plain.getCall('a'))?.call_status, 'in-progress');
      assert.deepEqual(told, ['the SQLite writer thread exited']);
    },
    undefined,
    { onWriterUnavailable: (why) => told.push(why) },
  );
});

test('a full disk holds the thread\'s groups in order and writes them once when space returns', { skip: SMALL_DISK_SKIP }, () =>
  withSmallDisk(16, 'sb-writer-full-', (mnt) =>
    withWriter(
      async (store, plain, writer) => {
        const filler = join(mnt, 'filler');
        await store.insertCall(callRow({ call_uuid: 'a' }));
        const groups = writer.groups;
        fillDisk(filler);
        const settled: string[] = [];
        const big = 'x'.repeat(100_000);
        const pending = [
          store.record({ callUuid: 'a', at: 2, type: 'leg.note', data: { big } }),
          store.record(answered('a', 3)).then((r) => settled.push(`answered@${r.seq}`)),
        ];
        await waitUntil('writes held', () => (store.writeState().ok ? undefined : true), 5000);
        assert.deepEqual(settled, []);
        await assert.rejects(store.insertCall(callRow({ call_uuid: 'b' })), (err: unknown) => err instanceof StoreError && err.code === 'unavailable');
        unlinkSync(filler);
        await Promise.all(pending);
        assert.deepEqual(settled, ['answered@2']);
        assert.ok(writer.groups > groups, 'the held group landed through the thread');
        assert.deepEqual((await plain.listEvents('a')).map((e) => [e.seq, e.type]), [[1, 'leg.note'], [2, 'leg.answered']]);
        assert.deepEqual(store.writeState(), { ok: true, held: 0 });
      },
      mnt,
    ),
  ),
);

test('the engine commits on the thread by default where there are the cores for it, with --sqlite-thread on, and on its own connection with off', async () => {
  assert.equal(loadConfig({}, {}).sqliteThread, availableParallelism() >= SQLITE_THREAD_MIN_CORES);
  assert.equal(loadConfig({ 'sqlite-thread': 'on' }, {}).sqliteThread, true);
  assert.equal(loadConfig({ 'sqlite-thread': 'off' }, {}).sqliteThread, false);
  assert.equal(loadConfig({}, { SWITCHBOARD_SQLITE_THREAD: 'off' }).sqliteThread, false);
  assert.throws(() => loadConfig({ 'sqlite-thread': 'maybe' }, {}), /true or false/);
  if (TEST_PG) return;

  for (const setting of ['on', 'off'] as const) {
    const h = await startHarness({ flags: { 'sqlite-thread': setting } });
    try {
      const writer = (h.engine.store as SqliteStore).writer;
      assert.equal(writer !== undefined, setting === 'on');
      if (writer) assert.equal(await writer.whenLoaded(), true);
      assert.deepEqual(await placeOneCall(h), ['/ring', '/answer', '/hangup']);
      if (writer) assert.ok(writer.groups >= 3, `the call's durable writes committed on the thread (${writer.groups} groups)`);
    } finally {
      await h.close();
    }
  }
});

test('the thread keeps a bounded set of prepared statements: a group that outgrows it still runs whole, and forgotten SQL is sent again', async () => {
  await withWriter(async (_store, plain, writer) => {
    const upsert = (n: number) => ({ sql: `insert or replace into settings (key, value) values (?, ?) /* ${n} */`, parameters: [`k${n}`, `v${n}`] });
    const run = (statements: Array<{ sql: string; parameters: unknown[] }>) =>
      new Promise<void>((resolve, reject) => writer.send({ jobs: [statements] }, (outcome) => (outcome.ok ? resolve() : reject(outcome.error))));
    // A full set prepared; then a group that uses one of them first and then more new texts than
    // the thread keeps, so that the one it used is forgotten within the same group; then the first again.
    const texts = Array.from({ length: 1200 }, (_, n) => upsert(n));
    await run(texts.slice(0, 512));
    await run([texts[0]!, ...texts.slice(512, 1200)]);
    await run(texts.slice(0, 3));
    assert.equal(writer.groups, 3);
    for (const n of [0, 511, 512, 1199]) assert.equal(await plain.getSetting(`k${n}`), `v${n}`);
  });
});
