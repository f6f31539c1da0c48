// The OFFICIAL `plivo` package, unchanged, driving the engine (DESIGN.md "Tests": real peers).
// Its voice requests go to a hard-coded https://api.plivo.com (plivo.md §7.3), so the test process
// reroutes them to the engine over plain HTTP (support/plivo-reroute.ts, option 3 of §7.3).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import plivo from 'plivo';
import { startHarness, pick, AUTH_ID, AUTH_TOKEN, type Harness } from './support/harness.ts';
import { reroutePlivo, type Reroute } from './support/plivo-reroute.ts';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const UNKNOWN = '00000000-0000-4000-8000-000000000000';
const ACCOUNT = `/v1/Account/${AUTH_ID}`;

async function rejection(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  return assert.fail('expected the SDK call to reject');
}

/**
 * What a user's `catch` sees. The SDK maps the status to a class (plivo.md §1.2), but its
 * Babel-compiled subclasses of Error hand back the plain Error built inside the base constructor,
 * so `err instanceof InvalidRequestError` is false against real Plivo too. Which class built it
 * shows in the stack; `status`, `message` (= our `error`) and `apiID` are what code can read.
 */
function assertSdkError(err: unknown, className: string, status: number, message: string): void {
  assert.equal(err instanceof Error, true, String(err));
  const e = err as { status?: unknown; message?: unknown; apiID?: unknown; stack?: unknown };
  assert.equal(e.status, status);
  assert.equal(e.message, message);
  assert.match(String(e.apiID), UUID_V4);
  assert.match(String(e.stack), new RegExp(`\\bat new ${className}\\b`));
}

/** A single destination's request_uuid (the SDK's typings also allow the bulk list). */
function one(requestUuid: string | string[]): string {
  assert.equal(typeof requestUuid, 'string');
  return requestUuid as string;
}

interface Page {
  readonly length: number;
  map<T>(fn: (call: { callUuid: string; constructor: { name: string } }) => T): T[];
  readonly meta: Record<string, unknown>;
}

/** `calls.list` resolves an array of calls carrying `meta`; the SDK's typings say a single object. */
async function page(promise: Promise<unknown>): Promise<Page> {
  const value = await promise;
  assert.ok(Array.isArray(value));
  return value as unknown as Page;
}

async function frozen<T>(h: Harness, fn: () => Promise<T>): Promise<T> {
  const release = h.engine.activity.begin();
  try {
    return await fn();
  } finally {
    release();
  }
}

/**
 * Lets `seconds` of virtual time pass, so calls placed next start later than the last ones and
 * the newest-first list order does not fall back to comparing ids.
 */
function advance(h: Harness, seconds: number): Promise<void> {
  return new Promise((resolve) => h.runAt(h.t() + seconds, async () => resolve()));
}

/** Stops the virtual clock when a call rings, so a `no-answer` call stays ringing until released. */
function holdOnRing(h: Harness, path: string): () => void {
  const holds: Array<() => void> = [];
  h.app.on(path, () => {
    holds.push(h.engine.activity.begin());
    return '<Response/>';
  });
  return () => {
    for (const release of holds.splice(0)) release();
  };
}

describe('the reroute helper', () => {
  test('installs over https.request, refuses a second install, restores exactly once', () => {
    const original = https.request;
    const reroute = reroutePlivo('http://127.0.0.1:9');
    try {
      assert.notEqual(https.request, original);
      assert.throws(() => reroutePlivo('http://127.0.0.1:9'), /already installed/);
    } finally {
      reroute.restore();
    }
    assert.equal(https.request, original);
    reroute.restore();
    assert.equal(https.request, original);
    assert.throws(() => reroutePlivo('https://127.0.0.1:9'), /must be an http: URL/);
    assert.equal(https.request, original);
  });

  test('requests for other hosts pass through untouched', async () => {
    const reroute = reroutePlivo('http://127.0.0.1:9');
    try {
      // Port 1 on loopback has no listener: the original https.request fails to connect there.
      const code = await new Promise<string>((resolve) => {
        const req = https.request({ hostname: '127.0.0.1', port: 1, path: '/', method: 'GET' });
        req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'unknown'));
        req.end();
      });
      assert.equal(code, 'ECONNREFUSED');
      assert.deepEqual(reroute.requests, []);
    } finally {
      reroute.restore();
    }
  });
});

