// `@switchboard/sdk/client` against the real engine (harness: HTTP on 127.0.0.1:0, SQLite, the
// simulated network, a virtual clock that moves only when the engine is idle). Every method of the
// client is called over the wire and its answer checked field by field.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SwitchboardApiError, SwitchboardClient, type CallDetail } from '@switchboard/sdk/client';
import { startHarness, AUTH_ID, AUTH_TOKEN, type Harness } from './support/harness.ts';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const UNKNOWN = '00000000-0000-4000-8000-000000000000';
const FROM = '+15550000000';

async function apiError(promise: Promise<unknown>): Promise<SwitchboardApiError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof SwitchboardApiError, String(err));
    assert.match(err.apiId ?? '', UUID_V4);
    return err;
  }
  return assert.fail('expected the client call to reject');
}

/** The error's fields a caller branches on. */
function fields(err: SwitchboardApiError): Record<string, unknown> {
  return { status: err.status, code: err.code, param: err.param, message: err.message, request: err.request };
}

/** Holds the virtual clock from the moment `path` is requested, so a ringing call stays ringing. */
function holdOn(h: Harness, path: string, reply = '<Response/>'): () => void {
  const holds: Array<() => void> = [];
  h.app.on(path, () => {
    holds.push(h.engine.activity.begin());
    return reply;
  });
  return () => {
    for (const release of holds.splice(0)) release();
  };
}

