/**
 * The partial indexes of migration 013 (docs/storage.md, "Indexes"): each holds only the rows its
 * queries ask for, and each of those queries can use it, on the store the harness runs (SQLite, or
 * PostgreSQL when SWITCHBOARD_TEST_PG is set). An index that is missing or whose predicate a query
 * does not imply fails here: on SQLite, for one, the live calls read with their statuses bound as
 * parameters scan every call (PostgreSQL plans such a query for the values it is given). And a
 * database that already holds calls and deliveries in every state, migrated to 013, answers each
 * of those queries with the same rows as before.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CompiledQuery } from 'kysely';
import { migrations } from '../src/store/migrations/index.ts';
import { runMigrations } from '../src/store/migrator.ts';
import { outboxReads } from '../src/store/report-store.ts';
import { LIVE_STATUSES } from '../src/domain/causes.ts';
import { listQueries } from '../src/store/store-queries.ts';
import { bareDatabase, plansOfTestStore } from './support/query-plans.ts';

const plansOf = plansOfTestStore();

test('migration 013: the six indexes hold only their rows; the ones they replace are gone', async () => {
  const all = await plansOf().indexes();
  for (const gone of ['calls_by_status', 'deliveries_due', 'deliveries_by_status_completed']) assert.equal(all.has(gone), false, gone);
  const where = (name: string) => {
    const def = all.get(name);
    assert.ok(def, `index ${name} exists`);
    return def.slice(def.toLowerCase().lastIndexOf(' where ') + 7).replace(/[()]/g, '').replace(/::text(\[\])?/g, '').toLowerCase();
  };
  // PostgreSQL stores `in (...)` as `= any (array[...])`: compare the statuses, not the spelling.
  for (const s of LIVE_STATUSES) assert.ok(where('calls_live').includes(`'${s}'`), `calls_live holds ${s} calls`);
  assert.equal(where('calls_live').includes("'completed'"), false);
  assert.match(where('calls_by_end_time'), /^end_time is not null$/);
  assert.match(where('deliveries_pending'), /^status = 'pending'$/);
  assert.match(where('deliveries_dead'), /^status = 'dead'$/);
  assert.match(where('calls_by_request'), /^"?parent_call_uuid"? is null$/);
  assert.match(where('calls_by_parent'), /^"?parent_call_uuid"? is not null$/);
});

test('each query of those rows is served by its partial index', async () => {
  const { k, planOf } = plansOf();
  const lists = listQueries(k);
  const cases: Array<[string, CompiledQuery<unknown>, string]> = [
    ['live calls', lists.liveCalls(), 'calls_live'],
    ["one node's live calls", lists.liveCalls('node-a'), 'calls_live'],
    ['pending deliveries, oldest first', lists.pendingDeliveries(), 'deliveries_pending'],
    ['the first pending deliveries', lists.pendingDeliveries(50), 'deliveries_pending'],
    ['the outbox depth', outboxReads.pendingCount(k), 'deliveries_pending'],
    ['dead deliveries in a time range', outboxReads.dead(k, 1_000, 2_000), 'deliveries_dead'],
    ['ended calls in an end-time range', lists.listCalls({ end_time: { gte: 1_000, lt: 2_000 }, limit: 20, offset: 0 }).count, 'calls_by_end_time'],
    ['the A legs of a request', lists.callsOfRequest('r-1'), 'calls_by_request'],
    ['the B legs of a call', lists.listCalls({ parent_call_uuid: 'a-1', limit: 20, offset: 0 }).count, 'calls_by_parent'],
  ];
  for (const [what, q, index] of cases) assert.ok((await planOf(q)).includes(index), `${what}: ${await planOf(q)}`);
});

test('migration 013 on a database with history: every row is found again through its new index', async () => {
  // A database of the store's kind at migration 012, holding calls and deliveries in every state.
  const { db: raw, close } = await bareDatabase();
  try {
    assert.equal(migrations[12]!.version, 13);
    await runMigrations(raw, migrations.slice(0, 12));
    const call = (uuid: string, status: string, o: { parent?: string; request?: string; end?: number; at?: number } = {}) => ({
      call_uuid: uuid, request_uuid: o.request ?? `req-${uuid}`, parent_call_uuid: o.parent ?? null, direction: 'outbound',
      from_number: '1555', to_number: '1666', caller_name: '1555', call_status: status, call_state: status === 'completed' ? 'COMPLETED' : 'RINGING',
      initiation_time: o.at ?? 1_000, end_time: o.end ?? null, node_id: 'n1',
    });
    await raw.insertInto('calls').values([
      call('a-live', 'ringing', { at: 1_001 }),
      call('a-queued', 'queued', { at: 1_000, request: 'req-shared' }),
      call('b-of-queued', 'in-progress', { parent: 'a-queued', request: 'req-shared', at: 1_002 }),
      call('a-done', 'completed', { end: 5_000 }),
      call('b-done', 'busy', { parent: 'a-done', end: 4_000 }),
    ]).execute();
    const delivery = (id: string, status: string, createdAt: number, completedAt: number | null, seq: number) => ({
      id, call_uuid: 'a-done', seq, kind: 'hangup', event: 'Hangup', url: 'http://127.0.0.1:1/h', method: 'POST', params: '{}',
      synchronous: 0, status, attempts: 1, next_attempt_at: null, created_at: createdAt, completed_at: completedAt, last_error: null,
    });
    await raw.insertInto('deliveries').values([
      delivery('d-sent', 'delivered', 3_000, 3_100, 1),
      delivery('d-owed-2', 'pending', 3_300, null, 3),
      delivery('d-owed-1', 'pending', 3_200, null, 2),
      delivery('d-dead', 'dead', 3_400, 9_000, 4),
    ]).execute();

    assert.deepEqual(await runMigrations(raw, migrations.slice(0, 13)), [13]);
    const lists = listQueries(raw);
    const ids = async (q: CompiledQuery<unknown>, key: string) => ((await raw.executeQuery(q)).rows as Array<Record<string, unknown>>).map((r) => r[key]);
    assert.deepEqual(await ids(lists.liveCalls(), 'call_uuid'), ['a-queued', 'a-live', 'b-of-queued']);
    assert.deepEqual(await ids(lists.liveCalls('n1'), 'call_uuid'), ['a-queued', 'a-live', 'b-of-queued']);
    assert.deepEqual(await ids(lists.liveCalls('n2'), 'call_uuid'), []);
    assert.deepEqual(await ids(lists.callsOfRequest('req-shared'), 'call_uuid'), ['a-queued']);
    assert.deepEqual(await ids(lists.listCalls({ parent_call_uuid: 'a-done', limit: 20, offset: 0 }).rows, 'call_uuid'), ['b-done']);
    assert.deepEqual(await ids(lists.listCalls({ end_time: { gte: 4_500 }, limit: 20, offset: 0 }).rows, 'call_uuid'), ['a-done']);
    assert.deepEqual(await ids(lists.pendingDeliveries(), 'id'), ['d-owed-1', 'd-owed-2']);
    assert.deepEqual((await ids(outboxReads.pendingCount(raw), 'n')).map(Number), [2]);
    assert.deepEqual(await ids(outboxReads.dead(raw, 8_000, 10_000), 'url'), ['http://127.0.0.1:1/h']);
    assert.deepEqual(await ids(outboxReads.dead(raw, 1_000, 8_000), 'url'), []);
  } finally {
    await close();
  }
});
