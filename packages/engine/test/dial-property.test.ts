/**
 * A property over the real engine (harness: HTTP API, SQLite, simulated network, virtual clock):
 * random callee scripts, random `<Dial>` documents and a caller who may hang up at any moment.
 * Each run checks the invariant of engine.md §2 (every leg ends exactly once with one cause; one
 * `/hangup`, one action) and recomputes the dial's result with an oracle written here from the
 * spec and the generated timings, independent of the engine's own rule code.
 *
 * Durations are written as fixed values (never ranges), so the oracle knows every instant. Where
 * instants coincide in a way no rule orders (two legs answering together after the start, a callee
 * answering just as the caller leaves) only the invariant is checked; at the dial's very start every
 * leg's first events run in document order, which the oracle models. A second property draws whole
 * seconds from small ranges to make such coincidences common.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { startHarness, type Harness } from './support/harness.ts';
import type { CapturedRequest } from './support/app-server.ts';
import { parseResponse } from '../src/xml/parse-response.ts';
import type { DialElement } from '../src/xml/elements.ts';
import { dialConfig } from '../src/calls/dial-machine.ts';
import { replayDial, type StoredEvent } from '../src/calls/dial-replay.ts';
import { replayCall } from '../src/calls/call-replay.ts';
import { callConfig } from '../src/calls/call-model.ts';
import type { MakeCallRequest } from '../src/calls/call-setup.ts';

/** Another seed or more runs: DIAL_PROPERTY_SEED=n DIAL_PROPERTY_RUNS=n. */
const DEFAULT_SEED = 731_245;
const DEFAULT_RUNS = 50;
const SEED = Number(process.env.DIAL_PROPERTY_SEED ?? DEFAULT_SEED);
const NUM_RUNS = Number(process.env.DIAL_PROPERTY_RUNS ?? DEFAULT_RUNS);
const TIE_RUNS = Number(process.env.DIAL_PROPERTY_TIE_RUNS ?? 40);
/** The simulated network's default Timer B (config `networkTimeoutMs`, docs/simulated-network.md). */
const NETWORK_TIMEOUT_MS = 32_000;
/** Plivo's defaults for an absent API `time_limit` and Dial `timeLimit` (plivo.md §1.3, §3.3). */
const DEFAULT_LIMIT_S = 14_400;

// ---------------------------------------------------------------------------------------------
// What a run is made of.

type Alerting = { readonly kind: 'ring' | 'early'; readonly ms: number | undefined };
type Outcome =
  | { readonly kind: 'answer'; readonly hangupMs: number | undefined }
  | { readonly kind: 'busy' | 'reject' | 'no-answer' | 'timeout' }
  | { readonly kind: 'fail'; readonly cause: string | undefined }
  /** The branch runs out of steps while alerting: it keeps ringing (only after an alerting step). */
  | { readonly kind: 'silent' };
interface Callee {
  readonly alerting: readonly Alerting[];
  readonly outcome: Outcome;
}
interface Case {
  readonly aRingMs: number;
  /** The caller hangs up this long after answering. */
  readonly callerHangupMs: number | undefined;
  /** API `time_limit` of the call. */
  readonly callLimitS: number | undefined;
  readonly dialTimeoutS: number | undefined;
  readonly dialLimitS: number | undefined;
  readonly callees: readonly Callee[];
}

/** `fail NORMAL_CLEARING` has a pinned case of its own at the end of this file. */
const FAIL_CAUSES = [
  'USER_BUSY', 'CALL_REJECTED', 'NO_USER_RESPONSE', 'NO_ANSWER', 'RECOVERY_ON_TIMER_EXPIRE',
  'UNALLOCATED_NUMBER', 'DESTINATION_OUT_OF_ORDER', 'NORMAL_TEMPORARY_FAILURE',
] as const;

/**
 * The random durations of a run. `fine` draws milliseconds, so instants rarely coincide and the
 * oracle can speak; `coarse` draws whole seconds from small ranges, so they often do, which is
 * where races between legs, timers and the caller would break the invariant.
 */
interface Grid {
  readonly step: fc.Arbitrary<number>;
  readonly hangup: fc.Arbitrary<number>;
  readonly caller: fc.Arbitrary<number>;
  readonly callLimitS: fc.Arbitrary<number>;
  readonly dialTimeoutS: fc.Arbitrary<number>;
  readonly dialLimitS: fc.Arbitrary<number>;
}
const ms = (min: number, max: number) => fc.integer({ min, max });
const seconds = (min: number, max: number) => fc.integer({ min, max }).map((n) => n * 1000);
const FINE: Grid = {
  step: ms(1, 6_000),
  hangup: ms(100, 20_000),
  caller: ms(100, 60_000),
  callLimitS: fc.integer({ min: 5, max: 120 }),
  dialTimeoutS: fc.integer({ min: 1, max: 60 }),
  dialLimitS: fc.integer({ min: 1, max: 30 }),
};
const COARSE: Grid = {
  step: seconds(1, 3),
  hangup: seconds(1, 4),
  caller: seconds(1, 8),
  callLimitS: fc.integer({ min: 2, max: 8 }),
  dialTimeoutS: fc.integer({ min: 1, max: 6 }),
  dialLimitS: fc.integer({ min: 1, max: 4 }),
};

function dialCases(g: Grid): fc.Arbitrary<Case> {
  const alerting: fc.Arbitrary<Alerting> = fc.record({
    kind: fc.constantFrom('ring' as const, 'early' as const),
    ms: fc.option(g.step, { nil: undefined, freq: 4 }),
  });
  // Weighted so that with one to five Numbers every DialStatus comes up in a few dozen runs.
  const outcome: fc.Arbitrary<Outcome> = fc.oneof(
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('answer' as const), hangupMs: fc.option(g.hangup, { nil: undefined, freq: 4 }) }) },
    { weight: 3, arbitrary: fc.constantFrom('busy' as const, 'reject' as const, 'no-answer' as const).map((kind) => ({ kind })) },
    { weight: 2, arbitrary: fc.constant({ kind: 'timeout' as const }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('fail' as const), cause: fc.option(fc.constantFrom(...FAIL_CAUSES), { nil: undefined }) }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'silent' as const }) },
  );
  const callee: fc.Arbitrary<Callee> = fc
    .record({ alerting: fc.array(alerting, { maxLength: 3 }), outcome })
    .map((c) => (c.outcome.kind === 'silent' && c.alerting.length === 0 ? { ...c, outcome: { kind: 'no-answer' as const } } : c));
  return fc.record({
    aRingMs: ms(0, 2_000),
    callerHangupMs: fc.option(g.caller, { nil: undefined, freq: 2 }),
    callLimitS: fc.option(g.callLimitS, { nil: undefined, freq: 3 }),
    dialTimeoutS: fc.option(g.dialTimeoutS, { nil: undefined }),
    dialLimitS: fc.option(g.dialLimitS, { nil: undefined, freq: 3 }),
    callees: fc.oneof(
      ...[4, 3, 2, 1, 1].map((weight, i) => ({ weight, arbitrary: fc.array(callee, { minLength: i + 1, maxLength: i + 1 }) })),
    ),
  });
}

