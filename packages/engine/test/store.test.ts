// The storage suite (STYLE.md §10): every test runs over every dialect available. SQLite always,
// as a file in a temp folder and in memory; PostgreSQL joins the list when SWITCHBOARD_TEST_PG is
// set (test/support/test-db.ts: a fresh database per store). Real databases, no mocks.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { SqliteStore } from '../src/store/sqlite-store.ts';
import { VirtualClock } from '../src/clock.ts';
import { PgStore } from '../src/store/pg-store.ts';
import { runMigrations, type Migration } from '../src/store/migrator.ts';
import { migrations } from '../src/store/migrations/index.ts';
import { StoreError, type StoreErrorCode } from '../src/store/store-error.ts';
import { HOUR_MS, RollupAccumulator, attemptsOfCall } from '../src/store/report-rollup.ts';
import type { CallRow, NewDelivery, Store } from '../src/store/store.ts';
import { callRow } from './support/call-rows.ts';
import { TEST_PG, freshTestDb, type TestDb } from './support/test-db.ts';

const tmpRoot = await mkdtemp(join(tmpdir(), 'switchboard-store-'));
after(() => rm(tmpRoot, { recursive: true, force: true }));
let fileCounter = 0;
const freshFile = () => join(tmpRoot, `db-${++fileCounter}`, 'switchboard.db');

interface Dialect {
  name: string;
  /** What a failed CHECK constraint says on this database. */
  checkFailed: RegExp;
  /** A migrated, empty store. */
  open(): Promise<Store>;
  /** For dialects that persist: closes `store` and opens the same database again (not migrated). */
  reopen?(store: Store): Promise<Store>;
}

const paths = new WeakMap<Store, string>();

const SQLITE_CHECK = /CHECK constraint failed/;

const DIALECTS: Dialect[] = [
  {
    name: 'sqlite file',
    checkFailed: SQLITE_CHECK,
    async open() {
      const path = freshFile();
      const store = new SqliteStore(path);
      paths.set(store, path);
      await store.migrate();
      return store;
    },
    async reopen(store) {
      const path = paths.get(store)!;
      await store.close();
      const again = new SqliteStore(path);
      paths.set(again, path);
      return again;
    },
  },
  {
    name: 'sqlite :memory:',
    checkFailed: SQLITE_CHECK,
    async open() {
      const store = new SqliteStore(':memory:');
      await store.migrate();
      return store;
    },
  },
  {
    // The same contract must hold when record() groups wait a turn of the event loop.
    name: 'sqlite file, next-turn group commit',
    checkFailed: SQLITE_CHECK,
    async open() {
      const store = new SqliteStore(freshFile(), { groupCommit: 'next-turn' });
      await store.migrate();
      return store;
    },
  },
  {
    // And when records are deferred (deferred-writes.ts), as a serving engine's are: a read sees them.
    name: 'sqlite file, deferred writes',
    checkFailed: SQLITE_CHECK,
    async open() {
      const path = freshFile();
      const store = new SqliteStore(path, { groupCommit: 'next-turn', defer: { clock: new VirtualClock() } });
      paths.set(store, path);
      await store.migrate();
      return store;
    },
    async reopen(store) {
      const path = paths.get(store)!;
      await store.close();
      const again = new SqliteStore(path, { groupCommit: 'next-turn', defer: { clock: new VirtualClock() } });
      paths.set(again, path);
      return again;
    },
  },
];

if (TEST_PG) {
  // Each store gets a database of its own, dropped when the file ends.
  const databases: TestDb[] = [];
  const urls = new WeakMap<Store, string>();
  after(async () => {
    for (const d of databases) await d.drop();
  });
  DIALECTS.push({
    name: 'postgresql',
    checkFailed: /new row for relation "\w+" violates check constraint/,
    async open() {
      const d = await freshTestDb(tmpRoot);
      databases.push(d);
      const store = new PgStore(d.db);
      urls.set(store, d.db);
      await store.migrate();
      return store;
    },
    async reopen(store) {
      const url = urls.get(store)!;
      await store.close();
      const again = new PgStore(url);
      urls.set(again, url);
      return again;
    },
  });
  DIALECTS.push({
    name: 'postgresql, deferred writes',
    checkFailed: /new row for relation "\w+" violates check constraint/,
    async open() {
      const d = await freshTestDb(tmpRoot);
      databases.push(d);
      const store = new PgStore(d.db, { defer: { clock: new VirtualClock() } });
      urls.set(store, d.db);
      await store.migrate();
      return store;
    },
    async reopen(store) {
      const url = urls.get(store)!;
      await store.close();
      const again = new PgStore(url, { defer: { clock: new VirtualClock() } });
      urls.set(again, url);
      return again;
    },
  });
}


function delivery(id: string, overrides: Partial<NewDelivery> = {}): NewDelivery {
  return {
    id,
    kind: 'ring',
    event: 'Ring',
    url: 'http://app.test/ring#rc=2',
    method: 'POST',
    params: { CallUUID: 'x', Event: 'Ring' },
    synchronous: false,
    ...overrides,
  };
}

async function rejectsWith(promise: Promise<unknown>, code: StoreErrorCode, message: RegExp): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof StoreError, `expected a StoreError, got ${String(err)}`);
    assert.equal(err.code, code);
    assert.match(err.message, message);
    return true;
  });
}


