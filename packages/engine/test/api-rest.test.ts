// The REST API end to end (docs/api.md, plivo.md §1, engine.md §1): the real engine over HTTP on
// the virtual clock, a real app server receiving the webhooks the API calls cause.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { startHarness, pick, AUTH_ID, AUTH_TOKEN, type Harness } from './support/harness.ts';
import type { CapturedRequest } from './support/app-server.ts';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const UNKNOWN = '00000000-0000-4000-8000-000000000000';
const OTHER_ACCOUNT = 'MAOTHERACCOUNT000002';
const DIALABLE = 'a phone number (digits, with or without a leading +) or a sip: URI';

interface Answer {
  status: number;
  body: any;
  text: string;
  headers: Record<string, string | string[] | undefined>;
}

function basic(id: string, token: string): string {
  return 'Basic ' + Buffer.from(`${id}:${token}`).toString('base64');
}

/** A request with exactly the headers and body given (h.api always sends JSON). */
async function send(
  h: Harness,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  opts: { headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  const url = path.startsWith('/') ? `${h.base}${path}` : `${h.base}/v1/Account/${AUTH_ID}/${path}`;
  const headers = { authorization: basic(AUTH_ID, AUTH_TOKEN), ...opts.headers };
  const res = await request(url, { method, headers, body: opts.body });
  const text = await res.body.text();
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.statusCode, body, text, headers: res.headers };
}

/** Asserts Plivo's error shape plus ours: a fresh lowercase UUID v4 `api_id`, then exactly `expected`. */
function assertError(res: { status: number; body: any }, status: number, expected: { error: string; code: string; param?: string }): void {
  assert.equal(res.status, status, JSON.stringify(res.body));
  const { api_id, ...rest } = res.body as { api_id: string };
  assert.match(api_id, UUID_V4);
  assert.deepEqual(rest, expected);
}

/** Runs `fn` with the virtual clock stopped, so calls it places cannot move on until it is done. */
async function frozen<T>(h: Harness, fn: () => Promise<T>): Promise<T> {
  const release = h.engine.activity.begin();
  try {
    return await fn();
  } finally {
    release();
  }
}

/**
 * A ring_url handler that stops the virtual clock the moment the call rings, so a `no-answer`
 * call stays ringing (its ring timeout never comes) until the test releases it.
 */
function holdOnRing(h: Harness, path: string): { releaseAll(): void } {
  const holds: Array<() => void> = [];
  h.app.on(path, () => {
    holds.push(h.engine.activity.begin());
    return '<Response/>';
  });
  return {
    releaseAll() {
      for (const release of holds.splice(0)) release();
    },
  };
}

async function total(h: Harness): Promise<number> {
  const res = await h.api('GET', 'Call/');
  assert.equal(res.status, 200);
  return res.body.meta.total_count as number;
}

async function liveUuids(h: Harness): Promise<string[]> {
  const res = await h.api('GET', 'Call/?status=live');
  assert.equal(res.status, 200);
  return res.body.calls as string[];
}

/** Webhook parameters without the ids and wall-clock stamps that differ from call to call. */
function stable(req: CapturedRequest): Record<string, string> {
  const { CallUUID, RequestUUID, ALegUUID, ALegRequestUUID, StartTime, AnswerTime, EndTime, ...rest } = req.params;
  return rest;
}

describe('authentication (plivo.md §1.1)', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  const MISSING = 'authentication required: send HTTP Basic credentials (auth_id:auth_token)';
  const BAD = 'authentication failed: wrong auth_id or auth_token';
  const cases: Array<[string, string | null, string]> = [
    ['no Authorization header', null, MISSING],
    ['an empty header', '', MISSING],
    ['another scheme', `Bearer ${AUTH_TOKEN}`, BAD],
    ['Basic with bad base64', 'Basic !!not*base64!!', BAD],
    ['Basic without a colon', 'Basic ' + Buffer.from(AUTH_ID + AUTH_TOKEN).toString('base64'), BAD],
    ['the wrong token', basic(AUTH_ID, 'not-the-token'), BAD],
    ['another account id', basic(OTHER_ACCOUNT, AUTH_TOKEN), BAD],
    ['id and token swapped', basic(AUTH_TOKEN, AUTH_ID), BAD],
  ];
  for (const [name, header, error] of cases) {
    test(`${name}: 401 SB_AUTH_FAILED`, async () => {
      const res = await h.api('GET', 'Call/', undefined, header);
      assertError(res, 401, { error, code: 'SB_AUTH_FAILED' });
    });
  }

  test('the right credentials for the path of another account: 401 naming auth_id', async () => {
    const res = await h.api('GET', `/v1/Account/${OTHER_ACCOUNT}/Call/`);
    assertError(res, 401, {
      error: 'authentication failed: the auth_id in the path is not the authenticated account',
      code: 'SB_AUTH_FAILED',
      param: 'auth_id',
    });
  });

  test('the scheme name is case-insensitive', async () => {
    const res = await h.api('GET', 'Call/', undefined, basic(AUTH_ID, AUTH_TOKEN).replace('Basic', 'bAsIc'));
    assert.equal(res.status, 200);
  });

  test('every /v1 route, known or not, refuses before it acts: nothing is created or hung up', async () => {
    await h.sim('15554440001', 'ring 1s, answer, hangup after 5s');
    const body = { from: '15550000000', to: '15554440001', answer_url: h.app.url('/answer') };
    const routes: Array<['GET' | 'POST' | 'DELETE', string, unknown]> = [
      ['POST', 'Call/', body],
      ['GET', 'Call/', undefined],
      ['GET', 'Call/?status=live', undefined],
      ['GET', `Call/${UNKNOWN}/`, undefined],
      ['GET', `Call/${UNKNOWN}?status=live`, undefined],
      ['POST', `Call/${UNKNOWN}/`, { aleg_url: h.app.url('/x') }],
      ['DELETE', `Call/${UNKNOWN}/`, undefined],
      ['DELETE', 'Call/', undefined],
      ['DELETE', `Request/${UNKNOWN}/`, undefined],
      ['POST', 'Simulator/Number/', { number: '15554440002', script: 'busy' }],
      ['GET', 'Simulator/Number/', undefined],
      ['DELETE', 'Simulator/Number/15554440001/', undefined],
      ['POST', 'Simulator/Call/', { from: '15554440003', to: '15554440001' }],
      ['GET', 'NoSuchResource/', undefined],
    ];
    for (const [method, path, payload] of routes) {
      const res = await h.api(method, path, payload, basic(AUTH_ID, 'wrong'));
      assertError(res, 401, { error: BAD, code: 'SB_AUTH_FAILED' });
    }
    assert.deepEqual(await liveUuids(h), []);
    assert.equal(await total(h), 0);
    assert.equal((await h.api('GET', 'Simulator/Number/15554440001/')).status, 200);
    assert.equal((await h.api('GET', 'Simulator/Number/15554440002/')).status, 404);
    assert.deepEqual(h.app.requests(), []);
  });

  test('only the public routes need no credentials; an unknown path is told only to an account', async () => {
    const health = await h.api('GET', '/health', undefined, null);
    assert.equal(health.status, 200);
    assert.equal(health.body.status, 'ok');
    assertError(await h.api('GET', '/nowhere', undefined, null), 401, { error: MISSING, code: 'SB_AUTH_FAILED' });
    const unknown = await h.api('GET', '/nowhere');
    assertError(unknown, 404, { error: 'resource not found: GET /nowhere', code: 'SB_NOT_FOUND' });
  });
});

