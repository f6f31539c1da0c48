/**
 * Report rollups written behind the calls, on SQLite (store/rollups-behind.ts; docs/reports.md,
 * "When rollups are written"): when the kept rollups are written (the rule, run directly), and
 * that the store loses none of them: a read, a close and a crash each find every ended call.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { VirtualClock } from '../src/clock.ts';
import { RollupsBehind, MAX_AGE_MS, MAX_CALLS, type EndedCalls } from '../src/store/rollups-behind.ts';
import { RollupUpserts } from '../src/store/report-rollup-sql.ts';
import { HOUR_MS, type DialAttempt } from '../src/store/report-rollup.ts';
import { SqliteStore } from '../src/store/sqlite-store.ts';
import { statementDelta } from '../src/store/statement-counter.ts';
import type { Store } from '../src/store/store.ts';
import { callRow } from './support/call-rows.ts';

function attempt(i: number): DialAttempt {
  return {
    kind: 'call',
    startedAt: 1_000 + i,
    destination: '15550002',
    callerId: '15550001',
    application: 'http://app.test/answer',
    dialStatus: 'completed',
    callStatus: 'completed',
    answered: true,
    durationS: 10,
    pddMs: 200,
    ringToAnswerMs: 300,
    cause: { cause: 'NORMAL_CLEARING', code: 4000, name: 'Normal Hangup', source: 'Callee' },
  };
}

function ended(...ids: number[]): EndedCalls {
  return { dialAttempts: ids.map(attempt), rolledUp: ids.map((i) => `c${i}`) };
}

describe('when kept rollups are written', () => {
  const db = new Kysely<any>({ dialect: new SqliteDialect({ database: new BetterSqlite3(':memory:') }) });
  const upserts = new RollupUpserts(db, 'sqlite');
  function behind(now = () => 0, errors: Array<[unknown, string]> = []) {
    return new RollupsBehind(db, upserts, (err, callUuid) => errors.push([err, callUuid]), now);
  }
  /** One group commit: its tail's statements (none when nothing is written), then the commit. */
  function group(b: RollupsBehind, ...calls: EndedCalls[]): string[] {
    b.begin();
    const tail = b.tail(calls);
    b.committed();
    return (tail?.statements ?? []).map((q) => q.sql.split(' ').slice(0, 3).join(' '));
  }
  const WRITE = ['insert into "report_rollups"', 'delete from "report_rollups_pending"'];

  test(`kept until ${MAX_CALLS} calls; the group that reaches it writes them all, with its own`, () => {
    const b = behind();
    for (let i = 0; i < MAX_CALLS - 1; i++) assert.deepEqual(group(b, ended(i)), [], `call ${i}`);
    assert.equal(b.kept, MAX_CALLS - 1);
    assert.deepEqual(group(b, ended(MAX_CALLS - 1)), WRITE);
    assert.equal(b.kept, 0);
  });

  test(`kept at most ${MAX_AGE_MS} ms while groups commit, counted from the oldest`, () => {
    let now = 0;
    const b = behind(() => now);
    assert.deepEqual(group(b, ended(1)), []);
    now = MAX_AGE_MS - 1;
    assert.deepEqual(group(b, ended(2)), []);
    assert.deepEqual(group(b), []);
    now = MAX_AGE_MS;
    assert.deepEqual(group(b), WRITE);
    assert.equal(b.kept, 0);
    // The clock starts again with the next kept call.
    now = 5 * MAX_AGE_MS;
    assert.deepEqual(group(b, ended(3)), []);
    now += MAX_AGE_MS - 1;
    assert.deepEqual(group(b), []);
  });

  test('a request (a read, a close) has the next group write what is kept, and only that one', () => {
    const b = behind();
    b.request();
    // Nothing kept and nothing ended: nothing to write, and the request is spent.
    assert.deepEqual(group(b), []);
    assert.deepEqual(group(b, ended(1)), []);
    b.request();
    assert.deepEqual(group(b), WRITE);
    assert.deepEqual(group(b, ended(2)), []);
    assert.equal(b.kept, 1);
  });

  test('a request with calls ending in the same group writes theirs too', () => {
    const b = behind();
    b.request();
    assert.deepEqual(group(b, ended(1, 2)), WRITE);
    assert.equal(b.kept, 0);
  });

  test('a try rolled back is forgotten: the retry keeps its calls once', () => {
    const b = behind();
    b.begin();
    assert.equal(b.tail([ended(1, 2)]), undefined);
    // Rolled back (a job failed, or the disk): the group runs again from its beginning.
    b.begin();
    assert.equal(b.tail([ended(1, 2)]), undefined);
    b.committed();
    assert.equal(b.kept, 2);
    // A commit with no try (the group committed nothing of the rollups) changes nothing.
    b.committed();
    assert.equal(b.kept, 2);
  });

  test('a write that fails is reported for every call it carried, kept and ending, and those rollups are dropped', () => {
    const errors: Array<[unknown, string]> = [];
    const b = behind(() => 0, errors);
    group(b, ended(1));
    b.request();
    b.begin();
    const tail = b.tail([ended(2)]);
    const boom = new Error('boom');
    tail!.onError(boom);
    b.committed();
    assert.deepEqual(errors, [[boom, 'c1'], [boom, 'c2']]);
    assert.equal(b.kept, 0);
  });

  test('a group that ends no call starts no clock and keeps nothing', () => {
    let now = 0;
    const b = behind(() => now);
    assert.deepEqual(group(b, { dialAttempts: [], rolledUp: [] }), []);
    now = 10 * MAX_AGE_MS;
    assert.deepEqual(group(b), []);
    assert.equal(b.kept, 0);
  });
});