/**
 * Ends `n` outbound A legs started in the first hour: even ones answered (talk 10, 12, 14... s,
 * PDD 200 ms, ring 300 ms), odd ones busy. Each leg.ended adds to the same rollup buckets.
 */
async function endCalls(store: Store, prefix: string, n: number, first = 0): Promise<void> {
  for (let i = first; i < first + n; i++) await store.insertCall(callRow({ call_uuid: `${prefix}${i}`, initiation_time: 1_000 + i }));
  await Promise.all(Array.from({ length: n }, (_, j) => endCall(store, `${prefix}${first + j}`, first + j)));
}

function endCall(store: Store, callUuid: string, i: number) {
  const answered = i % 2 === 0;
  const patch = answered
    ? { call_status: 'completed' as const, ring_time: 1_200 + i, answer_time: 1_500 + i, end_time: 11_500 + i, call_duration: 10 + i, hangup_cause: 'NORMAL_CLEARING', hangup_cause_code: 4000, hangup_cause_name: 'Normal Hangup', hangup_source: 'Callee' as const }
    : { call_status: 'busy' as const, end_time: 2_000 + i, hangup_cause: 'USER_BUSY', hangup_cause_code: 3010, hangup_cause_name: 'Busy Line', hangup_source: 'Callee' as const };
  return store.record({ callUuid, at: patch.end_time, type: 'leg.ended', patch });
}