describe('routing: trailing slashes, unknown routes and ids, bad bodies', () => {
  let h: Harness;
  let finished: string;
  before(async () => {
    h = await startHarness();
    await h.sim('15554440010', 'busy');
    const res = await h.call({ to: '15554440010', hangup_url: h.app.url('/r-hangup') });
    assert.equal(res.status, 201);
    const [hangup] = await h.waitFor('/r-hangup');
    finished = hangup!.params.CallUUID!;
    await h.settle();
  });
  after(() => h.close());

  /** `Call/x/` -> `Call/x`, `Call/x/?q` -> `Call/x?q`. */
  const unslash = (path: string) => path.replace(/\/(\?|$)/, '$1');

  test('every route answers the same with and without its trailing slash', async () => {
    const routes: Array<{ method: 'GET' | 'POST' | 'DELETE'; path: string; body?: unknown; status: number }> = [
      { method: 'GET', path: 'Call/', status: 200 },
      { method: 'GET', path: 'Call/?status=live', status: 200 },
      { method: 'GET', path: 'Call/?status=queued', status: 200 },
      { method: 'GET', path: 'Call/?call_direction=outbound&limit=1', status: 200 },
      { method: 'GET', path: `Call/${finished}/`, status: 200 },
      { method: 'GET', path: `Call/${finished}/?status=live`, status: 404 },
      { method: 'POST', path: 'Call/', body: {}, status: 400 },
      { method: 'POST', path: `Call/${UNKNOWN}/`, body: { aleg_url: h.app.url('/x') }, status: 404 },
      { method: 'DELETE', path: `Call/${UNKNOWN}/`, status: 404 },
      { method: 'DELETE', path: 'Call/', status: 204 },
      { method: 'DELETE', path: `Request/${UNKNOWN}/`, status: 404 },
      { method: 'GET', path: 'Simulator/Number/', status: 200 },
      { method: 'GET', path: 'Simulator/Number/15554440010/', status: 200 },
      { method: 'GET', path: 'Simulator/Number/15554449999/', status: 404 },
      { method: 'POST', path: 'Simulator/Call/', body: {}, status: 400 },
    ];
    for (const route of routes) {
      const slashed = await h.api(route.method, route.path, route.body);
      const bare = await h.api(route.method, unslash(route.path), route.body);
      const label = `${route.method} ${route.path}`;
      assert.equal(slashed.status, route.status, label);
      assert.equal(bare.status, route.status, `${route.method} ${unslash(route.path)}`);
      const strip = (b: unknown) => {
        if (typeof b !== 'object' || b === null) return b;
        const { api_id, ...rest } = b as Record<string, unknown>;
        // Listed CDRs carry the answer's api_id too (Plivo's shape).
        if (Array.isArray(rest.objects)) rest.objects = rest.objects.map((o) => strip(o));
        return rest;
      };
      assert.deepEqual(strip(bare.body), strip(slashed.body), label);
      // A real route's own 404 names the resource, never "resource not found".
      if (route.status === 404) assert.doesNotMatch(slashed.body.error, /^resource not found/, label);
    }
  });

  test('simulator numbers are created and removed through either spelling', async () => {
    for (const [number, path] of [
      ['15554440011', 'Simulator/Number/'],
      ['15554440012', 'Simulator/Number'],
    ] as const) {
      const created = await h.api('POST', path, { number, script: 'busy' });
      assert.equal(created.status, 201, path);
      assert.equal((await h.api('DELETE', `Simulator/Number/${number}`)).status, 204);
      assert.equal((await h.api('GET', `Simulator/Number/${number}/`)).status, 404);
    }
  });

  test('GET /Call/{uuid}/ of a finished call is its CDR; ?status=live of it is 404', async () => {
    const cdr = await h.api('GET', `Call/${finished}`);
    assert.equal(cdr.body.call_uuid, finished);
    assert.equal(cdr.body.call_status, 'busy');
    const live = await h.api('GET', `Call/${finished}?status=live`);
    assertError(live, 404, { error: `live call not found: ${finished}`, code: 'SB_NOT_FOUND' });
    const queued = await h.api('GET', `Call/${finished}?status=queued`);
    assertError(queued, 404, { error: `queued call not found: ${finished}`, code: 'SB_NOT_FOUND' });
    const bad = await h.api('GET', `Call/${finished}?status=dead`);
    assertError(bad, 400, { error: 'status: must be live or queued (got "dead")', code: 'SB_INVALID_PARAM', param: 'status' });
  });

  test('unknown ids answer 404 in Plivo’s shape for get, hangup, cancel and transfer', async () => {
    assertError(await h.api('GET', `Call/${UNKNOWN}/`), 404, { error: `call not found: ${UNKNOWN}`, code: 'SB_NOT_FOUND' });
    assertError(await h.api('DELETE', `Call/${UNKNOWN}/`), 404, { error: `live call not found: ${UNKNOWN}`, code: 'SB_NOT_FOUND' });
    assertError(await h.api('DELETE', `Request/${UNKNOWN}/`), 404, { error: `call request not found: ${UNKNOWN}`, code: 'SB_NOT_FOUND' });
    assertError(await h.api('POST', `Call/${UNKNOWN}/`, { aleg_url: h.app.url('/x') }), 404, {
      error: `live call not found: ${UNKNOWN}`,
      code: 'SB_NOT_FOUND',
    });
    // A finished call is not live: it cannot be hung up or transferred any more.
    assertError(await h.api('DELETE', `Call/${finished}/`), 404, { error: `live call not found: ${finished}`, code: 'SB_NOT_FOUND' });
    assertError(await h.api('POST', `Call/${finished}/`, { aleg_url: h.app.url('/x') }), 404, {
      error: `live call not found: ${finished}`,
      code: 'SB_NOT_FOUND',
    });
  });

  test('unknown routes: 404 naming method and path', async () => {
    assertError(await h.api('GET', 'Calls/'), 404, {
      error: `resource not found: GET /v1/Account/${AUTH_ID}/Calls/`,
      code: 'SB_NOT_FOUND',
    });
    // A Plivo resource Switchboard lacks says so (routes/not-supported.ts), not 404.
    assertError(await h.api('GET', `Call/${finished}/Stream/`), 400, {
      error: 'Stream: not supported by Switchboard (no media server yet: audio is simulated, so a call cannot be streamed)',
      code: 'SB_NOT_SUPPORTED',
      param: 'Stream',
    });
    assertError(await h.api('POST', 'Request/'), 404, {
      error: `resource not found: POST /v1/Account/${AUTH_ID}/Request/`,
      code: 'SB_NOT_FOUND',
    });
  });

  test('a body that is not JSON, or not an object: 400 SB_INVALID_BODY, nothing created', async () => {
    const before = await total(h);
    const broken = await h.api('POST', 'Call/', '{"from": "15550000000", "to": ');
    assert.equal(broken.status, 400);
    assert.equal(broken.body.code, 'SB_INVALID_BODY');
    assert.match(broken.body.api_id, UUID_V4);
    assert.ok(broken.body.error.startsWith('request body: not valid JSON ('), broken.body.error);
    assert.deepEqual(Object.keys(broken.body).sort(), ['api_id', 'code', 'error']);
    assertError(await h.api('POST', 'Call/', '["15550000000"]'), 400, {
      error: 'request body: must be a JSON object or a form-encoded body (got an array)',
      code: 'SB_INVALID_BODY',
    });
    assertError(await h.api('POST', 'Call/', '"call me"'), 400, {
      error: 'request body: must be a JSON object or a form-encoded body (got a string)',
      code: 'SB_INVALID_BODY',
    });
    const xml = await send(h, 'POST', 'Call/', { headers: { 'content-type': 'application/xml' }, body: '<Call/>' });
    assertError(xml, 415, {
      error: 'request body: send application/json or application/x-www-form-urlencoded (got application/xml)',
      code: 'SB_UNSUPPORTED_MEDIA_TYPE',
    });
    assert.deepEqual(await liveUuids(h), []);
    assert.equal(await total(h), before);
  });
});

