// The webhook thread's life (webhooks/http-thread.ts): shared by the senders of a process, an
// attempt it takes with it fails as `other` and the next starts a new thread, a closed sender
// leaves the others working, and an engine built with the defaults sends from it. Every attempt's
// wire behaviour on the thread is tested with the inline sender's cases in webhook-http.test.ts.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CALLBACK_POLICY } from '../src/webhooks/callback-policy.ts';
import { HttpSender } from '../src/webhooks/http-sender.ts';
import { stopWebhookThread, webhookThreadCpuSeconds } from '../src/webhooks/http-thread.ts';
import { loadConfig } from '../src/config/config.ts';
import { startAppServer, verifySignature, type AppServer } from './support/app-server.ts';
import { startHarness } from './support/harness.ts';

const TOKEN = 'thread_test_token_0123456789abcdefghijklmn';
const policy = { ...DEFAULT_CALLBACK_POLICY, retries: 0 };
const sender = () => new HttpSender({ transport: 'thread', authToken: TOKEN, mainAuthToken: TOKEN, userAgent: 'test' });

describe('the webhook thread', () => {
  let app: AppServer;
  before(async () => {
    app = await startAppServer();
    app.on('/ok', '<Response/>');
    app.on('/hold', { delayMs: 30_000 });
  });
  after(() => app.close());

  test('an attempt in flight when the thread ends fails as "other"; the next starts a new thread', async () => {
    const s = sender();
    try {
      assert.equal((await s.send({ url: app.url('/ok'), method: 'POST', params: { A: '1' }, policy })).ok, true);
      const held = s.send({ url: app.url('/hold'), method: 'POST', params: {}, policy });
      await app.waitFor((r) => r.path === '/hold');
      await stopWebhookThread();
      const lost = await held;
      assert.equal(lost.ok, false);
      assert.equal(lost.error?.kind, 'other');
      assert.match(lost.error!.message, /^the webhook thread exited/);
      assert.equal(await webhookThreadCpuSeconds(), null, 'no thread until the next attempt');

      const again = await s.send({ url: app.url('/ok'), method: 'POST', params: { A: '2' }, policy });
      assert.equal(again.ok, true, again.error?.message);
      const req = app.requests().at(-1)!;
      assert.equal(req.rawBody, 'A=2');
      assert.equal(verifySignature(req, TOKEN), true);
      assert.equal(typeof (await webhookThreadCpuSeconds()), 'number');
    } finally {
      await s.close();
    }
  });

  test('senders share the thread; closing one leaves the others sending', async () => {
    const a = sender();
    const b = sender();
    try {
      assert.equal((await a.send({ url: app.url('/ok'), method: 'GET', params: {}, policy })).ok, true);
      assert.equal((await b.send({ url: app.url('/ok'), method: 'GET', params: {}, policy })).ok, true);
      await a.close();
      await assert.rejects(a.send({ url: app.url('/ok'), method: 'GET', params: {}, policy }), /closed/);
      const r = await b.send({ url: app.url('/ok'), method: 'POST', params: { B: '1' }, policy });
      assert.equal(r.ok, true, r.error?.message);
    } finally {
      await b.close();
    }
  });

  test('the engine sends from the thread by default, and from its own thread with --webhook-thread off', async () => {
    assert.equal(loadConfig({}, {}).webhooks.thread, true);
    assert.equal(loadConfig({ 'webhook-thread': 'off' }, {}).webhooks.thread, false);
    assert.equal(loadConfig({}, { SWITCHBOARD_WEBHOOK_THREAD: 'off' }).webhooks.thread, false);
    assert.throws(() => loadConfig({ 'webhook-thread': 'maybe' }, {}), /true or false/);

    await stopWebhookThread();
    const h = await startHarness({ flags: { 'webhook-thread': 'on' } });
    try {
      await h.engine.simNumbers.set('15550100001', 'ring, answer, hangup after 1s');
      h.app.on('/answer', '<Response><Wait length="1"/></Response>');
      await h.call({ to: '15550100001' });
      await h.waitFor('/hangup');
      assert.equal(typeof (await webhookThreadCpuSeconds()), 'number', 'the engine started the thread');
    } finally {
      await h.close();
    }
  });
});
