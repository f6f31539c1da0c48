/**
 * Deferred writes (store/deferred-writes.ts; docs/storage.md, "Durability"): what a store defers is
 * on disk once the bound of its clock passes, a durable record is on disk when its promise
 * resolves, a read sees everything recorded, a synchronous fetch's delivery is written once in its
 * final state, and the rollup computed from memory is the one read back from the rows. On SQLite,
 * and on PostgreSQL under SWITCHBOARD_TEST_PG; "on disk" is what a second store on the same
 * database, without deferral, reads.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualClock } from '../src/clock.ts';
import { SqliteStore } from '../src/store/sqlite-store.ts';
import { PgStore } from '../src/store/pg-store.ts';
import { chainStatements, DEFAULT_DEFER_MS } from '../src/store/deferred-writes.ts';
import { statementDelta } from '../src/store/statement-counter.ts';
import type { NewDelivery, Store } from '../src/store/store.ts';
import { callRow } from './support/call-rows.ts';
import { TEST_PG, freshTestDb } from './support/test-db.ts';

/** A deferred store and a plain one on the same fresh database. */
async function withStores(fn: (deferred: Store, plain: Store, clock: VirtualClock) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-deferred-'));
  const d = await freshTestDb(dir);
  const clock = new VirtualClock();
  const open = (defer: boolean): Store =>
    TEST_PG ? new PgStore(d.db, defer ? { defer: { clock } } : {}) : new SqliteStore(d.db, defer ? { groupCommit: 'next-turn', defer: { clock } } : {});
  const deferred = open(true);
  await deferred.migrate();
  const plain = open(false);
  try {
    await fn(deferred, plain, clock);
  } finally {
    await deferred.close();
    await plain.close();
    await d.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function delivery(id: string, synchronous: boolean): NewDelivery {
  return { id, kind: synchronous ? 'answer' : 'ring', event: synchronous ? 'StartApp' : 'Ring', url: 'http://app.test/x', method: 'POST', params: { CallUUID: 'a' }, synchronous };
}

/** Lets a flush the timer started land (PostgreSQL writes take round trips). */
async function landed(store: Store): Promise<void> {
  await store.flush();
}

test('a deferred record is on disk once the bound passes; a durable one when its promise resolves', async () => {
  await withStores(async (deferred, plain, clock) => {
    await deferred.insertCall(callRow({ call_uuid: 'a' }));
    assert.ok(await plain.getCall('a'), 'the call row is durable at once');
    const queued = await deferred.record({ callUuid: 'a', at: 1, type: 'call.queued' });
    assert.equal(queued.seq, 1);
    assert.deepEqual(await plain.listEvents('a'), [], 'deferred: not written yet');
    clock.advance(DEFAULT_DEFER_MS);
    // The timer handed the batch to the store; it lands with the store's next commit.
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual((await plain.listEvents('a')).map((e) => e.type), ['call.queued']);

    await deferred.record({ callUuid: 'a', at: 2, type: 'leg.originated' });
    // A notification the outbox owes: written, with everything deferred before it, before record() resolves.
    const ringing = await deferred.record({ callUuid: 'a', at: 3, type: 'leg.ringing', patch: { call_status: 'ringing', ring_time: 3 }, deliveries: [delivery('r1', false)] });
    assert.deepEqual(ringing.deliveries.map((d) => [d.id, d.seq, d.event_seq]), [['r1', 1, 3]]);
    assert.deepEqual((await plain.listEvents('a')).map((e) => [e.seq, e.type]), [[1, 'call.queued'], [2, 'leg.originated'], [3, 'leg.ringing']]);
    assert.equal((await plain.getCall('a'))?.call_status, 'ringing');
    assert.deepEqual((await plain.listDeliveries('a')).map((d) => [d.id, d.seq, d.status]), [['r1', 1, 'pending']]);
  });
});

test('a read of the deferring store sees everything recorded, at once', async () => {
  await withStores(async (deferred) => {
    await deferred.insertCall(callRow({ call_uuid: 'a' }));
    void deferred.record({ callUuid: 'a', at: 1, type: 'leg.answered', patch: { call_status: 'in-progress', answer_time: 1 } });
    assert.equal((await deferred.getCall('a'))?.call_status, 'in-progress');
    assert.deepEqual((await deferred.listEvents('a')).map((e) => e.type), ['leg.answered']);
  });
});

// On PostgreSQL the record of a fetch is written before the fetch goes out (pg-store.ts says why):
// there its delivery is inserted pending, then updated with its attempt.
test("a synchronous fetch's delivery is written once, in its final state, with its attempt (SQLite)", async () => {
  await withStores(async (deferred, plain) => {
    await deferred.insertCall(callRow({ call_uuid: 'a' }));
    const { deliveries } = await deferred.record({ callUuid: 'a', at: 1, type: 'webhook.answer', deliveries: [delivery('f1', true)] });
    assert.equal(deliveries[0]?.status, 'pending');
    await deferred.recordAttempts(
      'f1',
      [{ delivery_id: 'f1', attempt: 1, at: 2, url: 'http://app.test/x', method: 'POST', request_headers: '{}', status_code: 200, response_excerpt: '<Response/>', latency_ms: 1, error: null }],
      { status: 'delivered', attempts: 1, completed_at: 2, next_attempt_at: null, last_error: null },
    );
    const before = deferred.statements.snapshot();
    await deferred.flush();
    const used = statementDelta(before, deferred.statements.snapshot());
    if (!TEST_PG) assert.deepEqual(used, { begin: 1, 'insert events': 1, 'insert deliveries': 1, 'insert delivery_attempts': 1, commit: 1 });
    else assert.deepEqual(used, { 'with insert delivery_attempts': 1 });
    const [row] = await plain.listDeliveries('a');
    assert.deepEqual([row?.id, row?.status, row?.attempts, row?.completed_at], ['f1', 'delivered', 1, 2]);
    assert.equal((await plain.listAttempts('f1')).length, 1);
  });
});

test('the rollup computed from memory is the one read back from the rows', async () => {
  // One call, its B legs patched after their insert and a Dial, on a deferring store and on a plain one.
  const runCall = async (store: Store) => {
    await store.insertCall(callRow({ call_uuid: 'a', initiation_time: 10_000 }));
    await store.record({ callUuid: 'a', at: 10_000, type: 'leg.answered', patch: { call_status: 'in-progress', answer_time: 11_000 } });
    const b1 = callRow({ call_uuid: 'b1', parent_call_uuid: 'a', to_number: '15550009', dial_position: 1, initiation_time: 12_000 });
    const b2 = callRow({ call_uuid: 'b2', parent_call_uuid: 'a', to_number: '15550010', dial_position: 2, initiation_time: 12_000 });
    await store.record({ callUuid: 'a', at: 12_000, type: 'dial.started', data: { targets: 2 }, insertCalls: [b1, b2] });
    await store.record({ callUuid: 'b1', at: 13_000, type: 'leg.ringing', patch: { call_status: 'ringing', ring_time: 13_000 } });
    await store.record({ callUuid: 'b1', at: 14_000, type: 'leg.answered', patch: { call_status: 'in-progress', answer_time: 14_000 } });
    await store.record({ callUuid: 'b2', at: 14_000, type: 'leg.ended', patch: { call_status: 'cancel', end_time: 14_000, hangup_cause: 'ORIGINATOR_CANCEL', hangup_cause_code: 3000 } });
    await store.record({ callUuid: 'b1', at: 20_000, type: 'leg.ended', patch: { call_status: 'completed', end_time: 20_000, hangup_cause: 'NORMAL_CLEARING', hangup_cause_code: 4000, call_duration: 6, bill_duration: 6 } });
    await store.record({ callUuid: 'a', at: 20_000, type: 'dial.ended', data: { status: 'completed', b_leg: 'b1' } });
    await store.record({ callUuid: 'a', at: 21_000, type: 'leg.ended', patch: { call_status: 'completed', end_time: 21_000, hangup_cause: 'NORMAL_CLEARING', hangup_cause_code: 4000, call_duration: 11, bill_duration: 10 } });
  };
  const rollups = async (store: Store) => {
    const rows = [];
    for (const dim of ['all', 'destination', 'destination/day', 'caller_id', 'application'] as const) {
      rows.push(...(await store.resources.reports.readRollups(dim, 0, Number.MAX_SAFE_INTEGER)));
    }
    return JSON.stringify(rows);
  };
  let fromMemory = '';
  let fromRows = '';
  await withStores(async (deferred) => {
    await runCall(deferred);
    fromMemory = await rollups(deferred);
  });
  await withStores(async (_deferred, plain) => {
    await runCall(plain);
    fromRows = await rollups(plain);
  });
  assert.notEqual(fromRows, '[]');
  assert.equal(fromMemory, fromRows);
});

test('calls that end together are rolled up together: the sum of their rollups, one upsert (SQLite: written when read)', async () => {
  // Six calls to two numbers, half answered; their A legs end in one turn, so in one group commit.
  const runCalls = async (store: Store) => {
    for (let i = 0; i < 6; i++) {
      await store.insertCall(callRow({ call_uuid: `a${i}`, to_number: `1555000${i % 2}`, initiation_time: 10_000 + i }));
      if (i % 2 === 0) await store.record({ callUuid: `a${i}`, at: 11_000 + i, type: 'leg.answered', patch: { call_status: 'in-progress', ring_time: 10_500, answer_time: 11_000 + i } });
    }
    const before = store.statements.snapshot();
    await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        store.record({
          callUuid: `a${i}`,
          at: 20_000 + i,
          type: 'leg.ended',
          patch: i % 2 === 0 ? { call_status: 'completed', end_time: 20_000 + i, hangup_cause: 'NORMAL_CLEARING', hangup_cause_code: 4000, call_duration: 9 - i, bill_duration: 9 - i } : { call_status: 'busy', end_time: 20_000 + i, hangup_cause: 'USER_BUSY', hangup_cause_code: 3010 },
        }),
      ),
    );
    return before;
  };
  const rollups = async (store: Store) => {
    const rows = [];
    for (const dim of ['all', 'destination', 'destination/day', 'caller_id', 'application'] as const) rows.push(...(await store.resources.reports.readRollups(dim, 0, Number.MAX_SAFE_INTEGER)));
    return JSON.stringify(rows);
  };
  let together = '';
  let alone = '';
  let upserts = 0;
  await withStores(async (deferred) => {
    const before = await runCalls(deferred);
    together = await rollups(deferred);
    upserts = statementDelta(before, deferred.statements.snapshot())['insert report_rollups'] ?? 0;
  });
  await withStores(async (_deferred, plain) => {
    await runCalls(plain);
    alone = await rollups(plain);
  });
  assert.match(together, /"attempts":6/);
  // As objects: a count map's keys are in insertion order in a new row, sorted in a summed one.
  assert.deepEqual(JSON.parse(together), JSON.parse(alone));
  if (!TEST_PG) assert.equal(upserts, 1);
});

