import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseWebhook, safeParseWebhook, WebhookParseError, type Webhook } from '../src/webhooks/index.ts';

const A = '2f9a1a7e-0c1b-4f3a-9d55-1b2c3d4e5f60';
const B = '8e1d2c3b-4a59-4687-9a1b-2c3d4e5f6a7b';

// The parameters on every webhook of an outbound call (engine.md §1).
const CALL = {
  CallUUID: A,
  From: '14155551212',
  To: '14155550001',
  CallStatus: 'in-progress',
  Direction: 'outbound',
  CallerName: 'Alice',
  ALegUUID: A,
  ALegRequestUUID: 'req-1',
  RequestUUID: 'req-1',
  'X-PH-Team': 'sales',
};

const CALL_FIELDS = {
  CallUUID: A,
  From: '14155551212',
  To: '14155550001',
  CallStatus: 'in-progress',
  Direction: 'outbound',
  CallerName: 'Alice',
  ALegUUID: A,
  ALegRequestUUID: 'req-1',
  RequestUUID: 'req-1',
  ForwardedFrom: undefined,
  sipHeaders: { 'X-PH-Team': 'sales' },
} as const;

describe('parseWebhook: each kind', () => {
  it('Ring', () => {
    assert.deepEqual(parseWebhook({ ...CALL, CallStatus: 'ringing', Event: 'Ring' }), {
      kind: 'ring',
      Event: 'Ring',
      ...CALL_FIELDS,
      CallStatus: 'ringing',
      raw: {},
    });
  });

  it('StartApp keeps unknown keys in raw', () => {
    assert.deepEqual(parseWebhook({ ...CALL, Event: 'StartApp', BillRate: '0.005', STIRAttestation: 'A' }), {
      kind: 'answer',
      Event: 'StartApp',
      ...CALL_FIELDS,
      raw: { BillRate: '0.005', STIRAttestation: 'A' },
    });
  });

  it('Redirect, Dial action and GetDigits action share Event=Redirect', () => {
    assert.equal(parseWebhook({ ...CALL, Event: 'Redirect' }).kind, 'redirect');
    assert.deepEqual(
      parseWebhook({
        ...CALL,
        Event: 'Redirect',
        DialStatus: 'no-answer',
        DialRingStatus: 'true',
        DialHangupCause: 'NO_ANSWER',
        DialALegUUID: A,
        DialBLegUUID: '',
      }),
      {
        kind: 'dial-action',
        Event: 'Redirect',
        ...CALL_FIELDS,
        DialStatus: 'no-answer',
        DialRingStatus: true,
        DialHangupCause: 'NO_ANSWER',
        DialALegUUID: A,
        DialBLegUUID: '',
        raw: {},
      },
    );
    assert.deepEqual(parseWebhook({ ...CALL, Event: 'Redirect', Digits: '12#', InputType: 'dtmf' }), {
      kind: 'digits-action',
      Event: 'Redirect',
      ...CALL_FIELDS,
      Digits: '12#',
      InputType: 'dtmf',
      raw: {},
    });
  });

  it('Hangup parses numbers, keeps times as strings, empty AnswerTime is absent', () => {
    const hook = parseWebhook({
      ...CALL,
      CallStatus: 'busy',
      Event: 'Hangup',
      HangupCause: 'USER_BUSY',
      HangupCauseCode: '3000',
      HangupCauseName: 'Busy Line',
      HangupSource: 'Callee',
      Duration: '0',
      BillDuration: '0',
      StartTime: '2025-01-02 03:04:05+00:00',
      AnswerTime: '',
      EndTime: '2025-01-02 03:04:09+00:00',
      TotalCost: '0.00000',
    });
    assert.deepEqual(hook, {
      kind: 'hangup',
      Event: 'Hangup',
      ...CALL_FIELDS,
      CallStatus: 'busy',
      HangupCause: 'USER_BUSY',
      HangupCauseCode: 3000,
      HangupCauseName: 'Busy Line',
      HangupSource: 'Callee',
      Duration: 0,
      BillDuration: 0,
      StartTime: '2025-01-02 03:04:05+00:00',
      AnswerTime: undefined,
      EndTime: '2025-01-02 03:04:09+00:00',
      raw: { TotalCost: '0.00000' },
    });
  });

  const dialBase = {
    ...CALL,
    DialALegUUID: A,
    DialBLegUUID: B,
    DialBLegFrom: '14155551212',
    DialBLegTo: '14155550002',
    DialBLegPosition: '2',
  };
  const dialFields = {
    ...CALL_FIELDS,
    DialALegUUID: A,
    DialBLegUUID: B,
    DialBLegFrom: '14155551212',
    DialBLegTo: '14155550002',
    DialBLegPosition: 2,
  };

  it('DialAnswer and DialConnected', () => {
    assert.deepEqual(parseWebhook({ ...dialBase, Event: 'DialAnswer', DialAction: 'answer', DialBLegStatus: 'answer' }), {
      kind: 'dial-answer',
      Event: 'DialAnswer',
      ...dialFields,
      DialAction: 'answer',
      DialBLegStatus: 'answer',
      raw: {},
    });
    const connected = parseWebhook({ ...dialBase, Event: 'DialConnected', DialAction: 'connected', DialBLegStatus: 'connected' });
    assert.equal(connected.kind, 'dial-connected');
  });

  it('DialHangup (the plivo.md §3.4 example)', () => {
    assert.deepEqual(
      parseWebhook({
        ...dialBase,
        Event: 'DialHangup',
        DialAction: 'hangup',
        DialBLegStatus: 'hangup',
        DialBLegDuration: '11',
        DialBLegBillDuration: '60',
        DialBLegHangupCause: 'NORMAL_CLEARING',
        DialBLegHangupCauseCode: '4000',
        DialBLegHangupCauseName: 'Normal Hangup',
        DialBLegHangupSource: 'Callee',
      }),
      {
        kind: 'dial-hangup',
        Event: 'DialHangup',
        ...dialFields,
        DialAction: 'hangup',
        DialBLegStatus: 'hangup',
        DialBLegHangupCause: 'NORMAL_CLEARING',
        DialBLegHangupCauseCode: 4000,
        DialBLegHangupCauseName: 'Normal Hangup',
        DialBLegHangupSource: 'Callee',
        DialBLegDuration: 11,
        DialBLegBillDuration: 60,
        raw: {},
      },
    );
  });

  it('DialDigits', () => {
    const hook = parseWebhook({ ...dialBase, Event: 'DialDigits', DialAction: 'digits', DialDigitsMatch: '*9', DialDigitsPressedBy: 'BLeg' });
    assert.equal(hook.kind, 'dial-digits');
    if (hook.kind !== 'dial-digits') return;
    assert.equal(hook.DialDigitsMatch, '*9');
    assert.equal(hook.DialDigitsPressedBy, 'BLeg');
  });

  it('an unknown Event keeps everything in raw', () => {
    const params = { ...CALL, Event: 'MachineDetection', Machine: 'true' };
    const { Event: _e, ...rest } = params;
    assert.deepEqual(parseWebhook(params), { kind: 'unknown', Event: 'MachineDetection', raw: rest });
  });
});

