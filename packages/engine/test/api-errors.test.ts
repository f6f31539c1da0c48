// The REST error catalogue (STYLE.md §6) checked against docs/errors.md, its wire shape (plivo.md
// §1.2), the mapping of Fastify's own errors, and HTTP Basic authentication (plivo.md §1.1).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import formbody from '@fastify/formbody';
import { request } from 'undici';
import {
  API_ERRORS,
  ApiError,
  authFailed,
  badRequest,
  bodyTooLarge,
  conflict,
  forbidden,
  headersTooLarge,
  errorHeaders,
  internalError,
  invalidBody,
  invalidFlow,
  invalidParam,
  isApiError,
  methodNotAllowed,
  missingParam,
  notFound,
  notSupported,
  rateLimited,
  shuttingDown,
  storeUnavailable,
  ownerUnavailable,
  toApiError,
  toPlivoBody,
  unsupportedMediaType,
  urlRefused,
  type ApiErrorCode,
} from '../src/api/errors.ts';
import { checkBasicAuth, pathAccountMatches, requireAuth, safeEqual } from '../src/api/auth.ts';
import { parseMakeCall } from '../src/api/params/make-call.ts';
import { StoreError } from '../src/store/store-error.ts';

const API_ID = '0b7e5d0c-7a52-4a7e-9d9a-6f0e4a1b2c3d';

