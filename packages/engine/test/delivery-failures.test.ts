/**
 * Webhook delivery against a receiver that fails in every way (engine.md §3): refused connections,
 * 5xx, answers slower than `rt`, connections closed before or during the answer, silence. For a
 * notification (hangup_url) the URL policy runs first, then the outbox's backoff (1 s doubling)
 * until `--webhook-retry-for` is spent; for a synchronous fetch (answer_url) only the URL policy.
 * Times are virtual seconds from the API request; delays on the receiver are real and kept short.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from './support/harness.ts';
import type { CapturedRequest, Reply } from './support/app-server.ts';
import { closedPort, deliveriesOf, onlyDelivery, summarize, waitUntil, type AttemptSummary } from './support/delivery-log.ts';
import type { FlagValues } from '../src/config/config.ts';
import type { DeliveryRow } from '../src/store/store.ts';

const A = '15551110001';
const Y = '15551110002';

async function withRig(flags: FlagValues, fn: (h: Harness, origin: number) => Promise<void>): Promise<void> {
  const h = await startHarness({ flags });
  try {
    await fn(h, h.clock.now() - h.t() * 1000);
  } finally {
    await h.close();
  }
}

/** One way for a receiver to fail, and what Plivo's default policy makes of it (plivo.md §2.1). */
interface Failure {
  readonly name: string;
  /** Scripts `path` on the app (or not) and returns the URL to configure, fragment included. */
  readonly url: (h: Harness, path: string) => Promise<string>;
  /** Attempts in one pass of a notification's URL policy (`rc=1`, `rp=ct,rt`). */
  readonly perRound: number;
  /** Attempts of a synchronous fetch: the same policy with 5xx added (scenarios.md S13). */
  readonly perFetch: number;
  readonly status: number | null;
  readonly error: string | null;
  /** Whether the receiver sees the requests at all. */
  readonly reaches: boolean;
  /** The delivery's `last_error` once it gave up. */
  readonly lastError: RegExp;
}

const silent: () => Promise<Reply> = () => new Promise<Reply>(() => {});

const FAILURES: readonly Failure[] = [
  {
    name: 'refused connection',
    url: async () => `http://127.0.0.1:${await closedPort()}/gone`,
    perRound: 2,
    perFetch: 2,
    status: null,
    error: 'ct',
    reaches: false,
    lastError: /^ct: .*ECONNREFUSED/,
  },
  {
    name: '500',
    url: async (h, path) => (h.app.on(path, { status: 500 }), h.app.url(path)),
    perRound: 1,
    perFetch: 2,
    status: 500,
    error: null,
    reaches: true,
    lastError: /^HTTP 500$/,
  },
  {
    name: '503',
    url: async (h, path) => (h.app.on(path, { status: 503, body: 'down for maintenance' }), h.app.url(path)),
    perRound: 1,
    perFetch: 2,
    status: 503,
    error: null,
    reaches: true,
    lastError: /^HTTP 503$/,
  },
  {
    name: 'slower than rt',
    url: async (h, path) => (h.app.on(path, { delayMs: 1000 }), h.app.url(path) + '#rt=200'),
    perRound: 2,
    perFetch: 2,
    status: null,
    error: 'rt',
    reaches: true,
    lastError: /^rt: read timeout: nothing received for rt=200 ms$/,
  },
  {
    name: 'closes before answering',
    url: async (h, path) => (h.app.on(path, { drop: true }), h.app.url(path)),
    perRound: 1,
    perFetch: 1,
    status: null,
    error: 'other',
    reaches: true,
    lastError: /^other: UND_ERR_SOCKET/,
  },
  {
    // A 200 status line, then the connection closes with the body half sent: not a success.
    name: 'closes mid-response',
    url: async (h, path) => (h.app.on(path, { status: 200, body: '<Resp', headers: { 'Content-Length': '64', Connection: 'close' } }), h.app.url(path)),
    perRound: 1,
    perFetch: 1,
    status: 200,
    error: 'other',
    reaches: true,
    lastError: /^other: UND_ERR_RES_CONTENT_LENGTH_MISMATCH/,
  },
  {
    name: 'never answers',
    url: async (h, path) => (h.app.on(path, silent), h.app.url(path) + '#rt=200'),
    perRound: 2,
    perFetch: 2,
    status: null,
    error: 'rt',
    reaches: true,
    lastError: /^rt: read timeout: nothing received for rt=200 ms$/,
  },
];