function dur(msValue: number): string {
  return msValue % 1000 === 0 ? `${msValue / 1000}s` : `${msValue}ms`;
}

/** The script text of a callee, in the language of engine.md §4. */
function calleeScript(c: Callee): string {
  const steps = c.alerting.map((a) => (a.ms === undefined ? a.kind : `${a.kind} ${dur(a.ms)}`));
  const o = c.outcome;
  switch (o.kind) {
    case 'answer':
      steps.push('answer');
      if (o.hangupMs !== undefined) steps.push(`hangup after ${dur(o.hangupMs)}`);
      break;
    case 'fail':
      steps.push(o.cause === undefined ? 'fail' : `fail ${o.cause}`);
      break;
    case 'silent':
      break;
    default:
      steps.push(o.kind);
  }
  return steps.join(', ');
}

function callerScript(c: Case): string {
  const steps = [`ring ${dur(c.aRingMs)}`, 'answer'];
  if (c.callerHangupMs !== undefined) steps.push(`hangup after ${dur(c.callerHangupMs)}`);
  return steps.join(', ');
}

function dialXml(c: Case, numbers: readonly string[], urls: { action: string; cb: string }): string {
  const attrs = [`action="${urls.action}"`, `callbackUrl="${urls.cb}"`];
  if (c.dialTimeoutS !== undefined) attrs.push(`timeout="${c.dialTimeoutS}"`);
  if (c.dialLimitS !== undefined) attrs.push(`timeLimit="${c.dialLimitS}"`);
  return `<Response><Dial ${attrs.join(' ')}>${numbers.map((n) => `<Number>${n}</Number>`).join('')}</Dial></Response>`;
}

// ---------------------------------------------------------------------------------------------
// The oracle: engine.md §2 applied to the generated timeline. Times are ms from the dial's start,
// which is the caller's answer (the answer_url fetch takes no virtual time).

type DialStatus = 'completed' | 'busy' | 'no-answer' | 'timeout' | 'failed' | 'cancel';
interface LegEnd {
  readonly cause: string;
  readonly source: string;
  readonly callStatus: string;
  /** The DialStatus this end gives the leg when it decides an unanswered dial. */
  readonly dial: DialStatus;
}
interface Expected {
  readonly status: DialStatus;
  readonly rang: boolean;
  readonly cause: string;
  /** Index of the bridged Number, if any. */
  readonly winner: number | undefined;
  readonly legs: readonly LegEnd[];
  /** When the dial ended (= when the action and the /hangup go out). */
  readonly dialEndMs: number;
  readonly aLeg: { readonly cause: string; readonly code: number; readonly source: string };
}

/** engine.md §2 rows for what a callee's script does on its own. */
const FAR_END: Record<string, LegEnd> = {
  USER_BUSY: { cause: 'USER_BUSY', source: 'Callee', callStatus: 'busy', dial: 'busy' },
  CALL_REJECTED: { cause: 'CALL_REJECTED', source: 'Callee', callStatus: 'busy', dial: 'busy' },
  NO_USER_RESPONSE: { cause: 'NO_USER_RESPONSE', source: 'Callee', callStatus: 'no-answer', dial: 'no-answer' },
  NO_ANSWER: { cause: 'NO_USER_RESPONSE', source: 'Callee', callStatus: 'no-answer', dial: 'no-answer' },
  RECOVERY_ON_TIMER_EXPIRE: { cause: 'RECOVERY_ON_TIMER_EXPIRE', source: 'Carrier', callStatus: 'timeout', dial: 'timeout' },
  UNALLOCATED_NUMBER: { cause: 'UNALLOCATED_NUMBER', source: 'Carrier', callStatus: 'failed', dial: 'failed' },
  DESTINATION_OUT_OF_ORDER: { cause: 'DESTINATION_OUT_OF_ORDER', source: 'Carrier', callStatus: 'failed', dial: 'failed' },
  NORMAL_TEMPORARY_FAILURE: { cause: 'NORMAL_TEMPORARY_FAILURE', source: 'Carrier', callStatus: 'failed', dial: 'failed' },
};
const RING_TIMEOUT: LegEnd = { cause: 'NO_ANSWER', source: 'Plivo', callStatus: 'no-answer', dial: 'no-answer' };
const LOSE_RACE: LegEnd = { cause: 'LOSE_RACE', source: 'Plivo', callStatus: 'cancel', dial: 'failed' };
/** The B legs of a dial the caller left: ORIGINATOR_CANCEL, CallStatus as in the table's row. */
const cancelled = (source: string): LegEnd => ({ cause: 'ORIGINATOR_CANCEL', source, callStatus: 'cancel', dial: 'cancel' });
const RANK: Record<DialStatus, number> = { completed: 5, busy: 4, 'no-answer': 3, timeout: 2, failed: 1, cancel: 0 };

interface Plan {
  readonly rang: boolean;
  readonly answerAt: number | undefined;
  readonly hangupAt: number | undefined;
  readonly endAt: number | undefined;
  readonly end: LegEnd | undefined;
}

