/**
 * A crash loses no status report (DESIGN.md "Every status is an event", engine.md §2 "engine
 * restarted while the call was live", §3). First on a database as a crash leaves it, in-process and
 * on the virtual clock; then with real processes: `serve` is killed with SIGKILL in the middle of a
 * burst of calls at a seeded moment, restarted on the same database, and what the database says is
 * owed is compared with what the receiver got.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startHarness } from './support/harness.ts';
import { startAppServer, type AppServer, type CapturedRequest, type Reply } from './support/app-server.ts';
import { sleep, waitUntil } from './support/delivery-log.ts';
import { startServe, type ServeProcess } from './support/serve-process.ts';
import { openStore } from '../src/store/open-store.ts';
import { freshTestDb } from './support/test-db.ts';
import type { CallRow, DeliveryRow, Store } from '../src/store/store.ts';
import { callRow } from './support/call-rows.ts';
import { seededRandom } from '../src/network/simulated/prng.ts';

const LIVE = new Set(['queued', 'ringing', 'in-progress']);
const RESTART = { hangup_cause: 'NORMAL_TEMPORARY_FAILURE', hangup_cause_code: 8010, hangup_cause_name: 'Engine Restart', hangup_source: 'Error' };

function eventId(r: CapturedRequest): string {
  return r.headers['x-switchboard-event-id'] ?? '';
}

// ---------------------------------------------------------------------------------------------
// In-process: a database written as a crashed engine leaves it.

/** The harness's VirtualClock starts here; the restart happens at this instant. */
const T0 = Date.UTC(2026, 0, 1, 0, 0, 0);

function liveRow(o: Partial<CallRow> & Pick<CallRow, 'call_uuid' | 'to_number' | 'call_status'>): CallRow {
  return callRow({
    request_uuid: `${o.call_uuid.slice(0, 30)}aaaaaa`,
    from_number: '15550000000',
    caller_name: '15550000000',
    call_state: o.call_status === 'in-progress' ? 'ANSWER' : 'RINGING',
    initiation_time: T0 - 10_000,
    ring_time: T0 - 9_000,
    params: '{}',
    ...o,
  });
}

