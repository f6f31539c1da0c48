/**
 * Several nodes on one PostgreSQL (docs/scaling.md), with three real `serve` processes: control from
 * any node, kill -9 with calls in every state, SIGSTOP past the lease (fencing), SIGTERM draining.
 * Needs SWITCHBOARD_TEST_PG (scripts/pg-cluster.sh start prints one); skipped without it.
 *
 * Leases are 3 s here (the default is 10 s) so takeovers happen within a test's patience; nothing
 * else is shortened.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { TEST_PG, freshTestDb, type TestDb } from './support/test-db.ts';
import { startServe, type ServeProcess } from './support/serve-process.ts';
import { startAppServer, type AppServer, type CapturedRequest } from './support/app-server.ts';
import { waitUntil } from './support/delivery-log.ts';
import { apiClient } from './support/api-client.ts';
import { PgStore } from '../src/store/pg-store.ts';
import type { CallRow } from '../src/store/store.ts';

const SKIP = TEST_PG ? false : 'needs SWITCHBOARD_TEST_PG (a PostgreSQL server URL: bash scripts/pg-cluster.sh start)';
const AUTH_ID = 'MACLUSTERTEST0000001';
const AUTH_TOKEN = 'cluster-test-auth-token-0123456789abcd';
const SECRET = 'cluster-test-secret-0123456789';
const LEASE = '3s';
const LIVE = new Set(['queued', 'ringing', 'in-progress']);

const STAYS = '15554000001'; // answers and stays until hung up
const RINGS = '15554000002'; // rings for a minute
const DIALER = '15554000003'; // answers; its XML dials CALLEE
const CALLEE = '15554000004'; // answers and stays
const SHORT = '15554000005'; // answers, hangs up after 300 ms
const PAUSED = '15554000006'; // answers, hangs up after 4 s (its hangup falls into the pause)
const SCRIPTS: Record<string, string> = {
  [STAYS]: 'ring 100ms, answer, hangup after 120s',
  [RINGS]: 'ring 60s, answer',
  [DIALER]: 'ring 100ms, answer, hangup after 120s',
  [CALLEE]: 'ring 100ms, answer, hangup after 120s',
  [SHORT]: 'ring 100ms, answer, hangup after 300ms',
  [PAUSED]: 'ring 100ms, answer, hangup after 4s',
};

const HAPROXY = ['/usr/sbin/haproxy', '/usr/bin/haproxy', '/usr/local/sbin/haproxy'].find((p) => existsSync(p));

/** HAProxy in front of the nodes' APIs, round robin (as scripts/cluster.sh runs it). */
async function startHaproxy(c: Cluster): Promise<{ base: string; stop: () => Promise<void> }> {
  const port = await new Promise<number>((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const p = (srv.address() as AddressInfo).port;
      srv.close(() => resolve(p));
    });
  });
  const cfg = join(c.dir, 'haproxy.cfg');
  writeFileSync(cfg, [
    'defaults', '  mode http', '  timeout connect 2s', '  timeout client 30s', '  timeout server 30s',
    'frontend api', `  bind 127.0.0.1:${port}`, '  default_backend nodes',
    'backend nodes', '  balance roundrobin',
    ...c.nodes.map((n, i) => `  server n${i + 1} 127.0.0.1:${n.port}`),
  ].join('\n') + '\n');
  const child = spawn(HAPROXY!, ['-db', '-f', cfg], { stdio: 'ignore' });
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  const base = `http://127.0.0.1:${port}`;
  await waitUntil('haproxy listening', async () => ((await fetch(`${base}/health`).catch(() => undefined))?.ok ? true : undefined), 10_000, 50);
  return {
    base,
    stop: async () => {
      if (child.exitCode === null) process.kill(child.pid!, 'SIGTERM');
      await exited;
    },
  };
}

function eventId(r: CapturedRequest): string {
  return r.headers['x-switchboard-event-id'] ?? '';
}

interface Cluster {
  dir: string;
  db: TestDb;
  app: AppServer;
  store: PgStore;
  nodes: ServeProcess[];
  /** Hangup reports answered 503 while this is true (a report in backoff). */
  failHangups: { on: boolean };
  /** Event ids answered 2xx, with how many times. */
  delivered: Map<string, number>;
}

