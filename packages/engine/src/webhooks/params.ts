/**
 * Webhook parameter builders: the one place that spells Plivo's parameter names (engine.md §1,
 * plivo.md §2-§3). Every value is a string, as it goes on the wire.
 */
import type { CallRow } from '../store/store.ts';
import type { CallStatus } from '../domain/causes.ts';
import type { DialResult } from '../domain/dial.ts';
import { formatTime } from '../util/time.ts';

export type Params = Record<string, string>;

export type WebhookEvent =
  | 'Ring'
  | 'StartApp'
  | 'Redirect'
  | 'Hangup'
  | 'DialAnswer'
  | 'DialConnected'
  | 'DialHangup'
  | 'DialDigits'
  | 'MachineDetection'
  | 'Record'
  | 'Conference';

/** Numbers go out as digits without `+`, as Plivo sends them; SIP URIs untouched. */
function wireNumber(n: string): string {
  return n.replace(/^\+/, '');
}

/** Custom SIP headers of the call, passed on every request as `X-PH-<Name>` (plivo.md §2.3). */
export function sipHeaderParams(call: CallRow): Params {
  return { ...sipHeadersOf(call) };
}

/** The call's SIP headers as parsed once per `params` text: shared, never to be changed. */
function sipHeadersOf(call: CallRow): Readonly<Params> {
  // Asked on every webhook of the call with the same `params` text: it is parsed once per text.
  let headers = sipHeadersByParams.get(call.params);
  if (headers === undefined) {
    const out: Params = {};
    const params = JSON.parse(call.params) as { sipHeaders?: Record<string, string> };
    for (const [k, v] of Object.entries(params.sipHeaders ?? {})) out[k] = v;
    if (sipHeadersByParams.size >= SIP_HEADERS_KEPT) sipHeadersByParams.clear();
    sipHeadersByParams.set(call.params, (headers = out));
  }
  return headers;
}

/** sipHeaderParams' answers by `calls.params` text (about two per live call; bounded, cleared when full). */
const sipHeadersByParams = new Map<string, Params>();
const SIP_HEADERS_KEPT = 4096;

/**
 * The parameters on every webhook of a call (engine.md §1): a fresh object, which the builders
 * below add their own parameters to in place (a copy a layer cost more than the parameters).
 */
export function callParams(call: CallRow, event: WebhookEvent, status: CallStatus = call.call_status): Params {
  const p: Params = {
    CallUUID: call.call_uuid,
    From: wireNumber(call.from_number),
    To: wireNumber(call.to_number),
    CallStatus: status,
    Direction: call.direction,
    CallerName: call.caller_name,
    Event: event,
  };
  if (call.direction === 'outbound') {
    const aLeg = call.parent_call_uuid ?? call.call_uuid;
    p.ALegUUID = aLeg;
    p.ALegRequestUUID = call.request_uuid;
    p.RequestUUID = call.request_uuid;
  }
  const headers = sipHeadersOf(call);
  for (const name in headers) p[name] = headers[name]!;
  return p;
}

/**
 * The machine_detection_url request (plivo.md §2.6): the call's parameters with `Machine` and
 * `IfMachine` (`continue` or `hangup`, from `machine_detection`), `CallStatus=in-progress`.
 */
export function machineDetectionParams(call: CallRow, machine: boolean, hangup: boolean): Params {
  return { ...callParams(call, 'MachineDetection', 'in-progress'), Machine: String(machine), IfMachine: hangup ? 'hangup' : 'continue' };
}

/** Whole seconds of conversation: from answer to end, 0 if never answered. */
export function durationSeconds(call: Pick<CallRow, 'answer_time' | 'end_time'>): number {
  if (call.answer_time === null || call.end_time === null) return 0;
  return Math.max(0, Math.round((call.end_time - call.answer_time) / 1000));
}

/** Rounded up to the billing increment; 0 when never answered (engine.md §1, "Bill duration"). */
export function billedSeconds(call: Pick<CallRow, 'answer_time' | 'end_time'>, incrementS: number): number {
  if (call.answer_time === null || call.end_time === null) return 0;
  const seconds = Math.max(1, durationSeconds(call));
  return Math.ceil(seconds / incrementS) * incrementS;
}

