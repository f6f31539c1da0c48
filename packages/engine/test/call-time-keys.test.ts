/**
 * Migration 014 (docs/storage.md, "Keys led by the call's time"): events and deliveries are keyed
 * by (call_initiation_time, call_uuid, seq), on the store the harness runs (SQLite, or PostgreSQL
 * when SWITCHBOARD_TEST_PG is set). Every query of one call's events or deliveries is served by
 * that key, whatever it was given (the CallUUID alone: the time is read from the call's row); a
 * query that bound only the CallUUID would scan the table, and fails here. A database with history,
 * upgraded from 013, keeps every row, id and reference, and answers the same. On SQLite, where
 * the tables are copied, foreign keys are off only while the migration runs, and a copy that
 * loses a referenced row is refused whole.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CompiledQuery, sql, type Kysely } from 'kysely';
import { migrations } from '../src/store/migrations/index.ts';
import { runMigrations, type Migration } from '../src/store/migrator.ts';
import { rollupReadQueries } from '../src/store/report-rollup-sql.ts';
import { StoreError } from '../src/store/store-error.ts';
import { listQueries, storeQueries } from '../src/store/store-queries.ts';
import { bareDatabase, plansOfTestStore, type Statement } from './support/query-plans.ts';
import { TEST_PG } from './support/test-db.ts';

const plansOf = plansOfTestStore();

test('migration 014: events and deliveries are keyed by the call\'s time, then the call, then the seq', async () => {
  const all = await plansOf().indexes();
  for (const name of ['events_by_call', 'deliveries_by_call']) {
    const def = all.get(name);
    assert.ok(def, `index ${name} exists`);
    assert.match(def.replace(/"/g, ''), /^create unique index \S+ on (\S+\.)?(events|deliveries) (using btree )?\(call_initiation_time, call_uuid, seq\)$/i, def);
  }
  // No other index of either table starts with the CallUUID (the old unique constraints are gone).
  for (const [name, def] of all) {
    assert.doesNotMatch(def.replace(/"/g, ''), /on (\S+\.)?(events|deliveries) (using btree )?\(call_uuid\b/i, `${name}: ${def}`);
  }
  if (!TEST_PG) {
    for (const table of ['events', 'deliveries']) {
      const auto = (plansOf().sqlite!.pragma(`index_list(${table})`) as Array<{ name: string; origin: string }>).filter((i) => i.origin === 'u');
      assert.deepEqual(auto, [], `${table} has no unique constraint of its own`);
    }
  }
});

test('every query of one call\'s events or deliveries is served by the key', async () => {
  const { k, planOf } = plansOf();
  const q = storeQueries(k);
  const lists = listQueries(k);
  const rollup = rollupReadQueries(k);
  const delivery = { id: 'd-1', call_uuid: 'c-1', event_seq: 1, kind: 'hangup', event: 'Hangup', url: 'http://127.0.0.1:1/', method: 'POST', params: '{}', synchronous: 0, status: 'pending', attempts: 0, next_attempt_at: 1, created_at: 1, completed_at: null, last_error: null };
  const cases: Array<[string, Statement, string]> = [
    ['the next event (its seq)', q.appendEvent.bind({ callUuid: 'c-1', at: 1, type: 't', data: '{}' }), 'events_by_call'],
    ['the events of a call', q.listEvents.bind({ callUuid: 'c-1' }), 'events_by_call'],
    ['the dial events of an ended call (its rollup)', rollup.dialEvents.bind({ uuid: 'c-1' }), 'events_by_call'],
    ['the next delivery (its seq)', q.insertNextDelivery.bind(delivery as never), 'deliveries_by_call'],
    ['the last delivery seq', q.lastDeliverySeq.bind({ callUuid: 'c-1' }), 'deliveries_by_call'],
    ['the deliveries of a call', q.listDeliveries.bind({ callUuid: 'c-1' }), 'deliveries_by_call'],
    ['the delivery log of a call', lists.deliveriesBy({ call_uuid: 'c-1', limit: 20, offset: 0 }).count, 'deliveries_by_call'],
  ];
  for (const [what, query, index] of cases) assert.ok((await planOf(query)).includes(index), `${what}: ${await planOf(query)}`);
});

/** Calls, events, deliveries and attempts as a database at 013 holds them. */
async function history(db: Kysely<any>): Promise<void> {
  const call = (uuid: string, at: number, parent: string | null = null) => ({
    call_uuid: uuid, request_uuid: `req-${uuid}`, parent_call_uuid: parent, direction: 'outbound', from_number: '1555', to_number: '1666',
    caller_name: '1555', call_status: 'completed', call_state: 'COMPLETED', initiation_time: at, end_time: at + 10_000, node_id: 'n1',
  });
  await db.insertInto('calls').values([call('a-1', 5_000), call('b-1', 5_200, 'a-1'), call('a-2', 1_000)]).execute();
  const event = (uuid: string, seq: number, type: string) => ({ call_uuid: uuid, seq, at: 6_000 + seq, type, data: '{}' });
  // Not in call order: ids are insertion order, and must stay.
  await db.insertInto('events').values([event('a-1', 1, 'call.queued'), event('a-2', 1, 'call.queued'), event('a-1', 2, 'dial.started'), event('b-1', 1, 'leg.ended'), event('a-1', 3, 'dial.ended')]).execute();
  const delivery = (id: string, uuid: string, seq: number, status: string) => ({
    id, call_uuid: uuid, seq, event_seq: seq, kind: 'hangup', event: 'Hangup', url: `http://127.0.0.1:1/${id}`, method: 'POST', params: '{}',
    synchronous: 0, status, attempts: 1, next_attempt_at: null, created_at: 7_000 + seq, completed_at: status === 'pending' ? null : 7_500, last_error: null,
  });
  await db.insertInto('deliveries').values([delivery('d-z', 'a-1', 1, 'delivered'), delivery('d-a', 'a-2', 1, 'pending'), delivery('d-m', 'a-1', 2, 'dead')]).execute();
  await db.insertInto('delivery_attempts').values([
    { delivery_id: 'd-z', attempt: 1, at: 7_001, url: 'u', method: 'POST', request_headers: '{}', params: '{}' },
    { delivery_id: 'd-m', attempt: 1, at: 7_002, url: 'u', method: 'POST', request_headers: '{}', params: '{}' },
  ]).execute();
}

