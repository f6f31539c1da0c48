// The preload module on its own, in this process: a recording HTTP server stands in for the
// engine. (packages/engine/test/sdk-redirect.test.ts runs the official `plivo` package through it
// against the real engine, in a child process started with --require.)
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const require = createRequire(import.meta.url);
type Redirect = { install(url: string, hosts?: readonly string[]): void; uninstall(): void; target(): string | undefined; PLIVO_HOSTS: readonly string[] };

function send(req: http.ClientRequest, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('@switchboard/sdk/redirect', () => {
  let server: http.Server;
  let origin: string;
  let redirect: Redirect;
  const seen: Seen[] = [];
  const original = { request: https.request, get: https.get, httpRequest: http.request, httpGet: http.get };
  const noProxy = { lower: process.env.no_proxy, upper: process.env.NO_PROXY };

  before(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8').on('data', (c: string) => (body += c));
      req.on('end', () => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
        res.setHeader('content-type', 'application/json');
        res.end('{"api_id":"x"}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    process.env.SWITCHBOARD_URL = origin;
    process.env.no_proxy = 'internal.example';
    delete process.env.NO_PROXY;
    redirect = require('../src/redirect/redirect.cjs') as Redirect;
  });

  after(async () => {
    redirect.uninstall();
    delete process.env.SWITCHBOARD_URL;
    for (const [name, value] of [['no_proxy', noProxy.lower], ['NO_PROXY', noProxy.upper]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('installs on load when SWITCHBOARD_URL is set, and lists Plivo hosts in NO_PROXY', () => {
    assert.equal(redirect.target(), `${origin}/`);
    assert.notEqual(https.request, original.request);
    assert.deepEqual(redirect.PLIVO_HOSTS, ['api.plivo.com', 'phlorunner.plivo.com', 'stats.plivo.com', 'lookup.plivo.com']);
    assert.equal(process.env.no_proxy, 'internal.example,api.plivo.com,phlorunner.plivo.com,stats.plivo.com,lookup.plivo.com,.plivo.com,plivo.com');
    assert.equal(process.env.NO_PROXY, process.env.no_proxy);
    assert.throws(() => redirect.install(origin), /already installed/);
  });

  it('a POST to api.plivo.com reaches the engine with method, path, query, headers and body', async () => {
    seen.length = 0;
    const body = JSON.stringify({ from: '1415', to: '1416<1417', answer_url: 'https://app/answer' });
    const req = https.request('https://api.plivo.com/v1/Account/MA1/Call/?x=1', {
      method: 'POST',
      headers: { authorization: 'Basic abc', 'content-type': 'application/json', 'user-agent': 'plivo-node/4.79.0' },
    });
    assert.deepEqual(await send(req, body), { status: 200, body: '{"api_id":"x"}' });
    const [got] = seen;
    assert.deepEqual([got!.method, got!.url, got!.body], ['POST', '/v1/Account/MA1/Call/?x=1', body]);
    assert.deepEqual([got!.headers.authorization, got!.headers['content-type'], got!.headers['user-agent']], [
      'Basic abc',
      'application/json',
      'plivo-node/4.79.0',
    ]);
  });

  it('the options-object form (host with port, an https.Agent) and https.get, for both hosts', async () => {
    seen.length = 0;
    const agent = new https.Agent({ keepAlive: true });
    await send(https.request({ host: 'API.plivo.com:443', path: '/v1/Account/MA1/Call/abc?status=live', method: 'DELETE', agent }));
    const res = await new Promise<http.IncomingMessage>((resolve) => https.get('https://phlorunner.plivo.com/v1/account/MA1/phlo/p1', resolve));
    res.resume();
    await new Promise((resolve) => res.on('end', resolve));
    agent.destroy();
    assert.deepEqual(
      seen.map((s) => `${s.method} ${s.url}`),
      ['DELETE /v1/Account/MA1/Call/abc?status=live', 'GET /v1/account/MA1/phlo/p1'],
    );
  });

  it('every host the plivo package contacts is redirected: call feedback (stats) and lookup too, over http as well', async () => {
    seen.length = 0;
    await send(https.request('https://stats.plivo.com/v1/Call/c1/Feedback/', { method: 'POST' }), '{"rating":5}');
    await send(https.request('https://lookup.plivo.com/v1/Number/+14155551212?type=carrier'));
    await send(http.request('http://api.plivo.com/v1/Account/MA1/'));
    assert.deepEqual(seen.map((s) => `${s.method} ${s.url} ${s.body}`), [
      'POST /v1/Call/c1/Feedback/ {"rating":5}',
      'GET /v1/Number/+14155551212?type=carrier ',
      'GET /v1/Account/MA1/ ',
    ]);
  });

  it('any other Plivo domain fails loudly, before a DNS lookup or a socket, credentials and all', async () => {
    seen.length = 0;
    const warnings: string[] = [];
    const onWarning = (w: Error & { code?: string }) => warnings.push(String(w.code));
    process.on('warning', onWarning);
    try {
      for (const [mod, url] of [
        [https, 'https://media.plivo.com/v1/x'],
        [https, 'https://plivo.com/'],
        [http, 'http://API-eu.Plivo.com./v1/Account/MA1/'],
      ] as const) {
        const req = mod.request(url, { method: 'POST', headers: { authorization: 'Basic c2VjcmV0' } });
        const err = await send(req, 'body').then(
          () => assert.fail(`${url} was not refused`),
          (e: NodeJS.ErrnoException) => e,
        );
        assert.equal(err.code, 'SWITCHBOARD_PLIVO_HOST_REFUSED', url);
        assert.match(err.message, /refused a request to \S*plivo\.com/i);
      }
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    assert.deepEqual(seen, []);
    assert.deepEqual(warnings, ['SWITCHBOARD_PLIVO_HOST_REFUSED', 'SWITCHBOARD_PLIVO_HOST_REFUSED', 'SWITCHBOARD_PLIVO_HOST_REFUSED']);
  });

  it('other hosts pass through to the real https.request', async () => {
    seen.length = 0;
    // Nothing listens on port 1: the original https.request fails to connect there.
    const err = await send(https.request('https://127.0.0.1:1/v1/Account/MA1/Call/')).then(
      () => assert.fail('expected a connection error'),
      (e: NodeJS.ErrnoException) => e,
    );
    assert.equal(err.code, 'ECONNREFUSED');
    assert.deepEqual(seen, []);
  });

  it('keeps a path prefix of SWITCHBOARD_URL; uninstall restores https', async () => {
    redirect.uninstall();
    assert.equal(https.request, original.request);
    assert.equal(https.get, original.get);
    assert.equal(http.request, original.httpRequest);
    assert.equal(http.get, original.httpGet);
    assert.equal(redirect.target(), undefined);
    redirect.install(`${origin}/switchboard/`);
    seen.length = 0;
    await send(https.request('https://api.plivo.com/v1/Account/MA1/Request/r1/', { method: 'DELETE' }));
    assert.deepEqual(seen.map((s) => `${s.method} ${s.url}`), ['DELETE /switchboard/v1/Account/MA1/Request/r1/']);
    redirect.uninstall();
    assert.throws(() => redirect.install('not a url'), /SWITCHBOARD_URL is not a URL/);
    assert.throws(() => redirect.install('ftp://x'), /must be http: or https:/);
    redirect.install(origin);
  });
});