/** Every attempt of `rounds` passes of the URL policy, numbered on from 1. */
function expectedAttempts(f: Failure, perPass: number, rounds: readonly number[]): AttemptSummary[] {
  const out: AttemptSummary[] = [];
  for (const t of rounds) for (let i = 0; i < perPass; i++) out.push({ attempt: out.length + 1, t, status: f.status, error: f.error });
  return out;
}

function header(r: CapturedRequest, name: string): string | undefined {
  return r.headers[name];
}

/** What the receiver saw of one delivery: attempt numbers, one event id, one sequence, virtual times. */
function assertWire(h: Harness, seen: readonly CapturedRequest[], d: DeliveryRow, want: readonly AttemptSummary[]): void {
  assert.deepEqual(
    seen.map((r) => header(r, 'x-switchboard-attempt')),
    want.map((a) => String(a.attempt)),
  );
  assert.deepEqual(new Set(seen.map((r) => header(r, 'x-switchboard-event-id'))), new Set([d.id]));
  assert.deepEqual(new Set(seen.map((r) => header(r, 'x-switchboard-sequence'))), new Set([String(d.seq)]));
  assert.deepEqual(
    seen.map((r) => h.at(r)),
    want.map((a) => a.t),
  );
  // A fresh nonce per attempt (engine.md §3), so no two attempts carry the same signature.
  assert.equal(new Set(seen.map((r) => header(r, 'x-plivo-signature-v3-nonce'))).size, seen.length);
}

async function deadDelivery(h: Harness, callUuid: string, kind: string): Promise<DeliveryRow> {
  return waitUntil(`the ${kind} delivery of ${callUuid} is dead`, async () => {
    const rows = await deliveriesOf(h.engine.store, callUuid, kind);
    return rows.length === 1 && rows[0]!.status === 'dead' ? rows[0] : undefined;
  });
}

/** A: rings at 0, answers at 1, waits 2 s, and the document ends at 3 (hangup_url then). */
async function answeredCall(h: Harness, params: Record<string, unknown> = {}): Promise<string> {
  await h.sim(A, 'ring 1s, answer');
  h.app.on('/answer', '<Response><Wait length="2"/></Response>');
  const res = await h.call({ to: A, ...params });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  const [ring] = await h.waitFor('/ring');
  return ring!.params.CallUUID!;
}

for (const f of FAILURES) {
  test(`hangup_url, ${f.name}: URL policy, then backoff at +1 s, +2 s, +4 s, then dead after --webhook-retry-for 10s`, async () => {
    await withRig({ 'webhook-retry-for': '10s' }, async (h, origin) => {
      const url = await f.url(h, '/hangup-bad');
      const uuid = await answeredCall(h, { hangup_url: url });
      const d = await deadDelivery(h, uuid, 'hangup');
      await h.settle();

      // Created at 3; the next pass would be due at 3 + 15 = 18, beyond 3 + 10: dead at 10.
      const want = expectedAttempts(f, f.perRound, [3, 4, 6, 10]);
      assert.deepEqual(summarize(await h.engine.store.listAttempts(d.id), origin), want);
      assert.deepEqual(
        { seq: d.seq, event: d.event, attempts: d.attempts, created: (d.created_at - origin) / 1000, completed: (d.completed_at! - origin) / 1000, next: d.next_attempt_at },
        { seq: 3, event: 'Hangup', attempts: want.length, created: 3, completed: 10, next: null },
      );
      assert.match(d.last_error ?? '', f.lastError);
      const seen = h.app.requests('/hangup-bad');
      if (f.reaches) assertWire(h, seen, d, want);
      else assert.equal(seen.length, 0);
      // The rest of the call was reported as usual, in sequence.
      assert.deepEqual(
        h.app.requests().filter((r) => r.path !== '/hangup-bad').map((r) => `${r.path}@${h.at(r)}#${header(r, 'x-switchboard-sequence')}`),
        ['/ring@0#1', '/answer@1#2'],
      );
    });
  });
}

