/**
 * The front door (docs/security.md): every route of the router's own table, walked with no
 * credentials, wrong ones, another account's id and the encodings that once reached a route without
 * a check — 401 for all, and nothing happens. Then the failure limit, the CPS limit, the live-feed
 * cap, the Origin check, `--metrics-auth`, security headers and the error bodies of 404/405/413/431.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { AUTH_ID, AUTH_TOKEN, startHarness, type Harness } from './support/harness.ts';

const MISSING = 'authentication required: send HTTP Basic credentials (auth_id:auth_token)';
const BAD = 'authentication failed: wrong auth_id or auth_token';
const ACCOUNT = 'authentication failed: the auth_id in the path is not the authenticated account';
const OTHER_ACCOUNT = 'MAOTHERACCOUNT000001';

const basic = (id: string, token: string) => `Basic ${Buffer.from(`${id}:${token}`).toString('base64')}`;

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  body: any;
}

/** Sends the request target byte for byte (no URL normalisation on our side). */
function raw(base: string, method: string, target: string, headers: Record<string, string> = {}, body?: string): Promise<Raw> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port: Number(port), method, path: target, headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(body)) } : {}) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = undefined;
        }
        resolve({ status: res.statusCode!, headers: res.headers, text, body: parsed });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A concrete path for a route pattern: `:authId` is the given account, other parameters a dummy. */
function fill(url: string, authId: string): string {
  return url.replace(/:authId/g, authId).replace(/:[A-Za-z]+/g, 'x1');
}