test('migration 014 on a database with history: every row keeps its id, its order and its references, and is found by the key', async () => {
  const { db, close } = await bareDatabase();
  try {
    assert.equal(migrations[13]!.version, 14);
    await runMigrations(db, migrations.slice(0, 13));
    await history(db);
    const before = {
      events: await db.selectFrom('events').selectAll().orderBy('id').execute(),
      deliveries: await db.selectFrom('deliveries').selectAll().orderBy('id').execute(),
      attempts: await db.selectFrom('delivery_attempts').selectAll().orderBy('id').execute(),
    };

    assert.deepEqual(await runMigrations(db, migrations.slice(0, 14)), [14]);

    const time = { 'a-1': 5_000, 'b-1': 5_200, 'a-2': 1_000 } as Record<string, number>;
    const events = await db.selectFrom('events').selectAll().orderBy('id').execute();
    assert.deepEqual(events, before.events.map((e) => ({ ...e, call_initiation_time: time[e.call_uuid] })));
    const deliveries = await db.selectFrom('deliveries').selectAll().orderBy('id').execute();
    assert.deepEqual(deliveries, before.deliveries.map((d) => ({ ...d, call_initiation_time: time[d.call_uuid] })));
    assert.deepEqual((await db.selectFrom('delivery_attempts').selectAll().orderBy('id').execute()), before.attempts);

    const q = storeQueries(db);
    const rows = async (query: Statement) => (await db.executeQuery(CompiledQuery.raw(query.sql, [...query.parameters]))).rows as Array<Record<string, unknown>>;
    assert.deepEqual((await rows(q.listEvents.bind({ callUuid: 'a-1' }))).map((e) => e.type), ['call.queued', 'dial.started', 'dial.ended']);
    assert.deepEqual((await rows(q.listDeliveries.bind({ callUuid: 'a-1' }))).map((d) => d.id), ['d-z', 'd-m']);
    assert.deepEqual((await rows(q.appendEvent.bind({ callUuid: 'a-1', at: 9_000, type: 'leg.ended', data: '{}' }))).map((r) => Number(r.seq)), [4]);
    assert.deepEqual(await rows(q.appendEvent.bind({ callUuid: 'no-such-call', at: 9_000, type: 'leg.ended', data: '{}' })), []);
    // Insertion order survives the copy: a list sorted by a shared time breaks ties by it.
    assert.deepEqual((await rows(listQueries(db).pendingDeliveries())).map((d) => d.id), ['d-a']);
    // The keys still hold: a delivery with no call is refused.
    await assert.rejects(
      db.insertInto('deliveries').values({ id: 'd-orphan', call_uuid: 'nobody', seq: 1, kind: 'hangup', event: 'Hangup', url: 'u', method: 'POST', params: '{}', synchronous: 0, status: 'pending', created_at: 1, call_initiation_time: 1 }).execute(),
    );
    if (!TEST_PG) {
      assert.deepEqual((await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(db)).rows, [{ foreign_keys: 1 }], 'foreign keys are on again');
    }
  } finally {
    await close();
  }
});

test('SQLite: a migration that rebuilds tables is refused whole when a row is left referring to nothing', { skip: Boolean(TEST_PG) }, async () => {
  const { db, close } = await bareDatabase();
  try {
    await runMigrations(db, migrations.slice(0, 13));
    await history(db);
    // After 014 (which copies well), a broken copy: the deliveries come back without the one an attempt refers to.
    const broken: Migration = {
      version: migrations.length + 1,
      name: 'broken-copy',
      rebuildsTables: true,
      up: async (trx) => {
        await sql`create table deliveries_copy (id text not null primary key)`.execute(trx);
        await sql`insert into deliveries_copy select id from deliveries where id <> 'd-m'`.execute(trx);
        await sql`drop table deliveries`.execute(trx);
        await sql`alter table deliveries_copy rename to deliveries`.execute(trx);
      },
    };
    await assert.rejects(runMigrations(db, [...migrations, broken]), (err: unknown) => {
      assert.ok(err instanceof StoreError && err.code === 'migration-failed', String(err));
      assert.match(err.message, new RegExp(`migration ${broken.version} \\(broken-copy\\) failed: 1 rows refer to rows that are not there \\(first in table delivery_attempts\\)`));
      return true;
    });
    assert.deepEqual((await db.selectFrom('deliveries').select('id').orderBy('id').execute()).map((d) => d.id), ['d-a', 'd-m', 'd-z'], 'rolled back');
    assert.deepEqual((await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(db)).rows, [{ foreign_keys: 1 }]);
  } finally {
    await close();
  }
});
