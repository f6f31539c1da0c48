// Webhook transport: the fragment policy, the undici sender against a real capture server, the
// capture server itself and the `switchboard sink` command (engine.md §1, §3; plivo.md §2.1, §6).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import plivo from 'plivo';
import { request } from 'undici';
import {
  DEFAULT_CALLBACK_POLICY,
  isValidCallbackUrl,
  parseCallbackUrl,
  type CallbackPolicy,
} from '../src/webhooks/callback-policy.ts';
import {
  HttpSender,
  MAX_BODY_BYTES,
  classifyError,
  isRetryable,
  parseRetryAfter,
  sendWithPolicy,
  withQuery,
  type AttemptResult,
} from '../src/webhooks/http-sender.ts';
import { CaptureServer } from '../src/webhooks/capture.ts';
import { webhookThreadAttempts, webhookThreadReady } from '../src/webhooks/http-thread.ts';
import { formatSinkLine, runSink } from '../src/cli/sink.ts';
import { startAppServer, verifySignature, type AppServer } from './support/app-server.ts';

/** A server of its own for one test (the capture server answers whole), on 127.0.0.1; `fn` gets its port. */
async function withServer(handler: RequestListener, fn: (port: number) => Promise<void>): Promise<void> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await fn((server.address() as AddressInfo).port);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

const AUTH_TOKEN = 'sub_account_token_0123456789abcdefghijklmn';
const MAIN_TOKEN = 'main_account_token_0123456789abcdefghijklm';
const USER_AGENT = 'Switchboard/0.1.0';

function policyOf(url: string): { url: string; policy: CallbackPolicy } {
  const parsed = parseCallbackUrl(url);
  assert.deepEqual(parsed.warnings, [], `no warnings expected for ${url}`);
  return { url: parsed.url, policy: parsed.policy };
}

function sorted(set: ReadonlySet<string>): string[] {
  return [...set].sort();
}

