/**
 * The Dial's rules as tables, run on the pure Dial machine (`nextDial`, dial-machine.ts): no engine,
 * no HTTP, no database, no clock. Every row is one case and asserts the exact effects (shown as short
 * lines: `record b1 leg.ended {...}`, `hangup b2 LOSE_RACE`, `notify b1 answer`, `timer.start ring
 * 30000`, ...) and the dial's result. The expected values are spelled from engine.md §1-§2 and
 * plivo.md §3.3, not read from the machine's own tables.
 *
 * Tables: engine.md §2's Dial outcome rules; every network end reason of the cause table as a B leg's
 * end (before answer, rung or not); the engine's own B leg ends; the timer rules (ring timeout,
 * confirm timeout, time limit); the A leg ending the dial; lose-race; confirmKey races; hangupOnStar;
 * digitsMatch / digitsMatchBLeg; sendDigits and early media; the transfer API; placement failures.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { initialDial, nextDial, type DialConfig, type DialEffect, type DialInput, type DialState, type DialTimer } from '../src/calls/dial-machine.ts';
import type { EndReason, HangupSource, NetworkEndReason } from '../src/domain/causes.ts';
import type { DialResult } from '../src/domain/dial.ts';
import type { LegEvent } from '../src/network/network.ts';
import { replayDial, ReplayError, type StoredEvent } from '../src/calls/dial-replay.ts';

const T0 = 1_767_225_600_000;
const LIMIT_MS = 14_400_000;

function config(n: number, over: Partial<DialConfig> = {}): DialConfig {
  return {
    legs: Array.from({ length: n }, (_, i) => ({ uuid: `b${i + 1}`, position: i + 1, to: `1555000${i + 1}`, sendOnPreanswer: false })),
    timeLimitMs: LIMIT_MS,
    confirmMs: 120_000,
    hangupOnStar: false,
    digitsMatch: [],
    digitsMatchBLeg: [],
    callerHearsEarlyMedia: true,
    ...over,
  };
}

/** One effect as a line: what a reader of the tables compares. */
function line(e: DialEffect): string {
  const leg = (i: number | 'a') => (i === 'a' ? 'a' : `b${i + 1}`);
  switch (e.type) {
    case 'originate':
    case 'early-media':
    case 'bridge':
    case 'unregister':
      return `${e.type} ${leg(e.leg)}`;
    case 'hangup':
      return `hangup ${leg(e.leg)} ${e.cause}${e.answered ? ' (BYE)' : ''}`;
    case 'record':
      return `record ${leg(e.leg)} ${e.event}${e.data === undefined ? '' : ` ${JSON.stringify(e.data)}`}`;
    case 'notify':
      return `notify ${leg(e.leg)} ${e.action}${e.digitsMatch !== undefined ? ` ${e.digitsMatch} by ${e.pressedBy}` : ''}`;
    case 'send-digits':
      return `send-digits ${leg(e.leg)} ${e.digits}`;
    case 'answer-a':
      return 'answer-a';
    case 'timer.start':
      return `timer.start ${e.name} ${e.ms}`;
    case 'timer.cancel':
      return `timer.cancel ${e.name}`;
    case 'warn':
      return `warn ${e.message}`;
    case 'done':
      return `done ${JSON.stringify(e.result)}`;
  }
}

/** Every Dial the tables drove: the last test replays each from its events. */
const drives: Drive[] = [];

/** Drives one Dial through the machine, input by input. */
class Drive {
  state: DialState;
  /** Effects of the last input. */
  last: DialEffect[] = [];
  all: DialEffect[] = [];
  /** The events a runner would have stored for this Dial, in order (what dial-replay.ts reads). */
  log: StoredEvent[] = [];
  t = T0;
  constructor(readonly config: DialConfig) {
    this.state = initialDial(config);
    this.log.push({ call_uuid: 'a', type: 'dial.started', at: T0, data: {} });
    drives.push(this);
  }
  in(input: DialInput): string[] {
    const step = nextDial(this.config, this.state, input);
    this.state = step.state;
    this.last = [...step.effects];
    this.all.push(...step.effects);
    const at = 'at' in input ? input.at : input.input.at;
    // The caller's keys are recorded by the A leg itself, before the Dial hears them.
    if (input.type === 'a-digits') this.log.push({ call_uuid: 'a', type: 'leg.digits', at, data: { digits: input.digits } });
    for (const e of step.effects) {
      const uuid = (leg: number | 'a') => (leg === 'a' ? 'a' : this.config.legs[leg]!.uuid);
      if (e.type === 'record') this.log.push({ call_uuid: uuid(e.leg), type: e.event, at, data: e.data ?? {} });
      if (e.type === 'notify') this.log.push({ call_uuid: 'a', type: `dial.${e.action}`, at, data: { b_leg: uuid(e.leg), ...(e.digitsMatch ? { digitsMatch: e.digitsMatch, pressedBy: e.pressedBy } : {}) } });
      if (e.type === 'warn') this.log.push({ call_uuid: 'a', type: 'xml.warning', at, data: { message: e.message } });
    }
    return this.last.map(line);
  }
  /** Replays the stored events: the same result, the same legs. */
  replays(): void {
    const replayed = replayDial('a', this.config, this.log);
    assert.deepEqual(replayed.result, this.state.result, 'replayed result');
    // Not in the events, and nothing the Dial does depends on them: whether the engine or the network
    // ended a leg (`local`), and a 183 after a 180 (leg.ringing is recorded once: ringing and early alike).
    const view = (legs: DialState['legs']) =>
      legs.map((l) => ({ ...l, leg: { ...l.leg, phase: l.leg.phase === 'early' ? 'ringing' : l.leg.phase, end: l.leg.end && { ...l.leg.end, local: undefined } } }));
    assert.deepEqual(view(replayed.legs), view(this.state.legs), 'replayed legs');
  }
  at(ms: number): this {
    this.t = T0 + ms;
    return this;
  }
  /** dial.started is stored; every leg is placed. */
  start(): string[] {
    const out = this.in({ type: 'start', at: this.t });
    for (let i = 0; i < this.config.legs.length; i++) out.push(...this.in({ type: 'originated', leg: i, at: this.t, data: { network_leg: `n${i + 1}` } }));
    return out;
  }
  net(i: number, event: LegEvent): string[] {
    return this.in({ type: 'leg', leg: i, input: { type: 'network', event, at: this.t } });
  }
  ring(i: number): string[] {
    return this.net(i, { type: 'ringing' });
  }
  early(i: number): string[] {
    return this.net(i, { type: 'early-media' });
  }
  answer(i: number): string[] {
    return this.net(i, { type: 'answered' });
  }
  ends(i: number, reason: NetworkEndReason): string[] {
    return this.net(i, { type: 'ended', reason });
  }
  bDigits(i: number, digits: string): string[] {
    return this.net(i, { type: 'digits', digits });
  }
  /** The B leg's own Hangup API. */
  apiEnd(i: number, reason: EndReason, source: HangupSource): string[] {
    return this.in({ type: 'leg', leg: i, input: { type: 'end', reason, source, at: this.t } });
  }
  timer(name: DialTimer): string[] {
    return this.in({ type: 'timer', name, at: this.t });
  }
  aDigits(digits: string): string[] {
    return this.in({ type: 'a-digits', digits, at: this.t });
  }
  aEnded(reason?: EndReason, source?: HangupSource): string[] {
    return this.in({ type: 'a-ended', ...(reason ? { reason } : {}), ...(source ? { source } : {}), at: this.t });
  }
  transfer(): string[] {
    return this.in({ type: 'transfer', at: this.t });
  }
  get result(): DialResult | undefined {
    return this.state.result;
  }
  /** What leg i ended with: its leg.ended record, CallStatus. */
  end(i: number): { reason: string; source: string; status: string } | undefined {
    const e = this.state.legs[i]!.leg.end;
    return e && { reason: e.reason, source: e.source, status: e.status };
  }
}