function plan(c: Callee): Plan {
  let t = 0;
  for (const a of c.alerting) t += a.ms ?? 0;
  const rang = c.alerting.length > 0 || c.outcome.kind === 'no-answer';
  const o = c.outcome;
  const ends = (at: number, end: LegEnd): Plan => ({ rang, answerAt: undefined, hangupAt: undefined, endAt: at, end });
  switch (o.kind) {
    case 'answer':
      return { rang, answerAt: t, hangupAt: o.hangupMs === undefined ? undefined : t + o.hangupMs, endAt: undefined, end: undefined };
    case 'busy':
      return ends(t, FAR_END.USER_BUSY!);
    case 'reject':
      return ends(t, FAR_END.CALL_REJECTED!);
    case 'fail':
      return ends(t, FAR_END[o.cause ?? 'NORMAL_TEMPORARY_FAILURE']!);
    case 'timeout':
      return ends(t + NETWORK_TIMEOUT_MS, FAR_END.RECOVERY_ON_TIMER_EXPIRE!);
    case 'no-answer':
    case 'silent':
      return { rang, answerAt: undefined, hangupAt: undefined, endAt: undefined, end: undefined };
  }
}

/** `after-answer` instants (a callee's hangup, its Dial timeLimit) exist only for the leg that gets bridged. */
type Instant = { readonly at: number; readonly source: string; readonly leg?: number; readonly kind: 'answer' | 'net-end' | 'after-answer' | 'other' };

/**
 * Undefined when two instants that decide something coincide, so the outcome would hang on the
 * order of same-time timers, which no rule fixes. Two far-end failures together decide nothing;
 * at 0 every leg's own events come in document order.
 */
function oracle(c: Case): Expected | undefined {
  const plans = c.callees.map(plan);
  const callerAt = c.callerHangupMs;
  const limitAt = (c.callLimitS ?? DEFAULT_LIMIT_S) * 1000;
  const dialLimitMs = (c.dialLimitS ?? DEFAULT_LIMIT_S) * 1000;

  const instants: Instant[] = [];
  for (const [i, p] of plans.entries()) {
    if (p.answerAt !== undefined) {
      instants.push({ at: p.answerAt, source: `b${i}`, kind: 'answer' });
      if (p.hangupAt !== undefined) instants.push({ at: p.hangupAt, source: `b${i}-hangup`, leg: i, kind: 'after-answer' });
      instants.push({ at: p.answerAt + dialLimitMs, source: `b${i}-limit`, leg: i, kind: 'after-answer' });
    }
    if (p.endAt !== undefined) instants.push({ at: p.endAt, source: `b${i}`, kind: 'net-end' });
  }
  if (c.dialTimeoutS !== undefined) instants.push({ at: c.dialTimeoutS * 1000, source: 'dial-timeout', kind: 'other' });
  if (callerAt !== undefined) instants.push({ at: callerAt, source: 'caller', kind: 'other' });
  instants.push({ at: limitAt, source: 'call-limit', kind: 'other' });
  for (const [i, x] of instants.entries()) {
    for (const y of instants.slice(i + 1)) {
      if (x.at !== y.at || x.at === 0 || x.source === y.source) continue;
      if (x.kind === 'net-end' && y.kind === 'net-end') continue;
      if (x.kind === 'after-answer' && y.kind === 'after-answer' && x.leg !== y.leg) continue;
      return undefined;
    }
  }

  const legs: Array<LegEnd | undefined> = plans.map(() => undefined);
  const aLeaves = callerAt !== undefined && callerAt < limitAt ? { at: callerAt, by: 'caller' as const } : { at: limitAt, by: 'limit' as const };
  const aEndOf = (dialEndMs: number) =>
    aLeaves.at === dialEndMs
      ? aLeaves.by === 'caller'
        ? { cause: 'NORMAL_CLEARING', code: 4000, source: 'Caller' }
        : { cause: 'ALLOTTED_TIMEOUT', code: 4000, source: 'Plivo' }
      : { cause: 'NORMAL_CLEARING', code: 4010, source: 'Plivo' };
  const rang = plans.some((p) => p.rang);

  // Before a bridge: far-end answers and outcomes, the ring timer and the caller leaving, in time
  // order; at 0 the legs' own events in document order.
  type Step = { at: number; order: number; run: () => 'bridged' | 'done' | 'go-on' };
  const steps: Step[] = [];
  let winner: number | undefined;
  let bridgeAt = 0;
  const allEnded = () => legs.every((l) => l !== undefined);
  for (const [i, p] of plans.entries()) {
    if (p.answerAt !== undefined) {
      steps.push({
        at: p.answerAt,
        order: i,
        run: () => {
          winner = i;
          bridgeAt = p.answerAt!;
          for (const j of legs.keys()) if (j !== i && legs[j] === undefined) legs[j] = LOSE_RACE;
          return 'bridged';
        },
      });
    }
    if (p.endAt !== undefined) {
      steps.push({
        at: p.endAt,
        order: i,
        run: () => {
          legs[i] = p.end;
          return allEnded() ? 'done' : 'go-on';
        },
      });
    }
  }
  if (c.dialTimeoutS !== undefined) {
    steps.push({
      at: c.dialTimeoutS * 1000,
      order: plans.length,
      run: () => {
        for (const j of legs.keys()) legs[j] ??= RING_TIMEOUT;
        return 'done';
      },
    });
  }
  let cancel = false;
  steps.push({
    at: aLeaves.at,
    order: plans.length + 1,
    run: () => {
      cancel = true;
      for (const j of legs.keys()) legs[j] ??= cancelled(aLeaves.by === 'caller' ? 'Caller' : 'Plivo');
      return 'done';
    },
  });
  steps.sort((x, y) => x.at - y.at || x.order - y.order);

  for (const step of steps) {
    const outcome = step.run();
    if (outcome === 'go-on') continue;
    if (outcome === 'done') {
      const dialEndMs = step.at;
      if (cancel) return { status: 'cancel', rang, cause: 'ORIGINATOR_CANCEL', winner: undefined, legs: legs as LegEnd[], dialEndMs, aLeg: aEndOf(dialEndMs) };
      // The leg that got furthest decides: ringing beats trying, then busy > no-answer > timeout > failed.
      let deciding = 0;
      for (const [j, l] of legs.entries()) {
        const best = legs[deciding]!;
        const better = (plans[j]!.rang ? 1 : 0) - (plans[deciding]!.rang ? 1 : 0) || RANK[l!.dial] - RANK[best.dial];
        if (better > 0) deciding = j;
      }
      const d = legs[deciding]!;
      return { status: d.dial, rang, cause: d.cause, winner: undefined, legs: legs as LegEnd[], dialEndMs, aLeg: aEndOf(dialEndMs) };
    }
    // Bridged: the conversation ends at the first of the callee's hangup, the Dial's timeLimit and
    // the caller leaving (by hanging up or by the call's own time limit).
    const w = winner!;
    const p = plans[w]!;
    const ends: Array<{ at: number; end: LegEnd }> = [{ at: bridgeAt + dialLimitMs, end: { cause: 'ALLOTTED_TIMEOUT', source: 'Plivo', callStatus: 'completed', dial: 'completed' } }];
    if (p.hangupAt !== undefined) ends.push({ at: p.hangupAt, end: { cause: 'NORMAL_CLEARING', source: 'Callee', callStatus: 'completed', dial: 'completed' } });
    ends.push({
      at: aLeaves.at,
      end:
        aLeaves.by === 'caller'
          ? { cause: 'NORMAL_CLEARING', source: 'Caller', callStatus: 'completed', dial: 'completed' }
          : { cause: 'ALLOTTED_TIMEOUT', source: 'Plivo', callStatus: 'completed', dial: 'completed' },
    });
    ends.sort((x, y) => x.at - y.at);
    const first = ends[0]!;
    legs[w] = first.end;
    return { status: 'completed', rang: true, cause: first.end.cause, winner: w, legs: legs as LegEnd[], dialEndMs: first.at, aLeg: aEndOf(first.at) };
  }
  throw new Error('unreachable: the call always ends by its time limit');
}