describe('parseCallbackUrl', () => {
  test('no fragment: the URL untouched and Plivo defaults', () => {
    const r = parseCallbackUrl('https://app.example.com/answer?x=1');
    assert.equal(r.url, 'https://app.example.com/answer?x=1');
    assert.deepEqual(r.warnings, []);
    assert.equal(r.policy.connectTimeoutMs, 2000);
    assert.equal(r.policy.readTimeoutMs, 40000);
    assert.equal(r.policy.totalTimeoutMs, 55000);
    assert.equal(r.policy.retries, 1);
    assert.deepEqual(sorted(r.policy.retryOn), ['ct', 'rt']);
    assert.equal(r.policy, DEFAULT_CALLBACK_POLICY);
  });

  test('every key is read and the fragment is stripped', () => {
    const r = parseCallbackUrl('https://app.example.com/answer_url?query=123#ct=2500&rt=5500&tt=30000&rc=3&rp=4xx&er=frankfurt');
    assert.equal(r.url, 'https://app.example.com/answer_url?query=123');
    assert.deepEqual(r.warnings, []);
    assert.equal(r.policy.connectTimeoutMs, 2500);
    assert.equal(r.policy.readTimeoutMs, 5500);
    assert.equal(r.policy.totalTimeoutMs, 30000);
    assert.equal(r.policy.retries, 3);
    assert.deepEqual(sorted(r.policy.retryOn), ['4xx']);
  });

  test('keys not given keep their defaults; an empty fragment is no fragment', () => {
    const r = parseCallbackUrl('http://h/x#rc=0');
    assert.equal(r.policy.retries, 0);
    assert.equal(r.policy.connectTimeoutMs, 2000);
    assert.deepEqual(sorted(r.policy.retryOn), ['ct', 'rt']);
    const empty = parseCallbackUrl('http://h/x#');
    assert.equal(empty.url, 'http://h/x');
    assert.deepEqual(empty.warnings, []);
    assert.equal(empty.policy.retries, 1);
  });

  test('rp=all means 4xx, 5xx, ct and rt; rp=4xx,5xx exactly those', () => {
    assert.deepEqual(sorted(policyOf('http://h/#rp=all').policy.retryOn), ['4xx', '5xx', 'ct', 'rt']);
    assert.deepEqual(sorted(policyOf('http://h/#rp=4xx,5xx').policy.retryOn), ['4xx', '5xx']);
    assert.deepEqual(sorted(policyOf('http://h/#rp=4xx%2Crt').policy.retryOn), ['4xx', 'rt']);
    assert.deepEqual(sorted(policyOf('http://h/#rp=RT').policy.retryOn), ['rt']);
  });

  test('out-of-range values are clamped, each with a warning naming the key', () => {
    const r = parseCallbackUrl('http://h/cb#ct=50&rt=99999&tt=0&rc=9');
    assert.equal(r.policy.connectTimeoutMs, 100);
    assert.equal(r.policy.readTimeoutMs, 40000);
    assert.equal(r.policy.totalTimeoutMs, 100);
    assert.equal(r.policy.retries, 5);
    assert.deepEqual(r.warnings, [
      'callback URL fragment: ct=50 is outside 100-10000; using 100',
      'callback URL fragment: rt=99999 is outside 100-40000; using 40000',
      'callback URL fragment: tt=0 is outside 100-55000; using 100',
      'callback URL fragment: rc=9 is outside 0-5; using 5',
    ]);
  });

  test('garbage is ignored with warnings and never throws', () => {
    const r = parseCallbackUrl('http://h/cb?a=1#ct=abc&&zz=1&rc=-1&rt=1.5&rp=sometimes&er=mars&tt');
    assert.equal(r.url, 'http://h/cb?a=1');
    assert.equal(r.policy.connectTimeoutMs, 2000);
    assert.equal(r.policy.retries, 1);
    assert.equal(r.policy.readTimeoutMs, 40000);
    assert.equal(r.policy.totalTimeoutMs, 55000);
    assert.deepEqual(sorted(r.policy.retryOn), ['ct', 'rt']);
    assert.deepEqual(r.warnings, [
      'callback URL fragment: ct="abc" is not a whole number; using the default 2000',
      'callback URL fragment: unknown key "zz" (expected ct, rt, tt, rc, rp or er); ignored',
      'callback URL fragment: rc="-1" is not a whole number; using the default 1',
      'callback URL fragment: rt="1.5" is not a whole number; using the default 40000',
      'callback URL fragment: rp contains unknown value "sometimes" (expected 4xx, 5xx, ct, rt or all); ignored',
      'callback URL fragment: rp="sometimes" names no retry condition; using the default ct,rt',
      'callback URL fragment: er="mars" is not a known edge region; ignored',
      'callback URL fragment: tt="" is not a whole number; using the default 55000',
    ]);
    assert.doesNotThrow(() => parseCallbackUrl('http://h/#%E0%A4%A=1&ct=%'));
  });

  test('er is accepted and ignored', () => {
    const r = parseCallbackUrl('http://h/#er=nearest');
    assert.deepEqual(r.warnings, []);
    assert.equal(r.policy.retries, 1);
  });

  test('isValidCallbackUrl accepts absolute http(s) URLs only', () => {
    assert.equal(isValidCallbackUrl('https://app.example.com/answer'), true);
    assert.equal(isValidCallbackUrl('http://127.0.0.1:8080/a?b=1#ct=100'), true);
    assert.equal(isValidCallbackUrl('ftp://app.example.com/answer'), false);
    assert.equal(isValidCallbackUrl('/answer'), false);
    assert.equal(isValidCallbackUrl('app.example.com/answer'), false);
    assert.equal(isValidCallbackUrl(''), false);
    assert.equal(isValidCallbackUrl(' http://h/x'), false);
    assert.equal(isValidCallbackUrl('http://'), false);
    assert.equal(isValidCallbackUrl(42 as unknown as string), false);
  });
});

