// The parsed webhook values: one interface per request kind, discriminated by `kind` and `Event`.
import type {
  CallParams,
  ConferenceCallbackParams,
  DialActionParams,
  DialCallbackParams,
  DialDigitsParams,
  DialHangupParams,
  DigitsActionParams,
  HangupParams,
} from './params.ts';

/**
 * Every parsed webhook carries the parameters not mapped to a typed field, exactly as received.
 *
 * @example
 * ```ts
 * const cost = hook.raw.TotalCost; // a parameter this SDK does not type
 * ```
 */
export interface WithRaw {
  readonly raw: Readonly<Record<string, string>>;
}

/**
 * ring_url request (`Event=Ring`).
 *
 * @example
 * ```ts
 * if (hook.kind === 'ring') console.log(`${hook.To} is ringing`);
 * ```
 */
export interface RingWebhook extends CallParams, WithRaw {
  readonly kind: 'ring';
  readonly Event: 'Ring';
}

/**
 * answer_url / fallback_url request (`Event=StartApp`); answer with XML.
 *
 * @example
 * ```ts
 * if (hook.kind === 'answer') reply.type('text/xml').send(new Response().addSpeak('Hi').toXML());
 * ```
 */
export interface AnswerWebhook extends CallParams, WithRaw {
  readonly kind: 'answer';
  readonly Event: 'StartApp';
}

/**
 * A `<Redirect>` fetch (`Event=Redirect` with neither Dial nor digit results); answer with XML.
 *
 * @example
 * ```ts
 * if (hook.kind === 'redirect') console.log('redirected', hook.CallUUID);
 * ```
 */
export interface RedirectWebhook extends CallParams, WithRaw {
  readonly kind: 'redirect';
  readonly Event: 'Redirect';
}

/**
 * The Dial `action` request (`Event=Redirect` with `DialStatus`, plivo.md §3.3).
 *
 * @example
 * ```ts
 * if (hook.kind === 'dial-action' && hook.DialStatus === 'no-answer') { ... }
 * ```
 */
export interface DialActionWebhook extends DialActionParams, WithRaw {
  readonly kind: 'dial-action';
  readonly Event: 'Redirect';
}

/**
 * A GetDigits / GetInput `action` request (`Event=Redirect` with `Digits`).
 *
 * @example
 * ```ts
 * if (hook.kind === 'digits-action') console.log('pressed', hook.Digits);
 * ```
 */
export interface DigitsActionWebhook extends DigitsActionParams, WithRaw {
  readonly kind: 'digits-action';
  readonly Event: 'Redirect';
}

/**
 * hangup_url request (`Event=Hangup`).
 *
 * @example
 * ```ts
 * if (hook.kind === 'hangup') console.log(hook.HangupCause, hook.Duration);
 * ```
 */
export interface HangupWebhook extends HangupParams, WithRaw {
  readonly kind: 'hangup';
  readonly Event: 'Hangup';
}

/**
 * Dial callbackUrl: the B leg answered (`Event=DialAnswer`, `DialAction=answer`).
 *
 * @example
 * ```ts
 * if (hook.kind === 'dial-answer') console.log(hook.DialBLegUUID, 'answered');
 * ```
 */
export interface DialAnswerWebhook extends DialCallbackParams, WithRaw {
  readonly kind: 'dial-answer';
  readonly Event: 'DialAnswer';
  readonly DialAction: 'answer';
}

/**
 * Dial callbackUrl: the B leg was bridged (`Event=DialConnected`, `DialAction=connected`).
 *
 * @example
 * ```ts
 * if (hook.kind === 'dial-connected') console.log('bridged with', hook.DialBLegTo);
 * ```
 */
export interface DialConnectedWebhook extends DialCallbackParams, WithRaw {
  readonly kind: 'dial-connected';
  readonly Event: 'DialConnected';
  readonly DialAction: 'connected';
}

/**
 * Dial callbackUrl: the B leg hung up (`Event=DialHangup`, `DialAction=hangup`).
 *
 * @example
 * ```ts
 * if (hook.kind === 'dial-hangup') console.log(hook.DialBLegHangupCause, hook.DialBLegDuration);
 * ```
 */
export interface DialHangupWebhook extends DialHangupParams, WithRaw {
  readonly kind: 'dial-hangup';
  readonly Event: 'DialHangup';
}

/**
 * Dial callbackUrl: a `digitsMatch` pattern was pressed (`Event=DialDigits`, `DialAction=digits`).
 *
 * @example
 * ```ts
 * if (hook.kind === 'dial-digits') console.log(hook.DialDigitsMatch, hook.DialDigitsPressedBy);
 * ```
 */
export interface DialDigitsWebhook extends DialDigitsParams, WithRaw {
  readonly kind: 'dial-digits';
  readonly Event: 'DialDigits';
}

/**
 * A request whose kind could not be told: an `Event` this SDK does not know (e.g.
 * `MachineDetection`) or none at all and no telling fields. Every parameter is in `raw`.
 *
 * @example
 * ```ts
 * if (hook.kind === 'unknown') console.warn('unhandled webhook', hook.Event, hook.raw);
 * ```
 */
export interface UnknownWebhook extends WithRaw {
  readonly kind: 'unknown';
  readonly Event: string | undefined;
}

/**
 * Any webhook, discriminated by `kind` (and by `Event`, which alone cannot tell the three
 * `Redirect` shapes apart).
 *
 * @example
 * ```ts
 * const hook: Webhook = parseWebhook(req.body);
 * switch (hook.kind) { case 'hangup': ...; case 'dial-action': ...; }
 * ```
 */
/**
 * A `<Conference>` callbackUrl request (`ConferenceAction` enter, exit, digits, floor or record).
 *
 * @example
 * ```ts
 * if (hook.kind === 'conference' && hook.ConferenceAction === 'exit') console.log(hook.ConferenceMemberID, 'left');
 * ```
 */
export interface ConferenceWebhook extends ConferenceCallbackParams, WithRaw {
  readonly kind: 'conference';
  /** Plivo sends conference callbacks without one. */
  readonly Event?: undefined;
}

export type Webhook =
  | RingWebhook
  | AnswerWebhook
  | RedirectWebhook
  | DialActionWebhook
  | DigitsActionWebhook
  | HangupWebhook
  | DialAnswerWebhook
  | DialConnectedWebhook
  | DialHangupWebhook
  | DialDigitsWebhook
  | ConferenceWebhook
  | UnknownWebhook;

/**
 * The `kind` values of {@link Webhook}.
 *
 * @example
 * ```ts
 * const k: WebhookKind = 'dial-hangup';
 * ```
 */
export type WebhookKind = Webhook['kind'];