test('hangup_url with --webhook-retry-for 0: dead right after the URL policy, no backoff', async () => {
  for (const f of FAILURES.filter((x) => ['refused connection', '503', 'never answers'].includes(x.name))) {
    await withRig({ 'webhook-retry-for': '0' }, async (h, origin) => {
      const uuid = await answeredCall(h, { hangup_url: await f.url(h, '/hangup-bad') });
      const d = await deadDelivery(h, uuid, 'hangup');
      await h.settle();
      const want = expectedAttempts(f, f.perRound, [3]);
      assert.deepEqual(summarize(await h.engine.store.listAttempts(d.id), origin), want, f.name);
      assert.deepEqual([(d.completed_at! - origin) / 1000, d.attempts], [3, want.length], f.name);
      assert.match(d.last_error ?? '', f.lastError);
      if (f.reaches) assertWire(h, h.app.requests('/hangup-bad'), d, want);
    });
  }
});

for (const f of FAILURES) {
  test(`answer_url, ${f.name}: only the URL policy, then the call ends with 5000`, async () => {
    await withRig({}, async (h, origin) => {
      const url = await f.url(h, '/answer-bad');
      const uuid = await answeredCall(h, { answer_url: url });
      await h.waitFor('/hangup');
      await h.settle();

      const d = await onlyDelivery(h.engine.store, uuid, 'answer');
      const want = expectedAttempts(f, f.perFetch, [1]);
      assert.deepEqual(summarize(await h.engine.store.listAttempts(d.id), origin), want);
      assert.deepEqual(
        { status: d.status, synchronous: d.synchronous, seq: d.seq, attempts: d.attempts, completed: (d.completed_at! - origin) / 1000 },
        { status: 'failed', synchronous: 1, seq: 2, attempts: want.length, completed: 1 },
      );
      assert.match(d.last_error ?? '', f.lastError);
      if (f.reaches) assertWire(h, h.app.requests('/answer-bad'), d, want);
      else assert.equal(h.app.requests('/answer-bad').length, 0);

      const reports = h.app.requests().filter((r) => r.path !== '/answer-bad');
      assert.deepEqual(
        reports.map((r) => `${r.path}@${h.at(r)}#${header(r, 'x-switchboard-sequence')}`),
        ['/ring@0#1', '/hangup@1#3'],
      );
      const hangup = reports[1]!;
      assert.deepEqual(
        [hangup.params.CallStatus, hangup.params.HangupCause, hangup.params.HangupCauseCode, hangup.params.HangupCauseName, hangup.params.HangupSource],
        ['completed', 'NORMAL_TEMPORARY_FAILURE', '5000', 'Answer URL Failed', 'Error'],
      );
    });
  });
}

test('a notification fragment (rc=3, rp=5xx) runs four attempts per pass before the outbox backs off', async () => {
  await withRig({}, async (h, origin) => {
    h.app.on('/hangup', [{ status: 500 }, { status: 500 }, { status: 500 }, { status: 502 }, { status: 503 }, { status: 200, body: 'ok' }]);
    const uuid = await answeredCall(h, { hangup_url: h.app.url('/hangup') + '#rc=3&rp=5xx' });
    await h.waitFor('/hangup', 6);
    await h.settle();
    const d = await onlyDelivery(h.engine.store, uuid, 'hangup');
    assert.deepEqual(
      summarize(await h.engine.store.listAttempts(d.id), origin).map((a) => [a.attempt, a.t, a.status]),
      [[1, 3, 500], [2, 3, 500], [3, 3, 500], [4, 3, 502], [5, 4, 503], [6, 4, 200]],
    );
    assert.deepEqual([d.status, d.attempts, (d.completed_at! - origin) / 1000], ['delivered', 6, 4]);
    assert.deepEqual(h.app.requests('/hangup').map((r) => header(r, 'x-switchboard-attempt')), ['1', '2', '3', '4', '5', '6']);
  });
});

test('Retry-After on a 503 sets the next pass when it is longer than the backoff', async () => {
  await withRig({}, async (h, origin) => {
    h.app.on('/hangup', [{ status: 503, headers: { 'Retry-After': '5' } }, { status: 503 }, { status: 204 }]);
    const uuid = await answeredCall(h);
    await h.waitFor('/hangup', 3);
    await h.settle();
    const d = await onlyDelivery(h.engine.store, uuid, 'hangup');
    // 3, then 3 + 5 (Retry-After beats 1 s), then 8 + 2 (the second backoff step).
    assert.deepEqual(summarize(await h.engine.store.listAttempts(d.id), origin).map((a) => [a.t, a.status]), [[3, 503], [8, 503], [10, 204]]);
    assert.equal(d.status, 'delivered');
  });
});