describe('@switchboard/sdk/client against the engine', () => {
  let h: Harness;
  let sb: SwitchboardClient;
  const ended: { completed?: string } = {};

  before(async () => {
    h = await startHarness();
    sb = new SwitchboardClient({ url: h.base, authId: AUTH_ID, authToken: AUTH_TOKEN });
  });
  after(() => h.close());

  test('simulator numbers: set, get, list, remove; a bad script names its parameter', async () => {
    const set = await sb.simulator.numbers.set({ number: '+1 (555) 700-0001', script: 'ring 1s, answer, hangup after 2s' });
    assert.match(set.api_id!, UUID_V4);
    assert.deepEqual(
      { ...set, api_id: 'x' },
      {
        api_id: 'x',
        message: 'number configured',
        number: '15557000001',
        script: 'ring 1s, answer, hangup after 2s',
        created_at: '2026-01-01 00:00:00+00:00',
        updated_at: '2026-01-01 00:00:00+00:00',
      },
    );
    const got = await sb.simulator.numbers.get('15557000001');
    assert.equal(got.script, 'ring 1s, answer, hangup after 2s');
    await sb.simulator.numbers.set({ number: '15557000002', script: 'busy' });
    const list = await sb.simulator.numbers.list();
    assert.deepEqual(list.meta, { total_count: 2 });
    assert.deepEqual(list.objects.map((n) => `${n.number} ${n.script}`).sort(), [
      '15557000001 ring 1s, answer, hangup after 2s',
      '15557000002 busy',
    ]);
    await sb.simulator.numbers.remove('15557000002');
    assert.deepEqual(fields(await apiError(sb.simulator.numbers.get('15557000002'))), {
      status: 404,
      code: 'SB_NOT_FOUND',
      param: undefined,
      message: 'simulator number not found: 15557000002',
      request: 'GET /Simulator/Number/15557000002/',
    });
    const bad = await apiError(sb.simulator.numbers.set({ number: '15557000009', script: 'ring forever' }));
    assert.equal(bad.status, 400);
    assert.equal(bad.code, 'SB_INVALID_PARAM');
    assert.equal(bad.param, 'script');
  });

  test('calls.create (single) and calls.get: the CDR of a finished call', async () => {
    h.app.on('/answer', '<Response><Wait length="3600"/></Response>');
    const res = await sb.calls.create({
      from: FROM,
      to: '15557000001',
      answer_url: h.app.url('/answer'),
      hangup_url: h.app.url('/hangup'),
      time_limit: 600,
    });
    assert.equal(res.message, 'call fired');
    assert.equal(typeof res.request_uuid, 'string');
    assert.deepEqual(res.request_uuids, [res.request_uuid]);
    const [hangup] = await h.waitFor('/hangup');
    await h.settle();
    const uuid = hangup!.params.CallUUID!;
    const cdr = await sb.calls.get(uuid);
    assert.match(cdr.api_id!, UUID_V4);
    assert.deepEqual(
      {
        call_uuid: cdr.call_uuid,
        request_uuid: cdr.request_uuid,
        call_direction: cdr.call_direction,
        from_number: cdr.from_number,
        to_number: cdr.to_number,
        call_status: cdr.call_status,
        initiation_time: cdr.initiation_time,
        answer_time: cdr.answer_time,
        end_time: cdr.end_time,
        call_duration: cdr.call_duration,
        bill_duration: cdr.bill_duration,
        hangup_cause: cdr.hangup_cause,
        hangup_source: cdr.hangup_source,
        resource_uri: cdr.resource_uri,
      },
      {
        call_uuid: uuid,
        request_uuid: res.request_uuid,
        call_direction: 'outbound',
        from_number: FROM,
        to_number: '15557000001',
        call_status: 'completed',
        initiation_time: '2026-01-01 00:00:00+00:00',
        answer_time: '2026-01-01 00:00:01+00:00',
        end_time: '2026-01-01 00:00:03+00:00',
        call_duration: 2,
        bill_duration: 2,
        hangup_cause: 'NORMAL_CLEARING',
        // The engine's reading of who hung up an API call's A leg (the called number did).
        hangup_source: 'Caller',
        resource_uri: `/v1/Account/${AUTH_ID}/Call/${uuid}/`,
      },
    );
    ended.completed = uuid;
  });

  test('calls.create (bulk): a list of destinations is one request per destination', async () => {
    await sb.simulator.numbers.set({ number: '15557000002', script: 'busy' });
    await sb.simulator.numbers.set({ number: '15557000003', script: 'ring 2s, reject' });
    const res = await sb.calls.create({
      from: FROM,
      to: ['15557000002', '15557000003'],
      answer_url: h.app.url('/answer'),
      hangup_url: h.app.url('/bulk-hangup'),
    });
    assert.equal(res.message, 'calls fired');
    assert.equal(res.request_uuids.length, 2);
    assert.deepEqual(res.request_uuid, res.request_uuids);
    for (const id of res.request_uuids) assert.match(id, UUID_V4);
    const hangups = await h.waitFor('/bulk-hangup', 2);
    await h.settle();
    assert.deepEqual(hangups.map((r) => `${r.params.To} ${r.params.CallStatus} ${r.params.RequestUUID === res.request_uuids[r.params.To === '15557000002' ? 0 : 1]}`).sort(), [
      '15557000002 busy true',
      '15557000003 busy true',
    ]);
  });

  test('calls.list: filters, limit/offset paging, and listAll across pages', async () => {
    const all = await sb.calls.list();
    assert.equal(all.meta.total_count, 3);
    assert.equal(all.meta.next, null);
    const busy = await sb.calls.list({ hangup_source: 'Caller', bill_duration__gt: 0 });
    assert.deepEqual(busy.objects.map((c) => c.call_uuid), [ended.completed]);
    const page1 = await sb.calls.list({ call_direction: 'outbound', limit: 2 });
    assert.deepEqual({ ...page1.meta, next: page1.meta.next !== null }, { limit: 2, offset: 0, total_count: 3, next: true, previous: null });
    const page2 = await sb.calls.list({ call_direction: 'outbound', limit: 2, offset: 2 });
    assert.deepEqual([page2.meta.offset, page2.meta.next, page2.objects.length], [2, null, 1]);
    const walked: CallDetail[] = [];
    for await (const cdr of sb.calls.listAll({ limit: 1 })) walked.push(cdr);
    assert.deepEqual(
      walked.map((c) => c.call_uuid),
      [...page1.objects, ...page2.objects].map((c) => c.call_uuid),
    );
    assert.deepEqual(fields(await apiError(sb.calls.list({ limit: 50 }))), {
      status: 400,
      code: 'SB_INVALID_PARAM',
      param: 'limit',
      message: 'limit: must be between 1 and 20 (got 50)',
      request: 'GET /Call/',
    });
  });

  test('live calls: listLive, getLive, getQueued, then hangup', async () => {
    await sb.simulator.numbers.set({ number: '15557000004', script: 'no-answer' });
    const release = holdOn(h, '/live-ring');
    try {
      const placed = await sb.calls.create({ from: FROM, to: '15557000004', answer_url: h.app.url('/answer'), ring_url: h.app.url('/live-ring'), hangup_url: h.app.url('/live-hangup') });
      const [rang] = await h.waitFor('/live-ring');
      const uuid = rang!.params.CallUUID!;
      assert.deepEqual((await sb.calls.listLive()).calls, [uuid]);
      assert.deepEqual((await sb.calls.listQueued()).calls, []);
      const live = await sb.calls.getLive(uuid);
      assert.deepEqual([live.call_uuid, live.call_status, live.direction, live.from, live.to, live.request_uuid], [
        uuid,
        'ringing',
        'outbound',
        '15550000000',
        '15557000004',
        placed.request_uuid,
      ]);
      assert.equal((await apiError(sb.calls.getQueued(uuid))).code, 'SB_NOT_FOUND');
      await sb.calls.hangup(uuid);
      release();
      const [hangup] = await h.waitFor('/live-hangup');
      await h.settle();
      assert.deepEqual([hangup!.params.CallStatus, hangup!.params.HangupSource], ['cancel', 'API Request']);
      assert.deepEqual((await sb.calls.listLive()).calls, []);
      assert.equal((await apiError(sb.calls.getLive(uuid))).status, 404);
      assert.deepEqual(fields(await apiError(sb.calls.hangup(uuid))), {
        status: 404,
        code: 'SB_NOT_FOUND',
        param: undefined,
        message: `live call not found: ${uuid}`,
        request: `DELETE /Call/${uuid}/`,
      });
    } finally {
      release();
    }
  });

  test('calls.cancel ends the call of one request; hangupAll ends every live call', async () => {
    const release = holdOn(h, '/cancel-ring');
    try {
      const one = await sb.calls.create({ from: FROM, to: '15557000004', answer_url: h.app.url('/answer'), ring_url: h.app.url('/cancel-ring'), hangup_url: h.app.url('/cancel-hangup') });
      const two = await sb.calls.create({ from: FROM, to: ['15557000005', '15557000006'], answer_url: h.app.url('/answer'), ring_url: h.app.url('/cancel-ring'), hangup_url: h.app.url('/cancel-hangup') });
      await sb.simulator.numbers.set({ number: '15557000005', script: 'no-answer' });
      await h.waitFor('/cancel-ring', 3);
      assert.equal((await sb.calls.listLive()).calls.length, 3);
      await sb.calls.cancel(one.request_uuid as string);
      const [first] = await h.waitFor('/cancel-hangup', 1);
      assert.equal(first!.params.RequestUUID, one.request_uuid);
      assert.equal((await sb.calls.listLive()).calls.length, 2);
      await sb.calls.hangupAll();
      const hangups = await h.waitFor('/cancel-hangup', 3);
      assert.deepEqual(hangups.slice(1).map((r) => r.params.RequestUUID).sort(), [...two.request_uuids].sort());
      assert.deepEqual((await sb.calls.listLive()).calls, []);
      assert.equal((await apiError(sb.calls.cancel(UNKNOWN))).message, `call request not found: ${UNKNOWN}`);
    } finally {
      release();
    }
    await h.settle();
  });

  test('calls.transfer moves an answered call to new XML', async () => {
    await sb.simulator.numbers.set({ number: '15557000007', script: 'ring 1s, answer' });
    const release = holdOn(h, '/xfer-answer', '<Response><Wait length="3600"/></Response>');
    h.app.on('/xfer-new', '<Response><Hangup/></Response>');
    try {
      await sb.calls.create({ from: FROM, to: '15557000007', answer_url: h.app.url('/xfer-answer'), hangup_url: h.app.url('/xfer-hangup') });
      const [answered] = await h.waitFor('/xfer-answer');
      const uuid = answered!.params.CallUUID!;
      const res = await sb.calls.transfer(uuid, { legs: 'aleg', aleg_url: h.app.url('/xfer-new') });
      assert.equal(res.message, 'call transferred');
      release();
      const [moved] = await h.waitFor('/xfer-new');
      assert.deepEqual([moved!.params.CallUUID, moved!.params.Event], [uuid, 'Redirect']);
      await h.waitFor('/xfer-hangup');
      const missing = await apiError(sb.calls.transfer(uuid, { legs: 'bleg' }));
      assert.deepEqual([missing.status, missing.code, missing.param], [400, 'SB_MISSING_PARAM', 'bleg_url']);
    } finally {
      release();
    }
    await h.settle();
  });

  test('simulator.placeInboundCall answers with the leg; bad input is a typed error', async () => {
    const res = await sb.simulator.placeInboundCall({ from: '+15550000009', to: '+15557000001', script: 'hangup after 1s' });
    assert.equal(res.message, 'call placed');
    assert.equal(typeof res.leg_id, 'string');
    const bad = await apiError(sb.simulator.placeInboundCall({ from: 'bob', to: '+15557000001' }));
    assert.deepEqual([bad.status, bad.code, bad.param], [400, 'SB_INVALID_PARAM', 'from']);
    await h.settle();
  });

  test('errors: invalid parameters, wrong credentials, unknown calls', async () => {
    const bad = await apiError(sb.calls.create({ from: FROM, to: 'bob', answer_url: h.app.url('/answer') }));
    assert.deepEqual(fields(bad), {
      status: 400,
      code: 'SB_INVALID_PARAM',
      param: 'to',
      message: 'to: destination 1 must be a phone number (digits, with or without a leading +) or a sip: URI (got "bob")',
      request: 'POST /Call/',
    });
    assert.equal((await apiError(sb.calls.create({ from: FROM, to: '15557000001', answer_url: '/relative' }))).param, 'answer_url');
    const wrong = new SwitchboardClient({ url: h.base, authId: AUTH_ID, authToken: 'wrong' });
    const denied = await apiError(wrong.calls.list());
    assert.deepEqual([denied.status, denied.code], [401, 'SB_AUTH_FAILED']);
    assert.equal((await apiError(sb.calls.get(UNKNOWN))).message, `call not found: ${UNKNOWN}`);
    assert.throws(() => new SwitchboardClient({ url: h.base, authId: '', authToken: 'x' }), /options\.authId is required/);
  });

  test('a non-JSON error answer still becomes a SwitchboardApiError', async () => {
    const client = new SwitchboardClient({
      url: 'http://proxy.invalid',
      authId: AUTH_ID,
      authToken: AUTH_TOKEN,
      fetch: async () => new Response('<html>Bad Gateway</html>', { status: 502 }),
    });
    try {
      await client.calls.listLive();
      assert.fail('expected a rejection');
    } catch (err) {
      assert.ok(err instanceof SwitchboardApiError);
      assert.deepEqual(fields(err), {
        status: 502,
        code: 'SB_HTTP_502',
        param: undefined,
        message: 'GET /Call/: HTTP 502: <html>Bad Gateway</html>',
        request: 'GET /Call/',
      });
    }
  });
});