describe('parseWebhook: without Event (Plivo-Framework style)', () => {
  const bare = { ...CALL };
  it('infers the kind from telling fields', () => {
    assert.equal(parseWebhook({ ...bare, HangupCause: 'NORMAL_CLEARING', CallStatus: 'completed' }).kind, 'hangup');
    assert.equal(parseWebhook({ ...bare, DialStatus: 'completed', DialRingStatus: 'true', DialBLegUUID: B }).kind, 'dial-action');
    assert.equal(parseWebhook({ ...bare, Digits: '5' }).kind, 'digits-action');
    assert.equal(parseWebhook({ ...bare, DialBLegStatus: 'answer', DialBLegUUID: B }).kind, 'dial-answer');
    assert.equal(parseWebhook({ ...bare, DialAction: 'hangup', DialBLegUUID: B, DialBLegHangupCause: 'NORMAL_CLEARING' }).kind, 'dial-hangup');
  });

  it('with nothing telling, is unknown and keeps every key', () => {
    const hook: Webhook = parseWebhook(bare);
    assert.deepEqual(hook, { kind: 'unknown', Event: undefined, raw: bare });
  });

  it('a hangup without durations counts 0 s; the Dial action defaults DialALegUUID to CallUUID', () => {
    const hangup = parseWebhook({ ...bare, HangupCause: 'NORMAL_CLEARING', CallStatus: 'completed' });
    assert.ok(hangup.kind === 'hangup');
    assert.equal(hangup.Duration, 0);
    assert.equal(hangup.BillDuration, 0);
    const action = parseWebhook({ ...bare, DialStatus: 'busy', DialRingStatus: 'false' });
    assert.ok(action.kind === 'dial-action');
    assert.equal(action.DialALegUUID, A);
    assert.equal(action.DialBLegUUID, '');
    assert.equal(action.DialHangupCause, '');
  });
});

