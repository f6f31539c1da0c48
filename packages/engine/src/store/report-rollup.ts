/**
 * What the dial report counts, and how it is rolled up (docs/reports.md). Pure: from one ended
 * call's rows and events to its dial attempts, and from attempts to rollup rows keyed by
 * (hour, dimension, key, kind). The SQLite store writes these rows as calls end; the report reads
 * and merges them. Kept in store/ because the record path (which may not depend on reports/)
 * maintains them.
 */
import type { CallStatus, DialStatus } from '../domain/causes.ts';
import type { CallRow, EventRow } from './store.ts';

export const DIAL_STATUSES: readonly DialStatus[] = ['completed', 'busy', 'no-answer', 'timeout', 'failed', 'cancel'];
export const FINAL_CALL_STATUSES: readonly CallStatus[] = ['completed', 'busy', 'no-answer', 'timeout', 'failed', 'cancel'];

/** The grouping dimensions kept in rollups; `hour` and `day` read dimension `all`. */
export type KeyDim = 'destination' | 'caller_id' | 'application';
export type RollupDim = 'all' | KeyDim | `${KeyDim}/day`;
export const KEY_DIMS: readonly KeyDim[] = ['destination', 'caller_id', 'application'];

export type AttemptKind = 'call' | 'dial';

/**
 * One try to reach a destination: `call` is an A leg placed by Make a Call (the engine dialled
 * `to`); `dial` is one run of `<Dial>` (the engine dialled its nouns).
 */
export interface DialAttempt {
  kind: AttemptKind;
  startedAt: number;
  destination: string;
  callerId: string;
  application: string;
  /** DialStatus of the Dial; for a `call` attempt, the A leg's own final CallStatus (same words). */
  dialStatus: DialStatus;
  /** The final CallStatus of the A leg the attempt belongs to. */
  callStatus: CallStatus;
  answered: boolean;
  /** Talk time in whole seconds of the answered (bridged) leg; null when unknown. */
  durationS: number | null;
  pddMs: number | null;
  ringToAnswerMs: number | null;
  cause: { cause: string; code: number | null; name: string; source: string };
}

/** Counts as stored in a rollup row's JSON columns. */
export type Counts = Record<string, number>;

export interface RollupRow {
  hour: number;
  dim: RollupDim;
  key: string;
  kind: AttemptKind;
  attempts: number;
  answered: number;
  talk_s: number;
  talk_n: number;
  dial_status: Counts;
  call_status: Counts;
  causes: Counts;
  pdd: Counts;
  ring: Counts;
}

/** The stored form: JSON columns as text. */
export type StoredRollupRow = Omit<RollupRow, 'dial_status' | 'call_status' | 'causes' | 'pdd' | 'ring'> & {
  dial_status: string;
  call_status: string;
  causes: string;
  pdd: string;
  ring: string;
};

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

export function hourOf(ms: number): number {
  return Math.floor(ms / HOUR_MS) * HOUR_MS;
}

/**
 * Durations are kept as histograms with two significant digits (rounded down): 1234 ms -> 1200,
 * 87 ms -> 87. A percentile is then exact to 10% at worst while a key-hour holds at most ~90 bins
 * per decade, which keeps rollup rows small whatever the traffic.
 */
export function durationBin(ms: number): number {
  if (!Number.isFinite(ms) || ms <= 0) return 0;
  const s = String(Math.floor(ms));
  if (s.length <= 2) return Number(s);
  return Number(s.slice(0, 2)) * 10 ** (s.length - 2);
}

/** The cause key of a rollup's `causes` map: `NAME|code|Plivo name|source`. */
export function causeKey(c: DialAttempt['cause']): string {
  return `${c.cause}|${c.code ?? ''}|${c.name}|${c.source}`;
}

/** Which application a call ran: the Make-a-Call answer_url, the inbound app, or a flow program label. */
export function applicationOf(params: string): string {
  let p: Record<string, unknown>;
  try {
    p = JSON.parse(params) as Record<string, unknown>;
  } catch {
    return '';
  }
  const app = (typeof p.app === 'object' && p.app !== null ? p.app : {}) as Record<string, unknown>;
  const pick = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
  // An application id wins when the numbers/apps work provides one; otherwise the answer URL without its #policy fragment.
  const value = pick(app.appId) ?? pick(app.app_id) ?? pick(p.answerUrl) ?? pick(app.answerUrl) ?? pick(p.program) ?? '';
  const hash = value.indexOf('#');
  return hash >= 0 ? value.slice(0, hash) : value;
}