describe('make a call (plivo.md §1.3)', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  const A = '15554440020';

  test('missing and malformed parameters: 400 naming the parameter, nothing created', async () => {
    await h.sim(A, 'ring 1s, answer, hangup after 5s');
    const ok = { from: '+15550000000', to: A, answer_url: h.app.url('/answer') };
    const cases: Array<[Record<string, unknown>, { error: string; code: string; param: string }]> = [
      [{}, { error: 'from: required parameter is missing', code: 'SB_MISSING_PARAM', param: 'from' }],
      [{ ...ok, from: '  ' }, { error: 'from: required parameter is missing', code: 'SB_MISSING_PARAM', param: 'from' }],
      [{ ...ok, to: undefined }, { error: 'to: required parameter is missing', code: 'SB_MISSING_PARAM', param: 'to' }],
      [{ ...ok, answer_url: undefined }, { error: 'answer_url: required parameter is missing', code: 'SB_MISSING_PARAM', param: 'answer_url' }],
      [{ ...ok, from: 'alice' }, { error: `from: must be ${DIALABLE} (got "alice")`, code: 'SB_INVALID_PARAM', param: 'from' }],
      [{ ...ok, to: 'bob' }, { error: `to: destination 1 must be ${DIALABLE} (got "bob")`, code: 'SB_INVALID_PARAM', param: 'to' }],
      [{ ...ok, to: `${A}<<15554440021` }, { error: 'to: destination 2 is empty', code: 'SB_INVALID_PARAM', param: 'to' }],
      [{ ...ok, to: true }, { error: 'to: must be a string of destinations joined by < (got true)', code: 'SB_INVALID_PARAM', param: 'to' }],
      [{ ...ok, answer_url: '/answer' }, { error: 'answer_url: must be an absolute http(s) URL', code: 'SB_INVALID_PARAM', param: 'answer_url' }],
      [{ ...ok, hangup_url: 'ftp://example.com/h' }, { error: 'hangup_url: must be an absolute http(s) URL', code: 'SB_INVALID_PARAM', param: 'hangup_url' }],
      [{ ...ok, answer_method: 'PUT' }, { error: 'answer_method: must be GET or POST (got "PUT")', code: 'SB_INVALID_PARAM', param: 'answer_method' }],
      [{ ...ok, time_limit: 0 }, { error: 'time_limit: must be at least 1 (got 0)', code: 'SB_INVALID_PARAM', param: 'time_limit' }],
      [{ ...ok, time_limit: '30s' }, { error: 'time_limit: must be a whole number (got "30s")', code: 'SB_INVALID_PARAM', param: 'time_limit' }],
      [{ ...ok, ring_timeout: -1 }, { error: 'ring_timeout: must be at least 0 (got -1)', code: 'SB_INVALID_PARAM', param: 'ring_timeout' }],
      [{ ...ok, hangup_on_ring: 1.5 }, { error: 'hangup_on_ring: must be a whole number (got 1.5)', code: 'SB_INVALID_PARAM', param: 'hangup_on_ring' }],
      [{ ...ok, send_on_preanswer: 'yes' }, { error: 'send_on_preanswer: must be true or false (got "yes")', code: 'SB_INVALID_PARAM', param: 'send_on_preanswer' }],
      [
        { ...ok, send_digits: '12x' },
        {
          error: 'send_digits: must be DTMF keys (0-9 * # A-D, w and W for pauses) with an optional @<ms> tone length (got "12x")',
          code: 'SB_INVALID_PARAM',
          param: 'send_digits',
        },
      ],
      [{ ...ok, caller_name: 'x'.repeat(51) }, { error: 'caller_name: must be at most 50 characters (got 51)', code: 'SB_INVALID_PARAM', param: 'caller_name' }],
      [{ ...ok, machine_detection: 'maybe' }, { error: 'machine_detection: must be true or hangup (got "maybe")', code: 'SB_INVALID_PARAM', param: 'machine_detection' }],
      [{ ...ok, machine_detection: 'hangup', machine_detection_time: 1000 }, { error: 'machine_detection_time: must be between 2000 and 10000 (got 1000)', code: 'SB_INVALID_PARAM', param: 'machine_detection_time' }],
    ];
    const before = await total(h);
    for (const [body, expected] of cases) {
      assertError(await h.api('POST', 'Call/', body), 400, expected);
    }
    // The same refusals from a form body (curl -d): every value is a string there.
    const form = await send(h, 'POST', 'Call/', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ from: '15550000000', to: A, answer_url: h.app.url('/answer'), time_limit: '0' }).toString(),
    });
    assertError(form, 400, { error: 'time_limit: must be at least 1 (got 0)', code: 'SB_INVALID_PARAM', param: 'time_limit' });
    const twice = await send(h, 'POST', 'Call/', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `from=15550000000&to=${A}&answer_url=${encodeURIComponent(h.app.url('/answer'))}&time_limit=10&time_limit=20`,
    });
    assertError(twice, 400, { error: 'time_limit: given more than once', code: 'SB_INVALID_PARAM', param: 'time_limit' });

    assert.deepEqual(await liveUuids(h), []);
    await h.settle();
    assert.equal(await total(h), before);
    assert.deepEqual(h.app.requests(), []);
  });

  test('machine_detection=false is "not asked for": the call is placed', async () => {
    await h.sim('15554440022', 'busy');
    const res = await h.call({ to: '15554440022', machine_detection: 'false', hangup_url: h.app.url('/md-hangup') });
    assert.equal(res.status, 201);
    const [hangup] = await h.waitFor('/md-hangup');
    assert.equal(hangup!.params.CallStatus, 'busy');
    await h.settle();
  });

  test('typed JSON, JSON strings and a form body give the same call', async () => {
    const B = '15554440023';
    await h.sim(B, 'ring 1s, answer');
    h.app.on('/same-answer', '<Response><Wait length="3600"/></Response>');
    const common = {
      from: '+15550000000',
      to: `+${B}`,
      answer_url: h.app.url('/same-answer'),
      answer_method: 'get',
      ring_url: h.app.url('/same-ring'),
      hangup_url: h.app.url('/same-hangup'),
      caller_name: 'Alice',
      sip_headers: 'Team=blue',
    };
    const typed = { ...common, time_limit: 30, ring_timeout: 20, send_on_preanswer: false, hangup_on_ring: null };
    const strings = { ...common, time_limit: '30', ring_timeout: '20', send_on_preanswer: 'FALSE', hangup_on_ring: '' };
    const form = new URLSearchParams({ ...common, time_limit: '30', ring_timeout: '20', send_on_preanswer: 'false', hangup_on_ring: '' }).toString();

    const placed: Array<{ requestUuid: string; callUuid: string }> = [];
    const bodies: Array<() => Promise<Answer | { status: number; body: any }>> = [
      () => h.api('POST', 'Call/', typed),
      () => h.api('POST', 'Call/', strings),
      () => send(h, 'POST', 'Call/', { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form }),
    ];
    for (const [i, place] of bodies.entries()) {
      const res = await place();
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.equal(res.body.message, 'call fired');
      assert.match(res.body.request_uuid, UUID_V4);
      const hangups = await h.waitFor('/same-hangup', i + 1);
      const hangup = hangups[i]!;
      assert.equal(hangup.params.RequestUUID, res.body.request_uuid);
      placed.push({ requestUuid: res.body.request_uuid, callUuid: hangup.params.CallUUID! });
    }
    await h.settle();

    const expectedHangup = {
      From: '15550000000',
      To: B,
      CallStatus: 'completed',
      Direction: 'outbound',
      CallerName: 'Alice',
      Event: 'Hangup',
      'X-PH-Team': 'blue',
      HangupCause: 'ALLOTTED_TIMEOUT',
      HangupCauseCode: '4000',
      HangupCauseName: 'Normal Hangup',
      HangupSource: 'Plivo',
      Duration: '30',
      BillDuration: '60',
    };
    const hangups = h.app.requests('/same-hangup');
    assert.equal(hangups.length, 3);
    for (const hangup of hangups) assert.deepEqual(stable(hangup), expectedHangup);
    const answers = h.app.requests('/same-answer');
    assert.deepEqual(
      answers.map((r) => r.method),
      ['GET', 'GET', 'GET'],
    );
    assert.deepEqual(answers.map(stable), [0, 1, 2].map(() => stable(answers[0]!)));
    // Each call: rang at its start, answered 1 s later, cut by time_limit 30 s after that.
    assert.deepEqual(
      h.app.requests().filter((r) => r.path.startsWith('/same-')).map((r) => `${r.path}@${h.at(r)}`),
      ['/same-ring@0', '/same-answer@1', '/same-hangup@31', '/same-ring@31', '/same-answer@32', '/same-hangup@62', '/same-ring@62', '/same-answer@63', '/same-hangup@93'],
    );

    const cdrs = await Promise.all(placed.map((p) => h.api('GET', `Call/${p.callUuid}/`)));
    const comparable = cdrs.map((c) => {
      const { api_id, call_uuid, request_uuid, resource_uri, initiation_time, answer_time, end_time, ...rest } = c.body;
      return rest;
    });
    assert.deepEqual(comparable[0], {
      bill_duration: 30,
      billed_duration: 60,
      call_direction: 'outbound',
      call_duration: 30,
      call_state: 'COMPLETED',
      call_status: 'completed',
      caller_name: 'Alice',
      conference_uuid: null,
      from_number: '+15550000000',
      hangup_cause: 'ALLOTTED_TIMEOUT',
      hangup_cause_code: 4000,
      hangup_cause_name: 'Normal Hangup',
      hangup_source: 'Plivo',
      parent_call_uuid: null,
      to_number: B,
      total_amount: '0.00000',
      total_rate: '0.00000',
      stir_verification: 'Not Applicable',
      stir_attestation: '',
      voice_network_group: null,
      source_ip: null,
      cnam_lookup: '',
      error: null,
      warnings: [],
    });
    assert.deepEqual(comparable[1], comparable[0]);
    assert.deepEqual(comparable[2], comparable[0]);
  });

  test('bulk: to=a<b answers 201 "calls fired" with one request_uuid per destination, in order', async () => {
    const B1 = '15554440024';
    const B2 = '15554440025';
    await h.sim(B1, 'busy');
    await h.sim(B2, 'fail UNALLOCATED_NUMBER');
    const res = await h.call({ to: `${B1}<+${B2}`, hangup_url: h.app.url('/bulk-hangup') });
    assert.equal(res.status, 201);
    assert.equal(res.body.message, 'calls fired');
    assert.equal(res.body.request_uuid.length, 2);
    for (const id of res.body.request_uuid) assert.match(id, UUID_V4);
    assert.notEqual(res.body.request_uuid[0], res.body.request_uuid[1]);
    await h.waitFor('/bulk-hangup', 2);
    await h.settle();
    const byTo = Object.fromEntries(h.app.requests('/bulk-hangup').map((r) => [r.params.To, pick(r, ['RequestUUID', 'CallStatus', 'HangupCause'])]));
    assert.deepEqual(byTo, {
      [B1]: { RequestUUID: res.body.request_uuid[0], CallStatus: 'busy', HangupCause: 'USER_BUSY' },
      [B2]: { RequestUUID: res.body.request_uuid[1], CallStatus: 'failed', HangupCause: 'UNALLOCATED_NUMBER' },
    });
  });
});

