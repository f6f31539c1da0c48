/**
 * The timeline's vocabulary (DESIGN.md, "Every status is an event"): every event type the engine
 * records, and every kind of webhook request it owes. One list each; the unions are derived from
 * them, the journal takes nothing else, and docs/delivery.md's list is checked against them
 * (test/event-types.test.ts).
 */

/** What a webhook request is for; a request recorded on the timeline is the event `webhook.<kind>`. */
export const DELIVERY_KINDS = [
  'ring',
  'answer',
  'fallback',
  'hangup',
  'action',
  'callback',
  'redirect',
  'digits',
  'confirm',
  'music',
  'transfer',
  'machine_detection',
  'record_callback',
  'conference_callback',
  'conference_record_callback',
  'enter_sound',
  'wait_sound',
  'exit_sound',
] as const;
export type DeliveryKind = (typeof DELIVERY_KINDS)[number];

/** Every event type but the webhook requests, in the order a call usually meets them. */
export const CALL_EVENT_TYPES = [
  'call.queued',
  'call.inbound',
  'call.transferred',
  'call.transfer-requested',
  'leg.originated',
  'leg.ringing',
  'leg.answered',
  'leg.machine-detection',
  'leg.digits',
  'leg.digits-sent',
  'leg.ended',
  'network.error',
  'dial.started',
  'dial.answer',
  'dial.connected',
  'dial.bridged',
  'dial.digits',
  'dial.hangup',
  'dial.transferred',
  'dial.ended',
  'conference.enter',
  'conference.exit',
  'media.started',
  'media.stopped',
  'media.ended',
  'recording.started',
  'xml.warning',
  'xml.error',
] as const;
export type CallEventType = (typeof CALL_EVENT_TYPES)[number];

/** A webhook request the call owes, recorded when it is owed. */
export type WebhookEventType = `webhook.${DeliveryKind}`;

export type EventType = CallEventType | WebhookEventType;

/** Every event type, the webhook requests spelled out. */
export const EVENT_TYPES: readonly EventType[] = [...CALL_EVENT_TYPES, ...DELIVERY_KINDS.map((k) => `webhook.${k}` as const)];

const known: ReadonlySet<string> = new Set(EVENT_TYPES);

/** True for a type this engine records (a stored row's `type`, read back). */
export function isEventType(type: string): type is EventType {
  return known.has(type);
}