for (const dialect of DIALECTS) {
  describe(`store over ${dialect.name}`, () => {
    async function withStore(fn: (store: Store) => Promise<void>): Promise<void> {
      const store = await dialect.open();
      try {
        await fn(store);
      } finally {
        await store.close();
      }
    }

    test('migrate() is idempotent and keeps data', async () => {
      let store = await dialect.open();
      try {
        await store.insertCall(callRow({ call_uuid: 'c1' }));
        await store.migrate();
        await store.migrate();
        assert.equal((await store.getCall('c1'))?.call_uuid, 'c1');
        if (dialect.reopen) {
          store = await dialect.reopen(store);
          await store.migrate();
          await store.migrate();
          assert.equal((await store.getCall('c1'))?.call_uuid, 'c1');
        }
      } finally {
        await store.close();
      }
    });

    test('insertCall / getCall round-trip every column; duplicates and bad rows are typed errors', async () => {
      await withStore(async (store) => {
        const row = callRow({
          call_uuid: 'c1',
          parent_call_uuid: 'a1',
          direction: 'inbound',
          call_status: 'completed',
          call_state: 'COMPLETED',
          ring_time: 1_500,
          answer_time: 2_000,
          end_time: 32_000,
          call_duration: 31,
          bill_duration: 30,
          billed_duration: 60,
          hangup_cause: 'NORMAL_CLEARING',
          hangup_cause_code: 4000,
          hangup_cause_name: 'Normal Hangup',
          hangup_source: 'Callee',
          dial_position: 2,
          error: 'bad xml',
          warnings: '["skipped <Foo>"]',
        });
        await store.insertCall(row);
        assert.deepEqual(await store.getCall('c1'), row);
        assert.equal(await store.getCall('nope'), undefined);
        await rejectsWith(store.insertCall(row), 'duplicate', /insert call c1: already stored/);
        const missing = { ...callRow({ call_uuid: 'c2' }) } as Partial<CallRow>;
        delete missing.node_id;
        await rejectsWith(store.insertCall(missing as CallRow), 'invalid-input', /call c2: node_id: expected a string, number or null, got undefined/);
        await rejectsWith(
          store.insertCall(callRow({ call_uuid: 'c3', direction: 'sideways' as 'inbound' })),
          'invalid-input',
          new RegExp(`insert call c3: ${dialect.checkFailed.source}`),
        );
        // A row object with extra properties stores its columns only.
        await store.insertCall({ ...callRow({ call_uuid: 'c4' }), extra: 'ignored' } as CallRow);
        assert.deepEqual(await store.getCall('c4'), callRow({ call_uuid: 'c4' }));
      });
    });

    test('getCallsByRequest returns the A legs of one request, oldest first', async () => {
      await withStore(async (store) => {
        await store.insertCall(callRow({ call_uuid: 'a2', request_uuid: 'r1', initiation_time: 2_000 }));
        await store.insertCall(callRow({ call_uuid: 'a1', request_uuid: 'r1', initiation_time: 1_000 }));
        await store.insertCall(callRow({ call_uuid: 'b1', request_uuid: 'r1', parent_call_uuid: 'a1', initiation_time: 1_500 }));
        await store.insertCall(callRow({ call_uuid: 'x1', request_uuid: 'r2' }));
        assert.deepEqual(
          (await store.getCallsByRequest('r1')).map((c) => c.call_uuid),
          ['a1', 'a2'],
        );
        assert.deepEqual(await store.getCallsByRequest('none'), []);
      });
    });

    test('listCalls applies every filter, pages, counts, and orders by initiation_time desc then call_uuid', async () => {
      await withStore(async (store) => {
        const rows = [
          callRow({ call_uuid: 'c1', initiation_time: 1_000, direction: 'outbound', from_number: '111', to_number: '222', end_time: 10_000, bill_duration: 0, hangup_cause_code: 3000, hangup_source: 'Callee', call_status: 'busy' }),
          callRow({ call_uuid: 'c2', initiation_time: 2_000, direction: 'inbound', from_number: '333', to_number: '111', end_time: 20_000, bill_duration: 60, hangup_cause_code: 4000, hangup_source: 'Caller', call_status: 'completed' }),
          callRow({ call_uuid: 'c3', initiation_time: 3_000, direction: 'outbound', from_number: '111', to_number: '444', end_time: 30_000, bill_duration: 120, hangup_cause_code: 4000, hangup_source: 'Callee', call_status: 'completed' }),
          callRow({ call_uuid: 'c4', initiation_time: 3_000, direction: 'outbound', from_number: '111', to_number: '444', parent_call_uuid: 'c3', end_time: 30_000, bill_duration: 60, hangup_cause_code: 4000, hangup_source: 'Callee', call_status: 'completed' }),
          callRow({ call_uuid: 'c5', initiation_time: 5_000, direction: 'outbound', call_status: 'ringing' }),
        ];
        for (const r of rows) await store.insertCall(r);
        const ids = async (filter: Partial<Parameters<Store['listCalls']>[0]>) => {
          const { rows: found, total } = await store.listCalls({ limit: 20, offset: 0, ...filter });
          return { ids: found.map((c) => c.call_uuid), total };
        };
        assert.deepEqual(await ids({}), { ids: ['c5', 'c3', 'c4', 'c2', 'c1'], total: 5 });
        assert.deepEqual(await ids({ limit: 2 }), { ids: ['c5', 'c3'], total: 5 });
        assert.deepEqual(await ids({ limit: 2, offset: 2 }), { ids: ['c4', 'c2'], total: 5 });
        assert.deepEqual(await ids({ limit: 2, offset: 4 }), { ids: ['c1'], total: 5 });
        assert.deepEqual(await ids({ offset: 9 }), { ids: [], total: 5 });
        assert.deepEqual(await ids({ limit: 0 }), { ids: [], total: 5 });
        assert.deepEqual(await ids({ call_direction: 'inbound' }), { ids: ['c2'], total: 1 });
        assert.deepEqual(await ids({ from_number: '111' }), { ids: ['c3', 'c4', 'c1'], total: 3 });
        assert.deepEqual(await ids({ to_number: '444' }), { ids: ['c3', 'c4'], total: 2 });
        assert.deepEqual(await ids({ parent_call_uuid: 'c3' }), { ids: ['c4'], total: 1 });
        assert.deepEqual(await ids({ hangup_cause_code: 4000 }), { ids: ['c3', 'c4', 'c2'], total: 3 });
        assert.deepEqual(await ids({ hangup_source: 'Caller' }), { ids: ['c2'], total: 1 });
        assert.deepEqual(await ids({ hangup_source: 'Nobody' }), { ids: [], total: 0 });
        assert.deepEqual(await ids({ bill_duration: { eq: 60 } }), { ids: ['c4', 'c2'], total: 2 });
        assert.deepEqual(await ids({ bill_duration: { gt: 60 } }), { ids: ['c3'], total: 1 });
        assert.deepEqual(await ids({ bill_duration: { gte: 60 } }), { ids: ['c3', 'c4', 'c2'], total: 3 });
        assert.deepEqual(await ids({ bill_duration: { lt: 60 } }), { ids: ['c1'], total: 1 });
        assert.deepEqual(await ids({ bill_duration: { lte: 60 } }), { ids: ['c4', 'c2', 'c1'], total: 3 });
        assert.deepEqual(await ids({ bill_duration: { gt: 0, lt: 120 } }), { ids: ['c4', 'c2'], total: 2 });
        assert.deepEqual(await ids({ end_time: { eq: 30_000 } }), { ids: ['c3', 'c4'], total: 2 });
        assert.deepEqual(await ids({ end_time: { gt: 10_000, lte: 20_000 } }), { ids: ['c2'], total: 1 });
        assert.deepEqual(await ids({ end_time: { gte: 20_000 } }), { ids: ['c3', 'c4', 'c2'], total: 3 });
        assert.deepEqual(await ids({ end_time: { lt: 20_000 } }), { ids: ['c1'], total: 1 });
        assert.deepEqual(await ids({ ended_only: true }), { ids: ['c3', 'c4', 'c2', 'c1'], total: 4 });
        assert.deepEqual(await ids({ ended_only: true, call_direction: 'outbound', hangup_source: 'Callee', limit: 1, offset: 1 }), {
          ids: ['c4'],
          total: 3,
        });
        assert.deepEqual((await store.listCalls({ limit: 1, offset: 0, to_number: '222' })).rows, [rows[0]]);
      });
    });

    test('listCalls rejects filters it cannot honour, naming the parameter', async () => {
      await withStore(async (store) => {
        await rejectsWith(store.listCalls({ limit: -1, offset: 0 }), 'invalid-input', /^limit: expected a non-negative integer, got -1$/);
        await rejectsWith(store.listCalls({ limit: 20, offset: 1.5 }), 'invalid-input', /offset: expected a non-negative integer, got 1\.5/);
        await rejectsWith(
          store.listCalls({ limit: 20, offset: 0, call_direction: 'up' as 'inbound' }),
          'invalid-input',
          /call_direction: expected inbound or outbound, got "up"/,
        );
        await rejectsWith(
          store.listCalls({ limit: 20, offset: 0, end_time: { gt: Number.NaN } }),
          'invalid-input',
          /end_time\.gt: expected a finite number, got NaN/,
        );
        await rejectsWith(
          store.listCalls({ limit: 20, offset: 0, bill_duration: { above: 3 } as never }),
          'invalid-input',
          /bill_duration: unknown comparison "above"/,
        );
        await rejectsWith(
          store.listCalls({ limit: 20, offset: 0, hangup_cause_code: 40.5 }),
          'invalid-input',
          /hangup_cause_code: expected an integer, got 40\.5/,
        );
      });
    });

    test('listLiveCalls lists queued, ringing and in-progress calls, optionally of one node', async () => {
      await withStore(async (store) => {
        await store.insertCall(callRow({ call_uuid: 'q', call_status: 'queued', initiation_time: 1, node_id: 'n1' }));
        await store.insertCall(callRow({ call_uuid: 'r', call_status: 'ringing', initiation_time: 2, node_id: 'n2' }));
        await store.insertCall(callRow({ call_uuid: 'p', call_status: 'in-progress', initiation_time: 3, node_id: 'n1' }));
        await store.insertCall(callRow({ call_uuid: 'd', call_status: 'completed', initiation_time: 4, node_id: 'n1' }));
        await store.insertCall(callRow({ call_uuid: 'x', call_status: 'cancel', initiation_time: 5, node_id: 'n2' }));
        assert.deepEqual((await store.listLiveCalls()).map((c) => c.call_uuid), ['q', 'r', 'p']);
        assert.deepEqual((await store.listLiveCalls('n1')).map((c) => c.call_uuid), ['q', 'p']);
        assert.deepEqual(await store.listLiveCalls('n9'), []);
      });
    });

    test('record() appends the event, applies the patch and queues deliveries with per-call seqs', async () => {
      await withStore(async (store) => {
        await store.insertCall(callRow({ call_uuid: 'a' }));
        await store.insertCall(callRow({ call_uuid: 'b' }));

        const r1 = await store.record({
          callUuid: 'a',
          at: 2_000,
          type: 'leg.ringing',
          data: { code: 180 },
          patch: { call_status: 'ringing', call_state: 'RINGING', ring_time: 2_000 },
          deliveries: [delivery('d1')],
        });
        assert.equal(r1.seq, 1);
        assert.deepEqual(r1.deliveries, [
          {
            id: 'd1',
            call_uuid: 'a',
            seq: 1,
            event_seq: 1,
            kind: 'ring',
            event: 'Ring',
            url: 'http://app.test/ring#rc=2',
            method: 'POST',
            params: '{"CallUUID":"x","Event":"Ring"}',
            synchronous: 0,
            status: 'pending',
            attempts: 0,
            next_attempt_at: 2_000,
            created_at: 2_000,
            completed_at: null,
            last_error: null,
            account_id: null,
            // The call's initiation_time, which leads the key (migration 014).
            call_initiation_time: 1_000,
          },
        ]);
        assert.deepEqual(await store.getDelivery('d1'), r1.deliveries[0]);
        const a = await store.getCall('a');
        assert.equal(a?.call_status, 'ringing');
        assert.equal(a?.call_state, 'RINGING');
        assert.equal(a?.ring_time, 2_000);

        // An event without deliveries still advances the event seq, not the delivery seq.
        const r2 = await store.record({ callUuid: 'a', at: 2_500, type: 'note' });
        assert.deepEqual(r2, { seq: 2, deliveries: [] });

        // Another call counts from 1 on its own.
        const rb = await store.record({ callUuid: 'b', at: 2_600, type: 'leg.ringing', deliveries: [delivery('db1')] });
        assert.equal(rb.seq, 1);
        assert.equal(rb.deliveries[0]?.seq, 1);

        const r3 = await store.record({
          callUuid: 'a',
          at: 3_000,
          type: 'leg.answered',
          patch: { call_status: 'in-progress', answer_time: 3_000 },
          deliveries: [
            delivery('d2', { kind: 'answer', event: 'StartApp', method: 'GET', synchronous: true }),
            delivery('d3', { kind: 'callback', next_attempt_at: 9_000 }),
          ],
        });
        assert.equal(r3.seq, 3);
        assert.deepEqual(
          r3.deliveries.map((d) => [d.id, d.seq, d.method, d.synchronous, d.next_attempt_at]),
          [
            ['d2', 2, 'GET', 1, 3_000],
            ['d3', 3, 'POST', 0, 9_000],
          ],
        );

        assert.deepEqual(await store.listEvents('a'), [
          { id: 1, call_uuid: 'a', call_initiation_time: 1_000, seq: 1, at: 2_000, type: 'leg.ringing', data: '{"code":180}' },
          { id: 2, call_uuid: 'a', call_initiation_time: 1_000, seq: 2, at: 2_500, type: 'note', data: '{}' },
          { id: 4, call_uuid: 'a', call_initiation_time: 1_000, seq: 3, at: 3_000, type: 'leg.answered', data: '{}' },
        ]);
        assert.deepEqual((await store.listDeliveries('a')).map((d) => [d.id, d.seq]), [
          ['d1', 1],
          ['d2', 2],
          ['d3', 3],
        ]);
      });
    });

    test('record() is atomic: a failing patch or delivery leaves no event, no delivery and no change', async () => {
      await withStore(async (store) => {
        await store.insertCall(callRow({ call_uuid: 'a' }));
        await store.record({ callUuid: 'a', at: 1, type: 'first', deliveries: [delivery('d1')] });

        // The patch breaks a CHECK constraint after the event was inserted: both roll back.
        await rejectsWith(
          store.record({
            callUuid: 'a',
            at: 2,
            type: 'bad-patch',
            patch: { call_status: 'exploded' as 'busy', ring_time: 2 },
            deliveries: [delivery('d2')],
          }),
          'invalid-input',
          new RegExp(`^record bad-patch for call a: ${dialect.checkFailed.source}`),
        );
        // The deliveries break the primary key after the event and the patch: all roll back.
        await rejectsWith(
          store.record({ callUuid: 'a', at: 3, type: 'dup-delivery', patch: { ring_time: 3 }, deliveries: [delivery('d3'), delivery('d1')] }),
          'duplicate',
          /^record dup-delivery for call a: already stored/,
        );
        // Unknown call, with and without a patch.
        await rejectsWith(
          store.record({ callUuid: 'ghost', at: 4, type: 'x', patch: { ring_time: 4 }, deliveries: [delivery('d4')] }),
          'call-not-found',
          /no call ghost/,
        );
        await rejectsWith(store.record({ callUuid: 'ghost', at: 4, type: 'x' }), 'call-not-found', /no call ghost/);
        // Bad input is refused before any SQL.
        await rejectsWith(
          store.record({ callUuid: 'a', at: 5, type: 'x', patch: { call_uuid: 'b' } as never }),
          'invalid-input',
          /patch of call a: "call_uuid" is not a column that can be changed/,
        );
        await rejectsWith(
          store.record({ callUuid: 'a', at: 5, type: 'x', patch: { ring_time: {} as number } }),
          'invalid-input',
          /patch of call a: ring_time: expected a string, number or null, got an object/,
        );
        await rejectsWith(
          store.record({ callUuid: 'a', at: 5, type: 'x', deliveries: [delivery('d5', { method: 'PUT' as 'GET' })] }),
          'invalid-input',
          /deliveries\[0\]\.method: expected GET or POST, got "PUT"/,
        );
        await rejectsWith(
          store.record({ callUuid: 'a', at: 5, type: 'x', deliveries: [delivery('d5', { params: { Duration: 5 as unknown as string } })] }),
          'invalid-input',
          /deliveries\[0\]\.params\.Duration: expected a string, got number/,
        );
        await rejectsWith(store.record({ callUuid: 'a', at: 5, type: 'x', data: 10n }), 'invalid-input', /data: cannot be stored as JSON/);

        assert.deepEqual((await store.listEvents('a')).map((e) => [e.seq, e.type]), [[1, 'first']]);
        assert.deepEqual((await store.listDeliveries('a')).map((d) => [d.id, d.seq]), [['d1', 1]]);
        assert.equal(await store.getDelivery('d2'), undefined);
        assert.equal(await store.getDelivery('d3'), undefined);
        assert.deepEqual(await store.getCall('a'), callRow({ call_uuid: 'a' }));
        assert.deepEqual(await store.listEvents('ghost'), []);

        // The seqs carry on from the last stored event and delivery, not from the failed attempts.
        const next = await store.record({ callUuid: 'a', at: 6, type: 'second', deliveries: [delivery('d6')] });
        assert.equal(next.seq, 2);
        assert.equal(next.deliveries[0]?.seq, 2);
      });
    });

    test('concurrent record() calls get distinct consecutive seqs; a failure among them rejects alone', async () => {
      await withStore(async (store) => {
        await store.insertCall(callRow({ call_uuid: 'a' }));
        await store.insertCall(callRow({ call_uuid: 'b' }));
        const outcomes = await Promise.allSettled(
          Array.from({ length: 40 }, (_, i) => {
            const callUuid = i % 2 === 0 ? 'a' : 'b';
            // Number 21 fails (duplicate delivery id of number 1), in the middle of the burst.
            const id = i === 21 ? 'd-1' : `d-${i}`;
            return store.record({ callUuid, at: 100 + i, type: `e${i}`, deliveries: [delivery(id)] });
          }),
        );
        const failed = outcomes.flatMap((o, i) => (o.status === 'rejected' ? [i] : []));
        assert.deepEqual(failed, [21]);
        const seqsOf = (uuid: string) =>
          outcomes.flatMap((o, i) => (o.status === 'fulfilled' && (i % 2 === 0 ? 'a' : 'b') === uuid ? [[o.value.seq, o.value.deliveries[0]?.seq]] : []));
        const consecutive = (n: number) => Array.from({ length: n }, (_, i) => [i + 1, i + 1]);
        assert.deepEqual(seqsOf('a'), consecutive(20));
        assert.deepEqual(seqsOf('b'), consecutive(19));
        assert.deepEqual((await store.listEvents('b')).map((e) => e.type), Array.from({ length: 20 }, (_, k) => `e${2 * k + 1}`).filter((t) => t !== 'e21'));
        assert.deepEqual((await store.listDeliveries('b')).map((d) => d.seq), consecutive(19).map(([s]) => s));
      });
    });

    test('an operation issued after record() sees it even when record() was not awaited', async () => {
      await withStore(async (store) => {
        await store.insertCall(callRow({ call_uuid: 'a' }));
        const pending = store.record({ callUuid: 'a', at: 7, type: 'leg.ringing', patch: { call_status: 'ringing' } });
        assert.equal((await store.getCall('a'))?.call_status, 'ringing');
        assert.deepEqual((await store.listEvents('a')).map((e) => e.seq), [1]);
        assert.equal((await pending).seq, 1);
      });
    });

    test('pending deliveries come oldest first; updates and attempts are stored', async () => {
      await withStore(async (store) => {
        await store.insertCall(callRow({ call_uuid: 'a' }));
        await store.insertCall(callRow({ call_uuid: 'b' }));
        await store.record({ callUuid: 'b', at: 20, type: 'e', deliveries: [delivery('b1'), delivery('b2')] });
        await store.record({ callUuid: 'a', at: 10, type: 'e', deliveries: [delivery('a1')] });
        await store.record({ callUuid: 'a', at: 30, type: 'e', deliveries: [delivery('a2')] });
        assert.deepEqual((await store.listPendingDeliveries()).map((d) => d.id), ['a1', 'b1', 'b2', 'a2']);
        assert.deepEqual((await store.listPendingDeliveries(2)).map((d) => d.id), ['a1', 'b1']);

        await store.updateDelivery('a1', { status: 'delivered', attempts: 1, completed_at: 12, next_attempt_at: null });
        await store.updateDelivery('b1', { attempts: 1, next_attempt_at: 1_020, last_error: 'HTTP 503' });
        await store.updateDelivery('b2', {});
        assert.deepEqual((await store.listPendingDeliveries()).map((d) => d.id), ['b1', 'b2', 'a2']);
        const b1 = await store.getDelivery('b1');
        assert.deepEqual([b1?.status, b1?.attempts, b1?.next_attempt_at, b1?.last_error], ['pending', 1, 1_020, 'HTTP 503']);
        const a1 = await store.getDelivery('a1');
        assert.deepEqual([a1?.status, a1?.completed_at, a1?.next_attempt_at], ['delivered', 12, null]);

        await rejectsWith(store.updateDelivery('nope', { attempts: 1 }), 'delivery-not-found', /no delivery nope/);
        await rejectsWith(store.updateDelivery('nope', {}), 'delivery-not-found', /no delivery nope/);
        await rejectsWith(store.updateDelivery('b1', { id: 'x' } as never), 'invalid-input', /patch of delivery b1: "id" is not a column/);
        await rejectsWith(store.updateDelivery('b1', { status: 'lost' as 'dead' }), 'invalid-input', dialect.checkFailed);
        await rejectsWith(store.listPendingDeliveries(-2), 'invalid-input', /limit: expected a non-negative integer, got -2/);

        const attempt = {
          delivery_id: 'b1',
          at: 21,
          url: 'http://app.test/ring',
          method: 'POST',
          request_headers: '{"x-switchboard-attempt":"1"}',
          status_code: 503,
          response_excerpt: 'busy',
          latency_ms: 4,
          error: null,
        };
        await store.addAttempt({ ...attempt, attempt: 2, at: 1_021, status_code: 200, response_excerpt: 'ok' });
        await store.addAttempt({ ...attempt, attempt: 1 });
        // What an attempt sent is its delivery's parameters, read from the delivery (migration 015).
        const { params } = b1!;
        assert.deepEqual(await store.listAttempts('b1'), [
          { id: 2, ...attempt, attempt: 1, params },
          { id: 1, ...attempt, attempt: 2, at: 1_021, status_code: 200, response_excerpt: 'ok', params },
        ]);
        assert.deepEqual(await store.listAttemptsFor(['a1', 'b1']), await store.listAttempts('b1'));
        assert.deepEqual(await store.listAttempts('a1'), []);
        await rejectsWith(store.addAttempt({ ...attempt, delivery_id: 'nope', attempt: 1 }), 'delivery-not-found', /add attempt: no delivery nope/);
      });
    });

    test('report rollups are added in the database: six calls ending in one hour sum exactly, count maps key by key', async () => {
      await withStore(async (store) => {
        await endCalls(store, 'r', 6);
        const [all, ...more] = await store.resources.reports.readRollups('all', 0, HOUR_MS, 'call');
        assert.deepEqual(more, []);
        assert.deepEqual(all, {
          hour: 0,
          dim: 'all',
          key: '',
          kind: 'call',
          attempts: 6,
          answered: 3,
          talk_s: 10 + 12 + 14,
          talk_n: 3,
          dial_status: { completed: 3, busy: 3 },
          call_status: { completed: 3, busy: 3 },
          causes: { 'NORMAL_CLEARING|4000|Normal Hangup|Callee': 3, 'USER_BUSY|3010|Busy Line|Callee': 3 },
          pdd: { '200': 3 },
          ring: { '300': 3 },
        });
        const byDestination = await store.resources.reports.readRollups('destination', 0, HOUR_MS, 'call');
        assert.deepEqual(byDestination.map((r) => [r.key, r.attempts, r.answered]), [['15550002', 6, 3]]);
        const byDay = await store.resources.reports.readRollups('destination/day', 0, HOUR_MS, 'call');
        assert.deepEqual(byDay.map((r) => [r.key, r.attempts, r.talk_s]), [['15550002', 6, 36]]);
      });
    });

    test('rebuildRollups recomputes every rollup row from the calls, through the same upsert', async () => {
      await withStore(async (store) => {
        await endCalls(store, 'r', 6);
        const reports = store.resources.reports;
        const read = async () => (await Promise.all((['all', 'destination', 'destination/day', 'caller_id', 'application'] as const).map((dim) => reports.readRollups(dim, 0, HOUR_MS)))).flat();
        const before = await read();
        assert.equal(before.length, 5);
        assert.equal(await reports.rebuildRollups(), 6);
        assert.deepEqual(await read(), before);
      });
    });

    test('a repeated attempt write is stored once; a resend under the same number at another time is kept', async () => {
      await withStore(async (store) => {
        await store.insertCall(callRow({ call_uuid: 'a' }));
        await store.record({ callUuid: 'a', at: 10, type: 'e', deliveries: [delivery('d1')] });
        const attempt = {
          delivery_id: 'd1',
          attempt: 1,
          at: 11,
          url: 'http://app.test/ring',
          method: 'POST',
          request_headers: '{}',
          params: '{}',
          status_code: 503,
          response_excerpt: 'busy',
          latency_ms: 4,
          error: null,
        };
        await store.addAttempt(attempt);
        await store.addAttempt(attempt);
        await store.addAttempt({ ...attempt, at: 50, status_code: 200, response_excerpt: 'ok' });
        assert.deepEqual((await store.listAttempts('d1')).map((a) => [a.attempt, a.at, a.status_code]), [
          [1, 11, 503],
          [1, 50, 200],
        ]);
      });
    });

    test('settings: unset, set, overwrite', async () => {
      await withStore(async (store) => {
        assert.equal(await store.getSetting('auth_id'), undefined);
        await store.setSetting('auth_id', 'MA123');
        await store.setSetting('auth_token', 'tok');
        await store.setSetting('auth_id', 'MA456');
        assert.equal(await store.getSetting('auth_id'), 'MA456');
        assert.equal(await store.getSetting('auth_token'), 'tok');
      });
    });

    test('simulated numbers: upsert keeps created_at, list is sorted, delete answers whether it removed one', async () => {
      await withStore(async (store) => {
        assert.deepEqual(await store.upsertSimNumber('15550002', 'busy', 100), { number: '15550002', script: 'busy', created_at: 100, updated_at: 100 });
        await store.upsertSimNumber('15550001', 'ring 1s, answer', 150);
        assert.deepEqual(await store.upsertSimNumber('15550002', 'reject', 200), { number: '15550002', script: 'reject', created_at: 100, updated_at: 200 });
        assert.deepEqual(await store.getSimNumber('15550002'), { number: '15550002', script: 'reject', created_at: 100, updated_at: 200 });
        assert.equal(await store.getSimNumber('15559999'), undefined);
        assert.deepEqual((await store.listSimNumbers()).map((n) => [n.number, n.script]), [
          ['15550001', 'ring 1s, answer'],
          ['15550002', 'reject'],
        ]);
        assert.equal(await store.deleteSimNumber('15550001'), true);
        assert.equal(await store.deleteSimNumber('15550001'), false);
        assert.deepEqual((await store.listSimNumbers()).map((n) => n.number), ['15550002']);
      });
    });

    test('a closed store refuses work with a typed error', async () => {
      const store = await dialect.open();
      await store.close();
      await store.close();
      await rejectsWith(store.getCall('a'), 'database', /get call a: the store is closed/);
      await rejectsWith(store.record({ callUuid: 'a', at: 1, type: 'x' }), 'database', /the store is closed/);
    });
  });
}