/**
 * A receiver that fails the first `n` attempts of every event (by `X-Switchboard-Event-Id`) in
 * the given way, then answers `ok`. Deterministic whatever the order requests arrive in.
 */
function flaky(n: number, failure: Reply, ok: Reply): (r: CapturedRequest) => Reply {
  const seen = new Map<string, number>();
  return (r) => {
    const id = r.headers['x-switchboard-event-id'] ?? '';
    const k = (seen.get(id) ?? 0) + 1;
    seen.set(id, k);
    return k <= n ? failure : ok;
  };
}

/** The requests the receiver answered with 2xx, by the reply the route chose. */
function successes(h: Harness, failedAttempts: ReadonlyMap<string, number>): CapturedRequest[] {
  const counts = new Map<string, number>();
  return h.app.requests().filter((r) => {
    const id = r.headers['x-switchboard-event-id'] ?? '';
    const k = (counts.get(id) ?? 0) + 1;
    counts.set(id, k);
    return k > (failedAttempts.get(r.path) ?? 0);
  });
}

test('flaky receiver within the URL policy: a call reaches the app in sequence order, each report once with a 2xx', async () => {
  await withRig({}, async (h) => {
    const B = '15552220001';
    await h.sim(A, 'ring 1s, answer');
    await h.sim(B, 'ring 2s, answer, hangup after 4s');
    const policy = '#rc=3&rp=all';
    // Every path fails each event twice (two different ways), then succeeds on the third try.
    const fails = new Map([['/ring', 2], ['/answer', 2], ['/cb', 2], ['/action', 2], ['/hangup', 2]]);
    h.app.on('/ring', flaky(2, { status: 503 }, 'ok'));
    const inXml = policy.replace('&', '&amp;');
    h.app.on('/answer', flaky(2, { status: 404 }, `<Response><Dial action="${h.app.url('/action')}${inXml}" callbackUrl="${h.app.url('/cb')}${inXml}"><Number>${B}</Number></Dial></Response>`));
    h.app.on('/cb', flaky(2, { status: 500 }, 'ok'));
    h.app.on('/action', flaky(2, { status: 429 }, '<Response/>'));
    h.app.on('/hangup', flaky(2, { delayMs: 1000 }, 'ok'));
    const res = await h.call({
      to: A,
      ring_url: h.app.url('/ring') + policy,
      answer_url: h.app.url('/answer') + policy,
      hangup_url: h.app.url('/hangup') + '#rt=200&rc=3',
    });
    assert.equal(res.status, 201);
    await h.waitFor('/hangup', 3);
    await h.settle();

    const ok = successes(h, fails);
    assert.deepEqual(
      ok.map((r) => `${r.path}${r.params.DialAction ? ':' + r.params.DialAction : ''}@${h.at(r)}#${header(r, 'x-switchboard-sequence')}/${header(r, 'x-switchboard-attempt')}`),
      ['/ring@0#1/3', '/answer@1#2/3', '/cb:answer@3#3/3', '/cb:connected@3#4/3', '/cb:hangup@7#5/3', '/action@7#6/3', '/hangup@7#7/3'],
    );
    // Every attempt of one notification went out before any attempt of the next: one in flight per
    // call. A synchronous fetch (answer, action) does not wait for an earlier notification's retries
    // (issue 13 item 9), but each event's first attempt still goes out in sequence order.
    const seqOf = (r: CapturedRequest) => Number(header(r, 'x-switchboard-sequence'));
    const order = h.app.requests().filter((r) => r.path !== '/answer' && r.path !== '/action').map(seqOf);
    assert.deepEqual(order, [...order].sort((a, b) => a - b));
    const firsts = h.app.requests().filter((r) => header(r, 'x-switchboard-attempt') === '1').map(seqOf);
    assert.deepEqual(firsts, [1, 2, 3, 4, 5, 6, 7]);
    assert.equal(h.app.requests().length, 21);
  });
});