async function startNode(c: Pick<Cluster, 'db'>, id: string): Promise<ServeProcess> {
  const node = await startServe({
    db: c.db.db,
    authId: AUTH_ID,
    authToken: AUTH_TOKEN,
    seed: 1,
    extraArgs: ['--node-id', id, '--cluster-secret', SECRET, '--node-lease', LEASE, '--grace', '30s'],
    startTimeoutMs: 60_000,
  });
  return node;
}

async function startCluster(): Promise<Cluster> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-cluster-'));
  const db = await freshTestDb(dir);
  const app = await startAppServer();
  const failHangups = { on: false };
  const delivered = new Map<string, number>();
  const ok = (r: CapturedRequest) => delivered.set(eventId(r), (delivered.get(eventId(r)) ?? 0) + 1);
  app.on('/answer', (r) => {
    ok(r);
    return r.params.To === DIALER
      ? `<Response><Dial><Number>${CALLEE}</Number></Dial></Response>`
      : '<Response><Wait length="120"/></Response>';
  });
  app.on('/hangup', (r) => {
    if (failHangups.on) return { status: 503 };
    ok(r);
    return 'ok';
  });
  const nodes: ServeProcess[] = [];
  // One at a time: the first migrates; the others find the schema in place.
  for (const id of ['n1', 'n2', 'n3']) nodes.push(await startNode({ db }, id));
  // Set through node 1 only: the others reload them when it tells them (cluster/config-relay.ts).
  for (const [number, script] of Object.entries(SCRIPTS)) assert.equal((await nodes[0]!.api('POST', 'Simulator/Number/', { number, script })).status, 201);
  const reloads = (n: ServeProcess) => n.logs().filter((l) => l.msg === 'reloaded configuration changed on another node' && l.kind === 'sim').length;
  for (const n of nodes.slice(1)) await waitUntil(`node ${n.port} reloaded the scripts`, () => (reloads(n) === Object.keys(SCRIPTS).length ? true : undefined), 10_000, 20);
  const store = new PgStore(db.db);
  return { dir, db, app, store, nodes, failHangups, delivered };
}

async function stopCluster(c: Cluster | undefined): Promise<void> {
  if (!c) return;
  if (process.env.SB_CLUSTER_LOGS) {
    // For a failure's post-mortem: each node's log, outside the repository.
    for (const [i, n] of c.nodes.entries()) writeFileSync(join(process.env.SB_CLUSTER_LOGS, `n${i + 1}-${n.pid}.log`), n.output());
  }
  for (const n of c.nodes) {
    if (n.child.signalCode === 'SIGSTOP') process.kill(n.pid, 'SIGCONT');
    await n.kill('SIGKILL').catch(() => undefined);
  }
  await c.store.close();
  await c.app.close();
  await c.db.drop();
  rmSync(c.dir, { recursive: true, force: true });
}

async function place(node: ServeProcess, app: AppServer, to: string): Promise<string> {
  const res = await node.api('POST', 'Call/', { from: '+15550000000', to, answer_url: app.url('/answer'), hangup_url: app.url('/hangup') });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.request_uuid as string;
}

/** The A leg a request created, once it is stored. */
async function legOf(c: Cluster, requestUuid: string): Promise<CallRow> {
  return waitUntil(`the call of request ${requestUuid}`, async () => (await c.store.getCallsByRequest(requestUuid))[0], 15_000, 50);
}

async function waitStatus(c: Cluster, uuid: string, ok: (r: CallRow) => boolean, what: string, timeoutMs = 20_000): Promise<CallRow> {
  return waitUntil(`${uuid} ${what}`, async () => {
    const r = await c.store.getCall(uuid);
    return r && ok(r) ? r : undefined;
  }, timeoutMs, 50);
}

async function endedEvents(c: Cluster, uuid: string): Promise<Array<Record<string, unknown>>> {
  return (await c.store.listEvents(uuid)).filter((e) => e.type === 'leg.ended').map((e) => JSON.parse(e.data) as Record<string, unknown>);
}

/** The hangup reports of one call: their distinct event ids and how often each was answered 2xx. */
function hangupReports(c: Cluster, uuid: string): { ids: string[]; delivered: number[] } {
  const ids = [...new Set(c.app.requests('/hangup').filter((r) => r.params.CallUUID === uuid).map(eventId))];
  return { ids, delivered: ids.map((id) => c.delivered.get(id) ?? 0) };
}