/** hangup_url parameters (engine.md §1, "Hangup parameters"). `call` must carry its final fields. */
export function hangupParams(call: CallRow, incrementS: number): Params {
  const p = callParams(call, 'Hangup');
  p.HangupCause = call.hangup_cause ?? '';
  p.HangupCauseCode = String(call.hangup_cause_code ?? '');
  p.HangupCauseName = call.hangup_cause_name ?? '';
  p.HangupSource = call.hangup_source ?? '';
  p.Duration = String(durationSeconds(call));
  p.BillDuration = String(billedSeconds(call, incrementS));
  p.StartTime = formatTime(call.initiation_time);
  p.AnswerTime = formatTime(call.answer_time);
  p.EndTime = formatTime(call.end_time);
  return p;
}

/** Dial `action` parameters (plivo.md §3.3) on top of the A leg's own. */
export function dialActionParams(aLeg: CallRow, result: DialResult): Params {
  const p = callParams(aLeg, 'Redirect');
  p.DialStatus = result.status;
  p.DialRingStatus = result.rang ? 'true' : 'false';
  p.DialHangupCause = result.hangupCause;
  p.DialALegUUID = aLeg.call_uuid;
  p.DialBLegUUID = result.bLegUuid;
  return p;
}

export type DialAction = 'answer' | 'connected' | 'hangup' | 'digits';

const DIAL_EVENT: Record<DialAction, WebhookEvent> = {
  answer: 'DialAnswer',
  connected: 'DialConnected',
  hangup: 'DialHangup',
  digits: 'DialDigits',
};

/** Dial `callbackUrl` parameters (engine.md §1, "Dial callbackUrl events"). */
export function dialCallbackParams(
  aLeg: CallRow,
  bLeg: CallRow,
  action: DialAction,
  extra: { incrementS: number; digitsMatch?: string; pressedBy?: 'ALeg' | 'BLeg' },
): Params {
  const p = callParams(aLeg, DIAL_EVENT[action]);
  p.DialAction = action;
  p.DialALegUUID = aLeg.call_uuid;
  p.DialBLegUUID = bLeg.call_uuid;
  p.DialBLegStatus = action;
  p.DialBLegFrom = wireNumber(bLeg.from_number);
  p.DialBLegTo = wireNumber(bLeg.to_number);
  p.DialBLegPosition = String(bLeg.dial_position ?? '');
  if (action === 'hangup') {
    p.DialBLegHangupCause = bLeg.hangup_cause ?? '';
    p.DialBLegHangupCauseCode = String(bLeg.hangup_cause_code ?? '');
    p.DialBLegHangupCauseName = bLeg.hangup_cause_name ?? '';
    p.DialBLegHangupSource = bLeg.hangup_source ?? '';
    p.DialBLegDuration = String(durationSeconds(bLeg));
    p.DialBLegBillDuration = String(billedSeconds(bLeg, extra.incrementS));
  }
  if (action === 'digits') {
    p.DialDigitsMatch = extra.digitsMatch ?? '';
    p.DialDigitsPressedBy = extra.pressedBy ?? 'ALeg';
  }
  return p;
}

/** GetDigits / GetInput `action` parameters. */
export function digitsActionParams(call: CallRow, digits: string, inputType?: string): Params {
  const p: Params = { ...callParams(call, 'Redirect'), Digits: digits };
  if (inputType) p.InputType = inputType;
  return p;
}

/** What a finished recording reports (calls/recordings.ts). */
export interface RecordingFacts {
  readonly id: string;
  readonly url: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly durationMs: number;
}

/** Whole seconds of a recording, as Plivo's RecordingDuration (rounded; 0 only for a recording under half a second). */
function recordingSeconds(r: RecordingFacts): string {
  return String(Math.round(r.durationMs / 1000));
}