describe('the official plivo SDK against the engine', () => {
  let h: Harness;
  let reroute: Reroute;
  let client: plivo.Client;
  const original = https.request;
  const done: Record<'created' | 'hungUp' | 'cancelled' | 'transferred', string> = { created: '', hungUp: '', cancelled: '', transferred: '' };

  before(async () => {
    h = await startHarness();
    reroute = reroutePlivo(h.base);
    client = new plivo.Client(AUTH_ID, AUTH_TOKEN);
  });
  after(async () => {
    reroute.restore();
    assert.equal(https.request, original);
    await h.close();
  });

  const lastWire = () => {
    const r = reroute.requests.at(-1)!;
    return `${r.method} ${r.path}`;
  };

  test('calls.create resolves with the request_uuid; the call runs and reports to the app', async () => {
    const A = '15557000001';
    await h.sim(A, 'ring 1s, answer');
    h.app.on('/answer', '<Response><Wait length="3600"/></Response>');
    const res = await client.calls.create('+15550000000', A, h.app.url('/answer'), {
      ringUrl: h.app.url('/ring'),
      hangupUrl: h.app.url('/hangup'),
      // A JSON number on the wire (plivo.md §7.4): the call is cut 20 s after answer.
      timeLimit: 20,
    });
    assert.equal(res.constructor.name, 'CreateCallResponse');
    const { apiId, requestUuid: id, ...rest } = { ...res };
    const requestUuid = one(id);
    assert.match(apiId, UUID_V4);
    assert.match(requestUuid, UUID_V4);
    assert.deepEqual(rest, { message: 'call fired' });

    const wire = reroute.requests.at(-1)!;
    assert.equal(`${wire.method} ${wire.path}`, `POST ${ACCOUNT}/Call/`);
    assert.equal(wire.headers['content-type'], 'application/json');
    assert.equal(wire.headers.authorization, 'Basic ' + Buffer.from(`${AUTH_ID}:${AUTH_TOKEN}`).toString('base64'));
    assert.match(wire.headers['user-agent']!, /^plivo-node\/4\.79\.0 /);

    const [hangup] = await h.waitFor('/hangup');
    await h.settle();
    assert.deepEqual(
      h.app.requests().map((r) => `${r.path}@${h.at(r)} ${r.params.RequestUUID}`),
      [`/ring@0 ${requestUuid}`, `/answer@1 ${requestUuid}`, `/hangup@21 ${requestUuid}`],
    );
    assert.deepEqual(pick(hangup!, ['CallStatus', 'HangupCause', 'HangupCauseCode', 'HangupSource', 'Duration', 'To']), {
      CallStatus: 'completed',
      HangupCause: 'ALLOTTED_TIMEOUT',
      HangupCauseCode: '4000',
      HangupSource: 'Plivo',
      Duration: '20',
      To: A,
    });
    done.created = hangup!.params.CallUUID!;
  });

  test('calls.get returns the CDR with camelCase keys', async () => {
    const uuid = done.created;
    const cdr = await client.calls.get(uuid);
    assert.equal(lastWire(), `GET ${ACCOUNT}/Call/${uuid}/`);
    assert.equal(cdr.constructor.name, 'RetrieveCallResponse');
    const { apiId, ...fields } = { ...cdr } as Record<string, unknown>;
    assert.match(apiId as string, UUID_V4);
    assert.deepEqual(fields, {
      answerTime: '2026-01-01 00:00:01+00:00',
      billDuration: 20,
      billedDuration: 60,
      callDirection: 'outbound',
      callDuration: 20,
      callState: 'COMPLETED',
      callUuid: uuid,
      conferenceUuid: null,
      endTime: '2026-01-01 00:00:21+00:00',
      fromNumber: '+15550000000',
      hangupCauseCode: 4000,
      hangupCauseName: 'Normal Hangup',
      hangupSource: 'Plivo',
      initiationTime: '2026-01-01 00:00:00+00:00',
      parentCallUuid: null,
      resourceUri: `${ACCOUNT}/Call/${uuid}/`,
      toNumber: '15557000001',
      totalAmount: '0.00000',
      totalRate: '0.00000',
      stirVerification: 'Not Applicable',
      stirAttestation: '',
      sourceIp: null,
      cnamLookup: '',
    });
  });

  test('listLiveCalls and getLiveCall while a call rings; calls.hangup resolves true', async () => {
    const L = '15557000002';
    await h.sim(L, 'no-answer');
    await advance(h, 10);
    const release = holdOnRing(h, '/live-ring');
    try {
      const placed = await client.calls.create('15550000000', L, h.app.url('/answer'), {
        ringUrl: h.app.url('/live-ring'),
        hangupUrl: h.app.url('/live-hangup'),
      });
      const [rang] = await h.waitFor('/live-ring');
      const uuid = rang!.params.CallUUID!;

      const live = await client.calls.listLiveCalls({});
      assert.equal(lastWire(), `GET ${ACCOUNT}/Call/?status=live`);
      assert.deepEqual(
        live.map((c: { callUuid: string }) => c.callUuid),
        [uuid],
      );

      const liveCall = await client.calls.getLiveCall(uuid);
      // The SDK puts no slash before the query (plivo.md §1.6).
      assert.equal(lastWire(), `GET ${ACCOUNT}/Call/${uuid}?status=live`);
      assert.equal(liveCall.constructor.name, 'GetLiveCallResponse');
      const { apiId, ...fields } = { ...liveCall };
      assert.match(apiId, UUID_V4);
      assert.deepEqual(fields, {
        callStatus: 'ringing',
        callUuid: uuid,
        callerName: '+15550000000',
        direction: 'outbound',
        from: '15550000000',
        requestUuid: one(placed.requestUuid),
        sessionStart: '2026-01-01 00:00:31.000000',
        to: L,
        stirVerification: 'Not Applicable',
        stirAttestation: '',
      });

      assert.equal(await client.calls.hangup(uuid), true);
      assert.equal(lastWire(), `DELETE ${ACCOUNT}/Call/${uuid}/`);
      release();
      const [hangup] = await h.waitFor('/live-hangup');
      await h.settle();
      assert.deepEqual(pick(hangup!, ['CallUUID', 'CallStatus', 'HangupCause', 'HangupCauseCode', 'HangupSource']), {
        CallUUID: uuid,
        CallStatus: 'cancel',
        HangupCause: 'ORIGINATOR_CANCEL',
        HangupCauseCode: '1000',
        HangupSource: 'API Request',
      });
      assert.deepEqual(await client.calls.listLiveCalls({}), []);
      done.hungUp = uuid;
    } finally {
      release();
    }
  });

  test('calls.cancel(requestUuid) cancels the ringing call', async () => {
    const L = '15557000003';
    await h.sim(L, 'no-answer');
    await advance(h, 10);
    const release = holdOnRing(h, '/cancel-ring');
    try {
      const placed = await client.calls.create('15550000000', L, h.app.url('/answer'), {
        ringUrl: h.app.url('/cancel-ring'),
        hangupUrl: h.app.url('/cancel-hangup'),
      });
      await h.waitFor('/cancel-ring');
      const requestUuid = one(placed.requestUuid);
      const res = await client.calls.cancel(requestUuid);
      assert.equal(lastWire(), `DELETE ${ACCOUNT}/Request/${requestUuid}/`);
      assert.equal(res.constructor.name, 'PlivoGenericResponse');
      release();
      const [hangup] = await h.waitFor('/cancel-hangup');
      await h.settle();
      assert.deepEqual(pick(hangup!, ['RequestUUID', 'CallStatus', 'HangupCauseCode', 'HangupSource']), {
        RequestUUID: requestUuid,
        CallStatus: 'cancel',
        HangupCauseCode: '1000',
        HangupSource: 'API Request',
      });
      done.cancelled = hangup!.params.CallUUID!;
    } finally {
      release();
    }
  });

  test('calls.transfer sends the answered call to a new URL', async () => {
    const L = '15557000004';
    await h.sim(L, 'ring 1s, answer');
    h.app.on('/xfer-answer', '<Response><Wait length="3600"/></Response>');
    h.app.on('/xfer-new', '<Response><Hangup/></Response>');
    await advance(h, 10);
    let transferred: { apiId: string; message: string; constructor: { name: string } } | undefined;
    let start = 0;
    await frozen(h, async () => {
      start = h.t();
      await client.calls.create('15550000000', L, h.app.url('/xfer-answer'), { hangupUrl: h.app.url('/xfer-hangup') });
      h.runAt(start + 4, async () => {
        const uuid = h.app.requests('/xfer-answer')[0]!.params.CallUUID!;
        // The typings mark every transfer field required; the SDK sends only those given.
        const params = { legs: 'aleg', alegUrl: h.app.url('/xfer-new') } as Parameters<typeof client.calls.transfer>[1];
        transferred = await client.calls.transfer(uuid, params);
      });
    });
    const [hangup] = await h.waitFor('/xfer-hangup');
    await h.settle();
    const uuid = hangup!.params.CallUUID!;
    assert.equal(lastWire(), `POST ${ACCOUNT}/Call/${uuid}/`);
    assert.ok(transferred);
    assert.equal(transferred.constructor.name, 'CallTransferResponse');
    assert.equal(transferred.message, 'call transferred');
    assert.match(transferred.apiId, UUID_V4);
    const moved = h.app.requests('/xfer-new');
    assert.deepEqual(
      moved.map((r) => `${r.params.Event}@${h.at(r) - start} ${r.params.CallUUID}`),
      [`Redirect@4 ${uuid}`],
    );
    assert.deepEqual(pick(hangup!, ['CallStatus', 'HangupCauseCode', 'HangupSource', 'Duration']), {
      CallStatus: 'completed',
      HangupCauseCode: '4000',
      HangupSource: 'Answer XML',
      Duration: '3',
    });
    done.transferred = uuid;
  });

  test('calls.list pages through the CDRs; meta comes back camelCased', async () => {
    const first = await page(client.calls.list({ limit: 2 }));
    assert.equal(lastWire(), `GET ${ACCOUNT}/Call/?limit=2`);
    assert.deepEqual(
      first.map((c) => c.callUuid),
      [done.transferred, done.cancelled],
    );
    assert.deepEqual(
      first.map((c) => c.constructor.name),
      ['ListAllCallsResponse', 'ListAllCallsResponse'],
    );
    assert.deepEqual(first.meta, {
      limit: 2,
      next: `${ACCOUNT}/Call/?limit=2&offset=2`,
      offset: 0,
      previous: null,
      totalCount: 4,
    });

    const second = await page(client.calls.list({ limit: 2, offset: 2 }));
    assert.deepEqual(
      second.map((c) => c.callUuid),
      [done.hungUp, done.created],
    );

    // lodash turns `billDuration__gt` into `bill_duration_gt` on the wire (plivo.md §1.5); the engine reads it as `__gt`.
    const billed = await page(client.calls.list({ billDuration__gt: 0, callDirection: 'outbound' }));
    assert.equal(lastWire(), `GET ${ACCOUNT}/Call/?bill_duration_gt=0&call_direction=outbound`);
    assert.deepEqual(
      billed.map((c) => c.callUuid),
      [done.transferred, done.created],
    );
  });

  test('bad parameters reject with InvalidRequestError naming the parameter; nothing is created', async () => {
    const before = reroute.requests.length;
    assertSdkError(
      await rejection(client.calls.create('+15550000000', 'front desk', h.app.url('/answer'))),
      'InvalidRequestError',
      400,
      'to: destination 1 must be a phone number (digits, with or without a leading +) or a sip: URI (got "front desk")',
    );
    assertSdkError(
      await rejection(client.calls.create('+15550000000', '15557000001', h.app.url('/answer'), { timeLimit: 0 })),
      'InvalidRequestError',
      400,
      'time_limit: must be at least 1 (got 0)',
    );
    assertSdkError(
      await rejection(client.calls.create('+15550000000', '15557000001', h.app.url('/answer'), { machineDetection: 'maybe' })),
      'InvalidRequestError',
      400,
      'machine_detection: must be true or hangup (got "maybe")',
    );
    // A 4xx is final: the SDK retries only on 5xx (plivo.md §1.2).
    assert.equal(reroute.requests.length, before + 3);
    assert.deepEqual(await client.calls.listLiveCalls({}), []);
    assert.equal((await page(client.calls.list({ limit: 1 }))).meta.totalCount, 4);
  });

  test('unknown ids reject with ResourceNotFoundError', async () => {
    assertSdkError(await rejection(client.calls.get(UNKNOWN)), 'ResourceNotFoundError', 404, `call not found: ${UNKNOWN}`);
    assertSdkError(await rejection(client.calls.hangup(UNKNOWN)), 'ResourceNotFoundError', 404, `live call not found: ${UNKNOWN}`);
    assertSdkError(await rejection(client.calls.cancel(UNKNOWN)), 'ResourceNotFoundError', 404, `call request not found: ${UNKNOWN}`);
    assertSdkError(await rejection(client.calls.getLiveCall(done.created)), 'ResourceNotFoundError', 404, `live call not found: ${done.created}`);
  });

  test('wrong credentials reject with AuthenticationError', async () => {
    const wrongToken = new plivo.Client(AUTH_ID, 'not-the-token');
    assertSdkError(await rejection(wrongToken.calls.list({})), 'AuthenticationError', 401, 'authentication failed: wrong auth_id or auth_token');
    const otherAccount = new plivo.Client('MAOTHERACCOUNT000002', AUTH_TOKEN);
    assertSdkError(
      await rejection(otherAccount.calls.create('+15550000000', '15557000001', h.app.url('/answer'))),
      'AuthenticationError',
      401,
      'authentication failed: wrong auth_id or auth_token',
    );
    assert.equal(lastWire(), 'POST /v1/Account/MAOTHERACCOUNT000002/Call/');
    assert.deepEqual(await client.calls.listLiveCalls({}), []);
  });
});