// ---------------------------------------------------------------------------------------------
// One run against the engine.

let runNo = 0;

function describeCase(c: Case, numbers: readonly string[], xml: string): string {
  const lines = [`A ${numbers[0]}: "${callerScript(c)}"${c.callLimitS === undefined ? '' : ` time_limit=${c.callLimitS}`}`];
  for (const [i, b] of c.callees.entries()) lines.push(`B${i + 1} ${numbers[i + 1]}: "${calleeScript(b)}"`);
  lines.push(xml);
  return lines.join('\n');
}

/** Runs one case; with `expected` undefined (instants that coincide) only the invariant is checked. */
async function runCase(h: Harness, c: Case, expected: Expected | undefined): Promise<void> {
  const n = ++runNo;
  const prefix = `1666${String(n).padStart(5, '0')}`;
  const aNumber = `${prefix}0`;
  const bNumbers = c.callees.map((_, i) => `${prefix}${i + 1}`);
  const path = (p: string) => `/p${n}/${p}`;
  const xml = dialXml(c, bNumbers, { action: h.app.url(path('action')), cb: h.app.url(path('cb')) });
  const context = () => describeCase(c, [aNumber, ...bNumbers], xml);
  try {
    await h.sim(aNumber, callerScript(c));
    for (const [i, b] of c.callees.entries()) await h.sim(bNumbers[i]!, calleeScript(b));
    h.app.on(path('answer'), xml);
    h.app.on(path('action'), '<Response/>');
    const res = await h.call({
      to: aNumber,
      answer_url: h.app.url(path('answer')),
      ring_url: h.app.url(path('ring')),
      hangup_url: h.app.url(path('hangup')),
      ...(c.callLimitS !== undefined && { time_limit: c.callLimitS }),
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    await h.waitFor(path('hangup'));
    await h.settle();
    const observed = await observe(h, c, { path, bNumbers });
    await replay(h, xml, observed.aUuid);
    replayed++;
    if (expected !== undefined) compare(observed, c, expected);
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    e.message = `${e.message}\n--- run ${n}, fast-check seed ${SEED}\n${context()}`;
    throw e;
  }
}

/** Calls whose Dial was rebuilt from its stored events (dial-replay.ts), and the whole call with it (call-replay.ts). */
let replayed = 0;

/**
 * Replays the call's Dial from its stored events alone (the A leg's and the B legs', in the order they
 * were recorded) and checks the replayed result is the stored `dial.ended`; then replays the whole call
 * (A leg, document, Dial) through the call machine and checks it closed with the stored end and the
 * same Dial result.
 */
async function replay(h: Harness, xml: string, aUuid: string): Promise<void> {
  const parsed = parseResponse(xml);
  assert.ok(parsed.ok);
  const el = parsed.document.children[0] as DialElement;
  const aEvents = await h.engine.store.listEvents(aUuid);
  const started = aEvents.find((e) => e.type === 'dial.started');
  assert.ok(started, 'dial.started is stored');
  const { targets, config: storedConfig } = JSON.parse(started.data) as { targets: Array<{ call_uuid: string; to: string }>; config: unknown };
  const rows = [...aEvents];
  for (const t of targets) rows.push(...(await h.engine.store.listEvents(t.call_uuid)));
  rows.sort((a, b) => a.id - b.id);
  const events: StoredEvent[] = rows.map((r) => ({ call_uuid: r.call_uuid, type: r.type, at: r.at, data: JSON.parse(r.data) }));
  const config = dialConfig(el, targets.map((t) => ({ uuid: t.call_uuid, to: t.to })));
  assert.deepEqual(storedConfig, config, "dial.started stores the Dial machine's configuration");
  const state = replayDial(aUuid, config, events);
  const stored = aEvents.find((e) => e.type === 'dial.ended');
  assert.ok(stored, 'dial.ended is stored');
  assert.deepEqual(state.result, JSON.parse(stored.data), 'the replayed Dial ends as the stored dial.ended');

  // The whole call: its setup is the Make-a-Call request stored with the row.
  const row = await h.engine.store.getCall(aUuid);
  assert.ok(row);
  const req = JSON.parse(row.params) as MakeCallRequest;
  const setup = { ...req, answerMethod: req.answerMethod, timeLimitS: req.timeLimit, ringTimeoutS: req.ringTimeout, hangupOnRingS: req.hangupOnRing };
  // The Dial's configuration is not given: the replay reads it from the stored dial.started.
  const call = replayCall(aUuid, callConfig(row.direction, setup), events);
  const ended = aEvents.find((e) => e.type === 'leg.ended');
  assert.ok(ended, 'leg.ended is stored');
  assert.equal(call.close, 'closed', 'the replayed call closed');
  const end = JSON.parse(ended.data) as { reason: string; source: string };
  assert.deepEqual({ reason: call.leg.end?.reason, source: call.leg.end?.source }, end, 'the replayed call ends as stored');
  assert.deepEqual(call.dial?.state.result, state.result, 'the call replays its Dial to the same result');
}

interface Observed {
  readonly ring: CapturedRequest;
  readonly action: CapturedRequest;
  readonly hangup: CapturedRequest;
  readonly cbs: readonly CapturedRequest[];
  readonly aUuid: string;
  /** The B legs' CDRs, in Number order. */
  readonly cdrs: ReadonlyArray<Record<string, any>>;
  readonly bUuids: readonly string[];
}

/**
 * engine.md §2's invariant, whatever the timings: every leg ended once with one cause, one
 * `/hangup`, one action; callbacks only for the leg the action names, before the action.
 */
async function observe(h: Harness, c: Case, run: { path: (p: string) => string; bNumbers: readonly string[] }): Promise<Observed> {
  const { path } = run;
  const [ring, ...moreRings] = h.app.requests(path('ring'));
  assert.ok(ring, 'no /ring');
  assert.equal(moreRings.length, 0, 'one /ring');
  const hangups = h.app.requests(path('hangup'));
  const actions = h.app.requests(path('action'));
  assert.equal(hangups.length, 1, "the A leg's /hangup arrives exactly once");
  assert.equal(actions.length, 1, 'the action arrives exactly once');
  const hangup = hangups[0]!;
  const action = actions[0]!;
  const aUuid = hangup.params.CallUUID!;

  // The B legs, through the API: one per Number, each ended once with one cause.
  const list = await h.api('GET', `Call/?parent_call_uuid=${aUuid}&limit=20`);
  assert.equal(list.status, 200);
  const objects = list.body.objects as Array<Record<string, any>>;
  assert.equal(objects.length, c.callees.length, 'every B leg is listed as ended');
  const byNumber = new Map(objects.map((o) => [String(o.to_number).replace(/^\+/, ''), o]));
  const cdrs: Array<Record<string, any>> = [];
  for (const [i, number] of run.bNumbers.entries()) {
    const listed = byNumber.get(number);
    assert.ok(listed, `B${i + 1} ${number} is listed`);
    const one = await h.api('GET', `Call/${listed.call_uuid}/`);
    assert.equal(one.status, 200);
    const cdr = one.body as Record<string, any>;
    assert.equal(cdr.parent_call_uuid, aUuid);
    assert.notEqual(cdr.end_time, null, `B${i + 1} end_time`);
    assert.notEqual(cdr.hangup_cause, null, `B${i + 1} hangup_cause`);
    assert.notEqual(cdr.hangup_cause_code, null, `B${i + 1} hangup_cause_code`);
    cdrs.push(cdr);
  }
  const bUuids = cdrs.map((cdr) => String(cdr.call_uuid));
  const aCdr = (await h.api('GET', `Call/${aUuid}/`)).body as Record<string, any>;
  assert.notEqual(aCdr.end_time, null, 'A end_time');
  assert.notEqual(aCdr.hangup_cause, null, 'A hangup_cause');

  // Exactly one `leg.ended` event per leg in the store.
  for (const uuid of [aUuid, ...bUuids]) {
    const events = await h.engine.store.listEvents(uuid);
    assert.equal(events.filter((e) => e.type === 'leg.ended').length, 1, `one leg.ended for ${uuid}`);
  }

  // The action names the bridged leg, if any, and only that leg has callbacks.
  const p = action.params;
  assert.equal(p.DialALegUUID, aUuid);
  const cbs = h.app.requests(path('cb'));
  if (p.DialStatus === 'completed') {
    const pos = bUuids.indexOf(p.DialBLegUUID ?? '');
    assert.ok(pos >= 0, 'a completed dial names one of its B legs');
    assert.deepEqual(cbs.map((r) => r.params.DialAction), ['answer', 'connected', 'hangup'], 'callbacks of the bridged leg');
    for (const cb of cbs) {
      assert.equal(cb.params.DialBLegUUID, p.DialBLegUUID);
      assert.equal(cb.params.DialALegUUID, aUuid);
      assert.equal(cb.params.DialBLegPosition, String(pos + 1));
    }
    assert.equal(cbs[2]!.params.DialBLegHangupCause, cdrs[pos]!.hangup_cause);
    assert.equal(cdrs[pos]!.call_status, 'completed');
  } else {
    assert.ok(['busy', 'no-answer', 'timeout', 'failed', 'cancel'].includes(p.DialStatus ?? ''), `DialStatus ${p.DialStatus}`);
    assert.equal(p.DialBLegUUID, '');
    assert.deepEqual(cbs.map((r) => r.params.DialAction), [], 'no callback without a bridge');
  }
  const order = [...cbs, action, hangup].map((r) => r.seq);
  assert.deepEqual(order, [...order].sort((a, b) => a - b), 'callbacks, then the action, then /hangup');
  assert.equal(action.at, hangup.at, 'the document ends with the dial: action and /hangup at one instant');
  return { ring, action, hangup, cbs, aUuid, cdrs, bUuids };
}

/** The oracle's result, leg by leg and parameter by parameter. */
function compare(o: Observed, c: Case, x: Expected): void {
  const since = (r: CapturedRequest) => r.at - o.ring.at;
  const winnerUuid = x.winner === undefined ? '' : o.bUuids[x.winner]!;
  const p = o.action.params;
  assert.deepEqual(
    { DialStatus: p.DialStatus, DialRingStatus: p.DialRingStatus, DialHangupCause: p.DialHangupCause, DialBLegUUID: p.DialBLegUUID },
    { DialStatus: x.status, DialRingStatus: String(x.rang), DialHangupCause: x.cause, DialBLegUUID: winnerUuid },
    'action parameters',
  );
  for (const [i, cdr] of o.cdrs.entries()) {
    const want = x.legs[i]!;
    assert.deepEqual(
      { cause: cdr.hangup_cause, source: cdr.hangup_source, status: cdr.call_status },
      { cause: want.cause, source: want.source, status: want.callStatus },
      `B${i + 1}'s end`,
    );
  }
  const h = o.hangup.params;
  assert.deepEqual(
    { cause: h.HangupCause, code: h.HangupCauseCode, source: h.HangupSource, status: h.CallStatus },
    { cause: x.aLeg.cause, code: String(x.aLeg.code), source: x.aLeg.source, status: 'completed' },
    '/hangup parameters',
  );
  const dialEnd = c.aRingMs + x.dialEndMs;
  assert.equal(since(o.action), dialEnd, 'the action goes out when the dial ends');
  if (x.winner !== undefined) {
    const want = x.legs[x.winner]!;
    assert.equal(o.cbs[2]!.params.DialBLegHangupSource, want.source, 'DialBLegHangupSource');
    const bridgedAt = c.aRingMs + plan(c.callees[x.winner]!).answerAt!;
    assert.deepEqual(o.cbs.map(since), [bridgedAt, bridgedAt, dialEnd], 'callback times');
  }
}

// ---------------------------------------------------------------------------------------------

describe('Dial on the real engine: random callees, random caller', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  it(`every leg ends once, and DialStatus follows engine.md §2 (seed ${SEED}, ${NUM_RUNS} runs)`, async (t) => {
    let invariantOnly = 0;
    const seen = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(dialCases(FINE), async (c) => {
        const expected = oracle(c);
        if (expected === undefined) invariantOnly++;
        else seen.set(expected.status, (seen.get(expected.status) ?? 0) + 1);
        await runCase(h, c, expected);
      }),
      { seed: SEED, numRuns: NUM_RUNS },
    );
    t.diagnostic(`DialStatus seen: ${[...seen].map(([k, v]) => `${k}=${v}`).join(' ')}; invariant only (coinciding instants): ${invariantOnly}`);
    // The generator is only worth its runs if it reaches every DialStatus; checked on the default
    // seed, where it is a fixed fact, so a generator change that loses a status is noticed.
    if (SEED === DEFAULT_SEED && NUM_RUNS === DEFAULT_RUNS) {
      assert.deepEqual([...seen.keys()].sort(), ['busy', 'cancel', 'completed', 'failed', 'no-answer', 'timeout']);
    }
  });

  it(`the invariant holds when legs, timers and the caller coincide (seed ${SEED}, ${TIE_RUNS} runs)`, async (t) => {
    let coinciding = 0;
    await fc.assert(
      fc.asyncProperty(dialCases(COARSE), async (c) => {
        const expected = oracle(c);
        if (expected === undefined) coinciding++;
        await runCase(h, c, expected);
      }),
      { seed: SEED, numRuns: TIE_RUNS },
    );
    t.diagnostic(`runs with coinciding instants (invariant only): ${coinciding} of ${TIE_RUNS}`);
  });


  // Cases the property only meets by chance, pinned so each is run every time.
  const pinned: Array<[string, Case]> = [
    ['two callees answer at once at the dial start: the first Number wins', {
      aRingMs: 1000, callerHangupMs: undefined, callLimitS: undefined, dialTimeoutS: undefined, dialLimitS: 5,
      callees: [{ alerting: [], outcome: { kind: 'answer', hangupMs: 3000 } }, { alerting: [], outcome: { kind: 'answer', hangupMs: 1000 } }],
    }],
    ['a busy Number before an answering one at the dial start stays busy', {
      aRingMs: 0, callerHangupMs: undefined, callLimitS: undefined, dialTimeoutS: undefined, dialLimitS: 60,
      callees: [{ alerting: [], outcome: { kind: 'busy' } }, { alerting: [], outcome: { kind: 'answer', hangupMs: 2500 } }],
    }],
    ['a ringing leg beats a busy one that never rang', {
      aRingMs: 500, callerHangupMs: undefined, callLimitS: undefined, dialTimeoutS: 3, dialLimitS: undefined,
      callees: [{ alerting: [], outcome: { kind: 'busy' } }, { alerting: [{ kind: 'ring', ms: 1500 }], outcome: { kind: 'fail', cause: 'UNALLOCATED_NUMBER' } }],
    }],
    ['the caller leaves while a Timer B leg is still silent', {
      aRingMs: 1200, callerHangupMs: 4321, callLimitS: undefined, dialTimeoutS: undefined, dialLimitS: undefined,
      callees: [{ alerting: [], outcome: { kind: 'timeout' } }],
    }],
    ['the call\'s own time limit ends a bridged dial', {
      aRingMs: 300, callerHangupMs: undefined, callLimitS: 10, dialTimeoutS: undefined, dialLimitS: undefined,
      callees: [{ alerting: [{ kind: 'early', ms: 2222 }], outcome: { kind: 'answer', hangupMs: undefined } }],
    }],
  ];
  for (const [name, c] of pinned) {
    it(name, async () => {
      const expected = oracle(c);
      assert.ok(expected, 'a pinned case has no ambiguous instants');
      await runCase(h, c, expected);
    });
  }

  // engine.md §2: "completed whenever a B leg answered". A far end that ends NORMAL_CLEARING
  // before answering answered nothing: the dial and the leg are `failed`.
  it('an unanswered `fail NORMAL_CLEARING` callee does not complete the dial', async () => {
    const c: Case = {
      aRingMs: 1000, callerHangupMs: undefined, callLimitS: undefined, dialTimeoutS: undefined, dialLimitS: undefined,
      callees: [{ alerting: [{ kind: 'ring', ms: 2000 }], outcome: { kind: 'fail', cause: 'NORMAL_CLEARING' } }],
    };
    const expected: Expected = {
      status: 'failed', rang: true, cause: 'NORMAL_CLEARING', winner: undefined, dialEndMs: 2000,
      legs: [{ cause: 'NORMAL_CLEARING', source: 'Callee', callStatus: 'failed', dial: 'failed' }],
      aLeg: { cause: 'NORMAL_CLEARING', code: 4010, source: 'Plivo' },
    };
    await runCase(h, c, expected);
  });

  // Issue 18 item 2: every call above was rebuilt from its stored events (runCase -> replay).
  it('every call of this property replays from its stored events to its stored dial.ended and leg.ended (dial-replay.ts, call-replay.ts)', (t) => {
    t.diagnostic(`dial calls replayed: ${replayed}`);
    assert.equal(replayed, NUM_RUNS + TIE_RUNS + pinned.length + 1);
  });
});

