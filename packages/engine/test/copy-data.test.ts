/**
 * `switchboard copy-data` (docs/storage.md, "Moving to PostgreSQL"): a real engine on SQLite takes
 * traffic (an API call with a Dial and a retried hangup webhook, a <Record>, the seed's dial-status
 * flow on a number, an application, a subaccount), stops; the command copies its file into a fresh
 * PostgreSQL database; an engine started on PostgreSQL then answers the API exactly as the SQLite
 * one did, and keeps writing without an id collision. Needs SWITCHBOARD_TEST_PG.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startHarness, type Harness } from './support/harness.ts';
import { SqliteStore } from '../src/store/sqlite-store.ts';
import { PgStore } from '../src/store/pg-store.ts';
import { callRow } from './support/call-rows.ts';
import { switchboard } from './support/switchboard-cli.ts';
import { TEST_PG, freshTestDb } from './support/test-db.ts';

const skip = TEST_PG ? false : 'needs SWITCHBOARD_TEST_PG (scripts/pg-cluster.sh start)';

const A = '15551110001';
const B = '15552220001';
const REC = '15551110002';
const N = '15553330001';
const CALLER = '15559990001';

/** Traffic of every kind the store keeps. */
async function traffic(h: Harness): Promise<void> {
  await h.sim(A, 'ring 1s, answer');
  await h.sim(B, 'ring 1s, answer, hangup after 5s');
  await h.sim(REC, 'ring 1s, answer, hangup after 4s');
  h.app.on('/answer', `<Response><Dial action="${h.app.url('/action')}"><Number>${B}</Number></Dial></Response>`);
  h.app.on('/rec', () => `<Response><Record action="${h.app.url('/vm-action')}" fileFormat="wav" maxLength="60"/></Response>`);
  // The first hangup report fails: the delivery log keeps both attempts.
  h.app.on('/hangup', [{ status: 500, body: 'boom' }, { status: 200 }]);
  assert.equal((await h.call({ to: A })).status, 201);
  await h.waitFor('/hangup', 2);
  assert.equal((await h.call({ to: REC, answer_url: h.app.url('/rec'), hangup_url: h.app.url('/rec-hangup') })).status, 201);
  await h.waitFor('/vm-action');

  assert.equal((await h.api('POST', 'Application/', { app_name: 'support', answer_url: h.app.url('/answer') })).status, 201);
  assert.equal((await h.api('POST', 'Subaccount/', { name: 'Sales', enabled: true })).status, 201);

  const text = await readFile(new URL('../../../examples/flows/dial-status.json', import.meta.url), 'utf8');
  const flow = await h.api('POST', 'Flow/', JSON.parse(text.replaceAll('http://127.0.0.1:3000', h.app.url('').replace(/\/$/, ''))));
  assert.equal(flow.status, 201, JSON.stringify(flow.body));
  assert.equal((await h.api('POST', `PhoneNumber/${N}/`, { app_id: flow.body.flow_id })).status, 201);
  await h.sim(B, 'busy');
  assert.equal((await h.api('POST', 'Simulator/Call/', { from: CALLER, to: N, script: 'hangup after 60s' })).status, 201);
  await h.waitFor('/dialstatus/action/');
  await h.settle();
}

/**
 * What the API shows of everything stored, without the per-response api_id and with the engine's
 * own address (recording URLs name it; the two engines listen on different ports) made neutral.
 */
async function snapshot(h: Harness, bases: readonly string[] = [h.base]): Promise<Record<string, unknown>> {
  const get = async (path: string) => {
    const res = await h.api('GET', path);
    assert.equal(res.status, 200, `${path}: ${JSON.stringify(res.body)}`);
    return strip(res.body, bases);
  };
  const calls = (await get('Call/?limit=20')) as { objects: Array<{ call_uuid: string; initiation_time: string }> };
  const out: Record<string, unknown> = { calls };
  for (const c of calls.objects) {
    out[`call ${c.call_uuid}`] = await get(`Call/${c.call_uuid}/`);
    out[`timeline ${c.call_uuid}`] = await get(`Call/${c.call_uuid}/Timeline/`);
    out[`webhooks ${c.call_uuid}`] = await get(`Call/${c.call_uuid}/Webhook/`);
  }
  const times = calls.objects.map((c) => Date.parse(c.initiation_time.replace(' ', 'T').replace(/(\+\d\d:\d\d)?$/, 'Z')));
  const utc = (ms: number) => encodeURIComponent(new Date(ms).toISOString().slice(0, 16).replace('T', ' '));
  const start = utc(Math.floor(Math.min(...times) / 3_600_000) * 3_600_000);
  const end = utc(Math.floor(Math.max(...times) / 3_600_000) * 3_600_000 + 3_600_000);
  for (const path of [
    'Webhook/?limit=20',
    `Report/Dial/?start=${start}&end=${end}&group_by=hour`,
    `Report/Dial/?start=${start}&end=${end}&group_by=destination`,
    'Application/',
    'Subaccount/',
    'Number/',
    'Flow/',
    'Recording/',
  ]) {
    out[path] = await get(path);
  }
  const flows = out['Flow/'] as { objects: Array<{ flow_id: string }> };
  for (const f of flows.objects) out[`runs ${f.flow_id}`] = await get(`Flow/${f.flow_id}/Run/`);
  return out;
}

