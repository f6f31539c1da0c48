/**
 * Realistic simulated traffic for `switchboard generate` and the report benchmark: API calls whose
 * answer XML dials one number, with outcome, cause, delay and duration distributions of a busy
 * business line (docs/reports.md, "Generated traffic"). Deterministic for a seed. Produces rows
 * exactly as the engine stores them, causes from the one table (domain/causes.ts).
 */
import { CAUSES, type EndReason } from '../domain/causes.ts';
import { RollupAccumulator, attemptsOfCall } from '../store/report-rollup.ts';
import type { BulkBatch } from '../store/sqlite-bulk-writer.ts';
import type { CallRow, DeliveryRow, EventRow, NewAttempt } from '../store/store.ts';
import { seededRandom } from '../network/simulated/prng.ts';

export interface TrafficOptions {
  /** First call's start (ms); calls are spread over [from, to) with a daytime peak. */
  from: number;
  to: number;
  seed: number;
  destinations?: number;
  callers?: number;
  applications?: number;
}

/** The engine's one seeded generator (network/simulated/prng.ts): the same seed, the same numbers. */
function prng(seed: number): () => number {
  return seededRandom(seed).next;
}

type Weighted<T> = ReadonlyArray<readonly [number, T]>;

// A-leg outcomes of the API call itself (the first hop).
const A_OUTCOMES: Weighted<EndReason | 'answer'> = [[0.9, 'answer'], [0.03, 'busy'], [0.035, 'no-answer'], [0.015, 'unallocated'], [0.01, 'timeout'], [0.01, 'network-failure']];
// The Dial's callee, once the A leg answered.
const B_OUTCOMES: Weighted<EndReason | 'answer' | 'caller-left'> = [
  [0.62, 'answer'], [0.1, 'busy'], [0.03, 'rejected'], [0.14, 'no-answer'], [0.03, 'timeout'], [0.02, 'unallocated'], [0.03, 'network-failure'], [0.03, 'caller-left'],
];
// Calls per hour of the UTC day, business-hours peak.
const HOURLY = [1, 1, 1, 1, 1, 2, 4, 7, 10, 12, 12, 11, 9, 10, 11, 11, 10, 8, 6, 4, 3, 2, 1, 1];

export class SimulatedTraffic {
  private readonly rand: () => number;
  private readonly dests: string[];
  /** API calls reach the first few numbers (the team's own lines); Dials reach every number. */
  private readonly aDests: string[];
  private readonly callers: string[];
  private readonly apps: string[];
  private readonly hourCdf: number[];

  constructor(private readonly opts: TrafficOptions) {
    this.rand = prng(opts.seed);
    this.dests = Array.from({ length: opts.destinations ?? 200 }, (_, i) => `1415555${String(1000 + i).padStart(4, '0')}`);
    this.aDests = this.dests.slice(0, 20);
    this.callers = Array.from({ length: opts.callers ?? 20 }, (_, i) => `1650555${String(2000 + i).padStart(4, '0')}`);
    this.apps = Array.from({ length: opts.applications ?? 5 }, (_, i) => `https://app${i + 1}.example.com/answer`);
    const total = HOURLY.reduce((s, n) => s + n, 0);
    let acc = 0;
    this.hourCdf = HOURLY.map((n) => (acc += n / total));
  }

  private pick<T>(list: Weighted<T>): T {
    let r = this.rand();
    for (const [w, v] of list) if ((r -= w) < 0) return v;
    return list[list.length - 1]![1];
  }

  /** Zipf-like: a few numbers take most calls, as real destinations do. */
  private skewed<T>(list: readonly T[]): T {
    return list[Math.floor(list.length * this.rand() ** 2.5)]!;
  }