/** Spellings of one path that a router might take for it while a raw-URL check would not. */
function disguises(path: string, base: string): string[] {
  const rest = path.replace(/^\/v1\//, '');
  return [
    path,
    path.replace(/^\/v1\//, '/%761/'),
    path.replace(/^\/v1\//, '/%76%31/'),
    `/${path}`,
    `/.${path}`,
    `/v1/../v1/${rest}`,
    `/V1/${rest}`,
    `${base}${path}`,
    `${path}?/..`,
    `${path}?x=/../health`,
    path.replace(/\/Account\//, '/%41ccount/'),
  ];
}

describe('the route walk: every route of the table refuses without the right account', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
    await h.sim('15554440001', 'ring 1s, answer, hangup after 5s');
  });
  after(() => h.close());

  test('the public routes are exactly the health checks, metrics, the OpenAPI document and the dashboard files', () => {
    const table = h.engine.server.routeTable.routes;
    assert.ok(table.length >= 40, `only ${table.length} routes collected`);
    const open = table.filter((r) => r.access !== 'account').map((r) => `${r.method} ${r.url} ${r.access}`).sort();
    assert.deepEqual(open, [
      'GET /* public',
      'GET /health public',
      'GET /healthz public',
      'GET /metrics metrics',
      'GET /readyz public',
      'HEAD /* public',
      'HEAD /health public',
      'HEAD /healthz public',
      'HEAD /metrics metrics',
      'HEAD /readyz public',
      // The API's OpenAPI document: what any copy of Switchboard serves, no account's data (docs/security.md).
      'GET /v1/openapi.json public',
      'HEAD /v1/openapi.json public',
      // A recording's file: its RecordUrl, public as Plivo's media URLs are (docs/security.md).
      'GET /media/Recording/:file public',
      'HEAD /media/Recording/:file public',
    ].sort());
  });

  test('no credentials, wrong credentials, another account: 401 on every route, in every disguise', async () => {
    const routes = h.engine.server.routeTable.routes.filter((r) => r.access === 'account');
    let checked = 0;
    for (const route of routes) {
      const path = fill(route.url, AUTH_ID);
      const body = route.method === 'POST' ? 'from=15550000000&to=15554440001&answer_url=http%3A%2F%2F127.0.0.1%3A1%2Fa' : undefined;
      for (const target of disguises(path, h.base)) {
        const none = await raw(h.base, route.method, target, {}, body);
        // A disguise the router does not take for the route is a 401 too: unknown paths are told only to an account.
        assert.equal(none.status, 401, `${route.method} ${target} without credentials: ${none.status} ${none.text}`);
        if (route.method !== 'HEAD') assert.deepEqual({ error: none.body.error, code: none.body.code }, { error: MISSING, code: 'SB_AUTH_FAILED' }, `${route.method} ${target}`);
        checked++;
      }
      const wrong = await raw(h.base, route.method, path, { authorization: basic(AUTH_ID, 'wrong-token') }, body);
      assert.equal(wrong.status, 401, `${route.method} ${path} with a wrong token`);
      if (route.method !== 'HEAD') assert.equal(wrong.body.error, BAD);
      const unknownId = await raw(h.base, route.method, path, { authorization: basic(OTHER_ACCOUNT, AUTH_TOKEN) }, body);
      assert.equal(unknownId.status, 401, `${route.method} ${path} with an unknown auth_id`);
      if (route.url.includes(':authId')) {
        const other = fill(route.url, OTHER_ACCOUNT);
        for (const target of [other, other.replace(/^\/v1\//, '/%761/'), `${h.base}${other}`]) {
          const res = await raw(h.base, route.method, target, { authorization: basic(AUTH_ID, AUTH_TOKEN) }, body);
          assert.equal(res.status, 401, `${route.method} ${target} naming another account`);
          if (route.method !== 'HEAD') assert.deepEqual({ error: res.body.error, param: res.body.param }, { error: ACCOUNT, param: 'auth_id' });
        }
      }
    }
    assert.ok(checked > 400, `walked ${checked} requests`);
    // Nothing was created, hung up or sent.
    const list = await h.api('GET', 'Call/');
    assert.equal(list.body.meta.total_count, 0);
    assert.equal(h.engine.registry.size, 0);
    assert.deepEqual(h.app.requests(), []);
    assert.equal((await h.api('GET', 'Simulator/Number/15554440001/')).status, 200);
  });

  test('with the right credentials the disguises reach the route, or an honest 404', async () => {
    const auth = { authorization: basic(AUTH_ID, AUTH_TOKEN) };
    const list = await raw(h.base, 'GET', `/%761/Account/${AUTH_ID}/Call/`, auth);
    assert.equal(list.status, 200);
    assert.equal(list.body.meta.total_count, 0);
    const dotted = await raw(h.base, 'GET', `/./v1/Account/${AUTH_ID}/Call/`, auth);
    assert.equal(dotted.status, 404);
    assert.equal(dotted.body.code, 'SB_NOT_FOUND');
  });
});

describe('failed authentications are slowed, counted and logged', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ flags: { 'auth-fail-limit': '3', 'auth-fail-window': '60s' } });
  });
  after(() => h.close());

  test('past the limit an address gets 429 with Retry-After, even with the right token; no credentials do not count', async () => {
    for (let i = 0; i < 5; i++) assert.equal((await h.api('GET', 'Call/', undefined, null)).status, 401);
    for (let i = 0; i < 3; i++) {
      const res = await h.api('GET', 'Call/', undefined, basic(AUTH_ID, `guess-${i}`));
      assert.equal(res.status, 401);
    }
    for (const auth of [basic(AUTH_ID, 'guess-4'), basic(AUTH_ID, AUTH_TOKEN)]) {
      const res = await raw(h.base, 'GET', `/v1/Account/${AUTH_ID}/Call/`, { authorization: auth });
      assert.equal(res.status, 429);
      assert.equal(res.body.code, 'SB_RATE_LIMITED');
      assert.match(res.body.error, /^too many requests: retry after \d+ s$/);
      const after = Number(res.headers['retry-after']);
      assert.ok(after >= 1 && after <= 60, `Retry-After ${after}`);
      assert.equal(typeof res.body.api_id, 'string');
    }
    const metrics = await raw(h.base, 'GET', '/metrics');
    assert.equal(metrics.status, 200);
    assert.match(metrics.text, /^switchboard_auth_failures_total\{reason="missing"\} 5$/m);
    assert.match(metrics.text, /^switchboard_auth_failures_total\{reason="bad"\} 3$/m);
    assert.match(metrics.text, /^switchboard_auth_failures_total\{reason="limited"\} 2$/m);
  });
});

describe('per-account limits: calls per second and live-feed streams', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ flags: { 'cps-limit': '2', 'sse-limit': '2' } });
  });
  after(() => h.close());

  test('a bulk call over the CPS limit is refused whole with 429; within it, it goes', async () => {
    await h.sim('15554440001', 'busy');
    await h.sim('15554440002', 'busy');
    await h.sim('15554440003', 'busy');
    const over = await h.call({ to: '15554440001<15554440002<15554440003' });
    assert.equal(over.status, 429);
    assert.equal(over.body.code, 'SB_RATE_LIMITED');
    assert.match(over.body.error, /calls per second: the account's limit of 2 is reached/);
    const ok = await h.call({ to: '15554440001<15554440002' });
    assert.equal(ok.status, 201);
    const next = await h.call({ to: '15554440003' });
    assert.equal(next.status, 429);
    await h.settle();
  });

  test('an account holds at most --sse-limit live-feed streams', async () => {
    const controllers: AbortController[] = [];
    const open = async () => {
      const c = new AbortController();
      controllers.push(c);
      return fetch(`${h.base}/v1/Account/${AUTH_ID}/Events/`, { headers: { authorization: basic(AUTH_ID, AUTH_TOKEN) }, signal: c.signal });
    };
    const a = await open();
    const b = await open();
    assert.deepEqual([a.status, b.status], [200, 200]);
    const c = await open();
    assert.equal(c.status, 429);
    assert.equal(((await c.json()) as { code: string }).code, 'SB_RATE_LIMITED');
    controllers[0]!.abort();
    // The freed slot is counted back once the server sees the close.
    let again = 429;
    for (let i = 0; i < 100 && again === 429; i++) {
      const res = await open();
      again = res.status;
      if (again === 429) await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(again, 200);
    for (const ctl of controllers) ctl.abort();
  });
});

