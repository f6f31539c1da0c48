/**
 * The Live page's state: calls in progress keyed by their A leg, each with its legs, folded from
 * the live feed's items. Pure, so the page is a view of `applyItem` over the stream.
 */
import type { FeedItem } from '../api/live-feed.ts';
import type { LiveCall } from '../api/types.ts';

export interface LegState {
  uuid: string;
  role: string;
  to?: string;
  state: string;
  reason?: string;
}

export interface LiveRow {
  uuid: string;
  from?: string;
  to?: string;
  direction?: string;
  status: string;
  startedAt: number;
  lastAt: number;
  lastEvent: string;
  legs: LegState[];
  /** The latest webhook outcome: what the app was last told, or failed to be told. */
  lastWebhook?: { kind: string; status: string; code: number | null; error: string | null; attempt?: number };
  endedAt?: number;
  endReason?: string;
}

export interface LiveState {
  calls: Record<string, LiveRow>;
  /** A legs that ended while watching, newest first. */
  ended: LiveRow[];
}

export const EMPTY: LiveState = { calls: {}, ended: [] };
const KEEP_ENDED = 10;

const LEG_STATES: Record<string, string> = {
  'leg.originated': 'dialing',
  'leg.ringing': 'ringing',
  'leg.answered': 'answered',
  'leg.ended': 'ended',
};

export function fromLiveCall(c: LiveCall, at: number): LiveRow {
  return {
    uuid: c.call_uuid,
    from: c.from,
    to: c.to,
    direction: c.direction,
    status: c.call_status,
    startedAt: at,
    lastAt: at,
    lastEvent: c.call_status,
    legs: [{ uuid: c.call_uuid, role: 'A', to: c.to, state: c.call_status === 'in-progress' ? 'answered' : c.call_status }],
  };
}

function upsertLeg(legs: LegState[], leg: LegState): LegState[] {
  const i = legs.findIndex((l) => l.uuid === leg.uuid);
  if (i < 0) return [...legs, leg];
  const next = legs.slice();
  next[i] = { ...legs[i]!, ...leg, to: leg.to ?? legs[i]!.to };
  return next;
}

export function applyItem(s: LiveState, item: FeedItem): LiveState {
  const id = item.call_uuid;
  const existing = s.calls[id];
  if (item.kind === 'delivery') {
    if (!existing) return s;
    const lastWebhook = { kind: item.webhook ?? '?', status: item.status ?? '?', code: item.status_code ?? null, error: item.error ?? (item.last_error as string | null) ?? null, ...(item.attempt ? { attempt: item.attempt } : {}) };
    return { ...s, calls: { ...s.calls, [id]: { ...existing, lastWebhook } } };
  }
  const type = item.type ?? '';
  if (!existing && type === 'leg.ended' && item.leg_uuid === id) return s; // ended before we saw it
  const row: LiveRow = existing ?? { uuid: id, status: 'queued', startedAt: item.at, lastAt: item.at, lastEvent: type, legs: [{ uuid: id, role: 'A', state: 'queued' }] };
  let next: LiveRow = { ...row, lastAt: item.at, lastEvent: type };
  const data = (item.data ?? {}) as Record<string, unknown>;
  if (item.call_status && item.leg_uuid === id) next.status = item.call_status;
  if (type === 'call.inbound') next.direction = 'inbound';
  if (type === 'call.queued') next.direction = next.direction ?? 'outbound';
  if (type === 'leg.originated' && item.leg_uuid === id) {
    next.from = (data.from as string) ?? next.from;
    next.to = (data.to as string) ?? next.to;
  }
  const legUuid = item.leg_uuid ?? id;
  const legState = LEG_STATES[type];
  if (legState) {
    const isA = legUuid === id;
    const role = isA ? 'A' : (next.legs.find((l) => l.uuid === legUuid)?.role ?? `B${next.legs.filter((l) => l.role !== 'A').length + 1}`);
    next.legs = upsertLeg(next.legs, {
      uuid: legUuid,
      role,
      state: legState,
      ...(typeof data.to === 'string' ? { to: data.to } : isA && next.to ? { to: next.to } : {}),
      ...(typeof data.reason === 'string' ? { reason: data.reason } : {}),
    });
  }
  if (type === 'dial.started' && Array.isArray(data.targets)) {
    for (const t of data.targets as Array<{ call_uuid: string; to: string; position?: number }>) {
      next.legs = upsertLeg(next.legs, { uuid: t.call_uuid, role: `B${t.position ?? ''}`, to: t.to, state: 'dialing' });
    }
  }
  if (type === 'leg.ended' && legUuid === id) {
    next = { ...next, status: item.call_status ?? 'completed', endedAt: item.at, ...(typeof data.reason === 'string' ? { endReason: data.reason } : {}) };
    const { [id]: _gone, ...rest } = s.calls;
    return { calls: rest, ended: [next, ...s.ended.filter((e) => e.uuid !== id)].slice(0, KEEP_ENDED) };
  }
  return { ...s, calls: { ...s.calls, [id]: next } };
}

/** Keeps only the calls the engine still lists as live (a missed `leg.ended` must not leave a ghost row). */
export function pruneTo(s: LiveState, live: ReadonlySet<string>, olderThan: number): LiveState {
  const calls: Record<string, LiveRow> = {};
  for (const [k, v] of Object.entries(s.calls)) if (live.has(k) || v.lastAt >= olderThan) calls[k] = v;
  return { ...s, calls };
}
