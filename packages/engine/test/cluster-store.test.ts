/**
 * The cluster's decisions in the database (store/pg-cluster-store.ts, docs/scaling.md), with
 * several stores on one PostgreSQL standing in for several nodes racing: exactly one survivor takes
 * a dead node over, a fenced node's heartbeat and writes are refused, due deliveries are claimed
 * once, in per-call order, and not before their backoff. Needs SWITCHBOARD_TEST_PG; skipped without.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_PG, freshTestDb, type TestDb } from './support/test-db.ts';
import { callRow } from './support/call-rows.ts';
import { sleep } from './support/delivery-log.ts';
import { PgStore } from '../src/store/pg-store.ts';
import { StoreError } from '../src/store/store-error.ts';
import type { NewDelivery } from '../src/store/store.ts';

const SKIP = TEST_PG ? false : 'needs SWITCHBOARD_TEST_PG (a PostgreSQL server URL: bash scripts/pg-cluster.sh start)';
const LEASE = 600;

function note(id: string, at = 1_000): NewDelivery {
  return { id, kind: 'hangup', event: 'Hangup', url: 'http://app.test/hangup', method: 'POST', params: {}, synchronous: false, next_attempt_at: at };
}

describe('cluster decisions in PostgreSQL', { skip: SKIP }, () => {
  let dir: string;
  let db: TestDb;
  let a: PgStore; // node a
  let b: PgStore; // node b
  let c: PgStore; // node c, which dies
  let epochs: Record<string, number>;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sb-cluster-store-'));
    db = await freshTestDb(dir);
    [a, b, c] = [new PgStore(db.db), new PgStore(db.db), new PgStore(db.db)];
    await Promise.all([a.migrate(), b.migrate(), c.migrate()]);
    epochs = {};
    for (const [id, s] of [['a', a], ['b', b], ['c', c]] as const) {
      epochs[id] = (await s.cluster.register(id, `http://${id}.test`, id === 'c' ? LEASE : 60_000)).node.epoch;
      s.cluster.fenceWritesTo(id);
    }
  });
  after(async () => {
    await Promise.all([a?.close(), b?.close(), c?.close()]);
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a node past its lease: exactly one of two racing survivors gets its live calls; it is fenced', async () => {
    const live = ['11111111-0000-4000-8000-000000000001', '11111111-0000-4000-8000-000000000002'];
    await c.insertCall(callRow({ call_uuid: live[0]!, node_id: 'c', call_status: 'ringing' }));
    await c.insertCall(callRow({ call_uuid: live[1]!, node_id: 'c', call_status: 'in-progress' }));
    await c.insertCall(callRow({ call_uuid: '11111111-0000-4000-8000-000000000003', node_id: 'c', call_status: 'completed' }));
    await c.insertCall(callRow({ call_uuid: '11111111-0000-4000-8000-000000000004', node_id: 'a', call_status: 'ringing' }));
    // Not yet expired: nobody may take it.
    const early = await a.cluster.takeOver({ node_id: 'c', epoch: epochs.c! }, 'a');
    assert.equal(early, undefined);
    await sleep(LEASE + 100);
    assert.deepEqual((await a.cluster.expiredNodes()).map((n) => n.node_id), ['c']);

    const [byA, byB] = await Promise.all([a.cluster.takeOver({ node_id: 'c', epoch: epochs.c! }, 'a'), b.cluster.takeOver({ node_id: 'c', epoch: epochs.c! }, 'b')]);
    const won = [byA, byB].filter((x) => x !== undefined);
    assert.equal(won.length, 1, 'exactly one survivor wins');
    const winner = byA ? 'a' : 'b';
    assert.deepEqual(won[0]!.map((r) => [r.call_uuid, r.node_id]).sort(), live.map((u) => [u, winner]));
    const row = await a.cluster.getNode('c');
    assert.deepEqual([row?.state, row?.epoch, row?.taken_over_by], ['dead', epochs.c! + 1, winner]);
    // The ended call and another node's call are left as they were.
    assert.equal((await a.getCall('11111111-0000-4000-8000-000000000003'))?.node_id, 'c');
    assert.equal((await a.getCall('11111111-0000-4000-8000-000000000004'))?.node_id, 'a');

    // The dead node comes back from its pause: its heartbeat and its writes are refused.
    assert.equal(await c.cluster.heartbeat('c', epochs.c!, LEASE, 'live'), false);
    await assert.rejects(
      c.record({ callUuid: live[0]!, at: 5_000, type: 'leg.ended', patch: { call_status: 'completed' }, deliveries: [note('dddddddd-0000-4000-8000-000000000099')] }),
      (err: unknown) => err instanceof StoreError && err.code === 'fenced',
    );
    assert.deepEqual(await a.listEvents(live[0]!), [], 'the fenced write left nothing');
    assert.deepEqual(await a.listDeliveries(live[0]!), []);
    // The living renew theirs.
    assert.equal(await a.cluster.heartbeat('a', epochs.a!, 60_000, 'live'), true);
  });

  test('a dead node\'s deliveries: claimed once, in per-call order, only when due', async () => {
    const X = '22222222-0000-4000-8000-000000000001';
    const Y = '22222222-0000-4000-8000-000000000002';
    const Z = '22222222-0000-4000-8000-000000000003';
    for (const u of [X, Y, Z]) await a.insertCall(callRow({ call_uuid: u, node_id: 'c', call_status: 'completed' }));
    // Written by c (before it died): X has two notifications, Y one, Z one in backoff for an hour.
    await assert.rejects(a.record({ callUuid: X, at: 1_000, type: 'leg.ended' }), (err: unknown) => err instanceof StoreError && err.code === 'fenced', 'a does not own X');
    for (const [u, ids, dueAt] of [[X, ['dddddddd-0000-4000-8000-00000000000a', 'dddddddd-0000-4000-8000-00000000000b'], 1_000], [Y, ['dddddddd-0000-4000-8000-00000000000c'], 1_000], [Z, ['dddddddd-0000-4000-8000-00000000000d'], Date.now() + 3_600_000]] as const) {
      const w = new PgStore(db.db); // an unfenced writer: c before it died
      await w.record({ callUuid: u, at: 1_000, type: 'leg.ended', deliveries: ids.map((id) => note(id, dueAt)) });
      await w.close();
    }

    const [ca, cb] = await Promise.all([a.cluster.claimDue('a', epochs.a!, 10), b.cluster.claimDue('b', epochs.b!, 10)]);
    const claimed = [...ca, ...cb].map((d) => d.id).sort();
    assert.deepEqual(claimed, ['dddddddd-0000-4000-8000-00000000000a', 'dddddddd-0000-4000-8000-00000000000c'], 'X\'s first and Y\'s, once each; X\'s second waits; Z is in backoff');
    assert.deepEqual(await a.cluster.claimDue('a', epochs.a!, 10), [], 'claimed by a live node: nobody else takes them');

    // X's first is delivered by its claimant: X's second becomes claimable, once.
    await a.updateDelivery('dddddddd-0000-4000-8000-00000000000a', { status: 'delivered', completed_at: 2_000 });
    const next = [...(await b.cluster.claimDue('b', epochs.b!, 10)), ...(await a.cluster.claimDue('a', epochs.a!, 10))];
    assert.deepEqual(next.map((d) => d.id), ['dddddddd-0000-4000-8000-00000000000b']);

    // A claimant that restarts (or dies and is taken over) has a new epoch: its old claims are free.
    const stillPending = (await a.listPendingDeliveries()).map((d) => d.id);
    assert.deepEqual(stillPending.sort(), ['dddddddd-0000-4000-8000-00000000000b', 'dddddddd-0000-4000-8000-00000000000c', 'dddddddd-0000-4000-8000-00000000000d']);
    epochs.a = (await a.cluster.register('a', 'http://a.test', 60_000)).node.epoch;
    epochs.b = (await b.cluster.register('b', 'http://b.test', 60_000)).node.epoch;
    const again = [...(await a.cluster.claimDue('a', epochs.a, 10)), ...(await b.cluster.claimDue('b', epochs.b, 10))].map((d) => d.id).sort();
    assert.deepEqual(again, ['dddddddd-0000-4000-8000-00000000000b', 'dddddddd-0000-4000-8000-00000000000c'], 'due and pending, claimed again once; Z still waits for its backoff');
  });
});