describe('browsers, metrics and error bodies', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ flags: { 'metrics-auth': true } });
  });
  after(() => h.close());
  const auth = () => ({ authorization: basic(AUTH_ID, AUTH_TOKEN) });

  test('a state-changing request from another origin is refused; the engine\'s own origin and GETs pass', async () => {
    const target = `/v1/Account/${AUTH_ID}/Simulator/Number/`;
    const body = 'number=15554440009&script=busy';
    const evil = await raw(h.base, 'POST', target, { ...auth(), origin: 'https://evil.example' }, body);
    assert.equal(evil.status, 403);
    assert.equal(evil.body.code, 'SB_FORBIDDEN');
    assert.equal((await h.api('GET', 'Simulator/Number/15554440009/')).status, 404);
    const own = await raw(h.base, 'POST', target, { ...auth(), origin: h.base }, body);
    assert.equal(own.status, 201);
    const read = await raw(h.base, 'GET', target, { ...auth(), origin: 'https://evil.example' });
    assert.equal(read.status, 200);
  });

  test('--metrics-auth closes /metrics; health checks stay open', async () => {
    assert.equal((await raw(h.base, 'GET', '/metrics')).status, 401);
    assert.equal((await raw(h.base, 'GET', '/metrics', auth())).status, 200);
    assert.equal((await raw(h.base, 'GET', '/healthz')).status, 200);
    assert.equal((await raw(h.base, 'GET', '/readyz')).status, 200);
  });

  test('every answer carries the security headers; the dashboard may frame nothing', async () => {
    for (const res of [await raw(h.base, 'GET', '/healthz'), await raw(h.base, 'GET', '/'), await raw(h.base, 'GET', `/v1/Account/${AUTH_ID}/Call/`)]) {
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      assert.equal(res.headers['x-frame-options'], 'DENY');
      assert.match(String(res.headers['content-security-policy']), /frame-ancestors 'none'/);
      assert.match(String(res.headers['content-security-policy']), /default-src 'self'/);
    }
  });

  test('404, 405, 413, 431 and a bad URL answer in Plivo\'s shape', async () => {
    const shape = (res: Raw, status: number, code: string) => {
      assert.equal(res.status, status, res.text);
      assert.equal(typeof res.body?.api_id, 'string', res.text);
      assert.equal(typeof res.body?.error, 'string');
      assert.equal(res.body.code, code);
    };
    shape(await raw(h.base, 'GET', `/v1/Account/${AUTH_ID}/NoSuch/`, auth()), 404, 'SB_NOT_FOUND');
    const put = await raw(h.base, 'PUT', `/v1/Account/${AUTH_ID}/Call/`, auth());
    shape(put, 405, 'SB_METHOD_NOT_ALLOWED');
    assert.deepEqual(String(put.headers.allow).split(', ').sort(), ['DELETE', 'GET', 'HEAD', 'POST']);
    // Without credentials the same PUT says nothing about which methods exist.
    shape(await raw(h.base, 'PUT', `/v1/Account/${AUTH_ID}/Call/`), 401, 'SB_AUTH_FAILED');
    shape(await raw(h.base, 'POST', `/v1/Account/${AUTH_ID}/Simulator/Number/`, auth(), `number=1&script=${'x'.repeat(3 * 1024 * 1024)}`), 413, 'SB_BODY_TOO_LARGE');
    shape(await raw(h.base, 'GET', `/v1/Account/${AUTH_ID}/Call/`, { ...auth(), 'x-big': 'y'.repeat(20 * 1024) }), 431, 'SB_HEADERS_TOO_LARGE');
    shape(await raw(h.base, 'GET', `/v1/Account/${AUTH_ID}/Call/%E0%A4%A/`, auth()), 400, 'SB_BAD_REQUEST');
  });
});
