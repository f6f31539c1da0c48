/**
 * One slow host cannot stall calls (issue 13 item 9): synchronous fetches do not wait behind
 * notifications to the same host, a fetch for a call that ended is dropped, a huge `Retry-After`
 * is clamped to the backoff cap, the flow HTTP Request node has an overall deadline, and Liquid
 * templates run under liquidjs's limits. The "slow host" is a real app server on 127.0.0.1 that
 * holds chosen responses until the test lets them go; with `--webhook-concurrency 1` a single held
 * notification fills the host's notification pool.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { withHarness, type Harness } from './support/harness.ts';
import type { CapturedRequest } from './support/app-server.ts';
import { VirtualClock } from '../src/clock.ts';
import { DEFAULT_BACKOFF, nextRetryAt } from '../src/webhooks/backoff.ts';
import { createFlowHttp } from '../src/flows/http-client.ts';
import { TargetRefusedError } from '../src/webhooks/target-policy.ts';
import { checkTemplate, render } from '../src/flows/templates.ts';

const A = '15551110001';
const B = '15551110002';

/** A response the test releases by hand. */
function held(reply = 'ok'): { handler: () => Promise<string>; release: () => void; readonly released: boolean } {
  let release!: () => void;
  let released = false;
  const gate = new Promise<void>((r) => (release = r));
  return {
    handler: () => gate.then(() => reply),
    release: () => {
      released = true;
      release();
    },
    get released() {
      return released;
    },
  };
}

const seq = (r: CapturedRequest) => Number(r.headers['x-switchboard-sequence']);