describe('list and retrieve finished calls (plivo.md §1.4, §1.5)', () => {
  let h: Harness;
  // A1 dials B1; C is busy; D comes from another caller ID; E is an inbound call.
  const ids = { A1: '', B1: '', C: '', D: '', E: '', A1request: '' };
  const A1 = '15552220001';
  const B1 = '15552220002';
  const C = '15552220003';
  const D = '15552220004';
  const N = '15558880000';

  before(async () => {
    let app = '';
    h = await startHarness({
      inboundRouter: async (to) =>
        to === N ? { answerUrl: `${app}/in-answer`, answerMethod: 'POST', hangupUrl: `${app}/hangup`, hangupMethod: 'POST' } : undefined,
    });
    app = h.app.url('').replace(/\/$/, '');
    await h.sim(A1, 'ring 1s, answer, hangup after 5s');
    await h.sim(B1, 'ring 2s, answer, hangup after 10s');
    await h.sim(C, 'busy');
    await h.sim(D, 'ring 1s, answer, hangup after 61s');
    h.app.on('/answer', (req) =>
      req.params.To === A1 ? `<Response><Dial callbackUrl="${h.app.url('/cb')}"><Number>${B1}</Number></Dial></Response>` : '<Response><Wait length="3600"/></Response>',
    );
    // Speak answers the inbound call (Wait would not) and holds it until the caller hangs up.
    h.app.on('/in-answer', '<Response><Speak loop="0">hold the line</Speak></Response>');
    await frozen(h, async () => {
      h.runAt(0, async () => {
        ids.A1request = (await h.call({ to: A1 })).body.request_uuid;
      });
      h.runAt(20, () => h.call({ to: C }));
      h.runAt(40, () => h.call({ to: D, from: '+15557770000' }));
      h.runAt(200, () => h.api('POST', 'Simulator/Call/', { from: '+15559990000', to: N, script: 'hangup after 20s' }));
    });
    const hangups = await h.waitFor('/hangup', 4);
    await h.settle();
    const byTo = (to: string) => hangups.find((r) => r.params.To === to)!.params.CallUUID!;
    ids.A1 = byTo(A1);
    ids.C = byTo(C);
    ids.D = byTo(D);
    ids.E = byTo(N);
    ids.B1 = h.app.requests('/cb')[0]!.params.DialBLegUUID!;
  });
  after(() => h.close());

  async function list(query: string): Promise<{ uuids: string[]; meta: any }> {
    const res = await h.api('GET', `Call/${query}`);
    assert.equal(res.status, 200, `${query}: ${JSON.stringify(res.body)}`);
    assert.match(res.body.api_id, UUID_V4);
    return { uuids: res.body.objects.map((o: { call_uuid: string }) => o.call_uuid), meta: res.body.meta };
  }

  test('the fixture ran as scripted', () => {
    const seen = h.app.requests('/hangup').map((r) => `${r.params.To}@${h.at(r)} ${r.params.CallStatus} ${r.params.Duration}`);
    assert.deepEqual(seen, [`${A1}@6 completed 5`, `${C}@20 busy 0`, `${D}@102 completed 61`, `${N}@220 completed 20`]);
  });

  test('GET /Call/{uuid}/ of a finished A leg: every CDR field with its exact value', async () => {
    const res = await h.api('GET', `Call/${ids.A1}/`);
    assert.equal(res.status, 200);
    const { api_id, ...cdr } = res.body;
    assert.match(api_id, UUID_V4);
    assert.deepEqual(cdr, {
      answer_time: '2026-01-01 00:00:01+00:00',
      bill_duration: 5,
      billed_duration: 60,
      call_direction: 'outbound',
      call_duration: 5,
      call_state: 'COMPLETED',
      call_status: 'completed',
      call_uuid: ids.A1,
      caller_name: '15550000000',
      conference_uuid: null,
      end_time: '2026-01-01 00:00:06+00:00',
      from_number: '+15550000000',
      hangup_cause: 'NORMAL_CLEARING',
      hangup_cause_code: 4000,
      hangup_cause_name: 'Normal Hangup',
      hangup_source: 'Caller',
      initiation_time: '2026-01-01 00:00:00+00:00',
      parent_call_uuid: null,
      request_uuid: ids.A1request,
      resource_uri: `/v1/Account/${AUTH_ID}/Call/${ids.A1}/`,
      to_number: A1,
      total_amount: '0.00000',
      total_rate: '0.00000',
      stir_verification: 'Not Applicable',
      stir_attestation: '',
      voice_network_group: null,
      source_ip: null,
      cnam_lookup: '',
      error: null,
      warnings: [],
    });
  });

  test('the B leg’s CDR points at its A leg; unanswered and inbound calls have their own values', async () => {
    const b = (await h.api('GET', `Call/${ids.B1}/`)).body;
    assert.deepEqual(
      pickKeys(b, ['parent_call_uuid', 'call_direction', 'to_number', 'initiation_time', 'answer_time', 'end_time', 'call_duration', 'bill_duration', 'hangup_cause_code', 'resource_uri']),
      {
        parent_call_uuid: ids.A1,
        call_direction: 'outbound',
        to_number: B1,
        initiation_time: '2026-01-01 00:00:01+00:00',
        answer_time: '2026-01-01 00:00:03+00:00',
        end_time: '2026-01-01 00:00:06+00:00',
        call_duration: 3,
        bill_duration: 3,
        hangup_cause_code: 4000,
        resource_uri: `/v1/Account/${AUTH_ID}/Call/${ids.B1}/`,
      },
    );
    const c = (await h.api('GET', `Call/${ids.C}/`)).body;
    assert.deepEqual(
      pickKeys(c, ['call_status', 'answer_time', 'initiation_time', 'end_time', 'call_duration', 'bill_duration', 'billed_duration', 'hangup_cause', 'hangup_cause_code', 'hangup_cause_name', 'hangup_source']),
      {
        call_status: 'busy',
        answer_time: null,
        initiation_time: '2026-01-01 00:00:20+00:00',
        end_time: '2026-01-01 00:00:20+00:00',
        call_duration: 0,
        bill_duration: 0,
        billed_duration: 0,
        hangup_cause: 'USER_BUSY',
        hangup_cause_code: 3000,
        hangup_cause_name: 'Busy Line',
        hangup_source: 'Callee',
      },
    );
    const e = (await h.api('GET', `Call/${ids.E}/`)).body;
    assert.deepEqual(pickKeys(e, ['call_direction', 'from_number', 'to_number', 'parent_call_uuid', 'bill_duration', 'billed_duration', 'end_time']), {
      call_direction: 'inbound',
      from_number: '+15559990000',
      to_number: N,
      parent_call_uuid: null,
      bill_duration: 20,
      billed_duration: 60,
      end_time: '2026-01-01 00:03:40+00:00',
    });
  });

  test('the whole list, newest first, with the paging block', async () => {
    const all = await list('');
    assert.deepEqual(all.uuids, [ids.E, ids.D, ids.C, ids.B1, ids.A1]);
    assert.deepEqual(all.meta, { limit: 20, next: null, offset: 0, previous: null, total_count: 5 });
  });

  test('call_direction', async () => {
    assert.deepEqual((await list('?call_direction=inbound')).uuids, [ids.E]);
    assert.deepEqual((await list('?call_direction=outbound')).uuids, [ids.D, ids.C, ids.B1, ids.A1]);
  });

  test('from_number and to_number, with and without +', async () => {
    assert.deepEqual((await list('?from_number=15557770000')).uuids, [ids.D]);
    assert.deepEqual((await list('?from_number=%2B15557770000')).uuids, [ids.D]);
    assert.deepEqual((await list(`?to_number=%2B${C}`)).uuids, [ids.C]);
    assert.deepEqual((await list(`?to_number=${B1}`)).uuids, [ids.B1]);
    assert.deepEqual((await list('?from_number=15550000000&call_direction=outbound')).uuids, [ids.C, ids.B1, ids.A1]);
    assert.deepEqual((await list('?to_number=15550000001')).uuids, []);
  });

  test('parent_call_uuid and hangup_cause_code', async () => {
    assert.deepEqual((await list(`?parent_call_uuid=${ids.A1}`)).uuids, [ids.B1]);
    assert.deepEqual((await list('?hangup_cause_code=3000')).uuids, [ids.C]);
    assert.deepEqual((await list('?hangup_cause_code=4000')).uuids, [ids.E, ids.D, ids.B1, ids.A1]);
    assert.deepEqual((await list('?hangup_source=Callee')).uuids, [ids.C]);
    assert.deepEqual((await list('?hangup_source=Caller')).uuids, [ids.E, ids.D, ids.B1, ids.A1]);
  });

  test('bill_duration and its suffixes, in Plivo’s and the SDK’s spelling', async () => {
    // Bill durations: E 20, D 61, C 0, B1 3, A1 5.
    assert.deepEqual((await list('?bill_duration=5')).uuids, [ids.A1]);
    assert.deepEqual((await list('?bill_duration__gt=5')).uuids, [ids.E, ids.D]);
    assert.deepEqual((await list('?bill_duration__gte=5')).uuids, [ids.E, ids.D, ids.A1]);
    assert.deepEqual((await list('?bill_duration__lt=5')).uuids, [ids.C, ids.B1]);
    assert.deepEqual((await list('?bill_duration__lte=3')).uuids, [ids.C, ids.B1]);
    assert.deepEqual((await list('?bill_duration__gt=3&bill_duration__lt=61')).uuids, [ids.E, ids.A1]);
    assert.deepEqual((await list('?bill_duration_gt=5')).uuids, [ids.E, ids.D]);
    assertError(await h.api('GET', 'Call/?bill_duration__gt=abc'), 400, {
      error: 'bill_duration__gt: must be a whole number (got "abc")',
      code: 'SB_INVALID_PARAM',
      param: 'bill_duration__gt',
    });
  });

  test('end_time suffixes', async () => {
    assert.deepEqual((await list('?end_time__gte=2026-01-01%2000:01')).uuids, [ids.E, ids.D]);
    assert.deepEqual((await list('?end_time__lt=2026-01-01%2000:00:20')).uuids, [ids.B1, ids.A1]);
  });

  test('limit and offset walk the list; next and previous are paths that work', async () => {
    const first = await list('?limit=2');
    assert.deepEqual(first.uuids, [ids.E, ids.D]);
    const base = `/v1/Account/${AUTH_ID}/Call/`;
    assert.deepEqual(first.meta, { limit: 2, next: `${base}?limit=2&offset=2`, offset: 0, previous: null, total_count: 5 });
    const second = await list('?limit=2&offset=2');
    assert.deepEqual(second.uuids, [ids.C, ids.B1]);
    assert.deepEqual(second.meta, { limit: 2, next: `${base}?limit=2&offset=4`, offset: 2, previous: `${base}?limit=2&offset=0`, total_count: 5 });
    const last = await list('?limit=2&offset=4');
    assert.deepEqual(last.uuids, [ids.A1]);
    assert.deepEqual(last.meta, { limit: 2, next: null, offset: 4, previous: `${base}?limit=2&offset=2`, total_count: 5 });

    // Following `next` from the first page visits every call once, filters kept.
    const seen: string[] = [];
    let next: string | null = `${base}?call_direction=outbound&limit=1`;
    const pages: Array<string | null> = [];
    while (next !== null) {
      const res: { status: number; body: any } = await h.api('GET', next);
      assert.equal(res.status, 200);
      seen.push(...res.body.objects.map((o: { call_uuid: string }) => o.call_uuid));
      pages.push(res.body.meta.previous);
      next = res.body.meta.next;
    }
    assert.deepEqual(seen, [ids.D, ids.C, ids.B1, ids.A1]);
    assert.deepEqual(pages, [
      null,
      `${base}?call_direction=outbound&limit=1&offset=0`,
      `${base}?call_direction=outbound&limit=1&offset=1`,
      `${base}?call_direction=outbound&limit=1&offset=2`,
    ]);

    const beyond = await list('?offset=10');
    assert.deepEqual(beyond.uuids, []);
    assert.deepEqual(beyond.meta, { limit: 20, next: null, offset: 10, previous: `${base}?limit=20&offset=0`, total_count: 5 });
  });

  test('bad list parameters name themselves', async () => {
    assertError(await h.api('GET', 'Call/?limit=21'), 400, { error: 'limit: must be between 1 and 20 (got 21)', code: 'SB_INVALID_PARAM', param: 'limit' });
    assertError(await h.api('GET', 'Call/?offset=-1'), 400, { error: 'offset: must be at least 0 (got -1)', code: 'SB_INVALID_PARAM', param: 'offset' });
    assertError(await h.api('GET', 'Call/?call_direction=sideways'), 400, {
      error: 'call_direction: must be inbound or outbound (got "sideways")',
      code: 'SB_INVALID_PARAM',
      param: 'call_direction',
    });
  });
});