// ---------------------------------------------------------------------------------------------
// Conferences (docs/conference.md): random members join one room directly, after a Dial's action,
// or as a Dial's callee transferred in (legs=bleg); random hangups, kicks (API), endConferenceOnExit,
// stayAlone, maxMembers and the room's timeLimit. The invariant still holds for every leg, and the
// room's own: each member that entered leaves exactly once, never more members than maxMembers, an
// endConferenceOnExit member's exit takes everyone out, the room is gone at the end, and each CDR
// names the room its call entered.

type Way = 'direct' | 'dial-action' | 'dial-bleg';
interface ConfMember {
  readonly way: Way;
  readonly ringMs: number;
  /** The member's call hangs up this long after answering (undefined: stays until the engine ends it). */
  readonly hangupMs: number | undefined;
  /** dial-action: what the Dial's callee does (the action puts the caller in the room whatever it was). */
  readonly callee: 'busy' | 'no-answer' | 'answer';
  /** dial-bleg: when the callee is transferred into the room, ms after the call was placed. */
  readonly transferMs: number;
  readonly endOnExit: boolean;
  readonly stayAlone: boolean;
}
interface ConfCase {
  readonly members: readonly ConfMember[];
  readonly maxMembers: number;
  readonly timeLimitS: number | undefined;
  /** API kicks: at this ms, the room's `index`-th member (if there is one). */
  readonly kicks: ReadonlyArray<{ readonly atMs: number; readonly index: number }>;
}