  /** Log-normal around `median` ms (spread: sigma of ln). */
  private logNormal(median: number, sigma: number): number {
    const u = Math.max(1e-12, this.rand());
    const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.rand());
    return Math.round(median * Math.exp(sigma * z));
  }

  private serial = 0;

  /**
   * A v4-shaped UUID whose first 8 hex digits count up: generated rows then land at the end of
   * every index keyed by a UUID instead of all over it, which makes a million-call import several
   * times faster. The rest is random, so ids stay unique across runs with different seeds.
   */
  private uuid(): string {
    const hex = (n: number) => Math.floor(this.rand() * 16 ** n).toString(16).padStart(n, '0');
    const head = (this.serial++ % 0x100000000).toString(16).padStart(8, '0');
    return `${head}-${hex(4)}-4${hex(3)}-${(8 + Math.floor(this.rand() * 4)).toString(16)}${hex(3)}-${hex(12)}`;
  }

  /** A start time for call `i` of `n`: days in order, hours weighted by the daily curve. */
  private startOf(i: number, n: number): number {
    const { from, to } = this.opts;
    const span = to - from;
    const day = Math.floor(((i + 0.5) / n) * (span / 86_400_000));
    const r = this.rand();
    const hour = this.hourCdf.findIndex((c) => r < c);
    const t = from + day * 86_400_000 + (hour < 0 ? 23 : hour) * 3_600_000 + Math.floor(this.rand() * 3_600_000);
    return Math.min(t, to - 1);
  }

  /** Calls `i`..`i+count-1` of `n` as rows ready for the bulk writer, with their rollups. */
  batch(i: number, count: number, n: number): BulkBatch {
    const out: BulkBatch = { calls: [], events: [], deliveries: [], attempts: [], rollups: new RollupAccumulator() };
    for (let k = 0; k < count; k++) this.call(out, this.startOf(i + k, n));
    return out;
  }

  private call(out: BulkBatch, start: number): void {
    const app = this.skewed(this.apps);
    const from = this.skewed(this.callers);
    const aUuid = this.uuid();
    const events: Array<Omit<EventRow, 'id'>> = [];
    const ev = (callUuid: string, at: number, type: string, data: unknown) => events.push({ call_uuid: callUuid, call_initiation_time: 0, seq: 0, at, type, data: JSON.stringify(data) });

    const aOutcome = this.pick(A_OUTCOMES);
    const aRing = aOutcome === 'unallocated' || aOutcome === 'timeout' || aOutcome === 'network-failure' || aOutcome === 'busy' ? null : start + this.logNormal(1800, 0.5);
    const aAnswer = aOutcome === 'answer' && aRing !== null ? aRing + this.logNormal(4000, 0.6) : null;
    const a = this.row(aUuid, null, from, this.skewed(this.aDests), start, app);
    const b: CallRow[] = [];
    let aEnd: number;
    let aReason: EndReason;
    if (aAnswer === null) {
      aReason = aOutcome === 'answer' ? 'no-answer' : aOutcome;
      aEnd = aRing !== null ? aRing + 30_000 : start + (aReason === 'timeout' ? 32_000 : this.logNormal(300, 0.4));
    } else {
      // The answer XML dials a destination.
      const dialAt = aAnswer + this.logNormal(150, 0.3);
      const bUuid = this.uuid();
      const bRow = this.row(bUuid, aUuid, from, this.skewed(this.dests), dialAt, app, 1);
      ev(aUuid, dialAt, 'dial.started', { targets: [{ call_uuid: bUuid, to: bRow.to_number, position: 1 }] });
      const outcome = this.pick(B_OUTCOMES);
      const rings = outcome === 'answer' || outcome === 'no-answer' || outcome === 'rejected' || outcome === 'caller-left';
      const bRing = rings ? dialAt + this.logNormal(2200, 0.55) : null;
      let bEnd: number;
      let bReason: EndReason;
      let bAnswer: number | null = null;
      let dialStatus: string;
      if (outcome === 'answer') {
        bAnswer = bRing! + this.logNormal(6000, 0.7);
        bEnd = bAnswer + Math.max(1000, Math.round(-Math.log(Math.max(1e-9, this.rand())) * 95_000));
        bReason = 'normal';
        dialStatus = 'completed';
      } else if (outcome === 'caller-left') {
        bEnd = bRing! + this.logNormal(8000, 0.5);
        bReason = 'originator-cancel';
        dialStatus = 'cancel';
      } else {
        bReason = outcome;
        bEnd = outcome === 'no-answer' ? bRing! + 30_000 : outcome === 'rejected' ? bRing! + this.logNormal(5000, 0.5) : outcome === 'timeout' ? dialAt + 32_000 : dialAt + this.logNormal(400, 0.4);
        dialStatus = CAUSES[outcome].dialStatus ?? 'failed';
      }
      this.end(bRow, bRing, bAnswer, bEnd, bReason, bReason === 'normal' ? (this.rand() < 0.5 ? 'Caller' : 'Callee') : CAUSES[bReason].source);
      b.push(bRow);
      if (bRing !== null) ev(bUuid, bRing, 'leg.ringing', { early: false });
      if (bAnswer !== null) ev(bUuid, bAnswer, 'leg.answered', {});
      ev(bUuid, bEnd, 'leg.ended', { reason: bReason, source: bRow.hangup_source });
      ev(aUuid, bEnd, 'dial.ended', { status: dialStatus, rang: bRing !== null, hangupCause: CAUSES[bReason].cause, bLegUuid: dialStatus === 'completed' ? bUuid : '' });
      aEnd = bEnd + (outcome === 'caller-left' ? 0 : this.logNormal(200, 0.3));
      aReason = outcome === 'caller-left' ? 'normal' : 'end-of-xml';
    }
    this.end(a, aRing, aAnswer, aEnd, aReason, aReason === 'normal' ? 'Caller' : CAUSES[aReason].source);
    if (aRing !== null) ev(aUuid, aRing, 'leg.ringing', { early: false });
    if (aAnswer !== null) ev(aUuid, aAnswer, 'leg.answered', {});
    ev(aUuid, aEnd, 'leg.ended', { reason: aReason, source: a.hangup_source });

    // Per-call event seqs in time order, as record() numbers them.
    events.sort((x, y) => (x.call_uuid < y.call_uuid ? -1 : x.call_uuid > y.call_uuid ? 1 : x.at - y.at));
    const seqs = new Map<string, number>();
    for (const e of events) seqs.set(e.call_uuid, (e.seq = (seqs.get(e.call_uuid) ?? 0) + 1));
    const starts = new Map([a, ...b].map((r) => [r.call_uuid, r.initiation_time]));
    for (const e of events) e.call_initiation_time = starts.get(e.call_uuid)!;

    out.calls.push(a, ...b);
    out.events.push(...events);
    this.webhooks(out, a, aEnd, seqs.get(aUuid) ?? 1);
    const dialEvents = events.filter((e) => e.call_uuid === aUuid && e.type.startsWith('dial.'));
    for (const attempt of attemptsOfCall(a, b, dialEvents)) out.rollups.add(attempt);
  }

  private row(uuid: string, parent: string | null, from: string, to: string, at: number, app: string, position: number | null = null): CallRow {
    return {
      call_uuid: uuid, request_uuid: parent ? this.uuid() : uuid, parent_call_uuid: parent, direction: 'outbound', from_number: from, to_number: to,
      caller_name: from, call_status: 'queued', call_state: 'QUEUED', initiation_time: at, ring_time: null, answer_time: null, end_time: null,
      call_duration: null, bill_duration: null, billed_duration: null, hangup_cause: null, hangup_cause_code: null, hangup_cause_name: null,
      hangup_source: null, dial_position: position, params: parent ? '{}' : JSON.stringify({ answerUrl: app, hangupUrl: app.replace('/answer', '/hangup') }),
      error: null, warnings: '[]', node_id: 'generated', account_id: null,
    };
  }

  private end(r: CallRow, ring: number | null, answer: number | null, end: number, reason: EndReason, source: CallRow['hangup_source']): void {
    const cause = CAUSES[reason];
    const duration = answer === null ? 0 : Math.max(0, Math.round((end - answer) / 1000));
    Object.assign(r, {
      call_status: answer !== null ? 'completed' : reason === 'normal' ? 'failed' : cause.callStatus,
      call_state: 'COMPLETED', ring_time: ring, answer_time: answer, end_time: end, call_duration: duration, bill_duration: duration,
      billed_duration: Math.ceil(duration / 60) * 60, hangup_cause: cause.cause, hangup_cause_code: cause.code, hangup_cause_name: cause.name, hangup_source: source,
    });
  }

  /** The hangup_url report of the A leg: most arrive at once, a few need retries, a very few die. */
  private webhooks(out: BulkBatch, a: CallRow, at: number, eventSeq: number): void {
    const id = this.uuid();
    const url = JSON.parse(a.params).hangupUrl as string;
    const r = this.rand();
    const tries = r < 0.97 ? 1 : r < 0.995 ? 2 + Math.floor(this.rand() * 2) : 6;
    const dead = tries === 6;
    const d: DeliveryRow = {
      id, call_uuid: a.call_uuid, seq: 1, event_seq: eventSeq, kind: 'hangup', event: 'Hangup', url, method: 'POST', params: '{}', synchronous: 0,
      status: dead ? 'dead' : 'delivered', attempts: tries, next_attempt_at: null, created_at: at, completed_at: at + (tries - 1) * 2000 + 100,
      last_error: dead ? 'HTTP 503' : null, account_id: null, call_initiation_time: a.initiation_time,
    };
    out.deliveries.push(d);
    for (let n = 1; n <= tries; n++) {
      const ok = n === tries && !dead;
      const attempt: NewAttempt = {
        delivery_id: id, attempt: n, at: at + (n - 1) * 2000, url, method: 'POST', request_headers: '{}',
        status_code: ok ? 200 : 503, response_excerpt: null, latency_ms: this.logNormal(ok ? 45 : 120, 0.6), error: ok ? null : 'HTTP 503',
      };
      out.attempts.push(attempt);
    }
  }
}