test('a flush sets only the state of a row it updates: a column written once with the row, changed since by another writer, is kept', async () => {
  await withStores(async (deferred, plain) => {
    await deferred.insertCall(callRow({ call_uuid: 'a' }));
    // An asynchronous notification: durable, so the delivery row is stored when this resolves.
    await deferred.record({ callUuid: 'a', at: 1_000, type: 'leg.ringing', deliveries: [delivery('d1', false)] });
    await plain.updateDelivery('d1', { url: 'http://app.test/moved' });
    const attempt = { delivery_id: 'd1', attempt: 1, at: 1_010, url: 'http://app.test/x', method: 'POST', request_headers: '{}', params: '{}', status_code: 200, response_excerpt: 'ok', latency_ms: 3, error: null };
    await deferred.recordAttempts('d1', [attempt], { status: 'delivered', attempts: 1, completed_at: 1_013 });
    await deferred.flush();
    const row = await plain.getDelivery('d1');
    assert.deepEqual([row?.url, row?.status, row?.attempts, row?.completed_at], ['http://app.test/moved', 'delivered', 1, 1_013]);
  });
});

test("the durable records of one group share one flush: one multi-row statement a table, in the order issued (SQLite)", async () => {
  if (TEST_PG) return; // PostgreSQL writes each flush as one chained statement (below).
  await withStores(async (deferred, plain) => {
    for (const id of ['a', 'b', 'c']) await deferred.insertCall(callRow({ call_uuid: id }));
    const before = deferred.statements.snapshot();
    // Three notifications the outbox owes, issued in one turn: each is durable, each alone would flush.
    await Promise.all(['a', 'b', 'c'].map((id, i) => deferred.record({ callUuid: id, at: 10 + i, type: 'leg.ringing', patch: { call_status: 'ringing', ring_time: 10 + i }, deliveries: [delivery(`r-${id}`, false)] })));
    assert.deepEqual(statementDelta(before, deferred.statements.snapshot()), { begin: 1, 'insert events': 1, 'update calls': 3, 'insert deliveries': 1, commit: 1 });
    for (const id of ['a', 'b', 'c']) {
      assert.deepEqual((await plain.listEvents(id)).map((e) => [e.seq, e.type]), [[1, 'leg.ringing']]);
      assert.equal((await plain.getCall(id))?.call_status, 'ringing');
    }
    // A write of another kind between records closes the shared flush: what follows it lands after it.
    const mid = deferred.statements.snapshot();
    await Promise.all([
      deferred.record({ callUuid: 'a', at: 20, type: 'leg.answered', patch: { call_status: 'in-progress', answer_time: 20 } }),
      deferred.insertCall(callRow({ call_uuid: 'd' })),
      deferred.record({ callUuid: 'b', at: 21, type: 'leg.answered', patch: { call_status: 'in-progress', answer_time: 21 } }),
    ]);
    assert.deepEqual(statementDelta(mid, deferred.statements.snapshot()), { begin: 1, 'update calls': 2, 'insert events': 2, 'insert calls': 1, commit: 1 });
    assert.equal((await plain.getCall('d'))?.call_status, callRow({ call_uuid: 'd' }).call_status);
  });
});

