// Typed parameter sets of each webhook (engine.md §1; plivo.md §2.3-§2.5, §3.3, §3.4), with the
// wire names kept so they read like Plivo's docs. Numbers and booleans are already parsed.
import type { CallDirection, CallStatus, DialAction, DialStatus, ConferenceAction, DigitsPressedBy, HangupSource } from './values.ts';

/**
 * Parameters on every webhook of a call (engine.md §1).
 *
 * @example
 * ```ts
 * function log(p: CallParams) { console.log(p.CallUUID, p.From, '->', p.To, p.CallStatus); }
 * ```
 */
export interface CallParams {
  readonly CallUUID: string;
  readonly From: string;
  readonly To: string;
  readonly CallStatus: CallStatus;
  readonly Direction: CallDirection;
  readonly CallerName?: string | undefined;
  /** Outbound calls: the A leg's CallUUID. */
  readonly ALegUUID?: string | undefined;
  /** Outbound calls: the `request_uuid` returned by Make Call. */
  readonly ALegRequestUUID?: string | undefined;
  readonly RequestUUID?: string | undefined;
  /** Forwarded inbound calls only (plivo.md §2.3). */
  readonly ForwardedFrom?: string | undefined;
  /** Custom SIP headers, sent as `X-PH-<Name>` parameters (plivo.md §2.3); keys keep the prefix. */
  readonly sipHeaders: Readonly<Record<string, string>>;
}

/**
 * hangup_url parameters (engine.md §1 "Hangup parameters", plivo.md §2.5). Times are
 * `YYYY-MM-DD HH:MM:SS+00:00` strings; `AnswerTime` is absent when the call was never answered.
 *
 * @example
 * ```ts
 * function bill(p: HangupParams) { return p.BillDuration; } // seconds, a number
 * ```
 */
export interface HangupParams extends CallParams {
  readonly HangupCause: string;
  readonly HangupCauseCode?: number | undefined;
  readonly HangupCauseName?: string | undefined;
  readonly HangupSource?: HangupSource | undefined;
  readonly Duration: number;
  readonly BillDuration: number;
  readonly StartTime?: string | undefined;
  readonly AnswerTime?: string | undefined;
  readonly EndTime?: string | undefined;
}

/**
 * Dial `action` parameters (plivo.md §3.3), on top of the A leg's call parameters.
 *
 * @example
 * ```ts
 * function retry(p: DialActionParams) { return p.DialStatus !== 'completed'; }
 * ```
 */
export interface DialActionParams extends CallParams {
  readonly DialStatus: DialStatus;
  readonly DialRingStatus: boolean;
  readonly DialHangupCause: string;
  readonly DialALegUUID: string;
  /** Empty string when no B leg answered (plivo.md §3.3). */
  readonly DialBLegUUID: string;
}

/**
 * Parameters of every Dial `callbackUrl` event (engine.md §1, plivo.md §3.4).
 *
 * @example
 * ```ts
 * function who(p: DialCallbackParams) { return `${p.DialBLegTo} (#${p.DialBLegPosition})`; }
 * ```
 */
export interface DialCallbackParams extends CallParams {
  readonly DialAction: DialAction;
  readonly DialALegUUID: string;
  readonly DialBLegUUID: string;
  readonly DialBLegStatus?: DialAction | undefined;
  readonly DialBLegFrom?: string | undefined;
  readonly DialBLegTo?: string | undefined;
  /** 1-based index of the answered noun inside `<Dial>`. */
  readonly DialBLegPosition?: number | undefined;
}

/**
 * Extra parameters of the `DialHangup` callback event.
 *
 * @example
 * ```ts
 * function talked(p: DialHangupParams) { return p.DialBLegDuration; }
 * ```
 */
export interface DialHangupParams extends DialCallbackParams {
  readonly DialAction: 'hangup';
  readonly DialBLegHangupCause: string;
  readonly DialBLegHangupCauseCode?: number | undefined;
  readonly DialBLegHangupCauseName?: string | undefined;
  readonly DialBLegHangupSource?: HangupSource | undefined;
  readonly DialBLegDuration: number;
  readonly DialBLegBillDuration: number;
}

/**
 * Extra parameters of the `DialDigits` callback event.
 *
 * @example
 * ```ts
 * function matched(p: DialDigitsParams) { return `${p.DialDigitsMatch} by ${p.DialDigitsPressedBy}`; }
 * ```
 */
export interface DialDigitsParams extends DialCallbackParams {
  readonly DialAction: 'digits';
  readonly DialDigitsMatch: string;
  readonly DialDigitsPressedBy: DigitsPressedBy;
}

/**
 * A `<Conference>` `callbackUrl` request (docs/conference.md): who entered or left which room, the
 * keys a member pressed (`digits`), who took the floor (`floor`), or the room's finished recording
 * (`record`). It carries no `Event` and none of the call's other parameters.
 *
 * @example
 * ```ts
 * function log(p: ConferenceCallbackParams) { return `${p.ConferenceMemberID} ${p.ConferenceAction} ${p.ConferenceName}`; }
 * ```
 */
export interface ConferenceCallbackParams {
  readonly ConferenceAction: ConferenceAction;
  readonly ConferenceName: string;
  readonly ConferenceUUID: string;
  readonly ConferenceMemberID: string;
  readonly CallUUID: string;
  /** With `digits`: the digitsMatch pattern pressed. */
  readonly ConferenceDigitsMatch?: string | undefined;
  /** With `record`: the recording. */
  readonly RecordUrl?: string | undefined;
  readonly RecordingID?: string | undefined;
  readonly RecordingDuration?: number | undefined;
  readonly RecordingDurationMs?: number | undefined;
  readonly RecordingStartMs?: number | undefined;
  readonly RecordingEndMs?: number | undefined;
}

/**
 * GetDigits / GetInput `action` parameters: the caller's input in `Digits`.
 *
 * @example
 * ```ts
 * function choice(p: DigitsActionParams) { return p.Digits === '1' ? 'sales' : 'support'; }
 * ```
 */
export interface DigitsActionParams extends CallParams {
  readonly Digits: string;
  readonly InputType?: string | undefined;
}