describe('SQLite specifics', () => {
  test('opens in WAL mode, creating the parent folder, and records the migrations', async () => {
    const path = join(tmpRoot, 'nested', 'deeper', 'switchboard.db');
    const store = new SqliteStore(path);
    await store.migrate();
    await store.migrate();
    await store.close();
    assert.ok(existsSync(path));
    const db = new BetterSqlite3(path, { readonly: true });
    try {
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      assert.deepEqual(
        db.prepare('select version, name from schema_migrations order by version').all(),
        migrations.map((m) => ({ version: m.version, name: m.name })),
      );
      const tables = db.prepare("select name from sqlite_master where type = 'table' order by name").all();
      const names = tables.map((t) => (t as { name: string }).name);
      // The core's tables; later migrations add their own resources' tables beside them.
      for (const core of ['calls', 'deliveries', 'delivery_attempts', 'events', 'schema_migrations', 'settings', 'sim_numbers']) {
        assert.ok(names.includes(core), `table ${core}`);
      }
    } finally {
      db.close();
    }
  });

  test('a database written by a newer engine is refused', async () => {
    const path = freshFile();
    const store = new SqliteStore(path);
    await store.migrate();
    await store.close();
    const db = new BetterSqlite3(path);
    db.prepare("insert into schema_migrations (version, name, applied_at) values (99, 'from-the-future', 0)").run();
    db.close();
    const again = new SqliteStore(path);
    try {
      await rejectsWith(again.migrate(), 'migration-failed', new RegExp(`has migration 99, which this engine does not know \\(it knows up to ${migrations.at(-1)!.version}\\)`));
    } finally {
      await again.close();
    }
  });

  describe('runMigrations', () => {
    const open = () => new Kysely<any>({ dialect: new SqliteDialect({ database: new BetterSqlite3(':memory:') }) });
    const table = (version: number, name: string, fail = false): Migration => ({
      version,
      name,
      async up(db: Kysely<any>) {
        await db.schema.createTable(name).addColumn('x', 'integer').execute();
        if (fail) throw new Error(`${name} broke`);
      },
    });
    const tables = async (db: Kysely<any>) =>
      (await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name like 't_%' order by name`.execute(db)).rows.map((r) => r.name);

    test('applies each migration once, in order, and reports what it applied', async () => {
      const db = open();
      try {
        assert.deepEqual(await runMigrations(db, [table(1, 't_one')], () => 5), [1]);
        assert.deepEqual(await runMigrations(db, [table(1, 't_one'), table(2, 't_two')], () => 6), [2]);
        assert.deepEqual(await runMigrations(db, [table(1, 't_one'), table(2, 't_two')]), []);
        assert.deepEqual(await tables(db), ['t_one', 't_two']);
        assert.deepEqual((await db.selectFrom('schema_migrations').selectAll().orderBy('version').execute()), [
          { version: 1, name: 't_one', applied_at: 5 },
          { version: 2, name: 't_two', applied_at: 6 },
        ]);
      } finally {
        await db.destroy();
      }
    });

    test('a failing migration rolls back wholly and is not recorded; the ones before it stay', async () => {
      const db = open();
      try {
        await rejectsWith(
          runMigrations(db, [table(1, 't_one'), table(2, 't_two', true), table(3, 't_three')]),
          'migration-failed',
          /^migration 2 \(t_two\) failed: t_two broke$/,
        );
        assert.deepEqual(await tables(db), ['t_one']);
        assert.deepEqual((await db.selectFrom('schema_migrations').select('version').execute()).map((r) => r.version), [1]);
      } finally {
        await db.destroy();
      }
    });

    test('a list with a gap or out of order is refused before anything runs', async () => {
      const db = open();
      try {
        await rejectsWith(
          runMigrations(db, [table(1, 't_one'), table(3, 't_three')]),
          'migration-failed',
          /position 2 holds version 3 \(t_three\)/,
        );
        assert.deepEqual(await tables(db), []);
      } finally {
        await db.destroy();
      }
    });
  });
});

describe('report rollups under two writers', () => {
  test('SQLite: a bulk merge (switchboard generate) and record() add to the same buckets', async () => {
    const store = new SqliteStore(freshFile());
    try {
      await store.migrate();
      await endCalls(store, 'r', 2);
      // Two more calls' attempts, merged in bulk as `generate` does.
      const acc = new RollupAccumulator();
      for (const i of [2, 3]) {
        const row = callRow({ call_uuid: `g${i}`, initiation_time: 1_000 + i });
        await store.insertCall(row);
        await endCall(store, `g${i}`, i);
      }
      for (const i of [4, 5]) {
        const a = { ...callRow({ call_uuid: `x${i}`, initiation_time: 1_000 + i }), call_status: i % 2 === 0 ? 'completed' : 'busy' } as CallRow;
        Object.assign(a, i % 2 === 0 ? { ring_time: 1_200 + i, answer_time: 1_500 + i, end_time: 11_500 + i, call_duration: 10 + i, hangup_cause: 'NORMAL_CLEARING', hangup_cause_code: 4000, hangup_cause_name: 'Normal Hangup', hangup_source: 'Callee' } : { end_time: 2_000 + i, hangup_cause: 'USER_BUSY', hangup_cause_code: 3010, hangup_cause_name: 'Busy Line', hangup_source: 'Callee' });
        for (const attempt of attemptsOfCall(a, [], [])) acc.add(attempt);
      }
      store.rollups.mergeRollups(acc);
      const [all] = await store.resources.reports.readRollups('all', 0, HOUR_MS, 'call');
      assert.deepEqual([all?.attempts, all?.answered, all?.talk_s, all?.dial_status, all?.ring], [6, 3, 36, { completed: 3, busy: 3 }, { '300': 3 }]);
    } finally {
      await store.close();
    }
  });

  test('PostgreSQL: two stores (two nodes) ending calls at once in the same buckets add up exactly', { skip: TEST_PG ? false : 'needs SWITCHBOARD_TEST_PG' }, async () => {
    const d = await freshTestDb(tmpRoot);
    const errors: unknown[] = [];
    const a = new PgStore(d.db, { onRollupError: (err) => errors.push(err) });
    const b = new PgStore(d.db, { onRollupError: (err) => errors.push(err) });
    try {
      await a.migrate();
      const N = 40;
      for (let i = 0; i < 2 * N; i++) await a.insertCall(callRow({ call_uuid: `c${i}`, initiation_time: 1_000 + i }));
      // Interleaved: store a ends the even calls, store b the odd ones, all in flight together.
      await Promise.all(Array.from({ length: 2 * N }, (_, i) => endCall(i % 2 === 0 ? a : b, `c${i}`, i)));
      assert.deepEqual(errors, []);
      const [all, ...more] = await b.resources.reports.readRollups('all', 0, HOUR_MS, 'call');
      assert.deepEqual(more, []);
      const talk = Array.from({ length: N }, (_, k) => 10 + 2 * k).reduce((x, y) => x + y, 0);
      assert.deepEqual(
        [all?.attempts, all?.answered, all?.talk_s, all?.talk_n, all?.dial_status, all?.causes, all?.pdd, all?.ring],
        [2 * N, N, talk, N, { completed: N, busy: N }, { 'NORMAL_CLEARING|4000|Normal Hangup|Callee': N, 'USER_BUSY|3010|Busy Line|Callee': N }, { '200': N }, { '300': N }],
      );
      const byCaller = await a.resources.reports.readRollups('caller_id', 0, HOUR_MS, 'call');
      assert.deepEqual(byCaller.map((r) => [r.key, r.attempts]), [['15550001', 2 * N]]);
    } finally {
      await a.close();
      await b.close();
      await d.drop();
    }
  });
});
