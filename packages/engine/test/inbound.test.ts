/**
 * Inbound calls, end to end: a caller dials a number through `POST .../Simulator/Call/` (engine.md
 * §4), the inbound router picks the app, and the app's XML runs (plivo.md §2.3, §4.2: the call is
 * answered before the first element that needs an answered call). Times are virtual seconds from
 * the start of the rig; every webhook must carry a V3 signature the official SDK accepts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, pick, AUTH_TOKEN, type Harness } from './support/harness.ts';
import type { CapturedRequest } from './support/app-server.ts';
import type { InboundApp } from '../src/numbers/inbound-app.ts';
import { formatTime } from '../src/util/time.ts';

/** The number that belongs to the app; any other number has no application. */
const N = '15553330001';
const UNROUTED = '15553330099';
const CALLER = '15559990001';
const B = '15552220001';
const HANGUP_KEYS = ['Event', 'CallStatus', 'HangupCause', 'HangupCauseCode', 'HangupCauseName', 'HangupSource', 'Duration', 'BillDuration'];

interface InboundRig {
  h: Harness;
  /** Every (to, from) the router was asked about, in order. */
  routed: Array<[string, string]>;
}

async function withInbound(fn: (rig: InboundRig) => Promise<void>): Promise<void> {
  const routed: Array<[string, string]> = [];
  let h: Harness | undefined;
  const app = (): InboundApp => ({ answerUrl: h!.app.url('/answer'), answerMethod: 'POST', hangupUrl: h!.app.url('/hangup') });
  h = await startHarness({
    inboundRouter: async (to, from) => {
      routed.push([to, from]);
      return to === N ? app() : undefined;
    },
  });
  try {
    await fn({ h, routed });
    h.app.assertAllSigned({ authToken: AUTH_TOKEN, mainAuthToken: AUTH_TOKEN });
  } finally {
    await h.close();
  }
}

function seq(h: Harness): string[] {
  return h.app.requests().map((r) => `${r.path}${r.params.DialAction ? ':' + r.params.DialAction : ''}@${h.at(r)}`);
}

function doc(body: string): string {
  return `<Response>${body}</Response>`;
}

async function dialIn(h: Harness, script?: string, to = N): Promise<{ status: number; body: any }> {
  return h.api('POST', 'Simulator/Call/', { from: `+${CALLER}`, to: `+${to}`, ...(script !== undefined && { script }) });
}

/** The caller dials N, whose app answers with `body`; resolves with the hangup report once all is settled. */
async function inboundCall(h: Harness, body: string, script?: string): Promise<CapturedRequest> {
  h.app.on('/answer', doc(body));
  const res = await dialIn(h, script);
  assert.equal(res.status, 201, JSON.stringify(res.body));
  assert.equal(res.body.message, 'call placed');
  const [hangup] = await h.waitFor('/hangup');
  await h.settle();
  return hangup!;
}

/** `YYYY-MM-DD HH:MM:SS+00:00` of virtual second `s` of the rig. */
function timeAt(h: Harness, s: number): string {
  return formatTime(h.clock.now() - h.t() * 1000 + s * 1000);
}

