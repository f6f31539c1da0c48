// The webhook thread's life (webhooks/http-thread.ts): shared by the senders of a process, an
// attempt it takes with it fails as `other` and the next starts a new thread, a closed sender
// leaves the others working, and an engine built with the defaults sends from it. Every attempt's
// wire behaviour on the thread is tested with the inline sender's cases in webhook-http.test.ts.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DEFAULT_CALLBACK_POLICY } from '../src/webhooks/callback-policy.ts';
import { HttpSender } from '../src/webhooks/http-sender.ts';
import { bootWebhookThreadWith, stopWebhookThread, webhookThreadAttempts, webhookThreadCpuSeconds, webhookThreadPosts, webhookThreadReady } from '../src/webhooks/http-thread.ts';
import { loadConfig } from '../src/config/config.ts';
import { startAppServer, verifySignature, type AppServer } from './support/app-server.ts';
import { placeOneCall, startHarness } from './support/harness.ts';

const TOKEN = 'thread_test_token_0123456789abcdefghijklmn';
const policy = { ...DEFAULT_CALLBACK_POLICY, retries: 0 };
const run = promisify(execFile);
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
      assert.equal(await webhookThreadReady(), true);
      const before = webhookThreadAttempts();
      assert.equal((await s.send({ url: app.url('/ok'), method: 'POST', params: { A: '1' }, policy })).ok, true);
      const held = s.send({ url: app.url('/hold'), method: 'POST', params: {}, policy });
      await app.waitFor((r) => r.path === '/hold');
      await stopWebhookThread();
      const lost = await held;
      assert.equal(lost.ok, false);
      assert.equal(lost.error?.kind, 'other');
      assert.match(lost.error!.message, /^the webhook thread exited/);
      assert.equal(webhookThreadAttempts() - before, 2, 'both went to the thread');
      assert.equal(await webhookThreadCpuSeconds(), null, 'no thread until the next attempt');

      // The next attempt starts a thread, and runs on the calling thread while that one loads.
      const again = await s.send({ url: app.url('/ok'), method: 'POST', params: { A: '2' }, policy });
      assert.equal(again.ok, true, again.error?.message);
      assert.equal(webhookThreadAttempts() - before, 2, 'sent inline while the new thread loads');
      assert.equal(await webhookThreadReady(), true);
      const onThread = await s.send({ url: app.url('/ok'), method: 'POST', params: { A: '3' }, policy });
      assert.equal(onThread.ok, true, onThread.error?.message);
      assert.equal(webhookThreadAttempts() - before, 3);
      assert.deepEqual(app.requests().slice(-2).map((r) => [r.rawBody, verifySignature(r, TOKEN)]), [['A=2', true], ['A=3', true]]);
      assert.equal(typeof (await webhookThreadCpuSeconds()), 'number');
    } finally {
      await s.close();
    }
  });

  test('the attempts one job starts go to the thread as one message; each gets its own answer', async () => {
    const s = sender();
    try {
      assert.equal(await webhookThreadReady(), true);
      const twenty = (n: (i: number) => string) => Array.from({ length: 20 }, (_, i) => s.send({ url: app.url(`/ok?n=${i}`), method: 'POST', params: { N: n(i) }, policy }));
      // The client opened on the thread, and its connections too: opening one asks this thread to resolve the host.
      await Promise.all(twenty(() => 'warm'));
      const [attempts, posts] = [webhookThreadAttempts(), webhookThreadPosts()];
      const sent = twenty((i) => String(i));
      const results = await Promise.all(sent);
      assert.deepEqual(results.map((r) => [r.ok, r.requestUrl]), results.map((_, i) => [true, app.url(`/ok?n=${i}`)]));
      assert.equal(webhookThreadAttempts() - attempts, 20);
      assert.equal(webhookThreadPosts() - posts, 1, 'one postMessage for the twenty');
      const bodies = app.requests().slice(-20).map((r) => r.rawBody).sort();
      assert.deepEqual(bodies, Array.from({ length: 20 }, (_, i) => `N=${i}`).sort());
    } finally {
      await s.close();
    }
  });

  test('senders share the thread; closing one leaves the others sending', async () => {
    const a = sender();
    const b = sender();
    try {
      assert.equal(await webhookThreadReady(), true);
      const before = webhookThreadAttempts();
      assert.equal((await a.send({ url: app.url('/ok'), method: 'GET', params: {}, policy })).ok, true);
      assert.equal((await b.send({ url: app.url('/ok'), method: 'GET', params: {}, policy })).ok, true);
      await a.close();
      await assert.rejects(a.send({ url: app.url('/ok'), method: 'GET', params: {}, policy }), /closed/);
      const r = await b.send({ url: app.url('/ok'), method: 'POST', params: { B: '1' }, policy });
      assert.equal(r.ok, true, r.error?.message);
      assert.equal(webhookThreadAttempts() - before, 3);
    } finally {
      await b.close();
    }
  });

  test('a thread that cannot start has run nothing: its attempts, and the later ones, go out from the calling thread', async () => {
    await stopWebhookThread();
    bootWebhookThreadWith('throw new Error("no thread here")');
    const told: string[] = [];
    const s = new HttpSender({ transport: 'thread', authToken: TOKEN, mainAuthToken: TOKEN, userAgent: 'test', onThreadUnavailable: (why) => told.push(why) });
    try {
      const before = app.requests().length;
      const [first, second] = await Promise.all([
        s.send({ url: app.url('/ok'), method: 'POST', params: { N: '1' }, policy }),
        s.send({ url: app.url('/ok'), method: 'POST', params: { N: '2' }, policy }),
      ]);
      assert.equal(first.ok, true, first.error?.message);
      assert.equal(second.ok, true, second.error?.message);
      const third = await s.send({ url: app.url('/ok'), method: 'POST', params: { N: '3' }, policy });
      assert.equal(third.ok, true, third.error?.message);
      assert.deepEqual(app.requests().slice(before).map((r) => r.rawBody).sort(), ['N=1', 'N=2', 'N=3'], 'each sent once');
      assert.equal(await webhookThreadReady(), false);
      const fourth = await s.send({ url: app.url('/ok'), method: 'POST', params: { N: '4' }, policy });
      assert.equal(fourth.ok, true, fourth.error?.message);
      assert.equal(told.length, 1);
      assert.match(told[0]!, /no thread here/);
      assert.equal(await webhookThreadCpuSeconds(), null, 'no thread was left running');
    } finally {
      await s.close();
      bootWebhookThreadWith(undefined);
    }
  });

  test('a thread that cannot even be made (the Worker constructor throws): the engine goes on inline, told once', async () => {
    await stopWebhookThread();
    bootWebhookThreadWith(new Error('no threads on this machine'));
    const told: string[] = [];
    try {
      const s = new HttpSender({ transport: 'thread', authToken: TOKEN, mainAuthToken: TOKEN, userAgent: 'test', onThreadUnavailable: (why) => told.push(why) });
      try {
        const r = await s.send({ url: app.url('/ok'), method: 'POST', params: { M: '1' }, policy });
        assert.equal(r.ok, true, r.error?.message);
        assert.equal(app.requests().at(-1)!.rawBody, 'M=1');
        assert.equal(await webhookThreadReady(), false);
        assert.deepEqual(told, ['the webhook thread could not start: no threads on this machine']);
      } finally {
        await s.close();
      }
    } finally {
      bootWebhookThreadWith(undefined);
    }
  });

  test('the thread starts under node --input-type=module and with per-process flags such as --expose-gc', async () => {
    const sender = fileURLToPath(new URL('../src/webhooks/http-sender.ts', import.meta.url));
    const thread = fileURLToPath(new URL('../src/webhooks/http-thread.ts', import.meta.url));
    const script = `
      import { HttpSender } from ${JSON.stringify(sender)};
      import { webhookThreadAttempts, webhookThreadReady } from ${JSON.stringify(thread)};
      const s = new HttpSender({ transport: 'thread', authToken: 't0123456789', mainAuthToken: 't0123456789', userAgent: 'test',
        onThreadUnavailable: (why) => console.log('unavailable', why) });
      console.log('loaded', await webhookThreadReady());
      const r = await s.send({ url: ${JSON.stringify(app.url('/ok'))}, method: 'GET', params: {}, policy: { connectTimeoutMs: 2000, readTimeoutMs: 5000, totalTimeoutMs: 10000, retries: 0, retryOn: new Set() } });
      console.log(r.ok, r.statusCode, 'on the thread:', webhookThreadAttempts());
      await s.close();`;
    const { stdout } = await run(process.execPath, ['--expose-gc', '--import', 'tsx', '--input-type=module', '-e', script], { cwd: fileURLToPath(new URL('..', import.meta.url)) });
    assert.equal(stdout.trim(), 'loaded true\ntrue 200 on the thread: 1');
  });

  test('the engine sends from the thread by default, and from its own thread with --webhook-thread off', async () => {
    assert.equal(loadConfig({}, {}).webhooks.thread, true);
    assert.equal(loadConfig({ 'webhook-thread': 'off' }, {}).webhooks.thread, false);
    assert.equal(loadConfig({}, { SWITCHBOARD_WEBHOOK_THREAD: 'off' }).webhooks.thread, false);
    assert.throws(() => loadConfig({ 'webhook-thread': 'maybe' }, {}), /true or false/);

    await stopWebhookThread();
    const h = await startHarness({ flags: { 'webhook-thread': 'on' } });
    try {
      assert.equal(await webhookThreadReady(), true, 'the engine started the thread');
      const before = webhookThreadAttempts();
      assert.deepEqual(await placeOneCall(h), ['/ring', '/answer', '/hangup']);
      assert.equal(webhookThreadAttempts() - before, 3, 'ring, answer and hangup went out from the thread');
    } finally {
      await h.close();
    }
  });
});