test('restart closes what a crash left live with 8010, resumes owed notifications, fails a pending fetch', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-crash-'));
  const testDb = await freshTestDb(dir);
  const db = testDb.db;
  const app = await startAppServer();
  const hangupUrl = app.url('/hangup');
  const P = '11111111-1111-4111-8111-111111111111'; // answered 6 s before the crash
  const R = '22222222-2222-4222-8222-222222222222'; // P's B leg, bridged
  const Q = '33333333-3333-4333-8333-333333333333'; // ringing, a ring report and the answer fetch owed
  const S = '44444444-4444-4444-8444-444444444444'; // live on another node: not ours to close
  try {
    const seed = openStore(db);
    await seed.migrate();
    const urls = JSON.stringify({ answerUrl: app.url('/answer'), hangupUrl, hangupMethod: 'POST' });
    await seed.insertCall(liveRow({ call_uuid: P, to_number: '15551110001', call_status: 'in-progress', answer_time: T0 - 6_000, params: urls }));
    await seed.insertCall(liveRow({ call_uuid: R, to_number: '15552220001', call_status: 'in-progress', answer_time: T0 - 4_000, parent_call_uuid: P, dial_position: 1 }));
    await seed.insertCall(liveRow({ call_uuid: Q, to_number: '15551110002', call_status: 'ringing', params: urls }));
    await seed.insertCall(liveRow({ call_uuid: S, to_number: '15551110003', call_status: 'ringing', params: urls, node_id: 'node-2' }));
    const owed = await seed.record({
      callUuid: Q,
      at: T0 - 9_000,
      type: 'leg.ringing',
      deliveries: [{ id: 'aaaaaaaa-0000-4000-8000-000000000001', kind: 'ring', event: 'Ring', url: app.url('/ring'), method: 'POST', params: { CallUUID: Q, Event: 'Ring' }, synchronous: false }],
    });
    await seed.record({
      callUuid: Q,
      at: T0 - 8_000,
      type: 'leg.answered',
      deliveries: [{ id: 'aaaaaaaa-0000-4000-8000-000000000002', kind: 'answer', event: 'StartApp', url: app.url('/answer'), method: 'POST', params: { CallUUID: Q, Event: 'StartApp' }, synchronous: true }],
    });
    await seed.close();

    const h = await startHarness({ dbPath: db });
    try {
      await app.waitFor((_r, all) => all.filter((r) => r.path === '/hangup').length >= 2);
      await h.settle();
      const store = h.engine.store;

      const p = (await store.getCall(P))!;
      const q = (await store.getCall(Q))!;
      const r = (await store.getCall(R))!;
      for (const [row, status] of [[p, 'completed'], [q, 'failed'], [r, 'completed']] as const) {
        assert.deepEqual(
          { status: row.call_status, end: row.end_time, cause: row.hangup_cause, code: row.hangup_cause_code, name: row.hangup_cause_name, source: row.hangup_source },
          { status, end: T0, cause: RESTART.hangup_cause, code: 8010, name: 'Engine Restart', source: 'Error' },
        );
        const ended = (await store.listEvents(row.call_uuid)).filter((e) => e.type === 'leg.ended');
        assert.deepEqual(ended.map((e) => JSON.parse(e.data)), [{ reason: 'engine-restart', source: 'Error' }]);
      }
      assert.deepEqual([p.call_duration, q.call_duration, r.call_duration], [6, 0, 4]);
      assert.equal((await store.getCall(S))!.call_status, 'ringing', 'a call of another node is left to that node');

      // Q's owed ring report went out first, in its sequence; the answer fetch died with the process.
      assert.deepEqual(app.requests('/ring').map((x) => [eventId(x), x.headers['x-switchboard-sequence']]), [[owed.deliveries[0]!.id, '1']]);
      assert.equal(app.requests('/answer').length, 0);
      const [ring, answer, qHangup] = (await store.listDeliveries(Q)).sort((a, b) => a.seq - b.seq);
      assert.deepEqual([ring!.status, answer!.status, answer!.last_error], ['delivered', 'failed', 'engine restarted while the request was pending']);
      assert.deepEqual([qHangup!.kind, qHangup!.seq, qHangup!.status], ['hangup', 3, 'delivered']);
      assert.deepEqual((await store.listDeliveries(R)).length, 0, 'a B leg has no hangup_url of its own');

      const hangups = app.requests('/hangup');
      const byCall = new Map(hangups.map((x) => [x.params.CallUUID, x]));
      assert.deepEqual(
        [P, Q].map((u) => {
          const x = byCall.get(u)!;
          return [x.params.CallStatus, x.params.HangupCause, x.params.HangupCauseCode, x.params.HangupCauseName, x.params.HangupSource, x.params.Duration, x.params.BillDuration];
        }),
        [
          ['completed', 'NORMAL_TEMPORARY_FAILURE', '8010', 'Engine Restart', 'Error', '6', '60'],
          ['failed', 'NORMAL_TEMPORARY_FAILURE', '8010', 'Engine Restart', 'Error', '0', '0'],
        ],
      );
    } finally {
      await h.close();
    }
  } finally {
    await app.close();
    await testDb.drop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test(
  'a call closed at restart reports its hangup exactly once',
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-crash-'));
    const testDb = await freshTestDb(dir);
  const db = testDb.db;
    const app = await startAppServer();
    try {
      const seed = openStore(db);
      await seed.migrate();
      const urls = JSON.stringify({ hangupUrl: app.url('/hangup'), hangupMethod: 'POST' });
      const uuids = Array.from({ length: 5 }, (_, i) => `55555555-5555-4555-8555-00000000000${i}`);
      for (const [i, u] of uuids.entries()) await seed.insertCall(liveRow({ call_uuid: u, to_number: `1555111000${i}`, call_status: 'ringing', params: urls }));
      await seed.close();
      const h = await startHarness({ dbPath: db });
      try {
        await app.waitFor((_r, all) => all.filter((r) => r.path === '/hangup').length >= 5);
        await h.settle();
        const hangups = app.requests('/hangup');
        assert.deepEqual(
          hangups.map((r) => `${r.params.CallUUID}#${r.headers['x-switchboard-attempt']}`).sort(),
          uuids.map((u) => `${u}#1`),
          'one request per call: the invariant of engine.md §2 (hangup_url called exactly once per call)',
        );
      } finally {
        await h.close();
      }
    } finally {
      await app.close();
      await testDb.drop();
    rmSync(dir, { recursive: true, force: true });
    }
  },
);

// ---------------------------------------------------------------------------------------------
// Real processes: kill -9 in the middle of a burst, restart on the same database.

/** The engine's one seeded generator (network/simulated/prng.ts): the same seed, the same numbers. */
function prng(seed: number): () => number {
  return seededRandom(seed).next;
}

const AUTH_ID = 'MACRASHTEST000000001';
const AUTH_TOKEN = 'crash-test-auth-token-0123456789abcdefgh';
const TALK = '15553000001';
const BUSY = '15553000002';
const DIALER = '15553000003';
const CALLEE = '15553000004';
const MIXED = '15553000005';
const SCRIPTS: Record<string, string> = {
  [TALK]: 'ring 100-400ms, answer, hangup after 200-800ms',
  [BUSY]: 'busy',
  [DIALER]: 'ring 100-300ms, answer',
  [CALLEE]: 'ring 100-300ms, answer, hangup after 300-900ms',
  [MIXED]: '50% ring 100-300ms, answer, hangup after 200-600ms | 25% busy | 25% ring 200-500ms, reject',
};
const DESTINATIONS = [TALK, TALK, BUSY, DIALER, DIALER, MIXED];
const BURST = 30;
/** 3 in CI; `SB_CRASH_ROUNDS=20 node --import tsx --test test/crash-restart.test.ts` for a longer soak. */
const ROUNDS = Number(process.env.SB_CRASH_ROUNDS ?? 3);
const FIRST_SEED = Number(process.env.SB_CRASH_SEED ?? 1);

/** The receiver: every request recorded; which event ids got a 2xx answer. */
interface Receiver {
  app: AppServer;
  ok: Set<string>;
}

async function startReceiver(): Promise<Receiver> {
  const app = await startAppServer();
  const ok = new Set<string>();
  const answered = (fn: (r: CapturedRequest) => Reply) => (r: CapturedRequest): Reply => {
    const reply = fn(r);
    const status = typeof reply === 'string' ? 200 : (reply.status ?? 200);
    if (status >= 200 && status < 300 && !(typeof reply === 'object' && reply.drop)) ok.add(eventId(r));
    return reply;
  };
  app.on('/answer', answered((r) =>
    r.params.To === DIALER
      ? `<Response><Dial action="${app.url('/action')}" callbackUrl="${app.url('/cb')}"><Number>${CALLEE}</Number></Dial></Response>`
      : '<Response><Wait length="3"/></Response>',
  ));
  // Ordinary hangup reports and ring reports fail their first attempt, so a kill finds some in
  // backoff even when few calls got going before it (a loaded machine, a slower store).
  app.on('/hangup', answered((r) => (r.params.HangupCauseCode !== '8010' && r.headers['x-switchboard-attempt'] === '1' ? { status: 503 } : 'ok')));
  app.on('/ring', answered((r) => (r.headers['x-switchboard-attempt'] === '1' ? { status: 503 } : '<Response/>')));
  for (const path of ['/cb', '/action']) app.on(path, answered(() => '<Response/>'));
  return { app, ok };
}

interface RoundResult {
  seed: number;
  placed: number;
  killAfterMs: number;
  legs: number;
  liveAtKill: number;
  pendingAtKill: number;
  notifications: number;
  duplicateRestartHangups: number;
}

async function allRows(store: Store): Promise<CallRow[]> {
  return (await store.listCalls({ limit: 1_000_000, offset: 0 })).rows;
}

test(`kill -9 during a burst of ${BURST} calls, restart on the same database (${ROUNDS} seeded rounds)`, { timeout: 40_000 + ROUNDS * 30_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-crash-'));
  const testDb = await freshTestDb(dir);
  const db = testDb.db;
  const receiver = await startReceiver();
  const { app } = receiver;
  const known = new Set<string>();
  const results: RoundResult[] = [];
  let server: ServeProcess | undefined;
  try {
    server = await startServe({ db, authId: AUTH_ID, authToken: AUTH_TOKEN, seed: FIRST_SEED });
    for (const [number, script] of Object.entries(SCRIPTS)) {
      const res = await server.api('POST', 'Simulator/Number/', { number, script });
      assert.equal(res.status, 201, JSON.stringify(res.body));
    }

    for (let round = 0; round < ROUNDS; round++) {
      const seed = FIRST_SEED + round;
      await t.test(`seed ${seed}`, async () => {
        const rng = prng(seed);
        const destinations = Array.from({ length: BURST }, () => DESTINATIONS[Math.floor(rng() * DESTINATIONS.length)]!);
        const killAfterMs = 100 + Math.floor(rng() * 1200);
        const victim = server!;

        const started = performance.now();
        const posts = Promise.allSettled(
          destinations.map((to) =>
            victim.api('POST', 'Call/', {
              from: '+15550000000',
              to,
              answer_url: app.url('/answer'),
              ring_url: app.url('/ring'),
              hangup_url: app.url('/hangup'),
            }),
          ),
        );
        const ringsBefore = app.requests('/ring').length;
        await sleep(Math.max(0, killAfterMs - (performance.now() - started)));
        // On a loaded machine few calls may have rung by the seeded moment: the kill then waits (15 s
        // at most) for a ring report of this burst, which fails its first attempt, so that it lands on
        // live calls and an owed notification whatever the machine's speed.
        await app.waitFor((_r, all) => all.filter((r) => r.path === '/ring').length > ringsBefore, 15_000).catch(() => undefined);
        await victim.kill('SIGKILL');
        const placed = (await posts).filter((p) => p.status === 'fulfilled' && p.value.status === 201).length;

        // What the restarted engine will find: the database exactly as the kill left it.
        const reader = openStore(db);
        try {
          const liveAtKill = new Map((await reader.listLiveCalls()).map((c) => [c.call_uuid, c]));
          const pendingAtKill = await reader.listPendingDeliveries();

          server = await startServe({ db, authId: AUTH_ID, authToken: AUTH_TOKEN, seed: seed + 1000 });
          const restarted = server;
          await waitUntil(
            'no call live and the outbox drained after the restart',
            async () => {
              const live = await restarted.api('GET', 'Call/?status=live');
              const queued = await restarted.api('GET', 'Call/?status=queued');
              if (live.body.calls.length > 0 || queued.body.calls.length > 0) return undefined;
              return (await reader.listPendingDeliveries()).length === 0 ? true : undefined;
            },
            20_000,
            50,
          );

          const recoveredLog = restarted.logs().find((l) => l.msg === 'closed calls that were live when the engine stopped');
          assert.equal(recoveredLog?.recovered ?? 0, liveAtKill.size, 'the restart closed exactly the calls the database had live');

          const rows = (await allRows(reader)).filter((c) => !known.has(c.call_uuid));
          const aLegs = rows.filter((c) => c.parent_call_uuid === null);
          assert.ok(aLegs.length >= placed, `${aLegs.length} A legs stored for ${placed} accepted requests`);
          let notifications = 0;
          let duplicateRestartHangups = 0;

          for (const c of rows) {
            const label = `${c.parent_call_uuid === null ? 'A' : 'B'} leg ${c.call_uuid} to ${c.to_number}`;
            assert.ok(c.end_time !== null && !LIVE.has(c.call_status), `${label}: final CDR (${c.call_status})`);
            const ended = (await reader.listEvents(c.call_uuid)).filter((e) => e.type === 'leg.ended');
            assert.equal(ended.length, 1, `${label}: one leg.ended event`);
            const atKill = liveAtKill.get(c.call_uuid);
            if (atKill) {
              assert.deepEqual(
                { status: c.call_status, cause: c.hangup_cause, code: c.hangup_cause_code, name: c.hangup_cause_name, source: c.hangup_source },
                { status: atKill.answer_time !== null ? 'completed' : 'failed', cause: RESTART.hangup_cause, code: 8010, name: RESTART.hangup_cause_name, source: 'Error' },
                label,
              );
            } else {
              assert.notEqual(c.hangup_cause_code, 8010, `${label}: ended before the kill, not by the restart`);
            }

            const deliveries = await reader.listDeliveries(c.call_uuid);
            for (const d of deliveries) {
              if (d.synchronous === 1) {
                assert.ok(d.status === 'delivered' || d.status === 'failed', `${label}: fetch ${d.kind} settled (${d.status})`);
                continue;
              }
              notifications++;
              assert.equal(d.status, 'delivered', `${label}: ${d.kind} ${d.id} delivered`);
              assert.ok(receiver.ok.has(d.id), `${label}: ${d.kind} ${d.id} reached the receiver with a 2xx`);
            }

            if (c.parent_call_uuid !== null) continue;
            // The hangup_url is called for exactly one hangup report per call (engine.md §2).
            const hangups: DeliveryRow[] = deliveries.filter((d) => d.kind === 'hangup');
            assert.equal(hangups.length, 1, `${label}: one hangup report`);
            const got = app.requests('/hangup').filter((r) => r.params.CallUUID === c.call_uuid);
            assert.deepEqual(new Set(got.map(eventId)), new Set([hangups[0]!.id]), `${label}: the receiver saw that one report`);
            if (atKill) {
              assert.deepEqual(new Set(got.map((r) => r.params.HangupCauseCode)), new Set(['8010']), `${label}: hangup_url told 8010`);
              assert.equal(new Set(got.map((r) => r.params.HangupCauseName)).size, 1);
              duplicateRestartHangups += got.length - 1;
              const cdr = await restarted.api('GET', `Call/${c.call_uuid}/`);
              assert.deepEqual([cdr.status, cdr.body.hangup_cause_code, cdr.body.hangup_cause_name], [200, 8010, 'Engine Restart'], label);
            }
          }
          assert.deepEqual(await reader.listPendingDeliveries(), []);

          for (const c of rows) known.add(c.call_uuid);
          const result: RoundResult = {
            seed,
            placed,
            killAfterMs,
            legs: rows.length,
            liveAtKill: liveAtKill.size,
            pendingAtKill: pendingAtKill.length,
            notifications,
            duplicateRestartHangups,
          };
          results.push(result);
          t.diagnostic(JSON.stringify(result));
        } finally {
          await reader.close();
        }
      });
    }
    // The rounds are only worth their time if kills land on live calls and owed reports.
    assert.ok(results.some((r) => r.liveAtKill > 0), 'some kill found live calls');
    assert.ok(results.some((r) => r.pendingAtKill > 0), 'some kill found owed notifications');
  } finally {
    await server?.kill('SIGKILL');
    await app.close();
    await testDb.drop();
    rmSync(dir, { recursive: true, force: true });
  }
});