function pickKeys(o: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((k) => [k, o[k]]));
}

describe('live calls, hangup, cancel and transfer (plivo.md §1.6, §1.7)', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  test('a ringing call is listed live, read through both spellings, then hung up by the API', async () => {
    const L = '15556660001';
    await h.sim(L, 'no-answer');
    const ring = holdOnRing(h, '/l-ring');
    try {
      const placed = await h.call({ to: L, ring_url: h.app.url('/l-ring'), hangup_url: h.app.url('/l-hangup'), answer_url: h.app.url('/l-answer') });
      assert.equal(placed.status, 201);
      const [rang] = await h.waitFor('/l-ring');
      const uuid = rang!.params.CallUUID!;

      for (const path of ['Call/?status=live', 'Call?status=live']) {
        const res = await h.api('GET', path);
        assert.equal(res.status, 200);
        assert.deepEqual(Object.keys(res.body).sort(), ['api_id', 'calls']);
        assert.deepEqual(res.body.calls, [uuid]);
      }
      assert.deepEqual((await h.api('GET', 'Call/?status=queued')).body.calls, []);

      const expected = {
        call_status: 'ringing',
        call_uuid: uuid,
        caller_name: '+15550000000',
        direction: 'outbound',
        from: '15550000000',
        to: L,
        request_uuid: placed.body.request_uuid,
        parent_call_uuid: null,
        session_start: '2026-01-01 00:00:00.000000',
        stir_verification: 'Not Applicable',
        stir_attestation: '',
      };
      // The SDK sends no slash before `?` (plivo.md §1.6).
      for (const path of [`Call/${uuid}?status=live`, `Call/${uuid}/?status=live`]) {
        const res = await h.api('GET', path);
        assert.equal(res.status, 200, path);
        const { api_id, ...live } = res.body;
        assert.match(api_id, UUID_V4);
        assert.deepEqual(live, expected, path);
      }
      assertError(await h.api('GET', `Call/${uuid}?status=queued`), 404, { error: `queued call not found: ${uuid}`, code: 'SB_NOT_FOUND' });

      // The CDR of a live call has no end yet, and the list of finished calls does not show it.
      const cdr = (await h.api('GET', `Call/${uuid}/`)).body;
      assert.deepEqual(pickKeys(cdr, ['call_status', 'answer_time', 'end_time', 'hangup_cause_code']), {
        call_status: 'ringing',
        answer_time: null,
        end_time: null,
        hangup_cause_code: null,
      });
      assert.equal(await total(h), 0);

      // Only an answered call can be transferred.
      assertError(await h.api('POST', `Call/${uuid}/`, { aleg_url: h.app.url('/x') }), 409, {
        error: `call ${uuid}: not answered yet; only an answered call can be transferred`,
        code: 'SB_CONFLICT',
      });

      const hungUp = await h.api('DELETE', `Call/${uuid}/`);
      assert.equal(hungUp.status, 204);
      assert.equal(hungUp.body, undefined);
      ring.releaseAll();
      const [hangup] = await h.waitFor('/l-hangup');
      assert.equal(h.at(hangup!), 0);
      assert.deepEqual(pick(hangup!, ['CallUUID', 'CallStatus', 'HangupCause', 'HangupCauseCode', 'HangupCauseName', 'HangupSource', 'Duration', 'BillDuration', 'AnswerTime']), {
        CallUUID: uuid,
        CallStatus: 'cancel',
        HangupCause: 'ORIGINATOR_CANCEL',
        HangupCauseCode: '1000',
        HangupCauseName: 'Canceled',
        HangupSource: 'API Request',
        Duration: '0',
        BillDuration: '0',
        AnswerTime: '',
      });
      await h.settle();
      assert.deepEqual(h.app.requests('/l-answer'), []);
      assert.deepEqual(await liveUuids(h), []);
      assertError(await h.api('GET', `Call/${uuid}?status=live`), 404, { error: `live call not found: ${uuid}`, code: 'SB_NOT_FOUND' });
      assertError(await h.api('DELETE', `Call/${uuid}/`), 404, { error: `live call not found: ${uuid}`, code: 'SB_NOT_FOUND' });
      assert.equal((await h.api('GET', `Call/${uuid}/`)).body.call_status, 'cancel');
    } finally {
      ring.releaseAll();
    }
  });

  test('an answered call hung up by the API: completed, Normal Hangup, API Request', async () => {
    const L = '15556660002';
    await h.sim(L, 'ring 1s, answer');
    h.app.on('/h-answer', '<Response><Wait length="3600"/></Response>');
    let deleted: { status: number } | undefined;
    await frozen(h, async () => {
      await h.call({ to: L, answer_url: h.app.url('/h-answer'), hangup_url: h.app.url('/h-hangup') });
      h.runAt(h.t() + 7, async () => {
        const uuid = h.app.requests('/h-answer')[0]!.params.CallUUID!;
        deleted = await h.api('DELETE', `Call/${uuid}/`);
      });
    });
    const [hangup] = await h.waitFor('/h-hangup');
    await h.settle();
    assert.equal(deleted?.status, 204);
    assert.deepEqual(pick(hangup!, ['CallStatus', 'HangupCause', 'HangupCauseCode', 'HangupCauseName', 'HangupSource', 'Duration']), {
      CallStatus: 'completed',
      HangupCause: 'NORMAL_CLEARING',
      HangupCauseCode: '4000',
      HangupCauseName: 'Normal Hangup',
      HangupSource: 'API Request',
      Duration: '6',
    });
  });

  test('DELETE /Call/ hangs up every live call, ringing or answered', async () => {
    const R1 = '15556660003';
    const R2 = '15556660004';
    const ANS = '15556660005';
    await h.sim(R1, 'no-answer');
    await h.sim(R2, 'no-answer');
    await h.sim(ANS, 'answer');
    const holds = holdOnRing(h, '/m-ring');
    const answeredHold: Array<() => void> = [];
    h.app.on('/m-answer', () => {
      answeredHold.push(h.engine.activity.begin());
      return '<Response><Wait length="3600"/></Response>';
    });
    try {
      const common = { ring_url: h.app.url('/m-ring'), answer_url: h.app.url('/m-answer'), hangup_url: h.app.url('/m-hangup') };
      const res = await h.call({ ...common, to: `${R1}<${R2}<${ANS}` });
      assert.equal(res.status, 201);
      await h.waitFor('/m-ring', 2);
      await h.waitFor('/m-answer', 1);
      assert.equal((await liveUuids(h)).length, 3);

      const all = await h.api('DELETE', 'Call/');
      assert.equal(all.status, 204);
      assert.equal(all.body, undefined);
      holds.releaseAll();
      for (const release of answeredHold.splice(0)) release();
      await h.waitFor('/m-hangup', 3);
      await h.settle();
      const byTo = Object.fromEntries(
        h.app.requests('/m-hangup').map((r) => [r.params.To, pick(r, ['CallStatus', 'HangupCauseCode', 'HangupSource'])]),
      );
      assert.deepEqual(byTo, {
        [R1]: { CallStatus: 'cancel', HangupCauseCode: '1000', HangupSource: 'API Request' },
        [R2]: { CallStatus: 'cancel', HangupCauseCode: '1000', HangupSource: 'API Request' },
        [ANS]: { CallStatus: 'completed', HangupCauseCode: '4000', HangupSource: 'API Request' },
      });
      assert.deepEqual(await liveUuids(h), []);
      // Nothing left to hang up: still 204.
      assert.equal((await h.api('DELETE', 'Call/')).status, 204);
    } finally {
      holds.releaseAll();
      for (const release of answeredHold.splice(0)) release();
    }
  });

  test('cancel a call request: DELETE /Request/{request_uuid}/ -> 204', async () => {
    const L = '15556660006';
    await h.sim(L, 'no-answer');
    const ring = holdOnRing(h, '/c-ring');
    try {
      const placed = await h.call({ to: L, ring_url: h.app.url('/c-ring'), hangup_url: h.app.url('/c-hangup') });
      const requestUuid = placed.body.request_uuid as string;
      await h.waitFor('/c-ring');
      const res = await h.api('DELETE', `Request/${requestUuid}/`);
      assert.equal(res.status, 204);
      assert.equal(res.body, undefined);
      ring.releaseAll();
      const [hangup] = await h.waitFor('/c-hangup');
      await h.settle();
      assert.deepEqual(pick(hangup!, ['RequestUUID', 'CallStatus', 'HangupCause', 'HangupCauseCode', 'HangupSource']), {
        RequestUUID: requestUuid,
        CallStatus: 'cancel',
        HangupCause: 'ORIGINATOR_CANCEL',
        HangupCauseCode: '1000',
        HangupSource: 'API Request',
      });
      assertError(await h.api('DELETE', `Request/${requestUuid}`), 404, { error: `call request not found: ${requestUuid}`, code: 'SB_NOT_FOUND' });
    } finally {
      ring.releaseAll();
    }
  });

  test('transfer: the answered call fetches aleg_url (Event=Redirect) and runs its XML', async () => {
    const L = '15556660007';
    await h.sim(L, 'ring 1s, answer');
    h.app.on('/x-answer', '<Response><Wait length="3600"/><Speak>never spoken</Speak></Response>');
    h.app.on('/x-new', '<Response><Hangup/></Response>');
    let start = 0;
    let uuid = '';
    const answers: Array<{ status: number; body: any }> = [];
    await frozen(h, async () => {
      start = h.t();
      await h.call({ to: L, answer_url: h.app.url('/x-answer'), hangup_url: h.app.url('/x-hangup') });
      h.runAt(start + 5, async () => {
        uuid = h.app.requests('/x-answer')[0]!.params.CallUUID!;
        answers.push(await h.api('POST', `Call/${uuid}/`, {}));
        answers.push(await h.api('POST', `Call/${uuid}/`, { legs: 'bleg', bleg_url: h.app.url('/y') }));
        answers.push(await h.api('POST', `Call/${uuid}/`, { legs: 'aleg', aleg_url: h.app.url('/x-new'), aleg_method: 'GET' }));
      });
    });
    const [hangup] = await h.waitFor('/x-hangup');
    await h.settle();
    const [missing, noBLeg, transferred] = answers;
    assertError(missing!, 400, { error: 'aleg_url: required parameter is missing', code: 'SB_MISSING_PARAM', param: 'aleg_url' });
    assertError(noBLeg!, 409, { error: `call ${uuid}: no bridged B leg to transfer`, code: 'SB_CONFLICT' });
    assert.equal(transferred!.status, 202);
    const { api_id, ...body } = transferred!.body;
    assert.match(api_id, UUID_V4);
    assert.deepEqual(body, { message: 'call transferred' });

    const answer = h.app.requests('/x-answer')[0]!;
    const moved = h.app.requests('/x-new');
    assert.equal(moved.length, 1);
    assert.equal(moved[0]!.method, 'GET');
    assert.equal(h.at(moved[0]!) - start, 5);
    assert.deepEqual(pick(moved[0]!, ['CallUUID', 'Event', 'CallStatus', 'Direction', 'To']), {
      CallUUID: answer.params.CallUUID,
      Event: 'Redirect',
      CallStatus: 'in-progress',
      Direction: 'outbound',
      To: L,
    });
    assert.equal(h.at(hangup!) - start, 5);
    assert.deepEqual(pick(hangup!, ['CallUUID', 'CallStatus', 'HangupCause', 'HangupCauseCode', 'HangupSource', 'Duration']), {
      CallUUID: answer.params.CallUUID,
      CallStatus: 'completed',
      HangupCause: 'NORMAL_CLEARING',
      HangupCauseCode: '4000',
      HangupSource: 'Answer XML',
      Duration: '4',
    });
  });
});

