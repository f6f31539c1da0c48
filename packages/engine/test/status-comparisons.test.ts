/**
 * Migration 017 (docs/storage.md, "Checks and predicates as comparisons"): no statement the store
 * writes a call with makes SQLite build a temporary table of a list (a CHECK or a partial index's
 * `x in ('a', 'b', 'c')` did, on every row); a database with history, upgraded from 016, keeps every
 * row (and on SQLite its rowid), still refuses a status outside the lists, and finds the same live
 * calls (that `calls_live` serves them is live-row-indexes.test.ts's, on the whole migration list). On the store the harness runs (SQLite, or PostgreSQL when
 * SWITCHBOARD_TEST_PG is set) except the first test, which reads SQLite's own programs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { asComparisons } from '../src/store/migrations/017-status-comparisons.ts';
import { listQueries } from '../src/store/store-queries.ts';
import { SqliteStore } from '../src/store/sqlite-store.ts';
import { databaseBefore } from './support/query-plans.ts';
import { startHarness } from './support/harness.ts';
import { TEST_PG } from './support/test-db.ts';

test('asComparisons: lists of three or more literals become comparisons; the rest is left as written', () => {
  assert.equal(asComparisons(`check (status in ('pending', 'delivered', 'failed', 'dead'))`), `check ((status = 'pending' or status = 'delivered' or status = 'failed' or status = 'dead'))`);
  assert.equal(asComparisons(`where "call_status" in ('queued', 'ringing', 'in-progress')`), `where ("call_status" = 'queued' or "call_status" = 'ringing' or "call_status" = 'in-progress')`);
  for (const same of [`check (method in ('GET', 'POST'))`, `check (synchronous in (0, 1))`, `where status = 'pending'`, `check (x in ('a'))`]) assert.equal(asComparisons(same), same);
});

test('a dial call on SQLite: no statement that writes it builds a temporary table', { skip: TEST_PG ? 'reads SQLite programs (EXPLAIN opcodes)' : false }, async () => {
  // Commits on this thread, so that the statements are prepared on the connection read here.
  const h = await startHarness({ flags: { 'sqlite-thread': 'off' } });
  try {
    await h.sim('15550100001', 'ring, answer');
    await h.sim('15550100002', 'answer, hangup after 1s');
    h.app.on('/answer', `<Response><Dial action="${h.app.url('/action')}"><Number>15550100002</Number></Dial></Response>`);
    await h.call({ to: '15550100001' });
    await h.waitFor('/hangup');
    await h.settle();
    await h.engine.store.flush();
    const { runner } = (h.engine.store as SqliteStore).shared();
    // What a call writes: its rows and its report rollup (a simulator number, set up above, is not a call's).
    const writes = runner.preparedSql().filter((s) => /^(insert into|update|delete from) "?(calls|events|deliveries|delivery_attempts|report_rollups\w*)"?\s/i.test(s));
    // The statements a call's rows go through are among them, so the test cannot pass on nothing.
    for (const table of ['calls', 'deliveries', 'events', 'delivery_attempts']) assert.ok(writes.some((s) => s.startsWith(`insert into "${table}"`)), `an insert into ${table}`);
    for (const table of ['calls', 'deliveries']) assert.ok(writes.some((s) => s.startsWith(`update "${table}"`)), `an update of ${table}`);
    const temporary = writes.filter((s) => {
      const program = runner.db.prepare(`explain ${s.replace(/\?/g, 'null')}`).all() as Array<{ opcode: string }>;
      return program.some((op) => op.opcode === 'OpenEphemeral');
    });
    assert.deepEqual(temporary, []);
  } finally {
    await h.close();
  }
});

test('migration 017 on a database with history: the same rows, the same statuses refused, the same live calls', async () => {
  const { db, pending, upgrade, close } = await databaseBefore(17);
  try {
    const call = (uuid: string, status: string, parent: string | null = null) => ({
      call_uuid: uuid, request_uuid: `req-${uuid}`, parent_call_uuid: parent, direction: 'outbound', from_number: '1555', to_number: '1666',
      caller_name: '1555', call_status: status, call_state: status === 'completed' ? 'COMPLETED' : 'RINGING', initiation_time: 1_000 + uuid.length,
      end_time: status === 'completed' ? 9_000 : null, node_id: 'n1', account_id: null,
    });
    await db.insertInto('calls').values([call('a-live', 'ringing'), call('a-queued', 'queued'), call('b-talking', 'in-progress', 'a-live'), call('a-done', 'completed')]).execute();
    const delivery = (id: string, uuid: string, status: string, seq: number) => ({
      id, call_uuid: uuid, call_initiation_time: 1_000 + uuid.length, seq, event_seq: seq, kind: 'hangup', event: 'Hangup', url: 'http://127.0.0.1:1/h',
      method: 'POST', params: '{"CallUUID":"x"}', synchronous: 0, status, attempts: 1, next_attempt_at: null, created_at: 2_000 + seq, completed_at: null,
      last_error: null, account_id: null,
    });
    await db.insertInto('deliveries').values([delivery('d-2', 'a-done', 'pending', 2), delivery('d-1', 'a-done', 'dead', 1), delivery('d-3', 'a-live', 'delivered', 1)]).execute();
    await db.insertInto('events').values({ call_uuid: 'a-done', call_initiation_time: 1_006, seq: 1, at: 1_006, type: 'call.queued', data: '{}' }).execute();
    const sqlite = !TEST_PG;
    const rows = async () => ({
      calls: (await sql`select ${sql.raw(sqlite ? 'rowid as rid, ' : '')}* from calls order by call_uuid`.execute(db)).rows,
      deliveries: (await sql`select ${sql.raw(sqlite ? 'rowid as rid, ' : '')}* from deliveries order by id`.execute(db)).rows,
      live: ((await db.executeQuery(listQueries(db).liveCalls())).rows as Array<{ call_uuid: string }>).map((r) => r.call_uuid).sort(),
    });
    const before = await rows();
    assert.deepEqual(before.live, ['a-live', 'a-queued', 'b-talking']);

    assert.deepEqual(await upgrade(), pending);
    assert.deepEqual(await rows(), before);
    if (sqlite) {
      const definitions = (await sql<{ sql: string }>`select sql from sqlite_master where tbl_name in ('calls', 'deliveries') and sql is not null`.execute(db)).rows.map((r) => r.sql);
      assert.deepEqual(definitions.filter((d) => /\bin \('[^)]*,[^)]*,/i.test(d)), [], 'no list of three or more is left');
      const keys = (await sql<{ table: string }>`select "table" from pragma_foreign_key_list('events')`.execute(db)).rows;
      assert.deepEqual(keys.map((k) => k.table), ['calls'], 'events still refer to calls');
    }
    // The lists' statuses are allowed and nothing else, as before.
    await db.insertInto('calls').values(call('a-new', 'no-answer')).execute();
    await assert.rejects(db.insertInto('calls').values(call('a-bad', 'answered')).execute(), /check/i);
    await assert.rejects(db.updateTable('deliveries').set({ status: 'lost' }).where('id', '=', 'd-3').execute(), /check/i);
    await db.updateTable('deliveries').set({ status: 'failed' }).where('id', '=', 'd-3').execute();
    await assert.rejects(db.insertInto('calls').values({ ...call('a-in', 'queued'), direction: 'sideways' }).execute(), /check/i);
  } finally {
    await close();
  }
});