describe('three nodes on one PostgreSQL', { skip: SKIP, timeout: 240_000 }, () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster();
  });
  after(() => stopCluster(c));

  test('every node is in the nodes table, live, with its advertised URL', async () => {
    const rows = await c.store.cluster.listNodes();
    assert.deepEqual(
      rows.map((r) => [r.node_id, r.state, r.advertise_url]),
      c.nodes.map((n, i) => [`n${i + 1}`, 'live', n.base]),
    );
  });

  test('a call started on node 1 is listed by node 3, played to and hung up through node 2', async () => {
    const [n1, n2, n3] = c.nodes as [ServeProcess, ServeProcess, ServeProcess];
    const call = await legOf(c, await place(n1, c.app, STAYS));
    assert.equal(call.node_id, 'n1');
    await waitStatus(c, call.call_uuid, (r) => r.call_status === 'in-progress', 'answered');

    const list = await n3.api('GET', 'Call/?status=live');
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.calls, [call.call_uuid]);
    const one = await n3.api('GET', `Call/${call.call_uuid}/?status=live`);
    assert.equal(one.status, 200, JSON.stringify(one.body));
    assert.equal(one.body.call_uuid, call.call_uuid);

    // Forwarded to node 1, which answers exactly as it would itself.
    const play = await n2.api('POST', `Call/${call.call_uuid}/Play/`, { urls: 'https://example.com/a.mp3' });
    assert.deepEqual([play.status, play.body.message], [202, 'play started']);
    const hangup = await n2.api('DELETE', `Call/${call.call_uuid}/`);
    assert.equal(hangup.status, 204, JSON.stringify(hangup.body));

    const ended = await waitStatus(c, call.call_uuid, (r) => !LIVE.has(r.call_status), 'ended');
    assert.deepEqual([ended.call_status, ended.hangup_cause_name, ended.hangup_source, ended.node_id], ['completed', 'Normal Hangup', 'API Request', 'n1']);
    await waitUntil('the hangup report', () => (hangupReports(c, call.call_uuid).delivered[0] === 1 ? true : undefined), 10_000, 50);
    assert.deepEqual(hangupReports(c, call.call_uuid).delivered, [1]);
    const cdr = await n3.api('GET', `Call/${call.call_uuid}/`);
    assert.deepEqual([cdr.status, cdr.body.hangup_cause_name], [200, 'Normal Hangup']);
    // The live list of every node is empty again.
    for (const n of c.nodes) assert.deepEqual((await n.api('GET', 'Call/?status=live')).body.calls, []);
  });

  test('a request cancelled through node 3 and a hang-up-all through node 2 reach the calls of every node', async () => {
    const [n1, n2, n3] = c.nodes as [ServeProcess, ServeProcess, ServeProcess];
    const request = await place(n1, c.app, RINGS);
    const ringing = await legOf(c, request);
    await waitStatus(c, ringing.call_uuid, (r) => r.call_status === 'ringing', 'ringing');
    assert.equal((await n3.api('DELETE', `Request/${request}/`)).status, 204);
    const cancelled = await waitStatus(c, ringing.call_uuid, (r) => !LIVE.has(r.call_status), 'cancelled');
    assert.deepEqual([cancelled.hangup_cause_name, cancelled.hangup_source, cancelled.node_id], ['Canceled', 'API Request', 'n1']);

    const on1 = await legOf(c, await place(n1, c.app, STAYS));
    const on3 = await legOf(c, await place(n3, c.app, STAYS));
    for (const leg of [on1, on3]) await waitStatus(c, leg.call_uuid, (r) => r.call_status === 'in-progress', 'answered');
    assert.equal((await n2.api('DELETE', 'Call/')).status, 204);
    for (const [leg, node] of [[on1, 'n1'], [on3, 'n3']] as const) {
      const ended = await waitStatus(c, leg.call_uuid, (r) => !LIVE.has(r.call_status), 'hung up');
      assert.deepEqual([ended.hangup_cause_name, ended.hangup_source, ended.node_id], ['Normal Hangup', 'API Request', node]);
    }
    for (const leg of [ringing, on1, on3]) {
      await waitUntil(`the hangup report of ${leg.call_uuid}`, () => (hangupReports(c, leg.call_uuid).delivered[0] === 1 ? true : undefined), 10_000, 50);
    }
  });

  test('through HAProxy, round robin: calls land on every node and are hung up through whichever node the balancer picks', { skip: HAPROXY ? false : 'haproxy is not installed (apt-get install -y haproxy)' }, async () => {
    const lb = await startHaproxy(c);
    try {
      const api = apiClient(lb.base, AUTH_ID, AUTH_TOKEN);
      const legs: CallRow[] = [];
      for (let i = 0; i < 6; i++) {
        const res = await api('POST', 'Call/', { from: '+15550000000', to: STAYS, answer_url: c.app.url('/answer'), hangup_url: c.app.url('/hangup') });
        assert.equal(res.status, 201, JSON.stringify(res.body));
        legs.push(await legOf(c, res.body.request_uuid as string));
      }
      assert.deepEqual(legs.map((l) => l.node_id).sort(), ['n1', 'n1', 'n2', 'n2', 'n3', 'n3'], 'two calls on each node');
      for (const leg of legs) await waitStatus(c, leg.call_uuid, (r) => r.call_status === 'in-progress', 'answered');
      const listed = await api('GET', 'Call/?status=live');
      assert.deepEqual([...listed.body.calls].sort(), legs.map((l) => l.call_uuid).sort());
      for (const leg of legs) assert.equal((await api('DELETE', `Call/${leg.call_uuid}/`)).status, 204);
      for (const leg of legs) {
        const ended = await waitStatus(c, leg.call_uuid, (r) => !LIVE.has(r.call_status), 'hung up');
        assert.deepEqual([ended.hangup_cause_name, ended.hangup_source], ['Normal Hangup', 'API Request']);
        await waitUntil(`the hangup report of ${leg.call_uuid}`, () => (hangupReports(c, leg.call_uuid).delivered[0] === 1 ? true : undefined), 10_000, 50);
      }
    } finally {
      await lb.stop();
    }
  });

  test('one live feed: a stream on node 3 shows the events of a call that runs on node 1', async () => {
    const [n1, , n3] = c.nodes as [ServeProcess, ServeProcess, ServeProcess];
    const auth = 'Basic ' + Buffer.from(`${AUTH_ID}:${AUTH_TOKEN}`).toString('base64');
    const ac = new AbortController();
    const res = await request(`${n3.base}/v1/Account/${AUTH_ID}/Events/?kind=event`, { headers: { authorization: auth }, signal: ac.signal });
    assert.equal(res.statusCode, 200);
    const seen: Array<Record<string, unknown>> = [];
    let text = '';
    const reading = (async () => {
      try {
        for await (const chunk of res.body) {
          text += chunk.toString();
          for (;;) {
            const end = text.indexOf('\n\n');
            if (end < 0) break;
            const data = text.slice(0, end).split('\n').find((l) => l.startsWith('data: '));
            text = text.slice(end + 2);
            if (data) seen.push(JSON.parse(data.slice(6)) as Record<string, unknown>);
          }
        }
      } catch {
        // aborted
      }
    })();
    try {
      const call = await legOf(c, await place(n1, c.app, SHORT));
      await waitStatus(c, call.call_uuid, (r) => !LIVE.has(r.call_status), 'ended');
      const types = await waitUntil('the call\'s leg.ended on node 3\'s stream', () => {
        const mine = seen.filter((e) => e.call_uuid === call.call_uuid).map((e) => e.type);
        return mine.includes('leg.ended') ? mine : undefined;
      }, 10_000, 50);
      // In the order node 1 recorded them, each once.
      const stored = (await c.store.listEvents(call.call_uuid)).map((e) => e.type);
      assert.deepEqual(types, stored);
    } finally {
      ac.abort();
      await reading;
    }
  });

  test('the internal forward route refuses a request without the cluster secret', async () => {
    const n2 = c.nodes[1]!;
    const body = JSON.stringify({ method: 'DELETE', url: `/v1/Account/${AUTH_ID}/Call/`, headers: {}, body: '' });
    for (const secret of [undefined, 'wrong-secret-0123456789']) {
      const res = await request(`${n2.base}/cluster/v1/Forward/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(secret ? { 'x-switchboard-cluster-secret': secret } : {}) },
        body,
      });
      const json = (await res.body.json()) as { code: string };
      assert.deepEqual([res.statusCode, json.code], [401, 'SB_AUTH_FAILED']);
    }
  });

  test('kill -9 of node 3 with calls ringing, in a Dial and in backoff of a hangup report: one survivor ends them all', async () => {
    const n3 = c.nodes[2]!;
    c.failHangups.on = true;
    const ringing = await legOf(c, await place(n3, c.app, RINGS));
    const dialer = await legOf(c, await place(n3, c.app, DIALER));
    const short = await legOf(c, await place(n3, c.app, SHORT));
    await waitStatus(c, ringing.call_uuid, (r) => r.call_status === 'ringing', 'ringing');
    const bLeg = await waitUntil('the Dial\'s B leg answered', async () => {
      const rows = (await c.store.listCalls({ parent_call_uuid: dialer.call_uuid, limit: 10, offset: 0 })).rows;
      return rows[0]?.call_status === 'in-progress' ? rows[0] : undefined;
    }, 20_000, 50);
    await waitStatus(c, short.call_uuid, (r) => !LIVE.has(r.call_status), 'ended');
    // Its hangup report was refused at least once and waits in backoff.
    await waitUntil('the short call\'s hangup report in backoff', async () => {
      const d = (await c.store.listDeliveries(short.call_uuid)).find((x) => x.kind === 'hangup');
      return d && d.status === 'pending' && d.attempts > 0 ? d : undefined;
    }, 20_000, 50);

    const killedAt = Date.now();
    await n3.kill('SIGKILL');
    c.failHangups.on = false;

    for (const leg of [ringing, dialer, bLeg]) {
      const row = await waitStatus(c, leg.call_uuid, (r) => !LIVE.has(r.call_status), 'closed by a survivor', 20_000);
      assert.deepEqual([row.hangup_cause_code, row.hangup_cause_name], [8010, 'Engine Restart']);
      assert.ok(row.node_id === 'n1' || row.node_id === 'n2', `closed by ${row.node_id}`);
      assert.deepEqual(await endedEvents(c, leg.call_uuid), [{ reason: 'engine-restart', source: 'Error' }], `one final CDR for ${leg.call_uuid}`);
    }
    const takeoverMs = Date.now() - killedAt;
    const n3Row = await c.store.cluster.getNode('n3');
    assert.equal(n3Row?.state, 'dead');
    assert.ok(n3Row?.taken_over_by === 'n1' || n3Row?.taken_over_by === 'n2');
    // Every A leg's hangup report arrives, each exactly once (by X-Switchboard-Event-Id).
    for (const leg of [ringing, dialer, short]) {
      await waitUntil(`the hangup report of ${leg.call_uuid}`, () => (hangupReports(c, leg.call_uuid).delivered[0] === 1 ? true : undefined), 30_000, 50);
    }
    await waitUntil('nothing pending', async () => ((await c.store.listPendingDeliveries()).length === 0 ? true : undefined), 20_000, 100);
    for (const leg of [ringing, dialer, short]) assert.deepEqual(hangupReports(c, leg.call_uuid), { ids: [hangupReports(c, leg.call_uuid).ids[0]!], delivered: [1] });
    assert.equal(short.node_id, 'n3');
    assert.equal((await endedEvents(c, short.call_uuid)).length, 1);
    process.stdout.write(`# takeover after kill -9: ${takeoverMs} ms with a ${LEASE} lease\n`);
  });

  test('control of a call whose node cannot be reached answers SB_OWNER_UNAVAILABLE in Plivo\'s shape', async () => {
    const [n1, n2] = c.nodes as [ServeProcess, ServeProcess];
    const call = await legOf(c, await place(n2, c.app, RINGS));
    await waitStatus(c, call.call_uuid, (r) => r.call_status === 'ringing', 'ringing');
    // n2 is alive (its lease holds) but its advertised URL answers nothing.
    await c.store.cluster.setAdvertiseUrl('n2', (await c.store.cluster.getNode('n2'))!.epoch, 'http://127.0.0.1:1');
    try {
      const res = await n1.api('DELETE', `Call/${call.call_uuid}/`);
      assert.equal(res.status, 503, JSON.stringify(res.body));
      assert.deepEqual(Object.keys(res.body).sort(), ['api_id', 'code', 'error']);
      assert.deepEqual([res.body.code, res.body.error], ['SB_OWNER_UNAVAILABLE', `call ${call.call_uuid}: runs on node n2, which is not answering; it will be ended by the node that takes it over`]);
      assert.equal((await c.store.getCall(call.call_uuid))?.call_status, 'ringing', 'nothing was done');
    } finally {
      await c.store.cluster.setAdvertiseUrl('n2', (await c.store.cluster.getNode('n2'))!.epoch, n2.base);
    }
    // Reachable again: the same request is forwarded and ends the call.
    assert.equal((await n1.api('DELETE', `Call/${call.call_uuid}/`)).status, 204);
    const ended = await waitStatus(c, call.call_uuid, (r) => !LIVE.has(r.call_status), 'ended');
    assert.deepEqual([ended.hangup_cause_name, ended.hangup_source, ended.node_id], ['Canceled', 'API Request', 'n2']);
  });
});

