/**
 * Applications, numbers and inbound routing end to end (plivo.md §1.8, scenarios.md S21): the
 * numbers API is the engine's inbound router. A number runs its application; a number without one
 * falls back to the default_number_app; with neither (or a number the account does not have) the
 * call is rejected and the Simulator/Call answer says why.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, pick, AUTH_ID, AUTH_TOKEN, type Harness } from './support/harness.ts';

const N = '15553330001';

function only(o: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((k) => [k, o[k]]));
}
const CALLER = '15559990001';
const B = '15552220001';

async function withRig(fn: (h: Harness) => Promise<void>): Promise<void> {
  const h = await startHarness();
  try {
    await fn(h);
    h.app.assertAllSigned({ authToken: AUTH_TOKEN, mainAuthToken: AUTH_TOKEN });
  } finally {
    await h.close();
  }
}

async function createApp(h: Harness, body: Record<string, unknown>): Promise<string> {
  const res = await h.api('POST', 'Application/', body);
  assert.equal(res.status, 201, JSON.stringify(res.body));
  assert.equal(res.body.message, 'created');
  assert.match(res.body.app_id, /^[1-9]\d{16}$/); // numeric, as Plivo's
  return res.body.app_id as string;
}

test('S21: an inbound call to a number runs its application: StartApp ringing inbound, the Dial of S1, hangup', async () => {
  await withRig(async (h) => {
    const appId = await createApp(h, { app_name: 'Dial Status Report', answer_url: h.app.url('/answer'), answer_method: 'POST', hangup_url: h.app.url('/hangup') });
    const add = await h.api('POST', `PhoneNumber/+${N}/`, { app_id: appId });
    assert.equal(add.status, 201, JSON.stringify(add.body));
    assert.deepEqual(add.body.numbers, [{ number: N, status: 'Success' }]);
    await h.sim(B, 'ring 2s, answer, hangup after 10s');
    h.app.on('/answer', `<Response><Dial action="${h.app.url('/action')}" callbackUrl="${h.app.url('/cb')}"><Number>${B}</Number></Dial></Response>`);
    h.app.on('/action', '<Response/>');

    const res = await h.api('POST', 'Simulator/Call/', { from: `+${CALLER}`, to: `+${N}`, script: 'hangup after 20s' });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.deepEqual(res.body.routing, { number: N, action: 'application', app_id: appId, via: 'number', answer_url: h.app.url('/answer') });
    const [hangup] = await h.waitFor('/hangup');
    await h.settle();

    const seq = h.app.requests().map((r) => `${r.path}${r.params.DialAction ? ':' + r.params.DialAction : ''}@${h.at(r)}`);
    assert.deepEqual(seq, ['/answer@0', '/cb:answer@2', '/cb:connected@2', '/cb:hangup@12', '/action@12', '/hangup@12']);
    const [answer] = h.app.requests('/answer');
    assert.deepEqual(pick(answer!, ['Event', 'CallStatus', 'Direction', 'From', 'To']), { Event: 'StartApp', CallStatus: 'ringing', Direction: 'inbound', From: CALLER, To: N });
    const [action] = h.app.requests('/action');
    assert.deepEqual(pick(action!, ['DialStatus', 'DialRingStatus', 'DialHangupCause']), { DialStatus: 'completed', DialRingStatus: 'true', DialHangupCause: 'NORMAL_CLEARING' });
    assert.equal(action!.params.DialALegUUID, answer!.params.CallUUID);
    assert.deepEqual(pick(hangup!, ['Event', 'CallStatus', 'Direction', 'HangupCause', 'HangupCauseCode', 'Duration']), {
      Event: 'Hangup',
      CallStatus: 'completed',
      Direction: 'inbound',
      HangupCause: 'NORMAL_CLEARING',
      HangupCauseCode: '4010',
      Duration: '10',
    });
  });
});

test('a number without an application falls back to the default_number_app; fallback_answer_url applies', async () => {
  await withRig(async (h) => {
    await createApp(h, { app_name: 'other', answer_url: h.app.url('/other') });
    const def = await createApp(h, {
      app_name: 'default',
      answer_url: h.app.url('/down'),
      fallback_answer_url: h.app.url('/fallback'),
      hangup_url: h.app.url('/hangup'),
      default_number_app: true,
    });
    assert.equal((await h.api('POST', `PhoneNumber/${N}/`, {})).status, 201);
    h.app.on('/down', { status: 500 });
    h.app.on('/fallback', '<Response><Speak>hello</Speak></Response>');
    const res = await h.api('POST', 'Simulator/Call/', { from: CALLER, to: N });
    assert.deepEqual(res.body.routing, { number: N, action: 'application', app_id: def, via: 'default_number_app', answer_url: h.app.url('/down') });
    const [hangup] = await h.waitFor('/hangup');
    await h.settle();
    assert.deepEqual([...new Set(h.app.requests().map((r) => r.path))], ['/down', '/fallback', '/hangup']);
    assert.equal(h.app.requests('/fallback')[0]!.params.CallStatus, 'ringing');
    assert.equal(hangup!.params.HangupCauseCode, '4010');
  });
});

test('rejected calls: a number the account does not have, and a number with no application and no default', async () => {
  await withRig(async (h) => {
    await h.api('POST', `PhoneNumber/${N}/`, { alias: 'sales' });
    const unknown = await h.api('POST', 'Simulator/Call/', { from: CALLER, to: '15550009999' });
    assert.equal(unknown.status, 201);
    assert.equal(unknown.body.routing.action, 'reject');
    assert.equal(unknown.body.routing.cause, 'number_not_found');
    const bare = await h.api('POST', 'Simulator/Call/', { from: CALLER, to: N });
    assert.deepEqual(bare.body.routing, { number: N, action: 'reject', cause: 'no_application', message: `${N} has no application and no application is the default_number_app` });
    await h.settle();
    assert.equal(h.app.requests().length, 0);
    const calls = await h.api('GET', 'Call/');
    assert.equal(calls.body.meta.total_count, 0, 'a rejected call leaves no CDR');
  });
});

test('Application API: create, get, list, update, delete, with Plivo shapes and errors', async () => {
  await withRig(async (h) => {
    const missing = await h.api('POST', 'Application/', { answer_url: 'http://x/a' });
    assert.equal(missing.status, 400);
    assert.deepEqual({ error: missing.body.error, code: missing.body.code, param: missing.body.param }, { error: 'app_name: required parameter is missing', code: 'SB_MISSING_PARAM', param: 'app_name' });
    const badUrl = await h.api('POST', 'Application/', { app_name: 'a', answer_url: 'ftp://x' });
    assert.equal(badUrl.body.error, 'answer_url: must be an absolute http(s) URL');

    const id = await createApp(h, { app_name: 'myapp', answer_url: 'http://example.com/answer', answer_method: 'GET' });
    const got = await h.api('GET', `Application/${id}/`);
    assert.equal(got.status, 200);
    assert.deepEqual(only(got.body, ['app_id', 'app_name', 'answer_url', 'answer_method', 'hangup_url', 'hangup_method', 'fallback_answer_url', 'fallback_method', 'resource_uri']), {
      app_id: id,
      app_name: 'myapp',
      answer_url: 'http://example.com/answer',
      answer_method: 'GET',
      hangup_url: '',
      hangup_method: 'POST',
      fallback_answer_url: '',
      fallback_method: 'POST',
      resource_uri: `/v1/Account/${AUTH_ID}/Application/${id}/`,
    });
    assert.equal(got.body.default_app, false);

    const upd = await h.api('POST', `Application/${id}/`, { hangup_url: 'http://example.com/hangup', default_number_app: 'true' });
    assert.equal(upd.status, 202);
    assert.equal(upd.body.message, 'changed');
    const other = await createApp(h, { app_name: 'second', default_number_app: true });
    const list = await h.api('GET', 'Application/?limit=1');
    assert.equal(list.body.meta.total_count, 2);
    assert.equal(list.body.objects.length, 1);
    assert.match(list.body.meta.next, /limit=1&offset=1$/);
    // Only one default_number_app: the newest one.
    assert.equal((await h.api('GET', `Application/${id}/`)).body.default_app, false);
    assert.equal((await h.api('GET', `Application/${other}/`)).body.default_app, true);

    await h.api('POST', `PhoneNumber/${N}/`, { app_id: id });
    assert.equal((await h.api('DELETE', `Application/${id}/`)).status, 204);
    assert.equal((await h.api('GET', `Application/${id}/`)).status, 404);
    // The number stays, unattached.
    const num = await h.api('GET', `Number/${N}/`);
    assert.equal(num.body.app_id, null);
    assert.equal(num.body.application, null);
  });
});

test('Number API: add, list with filters, get, update (attach, detach), delete', async () => {
  await withRig(async (h) => {
    const id = await createApp(h, { app_name: 'a', answer_url: 'http://example.com/a' });
    for (const n of ['+15551110001', '15551110002', '+442071110003']) assert.equal((await h.api('POST', `PhoneNumber/${n}/`, {})).status, 201);
    assert.equal((await h.api('POST', 'PhoneNumber/not-a-number/', {})).body.param, 'number');
    const bad = await h.api('POST', `Number/15551110001/`, { app_id: 'nope' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error, 'app_id: no application or flow has this id (nope)');
    assert.equal((await h.api('POST', `Number/15551110001/`, { app_id: id, alias: 'support' })).status, 202);

    const all = await h.api('GET', 'Number/');
    assert.equal(all.body.meta.total_count, 3);
    const us = await h.api('GET', 'Number/?number_startswith=%2B1555');
    assert.deepEqual(us.body.objects.map((o: any) => o.number).sort(), ['15551110001', '15551110002']);
    const alias = await h.api('GET', 'Number/?alias=support');
    assert.deepEqual(alias.body.objects.map((o: any) => o.number), ['15551110001']);
    const one = await h.api('GET', 'Number/+15551110001/');
    assert.deepEqual(only(one.body, ['number', 'alias', 'app_id', 'application', 'number_type', 'voice_enabled']), {
      number: '15551110001',
      alias: 'support',
      app_id: id,
      application: `/v1/Account/${AUTH_ID}/Application/${id}/`,
      number_type: 'local',
      voice_enabled: true,
    });
    assert.equal((await h.api('POST', 'Number/15551110001/', { app_id: '' })).status, 202);
    assert.equal((await h.api('GET', 'Number/15551110001/')).body.app_id, null);
    assert.equal((await h.api('GET', 'Number/?limit=21')).body.param, 'limit');
    assert.equal((await h.api('DELETE', 'Number/15551110002/')).status, 204);
    assert.equal((await h.api('DELETE', 'Number/15551110002/')).status, 404);
    assert.equal((await h.api('GET', 'Number/15551110002/')).body.code, 'SB_NOT_FOUND');
  });
});