const ended = (leg: string, reason: string, source: string) => `record ${leg} leg.ended {"reason":"${reason}","source":"${source}"}`;
const done = (status: string, rang: boolean, hangupCause: string, bLegUuid = '') => {
  const r = JSON.stringify({ status, rang, hangupCause, bLegUuid });
  return [`record a dial.ended ${r}`, `done ${r}`];
};

// ---------------------------------------------------------------------------------------------

describe('placing the legs', () => {
  it('start places the legs one by one, then starts the ring timer', () => {
    const d = new Drive(config(2, { timeoutMs: 30_000 }));
    assert.deepEqual(d.in({ type: 'start', at: T0 }), ['originate b1']);
    assert.deepEqual(d.in({ type: 'originated', leg: 0, at: T0, data: { network_leg: 'n1' } }), ['record b1 leg.originated {"network_leg":"n1"}', 'originate b2']);
    assert.deepEqual(d.in({ type: 'originated', leg: 1, at: T0, data: { network_leg: 'n2' } }), ['record b2 leg.originated {"network_leg":"n2"}', 'timer.start ring 30000']);
    assert.equal(d.state.phase, 'dialing');
    assert.deepEqual(d.state.legs.map((l) => l.leg.phase), ['trying', 'trying']);
  });

  it('no Dial timeout: no ring timer', () => {
    const d = new Drive(config(1));
    assert.deepEqual(d.start(), ['originate b1', 'record b1 leg.originated {"network_leg":"n1"}']);
    assert.deepEqual(d.state.timers, []);
  });

  it('a leg the network refuses ends network-failure (source Plivo) with a warning; the next is still placed', () => {
    const d = new Drive(config(2, { timeoutMs: 5000 }));
    d.in({ type: 'start', at: T0 });
    assert.deepEqual(d.in({ type: 'originate-failed', leg: 0, at: T0, error: 'Error: no route' }), [
      'warn Dial: could not place a call to 15550001: Error: no route',
      'hangup b1 NORMAL_TEMPORARY_FAILURE',
      'unregister b1',
      ended('b1', 'network-failure', 'Plivo'),
      'originate b2',
    ]);
    d.in({ type: 'originated', leg: 1, at: T0, data: {} });
    d.ring(1);
    d.ends(1, 'busy');
    // The leg that rang decides (engine.md §2: ringing beats trying).
    assert.deepEqual(d.result, { status: 'busy', rang: true, hangupCause: 'USER_BUSY', bLegUuid: '' });
  });

  it('every leg refused: the dial fails at once and no ring timer is left running', () => {
    const d = new Drive(config(1, { timeoutMs: 5000 }));
    d.in({ type: 'start', at: T0 });
    assert.deepEqual(d.in({ type: 'originate-failed', leg: 0, at: T0, error: 'x' }), [
      'warn Dial: could not place a call to 15550001: x',
      'hangup b1 NORMAL_TEMPORARY_FAILURE',
      'unregister b1',
      ended('b1', 'network-failure', 'Plivo'),
      'timer.start ring 5000',
      'timer.cancel ring',
      ...done('failed', false, 'NORMAL_TEMPORARY_FAILURE'),
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
// engine.md §2, "DialStatus rules", one case per rule.

type Script = Array<'ring' | 'early' | 'answer' | NetworkEndReason | 'hangup'>;
interface OutcomeRow {
  readonly rule: string;
  /** Each leg's network events, played leg by leg in this order: [leg, step]. */
  readonly steps: ReadonlyArray<readonly [number, Script[number]]>;
  readonly legs: number;
  /** The A leg ends after the steps. */
  readonly aEnds?: boolean;
  readonly expect: DialResult;
}

const OUTCOME_ROWS: OutcomeRow[] = [
  { rule: 'completed whenever a B leg answered', legs: 1, steps: [[0, 'ring'], [0, 'answer'], [0, 'hangup']], expect: { status: 'completed', rang: true, hangupCause: 'NORMAL_CLEARING', bLegUuid: 'b1' } },
  { rule: 'completed: the answered leg among busy and failed ones', legs: 3, steps: [[0, 'busy'], [1, 'ring'], [1, 'answer'], [1, 'hangup']], expect: { status: 'completed', rang: true, hangupCause: 'NORMAL_CLEARING', bLegUuid: 'b2' } },
  { rule: 'completed: answered without a 180 still rang (DialRingStatus true)', legs: 1, steps: [[0, 'answer'], [0, 'hangup']], expect: { status: 'completed', rang: true, hangupCause: 'NORMAL_CLEARING', bLegUuid: 'b1' } },
  { rule: 'otherwise the leg that got furthest: ringing beats trying (busy before ringing loses to a rung failure)', legs: 2, steps: [[0, 'busy'], [1, 'ring'], [1, 'unallocated']], expect: { status: 'failed', rang: true, hangupCause: 'UNALLOCATED_NUMBER', bLegUuid: '' } },
  { rule: 'early media (183) counts as ringing', legs: 2, steps: [[0, 'busy'], [1, 'early'], [1, 'timeout']], expect: { status: 'timeout', rang: true, hangupCause: 'RECOVERY_ON_TIMER_EXPIRE', bLegUuid: '' } },
  { rule: 'ties: busy > no-answer', legs: 2, steps: [[0, 'no-user-response'], [1, 'busy']], expect: { status: 'busy', rang: false, hangupCause: 'USER_BUSY', bLegUuid: '' } },
  { rule: 'ties: rejected is busy too', legs: 2, steps: [[0, 'rejected'], [1, 'no-user-response']], expect: { status: 'busy', rang: false, hangupCause: 'CALL_REJECTED', bLegUuid: '' } },
  { rule: 'ties: no-answer > timeout', legs: 2, steps: [[0, 'timeout'], [1, 'no-user-response']], expect: { status: 'no-answer', rang: false, hangupCause: 'NO_USER_RESPONSE', bLegUuid: '' } },
  { rule: 'ties: timeout > failed', legs: 2, steps: [[0, 'network-failure'], [1, 'timeout']], expect: { status: 'timeout', rang: false, hangupCause: 'RECOVERY_ON_TIMER_EXPIRE', bLegUuid: '' } },
  { rule: 'ties: among equals the first in document order decides', legs: 2, steps: [[0, 'unallocated'], [1, 'network-failure']], expect: { status: 'failed', rang: false, hangupCause: 'UNALLOCATED_NUMBER', bLegUuid: '' } },
  { rule: 'ties among rung legs: busy > failed', legs: 2, steps: [[0, 'ring'], [1, 'ring'], [0, 'network-failure'], [1, 'busy']], expect: { status: 'busy', rang: true, hangupCause: 'USER_BUSY', bLegUuid: '' } },
  { rule: 'a far end clearing before answer (NORMAL_CLEARING) completed nothing: failed', legs: 1, steps: [[0, 'ring'], [0, 'normal']], expect: { status: 'failed', rang: true, hangupCause: 'NORMAL_CLEARING', bLegUuid: '' } },
  { rule: 'cancel when the A leg ended the dial (a leg ringing)', legs: 2, steps: [[0, 'ring']], aEnds: true, expect: { status: 'cancel', rang: true, hangupCause: 'ORIGINATOR_CANCEL', bLegUuid: '' } },
  { rule: 'cancel beats a busy leg that ended first', legs: 2, steps: [[0, 'busy']], aEnds: true, expect: { status: 'cancel', rang: false, hangupCause: 'ORIGINATOR_CANCEL', bLegUuid: '' } },
  { rule: 'DialRingStatus false when no leg rang', legs: 1, steps: [[0, 'busy']], expect: { status: 'busy', rang: false, hangupCause: 'USER_BUSY', bLegUuid: '' } },
  { rule: 'DialHangupCause is the bridged leg\'s, not a lost leg\'s', legs: 2, steps: [[0, 'ring'], [1, 'answer'], [1, 'hangup']], expect: { status: 'completed', rang: true, hangupCause: 'NORMAL_CLEARING', bLegUuid: 'b2' } },
];

describe('engine.md §2: the Dial outcome rules', () => {
  for (const row of OUTCOME_ROWS) {
    it(row.rule, () => {
      const d = new Drive(config(row.legs));
      d.start();
      for (const [leg, step] of row.steps) {
        if (step === 'ring') d.ring(leg);
        else if (step === 'early') d.early(leg);
        else if (step === 'answer') d.answer(leg);
        else if (step === 'hangup') d.ends(leg, 'normal');
        else d.ends(leg, step);
      }
      if (row.aEnds) d.aEnded('normal', 'Caller');
      assert.deepEqual(d.result, row.expect);
      assert.equal(d.state.phase, 'done');
      // engine.md §2's invariant: every leg ended, once.
      const ends = d.all.filter((e) => e.type === 'record' && e.event === 'leg.ended').map((e) => (e as { leg: number }).leg);
      assert.deepEqual([...ends].sort(), Array.from({ length: row.legs }, (_, i) => i));
      assert.equal(d.all.filter((e) => e.type === 'done').length, 1);
    });
  }
});

// ---------------------------------------------------------------------------------------------
// The cause table (engine.md §2, sip.md §4): every reason a network reports, as a lone B leg's end
// before answer, with and without a 180 first. Spelled out: HangupSource, CallStatus, DialStatus, cause.

const NETWORK_ROWS: ReadonlyArray<readonly [NetworkEndReason, { cause: string; source: string; status: string; dial: string }]> = [
  ['normal', { cause: 'NORMAL_CLEARING', source: 'Callee', status: 'failed', dial: 'failed' }],
  ['busy', { cause: 'USER_BUSY', source: 'Callee', status: 'busy', dial: 'busy' }],
  ['rejected', { cause: 'CALL_REJECTED', source: 'Callee', status: 'busy', dial: 'busy' }],
  ['no-user-response', { cause: 'NO_USER_RESPONSE', source: 'Callee', status: 'no-answer', dial: 'no-answer' }],
  ['timeout', { cause: 'RECOVERY_ON_TIMER_EXPIRE', source: 'Carrier', status: 'timeout', dial: 'timeout' }],
  ['unallocated', { cause: 'UNALLOCATED_NUMBER', source: 'Carrier', status: 'failed', dial: 'failed' }],
  ['out-of-order', { cause: 'DESTINATION_OUT_OF_ORDER', source: 'Carrier', status: 'failed', dial: 'failed' }],
  ['network-failure', { cause: 'NORMAL_TEMPORARY_FAILURE', source: 'Carrier', status: 'failed', dial: 'failed' }],
  ['refused', { cause: 'CALL_REJECTED', source: 'Carrier', status: 'failed', dial: 'failed' }],
  ['no-route', { cause: 'NO_ROUTE_DESTINATION', source: 'Carrier', status: 'failed', dial: 'failed' }],
  ['number-changed', { cause: 'NUMBER_CHANGED', source: 'Carrier', status: 'failed', dial: 'failed' }],
  ['routing-error', { cause: 'EXCHANGE_ROUTING_ERROR', source: 'Carrier', status: 'failed', dial: 'failed' }],
  ['invalid-number', { cause: 'INVALID_NUMBER_FORMAT', source: 'Carrier', status: 'failed', dial: 'failed' }],
  ['network-out-of-order', { cause: 'NETWORK_OUT_OF_ORDER', source: 'Carrier', status: 'failed', dial: 'failed' }],
  ['service-unavailable', { cause: 'SERVICE_UNAVAILABLE', source: 'Carrier', status: 'failed', dial: 'failed' }],
  ['not-implemented', { cause: 'SERVICE_NOT_IMPLEMENTED', source: 'Carrier', status: 'failed', dial: 'failed' }],
  ['incompatible', { cause: 'INCOMPATIBLE_DESTINATION', source: 'Carrier', status: 'failed', dial: 'failed' }],
  ['interworking', { cause: 'INTERWORKING', source: 'Carrier', status: 'failed', dial: 'failed' }],
  ['unspecified', { cause: 'NORMAL_UNSPECIFIED', source: 'Carrier', status: 'failed', dial: 'failed' }],
  ['originator-cancel', { cause: 'ORIGINATOR_CANCEL', source: 'Caller', status: 'cancel', dial: 'cancel' }],
];

describe('the cause table: a B leg ended by its network', () => {
  for (const [reason, want] of NETWORK_ROWS) {
    for (const rang of [true, false]) {
      it(`${reason}${rang ? ' after ringing' : ' before any 180'}: ${want.cause}, ${want.source}, CallStatus ${want.status}, DialStatus ${want.dial}`, () => {
        const d = new Drive(config(1, { timeoutMs: 30_000 }));
        d.start();
        if (rang) d.ring(0);
        assert.deepEqual(d.ends(0, reason), [
          'unregister b1',
          ended('b1', reason, want.source),
          'timer.cancel ring',
          ...done(want.dial, rang, want.cause),
        ]);
        assert.deepEqual(d.end(0), { reason, source: want.source, status: want.status });
      });
    }
  }
});

/** The ends the engine gives a B leg, each reached the way the Dial reaches it. */
const ENGINE_ROWS: ReadonlyArray<{ name: string; reason: EndReason; source: string; status: string; cause: string; drive: (d: Drive) => void; result: DialResult }> = [
  { name: 'rang, nobody answered within the timeout', reason: 'no-answer', source: 'Plivo', status: 'no-answer', cause: 'NO_ANSWER', drive: (d) => (d.ring(0), d.timer('ring')), result: { status: 'no-answer', rang: true, hangupCause: 'NO_ANSWER', bLegUuid: '' } },
  { name: 'caller hung up while the Dial rang', reason: 'originator-cancel', source: 'Caller', status: 'cancel', cause: 'ORIGINATOR_CANCEL', drive: (d) => (d.ring(0), d.aEnded('normal', 'Caller')), result: { status: 'cancel', rang: true, hangupCause: 'ORIGINATOR_CANCEL', bLegUuid: '' } },
  { name: 'Hangup API before answer (the B leg\'s own)', reason: 'api-cancel', source: 'API Request', status: 'cancel', cause: 'ORIGINATOR_CANCEL', drive: (d) => (d.ring(0), d.apiEnd(0, 'api-cancel', 'API Request')), result: { status: 'cancel', rang: true, hangupCause: 'ORIGINATOR_CANCEL', bLegUuid: '' } },
  { name: 'Hangup API after answer (the B leg\'s own)', reason: 'api-hangup', source: 'API Request', status: 'completed', cause: 'NORMAL_CLEARING', drive: (d) => (d.answer(0), d.apiEnd(0, 'api-hangup', 'API Request')), result: { status: 'completed', rang: true, hangupCause: 'NORMAL_CLEARING', bLegUuid: 'b1' } },
  { name: 'Dial timeLimit reached', reason: 'time-limit', source: 'Plivo', status: 'completed', cause: 'ALLOTTED_TIMEOUT', drive: (d) => (d.answer(0), d.timer('limit')), result: { status: 'completed', rang: true, hangupCause: 'ALLOTTED_TIMEOUT', bLegUuid: 'b1' } },
  { name: 'answered, a party hung up (the callee)', reason: 'normal', source: 'Callee', status: 'completed', cause: 'NORMAL_CLEARING', drive: (d) => (d.answer(0), d.ends(0, 'normal')), result: { status: 'completed', rang: true, hangupCause: 'NORMAL_CLEARING', bLegUuid: 'b1' } },
  { name: 'answered, a party hung up (the caller)', reason: 'normal', source: 'Caller', status: 'completed', cause: 'NORMAL_CLEARING', drive: (d) => (d.answer(0), d.aEnded('normal', 'Caller')), result: { status: 'completed', rang: true, hangupCause: 'NORMAL_CLEARING', bLegUuid: 'b1' } },
];

describe('the cause table: a B leg ended by the engine', () => {
  for (const row of ENGINE_ROWS) {
    it(`${row.name}: ${row.cause}, ${row.source}, CallStatus ${row.status}`, () => {
      const d = new Drive(config(1, { timeoutMs: 30_000 }));
      d.start();
      row.drive(d);
      assert.deepEqual(d.end(0), { reason: row.reason, source: row.source, status: row.status });
      assert.deepEqual(d.result, row.result);
    });
  }
  it('lost a simultaneous dial: LOSE_RACE, Plivo, CallStatus cancel; the loser is CANCELled', () => {
    const d = new Drive(config(2));
    d.start();
    d.ring(1);
    const out = d.answer(0);
    assert.ok(out.includes('hangup b2 LOSE_RACE'));
    assert.deepEqual(d.end(1), { reason: 'lose-race', source: 'Plivo', status: 'cancel' });
  });
});

// ---------------------------------------------------------------------------------------------

describe('the bridge: exact effects', () => {
  it('the first to answer wins: the others lose the race, the caller is answered and bridged, answer and connected go out, the time limit starts', () => {
    const d = new Drive(config(3, { timeoutMs: 30_000, timeLimitMs: 60_000 }));
    d.start();
    d.at(1000).ring(0);
    d.at(1200).ring(2);
    assert.deepEqual(d.at(3000).answer(1), [
      'record b2 leg.answered',
      'hangup b1 LOSE_RACE',
      'unregister b1',
      ended('b1', 'lose-race', 'Plivo'),
      'hangup b3 LOSE_RACE',
      'unregister b3',
      ended('b3', 'lose-race', 'Plivo'),
      'timer.cancel ring',
      'answer-a',
      'bridge b2',
      'notify b2 answer',
      'notify b2 connected',
      'record a dial.bridged {"b_leg":"b2","position":2}',
      'timer.start limit 60000',
    ]);
    assert.deepEqual(d.at(9000).ends(1, 'normal'), [
      'unregister b2',
      ended('b2', 'normal', 'Callee'),
      'notify b2 hangup',
      'timer.cancel limit',
      ...done('completed', true, 'NORMAL_CLEARING', 'b2'),
    ]);
    assert.equal(d.state.legs[1]!.leg.answerAt, T0 + 3000);
  });

  it('two answers in one instant: the one applied first wins, the second loses the race', () => {
    const d = new Drive(config(2));
    d.start();
    d.answer(0);
    assert.deepEqual(d.answer(1), []); // b2 already lost the race when b1 won
    assert.deepEqual(d.end(1), { reason: 'lose-race', source: 'Plivo', status: 'cancel' });
  });

  it('an answer after the winner (a leg that could not be cancelled in time) is recorded, then hung up LOSE_RACE', () => {
    const d = new Drive(config(2, { confirmKey: '1' }));
    d.start();
    d.answer(0);
    d.bDigits(0, '1'); // b1 confirms: b2 is cancelled
    assert.deepEqual(d.answer(1), []);
    const e = new Drive(config(2, { confirmKey: '1', legs: config(2).legs.map((l) => ({ ...l, sendDigits: '99' })) }));
    e.start();
    e.answer(0);
    e.answer(1);
    e.bDigits(0, '1');
    // b2 answered while b1 was confirming: it confirms after b1 won and loses the race.
    assert.deepEqual(e.bDigits(1, '1'), []);
    assert.deepEqual(e.end(1), { reason: 'lose-race', source: 'Plivo', status: 'completed' });
  });
});

// ---------------------------------------------------------------------------------------------
// The timers (plivo.md §3.3: timeout, timeLimit, confirmTimeout).

describe('timers', () => {
  it('ring timeout: every leg neither bridged nor confirming is cancelled NO_ANSWER (Plivo)', () => {
    const d = new Drive(config(2, { timeoutMs: 20_000 }));
    d.start();
    d.ring(0);
    assert.deepEqual(d.at(20_000).timer('ring'), [
      'hangup b1 NO_ANSWER',
      'unregister b1',
      ended('b1', 'no-answer', 'Plivo'),
      'hangup b2 NO_ANSWER',
      'unregister b2',
      ended('b2', 'no-answer', 'Plivo'),
      ...done('no-answer', true, 'NO_ANSWER'),
    ]);
  });

  it('ring timeout spares a leg waiting for confirmKey; its own confirm timeout then ends it', () => {
    const d = new Drive(config(2, { timeoutMs: 20_000, confirmKey: '5', confirmMs: 7000 }));
    d.start();
    assert.deepEqual(d.answer(0), ['record b1 leg.answered', 'timer.start confirm:0 7000']);
    assert.deepEqual(d.timer('ring'), ['hangup b2 NO_ANSWER', 'unregister b2', ended('b2', 'no-answer', 'Plivo')]);
    // DialRingStatus is false here: b1 answered but never confirmed and sent no 180. engine.md §2 says
    // "true when any B leg rang (180/183) or answered" — today's rule counts only bridged legs as
    // answered (dial-outcome.ts). Kept as it is and named in the issue's note, not changed silently.
    assert.deepEqual(d.timer('confirm:0'), [
      'hangup b1 NO_ANSWER (BYE)',
      'unregister b1',
      ended('b1', 'no-answer', 'Plivo'),
      ...done('no-answer', false, 'NO_ANSWER'),
    ]);
    assert.equal(d.end(0)!.status, 'completed'); // answered legs always end completed
  });

  it('confirm timeout counts the confirmSound play time (config confirmMs)', () => {
    const d = new Drive(config(1, { confirmKey: '#', confirmMs: 3500 + 120_000 }));
    d.start();
    assert.deepEqual(d.answer(0), ['record b1 leg.answered', 'timer.start confirm:0 123500']);
  });

  it('the time limit runs from the bridge and ends the bridged leg ALLOTTED_TIMEOUT', () => {
    const d = new Drive(config(1, { timeLimitMs: 4000 }));
    d.start();
    assert.ok(d.answer(0).includes('timer.start limit 4000'));
    assert.deepEqual(d.timer('limit'), [
      'hangup b1 ALLOTTED_TIMEOUT (BYE)',
      'unregister b1',
      ended('b1', 'time-limit', 'Plivo'),
      'notify b1 hangup',
      ...done('completed', true, 'ALLOTTED_TIMEOUT', 'b1'),
    ]);
  });

  it('a timer that was cancelled (or fired) does nothing when it comes', () => {
    const d = new Drive(config(1, { timeoutMs: 10_000 }));
    d.start();
    d.answer(0); // the ring timer stops at the bridge
    assert.deepEqual(d.timer('ring'), []);
    assert.deepEqual(d.timer('confirm:0'), []);
    d.ends(0, 'normal');
    assert.deepEqual(d.timer('limit'), []);
  });

  it('ring timeout with no legs left ringing ends nothing twice', () => {
    const d = new Drive(config(2, { timeoutMs: 10_000 }));
    d.start();
    d.ends(0, 'busy');
    assert.deepEqual(d.timer('ring'), ['hangup b2 NO_ANSWER', 'unregister b2', ended('b2', 'no-answer', 'Plivo'), ...done('busy', false, 'USER_BUSY')]);
  });
});

// ---------------------------------------------------------------------------------------------
// The A leg ends the dial: what its end does to each B leg (engine.md §2 rows "caller hung up while
// the Dial rang", "Hangup API", "time_limit").

const A_END_ROWS: ReadonlyArray<{ name: string; reason?: EndReason; source?: HangupSource; bridged: boolean; b: { reason: string; source: string }; result: DialResult }> = [
  { name: 'caller hangs up while ringing', reason: 'normal', source: 'Caller', bridged: false, b: { reason: 'originator-cancel', source: 'Caller' }, result: { status: 'cancel', rang: true, hangupCause: 'ORIGINATOR_CANCEL', bLegUuid: '' } },
  { name: 'Hangup API while ringing', reason: 'api-hangup', source: 'API Request', bridged: false, b: { reason: 'originator-cancel', source: 'API Request' }, result: { status: 'cancel', rang: true, hangupCause: 'ORIGINATOR_CANCEL', bLegUuid: '' } },
  { name: 'the call\'s time_limit while ringing', reason: 'time-limit', source: 'Plivo', bridged: false, b: { reason: 'originator-cancel', source: 'Plivo' }, result: { status: 'cancel', rang: true, hangupCause: 'ORIGINATOR_CANCEL', bLegUuid: '' } },
  { name: 'an end with no reason known while ringing (source Caller)', bridged: false, b: { reason: 'originator-cancel', source: 'Caller' }, result: { status: 'cancel', rang: true, hangupCause: 'ORIGINATOR_CANCEL', bLegUuid: '' } },
  { name: 'caller hangs up during the bridge', reason: 'normal', source: 'Caller', bridged: true, b: { reason: 'normal', source: 'Caller' }, result: { status: 'completed', rang: true, hangupCause: 'NORMAL_CLEARING', bLegUuid: 'b1' } },
  { name: 'the call\'s time_limit during the bridge', reason: 'time-limit', source: 'Plivo', bridged: true, b: { reason: 'time-limit', source: 'Plivo' }, result: { status: 'completed', rang: true, hangupCause: 'ALLOTTED_TIMEOUT', bLegUuid: 'b1' } },
  { name: 'Hangup API during the bridge', reason: 'api-hangup', source: 'API Request', bridged: true, b: { reason: 'api-hangup', source: 'API Request' }, result: { status: 'completed', rang: true, hangupCause: 'NORMAL_CLEARING', bLegUuid: 'b1' } },
  { name: 'Hangup API (cancel) during the bridge', reason: 'api-cancel', source: 'API Request', bridged: true, b: { reason: 'api-hangup', source: 'API Request' }, result: { status: 'completed', rang: true, hangupCause: 'NORMAL_CLEARING', bLegUuid: 'b1' } },
  { name: '<Hangup/> scheduled by the XML during the bridge', reason: 'xml-hangup', source: 'Answer XML', bridged: true, b: { reason: 'normal', source: 'Answer XML' }, result: { status: 'completed', rang: true, hangupCause: 'NORMAL_CLEARING', bLegUuid: 'b1' } },
  { name: 'machine detected during the bridge', reason: 'machine-detected', source: 'Plivo', bridged: true, b: { reason: 'normal', source: 'Plivo' }, result: { status: 'completed', rang: true, hangupCause: 'NORMAL_CLEARING', bLegUuid: 'b1' } },
];

describe('the A leg ends the dial', () => {
  for (const row of A_END_ROWS) {
    it(`${row.name}: the B leg ends ${row.b.reason} (${row.b.source})`, () => {
      const d = new Drive(config(1, { timeoutMs: 30_000 }));
      d.start();
      d.ring(0);
      if (row.bridged) d.answer(0);
      const out = d.aEnded(row.reason, row.source);
      assert.deepEqual(out.slice(0, 3), [`hangup b1 ${row.result.hangupCause}${row.bridged ? ' (BYE)' : ''}`, 'unregister b1', ended('b1', row.b.reason, row.b.source)]);
      assert.deepEqual(d.result, row.result);
      // Only a dial the A leg ended before any bridge is cancelled by it.
      assert.equal(d.state.cancelledByALeg, !row.bridged);
    });
  }

  it('the caller leaves while dial.started is written: the legs end unplaced, without ringing', () => {
    const d = new Drive(config(2, { timeoutMs: 30_000 }));
    assert.deepEqual(d.aEnded('normal', 'Caller'), [
      'hangup b1 ORIGINATOR_CANCEL',
      'unregister b1',
      ended('b1', 'originator-cancel', 'Caller'),
      'hangup b2 ORIGINATOR_CANCEL',
      'unregister b2',
      ended('b2', 'originator-cancel', 'Caller'),
      ...done('cancel', false, 'ORIGINATOR_CANCEL'),
    ]);
    assert.deepEqual(d.in({ type: 'start', at: T0 }), []);
  });

  it('the A leg ending after the dial is over changes nothing', () => {
    const d = new Drive(config(1));
    d.start();
    d.ends(0, 'busy');
    assert.deepEqual(d.aEnded('normal', 'Caller'), []);
    assert.deepEqual(d.result, { status: 'busy', rang: false, hangupCause: 'USER_BUSY', bLegUuid: '' });
  });

  it('legs ended before the caller left keep their end; the dial is still cancel', () => {
    const d = new Drive(config(2));
    d.start();
    d.ends(0, 'busy');
    assert.deepEqual(d.aEnded('normal', 'Caller'), ['hangup b2 ORIGINATOR_CANCEL', 'unregister b2', ended('b2', 'originator-cancel', 'Caller'), ...done('cancel', false, 'ORIGINATOR_CANCEL')]);
    assert.deepEqual(d.end(0), { reason: 'busy', source: 'Callee', status: 'busy' });
  });
});

// ---------------------------------------------------------------------------------------------

describe('confirmKey', () => {
  it('the callee confirms: the ring timer stops only at the bridge; the confirm timer is cancelled', () => {
    const d = new Drive(config(1, { confirmKey: '5', confirmMs: 10_000, timeoutMs: 30_000 }));
    d.start();
    d.answer(0);
    assert.deepEqual(d.bDigits(0, '4'), []); // another key: still waiting
    assert.deepEqual(d.bDigits(0, '45'), [
      'timer.cancel confirm:0',
      'timer.cancel ring',
      'answer-a',
      'bridge b1',
      'notify b1 answer',
      'notify b1 connected',
      'record a dial.bridged {"b_leg":"b1","position":1}',
      `timer.start limit ${LIMIT_MS}`,
    ]);
  });

  it('two callees confirming: the first to press wins, the other loses the race', () => {
    const d = new Drive(config(2, { confirmKey: '1' }));
    d.start();
    d.answer(0);
    d.answer(1);
    const out = d.bDigits(1, '1');
    assert.deepEqual(out.slice(0, 5), ['timer.cancel confirm:1', 'hangup b1 LOSE_RACE (BYE)', 'timer.cancel confirm:0', 'unregister b1', ended('b1', 'lose-race', 'Plivo')]);
    assert.equal(d.state.winner, 1);
    assert.deepEqual(d.end(0), { reason: 'lose-race', source: 'Plivo', status: 'completed' });
  });

  it('a callee that hangs up while confirming is an ordinary end; the dial goes on', () => {
    const d = new Drive(config(2, { confirmKey: '1' }));
    d.start();
    d.answer(0);
    assert.deepEqual(d.ends(0, 'normal'), ['timer.cancel confirm:0', 'unregister b1', ended('b1', 'normal', 'Callee')]);
    d.ends(1, 'busy');
    // b1 answered but was never bridged: the dial did not complete.
    assert.deepEqual(d.result, { status: 'busy', rang: false, hangupCause: 'USER_BUSY', bLegUuid: '' });
  });
});

describe('hangupOnStar and digitsMatch', () => {
  it('hangupOnStar: the caller\'s * hangs up the callee (source Caller); the dial completes', () => {
    const d = new Drive(config(1, { hangupOnStar: true }));
    d.start();
    assert.deepEqual(d.aDigits('*'), []); // not bridged yet: nothing
    d.answer(0);
    assert.deepEqual(d.aDigits('1*'), [
      'hangup b1 NORMAL_CLEARING (BYE)',
      'unregister b1',
      ended('b1', 'normal', 'Caller'),
      'notify b1 hangup',
      'timer.cancel limit',
      ...done('completed', true, 'NORMAL_CLEARING', 'b1'),
    ]);
  });

  it('without hangupOnStar a * is just a key', () => {
    const d = new Drive(config(1, { digitsMatch: ['*9'] }));
    d.start();
    d.answer(0);
    assert.deepEqual(d.aDigits('*'), []);
    assert.deepEqual(d.aDigits('9'), ['notify b1 digits *9 by ALeg']);
  });

  it('digitsMatch: keys gather across presses; a match clears them', () => {
    const d = new Drive(config(1, { digitsMatch: ['123', '77'] }));
    d.start();
    d.answer(0);
    assert.deepEqual(d.aDigits('1'), []);
    assert.deepEqual(d.aDigits('2'), []);
    assert.equal(d.state.aDigits, '12');
    assert.deepEqual(d.aDigits('3'), ['notify b1 digits 123 by ALeg']);
    assert.equal(d.state.aDigits, '');
    assert.deepEqual(d.aDigits('7'), []);
    assert.deepEqual(d.aDigits('7'), ['notify b1 digits 77 by ALeg']);
  });

  it('digitsMatchBLeg: the bridged callee\'s keys', () => {
    const d = new Drive(config(2, { digitsMatchBLeg: ['#0'] }));
    d.start();
    d.answer(1);
    assert.deepEqual(d.bDigits(1, '#'), []);
    assert.deepEqual(d.bDigits(1, '0'), ['notify b2 digits #0 by BLeg']);
  });

  it('keys before the bridge do not count', () => {
    const d = new Drive(config(1, { digitsMatch: ['1'], digitsMatchBLeg: ['1'] }));
    d.start();
    d.early(0);
    assert.deepEqual(d.aDigits('1'), []);
    assert.deepEqual(d.bDigits(0, '1'), []);
  });
});

describe('sendDigits and early media', () => {
  const withDigits = (pre: boolean) => config(1, { legs: [{ uuid: 'b1', position: 1, to: '15550001', sendDigits: '1w2', sendOnPreanswer: pre }] });

  it('sendDigits goes out on answer, before the bridge', () => {
    const d = new Drive(withDigits(false));
    d.start();
    assert.deepEqual(d.early(0).slice(0, 1), ['record b1 leg.ringing {"early":true}']);
    assert.deepEqual(d.answer(0).slice(0, 3), ['record b1 leg.answered', 'send-digits b1 1w2', 'record b1 leg.digits-sent {"digits":"1w2"}']);
  });

  it('sendOnPreanswer: on the callee\'s early media, and not again on answer', () => {
    const d = new Drive(withDigits(true));
    d.start();
    assert.deepEqual(d.early(0), ['record b1 leg.ringing {"early":true}', 'send-digits b1 1w2', 'record b1 leg.digits-sent {"digits":"1w2"}', 'early-media b1']);
    assert.ok(!d.answer(0).includes('send-digits b1 1w2'));
  });

  it('the caller hears a callee\'s early media unless the Dial plays dialMusic', () => {
    const d = new Drive(config(1));
    d.start();
    assert.deepEqual(d.early(0), ['record b1 leg.ringing {"early":true}', 'early-media b1']);
    const m = new Drive(config(1, { callerHearsEarlyMedia: false }));
    m.start();
    assert.deepEqual(m.early(0), ['record b1 leg.ringing {"early":true}']);
  });

  it('a 180 is recorded once; a 183 after it changes nothing', () => {
    const d = new Drive(config(1));
    d.start();
    assert.deepEqual(d.ring(0), ['record b1 leg.ringing {"early":false}']);
    assert.deepEqual(d.early(0), []);
  });
});

describe('the transfer API takes the bridged callee', () => {
  it('the dial completes with the callee still up; later inputs for it are not the Dial\'s', () => {
    const d = new Drive(config(2));
    d.start();
    d.answer(0);
    assert.deepEqual(d.transfer(), [
      'unregister b1',
      'record a dial.transferred {"b_leg":"b1"}',
      'timer.cancel limit',
      ...done('completed', true, 'NORMAL_CLEARING', 'b1'),
    ]);
    assert.deepEqual(d.ends(0, 'normal'), []);
    assert.equal(d.state.legs[0]!.leg.phase, 'answered');
  });

  it('nothing to transfer before a bridge, or twice', () => {
    const d = new Drive(config(1));
    d.start();
    assert.deepEqual(d.transfer(), []);
    d.answer(0);
    d.transfer();
    assert.deepEqual(d.transfer(), []);
  });
});

describe('purity', () => {
  it('nextDial leaves its input state alone and answers the same for the same input', () => {
    const d = new Drive(config(2, { timeoutMs: 1000 }));
    d.start();
    const before = JSON.stringify(d.state);
    const a = nextDial(d.config, d.state, { type: 'leg', leg: 0, input: { type: 'network', event: { type: 'answered' }, at: T0 } });
    const b = nextDial(d.config, d.state, { type: 'leg', leg: 0, input: { type: 'network', event: { type: 'answered' }, at: T0 } });
    assert.equal(JSON.stringify(d.state), before);
    assert.deepEqual(a, b);
  });
});

// ---------------------------------------------------------------------------------------------
// Inputs of one instant (dial-machine.ts, "Order"): applied in arrival order, each to completion. On
// the VirtualClock the timers of an instant arrive before its network events.

const SAME_INSTANT: ReadonlyArray<{ name: string; order: ReadonlyArray<(d: Drive) => unknown>; result: DialResult; b1: string }> = [
  { name: 'ring timeout, then an answer: the leg is cancelled, the answer meets an ended leg', order: [(d) => d.timer('ring'), (d) => d.answer(0)], result: { status: 'no-answer', rang: true, hangupCause: 'NO_ANSWER', bLegUuid: '' }, b1: 'no-answer' },
  { name: 'an answer, then the ring timeout: bridged, the timer was cancelled', order: [(d) => d.answer(0), (d) => d.timer('ring'), (d) => d.ends(0, 'normal')], result: { status: 'completed', rang: true, hangupCause: 'NORMAL_CLEARING', bLegUuid: 'b1' }, b1: 'normal' },
  { name: 'the A leg ends (call time_limit), then an answer: cancel', order: [(d) => d.aEnded('time-limit', 'Plivo'), (d) => d.answer(0)], result: { status: 'cancel', rang: true, hangupCause: 'ORIGINATOR_CANCEL', bLegUuid: '' }, b1: 'originator-cancel' },
  { name: 'an answer, then the A leg ends: completed, the callee hung up by the caller', order: [(d) => d.answer(0), (d) => d.aEnded('normal', 'Caller')], result: { status: 'completed', rang: true, hangupCause: 'NORMAL_CLEARING', bLegUuid: 'b1' }, b1: 'normal' },
  { name: 'time limit, then the callee hangs up: ALLOTTED_TIMEOUT', order: [(d) => d.answer(0), (d) => d.timer('limit'), (d) => d.ends(0, 'normal')], result: { status: 'completed', rang: true, hangupCause: 'ALLOTTED_TIMEOUT', bLegUuid: 'b1' }, b1: 'time-limit' },
  { name: 'the callee hangs up, then the time limit: NORMAL_CLEARING', order: [(d) => d.answer(0), (d) => d.ends(0, 'normal'), (d) => d.timer('limit')], result: { status: 'completed', rang: true, hangupCause: 'NORMAL_CLEARING', bLegUuid: 'b1' }, b1: 'normal' },
  { name: 'busy, then the A leg ends: cancel all the same', order: [(d) => d.ends(0, 'busy'), (d) => d.aEnded('normal', 'Caller')], result: { status: 'cancel', rang: true, hangupCause: 'ORIGINATOR_CANCEL', bLegUuid: '' }, b1: 'busy' },
];

describe('inputs of one instant, in arrival order', () => {
  for (const row of SAME_INSTANT) {
    it(row.name, () => {
      const d = new Drive(config(2, { timeoutMs: 10_000, timeLimitMs: 10_000 }));
      d.start();
      d.ring(1);
      d.at(10_000);
      for (const step of row.order) step(d);
      if (d.state.phase !== 'done') d.ends(1, 'no-user-response');
      assert.equal(d.end(0)!.reason, row.b1);
      assert.deepEqual(d.result, row.result);
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Replay (dial-replay.ts): the events each Dial above would have stored rebuild its state.

describe('replay from the stored events', () => {
  it('every Dial driven by the tables above replays to the same legs and result', (t) => {
    assert.ok(drives.length > 100, `${drives.length} dials`);
    for (const d of drives) d.replays();
    t.diagnostic(`${drives.length} dials replayed`);
  });

  it('an event the machine would not record fails the replay', () => {
    const d = new Drive(config(2));
    d.start();
    d.answer(0);
    d.ends(0, 'normal');
    const tampered = d.log.map((e) => (e.type === 'leg.ended' && e.call_uuid === 'b2' ? { ...e, data: { reason: 'busy', source: 'Callee' } } : e));
    assert.throws(() => replayDial('a', d.config, tampered), ReplayError);
    const missing = d.log.filter((e) => e.type !== 'dial.connected');
    assert.throws(() => replayDial('a', d.config, missing), ReplayError);
    const wrongResult = d.log.map((e) => (e.type === 'dial.ended' ? { ...e, data: { ...(e.data as object), status: 'busy' } } : e));
    assert.throws(() => replayDial('a', d.config, wrongResult), ReplayError);
  });

  it('a timer expiry is read back from the end it caused', () => {
    const d = new Drive(config(2, { timeoutMs: 5000, confirmKey: '1' }));
    d.start();
    d.ring(1);
    d.answer(0);
    d.timer('ring');
    d.timer('confirm:0');
    const r = replayDial('a', d.config, d.log);
    assert.deepEqual(r.result, { status: 'no-answer', rang: true, hangupCause: 'NO_ANSWER', bLegUuid: '' });
    assert.deepEqual(r.timers, []);
  });
});