describe('catalogue and docs/errors.md', () => {
  test('every code in the catalogue is in the doc with the same status, and nothing else is', async () => {
    const doc = await readFile(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
    const rows = [...doc.matchAll(/^\| `(SB_[A-Z_]+)` \| (\d{3}) \|/gm)].map((m) => [m[1]!, Number(m[2])] as const);
    const documented = new Map(rows);
    assert.equal(documented.size, rows.length, 'a code is documented twice');
    const catalogue = new Map(Object.entries(API_ERRORS).map(([code, e]) => [code, e.status] as const));
    assert.deepEqual(documented, catalogue);
  });

  test('every documented example is the message a factory really produces', async () => {
    const doc = await readFile(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
    const examples = new Map(
      [...doc.matchAll(/^\| `(SB_[A-Z_]+)` \| \d{3} \| [^|]+ \| `([^`]+)` \|$/gm)].map((m) => [m[1]!, m[2]!] as const),
    );
    const produced: Record<ApiErrorCode, ApiError> = {
      SB_MISSING_PARAM: missingParam('answer_url'),
      SB_INVALID_PARAM: invalidParam('time_limit', 'must be at least 1 (got 0)'),
      SB_INVALID_BODY: invalidBody('must be a JSON object or a form-encoded body (got an array)'),
      SB_BAD_REQUEST: badRequest("'%E0%A4%A' is not a valid url component"),
      SB_NOT_SUPPORTED: notSupported('MultiPartyCall', 'multi-party calls are not built yet'),
      SB_URL_REFUSED: urlRefused('answer_url', '169.254.169.254 is a link-local / cloud metadata address'),
      SB_INVALID_FLOW: invalidFlow(['Call_Forward.ring_timeout: must be a whole number of seconds from 1 to 600 (got 0)', 'Report.url: is required']),
      SB_AUTH_FAILED: authFailed('bad'),
      SB_FORBIDDEN: forbidden('a POST from origin https://evil.example (only the engine\'s own pages may change state from a browser)'),
      SB_HEADERS_TOO_LARGE: headersTooLarge(),
      SB_NOT_FOUND: notFound('call', '3f1f4c52-5a1e-4a8b-9a0e-2b1d6c8e7f90'),
      SB_METHOD_NOT_ALLOWED: methodNotAllowed('PUT', '/v1/Account/MA.../Call/', ['GET', 'POST', 'DELETE']),
      SB_CONFLICT: conflict('call 3f1f4c52-5a1e-4a8b-9a0e-2b1d6c8e7f90: already ended'),
      SB_BODY_TOO_LARGE: bodyTooLarge(),
      SB_UNSUPPORTED_MEDIA_TYPE: unsupportedMediaType('text/plain'),
      SB_RATE_LIMITED: rateLimited(1),
      SB_INTERNAL: internalError(new Error('disk full')),
      SB_SHUTTING_DOWN: shuttingDown(),
      SB_STORE_UNAVAILABLE: storeUnavailable(new StoreError('unavailable', 'insert call 3f1f4c52-5a1e-4a8b-9a0e-2b1d6c8e7f90: the database cannot write: database or disk is full')),
      SB_OWNER_UNAVAILABLE: ownerUnavailable('3f1f4c52-5a1e-4a8b-9a0e-2b1d6c8e7f90', 'node-2'),
    };
    assert.equal(examples.size, Object.keys(API_ERRORS).length);
    for (const [code, err] of Object.entries(produced)) {
      assert.equal(err.code, code);
      assert.equal(err.status, API_ERRORS[code as ApiErrorCode].status);
      assert.equal(examples.get(code), err.message, `example for ${code}`);
    }
  });
});

describe('ApiError and its factories', () => {
  test('carries status, code, param and cause', () => {
    const cause = new Error('boom');
    const err = new ApiError('SB_INVALID_PARAM', 'limit: must be between 1 and 20 (got 50)', { param: 'limit', cause });
    assert.ok(err instanceof Error);
    assert.ok(isApiError(err));
    assert.equal(isApiError(new Error('x')), false);
    assert.equal(err.name, 'ApiError');
    assert.equal(err.status, 400);
    assert.equal(err.param, 'limit');
    assert.equal(err.cause, cause);
    assert.equal('retryAfter' in err, false);
  });

  test('factories name the parameter first', () => {
    const missing = missingParam('from');
    assert.equal(missing.message, 'from: required parameter is missing');
    assert.equal(missing.param, 'from');
    assert.equal(missing.code, 'SB_MISSING_PARAM');
    const invalid = invalidParam('answer_url', 'must be an absolute http(s) URL');
    assert.equal(invalid.message, 'answer_url: must be an absolute http(s) URL');
    assert.equal(invalid.param, 'answer_url');
    const ns = notSupported('MultiPartyCall', 'multi-party calls are not built yet');
    assert.equal(ns.status, 400);
    assert.equal(ns.param, 'MultiPartyCall');
  });

  test('auth messages, the account mismatch names auth_id', () => {
    assert.equal(authFailed('missing').message, 'authentication required: send HTTP Basic credentials (auth_id:auth_token)');
    assert.equal(authFailed('bad').param, undefined);
    assert.equal(authFailed('account').param, 'auth_id');
    assert.equal(authFailed('account').status, 401);
  });

  test('the internal error keeps its cause out of the message', () => {
    const err = internalError(new Error('SQLITE_BUSY: database is locked'));
    assert.equal(err.message, 'internal error');
    assert.equal((err.cause as Error).message, 'SQLITE_BUSY: database is locked');
  });

  test('toPlivoBody is Plivo’s shape plus code, param only when set', () => {
    assert.deepEqual(toPlivoBody(invalidParam('to', 'destination 2 is empty'), API_ID), {
      api_id: API_ID,
      error: 'to: destination 2 is empty',
      code: 'SB_INVALID_PARAM',
      param: 'to',
    });
    assert.deepEqual(toPlivoBody(notFound('call', 'abc'), API_ID), {
      api_id: API_ID,
      error: 'call not found: abc',
      code: 'SB_NOT_FOUND',
    });
  });

  test('errorHeaders: Retry-After and Allow', () => {
    assert.deepEqual(errorHeaders(rateLimited(30)), { 'retry-after': '30' });
    assert.deepEqual(errorHeaders(methodNotAllowed('PUT', '/x/', ['GET', 'POST'])), { allow: 'GET, POST' });
    assert.deepEqual(errorHeaders(missingParam('to')), {});
    assert.equal(methodNotAllowed('PUT', '/x/', []).message, 'method PUT not allowed on /x/');
    assert.equal(bodyTooLarge(1024).message, 'request body: too large (limit 1024 bytes)');
    assert.equal(unsupportedMediaType(undefined).message, 'request body: send application/json or application/x-www-form-urlencoded (no Content-Type)');
  });
});

describe('toApiError maps what Fastify throws', () => {
  let app: FastifyInstance;
  before(async () => {
    app = Fastify({ bodyLimit: 256 });
    await app.register(formbody);
    app.setErrorHandler((err, req, reply) => {
      const api = toApiError(err, { contentType: req.headers['content-type'] });
      void reply.code(api.status).headers(errorHeaders(api)).send(toPlivoBody(api, API_ID));
    });
    app.setNotFoundHandler((req) => {
      throw notFound('route', `${req.method} ${req.url}`);
    });
    app.post('/v1/Account/:authId/Call/', async (req, reply) => {
      const call = parseMakeCall(req.body);
      return reply.code(201).send({ api_id: API_ID, to: call.to });
    });
    app.get('/boom', async () => {
      throw new Error('secret detail');
    });
    await app.ready();
  });
  after(() => app.close());

  const post = (payload: string, contentType: string) =>
    app.inject({ method: 'POST', url: '/v1/Account/MA1/Call/', payload, headers: { 'content-type': contentType } });

  test('JSON that does not parse: SB_INVALID_BODY 400', async () => {
    const res = await post('{"from": ', 'application/json');
    assert.equal(res.statusCode, 400);
    const body = res.json();
    assert.equal(body.code, 'SB_INVALID_BODY');
    assert.equal(body.api_id, API_ID);
    assert.match(body.error, /^request body: /);
  });

  test('empty JSON body: SB_INVALID_BODY 400', async () => {
    const res = await post('', 'application/json');
    assert.equal(res.statusCode, 400);
    assert.deepEqual(res.json(), {
      api_id: API_ID,
      code: 'SB_INVALID_BODY',
      error: "request body: Body cannot be empty when content-type is set to 'application/json'",
    });
  });

  test('a JSON array body: SB_INVALID_BODY from the parser', async () => {
    const res = await post('[1,2]', 'application/json');
    assert.equal(res.statusCode, 400);
    assert.deepEqual(res.json(), {
      api_id: API_ID,
      code: 'SB_INVALID_BODY',
      error: 'request body: must be a JSON object or a form-encoded body (got an array)',
    });
  });

  test('__proto__ in JSON is refused, not merged', async () => {
    const res = await post('{"__proto__": {"x": 1}}', 'application/json');
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().code, 'SB_INVALID_BODY');
  });

  test('another content type: SB_UNSUPPORTED_MEDIA_TYPE 415', async () => {
    const res = await post('<from>1</from>', 'application/xml');
    assert.equal(res.statusCode, 415);
    assert.deepEqual(res.json(), {
      api_id: API_ID,
      code: 'SB_UNSUPPORTED_MEDIA_TYPE',
      error: 'request body: send application/json or application/x-www-form-urlencoded (got application/xml)',
    });
  });

  test('text/plain, which Fastify parses as a string: SB_INVALID_BODY', async () => {
    const res = await post('from=1', 'text/plain');
    assert.equal(res.statusCode, 400);
    assert.deepEqual(res.json(), {
      api_id: API_ID,
      code: 'SB_INVALID_BODY',
      error: 'request body: must be a JSON object or a form-encoded body (got a string)',
    });
  });

  test('over the body limit: SB_BODY_TOO_LARGE 413', async () => {
    const res = await post(JSON.stringify({ from: '1'.repeat(300) }), 'application/json');
    assert.equal(res.statusCode, 413);
    assert.deepEqual(res.json(), { api_id: API_ID, code: 'SB_BODY_TOO_LARGE', error: 'request body: too large' });
  });

  test('unknown route: SB_NOT_FOUND 404', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/nothing' });
    assert.equal(res.statusCode, 404);
    assert.deepEqual(res.json(), { api_id: API_ID, code: 'SB_NOT_FOUND', error: 'route not found: GET /v1/nothing' });
  });

  test('a plain exception: SB_INTERNAL 500 without its message', async () => {
    const res = await app.inject({ method: 'GET', url: '/boom' });
    assert.equal(res.statusCode, 500);
    assert.deepEqual(res.json(), { api_id: API_ID, code: 'SB_INTERNAL', error: 'internal error' });
  });

  test('a form body reaches the parser as strings', async () => {
    const res = await post(
      'from=%2B14155551212&to=14155550001%3Csip%3Aa%40b.com&answer_url=https%3A%2F%2Fex.com%2Fanswer',
      'application/x-www-form-urlencoded',
    );
    assert.equal(res.statusCode, 201);
    assert.deepEqual(res.json(), { api_id: API_ID, to: ['14155550001', 'sip:a@b.com'] });
  });

  test('status-only errors and non-errors', () => {
    assert.equal(toApiError({ statusCode: 405, message: 'nope' }).code, 'SB_METHOD_NOT_ALLOWED');
    assert.equal(toApiError({ statusCode: 429, message: 'slow down' }).code, 'SB_RATE_LIMITED');
    assert.equal(toApiError({ statusCode: 400, code: 'FST_ERR_BAD_URL', message: "'%E0' is not a valid url component" }).message,
      "bad request: '%E0' is not a valid url component");
    assert.equal(toApiError('a string').code, 'SB_INTERNAL');
    assert.equal(toApiError(undefined).code, 'SB_INTERNAL');
    const same = missingParam('to');
    assert.equal(toApiError(same), same);
  });
});

describe('HTTP Basic auth', () => {
  const creds = { authId: 'MAXXXXXXXXXXXXXXXXXX', authToken: 'tok3n-with:colon' };
  const basic = (s: string) => `Basic ${Buffer.from(s, 'utf8').toString('base64')}`;

  test('the right credentials', () => {
    assert.equal(checkBasicAuth(basic('MAXXXXXXXXXXXXXXXXXX:tok3n-with:colon'), creds), 'ok');
    // the scheme is case-insensitive and surrounding spaces are tolerated
    const encoded = Buffer.from('MAXXXXXXXXXXXXXXXXXX:tok3n-with:colon').toString('base64');
    assert.equal(checkBasicAuth(`basic ${encoded}`, creds), 'ok');
    assert.equal(checkBasicAuth(`  BASIC   ${encoded} `, creds), 'ok');
  });

  test('missing', () => {
    assert.equal(checkBasicAuth(undefined, creds), 'missing');
    assert.equal(checkBasicAuth('', creds), 'missing');
    assert.equal(checkBasicAuth('   ', creds), 'missing');
  });

  test('not Basic, bad base64, no colon', () => {
    assert.equal(checkBasicAuth('Bearer abc.def', creds), 'bad');
    assert.equal(checkBasicAuth('Basic', creds), 'bad');
    assert.equal(checkBasicAuth('Basic !!!!', creds), 'bad');
    assert.equal(checkBasicAuth('Basic TUFY', creds), 'bad'); // "MAX": valid base64, no colon
    assert.equal(checkBasicAuth('Basic TUFYOg', creds), 'bad'); // unpadded
    assert.equal(checkBasicAuth(`${basic('MAXXXXXXXXXXXXXXXXXX:tok3n-with:colon')} extra`, creds), 'bad');
  });

  test('wrong id, wrong token, swapped, prefixes', () => {
    assert.equal(checkBasicAuth(basic('MAYYYYYYYYYYYYYYYYYY:tok3n-with:colon'), creds), 'bad');
    assert.equal(checkBasicAuth(basic('MAXXXXXXXXXXXXXXXXXX:tok3n'), creds), 'bad');
    assert.equal(checkBasicAuth(basic('MAXXXXXXXXXXXXXXXXXX:tok3n-with:colonX'), creds), 'bad');
    assert.equal(checkBasicAuth(basic('MAXXXXXXXXXXXXXXXXX:X:tok3n-with:colon'), creds), 'bad');
    assert.equal(checkBasicAuth(basic(':'), creds), 'bad');
    assert.equal(checkBasicAuth(basic('maxxxxxxxxxxxxxxxxxx:tok3n-with:colon'), creds), 'bad');
  });

  test('path account and safeEqual', () => {
    assert.equal(pathAccountMatches('MAXXXXXXXXXXXXXXXXXX', creds.authId), true);
    assert.equal(pathAccountMatches('MAXXXXXXXXXXXXXXXXXY', creds.authId), false);
    assert.equal(pathAccountMatches('', creds.authId), false);
    assert.equal(safeEqual('a', 'a'), true);
    assert.equal(safeEqual('a', 'ab'), false);
  });

  test('requireAuth throws the matching SB_AUTH_FAILED', () => {
    const good = basic('MAXXXXXXXXXXXXXXXXXX:tok3n-with:colon');
    assert.doesNotThrow(() => requireAuth(good, creds, 'MAXXXXXXXXXXXXXXXXXX'));
    assert.doesNotThrow(() => requireAuth(good, creds));
    const cases: Array<[string | undefined, string | undefined, string]> = [
      [undefined, undefined, authFailed('missing').message],
      ['Bearer x', undefined, authFailed('bad').message],
      [good, 'MAOTHERACCOUNT000000', authFailed('account').message],
    ];
    for (const [header, path, message] of cases) {
      assert.throws(() => requireAuth(header, creds, path), (e: unknown) => {
        assert.ok(e instanceof ApiError);
        assert.equal(e.code, 'SB_AUTH_FAILED');
        assert.equal(e.status, 401);
        assert.equal(e.message, message);
        return true;
      });
    }
  });

  describe('over a real server on 127.0.0.1', () => {
    let app: FastifyInstance;
    let base: string;
    before(async () => {
      app = Fastify();
      app.setErrorHandler((err, _req, reply) => {
        const api = toApiError(err);
        void reply.code(api.status).send(toPlivoBody(api, API_ID));
      });
      app.get<{ Params: { authId: string } }>('/v1/Account/:authId/Call/', async (req) => {
        requireAuth(req.headers.authorization, creds, req.params.authId);
        return { api_id: API_ID };
      });
      await app.listen({ host: '127.0.0.1', port: 0 });
      base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    });
    after(() => app.close());

    const get = async (path: string, authorization?: string) => {
      const res = await request(`${base}${path}`, { headers: authorization ? { authorization } : {} });
      return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
    };

    test('right, missing, wrong token, other account', async () => {
      const good = basic('MAXXXXXXXXXXXXXXXXXX:tok3n-with:colon');
      assert.deepEqual(await get('/v1/Account/MAXXXXXXXXXXXXXXXXXX/Call/', good), { status: 200, body: { api_id: API_ID } });
      assert.deepEqual(await get('/v1/Account/MAXXXXXXXXXXXXXXXXXX/Call/'), {
        status: 401,
        body: { api_id: API_ID, code: 'SB_AUTH_FAILED', error: authFailed('missing').message },
      });
      assert.deepEqual(await get('/v1/Account/MAXXXXXXXXXXXXXXXXXX/Call/', basic('MAXXXXXXXXXXXXXXXXXX:nope')), {
        status: 401,
        body: { api_id: API_ID, code: 'SB_AUTH_FAILED', error: authFailed('bad').message },
      });
      assert.deepEqual(await get('/v1/Account/MAOTHERACCOUNT000000/Call/', good), {
        status: 401,
        body: { api_id: API_ID, code: 'SB_AUTH_FAILED', error: authFailed('account').message, param: 'auth_id' },
      });
    });
  });
});