const CONF_RUNS = Number(process.env.CONF_PROPERTY_RUNS ?? 25);

function confCases(): fc.Arbitrary<ConfCase> {
  const member: fc.Arbitrary<ConfMember> = fc.record({
    way: fc.constantFrom<Way>('direct', 'direct', 'dial-action', 'dial-bleg'),
    ringMs: seconds(0, 3),
    hangupMs: fc.option(seconds(2, 20), { nil: undefined, freq: 3 }),
    callee: fc.constantFrom('busy' as const, 'no-answer' as const, 'answer' as const),
    transferMs: seconds(2, 8),
    endOnExit: fc.boolean(),
    stayAlone: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  });
  return fc.record({
    members: fc.array(member, { minLength: 1, maxLength: 4 }),
    maxMembers: fc.integer({ min: 1, max: 4 }),
    timeLimitS: fc.option(fc.integer({ min: 3, max: 30 }), { nil: undefined }),
    kicks: fc.array(fc.record({ atMs: seconds(1, 15), index: fc.integer({ min: 0, max: 3 }) }), { maxLength: 2 }),
  });
}

let confRunNo = 0;
/** What the runs reached, so a generator that stops reaching something is noticed. */
let confReplayed = 0;
const confSeen = { entered: 0, refusedFull: 0, endedByExit: 0, kicked: 0, together: 0 };