describe('sender helpers', () => {
  test('withQuery appends to the URL as configured', () => {
    assert.equal(withQuery('http://h/a', { X: '1', Y: 'a b' }), 'http://h/a?X=1&Y=a+b');
    assert.equal(withQuery('http://h/a?q=1', { X: '1' }), 'http://h/a?q=1&X=1');
    assert.equal(withQuery('http://h/a?', { X: '1' }), 'http://h/a?X=1');
    assert.equal(withQuery('http://h/a?q=1&', { X: '1' }), 'http://h/a?q=1&X=1');
    assert.equal(withQuery('http://h/a?q=1', {}), 'http://h/a?q=1');
  });

  test('parseRetryAfter reads seconds and HTTP dates', () => {
    const now = Date.UTC(2026, 0, 1, 0, 0, 0);
    assert.equal(parseRetryAfter('7', now), 7000);
    assert.equal(parseRetryAfter(' 0 ', now), 0);
    assert.equal(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now), 30000);
    assert.equal(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now), 0);
    assert.equal(parseRetryAfter('soon', now), undefined);
    assert.equal(parseRetryAfter(undefined, now), undefined);
  });

  test('classifyError maps undici and socket codes to ct / rt / tt / other', () => {
    const err = (code: string) => Object.assign(new Error('boom'), { code });
    assert.equal(classifyError(err('UND_ERR_CONNECT_TIMEOUT'), false).kind, 'ct');
    assert.equal(classifyError(err('ECONNREFUSED'), false).kind, 'ct');
    assert.equal(classifyError(err('ENOTFOUND'), false).kind, 'ct');
    assert.equal(classifyError(new AggregateError([err('ECONNREFUSED')], ''), false).kind, 'ct');
    assert.equal(classifyError(new Error('x', { cause: err('EHOSTUNREACH') }), false).kind, 'ct');
    assert.equal(classifyError(err('UND_ERR_HEADERS_TIMEOUT'), false).kind, 'rt');
    assert.equal(classifyError(err('UND_ERR_BODY_TIMEOUT'), false).kind, 'rt');
    assert.equal(classifyError(err('ECONNRESET'), false).kind, 'other');
    assert.equal(classifyError('weird', false).kind, 'other');
    assert.deepEqual(classifyError(err('UND_ERR_HEADERS_TIMEOUT'), true), {
      kind: 'tt',
      message: 'total timeout (tt) spent before a response arrived',
    });
    assert.equal(classifyError(err('ECONNREFUSED'), false).message, 'ECONNREFUSED: boom');
  });

  test('isRetryable follows rp', () => {
    const base = { body: '', bodyTruncated: false, storedBody: '', latencyMs: 1, requestUrl: 'u', requestHeadersJson: '{}' };
    const r = (x: Partial<AttemptResult>): AttemptResult => ({ ok: false, ...base, ...x });
    const all = parseCallbackUrl('http://h/#rp=all').policy.retryOn;
    const def = DEFAULT_CALLBACK_POLICY.retryOn;
    assert.equal(isRetryable(r({ ok: true, statusCode: 200 }), all), false);
    assert.equal(isRetryable(r({ statusCode: 404 }), all), true);
    assert.equal(isRetryable(r({ statusCode: 404 }), def), false);
    assert.equal(isRetryable(r({ statusCode: 503 }), all), true);
    assert.equal(isRetryable(r({ statusCode: 503 }), def), false);
    assert.equal(isRetryable(r({ statusCode: 302 }), all), false);
    assert.equal(isRetryable(r({ error: { kind: 'ct', message: '' } }), def), true);
    assert.equal(isRetryable(r({ error: { kind: 'rt', message: '' } }), def), true);
    assert.equal(isRetryable(r({ error: { kind: 'tt', message: '' } }), all), false);
    assert.equal(isRetryable(r({ error: { kind: 'other', message: '' } }), all), false);
  });
});

