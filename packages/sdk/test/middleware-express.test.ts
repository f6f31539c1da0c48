import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { plivoSignature, webhookOf, type ExpressLikeRequest } from '../src/middleware/express.ts';
import { signatureHeaders } from '../src/signature/index.ts';

const TOKEN = 'my_auth_token';

describe('express-style plivoSignature middleware (node:http server)', () => {
  let server: Server;
  let origin: string;
  // These tests are about the signature; their bodies are not webhooks, so parsing is off. The
  // `/typed/...` routes below use the default (parse, and hand over `req.plivo`).
  const check = plivoSignature({ authToken: TOKEN, parse: false });
  const mounted = plivoSignature({ authToken: TOKEN, publicUrl: 'https://app.example.com', parse: false });
  const typed = plivoSignature({ authToken: TOKEN });

  // A tiny app: `/pre-parsed/...` mimics express.urlencoded() having run; `/mounted/...` mimics a
  // router that stripped its mount path from `url` but kept `originalUrl`.
  function app(req: IncomingMessage & { body?: unknown; originalUrl?: string }, res: ServerResponse): void {
    const done = (err?: unknown): void => {
      if (err !== undefined) {
        res.statusCode = 500;
        res.end(String(err));
        return;
      }
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ body: req.body ?? null }));
    };
    const url = req.url ?? '/';
    if (url.startsWith('/typed')) {
      typed(req, res, (err?: unknown) => {
        if (err !== undefined) return done(err);
        const hook = webhookOf(req);
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(hook.kind === 'dial-action' ? [hook.kind, hook.DialStatus, hook.DialRingStatus, hook.DialBLegUUID] : [hook.kind]));
      });
      return;
    }
    if (url.startsWith('/pre-parsed')) {
      let text = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (text += c));
      req.on('end', () => {
        req.body = Object.fromEntries(new URLSearchParams(text));
        check(req as ExpressLikeRequest, res, done);
      });
      return;
    }
    if (url.startsWith('/mounted')) {
      req.originalUrl = url;
      req.url = url.slice('/mounted'.length);
      mounted(req, res, done);
      return;
    }
    check(req, res, done);
  }

  before(async () => {
    server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  async function send(method: 'GET' | 'POST', path: string, body: string | undefined, headers: Record<string, string>) {
    const res = await request(`${origin}${path}`, {
      method,
      headers: body === undefined ? headers : { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      ...(body === undefined ? {} : { body }),
    });
    return { status: res.statusCode, body: await res.body.text() };
  }

  const form = { CallUUID: 'abc', Digits: '1#', Tag: 'ü & +' };
  const encoded = new URLSearchParams(form).toString();

  it('reads and parses the form body itself, then calls next() with req.body set', async () => {
    const headers = signatureHeaders({ method: 'POST', url: `${origin}/answer`, params: form, authToken: TOKEN });
    assert.deepEqual(await send('POST', '/answer', encoded, { ...headers }), { status: 200, body: JSON.stringify({ body: form }) });
  });

  it('collects repeated form keys as arrays, as they were signed', async () => {
    const params = { CallUUID: 'abc', Tag: ['b', 'a'] };
    const headers = signatureHeaders({ method: 'POST', url: `${origin}/answer`, params, authToken: TOKEN });
    const res = await send('POST', '/answer', 'CallUUID=abc&Tag=b&Tag=a', { ...headers });
    assert.deepEqual(res, { status: 200, body: JSON.stringify({ body: params }) });
  });

  it('uses a body parsed earlier', async () => {
    const headers = signatureHeaders({ method: 'POST', url: `${origin}/pre-parsed`, params: form, authToken: TOKEN });
    assert.equal((await send('POST', '/pre-parsed', encoded, { ...headers })).status, 200);
  });

  it('answers 403 with a short reason when the signature does not match', async () => {
    const headers = signatureHeaders({ method: 'POST', url: `${origin}/answer`, params: form, authToken: 'other' });
    assert.deepEqual(await send('POST', '/answer', encoded, { ...headers }), {
      status: 403,
      body: 'Forbidden: invalid X-Plivo-Signature-V3\n',
    });
    assert.deepEqual(await send('POST', '/answer', encoded, {}), { status: 403, body: 'Forbidden: missing X-Plivo-Signature-V3\n' });
  });

  it('verifies GET requests from the URL alone', async () => {
    const path = '/hangup?CallUUID=abc&Duration=12';
    const headers = signatureHeaders({ method: 'GET', url: `${origin}${path}`, authToken: TOKEN });
    assert.deepEqual(await send('GET', path, undefined, { ...headers }), { status: 200, body: JSON.stringify({ body: null }) });
    assert.equal((await send('GET', '/hangup?CallUUID=abc&Duration=13', undefined, { ...headers })).status, 403);
  });

  it('uses publicUrl + originalUrl when mounted behind a proxy', async () => {
    const headers = signatureHeaders({ method: 'POST', url: 'https://app.example.com/mounted/answer', params: form, authToken: TOKEN });
    assert.equal((await send('POST', '/mounted/answer', encoded, { ...headers })).status, 200);
  });

  it('refuses methods Plivo never signs', async () => {
    const headers = signatureHeaders({ method: 'GET', url: `${origin}/answer`, authToken: TOKEN });
    assert.deepEqual(await send('PUT' as 'POST', '/answer', encoded, { ...headers }), {
      status: 403,
      body: 'Forbidden: cannot verify a PUT request\n',
    });
  });

  it('refuses a body over 1 MiB without buffering it all', async () => {
    const headers = signatureHeaders({ method: 'POST', url: `${origin}/answer`, params: {}, authToken: TOKEN });
    const res = await send('POST', '/answer', `Big=${'x'.repeat(1024 * 1024 + 1)}`, { ...headers });
    assert.deepEqual(res, { status: 403, body: 'Forbidden: request body too large\n' });
  });

  describe('typed parameters (req.plivo)', () => {
    const action = {
      Event: 'Redirect', CallUUID: 'a-leg', From: '14155551212', To: '14155550001', CallStatus: 'in-progress',
      Direction: 'outbound', DialStatus: 'no-answer', DialRingStatus: 'true', DialHangupCause: 'NO_ANSWER',
      DialALegUUID: 'a-leg', DialBLegUUID: 'b-leg',
    };

    it('hands the handler the parsed webhook of a verified POST', async () => {
      const headers = signatureHeaders({ method: 'POST', url: `${origin}/typed/action`, params: action, authToken: TOKEN });
      const res = await send('POST', '/typed/action', new URLSearchParams(action).toString(), { ...headers });
      assert.deepEqual(res, { status: 200, body: JSON.stringify(['dial-action', 'no-answer', true, 'b-leg']) });
    });

    it('parses GET webhooks from the query', async () => {
      const path = `/typed/ring?${new URLSearchParams({ ...action, Event: 'Ring', CallStatus: 'ringing', DialStatus: '' })}`;
      const headers = signatureHeaders({ method: 'GET', url: `${origin}${path}`, authToken: TOKEN });
      assert.deepEqual(await send('GET', path, undefined, { ...headers }), { status: 200, body: JSON.stringify(['ring']) });
    });

    it('answers 400 naming the parameter when a signed request is not a valid webhook', async () => {
      const bad = { ...action, DialStatus: 'done' };
      const headers = signatureHeaders({ method: 'POST', url: `${origin}/typed/action`, params: bad, authToken: TOKEN });
      const res = await send('POST', '/typed/action', new URLSearchParams(bad).toString(), { ...headers });
      assert.equal(res.status, 400);
      assert.match(res.body, /^Bad Request: invalid webhook parameters: DialStatus.*"done"/);
    });

    it('the signature is still checked first', async () => {
      const headers = signatureHeaders({ method: 'POST', url: `${origin}/typed/action`, params: action, authToken: 'other' });
      const res = await send('POST', '/typed/action', new URLSearchParams(action).toString(), { ...headers });
      assert.equal(res.status, 403);
    });

    it('webhookOf explains a missing middleware and a wrong kind', () => {
      assert.throws(() => webhookOf({}), /put plivoSignature\(\) in front of the handler/);
      const req = { plivo: { kind: 'ring', Event: 'Ring' } };
      assert.equal(webhookOf(req, 'ring').kind, 'ring');
      assert.throws(() => webhookOf(req, 'dial-action'), /expected a dial-action webhook, got ring \(Event=Ring\)/);
    });
  });
});