function isFinal(s: string): s is CallStatus {
  return (FINAL_CALL_STATUSES as readonly string[]).includes(s);
}

function causeOf(row: CallRow): DialAttempt['cause'] {
  return { cause: row.hangup_cause ?? 'UNKNOWN', code: row.hangup_cause_code, name: row.hangup_cause_name ?? 'Unknown', source: row.hangup_source ?? 'Unknown' };
}

function earliest(values: Array<number | null>): number | null {
  let min: number | null = null;
  for (const v of values) if (v !== null && (min === null || v < min)) min = v;
  return min;
}

interface DialEventData {
  started?: { at: number; targets: string[] };
  ended?: { status?: string; hangupCause?: string; bLegUuid?: string };
}

/** Whether a calls row is an A leg that has ended: only those are rolled up (B legs count with their A leg). */
export function isEndedALeg(a: CallRow | undefined): a is CallRow {
  return a !== undefined && a.parent_call_uuid === null && a.end_time !== null;
}

/**
 * The attempts of one ended call: its A leg (when the API placed it) and each of its Dials.
 * `bLegs` are the calls rows whose parent is `a`; `events` the A leg's dial.* events.
 */
export function attemptsOfCall(a: CallRow, bLegs: readonly CallRow[], events: readonly Pick<EventRow, 'type' | 'at' | 'data'>[]): DialAttempt[] {
  const out: DialAttempt[] = [];
  const callStatus: CallStatus = isFinal(a.call_status) ? a.call_status : 'failed';
  const application = applicationOf(a.params);
  if (a.direction === 'outbound' && a.parent_call_uuid === null) {
    const firstSignal = a.ring_time ?? a.answer_time;
    out.push({
      kind: 'call',
      startedAt: a.initiation_time,
      destination: a.to_number,
      callerId: a.from_number,
      application,
      dialStatus: callStatus === 'completed' && a.answer_time === null ? 'failed' : (callStatus as DialStatus),
      callStatus,
      answered: a.answer_time !== null,
      durationS: a.answer_time !== null ? a.call_duration : null,
      pddMs: firstSignal === null ? null : firstSignal - a.initiation_time,
      ringToAnswerMs: a.ring_time !== null && a.answer_time !== null ? a.answer_time - a.ring_time : null,
      cause: causeOf(a),
    });
  }

  // Pair each dial.started with the dial.ended after it (a document runs one Dial at a time).
  const dials: DialEventData[] = [];
  for (const ev of events) {
    let data: Record<string, unknown>;
    try {
      data = JSON.parse(ev.data) as Record<string, unknown>;
    } catch {
      continue;
    }
    if (ev.type === 'dial.started') {
      const targets = Array.isArray(data.targets) ? data.targets.map((t) => String((t as { call_uuid?: unknown }).call_uuid ?? '')) : [];
      dials.push({ started: { at: ev.at, targets } });
    } else if (ev.type === 'dial.ended') {
      const open = [...dials].reverse().find((d) => d.ended === undefined);
      if (open) open.ended = data as DialEventData['ended'];
    }
  }
  const byUuid = new Map(bLegs.map((b) => [b.call_uuid, b]));
  for (const dial of dials) {
    if (!dial.started) continue;
    const legs = dial.started.targets.map((u) => byUuid.get(u)).filter((b): b is CallRow => b !== undefined);
    if (legs.length === 0) continue;
    // A Dial that never reported its end (the engine stopped) failed (engine.md §2, last row).
    const status = (DIAL_STATUSES as readonly string[]).includes(String(dial.ended?.status)) ? (dial.ended!.status as DialStatus) : 'failed';
    const bridged = dial.ended?.bLegUuid ? byUuid.get(dial.ended.bLegUuid) : undefined;
    // The leg that decided: the bridged one, else one whose cause is the Dial's (one that rang first), else the first noun.
    const deciding =
      bridged ??
      legs.filter((l) => l.hangup_cause === dial.ended?.hangupCause).sort((x, y) => Number(y.ring_time !== null) - Number(x.ring_time !== null))[0] ??
      legs[0]!;
    const firstSignal = earliest(legs.map((l) => l.ring_time ?? l.answer_time));
    out.push({
      kind: 'dial',
      startedAt: dial.started.at,
      destination: deciding.to_number,
      callerId: deciding.from_number,
      application,
      dialStatus: status,
      callStatus,
      answered: status === 'completed',
      durationS: status === 'completed' && bridged ? bridged.call_duration : null,
      pddMs: firstSignal === null ? null : Math.max(0, firstSignal - dial.started.at),
      ringToAnswerMs: bridged && bridged.ring_time !== null && bridged.answer_time !== null ? bridged.answer_time - bridged.ring_time : null,
      cause: causeOf(deciding),
    });
  }
  return out;
}