// Every case on both transports: the engine's thread and the webhook thread (http-thread.ts).
for (const transport of ['inline', 'thread'] as const) {
  describe(`HttpSender (${transport}) against a capture server`, () => {
    let app: AppServer;
    let sender: HttpSender;
    let attemptsBefore = 0;
    before(async () => {
      app = await startAppServer({ now: () => 1_000 });
      sender = new HttpSender({ transport, authToken: AUTH_TOKEN, mainAuthToken: MAIN_TOKEN, userAgent: USER_AGENT });
      // Until the thread has loaded, attempts run inline: wait, so these cases run on it.
      if (transport === 'thread') assert.equal(await webhookThreadReady(), true);
      attemptsBefore = webhookThreadAttempts();
    });
    after(async () => {
      if (transport === 'thread') assert.ok(webhookThreadAttempts() - attemptsBefore >= 20, 'the attempts went to the thread');
      await sender.close();
      await app.close();
    });

    const hangupParams = { CallUUID: 'c0ffee00-0000-4000-8000-000000000001', From: '15550001', To: '15550002', Event: 'Hangup', Note: 'a b&c=d' };

    test('POST: form body exact, headers, signature valid with plivo.validateV3Signature', async () => {
      app.on('/post', '<Response><Speak>hi</Speak></Response>');
      const r = await sender.send({
        url: app.url('/post'),
        method: 'POST',
        params: hangupParams,
        headers: { 'X-Switchboard-Event-Id': 'ev-1', 'X-Switchboard-Sequence': '3', 'X-Switchboard-Attempt': '1' },
        policy: DEFAULT_CALLBACK_POLICY,
      });
      assert.equal(r.ok, true);
      assert.equal(r.statusCode, 200);
      assert.equal(r.body, '<Response><Speak>hi</Speak></Response>');
      assert.equal(r.storedBody, r.body);
      assert.equal(r.bodyTruncated, false);
      assert.equal(r.contentType, 'text/xml');
      assert.equal(r.error, undefined);
      assert.equal(r.requestUrl, app.url('/post'));
      assert.ok(r.latencyMs >= 0);

      const [got, ...rest] = app.requests('/post');
      assert.equal(rest.length, 0);
      assert.ok(got);
      assert.equal(got.method, 'POST');
      assert.equal(got.url, app.url('/post'));
      assert.equal(
        got.rawBody,
        'CallUUID=c0ffee00-0000-4000-8000-000000000001&From=15550001&To=15550002&Event=Hangup&Note=a+b%26c%3Dd',
      );
      assert.deepEqual(got.params, hangupParams);
      assert.deepEqual(got.query, {});
      assert.equal(got.at, 1_000);
      assert.equal(got.headers['content-type'], 'application/x-www-form-urlencoded');
      assert.equal(got.headers['user-agent'], USER_AGENT);
      assert.equal(got.headers['x-switchboard-event-id'], 'ev-1');
      assert.equal(got.headers['x-switchboard-sequence'], '3');
      assert.equal(got.headers['x-switchboard-attempt'], '1');
      assert.match(got.headers['x-plivo-signature-v3-nonce'] ?? '', /^\d{20}$/);
      assert.equal(got.headers['x-plivo-signature-v3'], JSON.parse(r.requestHeadersJson)['X-Plivo-Signature-V3']);
      assert.equal(verifySignature(got, AUTH_TOKEN, MAIN_TOKEN), true);
      assert.equal(verifySignature(got, 'wrong-token'), false);
      // Ma-V3 is made with the main account's token, not the subaccount's.
      assert.equal(verifySignature(got, AUTH_TOKEN, AUTH_TOKEN), false);
    });

    test('a fresh nonce per attempt', async () => {
      const a = await sender.send({ url: app.url('/nonce'), method: 'POST', params: { A: '1' }, policy: DEFAULT_CALLBACK_POLICY });
      const b = await sender.send({ url: app.url('/nonce'), method: 'POST', params: { A: '1' }, policy: DEFAULT_CALLBACK_POLICY });
      assert.notEqual(JSON.parse(a.requestHeadersJson)['X-Plivo-Signature-V3-Nonce'], JSON.parse(b.requestHeadersJson)['X-Plivo-Signature-V3-Nonce']);
      assert.equal(app.requests('/nonce').every((r) => verifySignature(r, AUTH_TOKEN, MAIN_TOKEN)), true);
    });

    test('GET: parameters merged into the URL\'s own query; no body; signature valid', async () => {
      const r = await sender.send({
        url: app.url('/get?app=42&lang=en'),
        method: 'GET',
        params: { CallUUID: 'abc', Event: 'StartApp', Space: 'x y' },
        policy: DEFAULT_CALLBACK_POLICY,
      });
      assert.equal(r.ok, true);
      assert.equal(r.requestUrl, app.url('/get?app=42&lang=en&CallUUID=abc&Event=StartApp&Space=x+y'));
      const got = app.requests('/get')[0]!;
      assert.equal(got.method, 'GET');
      assert.equal(got.url, r.requestUrl);
      assert.deepEqual(got.query, { app: '42', lang: 'en', CallUUID: 'abc', Event: 'StartApp', Space: 'x y' });
      assert.deepEqual(got.params, got.query);
      assert.equal(got.rawBody, '');
      assert.equal(got.headers['content-type'], undefined);
      assert.equal(verifySignature(got, AUTH_TOKEN, MAIN_TOKEN), true);
    });

    test('the fragment is neither requested nor signed', async () => {
      const configured = `${app.url('/frag?q=1')}#ct=3000&rt=5000&rc=2`;
      const { url, policy } = policyOf(configured);
      const r = await sender.send({ url, method: 'POST', params: { CallUUID: 'abc' }, policy });
      assert.equal(r.ok, true);
      const got = app.requests('/frag')[0]!;
      assert.equal(got.url, app.url('/frag?q=1'));
      assert.deepEqual(got.query, { q: '1' });
      assert.deepEqual(got.params, { CallUUID: 'abc' });
      assert.equal(verifySignature(got, AUTH_TOKEN, MAIN_TOKEN), true);
      // An app that validates against the URL it configured, fragment and all, also succeeds (the SDK drops it).
      const nonce = got.headers['x-plivo-signature-v3-nonce']!;
      assert.equal(plivo.validateV3Signature('POST', configured, nonce, AUTH_TOKEN, got.headers['x-plivo-signature-v3']!, { CallUUID: 'abc' }), true);
    });

    test('a closed port is a connect failure (ct), retried once by default', async () => {
      const probe = createServer();
      await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
      const port = (probe.address() as AddressInfo).port;
      await new Promise<void>((resolve) => probe.close(() => resolve()));

      const seen: number[] = [];
      const { final, attempts } = await sendWithPolicy(
        sender,
        { url: `http://127.0.0.1:${port}/gone`, method: 'POST', params: { A: '1' }, policy: DEFAULT_CALLBACK_POLICY },
        (n, res) => {
          seen.push(n);
          assert.equal(res.error?.kind, 'ct');
        },
      );
      assert.equal(attempts, 2);
      assert.deepEqual(seen, [1, 2]);
      assert.equal(final.ok, false);
      assert.equal(final.statusCode, undefined);
      assert.equal(final.error?.kind, 'ct');
      assert.match(final.error?.message ?? '', /ECONNREFUSED/);
      assert.equal(final.body, '');
    });

    test('a slow answer beyond rt is a read timeout (rt), retried by default', async () => {
      app.on('/slow', { delayMs: 30_000 });
      const { url, policy } = policyOf(`${app.url('/slow')}#rt=200`);
      const { final, attempts } = await sendWithPolicy(sender, { url, method: 'POST', params: { A: '1' }, policy });
      assert.equal(attempts, 2);
      assert.equal(final.ok, false);
      assert.equal(final.error?.kind, 'rt');
      assert.equal(app.requests('/slow').length, 2);
    });

    test('a pause between body packets beyond rt is a read timeout, after the status arrived', async () => {
      // The capture server answers whole; this server sends the head and part of the body, then stalls.
      const stall: RequestListener = (_req, res) => {
        res.writeHead(200, { 'Content-Type': 'text/xml', 'Content-Length': '100' });
        res.write('<Response>');
      };
      await withServer(stall, async (port) => {
        const { url, policy } = policyOf(`http://127.0.0.1:${port}/stall#rt=150&rc=0`);
        const { final, attempts } = await sendWithPolicy(sender, { url, method: 'POST', params: {}, policy });
        assert.equal(attempts, 1);
        assert.equal(final.ok, false);
        assert.equal(final.statusCode, 200);
        assert.deepEqual(final.error, { kind: 'rt', message: 'read timeout: nothing received for rt=150 ms' });
      });
    });

    test('packets that keep arriving within rt keep the attempt going, however long the whole answer takes', async () => {
      // Five parts 60 ms apart: 240 ms in all, past rt=150, and never 150 ms without a packet.
      const drip: RequestListener = (_req, res) => {
        res.writeHead(200, { 'Content-Type': 'text/xml', 'Content-Length': '15' });
        let sent = 0;
        const next = () => {
          res.write('<ab');
          if (++sent < 5) setTimeout(next, 60);
          else res.end();
        };
        setTimeout(next, 60);
      };
      await withServer(drip, async (port) => {
        const { url, policy } = policyOf(`http://127.0.0.1:${port}/drip#rt=150&rc=0`);
        const { final, attempts } = await sendWithPolicy(sender, { url, method: 'POST', params: {}, policy });
        assert.equal(attempts, 1);
        assert.equal(final.error, undefined);
        assert.equal(final.ok, true);
        assert.equal(final.body, '<ab'.repeat(5));
        assert.ok(final.latencyMs >= 240, `took ${final.latencyMs} ms`);
      });
    });

    test('rc=1 with a 500: one attempt, 5xx is not in the default rp', async () => {
      app.on('/fail-default', { status: 500, body: 'oops', contentType: 'text/plain' });
      const { url, policy } = policyOf(`${app.url('/fail-default')}#rc=1`);
      const { final, attempts } = await sendWithPolicy(sender, { url, method: 'POST', params: { A: '1' }, policy });
      assert.equal(attempts, 1);
      assert.equal(final.ok, false);
      assert.equal(final.statusCode, 500);
      assert.equal(final.body, 'oops');
      assert.equal(final.contentType, 'text/plain');
      assert.equal(final.error, undefined);
      assert.equal(app.requests('/fail-default').length, 1);
    });

    test('rp=5xx: the 500 is retried once (rc default 1)', async () => {
      app.on('/fail-5xx', { status: 500 });
      const { url, policy } = policyOf(`${app.url('/fail-5xx')}#rp=5xx`);
      const { final, attempts } = await sendWithPolicy(sender, { url, method: 'POST', params: { A: '1' }, policy });
      assert.equal(attempts, 2);
      assert.equal(final.statusCode, 500);
      assert.equal(final.body, '');
      const got = app.requests('/fail-5xx');
      assert.equal(got.length, 2);
      assert.notEqual(got[0]!.headers['x-plivo-signature-v3-nonce'], got[1]!.headers['x-plivo-signature-v3-nonce']);
      assert.equal(got.every((r) => verifySignature(r, AUTH_TOKEN, MAIN_TOKEN)), true);
    });

    test('rc=0: a single attempt whatever rp says', async () => {
      app.on('/fail-rc0', { status: 503 });
      const { url, policy } = policyOf(`${app.url('/fail-rc0')}#rc=0&rp=all`);
      const { attempts } = await sendWithPolicy(sender, { url, method: 'POST', params: {}, policy });
      assert.equal(attempts, 1);
      assert.equal(app.requests('/fail-rc0').length, 1);
    });

    test('rc=5 caps the attempts at 6; a scripted recovery stops retrying', async () => {
      app.on('/always-404', { status: 404 });
      const capped = policyOf(`${app.url('/always-404')}#rc=5&rp=4xx`);
      assert.equal((await sendWithPolicy(sender, { ...capped, method: 'POST', params: {} })).attempts, 6);
      assert.equal(app.requests('/always-404').length, 6);

      app.on('/recovers', [{ status: 502 }, { status: 502 }, '<Response><Hangup/></Response>']);
      const rec = policyOf(`${app.url('/recovers')}#rc=5&rp=5xx`);
      const { final, attempts } = await sendWithPolicy(sender, { ...rec, method: 'POST', params: {} });
      assert.equal(attempts, 3);
      assert.equal(final.ok, true);
      assert.equal(final.body, '<Response><Hangup/></Response>');
    });

    test('tt ends the attempt and stops retries', async () => {
      app.on('/tt', { delayMs: 30_000 });
      const { url, policy } = policyOf(`${app.url('/tt')}#tt=100&rt=5000&rc=5&rp=all`);
      const { final, attempts } = await sendWithPolicy(sender, { url, method: 'POST', params: {}, policy });
      assert.equal(attempts, 1);
      assert.equal(final.error?.kind, 'tt');
      assert.equal(app.requests('/tt').length, 1);
    });

    test('Retry-After is parsed', async () => {
      app.on('/busy', { status: 503, headers: { 'Retry-After': '7' } });
      const r = await sender.send({ url: app.url('/busy'), method: 'POST', params: {}, policy: DEFAULT_CALLBACK_POLICY });
      assert.equal(r.statusCode, 503);
      assert.equal(r.retryAfterMs, 7000);
      const plain = await sender.send({ url: app.url('/post'), method: 'POST', params: {}, policy: DEFAULT_CALLBACK_POLICY });
      assert.equal(plain.retryAfterMs, undefined);
    });

    test('bodies: storedBody keeps maxResponseBytes, body stops at 1 MiB', async () => {
      const small = new HttpSender({ transport, authToken: AUTH_TOKEN, mainAuthToken: MAIN_TOKEN, userAgent: USER_AGENT, maxResponseBytes: 10 });
      try {
        app.on('/euro', '<Response>€€€€</Response>'); // '€' is 3 bytes: byte 10 falls inside one
        const r = await small.send({ url: app.url('/euro'), method: 'GET', params: {}, policy: DEFAULT_CALLBACK_POLICY });
        assert.equal(r.body, '<Response>€€€€</Response>');
        assert.equal(r.storedBody, '<Response>');
        app.on('/huge', { body: 'x'.repeat(MAX_BODY_BYTES + 5000), contentType: 'text/plain' });
        const h = await small.send({ url: app.url('/huge'), method: 'GET', params: {}, policy: DEFAULT_CALLBACK_POLICY });
        assert.equal(h.ok, true);
        assert.equal(h.body.length, MAX_BODY_BYTES);
        assert.equal(h.bodyTruncated, true);
        assert.equal(h.storedBody, 'xxxxxxxxxx');
      } finally {
        await small.close();
      }
    });

    test('a dropped connection and the caller\'s abort are "other" failures, not retried', async () => {
      app.on('/drop', { drop: true });
      const { final, attempts } = await sendWithPolicy(sender, { url: app.url('/drop'), method: 'POST', params: {}, policy: DEFAULT_CALLBACK_POLICY });
      assert.equal(attempts, 1);
      assert.equal(final.error?.kind, 'other');

      app.on('/hold', { delayMs: 30_000 });
      const ctl = new AbortController();
      const pending = sender.send({ url: app.url('/hold'), method: 'POST', params: {}, policy: DEFAULT_CALLBACK_POLICY, signal: ctl.signal });
      await app.waitFor((r) => r.path === '/hold');
      ctl.abort();
      const aborted = await pending;
      assert.equal(aborted.error?.kind, 'other');
    });

    test('an unusable URL is an "other" failure, not an exception', async () => {
      const r = await sender.send({ url: 'not a url', method: 'POST', params: {}, policy: DEFAULT_CALLBACK_POLICY });
      assert.equal(r.ok, false);
      assert.equal(r.error?.kind, 'other');
    });
  });
}

