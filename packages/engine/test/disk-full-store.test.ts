/**
 * The store's write path on a full disk (docs/storage.md, "When the disk is full"), in-process on a
 * small tmpfs: record() groups are held whole and in order, including one so large that SQLite
 * spills it mid-transaction and rolls it back by itself; other writes are refused with
 * 'unavailable'; reads go on; when space returns everything lands once, in submission order.
 *
 * Needs root (mount). CI runs as root; elsewhere the test is skipped and says why.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteStore } from '../src/store/sqlite-store.ts';
import { StoreError, type WriteState } from '../src/store/store-error.ts';
import { callRow } from './support/call-rows.ts';
import { waitUntil } from './support/delivery-log.ts';
import { fillDisk, SMALL_DISK_SKIP, withSmallDisk } from './support/small-disk.ts';

const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

test('held in order through a full disk, then written once', { skip: SMALL_DISK_SKIP }, () => withSmallDisk(16, 'sb-diskfull-store-', async (mnt) => {
  const states: Array<[boolean, number | undefined]> = [];
  const store = new SqliteStore(join(mnt, 'sb.db'), { onWriteState: (s: WriteState, written) => states.push([s.ok, written]) });
  const filler = join(mnt, 'filler');
  try {
    await store.migrate();
    const calls = [1, 2, 3].map(uuid);
    for (const c of calls) await store.insertCall(callRow({ call_uuid: c, request_uuid: c, initiation_time: 1000 }));
    await store.record({ callUuid: calls[0]!, at: 1001, type: 'before' });
    fillDisk(filler);

    // Small groups, then one whose pages spill from the cache mid-transaction (SQLite then rolls
    // the transaction back itself), then more small ones: all must wait, none may land alone.
    const settled: string[] = [];
    const pending: Array<Promise<unknown>> = [];
    const record = (c: string, at: number, type: string, data?: unknown) =>
      pending.push(store.record({ callUuid: c, at, type, ...(data === undefined ? {} : { data }) }).then((r) => settled.push(`${type}@${r.seq}`)));
    record(calls[0]!, 1002, 'a1');
    record(calls[1]!, 1002, 'b1');
    await new Promise((r) => setImmediate(r));
    const big = 'x'.repeat(100_000);
    for (let i = 0; i < 40; i++) record(calls[2]!, 1003 + i, `c${i}`, { big });
    record(calls[0]!, 1100, 'a2', { deliveries: 0 });
    await waitUntil('writes held', () => (store.writeState().ok ? undefined : true), 5000);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(settled, []);
    const state = store.writeState();
    assert.equal(state.ok, false);
    assert.equal(state.held, 43);
    assert.match(state.ok ? '' : state.error.message, /^the database cannot write: database or disk is full$/);

    // Reads go on; writes outside the group are refused, not lost silently.
    assert.deepEqual((await store.listEvents(calls[0]!)).map((e) => e.type), ['before']);
    await assert.rejects(store.insertCall(callRow({ call_uuid: uuid(9), request_uuid: uuid(9) })), (err: unknown) => err instanceof StoreError && err.code === 'unavailable' && /\(43 writes held until it can\)$/.test(err.message));
    await assert.rejects(store.setSetting('k', 'v'), (err: unknown) => err instanceof StoreError && err.code === 'unavailable');
    // A report reads what is stored (no call has ended), without waiting for the held writes.
    assert.deepEqual(await store.resources.reports.readRollups('all', 0, Number.MAX_SAFE_INTEGER), []);
    assert.equal(store.writeState().held, 43);

    unlinkSync(filler);
    await Promise.all(pending);
    assert.deepEqual(settled, ['a1@2', 'b1@1', ...Array.from({ length: 40 }, (_, i) => `c${i}@${i + 1}`), 'a2@3']);
    assert.deepEqual(store.writeState(), { ok: true, held: 0 });
    assert.deepEqual((await store.listEvents(calls[0]!)).map((e) => [e.seq, e.type]), [[1, 'before'], [2, 'a1'], [3, 'a2']]);
    assert.equal((await store.listEvents(calls[2]!)).length, 40);
    assert.deepEqual(states, [[false, undefined], [true, 43]]);
    await store.insertCall(callRow({ call_uuid: uuid(9), request_uuid: uuid(9) }));
  } finally {
    await store.close();
  }
}));

test('a refused write with nothing held is retried by a probe, so readiness comes back', { skip: SMALL_DISK_SKIP }, () => withSmallDisk(4, 'sb-diskfull-probe-', async (mnt) => {
  const store = new SqliteStore(join(mnt, 'sb.db'));
  const filler = join(mnt, 'filler');
  try {
    await store.migrate();
    fillDisk(filler);
    await assert.rejects(store.insertCall(callRow({ call_uuid: uuid(1), request_uuid: uuid(1) })), (err: unknown) => err instanceof StoreError && err.code === 'unavailable' && /^insert call .*: the database cannot write: database or disk is full$/.test(err.message));
    assert.deepEqual([store.writeState().ok, store.writeState().held], [false, 0]);
    unlinkSync(filler);
    await waitUntil('writes again', () => (store.writeState().ok ? true : undefined), 5000);
    await store.insertCall(callRow({ call_uuid: uuid(1), request_uuid: uuid(1) }));
  } finally {
    await store.close();
  }
}));