describe('transfer of the bridged B leg (legs=bleg)', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  test('the B leg leaves the Dial and runs bleg_url; the A leg’s Dial ends completed', async () => {
    const A = '15556670001';
    const B = '15556670002';
    await h.sim(A, 'ring 1s, answer');
    await h.sim(B, 'ring 1s, answer');
    h.app.on('/answer', `<Response><Dial action="${h.app.url('/action')}" callbackUrl="${h.app.url('/cb')}"><Number>${B}</Number></Dial></Response>`);
    h.app.on('/b-new', '<Response><Speak>for b only</Speak></Response>');
    let transferred: { status: number; body: any } | undefined;
    await frozen(h, async () => {
      await h.call({ to: A });
      h.runAt(5, async () => {
        const uuid = h.app.requests('/answer')[0]!.params.CallUUID!;
        transferred = await h.api('POST', `Call/${uuid}/`, { legs: 'bleg', bleg_url: h.app.url('/b-new') });
      });
    });
    await h.waitFor('/hangup');
    await h.settle();
    assert.equal(transferred?.status, 202);
    assert.equal(transferred.body.message, 'call transferred');
    const aUuid = h.app.requests('/answer')[0]!.params.CallUUID!;
    const bUuid = h.app.requests('/cb')[0]!.params.DialBLegUUID!;
    assert.deepEqual(
      h.app.requests().map((r) => `${r.path}@${h.at(r)} ${r.params.Event} ${r.params.CallUUID === bUuid ? 'B' : r.params.CallUUID === aUuid ? 'A' : '?'}`),
      ['/ring@0 Ring A', '/answer@1 StartApp A', '/cb@2 DialAnswer A', '/cb@2 DialConnected A', '/b-new@5 Redirect B', '/action@5 Redirect A', '/hangup@5 Hangup A'],
    );
    assert.equal(h.app.requests('/action')[0]!.params.DialStatus, 'completed');
    const bCdr = (await h.api('GET', `Call/${bUuid}/`)).body;
    assert.deepEqual(pickKeys(bCdr, ['call_status', 'parent_call_uuid', 'hangup_cause_code', 'end_time']), {
      call_status: 'completed',
      parent_call_uuid: aUuid,
      hangup_cause_code: 4010,
      end_time: '2026-01-01 00:00:06+00:00',
    });
  });
});