describe('capture server', () => {
  test('routes: sequences in order, the last repeats; functions; predicates; latest route wins; default <Response/>', async () => {
    const cap = await CaptureServer.start();
    try {
      cap.on('/seq', [{ status: 500 }, '<Response><Wait/></Response>']);
      cap.on((r) => r.params['Event'] === 'Hangup', { status: 204 });
      cap.on('/echo', (r) => ({ status: 200, body: `${r.method} ${r.query['x'] ?? ''}`, contentType: 'text/plain' }));
      const get = async (path: string, init: { method?: 'GET' | 'POST'; body?: string } = {}) => {
        const res = await request(cap.url(path), {
          method: init.method ?? 'GET',
          ...(init.body !== undefined ? { body: init.body, headers: { 'content-type': 'application/x-www-form-urlencoded' } } : {}),
        });
        return { status: res.statusCode, type: res.headers['content-type'], body: await res.body.text() };
      };
      assert.deepEqual(await get('/seq'), { status: 500, type: 'text/xml', body: '' });
      assert.deepEqual(await get('/seq'), { status: 200, type: 'text/xml', body: '<Response><Wait/></Response>' });
      assert.deepEqual(await get('/seq'), { status: 200, type: 'text/xml', body: '<Response><Wait/></Response>' });
      assert.deepEqual(await get('/echo?x=7'), { status: 200, type: 'text/plain', body: 'GET 7' });
      assert.deepEqual(await get('/any', { method: 'POST', body: 'Event=Hangup' }), { status: 204, type: 'text/xml', body: '' });
      assert.deepEqual(await get('/unrouted'), { status: 200, type: 'text/xml', body: '<Response/>' });
      cap.on('/unrouted', '<Response><Hangup/></Response>');
      assert.deepEqual(await get('/unrouted'), { status: 200, type: 'text/xml', body: '<Response><Hangup/></Response>' });
      assert.deepEqual(cap.requests().map((r) => `${r.seq} ${r.method} ${r.path}`), [
        '1 GET /seq',
        '2 GET /seq',
        '3 GET /seq',
        '4 GET /echo',
        '5 POST /any',
        '6 GET /unrouted',
        '7 GET /unrouted',
      ]);
      assert.deepEqual(cap.requests('/any')[0]!.params, { Event: 'Hangup' });
    } finally {
      await cap.close();
    }
  });

  test('waitFor resolves on an earlier or a later request and rejects naming what came', async () => {
    const cap = await CaptureServer.start();
    try {
      await request(cap.url('/first'));
      assert.equal((await cap.waitFor((r) => r.path === '/first', 1000)).seq, 1);
      const later = cap.waitFor((r, all) => r.path === '/second' && all.length === 2, 5000);
      await request(cap.url('/second'), { method: 'POST', body: 'A=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      assert.deepEqual((await later).params, { A: '1' });
      await assert.rejects(cap.waitFor((r) => r.path === '/never', 1), {
        message: 'CaptureServer.waitFor: no matching request within 1 ms (received: GET /first, POST /second)',
      });
    } finally {
      await cap.close();
    }
  });

  test('a throwing route answers 500 with the reason', async () => {
    const cap = await CaptureServer.start();
    try {
      cap.on('/bad', () => {
        throw new Error('script broke');
      });
      const res = await request(cap.url('/bad'));
      assert.equal(res.statusCode, 500);
      assert.equal(await res.body.text(), 'capture server error: script broke');
    } finally {
      await cap.close();
    }
  });
});

describe('switchboard sink', () => {
  test('logs one line per webhook with the signature verdict and answers with the given XML', async () => {
    const lines: string[] = [];
    const sink = await runSink({
      host: '127.0.0.1',
      port: 0,
      authToken: AUTH_TOKEN,
      respond: '<Response><Speak>sink</Speak></Response>',
      log: (l) => lines.push(l),
      now: () => Date.UTC(2026, 0, 2, 3, 4, 5),
    });
    const sender = new HttpSender({ authToken: AUTH_TOKEN, mainAuthToken: MAIN_TOKEN, userAgent: USER_AGENT });
    const wrong = new HttpSender({ authToken: 'other', mainAuthToken: 'other', userAgent: USER_AGENT });
    try {
      const url = `http://127.0.0.1:${sink.port}/hangup`;
      const params = { CallUUID: 'u1', From: '1555', To: '1666', CallStatus: 'completed', Event: 'Hangup', Duration: '12', BillDuration: '60' };
      const r = await sender.send({ url, method: 'POST', params, policy: DEFAULT_CALLBACK_POLICY });
      assert.equal(r.body, '<Response><Speak>sink</Speak></Response>');
      await wrong.send({ url: `http://127.0.0.1:${sink.port}/ring`, method: 'GET', params: { Event: 'Ring' }, policy: DEFAULT_CALLBACK_POLICY });
      await request(`http://127.0.0.1:${sink.port}/plain?x=1`);
      assert.deepEqual(lines, [
        '2026-01-02T03:04:05.000Z POST /hangup Event=Hangup CallStatus=completed CallUUID=u1 From=1555 To=1666 Duration=12 (+1 more) sig=valid',
        '2026-01-02T03:04:05.000Z GET /ring Event=Ring sig=invalid',
        '2026-01-02T03:04:05.000Z GET /plain (+1 more) sig=missing',
      ]);
    } finally {
      await sender.close();
      await wrong.close();
      await sink.close();
    }
  });

  test('reads the reply from a file, names a missing file, and omits sig without a token', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sink-'));
    try {
      const file = join(dir, 'reply.xml');
      await writeFile(file, '<Response><Hangup/></Response>');
      const lines: string[] = [];
      const sink = await runSink({ host: '127.0.0.1', port: 0, respond: file, log: (l) => lines.push(l), now: () => 0 });
      try {
        const res = await request(`http://127.0.0.1:${sink.port}/answer`);
        assert.equal(await res.body.text(), '<Response><Hangup/></Response>');
        assert.deepEqual(lines, ['1970-01-01T00:00:00.000Z GET /answer']);
      } finally {
        await sink.close();
      }
      const missing = join(dir, 'nope.xml');
      await assert.rejects(runSink({ host: '127.0.0.1', port: 0, respond: missing, log: () => {} }), (err: Error) =>
        err.message.startsWith(`switchboard sink: cannot read --respond file "${missing}": ENOENT`),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('formatSinkLine shows empty values and Dial events', () => {
    const line = formatSinkLine({
      seq: 1,
      method: 'POST',
      path: '/dial',
      url: 'http://h/dial',
      query: {},
      headers: {},
      params: { Event: 'DialHangup', DialAction: 'hangup', DialBLegStatus: 'hangup', HangupCause: '' },
      rawBody: '',
      at: 0,
    });
    assert.equal(line, '1970-01-01T00:00:00.000Z POST /dial Event=DialHangup DialAction=hangup DialBLegStatus=hangup HangupCause=""');
  });
});