test(
  'flaky receiver beyond the URL policy: a later notification of the call does not overtake an earlier one in backoff',
  async () => {
    await withRig({}, async (h) => {
      h.app.on('/ring', [{ status: 503 }, { status: 503 }, { status: 503 }, 'ok']);
      await answeredCall(h);
      await h.waitFor('/ring', 4);
      await h.waitFor('/hangup');
      await h.settle();
      const ok = h.app.requests().filter((r) => r.path !== '/ring' || header(r, 'x-switchboard-attempt') === '4');
      // engine.md §3: notifications are delivered in order per call. The answer fetch cannot wait
      // for a ring report in backoff, but the hangup report can and should.
      assert.deepEqual(
        ok.filter((r) => r.path !== '/answer').map((r) => `${r.path}@${h.at(r)}#${header(r, 'x-switchboard-sequence')}`),
        ['/ring@7#1', '/hangup@7#3'],
      );
    });
  },
);

test('calls do not wait for each other: one call held by a silent receiver, another reported meanwhile', async () => {
  await withRig({}, async (h) => {
    await h.sim(A, 'busy');
    await h.sim(Y, 'ring 1s, answer');
    h.app.on('/answer', '<Response><Wait length="2"/></Response>');
    // X's hangup report is answered only once Y's ring report has arrived. If Y's report queued
    // behind X's, the receiver would never release X and X's attempt would end with rt after 5 s.
    let releaseX!: () => void;
    const yRang = new Promise<void>((resolve) => (releaseX = resolve));
    h.app.on('/x-hangup', async () => {
      await yRang;
      return 'ok';
    });
    h.app.onRequest((r) => {
      if (r.path === '/ring' && r.params.To === Y) releaseX();
    });
    const x = await h.call({ to: A, hangup_url: h.app.url('/x-hangup') + '#rt=5000' });
    await h.app.waitFor((r) => r.path === '/x-hangup');
    const y = await h.call({ to: Y });
    assert.deepEqual([x.status, y.status], [201, 201]);
    await h.waitFor('/hangup');
    await h.settle();

    const xUuid = h.app.requests('/x-hangup')[0]!.params.CallUUID!;
    const d = await onlyDelivery(h.engine.store, xUuid, 'hangup');
    assert.deepEqual([d.status, d.attempts], ['delivered', 1]);
    const seqs = h.app.requests().map((r) => `${r.path}@${h.at(r)}`);
    assert.deepEqual(seqs, ['/x-hangup@0', '/ring@0', '/answer@1', '/hangup@3']);
  });
});

test("a call's hangup_url at a dead receiver does not delay another call's reports", async () => {
  await withRig({}, async (h, origin) => {
    await h.sim(A, 'busy');
    await h.sim(Y, 'ring 1s, answer');
    h.app.on('/answer', '<Response><Wait length="20"/></Response>');
    const x = await h.call({ to: A, hangup_url: `http://127.0.0.1:${await closedPort()}/hangup` });
    const y = await h.call({ to: Y });
    assert.deepEqual([x.status, y.status], [201, 201]);
    await h.waitFor('/hangup');
    await h.settle();

    // Y alone would see exactly this: ring at 0, answer at 1, hangup when the Wait ends at 21.
    assert.deepEqual(
      h.app.requests().map((r) => `${r.path}@${h.at(r)}#${header(r, 'x-switchboard-sequence')}`),
      ['/ring@0#1', '/answer@1#2', '/hangup@21#3'],
    );
    // Meanwhile X kept retrying on its own schedule (default 24 h window): 0, 1, 3, 7, 15, 31 ...
    const [xCall] = (await h.engine.store.listCalls({ to_number: A, limit: 10, offset: 0 })).rows;
    const d = await onlyDelivery(h.engine.store, xCall!.call_uuid, 'hangup');
    const passes = summarize(await h.engine.store.listAttempts(d.id), origin)
      .filter((a) => a.t <= 21)
      .map((a) => `${a.attempt}@${a.t}:${a.error}`);
    assert.deepEqual(passes, ['1@0:ct', '2@0:ct', '3@1:ct', '4@1:ct', '5@3:ct', '6@3:ct', '7@7:ct', '8@7:ct', '9@15:ct', '10@15:ct']);
  });
});
