/**
 * Migration 015 (docs/storage.md, "Tables"): an attempt's parameters are its delivery's, read
 * through the delivery, not a second copy per attempt. On the store the harness runs (SQLite, or
 * PostgreSQL when SWITCHBOARD_TEST_PG is set): a database with attempts, upgraded from 014, keeps
 * every attempt and every other column, and its attempts read the parameters they were sent with.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CompiledQuery } from 'kysely';
import { listQueries } from '../src/store/store-queries.ts';
import { databaseBefore, plansOfTestStore } from './support/query-plans.ts';

const plansOf = plansOfTestStore();

test('migration 015 on a database with attempts: every attempt is kept, and reads its delivery\'s parameters', async () => {
  const { db, pending, upgrade, close } = await databaseBefore(15);
  try {
    await db.insertInto('calls').values({
      call_uuid: 'a-1', request_uuid: 'req-a-1', parent_call_uuid: null, direction: 'outbound', from_number: '1555', to_number: '1666',
      caller_name: '1555', call_status: 'completed', call_state: 'COMPLETED', initiation_time: 5_000, end_time: 15_000, node_id: 'n1',
    }).execute();
    const delivery = (id: string, seq: number, params: string) => ({
      id, call_uuid: 'a-1', call_initiation_time: 5_000, seq, event_seq: seq, kind: 'hangup', event: 'Hangup', url: `http://127.0.0.1:1/${id}`, method: 'POST',
      params, synchronous: 0, status: 'delivered', attempts: 2, next_attempt_at: null, created_at: 7_000 + seq, completed_at: 7_500, last_error: null,
    });
    await db.insertInto('deliveries').values([delivery('d-1', 1, '{"Event":"Hangup","CallUUID":"a-1"}'), delivery('d-2', 2, '{"Event":"StartApp"}')]).execute();
    const attempt = (delivery_id: string, n: number, params: string) => ({
      delivery_id, attempt: n, at: 7_000 + n, url: 'u', method: 'POST', request_headers: `{"X-Switchboard-Attempt":"${n}"}`, params,
      status_code: n === 1 ? 503 : 200, response_excerpt: null, latency_ms: n, error: n === 1 ? 'HTTP 503' : null,
    });
    await db.insertInto('delivery_attempts').values([attempt('d-1', 1, '{"Event":"Hangup","CallUUID":"a-1"}'), attempt('d-1', 2, '{"Event":"Hangup","CallUUID":"a-1"}'), attempt('d-2', 1, '{"Event":"StartApp"}')]).execute();
    const before = await db.selectFrom('delivery_attempts').selectAll().orderBy('id').execute();

    assert.deepEqual(await upgrade(), pending);

    const after = await db.selectFrom('delivery_attempts').selectAll().orderBy('id').execute();
    assert.deepEqual(after, before.map(({ params: _, ...rest }) => rest), 'the same rows, without the copy');
    const lists = listQueries(db);
    const read = async (q: CompiledQuery<unknown>) => (await db.executeQuery(q)).rows;
    assert.deepEqual(await read(lists.attemptsOf('d-1')), before.filter((a) => a.delivery_id === 'd-1'));
    // Several deliveries' attempts come in the order they were sent.
    assert.deepEqual(await read(lists.attemptsFor(['d-2', 'd-1'])), [before[0], before[2], before[1]]);
  } finally {
    await close();
  }
});

test("an attempt's parameters are read through the delivery's key", async () => {
  const { k, planOf } = plansOf();
  const lists = listQueries(k);
  for (const q of [lists.attemptsOf('d-1'), lists.attemptsFor(['d-1', 'd-2'])]) {
    const plan = await planOf(q);
    assert.match(plan, /delivery_attempts_natural_key/, plan);
    assert.match(plan, /sqlite_autoindex_deliveries_1|deliveries_pkey/, plan);
  }
});