function strip(body: unknown, bases: readonly string[]): unknown {
  if (typeof body === 'string') return bases.reduce((s, base) => s.replaceAll(base, 'http://engine'), body);
  if (Array.isArray(body)) return body.map((v) => strip(v, bases));
  if (body === null || typeof body !== 'object') return body;
  return Object.fromEntries(Object.entries(body).filter(([k]) => k !== 'api_id').map(([k, v]) => [k, strip(v, bases)]));
}

test('copy-data: a SQLite engine\'s calls, CDRs, timelines, delivery log, reports and resources read the same on PostgreSQL', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-copy-'));
  const file = join(dir, 'switchboard.db');
  const target = await freshTestDb(dir);
  let h: Harness | undefined = await startHarness({ dbPath: file });
  try {
    await traffic(h);
    const before = await snapshot(h);
    // Stored webhook parameters keep the address of the engine that sent them.
    const sqliteBase = h.base;
    assert.equal((before.calls as { objects: unknown[] }).objects.length, 5, 'A leg + B leg, the recorded call, the inbound call + its B leg');

    // A file a live engine holds is refused, and nothing is copied.
    const held = await switchboard(['copy-data', '--from', file, '--to', target.db]);
    assert.equal(held.code, 1, held.stderr);
    assert.match(held.stderr, new RegExp(`^switchboard: database ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is in use by another Switchboard engine \\(PID ${process.pid}\\)`));

    await h.close();
    h = undefined;

    const copy = await switchboard(['copy-data', '--from', file, '--to', target.db]);
    assert.equal(copy.code, 0, copy.stderr);
    // Not a terminal: plain progress lines on stderr, one per table here (all are small).
    assert.match(copy.stderr, /^calls: 5\/5 rows$/m);
    assert.match(copy.stderr, /^events: (\d+)\/\1 rows$/m);
    assert.doesNotMatch(copy.stderr, /\r/);
    const lines = copy.stdout.trim().split('\n');
    assert.match(lines[0]!, /^table +source +target$/);
    assert.match(copy.stdout, /^calls +5 +5$/m);
    assert.match(copy.stdout, /^delivery_attempts +(\d+) +\1$/m);
    assert.match(lines.at(-1)!, /^copied \d+ rows in \d+ tables from .*switchboard\.db to postgres:\/\/.* in \d+\.\d s; counts match$/);

    // The count check, by a reader of its own.
    const client = new pg.Client({ connectionString: target.db });
    await client.connect();
    try {
      const calls = await client.query('select count(*)::int as n from calls');
      assert.equal(calls.rows[0].n, 5);
    } finally {
      await client.end();
    }

    // A second copy into the now filled database is refused, as JSON-less error text on stderr.
    const again = await switchboard(['copy-data', '--from', file, '--to', target.db, '--json']);
    assert.equal(again.code, 1);
    assert.equal(again.stdout, '');
    assert.match(again.stderr, /^switchboard: postgres:\/\/.* is not empty: .*calls \(5 rows\).*; copy-data only fills an empty database \(nothing was copied\)\n$/);

    h = await startHarness({ dbPath: target.db });
    const after = await snapshot(h, [h.base, sqliteBase]);
    assert.deepEqual(Object.keys(after), Object.keys(before));
    for (const key of Object.keys(before)) assert.deepEqual(after[key], before[key], key);

    // Writing on: a new call, its events and deliveries, and a new application take fresh ids.
    await h.sim(A, 'ring 1s, answer, hangup after 2s');
    h.app.on('/answer', '<Response><Wait length="10"/></Response>');
    h.app.on('/hangup', '');
    assert.equal((await h.call({ to: A })).status, 201);
    await h.waitFor('/hangup');
    await h.settle();
    const calls = (await h.api('GET', 'Call/?limit=20')).body.objects as Array<{ call_uuid: string }>;
    assert.equal(calls.length, 6);
    const uuid = h.app.requests('/answer')[0]!.params.CallUUID!;
    const timeline = await h.api('GET', `Call/${uuid}/Timeline/`);
    assert.equal(timeline.status, 200);
    // The timeline orders events by id: fresh ids above the copied ones keep them in seq order.
    const events = timeline.body.objects.filter((e: any) => e.kind === 'event');
    assert.deepEqual(events.map((e: any) => e.seq), events.map((_: unknown, i: number) => i + 1));
    assert.equal(events.at(-1).type, 'leg.ended');
    const log = await h.api('GET', `Call/${uuid}/Webhook/`);
    assert.deepEqual(
      log.body.objects.map((d: any) => [d.sequence, d.kind, d.status, d.attempt_count]),
      [
        [1, 'ring', 'delivered', 1],
        [2, 'answer', 'delivered', 1],
        [3, 'hangup', 'delivered', 1],
      ],
    );
    assert.equal((await h.api('POST', 'Application/', { app_name: 'after the copy', answer_url: h.app.url('/answer') })).status, 201);
    const apps = (await h.api('GET', 'Application/')).body.objects as Array<{ app_name: string }>;
    assert.deepEqual(apps.map((a) => a.app_name).sort(), ['after the copy', 'support']);
  } finally {
    await h?.close();
    await target.drop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('copy-data refuses bad arguments with exit 2 and a missing file with exit 1', async () => {
  const noTo = await switchboard(['copy-data', '--from', '/nonexistent/x.db']);
  assert.equal(noTo.code, 2);
  assert.match(noTo.stderr, /required option '--to <url>' not specified/);
  const sqliteTo = await switchboard(['copy-data', '--from', '/nonexistent/x.db', '--to', '/tmp/y.db']);
  assert.equal(sqliteTo.code, 2);
  assert.match(sqliteTo.stderr, /^switchboard: --to must be a postgres:\/\/ URL \(got "\/tmp\/y\.db"\)/);
  const missing = await switchboard(['copy-data', '--from', '/nonexistent/x.db', '--to', 'postgres://nobody@127.0.0.1:1/none']);
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr, 'switchboard: no SQLite database at /nonexistent/x.db\n');
});

test('copy-data: rows the target did not take fail the count check, and the copy is rolled back', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-copy-'));
  const file = join(dir, 'switchboard.db');
  const target = await freshTestDb(dir);
  try {
    const source = new SqliteStore(file);
    await source.migrate();
    for (const uuid of ['c1', 'c2']) {
      await source.insertCall(callRow({ call_uuid: uuid }));
      for (let i = 0; i < 3; i++) await source.record({ callUuid: uuid, at: 1_000 + i, type: `e${i}` });
    }
    await source.close();
    // The target drops every event with seq 2 as it arrives: 6 events sent, 4 stored.
    const pgStore = new PgStore(target.db);
    await pgStore.migrate();
    await pgStore.close();
    const client = new pg.Client({ connectionString: target.db });
    await client.connect();
    try {
      await client.query(`create function drop_row() returns trigger language plpgsql as $$ begin return null; end $$`);
      await client.query(`create trigger drop_second before insert on events for each row when (new.seq = 2) execute function drop_row()`);
      const r = await switchboard(['copy-data', '--from', file, '--to', target.db, '--json']);
      assert.equal(r.code, 1, r.stderr);
      const result = JSON.parse(r.stdout);
      assert.equal(result.ok, false);
      assert.deepEqual(result.tables.filter((t: any) => t.source !== t.target), [{ table: 'events', source: 6, target: 4 }]);
      assert.match(r.stderr, /^switchboard: row counts differ \(events 6 -> 4\): the copy was rolled back and postgres:\/\/.* is empty again\n$/);
      const left = await client.query('select (select count(*) from calls)::int as calls, (select count(*) from events)::int as events');
      assert.deepEqual(left.rows[0], { calls: 0, events: 0 });
    } finally {
      await client.end();
    }
  } finally {
    await target.drop();
    rmSync(dir, { recursive: true, force: true });
  }
});
