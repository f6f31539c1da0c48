// Turns a webhook's flat string parameters into a typed, discriminated value (engine.md §1).
import { WebhookParseError } from './errors.ts';
import { FieldReader } from './field-reader.ts';
import type { CallParams, DialCallbackParams } from './params.ts';
import type { Webhook, WebhookKind } from './webhook.ts';
import { CALL_STATUSES, CONFERENCE_ACTIONS, DIAL_ACTION_EVENT, DIAL_ACTIONS, DIAL_STATUSES, HANGUP_SOURCES, WEBHOOK_EVENTS, type WebhookEvent } from './values.ts';

/**
 * Parses the form (POST) or query (GET) parameters of a webhook into a typed value. Numeric
 * fields (`Duration`, `BillDuration`, `HangupCauseCode`, `DialBLegDuration`, ...) become numbers,
 * `DialRingStatus` a boolean, `X-PH-*` headers go to `sipHeaders`, everything else to `raw`.
 * When `Event` is absent (older Plivo-style servers) the kind is inferred from telling fields
 * (`DialAction`, `HangupCause`, `DialStatus`, `Digits`). Throws {@link WebhookParseError} naming
 * the parameter when a required one is missing or a value is outside its documented set.
 *
 * @example
 * ```ts
 * const hook = parseWebhook({ Event: 'Hangup', CallUUID: 'c1', From: '1415', To: '1416', CallStatus: 'completed',
 *   Direction: 'inbound', HangupCause: 'NORMAL_CLEARING', Duration: '12', BillDuration: '60' });
 * if (hook.kind === 'hangup') hook.Duration; // 12
 * ```
 */
export function parseWebhook(params: Readonly<Record<string, string>>): Webhook {
  const r = new FieldReader(params);
  const event = r.optional('Event');
  // A Conference callback carries no Event and none of the call's parameters but CallUUID (docs/conference.md).
  if ((event === undefined || event === '') && r.peek('ConferenceAction') !== undefined) return readConference(r);
  const kind = kindOf(r, event);
  if (kind === 'unknown') {
    return { kind, Event: event, raw: r.rest() };
  }
  const call = readCallParams(r);
  switch (kind) {
    case 'ring':
      return { kind, Event: 'Ring', ...call, raw: r.rest() };
    case 'answer':
      return { kind, Event: 'StartApp', ...call, raw: r.rest() };
    case 'redirect':
      return { kind, Event: 'Redirect', ...call, raw: r.rest() };
    case 'dial-action':
      return {
        kind,
        Event: 'Redirect',
        ...call,
        DialStatus: r.oneOf('DialStatus', DIAL_STATUSES),
        DialRingStatus: r.boolean('DialRingStatus'),
        DialHangupCause: r.optional('DialHangupCause') ?? '',
        DialALegUUID: r.optional('DialALegUUID') ?? call.CallUUID,
        DialBLegUUID: r.optional('DialBLegUUID') ?? '',
        raw: r.rest(),
      };
    case 'digits-action':
      return { kind, Event: 'Redirect', ...call, Digits: r.required('Digits'), InputType: r.nonEmpty('InputType'), raw: r.rest() };
    case 'hangup':
      return {
        kind,
        Event: 'Hangup',
        ...call,
        HangupCause: r.required('HangupCause'),
        HangupCauseCode: r.optionalInteger('HangupCauseCode'),
        HangupCauseName: r.nonEmpty('HangupCauseName'),
        HangupSource: r.optionalOneOf('HangupSource', HANGUP_SOURCES),
        // PF's hangup request may omit durations (plivo.md §2.5): absent means 0 s.
        Duration: r.optionalInteger('Duration') ?? 0,
        BillDuration: r.optionalInteger('BillDuration') ?? 0,
        StartTime: r.nonEmpty('StartTime'),
        AnswerTime: r.nonEmpty('AnswerTime'),
        EndTime: r.nonEmpty('EndTime'),
        raw: r.rest(),
      };
    case 'dial-answer':
      return { kind, Event: 'DialAnswer', ...readDialCallback(r, call, 'answer'), DialAction: 'answer', raw: r.rest() };
    case 'dial-connected':
      return { kind, Event: 'DialConnected', ...readDialCallback(r, call, 'connected'), DialAction: 'connected', raw: r.rest() };
    case 'dial-hangup':
      return {
        kind,
        Event: 'DialHangup',
        ...readDialCallback(r, call, 'hangup'),
        DialAction: 'hangup',
        DialBLegHangupCause: r.required('DialBLegHangupCause'),
        DialBLegHangupCauseCode: r.optionalInteger('DialBLegHangupCauseCode'),
        DialBLegHangupCauseName: r.nonEmpty('DialBLegHangupCauseName'),
        DialBLegHangupSource: r.optionalOneOf('DialBLegHangupSource', HANGUP_SOURCES),
        DialBLegDuration: r.optionalInteger('DialBLegDuration') ?? 0,
        DialBLegBillDuration: r.optionalInteger('DialBLegBillDuration') ?? 0,
        raw: r.rest(),
      };
    case 'dial-digits':
      return {
        kind,
        Event: 'DialDigits',
        ...readDialCallback(r, call, 'digits'),
        DialAction: 'digits',
        DialDigitsMatch: r.required('DialDigitsMatch'),
        DialDigitsPressedBy: r.oneOf('DialDigitsPressedBy', ['ALeg', 'BLeg'] as const),
        raw: r.rest(),
      };
  }
}

