/** JSON shapes of the delivery log and the call timeline (Switchboard's own API, docs/delivery-log.md). */
import type { AttemptRow, DeliveryRow, EventRow } from '../store/store.ts';
import { formatTime } from '../util/time.ts';

export function attemptView(a: AttemptRow): Record<string, unknown> {
  return {
    attempt: a.attempt,
    time: formatTime(a.at),
    at: a.at,
    url: a.url,
    method: a.method,
    request_headers: JSON.parse(a.request_headers) as Record<string, string>,
    params: JSON.parse(a.params) as Record<string, string>,
    status_code: a.status_code,
    response_excerpt: a.response_excerpt,
    latency_ms: a.latency_ms,
    error: a.error,
  };
}

export function deliveryView(d: DeliveryRow, authId: string, attempts?: readonly AttemptRow[]): Record<string, unknown> {
  return {
    delivery_id: d.id,
    call_uuid: d.call_uuid,
    sequence: d.seq,
    kind: d.kind,
    event: d.event,
    url: d.url,
    method: d.method,
    params: JSON.parse(d.params) as Record<string, string>,
    synchronous: d.synchronous === 1,
    status: d.status,
    attempt_count: d.attempts,
    created_at: formatTime(d.created_at),
    next_attempt_at: d.next_attempt_at === null || d.status !== 'pending' ? null : formatTime(d.next_attempt_at),
    completed_at: d.completed_at === null ? null : formatTime(d.completed_at),
    last_error: d.last_error,
    resource_uri: `/v1/Account/${authId}/Webhook/${d.id}/`,
    ...(attempts ? { attempts: attempts.map(attemptView) } : {}),
  };
}

/** Sorted by time, then `order`: an event's insertion id; a request sits right after the event that caused it. */
export interface TimelineEntry {
  at: number;
  order: number;
  view: Record<string, unknown>;
}

export function eventEntry(e: EventRow, legRole: string): TimelineEntry {
  return {
    at: e.at,
    order: e.id,
    view: { time: formatTime(e.at), at: e.at, kind: 'event', call_uuid: e.call_uuid, leg: legRole, seq: e.seq, type: e.type, data: JSON.parse(e.data) as unknown },
  };
}

export function attemptEntry(a: AttemptRow, d: DeliveryRow, causeId: number): TimelineEntry {
  return {
    at: a.at,
    order: causeId + 0.5 + d.seq / 1e6 + a.attempt / 1e9,
    view: {
      time: formatTime(a.at),
      at: a.at,
      kind: 'webhook',
      call_uuid: d.call_uuid,
      delivery_id: d.id,
      sequence: d.seq,
      webhook: d.kind,
      event: d.event,
      attempt: a.attempt,
      method: a.method,
      url: a.url,
      status_code: a.status_code,
      latency_ms: a.latency_ms,
      error: a.error,
    },
  };
}