describe('Simulator API (engine.md §4)', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  const N = '15553330001';

  test('numbers: create, list, read (with or without +), update, delete', async () => {
    const created = await h.api('POST', 'Simulator/Number/', { number: `+${N}`, script: '  ring 2s, answer, hangup after 30s ' });
    assert.equal(created.status, 201);
    const stamp = '2026-01-01 00:00:00+00:00';
    const object = { number: N, script: 'ring 2s, answer, hangup after 30s', created_at: stamp, updated_at: stamp };
    const { api_id, ...body } = created.body;
    assert.match(api_id, UUID_V4);
    assert.deepEqual(body, { message: 'number configured', ...object });

    const listed = await h.api('GET', 'Simulator/Number/');
    assert.equal(listed.status, 200);
    assert.deepEqual({ meta: listed.body.meta, objects: listed.body.objects }, { meta: { total_count: 1 }, objects: [object] });

    for (const path of [`Simulator/Number/${N}/`, `Simulator/Number/%2B${N}/`, `Simulator/Number/${N}`]) {
      const one = await h.api('GET', path);
      assert.equal(one.status, 200, path);
      const { api_id: _id, ...rest } = one.body;
      assert.deepEqual(rest, object, path);
    }

    const updated = await h.api('POST', 'Simulator/Number', { number: N, script: 'busy' });
    assert.equal(updated.status, 201);
    assert.equal(updated.body.script, 'busy');
    assert.equal((await h.api('GET', 'Simulator/Number/')).body.meta.total_count, 1);

    const removed = await h.api('DELETE', `Simulator/Number/${N}/`);
    assert.equal(removed.status, 204);
    assert.equal(removed.body, undefined);
    assertError(await h.api('GET', `Simulator/Number/${N}/`), 404, { error: `simulator number not found: ${N}`, code: 'SB_NOT_FOUND' });
    assertError(await h.api('DELETE', `Simulator/Number/${N}/`), 404, { error: `simulator number not found: ${N}`, code: 'SB_NOT_FOUND' });
    assert.deepEqual((await h.api('GET', 'Simulator/Number/')).body.objects, []);
  });

  test('a script that does not parse: 400 naming the script and the column, nothing stored', async () => {
    const res = await h.api('POST', 'Simulator/Number/', { number: N, script: 'ring 2s, answr' });
    assert.equal(res.status, 400);
    assert.equal(res.body.code, 'SB_INVALID_PARAM');
    assert.equal(res.body.param, 'script');
    assert.match(res.body.error, /^script: .* at column 10: "ring 2s, answr"$/);
    assertError(await h.api('GET', `Simulator/Number/${N}/`), 404, { error: `simulator number not found: ${N}`, code: 'SB_NOT_FOUND' });
  });

  test('number bodies: missing and malformed fields', async () => {
    assertError(await h.api('POST', 'Simulator/Number/', { script: 'busy' }), 400, {
      error: 'number: required parameter is missing',
      code: 'SB_MISSING_PARAM',
      param: 'number',
    });
    assertError(await h.api('POST', 'Simulator/Number/', { number: N }), 400, {
      error: 'script: required parameter is missing',
      code: 'SB_MISSING_PARAM',
      param: 'script',
    });
    assertError(await h.api('POST', 'Simulator/Number/', { number: 'desk', script: 'busy' }), 400, {
      error: `number: must be ${DIALABLE} (got "desk")`,
      code: 'SB_INVALID_PARAM',
      param: 'number',
    });
  });

  test('Simulator/Call/: a bad caller script is refused before any call exists', async () => {
    const res = await h.api('POST', 'Simulator/Call/', { from: '15553330002', to: N, script: 'hangup after soon' });
    assert.equal(res.status, 400);
    assert.equal(res.body.code, 'SB_INVALID_PARAM');
    assert.equal(res.body.param, 'script');
    assert.match(res.body.error, /^script: .* at column \d+: "hangup after soon"$/);
    assertError(await h.api('POST', 'Simulator/Call/', { to: N }), 400, {
      error: 'from: required parameter is missing',
      code: 'SB_MISSING_PARAM',
      param: 'from',
    });
    assertError(await h.api('POST', 'Simulator/Call/', { from: '15553330002', to: 'front door' }), 400, {
      error: `to: must be ${DIALABLE} (got "front door")`,
      code: 'SB_INVALID_PARAM',
      param: 'to',
    });
    assert.deepEqual(await liveUuids(h), []);
    await h.settle();
    assert.equal(await total(h), 0);
  });

  test('Simulator/Call/: a good one is placed (201 with the leg id)', async () => {
    const res = await h.api('POST', 'Simulator/Call/', { from: '+15553330002', to: N, script: 'hangup after 20s' });
    assert.equal(res.status, 201);
    const { api_id, leg_id, routing, ...rest } = res.body;
    assert.match(api_id, UUID_V4);
    assert.equal(typeof leg_id, 'string');
    assert.deepEqual(rest, { message: 'call placed' });
    // Where the call goes (docs/numbers.md): this rig's account has no numbers.
    assert.deepEqual([routing.action, routing.cause], ['reject', 'number_not_found']);
    await h.settle();
  });
});