describe('parseWebhook: errors name the parameter', () => {
  const fails = (params: unknown, code: string, parameter: string, message: RegExp) =>
    assert.throws(
      () => parseWebhook(params as Record<string, string>),
      (err: unknown) => {
        assert.ok(err instanceof WebhookParseError);
        assert.equal(err.code, code);
        assert.equal(err.parameter, parameter);
        assert.match(err.message, message);
        return true;
      },
    );

  it('missing, malformed and out-of-set values', () => {
    const { CallUUID: _c, ...noUuid } = CALL;
    fails({ ...noUuid, Event: 'StartApp' }, 'WEBHOOK_MISSING_PARAM', 'CallUUID', /CallUUID is missing/);
    fails({ ...CALL, Event: 'StartApp', CallStatus: 'answered' }, 'WEBHOOK_BAD_VALUE', 'CallStatus', /one of queued, ringing.*got "answered"/);
    fails({ ...CALL, Event: 'Hangup', HangupCause: 'X', Duration: '1.5' }, 'WEBHOOK_BAD_VALUE', 'Duration', /whole number, got "1.5"/);
    fails({ ...CALL, Event: 'Hangup', HangupCause: 'X', HangupSource: 'Martian' }, 'WEBHOOK_BAD_VALUE', 'HangupSource', /got "Martian"/);
    fails({ ...CALL, Event: 'Redirect', DialStatus: 'done', DialRingStatus: 'true' }, 'WEBHOOK_BAD_VALUE', 'DialStatus', /got "done"/);
    fails({ ...CALL, Event: 'Redirect', DialStatus: 'busy', DialRingStatus: 'yes' }, 'WEBHOOK_BAD_VALUE', 'DialRingStatus', /true, false/);
    fails({ ...CALL, Event: 'DialHangup', DialAction: 'answer', DialBLegUUID: B }, 'WEBHOOK_BAD_VALUE', 'DialAction', /contradicts Event DialHangup/);
    fails({ ...CALL, DialAction: 'ring', DialBLegUUID: B }, 'WEBHOOK_BAD_VALUE', 'DialAction', /got "ring"/);
    fails({ ...CALL, Event: 'StartApp', To: ['1', '2'] }, 'WEBHOOK_NOT_A_STRING', 'To', /an array/);
    fails(null, 'WEBHOOK_NOT_AN_OBJECT', '(params)', /got null/);
  });

  it('safeParseWebhook returns the error as a value', () => {
    const bad = safeParseWebhook({ Event: 'Ring' });
    assert.equal(bad.ok, false);
    assert.ok(!bad.ok && bad.error.parameter === 'CallUUID');
    const good = safeParseWebhook({ ...CALL, Event: 'Ring' });
    assert.ok(good.ok && good.webhook.kind === 'ring');
  });
});

describe('parseWebhook: Conference callbacks (docs/conference.md)', () => {
  const ROOM = { ConferenceName: 'Team room', ConferenceUUID: B, ConferenceMemberID: '7', CallUUID: A };
  it('enter / exit carry the room and the member, nothing of the call but CallUUID', () => {
    assert.deepEqual(parseWebhook({ ConferenceAction: 'enter', ...ROOM }), { kind: 'conference', ConferenceAction: 'enter', ...ROOM, raw: {} });
    const exit = parseWebhook({ ConferenceAction: 'exit', ...ROOM });
    assert.ok(exit.kind === 'conference' && exit.ConferenceAction === 'exit');
  });

  it('digits carry the matched pattern; record carries the recording with its numbers', () => {
    const digits = parseWebhook({ ConferenceAction: 'digits', ConferenceDigitsMatch: '#0', ...ROOM });
    assert.ok(digits.kind === 'conference');
    assert.equal(digits.ConferenceDigitsMatch, '#0');
    const rec = parseWebhook({
      ConferenceAction: 'record', ...ROOM, RecordUrl: 'http://e/media/Recording/r.wav', RecordingID: 'r', RecordingDuration: '15',
      RecordingDurationMs: '15000', RecordingStartMs: '1700000000000', RecordingEndMs: '1700000015000',
    });
    assert.ok(rec.kind === 'conference');
    assert.deepEqual([rec.RecordUrl, rec.RecordingID, rec.RecordingDuration, rec.RecordingDurationMs, rec.RecordingEndMs], ['http://e/media/Recording/r.wav', 'r', 15, 15000, 1_700_000_015_000]);
  });

  it('an unknown ConferenceAction is refused naming it; the action (Event=Redirect) stays a redirect', () => {
    assert.throws(() => parseWebhook({ ConferenceAction: 'left', ...ROOM }), (e: unknown) => e instanceof WebhookParseError && /ConferenceAction/.test(e.message));
    assert.equal(parseWebhook({ ...CALL, Event: 'Redirect', ...ROOM }).kind, 'redirect');
  });
});