test('a key repeated within one batch is refused as the INSERT refuses it, alone, leaving no gap in the seqs', async () => {
  await withStores(async (deferred, plain) => {
    await deferred.insertCall(callRow({ call_uuid: 'a' }));
    const b = callRow({ call_uuid: 'b1', parent_call_uuid: 'a' });
    // Deferred records (synchronous fetches, a B leg's row): all in one batch.
    const first = deferred.record({ callUuid: 'a', at: 1, type: 'dial.started', insertCalls: [b], deliveries: [delivery('f1', true)] });
    const again = deferred.record({ callUuid: 'a', at: 2, type: 'dial.started', insertCalls: [b] });
    const sameDelivery = deferred.record({ callUuid: 'a', at: 3, type: 'fetch', deliveries: [delivery('f1', true)] });
    const next = deferred.record({ callUuid: 'a', at: 4, type: 'fetch', deliveries: [delivery('f2', true)] });
    const outcomes = await Promise.allSettled([first, again, sameDelivery, next]);
    assert.deepEqual(outcomes.map((o) => (o.status === 'fulfilled' ? o.value.seq : (o.reason as { code?: string }).code)), [1, 'duplicate', 'duplicate', 2]);
    await landed(deferred);
    assert.deepEqual((await plain.listEvents('a')).map((e) => [e.seq, e.type]), [[1, 'dial.started'], [2, 'fetch']]);
    assert.deepEqual((await plain.listDeliveries('a')).map((d) => [d.id, d.seq]), [['f1', 1], ['f2', 2]]);
    assert.ok(await plain.getCall('b1'));
  });
});

