/** `<Dial>` attributes of plivo.md §3.1-§3.2 beyond the scenarios, end to end on the virtual clock. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withHarness, pick, AUTH_TOKEN, type Harness } from './support/harness.ts';

const withRig = (fn: (h: Harness) => Promise<void>) => withHarness(fn);

const A = '15551110001';
const B = '15552220001';
const B1 = '15552220011';
const B2 = '15552220012';

function seq(h: Harness): string[] {
  return h.app.requests().map((r) => `${r.path}${r.params.DialAction ? ':' + r.params.DialAction : ''}@${h.at(r)}`);
}

async function runCall(h: Harness, aScript: string, answerXml: string, params: Record<string, unknown> = {}): Promise<string> {
  await h.sim(A, aScript);
  h.app.on('/answer', answerXml);
  await h.call({ to: A, ...params });
  await h.waitFor('/hangup');
  await h.settle();
  return h.app.requests('/answer')[0]!.params.CallUUID!;
}

async function bLegs(h: Harness, aUuid: string): Promise<any[]> {
  const res = await h.api('GET', `Call/?parent_call_uuid=${aUuid}`);
  return res.body.objects;
}

test('hangupOnStar: the caller presses * to drop the callee and the document goes on', async () => {
  await withRig(async (h) => {
    await h.sim(B, 'ring 1s, answer');
    const url = h.app.url.bind(h.app);
    await runCall(
      h,
      'ring 1s, answer, digits * after 5s',
      `<Response><Dial hangupOnStar="true" callbackUrl="${url('/cb')}"><Number>${B}</Number></Dial><Redirect>${url('/after')}</Redirect></Response>`,
    );
    assert.deepEqual(seq(h), ['/ring@0', '/answer@1', '/cb:answer@2', '/cb:connected@2', '/cb:hangup@6', '/after@6', '/hangup@6']);
    const cbHangup = h.app.requests('/cb')[2]!;
    assert.deepEqual(pick(cbHangup, ['DialBLegHangupCause', 'DialBLegHangupSource', 'DialBLegDuration']), {
      DialBLegHangupCause: 'NORMAL_CLEARING',
      DialBLegHangupSource: 'Caller',
      DialBLegDuration: '4',
    });
  });
});

test('without hangupOnStar, * does nothing to the bridge', async () => {
  await withRig(async (h) => {
    await h.sim(B, 'ring 1s, answer, hangup after 8s');
    await runCall(h, 'ring 1s, answer, digits * after 5s', `<Response><Dial callbackUrl="${h.app.url('/cb')}"><Number>${B}</Number></Dial></Response>`);
    assert.deepEqual(seq(h), ['/ring@0', '/answer@1', '/cb:answer@2', '/cb:connected@2', '/cb:hangup@10', '/hangup@10']);
  });
});

test('digitsMatch and digitsMatchBLeg report pressed patterns to callbackUrl', async () => {
  await withRig(async (h) => {
    await h.sim(B, 'ring 1s, answer, digits 9 after 2s, hangup after 6s');
    await runCall(
      h,
      'ring 1s, answer, digits 12 after 4s',
      `<Response><Dial callbackUrl="${h.app.url('/cb')}" digitsMatch="55,12" digitsMatchBLeg="9"><Number>${B}</Number></Dial></Response>`,
    );
    assert.deepEqual(seq(h), ['/ring@0', '/answer@1', '/cb:answer@2', '/cb:connected@2', '/cb:digits@4', '/cb:digits@5', '/cb:hangup@8', '/hangup@8']);
    const [bDigits, aDigits] = h.app.requests('/cb').filter((r) => r.params.DialAction === 'digits');
    assert.deepEqual(pick(bDigits!, ['Event', 'DialDigitsMatch', 'DialDigitsPressedBy', 'DialBLegStatus']), {
      Event: 'DialDigits',
      DialDigitsMatch: '9',
      DialDigitsPressedBy: 'BLeg',
      DialBLegStatus: 'digits',
    });
    assert.deepEqual(pick(aDigits!, ['DialDigitsMatch', 'DialDigitsPressedBy']), { DialDigitsMatch: '12', DialDigitsPressedBy: 'ALeg' });
  });
});

test('confirmKey: the first callee to press the key is bridged; one who never does is dropped', async () => {
  await withRig(async (h) => {
    h.app.on('/confirm', '<Response><Speak>press five</Speak></Response>');
    await h.sim(B1, 'ring 1s, answer, digits 4 after 1s');
    await h.sim(B2, 'ring 2s, answer, digits 5 after 1s, hangup after 5s');
    const url = h.app.url.bind(h.app);
    const aUuid = await runCall(
      h,
      'ring 1s, answer',
      `<Response><Dial action="${url('/action')}" callbackUrl="${url('/cb')}" confirmSound="${url('/confirm')}" confirmKey="5" confirmTimeout="10"><Number>${B1}</Number><Number>${B2}</Number></Dial></Response>`,
    );
    assert.deepEqual(seq(h), ['/ring@0', '/answer@1', '/confirm@1', '/cb:answer@4', '/cb:connected@4', '/cb:hangup@8', '/action@8', '/hangup@8']);
    assert.equal(h.app.requests('/confirm')[0]!.method, 'POST');
    const cb = h.app.requests('/cb');
    assert.ok(cb.every((r) => r.params.DialBLegTo === B2));
    const action = h.app.requests('/action')[0]!;
    assert.equal(action.params.DialStatus, 'completed');
    const legs = await bLegs(h, aUuid);
    const b1 = legs.find((l) => l.to_number === B1);
    assert.equal(b1.hangup_cause, 'LOSE_RACE');
  });
});

test('confirmKey never pressed: the callee is dropped after confirmTimeout and the dial reports no-answer', async () => {
  await withRig(async (h) => {
    await h.sim(B, 'ring 1s, answer');
    const url = h.app.url.bind(h.app);
    await runCall(
      h,
      'ring 1s, answer',
      `<Response><Dial action="${url('/action')}" callbackUrl="${url('/cb')}" confirmKey="1" confirmTimeout="5"><Number>${B}</Number></Dial></Response>`,
    );
    assert.deepEqual(seq(h), ['/ring@0', '/answer@1', '/action@7', '/hangup@7']);
    assert.deepEqual(pick(h.app.requests('/action')[0]!, ['DialStatus', 'DialHangupCause', 'DialBLegUUID']), {
      DialStatus: 'no-answer',
      DialHangupCause: 'NO_ANSWER',
      DialBLegUUID: '',
    });
  });
});

test('dialMusic is fetched and validated; a bad document is a warning, not a failure', async () => {
  await withRig(async (h) => {
    h.app.on('/music', '<Response><Dial>');
    await h.sim(B, 'ring 1s, answer, hangup after 2s');
    const aUuid = await runCall(h, 'ring 1s, answer', `<Response><Dial dialMusic="${h.app.url('/music')}"><Number>${B}</Number></Dial></Response>`);
    assert.deepEqual(seq(h), ['/ring@0', '/answer@1', '/music@1', '/hangup@4']);
    const cdr = await h.api('GET', `Call/${aUuid}/`);
    assert.equal(cdr.body.warnings.length, 1);
    assert.match(cdr.body.warnings[0], /^Dial: dialMusic could not be used \(invalid XML: /);
  });
});

test('callerId, callerName, sendDigits and sipHeaders reach the B legs', async () => {
  await withRig(async (h) => {
    await h.sim(B1, 'ring 1s, answer, hangup after 3s');
    await h.sim(B2, 'ring 3s, answer');
    const aUuid = await runCall(
      h,
      'ring 1s, answer',
      `<Response><Dial callerId="+15559990000" callerName="Front Desk" sipHeaders="Team=sales,Tier=gold" callbackUrl="${h.app.url('/cb')}">` +
        `<Number sendDigits="ww12">${B1}</Number><Number callerId="15558887777" callerName="Other">${B2}</Number></Dial></Response>`,
    );
    const legs = await bLegs(h, aUuid);
    const b1 = legs.find((l) => l.to_number === B1);
    const b2 = legs.find((l) => l.to_number === B2);
    assert.deepEqual([b1.from_number, b1.caller_name], ['+15559990000', 'Front Desk']);
    assert.deepEqual([b2.from_number, b2.caller_name], ['+15558887777', 'Other']);
    const b1Events = await h.engine.store.listEvents(b1.call_uuid);
    const originated = b1Events.find((e) => e.type === 'leg.originated')!;
    assert.deepEqual(JSON.parse(originated.data).headers, { 'X-PH-Team': 'sales', 'X-PH-Tier': 'gold' });
    const sent = b1Events.filter((e) => e.type === 'leg.digits-sent').map((e) => JSON.parse(e.data).digits);
    assert.deepEqual(sent, ['ww12']);
    assert.equal(h.app.requests('/cb')[0]!.params.DialBLegFrom, '15559990000');
  });
});

test('<User> dials a SIP URI with its own headers', async () => {
  await withRig(async (h) => {
    await h.sim('sip:alice@example.com', 'ring 1s, answer, hangup after 2s');
    const aUuid = await runCall(
      h,
      'ring 1s, answer',
      `<Response><Dial callbackUrl="${h.app.url('/cb')}"><User sipHeaders="Room=12">sip:alice@example.com</User></Dial></Response>`,
    );
    assert.deepEqual(seq(h), ['/ring@0', '/answer@1', '/cb:answer@2', '/cb:connected@2', '/cb:hangup@4', '/hangup@4']);
    assert.equal(h.app.requests('/cb')[0]!.params.DialBLegTo, 'sip:alice@example.com');
    const [b] = await bLegs(h, aUuid);
    const originated = (await h.engine.store.listEvents(b.call_uuid)).find((e) => e.type === 'leg.originated')!;
    assert.deepEqual(JSON.parse(originated.data).headers, { 'X-PH-Room': '12' });
    assert.equal(h.app.assertAllSigned({ authToken: AUTH_TOKEN }), 6);
  });
});

test('sequential dialling: two Dials in a row, each with its own timeout', async () => {
  await withRig(async (h) => {
    await h.sim(B1, 'no-answer');
    await h.sim(B2, 'ring 1s, answer, hangup after 2s');
    await runCall(
      h,
      'ring 1s, answer',
      `<Response><Dial timeout="3" callbackUrl="${h.app.url('/cb')}"><Number>${B1}</Number></Dial><Dial timeout="3" callbackUrl="${h.app.url('/cb')}"><Number>${B2}</Number></Dial></Response>`,
    );
    assert.deepEqual(seq(h), ['/ring@0', '/answer@1', '/cb:answer@5', '/cb:connected@5', '/cb:hangup@7', '/hangup@7']);
  });
});

test('transfer legs=bleg: the callee leaves the Dial to run its own document; the caller goes on', async () => {
  await withRig(async (h) => {
    await h.sim(A, 'ring 1s, answer');
    await h.sim(B, 'ring 1s, answer');
    const url = h.app.url.bind(h.app);
    h.app.on('/answer', `<Response><Dial action="${url('/action')}" callbackUrl="${url('/cb')}"><Number>${B}</Number></Dial></Response>`);
    h.app.on('/action', '<Response><Speak>one two three four five six seven eight nine ten</Speak></Response>');
    h.app.on('/b-doc', '<Response><Wait length="3"/></Response>');
    await h.call({ to: A });
    const [answer] = await h.waitFor('/answer');
    const aUuid = answer!.params.CallUUID!;
    let status = 0;
    h.runAt(5, async () => {
      status = (await h.api('POST', `Call/${aUuid}/`, { legs: 'bleg', bleg_url: url('/b-doc') })).status;
    });
    await h.waitFor('/hangup');
    await h.settle();
    assert.equal(status, 202);
    assert.deepEqual(seq(h), ['/ring@0', '/answer@1', '/cb:answer@2', '/cb:connected@2', '/b-doc@5', '/action@5', '/hangup@9']);
    const bDoc = h.app.requests('/b-doc')[0]!;
    const bUuid = h.app.requests('/cb')[0]!.params.DialBLegUUID!;
    assert.deepEqual(pick(bDoc, ['Event', 'CallUUID', 'CallStatus']), { Event: 'Redirect', CallUUID: bUuid, CallStatus: 'in-progress' });
    assert.deepEqual(pick(h.app.requests('/action')[0]!, ['DialStatus', 'DialBLegUUID']), { DialStatus: 'completed', DialBLegUUID: bUuid });
    const b = (await h.api('GET', `Call/${bUuid}/`)).body;
    assert.deepEqual([b.hangup_cause_code, b.hangup_source, b.end_time], [4010, 'Plivo', '2026-01-01 00:00:08+00:00']);
    const ended = (await h.engine.store.listEvents(bUuid)).filter((e) => e.type === 'leg.ended');
    assert.equal(ended.length, 1);
  });
});

test('transfer legs=bleg without a bridged callee is a 409 naming the call', async () => {
  await withRig(async (h) => {
    await h.sim(A, 'ring 1s, answer');
    h.app.on('/answer', '<Response><Wait length="10"/></Response>');
    await h.call({ to: A });
    const [answer] = await h.waitFor('/answer');
    const uuid = answer!.params.CallUUID!;
    const res = await h.api('POST', `Call/${uuid}/`, { legs: 'bleg', bleg_url: h.app.url('/b') });
    assert.equal(res.status, 409);
    assert.equal(res.body.error, `call ${uuid}: no bridged B leg to transfer`);
    await h.api('DELETE', `Call/${uuid}/`);
    await h.waitFor('/hangup');
  });
});