for (const writerThread of [false, true]) describe(`the SQLite store loses no kept rollup (writer thread ${writerThread ? 'on' : 'off'})`, () => {
  const root = mkdtempSync(join(tmpdir(), 'sb-rollups-behind-'));
  let n = 0;
  const freshFile = () => {
    const dir = join(root, `db-${++n}`);
    mkdirSync(dir);
    return join(dir, 'switchboard.db');
  };
  /** As the engine opens it: records deferred, the group commit a turn long. */
  const open = (path: string) => new SqliteStore(path, { groupCommit: 'next-turn', defer: { clock: new VirtualClock() }, writerThread });

  /** Ends `count` calls (even ones answered, odd ones busy), all in one turn. */
  async function endCalls(store: Store, count: number, prefix = 'a'): Promise<void> {
    for (let i = 0; i < count; i++) await store.insertCall(callRow({ call_uuid: `${prefix}${i}`, initiation_time: 1_000 + i }));
    await Promise.all(
      Array.from({ length: count }, (_, i) =>
        store.record({
          callUuid: `${prefix}${i}`,
          at: 20_000 + i,
          type: 'leg.ended',
          patch:
            i % 2 === 0
              ? { call_status: 'completed', ring_time: 1_200, answer_time: 1_500, end_time: 20_000 + i, call_duration: 10, hangup_cause: 'NORMAL_CLEARING', hangup_cause_code: 4000, hangup_cause_name: 'Normal Hangup', hangup_source: 'Callee' }
              : { call_status: 'busy', end_time: 20_000 + i, hangup_cause: 'USER_BUSY', hangup_cause_code: 3010, hangup_cause_name: 'Busy Line', hangup_source: 'Callee' },
        }),
      ),
    );
  }
  /** The `all` row of the first hour, as a report reads it. */
  async function totals(store: Store) {
    const [all, ...more] = await store.resources.reports.readRollups('all', 0, HOUR_MS, 'call');
    assert.deepEqual(more, []);
    return all && { attempts: all.attempts, answered: all.answered, talk_s: all.talk_s, dial_status: all.dial_status };
  }
  /** What the file holds, read by another connection: the `all` row's attempts and the pending rows. */
  function onDisk(path: string) {
    const db = new BetterSqlite3(path, { readonly: true });
    try {
      const all = db.prepare("select attempts from report_rollups where dim = 'all' and kind = 'call'").get() as { attempts: number } | undefined;
      const pending = db.prepare('select count(*) as n from report_rollups_pending').get() as { n: number };
      return { attempts: all?.attempts ?? 0, pending: pending.n };
    } finally {
      db.close();
    }
  }

  test('the ends are stored at once, their calls noted pending; a read writes the rollups first', async () => {
    const path = freshFile();
    const store = open(path);
    try {
      await store.migrate();
      await endCalls(store, 6);
      assert.deepEqual(onDisk(path), { attempts: 0, pending: 6 });
      assert.deepEqual(await totals(store), { attempts: 6, answered: 3, talk_s: 30, dial_status: { completed: 3, busy: 3 } });
      assert.deepEqual(onDisk(path), { attempts: 6, pending: 0 });
      // Read again: nothing is added twice.
      assert.deepEqual((await totals(store))?.attempts, 6);
    } finally {
      await store.close();
    }
  });

  test('a close writes what is kept', async () => {
    const path = freshFile();
    const store = open(path);
    await store.migrate();
    await endCalls(store, 5);
    await store.close();
    assert.deepEqual(onDisk(path), { attempts: 5, pending: 0 });
  });

  test('a crash loses none: start-up rolls up the calls left pending, from their rows, once', async () => {
    const path = freshFile();
    const store = open(path);
    const copy = freshFile();
    try {
      await store.migrate();
      await endCalls(store, 6);
      // The files as a crash now would leave them: every committed group is in the WAL.
      copyFileSync(path, copy);
      if (existsSync(`${path}-wal`)) copyFileSync(`${path}-wal`, `${copy}-wal`);
    } finally {
      await store.close();
    }
    assert.deepEqual(onDisk(copy), { attempts: 0, pending: 6 });
    const errors: unknown[] = [];
    const restarted = new SqliteStore(copy, { groupCommit: 'next-turn', defer: { clock: new VirtualClock() }, writerThread, onRollupError: (err) => errors.push(err) });
    try {
      await restarted.migrate();
      assert.deepEqual(onDisk(copy), { attempts: 6, pending: 0 });
      assert.deepEqual(await totals(restarted), { attempts: 6, answered: 3, talk_s: 30, dial_status: { completed: 3, busy: 3 } });
      // A second start-up finds nothing pending and adds nothing.
      await restarted.migrate();
      assert.deepEqual((await totals(restarted))?.attempts, 6);
      assert.deepEqual(errors, []);
    } finally {
      await restarted.close();
    }
  });

  test(`under load the rollups are written every ${MAX_CALLS} calls, with no read`, async () => {
    const path = freshFile();
    const store = open(path);
    try {
      await store.migrate();
      const before = store.statements.snapshot();
      await endCalls(store, MAX_CALLS + 10);
      const used = statementDelta(before, store.statements.snapshot());
      assert.equal(used['insert report_rollups'], 1);
      assert.equal(used['delete report_rollups_pending'], 1);
      // One flush of 266 rows a table, in power-of-two pieces (query-template.ts, pieceOf): the
      // events 128 + 128 + 10, the pending notes 256 + 10.
      assert.equal(used['insert events'], 3);
      assert.equal(used['insert report_rollups_pending'], 2);
      assert.deepEqual(onDisk(path), { attempts: MAX_CALLS + 10, pending: 0 });
    } finally {
      await store.close();
    }
  });

  test('a rebuild writes what is kept first, so nothing is counted twice', async () => {
    const path = freshFile();
    const store = open(path);
    try {
      await store.migrate();
      await endCalls(store, 4);
      assert.equal(await store.resources.reports.rebuildRollups(), 4);
      assert.deepEqual((await totals(store))?.attempts, 4);
      assert.deepEqual(onDisk(path), { attempts: 4, pending: 0 });
    } finally {
      await store.close();
    }
  });

  test.after(() => rmSync(root, { recursive: true, force: true }));
});
