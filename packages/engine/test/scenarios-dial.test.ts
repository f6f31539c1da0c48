/** scenarios.md S1-S9, S15, S17 (Dial timeLimit), S20: `<Dial>` and its status reports, end to end. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import plivo from 'plivo';
import { withHarness, pick, AUTH_TOKEN, type Harness } from './support/harness.ts';
import type { CapturedRequest } from './support/app-server.ts';

const withRig = (fn: (h: Harness) => Promise<void>) => withHarness(fn);

const A = '15551110001';
const B = '15552220001';
const B1 = '15552220011';
const B2 = '15552220012';
const B3 = '15552220013';

function seq(h: Harness): string[] {
  return h.app.requests().map((r) => `${r.path}${r.params.DialAction ? ':' + r.params.DialAction : ''}@${h.at(r)}`);
}

function dialXml(h: Harness, numbers: string[], attrs = `action="${h.app.url('/action')}" callbackUrl="${h.app.url('/cb')}"`): string {
  return `<Response><Dial ${attrs}>${numbers.map((n) => `<Number>${n}</Number>`).join('')}</Dial></Response>`;
}

async function cdr(h: Harness, uuid: string): Promise<any> {
  const res = await h.api('GET', `Call/${uuid}/`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body;
}

test('S1 Dial completed', async () => {
  await withRig(async (h) => {
    await h.sim(A, 'ring 1s, answer');
    await h.sim(B, 'ring 2s, answer, hangup after 10s');
    h.app.on('/answer', dialXml(h, [B]));
    const res = await h.call({ to: A });
    assert.equal(res.status, 201);
    await h.waitFor('/hangup');
    await h.settle();
    assert.deepEqual(seq(h), ['/ring@0', '/answer@1', '/cb:answer@3', '/cb:connected@3', '/cb:hangup@13', '/action@13', '/hangup@13']);
    const [ring] = h.app.requests('/ring');
    const [answer] = h.app.requests('/answer');
    const aUuid = answer!.params.CallUUID!;
    assert.deepEqual(pick(ring!, ['Event', 'CallStatus', 'Direction', 'CallUUID']), { Event: 'Ring', CallStatus: 'ringing', Direction: 'outbound', CallUUID: aUuid });
    assert.deepEqual(pick(answer!, ['Event', 'CallStatus', 'ALegUUID', 'ALegRequestUUID']), {
      Event: 'StartApp',
      CallStatus: 'in-progress',
      ALegUUID: aUuid,
      ALegRequestUUID: res.body.request_uuid,
    });
    const [cbAnswer, cbConnected, cbHangup] = h.app.requests('/cb') as [CapturedRequest, CapturedRequest, CapturedRequest];
    const bUuid = cbAnswer.params.DialBLegUUID!;
    assert.deepEqual(pick(cbAnswer, ['Event', 'DialAction', 'DialBLegStatus', 'DialBLegTo', 'DialBLegFrom', 'DialBLegPosition', 'DialALegUUID', 'CallUUID']), {
      Event: 'DialAnswer',
      DialAction: 'answer',
      DialBLegStatus: 'answer',
      DialBLegTo: B,
      DialBLegFrom: '15550000000',
      DialBLegPosition: '1',
      DialALegUUID: aUuid,
      CallUUID: aUuid,
    });
    assert.deepEqual(pick(cbConnected, ['Event', 'DialAction', 'DialBLegUUID']), { Event: 'DialConnected', DialAction: 'connected', DialBLegUUID: bUuid });
    assert.deepEqual(
      pick(cbHangup, ['Event', 'DialAction', 'DialBLegStatus', 'DialBLegHangupCause', 'DialBLegHangupCauseCode', 'DialBLegHangupCauseName', 'DialBLegHangupSource', 'DialBLegDuration', 'DialBLegBillDuration']),
      {
        Event: 'DialHangup',
        DialAction: 'hangup',
        DialBLegStatus: 'hangup',
        DialBLegHangupCause: 'NORMAL_CLEARING',
        DialBLegHangupCauseCode: '4000',
        DialBLegHangupCauseName: 'Normal Hangup',
        DialBLegHangupSource: 'Callee',
        DialBLegDuration: '10',
        DialBLegBillDuration: '60',
      },
    );
    const [action] = h.app.requests('/action');
    assert.deepEqual(pick(action!, ['Event', 'DialStatus', 'DialRingStatus', 'DialHangupCause', 'DialALegUUID', 'DialBLegUUID', 'CallUUID', 'CallStatus']), {
      Event: 'Redirect',
      DialStatus: 'completed',
      DialRingStatus: 'true',
      DialHangupCause: 'NORMAL_CLEARING',
      DialALegUUID: aUuid,
      DialBLegUUID: bUuid,
      CallUUID: aUuid,
      CallStatus: 'in-progress',
    });
    const [hangup] = h.app.requests('/hangup');
    assert.deepEqual(pick(hangup!, ['Event', 'CallStatus', 'HangupCause', 'HangupCauseCode', 'HangupSource', 'Duration', 'BillDuration']), {
      Event: 'Hangup',
      CallStatus: 'completed',
      HangupCause: 'NORMAL_CLEARING',
      HangupCauseCode: '4010',
      HangupSource: 'Plivo',
      Duration: '12',
      BillDuration: '60',
    });
    const a = await cdr(h, aUuid);
    assert.equal(a.parent_call_uuid, null);
    assert.equal(a.call_duration, 12);
    assert.equal(a.hangup_cause_code, 4010);
    const b = await cdr(h, bUuid);
    assert.equal(b.parent_call_uuid, aUuid);
    assert.equal(b.call_direction, 'outbound');
    assert.equal(b.hangup_cause_name, 'Normal Hangup');
    assert.equal(b.hangup_source, 'Callee');
    assert.equal(b.call_duration, 10);
    assert.equal(h.app.assertAllSigned({ authToken: AUTH_TOKEN, mainAuthToken: AUTH_TOKEN }), 7);
  });
});

async function dialOnce(h: Harness, bScript: string, attrs?: string): Promise<CapturedRequest> {
  await h.sim(A, 'ring 1s, answer');
  await h.sim(B, bScript);
  h.app.on('/answer', dialXml(h, [B], attrs));
  await h.call({ to: A });
  await h.waitFor('/hangup');
  await h.settle();
  return h.app.requests('/action')[0]!;
}

const ACTION_KEYS = ['DialStatus', 'DialRingStatus', 'DialHangupCause', 'DialBLegUUID'];

test('S2 Dial busy', async () => {
  await withRig(async (h) => {
    const action = await dialOnce(h, 'busy');
    assert.equal(h.app.requests('/cb').length, 0);
    assert.deepEqual(pick(action, ACTION_KEYS), { DialStatus: 'busy', DialRingStatus: 'false', DialHangupCause: 'USER_BUSY', DialBLegUUID: '' });
    const [hangup] = h.app.requests('/hangup');
    assert.deepEqual(pick(hangup!, ['CallStatus', 'HangupCauseCode']), { CallStatus: 'completed', HangupCauseCode: '4010' });
  });
});

test('S3 Dial no-answer', async () => {
  await withRig(async (h) => {
    const action = await dialOnce(h, 'no-answer', `action="${h.app.url('/action')}" timeout="5"`);
    assert.equal(h.at(action), 6);
    assert.deepEqual(pick(action, ACTION_KEYS), { DialStatus: 'no-answer', DialRingStatus: 'true', DialHangupCause: 'NO_ANSWER', DialBLegUUID: '' });
  });
});

test('S4 Dial failed', async () => {
  await withRig(async (h) => {
    const action = await dialOnce(h, 'fail UNALLOCATED_NUMBER');
    assert.deepEqual(pick(action, ACTION_KEYS), { DialStatus: 'failed', DialRingStatus: 'false', DialHangupCause: 'UNALLOCATED_NUMBER', DialBLegUUID: '' });
  });
});

test('S5 Dial rejected', async () => {
  await withRig(async (h) => {
    const action = await dialOnce(h, 'ring 2s, reject');
    assert.deepEqual(pick(action, ACTION_KEYS), { DialStatus: 'busy', DialRingStatus: 'true', DialHangupCause: 'CALL_REJECTED', DialBLegUUID: '' });
  });
});

test('S6 Simultaneous ring, first answer wins', async () => {
  await withRig(async (h) => {
    await h.sim(A, 'ring 1s, answer');
    await h.sim(B1, 'ring 5s, answer');
    await h.sim(B2, 'ring 2s, answer, hangup after 4s');
    await h.sim(B3, 'busy');
    h.app.on('/answer', dialXml(h, [B1, B2, B3]));
    await h.call({ to: A });
    await h.waitFor('/hangup');
    await h.settle();
    assert.deepEqual(seq(h), ['/ring@0', '/answer@1', '/cb:answer@3', '/cb:connected@3', '/cb:hangup@7', '/action@7', '/hangup@7']);
    const cbs = h.app.requests('/cb');
    assert.ok(cbs.every((r) => r.params.DialBLegPosition === '2' && r.params.DialBLegTo === B2));
    const action = h.app.requests('/action')[0]!;
    const aUuid = action.params.CallUUID!;
    assert.equal(action.params.DialStatus, 'completed');
    assert.equal(action.params.DialBLegUUID, cbs[0]!.params.DialBLegUUID);
    const list = await h.api('GET', `Call/?parent_call_uuid=${aUuid}`);
    assert.equal(list.body.meta.total_count, 3);
    const byTo = Object.fromEntries(list.body.objects.map((c: any) => [c.to_number, c]));
    assert.deepEqual(pick2(byTo[B1]), { hangup_cause: 'LOSE_RACE', hangup_cause_code: 1000, call_status: 'cancel', end_time: '2026-01-01 00:00:03+00:00' });
    assert.deepEqual(pick2(byTo[B2]), { hangup_cause: 'NORMAL_CLEARING', hangup_cause_code: 4000, call_status: 'completed', end_time: '2026-01-01 00:00:07+00:00' });
    assert.deepEqual(pick2(byTo[B3]), { hangup_cause: 'USER_BUSY', hangup_cause_code: 3000, call_status: 'busy', end_time: '2026-01-01 00:00:01+00:00' });
    const a = await cdr(h, aUuid);
    assert.equal(a.hangup_cause, 'NORMAL_CLEARING');
    for (const uuid of [aUuid, ...list.body.objects.map((c: any) => c.call_uuid)]) {
      const ended = (await h.engine.store.listEvents(uuid)).filter((e) => e.type === 'leg.ended');
      assert.equal(ended.length, 1, `exactly one terminal event for ${uuid}`);
    }
  });
});

function pick2(c: any): Record<string, unknown> {
  return { hangup_cause: c.hangup_cause, hangup_cause_code: c.hangup_cause_code, call_status: c.call_status, end_time: c.end_time };
}

test('S7 Caller hangs up while the Dial rings', async () => {
  await withRig(async (h) => {
    await h.sim(A, 'ring 1s, answer, hangup after 4s');
    await h.sim(B, 'no-answer');
    h.app.on('/answer', dialXml(h, [B]));
    h.app.on('/action', '<Response><Speak>must never be fetched or run</Speak></Response>');
    await h.call({ to: A });
    await h.waitFor('/hangup');
    await h.settle();
    assert.deepEqual(seq(h), ['/ring@0', '/answer@1', '/action@5', '/hangup@5']);
    const action = h.app.requests('/action')[0]!;
    assert.deepEqual(pick(action, ACTION_KEYS), { DialStatus: 'cancel', DialRingStatus: 'true', DialHangupCause: 'ORIGINATOR_CANCEL', DialBLegUUID: '' });
    const hangup = h.app.requests('/hangup')[0]!;
    assert.deepEqual(pick(hangup, ['CallStatus', 'HangupCause', 'HangupCauseCode', 'HangupSource']), {
      CallStatus: 'completed',
      HangupCause: 'NORMAL_CLEARING',
      HangupCauseCode: '4000',
      HangupSource: 'Caller',
    });
    const list = await h.api('GET', `Call/?parent_call_uuid=${action.params.CallUUID}`);
    assert.equal(list.body.objects[0].hangup_cause, 'ORIGINATOR_CANCEL');
    assert.equal(list.body.objects[0].hangup_source, 'Caller');
  });
});

test('S8 Sequential hunting through the action URL', async () => {
  await withRig(async (h) => {
    await h.sim(A, 'ring 1s, answer');
    await h.sim(B1, 'busy');
    await h.sim(B2, 'ring 1s, answer, hangup after 5s');
    h.app.on('/answer', `<Response><Dial action="${h.app.url('/action1')}"><Number>${B1}</Number></Dial><Speak>never spoken</Speak></Response>`);
    h.app.on('/action1', `<Response><Dial action="${h.app.url('/action2')}"><Number>${B2}</Number></Dial></Response>`);
    await h.call({ to: A });
    await h.waitFor('/hangup');
    await h.settle();
    assert.deepEqual(seq(h), ['/ring@0', '/answer@1', '/action1@1', '/action2@7', '/hangup@7']);
    assert.equal(h.app.requests('/action1')[0]!.params.DialStatus, 'busy');
    assert.equal(h.app.requests('/action2')[0]!.params.DialStatus, 'completed');
  });
});

test('S9 redirect="false" notifies the action and goes on', async () => {
  await withRig(async (h) => {
    await h.sim(A, 'ring 1s, answer');
    await h.sim(B, 'busy');
    h.app.on('/answer', `<Response><Dial action="${h.app.url('/action')}" redirect="false"><Number>${B}</Number></Dial><Hangup/></Response>`);
    h.app.on('/action', '<Response><Dial>');
    await h.call({ to: A });
    await h.waitFor('/hangup');
    await h.settle();
    assert.deepEqual(seq(h), ['/ring@0', '/answer@1', '/action@1', '/hangup@1']);
    assert.equal(h.app.requests('/action')[0]!.params.DialStatus, 'busy');
    const hangup = h.app.requests('/hangup')[0]!;
    assert.deepEqual(pick(hangup, ['HangupCauseCode', 'HangupSource', 'HangupCause']), { HangupCauseCode: '4000', HangupSource: 'Answer XML', HangupCause: 'NORMAL_CLEARING' });
  });
});

test('S15 Hangup API during a Dial', async () => {
  await withRig(async (h) => {
    await h.sim(A, 'ring 1s, answer');
    await h.sim(B, 'no-answer');
    h.app.on('/answer', dialXml(h, [B]));
    await h.call({ to: A });
    const [answer] = await h.waitFor('/answer');
    let status = 0;
    h.runAt(4, async () => {
      status = (await h.api('DELETE', `Call/${answer!.params.CallUUID}/`)).status;
    });
    await h.waitFor('/hangup');
    await h.settle();
    assert.equal(status, 204);
    assert.deepEqual(seq(h), ['/ring@0', '/answer@1', '/action@4', '/hangup@4']);
    assert.equal(h.app.requests('/action')[0]!.params.DialStatus, 'cancel');
    assert.deepEqual(pick(h.app.requests('/hangup')[0]!, ['CallStatus', 'HangupSource', 'HangupCauseCode']), {
      CallStatus: 'completed',
      HangupSource: 'API Request',
      HangupCauseCode: '4000',
    });
  });
});

test('S17 Dial timeLimit', async () => {
  await withRig(async (h) => {
    const action = await dialOnce(h, 'ring 2s, answer', `action="${h.app.url('/action')}" callbackUrl="${h.app.url('/cb')}" timeLimit="7"`);
    assert.equal(h.at(action), 10);
    assert.deepEqual(pick(action, ['DialStatus', 'DialHangupCause']), { DialStatus: 'completed', DialHangupCause: 'ALLOTTED_TIMEOUT' });
    const cbHangup = h.app.requests('/cb').find((r) => r.params.DialAction === 'hangup')!;
    assert.deepEqual(pick(cbHangup, ['DialBLegHangupCause', 'DialBLegHangupSource', 'DialBLegDuration']), {
      DialBLegHangupCause: 'ALLOTTED_TIMEOUT',
      DialBLegHangupSource: 'Plivo',
      DialBLegDuration: '7',
    });
  });
});

test('S20 XML built by the official plivo package runs as S1', async () => {
  await withRig(async (h) => {
    await h.sim(A, 'ring 1s, answer');
    await h.sim(B, 'ring 2s, answer, hangup after 10s');
    h.app.on('/answer', () => {
      const r = (plivo as any).Response();
      const dial = r.addDial({ action: h.app.url('/action'), method: 'POST', redirect: 'true', callbackUrl: h.app.url('/cb') });
      dial.addNumber(B);
      return r.toXML();
    });
    await h.call({ to: A });
    await h.waitFor('/hangup');
    await h.settle();
    assert.deepEqual(seq(h), ['/ring@0', '/answer@1', '/cb:answer@3', '/cb:connected@3', '/cb:hangup@13', '/action@13', '/hangup@13']);
    assert.equal(h.app.requests('/action')[0]!.params.DialStatus, 'completed');
  });
});
