// The closed value sets of webhook parameters (plivo.md §2.2, §3.3, §3.4, §5.1; engine.md §1).
// Each union has a runtime list beside it so the parser can check values against the same source.

/**
 * `CallStatus` values (plivo.md §2.2).
 *
 * @example
 * ```ts
 * const s: CallStatus = 'in-progress';
 * ```
 */
export type CallStatus = (typeof CALL_STATUSES)[number];
/**
 * Every {@link CallStatus}, for run-time checks.
 *
 * @example
 * ```ts
 * CALL_STATUSES.includes('busy'); // true
 * ```
 */
export const CALL_STATUSES = ['queued', 'ringing', 'in-progress', 'completed', 'busy', 'failed', 'timeout', 'no-answer', 'cancel'] as const;

/**
 * `DialStatus` of a Dial `action` request (plivo.md §3.3).
 *
 * @example
 * ```ts
 * const s: DialStatus = 'no-answer';
 * ```
 */
export type DialStatus = (typeof DIAL_STATUSES)[number];
/**
 * Every {@link DialStatus}, for run-time checks.
 *
 * @example
 * ```ts
 * DIAL_STATUSES.includes('cancel'); // true
 * ```
 */
export const DIAL_STATUSES = ['completed', 'busy', 'failed', 'timeout', 'no-answer', 'cancel'] as const;

/**
 * Who ended the call (engine.md §1, plivo.md §5.1; `Call recipient` is the label on Plivo's
 * hangup-causes page, `Callee` the one in CDRs and webhooks).
 *
 * @example
 * ```ts
 * const s: HangupSource = 'API Request';
 * ```
 */
export type HangupSource = (typeof HANGUP_SOURCES)[number];
/**
 * Every {@link HangupSource}, for run-time checks.
 *
 * @example
 * ```ts
 * HANGUP_SOURCES.includes('Answer XML'); // true
 * ```
 */
export const HANGUP_SOURCES = ['Caller', 'Callee', 'Call recipient', 'Plivo', 'Carrier', 'API Request', 'Answer XML', 'Error', 'Unknown'] as const;

/**
 * The `Event` parameter (engine.md §1).
 *
 * @example
 * ```ts
 * const e: WebhookEvent = 'DialHangup';
 * ```
 */
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];
/**
 * Every {@link WebhookEvent}, for run-time checks.
 *
 * @example
 * ```ts
 * WEBHOOK_EVENTS.includes('StartApp'); // true
 * ```
 */
export const WEBHOOK_EVENTS = ['Ring', 'StartApp', 'Redirect', 'Hangup', 'DialAnswer', 'DialConnected', 'DialHangup', 'DialDigits'] as const;

/**
 * `DialAction` (and `DialBLegStatus`) of a Dial `callbackUrl` event (plivo.md §3.4).
 *
 * @example
 * ```ts
 * const a: DialAction = 'connected';
 * ```
 */
export type DialAction = (typeof DIAL_ACTIONS)[number];
/**
 * Every {@link DialAction}, for run-time checks.
 *
 * @example
 * ```ts
 * DIAL_ACTIONS.includes('digits'); // true
 * ```
 */
export const DIAL_ACTIONS = ['answer', 'connected', 'hangup', 'digits'] as const;

/**
 * `ConferenceAction` of a `<Conference>` callbackUrl request (docs/conference.md).
 *
 * @example
 * ```ts
 * const a: ConferenceAction = 'enter';
 * ```
 */
export type ConferenceAction = (typeof CONFERENCE_ACTIONS)[number];
/**
 * Every {@link ConferenceAction}, for run-time checks.
 *
 * @example
 * ```ts
 * CONFERENCE_ACTIONS.includes('floor'); // true
 * ```
 */
export const CONFERENCE_ACTIONS = ['enter', 'exit', 'digits', 'floor', 'record'] as const;

/**
 * `Direction` of a call.
 *
 * @example
 * ```ts
 * const d: CallDirection = 'outbound';
 * ```
 */
export type CallDirection = 'inbound' | 'outbound';

/**
 * `DialDigitsPressedBy`: which leg pressed a `digitsMatch` pattern (plivo.md §3.4).
 *
 * @example
 * ```ts
 * const by: DigitsPressedBy = 'BLeg';
 * ```
 */
export type DigitsPressedBy = 'ALeg' | 'BLeg';

/**
 * The Dial callback `Event` that goes with each `DialAction` (engine.md §1).
 *
 * @example
 * ```ts
 * DIAL_ACTION_EVENT.hangup; // 'DialHangup'
 * ```
 */
export const DIAL_ACTION_EVENT = {
  answer: 'DialAnswer',
  connected: 'DialConnected',
  hangup: 'DialHangup',
  digits: 'DialDigits',
} as const satisfies Record<DialAction, WebhookEvent>;
