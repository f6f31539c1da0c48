/**
 * `@switchboard/sdk/webhooks` — typed webhook parameters and a parser (engine.md §1, plivo.md §2-§3).
 *
 * @example
 * ```ts
 * import { parseWebhook, type Webhook } from '@switchboard/sdk/webhooks';
 * ```
 * @module
 */
export {
  CALL_STATUSES,
  CONFERENCE_ACTIONS,
  DIAL_ACTION_EVENT,
  DIAL_ACTIONS,
  DIAL_STATUSES,
  HANGUP_SOURCES,
  WEBHOOK_EVENTS,
  type CallDirection,
  type CallStatus,
  type ConferenceAction,
  type DialAction,
  type DialStatus,
  type DigitsPressedBy,
  type HangupSource,
  type WebhookEvent,
} from './values.ts';
export type {
  CallParams,
  ConferenceCallbackParams,
  DialActionParams,
  DialCallbackParams,
  DialDigitsParams,
  DialHangupParams,
  DigitsActionParams,
  HangupParams,
} from './params.ts';
export { parseWebhook, safeParseWebhook } from './parse.ts';
export type {
  AnswerWebhook,
  ConferenceWebhook,
  DialActionWebhook,
  DialAnswerWebhook,
  DialConnectedWebhook,
  DialDigitsWebhook,
  DialHangupWebhook,
  DigitsActionWebhook,
  HangupWebhook,
  RedirectWebhook,
  RingWebhook,
  UnknownWebhook,
  Webhook,
  WebhookKind,
  WithRaw,
} from './webhook.ts';
export { WebhookParseError, type WebhookParseErrorCode } from './errors.ts';