/** Waits (without sleeping) until `cond` holds, turning the event loop. */
async function until(cond: () => Promise<boolean> | boolean, what: string, turns = 20_000): Promise<void> {
  for (let i = 0; i < turns; i++) {
    if (await cond()) return;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error(`gave up waiting for ${what}`);
}

test('a held ring_url does not hold the answer_url or the Redirect of the same call on the same host', async () => {
  await withHarness(
    async (h) => {
      await h.sim(A, 'ring 1s, answer, hangup after 30s');
      const ring = held();
      h.app.on('/ring', ring.handler);
      h.app.on('/answer', `<Response><Redirect>${h.app.url('/next')}</Redirect></Response>`);
      h.app.on('/next', '<Response><Hangup/></Response>');
      const res = await h.call({ to: A });
      assert.equal(res.status, 201);
      await h.waitFor('/ring');
      // The held ring keeps the outbox busy, so the virtual clock waits: move it to the answer by hand.
      h.clock.advance(1000);
      await h.app.waitFor((r) => r.path === '/next', 5000);
      assert.equal(ring.released, false, 'answer and Redirect went out while the ring notification was still unanswered');
      ring.release();
      await h.waitFor('/hangup');
      await h.settle();
      assert.deepEqual(
        h.app.requests().map((r) => [r.path, seq(r), h.at(r)]),
        [['/ring', 1, 0], ['/answer', 2, 1], ['/next', 3, 1], ['/hangup', 4, 1]],
      );
    },
    { flags: { 'webhook-concurrency': '1' } },
  );
});

async function callUuid(h: Harness, requestUuid: string): Promise<string> {
  let uuid: string | undefined;
  await until(async () => (uuid = (await h.engine.store.getCallsByRequest(requestUuid))[0]?.call_uuid) !== undefined, 'the call row');
  return uuid!;
}

test('a fetch for a call that ended while it waited for a connection is dropped, never sent', async () => {
  await withHarness(
    async (h) => {
      await h.sim(A, 'ring 1s, answer, hangup after 30s');
      await h.sim(B, 'ring 1s, answer, hangup after 30s');
      const first = held('<Response><Hangup/></Response>');
      h.app.on('/answer-a', first.handler);
      const place = (to: string, answer: string) =>
        h.api('POST', 'Call/', { from: '15550000000', to, answer_url: h.app.url(answer), hangup_url: h.app.url('/hangup') });
      const a = await place(A, '/answer-a');
      const b = await place(B, '/answer-b');
      const bUuid = await callUuid(h, b.body.request_uuid);
      await h.waitFor('/answer-a');
      // B's answer fetch is recorded and waits for the host's only synchronous slot, held by A's.
      await until(async () => (await h.engine.store.listDeliveries(bUuid)).some((d) => d.kind === 'answer'), "B's answer fetch");
      const hangup = await h.api('DELETE', `Call/${bUuid}/`);
      assert.equal(hangup.status, 204, JSON.stringify(hangup.body));
      await h.app.waitFor((r) => r.path === '/hangup' && r.params.CallUUID === bUuid, 5000);
      first.release();
      await h.waitFor('/hangup', 2);
      await h.settle();

      assert.deepEqual(h.app.requests('/answer-b'), [], "B's answer_url was never requested");
      const answerB = (await h.engine.store.listDeliveries(bUuid)).find((d) => d.kind === 'answer')!;
      assert.deepEqual(
        { status: answerB.status, attempts: answerB.attempts, last_error: answerB.last_error },
        { status: 'failed', attempts: 0, last_error: 'call ended before the request was sent; not sent' },
      );
      assert.deepEqual(await h.engine.store.listAttempts(answerB.id), []);
      assert.equal(a.status, 201);
    },
    { flags: { 'webhook-concurrency': '1' } },
  );
});

test('Retry-After: 99999999999 is clamped to the backoff cap (10 min), not a dead delivery or a hot loop', async () => {
  assert.equal(nextRetryAt(DEFAULT_BACKOFF, 1, 0, 0, 99_999_999_999 * 1000), 600_000);
  assert.equal(nextRetryAt(DEFAULT_BACKOFF, 1, 0, 0, Number.POSITIVE_INFINITY), 1000);
  assert.equal(nextRetryAt(DEFAULT_BACKOFF, 1, 0, 0, 5000), 5000, 'a reasonable Retry-After is honoured');
  await withHarness(async (h) => {
    await h.sim(A, 'ring 1s, answer, hangup after 2s');
    h.app.on('/hangup', [{ status: 503, headers: { 'Retry-After': '99999999999' } }, 'ok']);
    const res = await h.call({ to: A });
    await h.waitFor('/hangup', 2);
    await h.settle();
    const hangups = h.app.requests('/hangup');
    assert.deepEqual(hangups.map((r) => [h.at(r), r.headers['x-switchboard-attempt']]), [[1, '1'], [601, '2']]);
    const [call] = await h.engine.store.getCallsByRequest(res.body.request_uuid);
    const d = (await h.engine.store.listDeliveries(call!.call_uuid)).find((x) => x.kind === 'hangup')!;
    assert.deepEqual({ status: d.status, attempts: d.attempts }, { status: 'delivered', attempts: 2 });
  });
});

test('the flow HTTP Request client: an overall deadline against a server that trickles, and the target policy', async () => {
  let written = 0;
  let onWrite: (() => void) | undefined;
  const bytes = (n: number) => new Promise<void>((r) => (onWrite = () => written >= n && r()));
  const timers: NodeJS.Timeout[] = [];
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    // A byte every 20 ms forever: no read timeout ever fires, only the overall deadline can end it.
    const write = () => {
      res.write('x');
      written++;
      onWrite?.();
    };
    write();
    timers.push(setInterval(write, 20));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const clock = new VirtualClock();
  const http = createFlowHttp({ clock });
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slow`;
    const pending = http({ method: 'GET', url, headers: {}, timeoutMs: 1000 });
    let settled = false;
    const outcome = pending.then(
      () => 'answered',
      (e: Error) => e.message,
    ).finally(() => (settled = true));
    await bytes(1);
    clock.advance(999);
    await bytes(written + 3); // bytes keep arriving and the deadline has not passed
    assert.equal(settled, false);
    clock.advance(1);
    assert.equal(await outcome, "no complete answer within the node's timeout of 1000 ms");
    await assert.rejects(http({ method: 'GET', url: 'http://169.254.169.254/latest/meta-data/', headers: {}, timeoutMs: 1000 }), (e) => {
      assert.ok(e instanceof TargetRefusedError);
      assert.equal(e.message, 'refused by the webhook target policy: 169.254.169.254 is a link-local / cloud metadata address');
      return true;
    });
  } finally {
    timers.forEach(clearInterval);
    await http.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});

test("Liquid templates run under liquidjs's parse, render and memory limits", async () => {
  await assert.rejects(render('{% for i in (1..100000000) %}x{% endfor %}', {}), /memory alloc limit exceeded/);
  await assert.rejects(render('{% for i in (1..2000) %}{% for j in (1..2000) %}{% endfor %}{% endfor %}', {}), /template render limit exceeded/);
  assert.throws(() => checkTemplate('x'.repeat(100_001) + '{{ a }}'), /parse length limit exceeded/);
  assert.equal(await render('{{ Start.call.from | append: "!" }}', { Start: { call: { from: '+1555' } } }), '+1555!');
});
