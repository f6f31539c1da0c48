/**
 * Migration 016 (docs/storage.md, "Indexes of the rows in flight"): `calls_by_account` and
 * `deliveries_by_account` hold only subaccounts' rows, on the store the harness runs (SQLite, or
 * PostgreSQL when SWITCHBOARD_TEST_PG is set). A subaccount's list still uses them (a query that
 * did not imply the predicate would scan its table, and fails here); a database with history,
 * upgraded from 015, answers each subaccount, and the main account, with the same rows.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CompiledQuery } from 'kysely';
import { listQueries } from '../src/store/store-queries.ts';
import { databaseBefore, plansOfTestStore } from './support/query-plans.ts';

const plansOf = plansOfTestStore();

test('migration 016: the account indexes hold subaccounts\' rows only', async () => {
  const all = await plansOf().indexes();
  for (const name of ['calls_by_account', 'deliveries_by_account']) {
    const def = all.get(name);
    assert.ok(def, `index ${name} exists`);
    assert.match(def.replace(/"/g, '').toLowerCase(), /\(account_id, (initiation_time|created_at)\) where \(?account_id is not null\)?$/, def);
  }
});

test("a subaccount's calls and deliveries are read through its index", async () => {
  const { k, planOf } = plansOf();
  const lists = listQueries(k);
  const cases: Array<[string, CompiledQuery<unknown>, string]> = [
    ["a subaccount's calls", lists.listCalls({ account: 'SA1', limit: 20, offset: 0 }).rows, 'calls_by_account'],
    ["a subaccount's calls, counted", lists.listCalls({ account: 'SA1', limit: 20, offset: 0 }).count, 'calls_by_account'],
    ["a subaccount's deliveries, counted", lists.deliveriesBy({ account: 'SA1', limit: 20, offset: 0 }).count, 'deliveries_by_account'],
  ];
  for (const [what, q, index] of cases) assert.ok((await planOf(q)).includes(index), `${what}: ${await planOf(q)}`);
});

test('migration 016 on a database with history: each account lists the same rows', async () => {
  const { db, pending, upgrade, close } = await databaseBefore(16);
  try {
    const call = (uuid: string, account: string | null, at: number) => ({
      call_uuid: uuid, request_uuid: `req-${uuid}`, parent_call_uuid: null, direction: 'outbound', from_number: '1555', to_number: '1666',
      caller_name: '1555', call_status: 'completed', call_state: 'COMPLETED', initiation_time: at, end_time: at + 100, node_id: 'n1', account_id: account,
    });
    await db.insertInto('calls').values([call('main-1', null, 1_000), call('sub-1', 'SA1', 2_000), call('sub-2', 'SA2', 3_000), call('sub-3', 'SA1', 4_000)]).execute();
    const delivery = (id: string, uuid: string, account: string | null, at: number) => ({
      id, call_uuid: uuid, call_initiation_time: at, seq: 1, event_seq: 1, kind: 'hangup', event: 'Hangup', url: 'http://127.0.0.1:1/h', method: 'POST',
      params: '{}', synchronous: 0, status: 'delivered', attempts: 1, next_attempt_at: null, created_at: at + 100, completed_at: at + 110, last_error: null, account_id: account,
    });
    await db.insertInto('deliveries').values([delivery('d-main', 'main-1', null, 1_000), delivery('d-sub-1', 'sub-1', 'SA1', 2_000), delivery('d-sub-3', 'sub-3', 'SA1', 4_000)]).execute();

    const lists = listQueries(db);
    const rows = async (q: CompiledQuery<unknown>, key: string) => ((await db.executeQuery(q)).rows as Array<Record<string, unknown>>).map((r) => r[key]);
    const answers = async () => ({
      sa1Calls: await rows(lists.listCalls({ account: 'SA1', limit: 20, offset: 0 }).rows, 'call_uuid'),
      sa2Calls: await rows(lists.listCalls({ account: 'SA2', limit: 20, offset: 0 }).rows, 'call_uuid'),
      allCalls: await rows(lists.listCalls({ limit: 20, offset: 0 }).rows, 'call_uuid'),
      sa1Deliveries: await rows(lists.deliveriesBy({ account: 'SA1', limit: 20, offset: 0 }).rows, 'id'),
      sa2Deliveries: await rows(lists.deliveriesBy({ account: 'SA2', limit: 20, offset: 0 }).rows, 'id'),
      allDeliveries: await rows(lists.deliveriesBy({ limit: 20, offset: 0 }).rows, 'id'),
    });
    const before = await answers();
    assert.deepEqual(before, {
      sa1Calls: ['sub-3', 'sub-1'],
      sa2Calls: ['sub-2'],
      allCalls: ['sub-3', 'sub-2', 'sub-1', 'main-1'],
      sa1Deliveries: ['d-sub-3', 'd-sub-1'],
      sa2Deliveries: [],
      allDeliveries: ['d-sub-3', 'd-sub-1', 'd-main'],
    });
    assert.deepEqual(await upgrade(), pending);
    assert.deepEqual(await answers(), before);
  } finally {
    await close();
  }
});