async function runConfCase(h: Harness, c: ConfCase): Promise<void> {
  const n = ++confRunNo;
  const room = `prop-room-${n}`;
  const t0 = h.clock.now();
  const path = (i: number, p: string) => `/c${n}/m${i}/${p}`;
  const conf = (i: number) => {
    const m = c.members[i]!;
    const attrs = [`callbackUrl="${h.app.url(`/c${n}/events`)}"`, `maxMembers="${c.maxMembers}"`, `endConferenceOnExit="${m.endOnExit}"`, `stayAlone="${m.stayAlone}"`];
    if (c.timeLimitS !== undefined) attrs.push(`timeLimit="${c.timeLimitS}"`);
    return `<Response><Conference ${attrs.join(' ')}>${room}</Conference></Response>`;
  };
  const answers: string[] = [];
  const lines: string[] = [`room ${room} maxMembers=${c.maxMembers} timeLimit=${c.timeLimitS ?? '-'} kicks=${JSON.stringify(c.kicks)}`];
  try {
    for (const [i, m] of c.members.entries()) {
      const aNumber = `1777${String(n).padStart(4, '0')}${i}0`;
      const bNumber = `1777${String(n).padStart(4, '0')}${i}1`;
      const script = [`ring ${dur(m.ringMs)}`, 'answer', ...(m.hangupMs === undefined ? [] : [`hangup after ${dur(m.hangupMs)}`])].join(', ');
      await h.sim(aNumber, script);
      let answer = conf(i);
      if (m.way === 'dial-action') {
        await h.sim(bNumber, m.callee === 'answer' ? 'ring 1s, answer, hangup after 2s' : m.callee);
        answer = `<Response><Dial timeout="3" action="${h.app.url(path(i, 'action'))}"><Number>${bNumber}</Number></Dial></Response>`;
        h.app.on(path(i, 'action'), conf(i));
      } else if (m.way === 'dial-bleg') {
        await h.sim(bNumber, 'ring 1s, answer');
        answer = `<Response><Dial action="${h.app.url(path(i, 'action'))}"><Number>${bNumber}</Number></Dial></Response>`;
        h.app.on(path(i, 'action'), '<Response/>');
        h.app.on(path(i, 'room'), conf(i));
      }
      h.app.on(path(i, 'answer'), answer);
      answers.push(answer);
      lines.push(`m${i} ${m.way} "${script}"${m.way === 'dial-action' ? ` callee ${m.callee}` : ''}${m.way === 'dial-bleg' ? ` transfer at ${m.transferMs}` : ''} endOnExit=${m.endOnExit} stayAlone=${m.stayAlone}`);
    }
    const placed: Array<{ request_uuid: string } | undefined> = [];
    for (const [i, m] of c.members.entries()) {
      const aNumber = `1777${String(n).padStart(4, '0')}${i}0`;
      const res = await h.call({ to: aNumber, answer_url: h.app.url(path(i, 'answer')), ring_url: h.app.url(path(i, 'ring')), hangup_url: h.app.url(path(i, 'hangup')) });
      assert.equal(res.status, 201);
      placed.push(res.body);
      if (m.way === 'dial-bleg') {
        h.runAt((t0 - h.clock.now()) / 1000 + h.t() + m.transferMs / 1000, async () => {
          const [ans] = h.app.requests(path(i, 'answer'));
          if (ans) await h.api('POST', `Call/${ans.params.CallUUID}/`, { legs: 'bleg', bleg_url: h.app.url(path(i, 'room')) });
        });
      }
    }
    for (const k of c.kicks) {
      h.runAt((t0 - h.clock.now()) / 1000 + h.t() + k.atMs / 1000, async () => {
        const got = await h.api('GET', `Conference/${room}/`);
        const target = got.status === 200 ? got.body.members[k.index] : undefined;
        if (target && (await h.api('POST', `Conference/${room}/Member/${target.member_id}/Kick/`)).status === 202) confSeen.kicked++;
      });
    }
    for (const i of c.members.keys()) await h.waitFor(path(i, 'hangup'));
    await h.settle();

    // Every leg ended once; one /hangup per call.
    const legs: Array<{ uuid: string; member: number }> = [];
    for (const i of c.members.keys()) {
      const hangups = h.app.requests(path(i, 'hangup'));
      assert.equal(hangups.length, 1, `m${i}: one /hangup`);
      const aUuid = hangups[0]!.params.CallUUID!;
      legs.push({ uuid: aUuid, member: i });
      // A member placed by a Dial (its callee transferred into the room, or not): that Dial replays too.
      if (c.members[i]!.way !== 'direct') {
        await replay(h, answers[i]!, aUuid);
        confReplayed++;
      }
      const bs = (await h.api('GET', `Call/?parent_call_uuid=${aUuid}&limit=20`)).body.objects as Array<{ call_uuid: string; end_time: string | null }>;
      for (const b of bs) {
        assert.notEqual(b.end_time, null);
        legs.push({ uuid: b.call_uuid, member: i });
      }
    }
    for (const l of legs) {
      const ended = (await h.engine.store.listEvents(l.uuid)).filter((e) => e.type === 'leg.ended');
      assert.equal(ended.length, 1, `one leg.ended for ${l.uuid}`);
    }

    // The room: enter then exit once per member call, one ConferenceUUID, member ids unique.
    const events = h.app.requests(`/c${n}/events`);
    const memberOf = new Map(legs.map((l) => [l.uuid, l.member]));
    const byCall = new Map<string, CapturedRequest[]>();
    for (const e of events) byCall.set(e.params.CallUUID!, [...(byCall.get(e.params.CallUUID!) ?? []), e]);
    const uuids = new Set(events.map((e) => e.params.ConferenceUUID));
    const ids = new Set<string>();
    for (const [uuid, evs] of byCall) {
      assert.ok(memberOf.has(uuid), `a callback for a call of this run: ${uuid}`);
      assert.deepEqual(evs.map((e) => e.params.ConferenceAction), ['enter', 'exit'], `enter then exit for ${uuid}`);
      assert.equal(evs[0]!.params.ConferenceMemberID, evs[1]!.params.ConferenceMemberID);
      assert.ok(!ids.has(evs[0]!.params.ConferenceMemberID!), 'member ids are not reused');
      ids.add(evs[0]!.params.ConferenceMemberID!);
      const cdr = (await h.api('GET', `Call/${uuid}/`)).body;
      assert.equal(cdr.conference_uuid, evs[0]!.params.ConferenceUUID, `CDR of ${uuid} names its room`);
    }
    // Several rooms of that name may follow one another (one ends, a later member opens it again); never two at once.
    const timeline = events.map((e) => ({ at: e.at, conf: e.params.ConferenceUUID!, enter: e.params.ConferenceAction === 'enter', uuid: e.params.CallUUID! }));
    const present = new Map<string, Set<string>>();
    for (const e of [...timeline].sort((a, b) => a.at - b.at || Number(a.enter) - Number(b.enter))) {
      const set = present.get(e.conf) ?? new Set<string>();
      present.set(e.conf, set);
      if (e.enter) set.add(e.uuid);
      else set.delete(e.uuid);
      assert.ok(set.size <= c.maxMembers, `at most maxMembers=${c.maxMembers} in the room`);
      const open = [...present.values()].filter((s) => s.size > 0).length;
      assert.ok(open <= 1, 'one live room of that name at a time');
    }
    assert.ok(uuids.size <= events.length);
    confSeen.entered += byCall.size;
    const maxTogether = Math.max(0, ...[...new Set(timeline.map((x) => x.conf))].map((conf) => {
      let now = 0;
      let most = 0;
      for (const e of [...timeline].filter((x) => x.conf === conf).sort((a, b) => a.at - b.at || Number(a.enter) - Number(b.enter))) {
        now += e.enter ? 1 : -1;
        most = Math.max(most, now);
      }
      return most;
    }));
    if (maxTogether >= 2) confSeen.together++;
    for (const l of legs) {
      const cdr = (await h.api('GET', `Call/${l.uuid}/`)).body;
      if ((cdr.warnings as string[]).some((w) => w.includes('is full'))) confSeen.refusedFull++;
    }
    // endConferenceOnExit: when such a member leaves, everyone then in its room leaves at that instant.
    for (const e of timeline.filter((x) => !x.enter)) {
      const m = c.members[memberOf.get(e.uuid)!]!;
      if (!m.endOnExit) continue;
      confSeen.endedByExit++;
      for (const [uuid, evs] of byCall) {
        const [enter, exit] = evs;
        if (enter!.params.ConferenceUUID !== e.conf || enter!.at > e.at || exit!.at < e.at) continue;
        assert.equal(exit!.at, e.at, `${uuid} left with the endConferenceOnExit member`);
      }
    }
    const live = (await h.api('GET', 'Conference/')).body.conferences as string[];
    assert.ok(!live.includes(room), 'the room is gone once everyone left');
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    e.message = `${e.message}\n--- conference run ${n}, fast-check seed ${SEED}\n${lines.join('\n')}`;
    throw e;
  }
}

describe('Conferences on the real engine: random joins, leaves and kicks', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  it(`every leg ends once; every member enters and leaves its room once (seed ${SEED}, ${CONF_RUNS} runs)`, async (t) => {
    await fc.assert(
      fc.asyncProperty(confCases(), (c) => runConfCase(h, c)),
      { seed: SEED, numRuns: CONF_RUNS },
    );
    t.diagnostic(`conference runs reached: ${JSON.stringify(confSeen)}; their Dials replayed from stored events: ${confReplayed}`);
    // Each is a fixed fact on the default seed: the generator reaches full rooms, kicks, shared rooms and endConferenceOnExit.
    if (SEED === DEFAULT_SEED && CONF_RUNS === 25) {
      for (const [k, v] of Object.entries(confSeen)) assert.ok(v > 0, `the runs reached ${k}`);
    }
  });
});
