/**
 * The webhook target policy end to end (issue 13 item 4): the API refuses a URL with a 400 in
 * Plivo's shape, XML that names a refused URL turns into a call error stored on the call and its
 * delivery, and `--webhook-allow` / `--webhook-deny` reach the engine from the config. Every
 * refused target is on this machine (the engine itself, 127.0.0.1) or is refused before any
 * connection (169.254.169.254): nothing leaves the machine.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { withHarness, AUTH_ID, AUTH_TOKEN } from './support/harness.ts';
import { apiClient } from './support/api-client.ts';
import { startAppServer } from './support/app-server.ts';
import { VirtualClock } from '../src/clock.ts';
import { loadConfig } from '../src/config/config.ts';
import { Engine } from '../src/engine.ts';
import { MAX_URL_LENGTH } from '../src/webhooks/target-policy.ts';

const A = '15551110001';

function assertRefused(res: { status: number; body: any }, param: string, why: string): void {
  assert.equal(res.status, 400, JSON.stringify(res.body));
  assert.equal(typeof res.body.api_id, 'string');
  assert.deepEqual(
    { error: res.body.error, code: res.body.code, param: res.body.param },
    { error: `${param}: refused by the webhook target policy: ${why}`, code: 'SB_URL_REFUSED', param },
  );
}

test('the API refuses metadata, link-local and the engine itself, and over-long URLs, in Plivo error shape', async () => {
  await withHarness(async (h) => {
    const port = new URL(h.base).port;
    assertRefused(await h.call({ to: A, answer_url: 'http://169.254.169.254/latest/meta-data/' }), 'answer_url', '169.254.169.254 is a link-local / cloud metadata address');
    assertRefused(await h.call({ to: A, hangup_url: `${h.base}/v1/Account/${AUTH_ID}/Call/` }), 'hangup_url', `127.0.0.1:${port} is the engine's own listen address`);
    assertRefused(await h.call({ to: A, ring_url: 'http://[fe80::1]/ring' }), 'ring_url', 'fe80::1 is a link-local address');
    assertRefused(await h.call({ to: A, fallback_url: 'http://0.0.0.0:3000/x' }), 'fallback_url', '0.0.0.0 is an unspecified address');
    const long = await h.call({ to: A, answer_url: h.app.url('/answer?') + 'a'.repeat(MAX_URL_LENGTH) });
    assert.equal(long.status, 400);
    assert.equal(long.body.code, 'SB_INVALID_PARAM');
    assert.match(long.body.error, new RegExp(`^answer_url: must be at most ${MAX_URL_LENGTH} characters \\(got \\d+\\)$`));
    assertRefused(
      await h.api('POST', 'Application/', { app_name: 'inward', answer_url: 'http://169.254.169.254/' }),
      'answer_url',
      '169.254.169.254 is a link-local / cloud metadata address',
    );
    // The app server on another port of the same address is not the engine: accepted.
    assert.equal((await h.call({ to: A })).status, 201);
    await h.settle();
    assert.deepEqual(h.app.requests().map((r) => r.path).sort(), ['/answer', '/hangup', '/ring']);
  });
});

test('XML that names a refused URL: the call error and the delivery say why, and the call goes on as for an unreachable URL', async () => {
  await withHarness(async (h) => {
    await h.sim(A, 'ring 1s, answer, hangup after 30s');
    const inward = `${h.base}/v1/Account/${AUTH_ID}/Call/`;
    h.app.on('/answer', `<Response><Redirect>${inward}</Redirect></Response>`);
    const res = await h.call({ to: A });
    assert.equal(res.status, 201);
    await h.waitFor('/hangup');
    await h.settle();
    const [call] = await h.engine.store.getCallsByRequest(res.body.request_uuid);
    const why = `SB_URL_REFUSED: refused by the webhook target policy: 127.0.0.1:${new URL(h.base).port} is the engine's own listen address`;
    assert.equal(call!.error, `redirect ${inward}: refused: ${why}`);
    const deliveries = await h.engine.store.listDeliveries(call!.call_uuid);
    const redirect = deliveries.find((d) => d.url === inward)!;
    assert.deepEqual({ status: redirect.status, last_error: redirect.last_error }, { status: 'failed', last_error: `refused: ${why}` });
    const attempts = await h.engine.store.listAttempts(redirect.id);
    assert.deepEqual(attempts.map((a) => [a.status_code, a.error]), [[null, `refused: ${why}`]], 'refused once, never retried');
    // The failed Redirect ends the call the way an unreachable URL does; the app still gets its hangup.
    assert.deepEqual(h.app.requests().map((r) => r.path), ['/ring', '/answer', '/hangup']);
  });
});

test('--webhook-deny and --webhook-allow from the config: a refused hangup_url is dead at once, an allowed name is fetched', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-targets-'));
  const app = await startAppServer();
  const clock = new VirtualClock();
  const config = loadConfig(
    {
      db: join(dir, 'sb.db'),
      'auth-id': AUTH_ID,
      'auth-token': AUTH_TOKEN,
      'log-level': 'silent',
      'webhook-allow': 'app.test,127.0.0.0/8',
      'webhook-deny': 'blocked.test',
    },
    {},
  );
  assert.deepEqual([config.webhooks.allow, config.webhooks.deny], [['app.test', '127.0.0.0/8'], ['blocked.test']]);
  const names: Record<string, string> = { 'app.test': '127.0.0.1', 'blocked.test': '127.0.0.1', 'elsewhere.test': '192.0.2.10' };
  const engine = new Engine({
    config,
    clock,
    logger: pino({ level: 'silent' }),
    webhookLookup: async (host) => (names[host] ? [{ address: names[host]!, family: 4 }] : []),
  });
  await engine.start();
  const base = `http://127.0.0.1:${await engine.listen('127.0.0.1', 0)}`;
  const stopClock = clock.autoRun(engine.isIdle);
  const api = apiClient(base, AUTH_ID, AUTH_TOKEN);
  try {
    await api('POST', 'Simulator/Number/', { number: A, script: 'ring 1s, answer, hangup after 2s' });
    const at = (name: string, path: string) => `http://${name}:${app.port}${path}`;
    assertRefused(await api('POST', 'Call/', { from: '15550000000', to: A, answer_url: at('blocked.test', '/answer') }), 'answer_url', 'host blocked.test is on the webhook deny list');
    // Not refusable as written (the allow list has CIDRs): refused when it resolves outside them.
    const res = await api('POST', 'Call/', {
      from: '15550000000',
      to: A,
      answer_url: at('app.test', '/answer'),
      hangup_url: at('elsewhere.test', '/hangup'),
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    await engine.registry.whenEmpty();
    await engine.outbox.drain();
    assert.deepEqual(app.requests().map((r) => [r.path, r.headers.host]), [['/answer', `app.test:${app.port}`]]);
    const [call] = await engine.store.getCallsByRequest(res.body.request_uuid);
    const hangup = (await engine.store.listDeliveries(call!.call_uuid)).find((d) => d.kind === 'hangup')!;
    assert.deepEqual(
      { status: hangup.status, attempts: hangup.attempts, last_error: hangup.last_error },
      { status: 'dead', attempts: 1, last_error: 'refused: SB_URL_REFUSED: refused by the webhook target policy: elsewhere.test (192.0.2.10) is not on the webhook allow list' },
    );
  } finally {
    stopClock();
    await engine.stop();
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