/**
 * Like {@link parseWebhook} but never throws: returns the error as a value.
 *
 * @example
 * ```ts
 * const result = safeParseWebhook(req.body);
 * if (!result.ok) return reply.code(400).send(result.error.message);
 * ```
 */
export function safeParseWebhook(
  params: Readonly<Record<string, string>>,
): { ok: true; webhook: Webhook } | { ok: false; error: WebhookParseError } {
  try {
    return { ok: true, webhook: parseWebhook(params) };
  } catch (error) {
    if (error instanceof WebhookParseError) return { ok: false, error };
    throw error;
  }
}

type KnownKind = Exclude<WebhookKind, 'unknown' | 'conference'>;

function readConference(r: FieldReader): Webhook {
  const digits = r.optional('ConferenceDigitsMatch');
  const recordUrl = r.optional('RecordUrl');
  return {
    kind: 'conference',
    ConferenceAction: r.oneOf('ConferenceAction', CONFERENCE_ACTIONS),
    ConferenceName: r.required('ConferenceName'),
    ConferenceUUID: r.required('ConferenceUUID'),
    ConferenceMemberID: r.required('ConferenceMemberID'),
    CallUUID: r.required('CallUUID'),
    ...(digits !== undefined && { ConferenceDigitsMatch: digits }),
    ...(recordUrl !== undefined && {
      RecordUrl: recordUrl,
      RecordingID: r.optional('RecordingID'),
      RecordingDuration: r.optionalInteger('RecordingDuration'),
      RecordingDurationMs: r.optionalInteger('RecordingDurationMs'),
      RecordingStartMs: r.optionalInteger('RecordingStartMs'),
      RecordingEndMs: r.optionalInteger('RecordingEndMs'),
    }),
    raw: r.rest(),
  };
}

const DIAL_EVENT_KIND = {
  DialAnswer: 'dial-answer',
  DialConnected: 'dial-connected',
  DialHangup: 'dial-hangup',
  DialDigits: 'dial-digits',
} as const;

function kindOf(r: FieldReader, event: string | undefined): KnownKind | 'unknown' {
  const has = (name: string): boolean => r.peek(name) !== undefined;
  if (event !== undefined && event !== '') {
    if (!(WEBHOOK_EVENTS as readonly string[]).includes(event)) return 'unknown';
    const known = event as WebhookEvent;
    switch (known) {
      case 'Ring':
        return 'ring';
      case 'StartApp':
        return 'answer';
      case 'Hangup':
        return 'hangup';
      case 'Redirect':
        // engine.md §1: Redirect covers Redirect, Dial action and GetDigits action fetches.
        return has('DialStatus') ? 'dial-action' : has('Digits') ? 'digits-action' : 'redirect';
      default:
        return DIAL_EVENT_KIND[known];
    }
  }
  // No Event: tell the kind from the fields only the one request carries (plivo.md §2.5, §3.3, §3.4).
  const action = r.peek('DialAction') ?? r.peek('DialBLegStatus');
  if (action !== undefined) {
    const dialAction = (DIAL_ACTIONS as readonly string[]).includes(action) ? (action as keyof typeof DIAL_KIND_BY_ACTION) : null;
    if (dialAction === null) {
      throw new WebhookParseError('WEBHOOK_BAD_VALUE', 'DialAction', `DialAction must be one of ${DIAL_ACTIONS.join(', ')}; got ${JSON.stringify(action)}`);
    }
    return DIAL_KIND_BY_ACTION[dialAction];
  }
  if (has('DialStatus')) return 'dial-action';
  if (has('HangupCause')) return 'hangup';
  if (has('Digits')) return 'digits-action';
  return 'unknown';
}

const DIAL_KIND_BY_ACTION = {
  answer: 'dial-answer',
  connected: 'dial-connected',
  hangup: 'dial-hangup',
  digits: 'dial-digits',
} as const;

function readCallParams(r: FieldReader): CallParams {
  return {
    CallUUID: r.required('CallUUID'),
    From: r.required('From'),
    To: r.required('To'),
    CallStatus: r.oneOf('CallStatus', CALL_STATUSES),
    Direction: r.oneOf('Direction', ['inbound', 'outbound'] as const),
    CallerName: r.optional('CallerName'),
    ALegUUID: r.nonEmpty('ALegUUID'),
    ALegRequestUUID: r.nonEmpty('ALegRequestUUID'),
    RequestUUID: r.nonEmpty('RequestUUID'),
    ForwardedFrom: r.nonEmpty('ForwardedFrom'),
    sipHeaders: r.sipHeaders(),
  };
}

// Fields shared by all four callbackUrl events. DialAction must agree with the Event when both are sent.
function readDialCallback(r: FieldReader, call: CallParams, expected: (typeof DIAL_ACTIONS)[number]): DialCallbackParams {
  const action = r.optional('DialAction');
  if (action !== undefined && action !== expected) {
    throw new WebhookParseError('WEBHOOK_BAD_VALUE', 'DialAction', `DialAction ${JSON.stringify(action)} contradicts Event ${DIAL_ACTION_EVENT[expected]}`);
  }
  return {
    ...call,
    DialAction: expected,
    DialALegUUID: r.optional('DialALegUUID') ?? call.CallUUID,
    DialBLegUUID: r.required('DialBLegUUID'),
    DialBLegStatus: r.optionalOneOf('DialBLegStatus', DIAL_ACTIONS),
    DialBLegFrom: r.nonEmpty('DialBLegFrom'),
    DialBLegTo: r.nonEmpty('DialBLegTo'),
    DialBLegPosition: r.optionalInteger('DialBLegPosition'),
  };
}