describe('fencing and draining', { skip: SKIP, timeout: 240_000 }, () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster();
  });
  after(() => stopCluster(c));

  test('SIGSTOP past the lease, takeover, SIGCONT: the paused node writes nothing and exits; no duplicate report', async () => {
    const n2 = c.nodes[1]!;
    const call = await legOf(c, await place(n2, c.app, PAUSED));
    await waitStatus(c, call.call_uuid, (r) => r.call_status === 'in-progress', 'answered');
    process.kill(n2.pid, 'SIGSTOP');
    try {
      // Its hangup (4 s after answer) falls due while it is stopped; a survivor takes the call first.
      const closed = await waitStatus(c, call.call_uuid, (r) => !LIVE.has(r.call_status), 'taken over', 20_000);
      assert.equal(closed.hangup_cause_code, 8010);
      await waitUntil('the takeover\'s hangup report', () => (hangupReports(c, call.call_uuid).delivered[0] === 1 ? true : undefined), 20_000, 50);
    } finally {
      process.kill(n2.pid, 'SIGCONT');
    }
    const exit = await n2.exited;
    assert.equal(exit.code, 1, n2.output().slice(-2000));
    assert.match(n2.output(), /is fenced/);
    // No write by the fenced node: one leg.ended (the takeover's), one hangup report delivered once.
    assert.deepEqual(await endedEvents(c, call.call_uuid), [{ reason: 'engine-restart', source: 'Error' }]);
    const events = await c.store.listEvents(call.call_uuid);
    const endedAt = events.findIndex((e) => e.type === 'leg.ended');
    assert.equal(endedAt, events.length - 1, `nothing after the takeover's leg.ended: ${events.map((e) => e.type).join(', ')}`);
    assert.deepEqual(hangupReports(c, call.call_uuid).delivered, [1]);
    const deliveries = await c.store.listDeliveries(call.call_uuid);
    assert.equal(deliveries.filter((d) => d.kind === 'hangup').length, 1);
  });

  test('SIGTERM drains node 1 while node 3 takes new calls', async () => {
    const [n1, , n3] = c.nodes as [ServeProcess, ServeProcess, ServeProcess];
    const call = await legOf(c, await place(n1, c.app, PAUSED));
    await waitStatus(c, call.call_uuid, (r) => r.call_status === 'in-progress', 'answered');
    process.kill(n1.pid, 'SIGTERM');
    await waitUntil('n1 draining', async () => ((await c.store.cluster.getNode('n1'))?.state === 'draining' ? true : undefined), 10_000, 20);
    const refused = await n1.api('POST', 'Call/', { from: '+15550000000', to: STAYS, answer_url: c.app.url('/answer') });
    assert.deepEqual([refused.status, refused.body.code], [503, 'SB_SHUTTING_DOWN']);
    const other = await legOf(c, await place(n3, c.app, SHORT));
    assert.equal(other.node_id, 'n3');
    // n1's call runs to its own end, then n1 exits cleanly and leaves the nodes table.
    const ended = await waitStatus(c, call.call_uuid, (r) => !LIVE.has(r.call_status), 'ended', 20_000);
    assert.deepEqual([ended.hangup_cause_name, ended.node_id], ['Normal Hangup', 'n1']);
    assert.equal((await n1.exited).code, 0);
    assert.equal((await c.store.cluster.getNode('n1'))?.state, 'stopped');
    await waitStatus(c, other.call_uuid, (r) => !LIVE.has(r.call_status), 'ended');
    assert.deepEqual(hangupReports(c, call.call_uuid).delivered, [1]);
  });
});