/**
 * `<Record>` `action` parameters (Plivo's Record XML reference, "Parameters sent to the action
 * URL"): the call's own, then RecordUrl, RecordingID, RecordingDuration (s), RecordingDurationMs,
 * RecordingStartMs, RecordingEndMs (ms since the epoch) and Digits, the key that ended the
 * recording ('' when none did).
 */
export function recordActionParams(call: CallRow, r: RecordingFacts, digits: string): Params {
  return { ...callParams(call, 'Redirect'), ...recordingParams(r), Digits: digits };
}

/** `<Record>` `callbackUrl`: the recording is ready (the same recording parameters, with the call's). */
export function recordCallbackParams(call: CallRow, r: RecordingFacts): Params {
  return { ...callParams(call, 'Record'), ...recordingParams(r) };
}

function recordingParams(r: RecordingFacts): Params {
  return {
    RecordUrl: r.url,
    RecordingID: r.id,
    RecordingDuration: recordingSeconds(r),
    RecordingDurationMs: String(r.durationMs),
    RecordingStartMs: String(r.startMs),
    RecordingEndMs: String(r.endMs),
  };
}

/**
 * The live-call Record API's `callback_url` (plivo.md §1.7; Plivo's Record API reference): snake
 * case, with the api_id the start answered.
 */
export function recordApiCallbackParams(callUuid: string, apiId: string, r: RecordingFacts): Params {
  return {
    api_id: apiId,
    record_url: r.url,
    call_uuid: callUuid,
    recording_id: r.id,
    recording_duration: recordingSeconds(r),
    recording_duration_ms: String(r.durationMs),
    recording_start_ms: String(r.startMs),
    recording_end_ms: String(r.endMs),
  };
}

/** Who a conference member is, for its callbacks and its action (calls/conference-rooms.ts). */
export interface ConferenceFacts {
  readonly name: string;
  readonly uuid: string;
  readonly memberId: string;
}

export type ConferenceAction = 'enter' | 'exit' | 'digits' | 'floor' | 'record';

/**
 * `<Conference>` `callbackUrl` (Plivo's Conference XML reference, "callbackUrl request
 * parameters"): ConferenceAction, ConferenceName, ConferenceUUID, ConferenceMemberID, CallUUID;
 * ConferenceDigitsMatch with `digits`; RecordUrl, RecordingID and the recording's durations with
 * `record` (sent once the conference recording's file is stored).
 */
export function conferenceCallbackParams(
  callUuid: string,
  action: ConferenceAction,
  c: ConferenceFacts,
  extra: { digits?: string; recording?: RecordingFacts } = {},
): Params {
  const p: Params = {
    ConferenceAction: action,
    ConferenceName: c.name,
    ConferenceUUID: c.uuid,
    ConferenceMemberID: c.memberId,
    CallUUID: callUuid,
  };
  if (extra.digits !== undefined) p.ConferenceDigitsMatch = extra.digits;
  return extra.recording ? { ...p, ...recordingParams(extra.recording) } : p;
}

/**
 * `<Conference>` `action`, requested when the member leaves the room: the call's parameters with
 * ConferenceName, ConferenceUUID, ConferenceMemberID, and RecordUrl / RecordingID when the
 * conference is being recorded.
 */
export function conferenceActionParams(call: CallRow, c: ConferenceFacts, recording?: { id: string; url: string }): Params {
  const p: Params = { ...callParams(call, 'Redirect'), ConferenceName: c.name, ConferenceUUID: c.uuid, ConferenceMemberID: c.memberId };
  if (recording) {
    p.RecordUrl = recording.url;
    p.RecordingID = recording.id;
  }
  return p;
}

/** The Conference API's Record `callback_url` (Plivo's Conference API reference): snake case, like the call's. */
export function conferenceRecordApiCallbackParams(apiId: string, conferenceName: string, r: RecordingFacts): Params {
  return {
    api_id: apiId,
    conference_name: conferenceName,
    record_url: r.url,
    recording_id: r.id,
    recording_duration: recordingSeconds(r),
    recording_duration_ms: String(r.durationMs),
    recording_start_ms: String(r.startMs),
    recording_end_ms: String(r.endMs),
  };
}