test('chained statements are renumbered into one (PostgreSQL)', () => {
  const [one] = chainStatements([
    { sql: 'insert into t (a, b) values ($1, $2)', parameters: [1, 2] },
    { sql: 'update u set c = $1 where d = $2', parameters: [3, 4] },
  ]);
  assert.deepEqual(one, { sql: 'with w0 as (insert into t (a, b) values ($1, $2)) update u set c = $3 where d = $4', parameters: [1, 2, 3, 4] });
  // Past the parameter limit: several statements, each whole.
  assert.equal(chainStatements([{ sql: 'x $1', parameters: [1] }, { sql: 'y $1 $2', parameters: [1, 2] }], 2).length, 2);
});

test('a read of configuration (numbers, applications, endpoints) leaves what is deferred deferred; a read of calls writes it first', async () => {
  await withStores(async (deferred, plain) => {
    await deferred.insertCall(callRow({ call_uuid: 'a' }));
    await deferred.record({ callUuid: 'a', at: 1, type: 'call.queued' });
    const before = deferred.statements.snapshot();
    // What an inbound call reads before it starts (numbers/inbound-router.ts): none of it is a call's.
    assert.equal(await deferred.resources.apps.getNumber('15550100001'), undefined);
    assert.equal(await deferred.resources.apps.getApplication('1234'), undefined);
    assert.equal(await deferred.resources.apps.defaultNumberApplication(), undefined);
    await deferred.resources.endpoints.all();
    const used = statementDelta(before, deferred.statements.snapshot());
    assert.deepEqual(Object.keys(used).filter((k) => !k.startsWith('select')), [], `only reads: ${JSON.stringify(used)}`);
    assert.deepEqual(await plain.listEvents('a'), [], 'still deferred');
    assert.equal((await deferred.listEvents('a')).length, 1);
    assert.equal((await plain.listEvents('a')).length, 1, 'a read of the calls wrote what was deferred first');
  });
});