async function cdr(h: Harness, uuid: string): Promise<any> {
  const res = await h.api('GET', `Call/${uuid}/`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body;
}

test('answer_url gets StartApp while the call rings: inbound, numbers without "+", no outbound-only parameters', async () => {
  await withInbound(async ({ h, routed }) => {
    const hangup = await inboundCall(h, '<Speak>hello</Speak>');
    assert.deepEqual(routed, [[N, CALLER]]);
    assert.deepEqual(seq(h), ['/answer@0', '/hangup@1']);
    const answer = h.app.requests('/answer')[0]!;
    assert.equal(answer.method, 'POST');
    assert.deepEqual(pick(answer, ['Event', 'CallStatus', 'Direction', 'From', 'To', 'CallerName']), {
      Event: 'StartApp',
      CallStatus: 'ringing',
      Direction: 'inbound',
      From: CALLER,
      To: N,
      CallerName: CALLER,
    });
    assert.match(answer.params.CallUUID!, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    for (const key of ['ALegUUID', 'ALegRequestUUID', 'RequestUUID']) {
      assert.equal(answer.params[key], undefined, `${key} is for outbound calls only`);
      assert.equal(hangup.params[key], undefined, `${key} is for outbound calls only`);
    }
    assert.deepEqual(pick(hangup, [...HANGUP_KEYS, 'CallUUID', 'Direction', 'From', 'To']), {
      Event: 'Hangup',
      CallStatus: 'completed',
      HangupCause: 'NORMAL_CLEARING',
      HangupCauseCode: '4010',
      HangupCauseName: 'End Of XML Instructions',
      HangupSource: 'Plivo',
      Duration: '1',
      BillDuration: '60',
      CallUUID: answer.params.CallUUID,
      Direction: 'inbound',
      From: CALLER,
      To: N,
    });
    const call = await cdr(h, answer.params.CallUUID!);
    assert.deepEqual(
      [call.call_direction, call.from_number, call.to_number, call.call_status, call.answer_time, call.parent_call_uuid],
      ['inbound', `+${CALLER}`, N, 'completed', timeAt(h, 0), null],
    );
  });
});

test('a leading <Wait> does not answer the call; the <Speak> after it does', async () => {
  await withInbound(async ({ h }) => {
    const hangup = await inboundCall(h, '<Wait length="2"/><Speak>hello</Speak>');
    assert.deepEqual(seq(h), ['/answer@0', '/hangup@3']);
    assert.deepEqual(pick(hangup, ['CallStatus', 'HangupCauseCode', 'Duration', 'StartTime', 'AnswerTime', 'EndTime']), {
      CallStatus: 'completed',
      HangupCauseCode: '4010',
      Duration: '1',
      StartTime: timeAt(h, 0),
      AnswerTime: timeAt(h, 2),
      EndTime: timeAt(h, 3),
    });
  });
});

test('a leading <PreAnswer> does not answer the call; the element after it does', async () => {
  await withInbound(async ({ h }) => {
    const hangup = await inboundCall(h, '<PreAnswer><Play>https://media.example.com/ringback.mp3</Play></PreAnswer><Wait length="1"/><Speak>hello</Speak>');
    // Play 5 s in early media, then the Wait (which needs no answer), then the Speak answers at t=6.
    assert.deepEqual(seq(h), ['/answer@0', '/hangup@7']);
    assert.deepEqual(pick(hangup, ['AnswerTime', 'Duration']), { AnswerTime: timeAt(h, 6), Duration: '1' });
  });
});

test('a document that ends before anything answers the call: never answered, 4010, nothing billed', async () => {
  await withInbound(async ({ h }) => {
    const hangup = await inboundCall(h, '<Wait length="2"/>', 'hangup after 20s');
    assert.deepEqual(seq(h), ['/answer@0', '/hangup@2']);
    assert.deepEqual(pick(hangup, [...HANGUP_KEYS, 'AnswerTime']), {
      Event: 'Hangup',
      CallStatus: 'completed',
      HangupCause: 'NORMAL_CLEARING',
      HangupCauseCode: '4010',
      HangupCauseName: 'End Of XML Instructions',
      HangupSource: 'Plivo',
      Duration: '0',
      BillDuration: '0',
      AnswerTime: '',
    });
  });
});

test('a Redirect before the answer keeps the call ringing; the new document may still reject it', async () => {
  await withInbound(async ({ h }) => {
    h.app.on('/next', doc('<Hangup reason="busy"/>'));
    const hangup = await inboundCall(h, `<Wait length="1"/><Redirect>${h.app.url('/next')}</Redirect>`);
    assert.deepEqual(seq(h), ['/answer@0', '/next@1', '/hangup@1']);
    assert.deepEqual(pick(h.app.requests('/next')[0]!, ['Event', 'CallStatus', 'Direction']), { Event: 'Redirect', CallStatus: 'ringing', Direction: 'inbound' });
    assert.deepEqual(pick(hangup, ['CallStatus', 'HangupCause', 'HangupCauseCode', 'HangupSource', 'AnswerTime']), {
      CallStatus: 'busy',
      HangupCause: 'USER_BUSY',
      HangupCauseCode: '3000',
      HangupSource: 'Answer XML',
      AnswerTime: '',
    });
  });
});

test('the caller\'s "hangup after 20s" ends the call 20 s after the answer: source Caller, completed', async () => {
  await withInbound(async ({ h }) => {
    const hangup = await inboundCall(h, '<Wait length="3"/><Speak>please hold</Speak><Wait length="3600"/>', 'hangup after 20s');
    // Answered by the Speak at t=3; the caller's script counts from there.
    assert.deepEqual(seq(h), ['/answer@0', '/hangup@23']);
    assert.deepEqual(pick(hangup, [...HANGUP_KEYS, 'AnswerTime']), {
      Event: 'Hangup',
      CallStatus: 'completed',
      HangupCause: 'NORMAL_CLEARING',
      HangupCauseCode: '4000',
      HangupCauseName: 'Normal Hangup',
      HangupSource: 'Caller',
      Duration: '20',
      BillDuration: '60',
      AnswerTime: timeAt(h, 3),
    });
  });
});

test('the Hangup API ends an answered inbound call: completed, 4000, source API Request', async () => {
  await withInbound(async ({ h }) => {
    let status = 0;
    h.app.on('/answer', (req) => {
      h.runAt(5, async () => {
        status = (await h.api('DELETE', `Call/${req.params.CallUUID}/`)).status;
      });
      return doc('<Speak>hello</Speak><Wait length="60"/>');
    });
    const res = await dialIn(h, 'hangup after 20s');
    assert.equal(res.status, 201);
    const [hangup] = await h.waitFor('/hangup');
    await h.settle();
    assert.equal(status, 204);
    assert.deepEqual(seq(h), ['/answer@0', '/hangup@5']);
    assert.deepEqual(pick(hangup!, [...HANGUP_KEYS, 'Direction']), {
      Event: 'Hangup',
      CallStatus: 'completed',
      HangupCause: 'NORMAL_CLEARING',
      HangupCauseCode: '4000',
      HangupCauseName: 'Normal Hangup',
      HangupSource: 'API Request',
      Duration: '5',
      BillDuration: '60',
      Direction: 'inbound',
    });
  });
});

test('the caller\'s keys reach a GetDigits; its action gets them as an inbound Redirect', async () => {
  await withInbound(async ({ h }) => {
    h.app.on('/digits', doc('<Speak>thank you</Speak>'));
    const hangup = await inboundCall(
      h,
      `<GetDigits action="${h.app.url('/digits')}" timeout="10"><Speak>enter your pin</Speak></GetDigits><Speak>never spoken</Speak>`,
      'digits 42# after 3s, hangup after 20s',
    );
    assert.deepEqual(seq(h), ['/answer@0', '/digits@3', '/hangup@4']);
    const digits = h.app.requests('/digits')[0]!;
    assert.deepEqual(pick(digits, ['Event', 'Digits', 'CallStatus', 'Direction', 'From', 'To', 'RequestUUID']), {
      Event: 'Redirect',
      Digits: '42',
      CallStatus: 'in-progress',
      Direction: 'inbound',
      From: CALLER,
      To: N,
      RequestUUID: undefined,
    });
    assert.deepEqual(pick(hangup, ['HangupCauseCode', 'HangupSource', 'Duration']), { HangupCauseCode: '4010', HangupSource: 'Plivo', Duration: '4' });
  });
});

test('a call to a number with no application is rejected: no webhook, no call record', async () => {
  await withInbound(async ({ h, routed }) => {
    const res = await dialIn(h, 'hangup after 20s', UNROUTED);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    // The leg is offered in a microtask and routed asynchronously: wait for the router's answer.
    for (let i = 0; i < 100 && routed.length === 0; i++) await new Promise((r) => setImmediate(r));
    assert.deepEqual(routed, [[UNROUTED, CALLER]]);
    await h.settle();
    assert.equal(h.engine.network.liveLegs(), 0, 'the caller\'s leg was refused');
    assert.equal(h.engine.network.getLeg(res.body.leg_id), undefined);
    // The same call placed on the network directly, to see how the caller's leg was refused.
    const leg = h.engine.network.placeInbound({ from: CALLER, to: UNROUTED });
    for (let i = 0; i < 100 && routed.length < 2; i++) await new Promise((r) => setImmediate(r));
    await h.settle();
    assert.deepEqual(leg.localEnd, { cause: 'UNALLOCATED_NUMBER', via: 'reject' });
    assert.deepEqual(h.app.requests(), []);
    const list = await h.api('GET', 'Call/');
    assert.equal(list.status, 200);
    assert.equal(list.body.meta.total_count, 0);
    assert.deepEqual(list.body.objects, []);
  });
});

test('<Hangup reason="busy"/> first rejects the call: busy, USER_BUSY, 3000, source Answer XML', async () => {
  await withInbound(async ({ h }) => {
    const hangup = await inboundCall(h, '<Hangup reason="busy"/><Speak>never spoken</Speak>', 'hangup after 20s');
    assert.deepEqual(seq(h), ['/answer@0', '/hangup@0']);
    assert.deepEqual(pick(hangup, [...HANGUP_KEYS, 'AnswerTime']), {
      Event: 'Hangup',
      CallStatus: 'busy',
      HangupCause: 'USER_BUSY',
      HangupCauseCode: '3000',
      HangupCauseName: 'Busy Line',
      HangupSource: 'Answer XML',
      Duration: '0',
      BillDuration: '0',
      AnswerTime: '',
    });
    const call = await cdr(h, hangup.params.CallUUID!);
    assert.deepEqual([call.call_status, call.answer_time, call.hangup_cause_code], ['busy', null, 3000]);
  });
});

test('the caller\'s leg is refused with the cause the Hangup reason names (486 busy, 603 rejected)', async () => {
  await withInbound(async ({ h }) => {
    h.app.on('/answer', (req) => doc(`<Hangup reason="${req.params.CallerName === 'busy-test' ? 'busy' : 'rejected'}"/>`));
    // Placed on the network directly (as the Simulator API does) to keep hold of the caller's leg.
    const busy = h.engine.network.placeInbound({ from: CALLER, to: N, callerName: 'busy-test' });
    await h.waitFor('/hangup');
    const rejected = h.engine.network.placeInbound({ from: CALLER, to: N, callerName: 'reject-test' });
    await h.waitFor('/hangup', 2);
    await h.settle();
    assert.deepEqual(busy.localEnd, { cause: 'USER_BUSY', via: 'reject' });
    assert.deepEqual(rejected.localEnd, { cause: 'CALL_REJECTED', via: 'reject' });
    assert.deepEqual(h.app.requests('/hangup').map((r) => r.params.HangupCause), ['USER_BUSY', 'CALL_REJECTED']);
  });
});

test('<Hangup reason="rejected"/> first rejects the call: failed, CALL_REJECTED, 3010', async () => {
  await withInbound(async ({ h }) => {
    const hangup = await inboundCall(h, '<Hangup reason="rejected"/>');
    assert.deepEqual(seq(h), ['/answer@0', '/hangup@0']);
    assert.deepEqual(pick(hangup, [...HANGUP_KEYS, 'AnswerTime']), {
      Event: 'Hangup',
      CallStatus: 'failed',
      HangupCause: 'CALL_REJECTED',
      HangupCauseCode: '3010',
      HangupCauseName: 'Rejected',
      HangupSource: 'Answer XML',
      Duration: '0',
      BillDuration: '0',
      AnswerTime: '',
    });
  });
});

test('S21 an inbound call\'s Dial reports as S1 does', async () => {
  await withInbound(async ({ h }) => {
    await h.sim(B, 'ring 2s, answer, hangup after 10s');
    const hangup = await inboundCall(
      h,
      `<Dial action="${h.app.url('/action')}" callbackUrl="${h.app.url('/cb')}"><Number>${B}</Number></Dial>`,
      'hangup after 20s',
    );
    // The Dial leaves the caller ringing; B rings 2 s, answers (which answers the caller), talks 10 s.
    assert.deepEqual(seq(h), ['/answer@0', '/cb:answer@2', '/cb:connected@2', '/cb:hangup@12', '/action@12', '/hangup@12']);
    const answer = h.app.requests('/answer')[0]!;
    const aUuid = answer.params.CallUUID!;
    assert.deepEqual(pick(answer, ['Event', 'CallStatus', 'Direction']), { Event: 'StartApp', CallStatus: 'ringing', Direction: 'inbound' });
    const [cbAnswer, cbConnected, cbHangup] = h.app.requests('/cb') as [CapturedRequest, CapturedRequest, CapturedRequest];
    const bUuid = cbAnswer.params.DialBLegUUID!;
    assert.deepEqual(pick(cbAnswer, ['Event', 'DialAction', 'DialBLegStatus', 'DialBLegTo', 'DialBLegFrom', 'DialBLegPosition', 'DialALegUUID', 'CallUUID', 'Direction']), {
      Event: 'DialAnswer',
      DialAction: 'answer',
      DialBLegStatus: 'answer',
      DialBLegTo: B,
      DialBLegFrom: CALLER,
      DialBLegPosition: '1',
      DialALegUUID: aUuid,
      CallUUID: aUuid,
      Direction: 'inbound',
    });
    assert.deepEqual(pick(cbConnected, ['Event', 'DialAction', 'DialBLegUUID']), { Event: 'DialConnected', DialAction: 'connected', DialBLegUUID: bUuid });
    assert.deepEqual(pick(cbHangup, ['Event', 'DialAction', 'DialBLegHangupCause', 'DialBLegHangupCauseCode', 'DialBLegHangupSource', 'DialBLegDuration']), {
      Event: 'DialHangup',
      DialAction: 'hangup',
      DialBLegHangupCause: 'NORMAL_CLEARING',
      DialBLegHangupCauseCode: '4000',
      DialBLegHangupSource: 'Callee',
      DialBLegDuration: '10',
    });
    const action = h.app.requests('/action')[0]!;
    assert.deepEqual(pick(action, ['Event', 'DialStatus', 'DialRingStatus', 'DialHangupCause', 'DialALegUUID', 'DialBLegUUID', 'CallUUID', 'CallStatus', 'Direction']), {
      Event: 'Redirect',
      DialStatus: 'completed',
      DialRingStatus: 'true',
      DialHangupCause: 'NORMAL_CLEARING',
      DialALegUUID: aUuid,
      DialBLegUUID: bUuid,
      CallUUID: aUuid,
      CallStatus: 'in-progress',
      Direction: 'inbound',
    });
    assert.deepEqual(pick(hangup, [...HANGUP_KEYS, 'CallUUID']), {
      Event: 'Hangup',
      CallStatus: 'completed',
      HangupCause: 'NORMAL_CLEARING',
      HangupCauseCode: '4010',
      HangupCauseName: 'End Of XML Instructions',
      HangupSource: 'Plivo',
      Duration: '10',
      BillDuration: '60',
      CallUUID: aUuid,
    });
    const a = await cdr(h, aUuid);
    assert.deepEqual([a.call_direction, a.parent_call_uuid, a.call_duration, a.answer_time], ['inbound', null, 10, '2026-01-01 00:00:02+00:00']);
    const b = await cdr(h, bUuid);
    assert.deepEqual([b.call_direction, b.parent_call_uuid, b.from_number, b.to_number, b.call_duration], ['outbound', aUuid, `+${CALLER}`, B, 10]);
  });
});

test('S21 variant: the caller hangs up during the bridge; B is hung up and the action still arrives', async () => {
  await withInbound(async ({ h }) => {
    await h.sim(B, 'ring 2s, answer');
    const hangup = await inboundCall(
      h,
      `<Dial action="${h.app.url('/action')}" callbackUrl="${h.app.url('/cb')}"><Number>${B}</Number></Dial><Speak>never spoken</Speak>`,
      'hangup after 8s',
    );
    // The caller's `hangup after 8s` counts from the answer, which the bridge gave at t=2.
    assert.deepEqual(seq(h), ['/answer@0', '/cb:answer@2', '/cb:connected@2', '/cb:hangup@10', '/action@10', '/hangup@10']);
    assert.deepEqual(pick(h.app.requests('/action')[0]!, ['DialStatus', 'DialHangupCause']), { DialStatus: 'completed', DialHangupCause: 'NORMAL_CLEARING' });
    assert.deepEqual(pick(hangup, ['CallStatus', 'HangupCause', 'HangupCauseCode', 'HangupSource', 'Duration']), {
      CallStatus: 'completed',
      HangupCause: 'NORMAL_CLEARING',
      HangupCauseCode: '4000',
      HangupSource: 'Caller',
      Duration: '8',
    });
  });
});

test('an inbound Dial that reaches nobody never answers the caller; a later Speak does', async () => {
  await withInbound(async ({ h }) => {
    await h.sim(B, 'ring 1s, busy');
    const hangup = await inboundCall(h, `<Dial action="${h.app.url('/action')}" redirect="false"><Number>${B}</Number></Dial>`);
    assert.deepEqual(seq(h), ['/answer@0', '/action@1', '/hangup@1']);
    assert.deepEqual(pick(h.app.requests('/action')[0]!, ['DialStatus', 'DialRingStatus', 'CallStatus']), { DialStatus: 'busy', DialRingStatus: 'true', CallStatus: 'ringing' });
    assert.deepEqual(pick(hangup, ['CallStatus', 'HangupCauseCode', 'Duration', 'BillDuration', 'AnswerTime']), {
      CallStatus: 'completed',
      HangupCauseCode: '4010',
      Duration: '0',
      BillDuration: '0',
      AnswerTime: '',
    });
  });
  await withInbound(async ({ h }) => {
    await h.sim(B, 'busy');
    const hangup = await inboundCall(h, `<Dial><Number>${B}</Number></Dial><Speak>sorry, nobody is free</Speak>`);
    assert.deepEqual(pick(hangup, ['Duration', 'AnswerTime']), { Duration: '2', AnswerTime: timeAt(h, 0) });
  });
});