function emptyRow(hour: number, dim: RollupDim, key: string, kind: AttemptKind): RollupRow {
  return { hour, dim, key, kind, attempts: 0, answered: 0, talk_s: 0, talk_n: 0, dial_status: {}, call_status: {}, causes: {}, pdd: {}, ring: {} };
}

function bump(counts: Counts, key: string, n = 1): void {
  counts[key] = (counts[key] ?? 0) + n;
}

export function rowId(r: Pick<RollupRow, 'hour' | 'dim' | 'key' | 'kind'>): string {
  return `${r.dim}\u0000${r.hour}\u0000${r.key}\u0000${r.kind}`;
}

const DAY_DIM: Record<KeyDim, RollupDim> = { destination: 'destination/day', caller_id: 'caller_id/day', application: 'application/day' };

function keyOf(at: DialAttempt, dim: KeyDim): string {
  return dim === 'destination' ? at.destination : dim === 'caller_id' ? at.callerId : at.application;
}

/** Attempts summed into rollup rows in memory (one call's, a group's, or a generator's batch). */
export class RollupAccumulator {
  readonly rows = new Map<string, RollupRow>();

  /** The rows of these attempts: calls that end together share them (docs/performance.md). */
  static of(attempts: Iterable<DialAttempt>): RollupAccumulator {
    const acc = new RollupAccumulator();
    for (const at of attempts) acc.add(at);
    return acc;
  }

  add(at: DialAttempt): void {
    const hour = hourOf(at.startedAt);
    const day = Math.floor(at.startedAt / DAY_MS) * DAY_MS;
    const cause = causeKey(at.cause);
    const pdd = at.pddMs === null ? undefined : String(durationBin(at.pddMs));
    const ring = at.ringToAnswerMs === null ? undefined : String(durationBin(at.ringToAnswerMs));
    // Per-number and per-app rows are kept per hour (for the edges of a range) and per day (for
    // the whole days inside it): with many numbers, hourly rows alone would be too many to read.
    this.bumpRow(at, hour, 'all', '', cause, pdd, ring);
    for (const dim of KEY_DIMS) {
      const key = keyOf(at, dim);
      this.bumpRow(at, hour, dim, key, cause, pdd, ring);
      this.bumpRow(at, day, DAY_DIM[dim], key, cause, pdd, ring);
    }
  }

  private bumpRow(at: DialAttempt, start: number, dim: RollupDim, key: string, cause: string, pdd: string | undefined, ring: string | undefined): void {
    const id = rowId({ hour: start, dim, key, kind: at.kind });
    let row = this.rows.get(id);
    if (!row) this.rows.set(id, (row = emptyRow(start, dim, key, at.kind)));
    row.attempts++;
    if (at.answered) row.answered++;
    if (at.answered && at.durationS !== null) {
      row.talk_s += at.durationS;
      row.talk_n++;
    }
    bump(row.dial_status, at.dialStatus);
    bump(row.call_status, at.callStatus);
    bump(row.causes, cause);
    if (pdd !== undefined) bump(row.pdd, pdd);
    if (ring !== undefined) bump(row.ring, ring);
  }

  get size(): number {
    return this.rows.size;
  }

  clear(): void {
    this.rows.clear();
  }
}

export function toStored(r: RollupRow): StoredRollupRow {
  return {
    ...r,
    dial_status: JSON.stringify(r.dial_status),
    call_status: JSON.stringify(r.call_status),
    causes: JSON.stringify(r.causes),
    pdd: JSON.stringify(r.pdd),
    ring: JSON.stringify(r.ring),
  };
}

function parseCounts(text: string): Counts {
  try {
    const v = JSON.parse(text) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Counts) : {};
  } catch {
    return {};
  }
}

export function fromStored(r: StoredRollupRow): RollupRow {
  return {
    ...r,
    dial_status: parseCounts(r.dial_status),
    call_status: parseCounts(r.call_status),
    causes: parseCounts(r.causes),
    pdd: parseCounts(r.pdd),
    ring: parseCounts(r.ring),
  };
}
