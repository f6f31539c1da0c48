/**
 * The pure status rules of engine.md §2 as tables: `dialOutcome()` (DialStatus, DialRingStatus,
 * DialHangupCause, DialBLegUUID) and the Leg machine `nextLeg()` (one end per leg, its source,
 * its CallStatus). The expected values are spelled here from the spec, not read from CAUSES, so a
 * wrong row in the cause table shows up as a failing case.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { dialOutcome, type DialLegView } from '../src/calls/dial-outcome.ts';
import type { EndReason, HangupSource } from '../src/domain/causes.ts';
import { initialLeg, nextLeg, type FarParty, type LegEffect, type LegInput, type LegState } from '../src/calls/leg-machine.ts';
import type { LegEvent } from '../src/network/network.ts';

const SEED = 20240611;

function leg(uuid: string, endReason: EndReason | undefined, opts: { rang?: boolean; bridged?: boolean } = {}): DialLegView {
  return { uuid, rang: opts.rang ?? false, bridged: opts.bridged ?? false, ...(endReason !== undefined && { endReason }) };
}

describe('dialOutcome: a bridged B leg', () => {
  const cases: Array<{ name: string; legs: DialLegView[]; cancelled: boolean; cause: string; uuid: string }> = [
    { name: 'callee hung up', legs: [leg('b1', 'normal', { bridged: true })], cancelled: false, cause: 'NORMAL_CLEARING', uuid: 'b1' },
    { name: 'Dial timeLimit cut the call', legs: [leg('b1', 'time-limit', { bridged: true })], cancelled: false, cause: 'ALLOTTED_TIMEOUT', uuid: 'b1' },
    { name: 'Hangup API after answer', legs: [leg('b1', 'api-hangup', { bridged: true })], cancelled: false, cause: 'NORMAL_CLEARING', uuid: 'b1' },
    { name: 'still up (no end yet)', legs: [leg('b1', undefined, { bridged: true })], cancelled: false, cause: 'NORMAL_CLEARING', uuid: 'b1' },
    {
      name: 'the others lost the race and one was busy',
      legs: [leg('b1', 'lose-race', { rang: true }), leg('b2', 'normal', { bridged: true }), leg('b3', 'busy')],
      cancelled: false,
      cause: 'NORMAL_CLEARING',
      uuid: 'b2',
    },
    // The caller hanging up on a bridged call does not turn the dial into a cancel.
    { name: 'caller hung up during the bridge', legs: [leg('b1', 'normal', { bridged: true })], cancelled: true, cause: 'NORMAL_CLEARING', uuid: 'b1' },
    { name: 'A leg time limit during the bridge', legs: [leg('b1', 'time-limit', { bridged: true }), leg('b2', 'lose-race')], cancelled: true, cause: 'ALLOTTED_TIMEOUT', uuid: 'b1' },
  ];
  for (const c of cases) {
    it(`completed: ${c.name}`, () => {
      assert.deepEqual(dialOutcome(c.legs, c.cancelled), { status: 'completed', rang: true, hangupCause: c.cause, bLegUuid: c.uuid });
    });
  }
});

describe('dialOutcome: the A leg ended the dial first', () => {
  const cases: Array<{ name: string; legs: DialLegView[]; rang: boolean }> = [
    { name: 'one leg ringing', legs: [leg('b1', 'originator-cancel', { rang: true })], rang: true },
    { name: 'one leg still trying', legs: [leg('b1', 'originator-cancel')], rang: false },
    // A busy leg would win the furthest-leg rule; cancel still comes first.
    { name: 'one busy, one cancelled', legs: [leg('b1', 'busy'), leg('b2', 'originator-cancel')], rang: false },
    { name: 'a rejected leg had rung', legs: [leg('b1', 'rejected', { rang: true }), leg('b2', 'originator-cancel')], rang: true },
    { name: 'every leg had already failed', legs: [leg('b1', 'unallocated'), leg('b2', 'timeout')], rang: false },
  ];
  for (const c of cases) {
    it(`cancel: ${c.name}`, () => {
      assert.deepEqual(dialOutcome(c.legs, true), { status: 'cancel', rang: c.rang, hangupCause: 'ORIGINATOR_CANCEL', bLegUuid: '' });
    });
  }
});

describe('dialOutcome: no B leg answered, the furthest leg decides', () => {
  // [reason, DialStatus, DialHangupCause] for a single leg, straight from the table.
  const single: Array<[EndReason, string, string]> = [
    ['busy', 'busy', 'USER_BUSY'],
    ['rejected', 'busy', 'CALL_REJECTED'],
    ['no-answer', 'no-answer', 'NO_ANSWER'],
    ['no-user-response', 'no-answer', 'NO_USER_RESPONSE'],
    ['timeout', 'timeout', 'RECOVERY_ON_TIMER_EXPIRE'],
    ['unallocated', 'failed', 'UNALLOCATED_NUMBER'],
    ['out-of-order', 'failed', 'DESTINATION_OUT_OF_ORDER'],
    ['network-failure', 'failed', 'NORMAL_TEMPORARY_FAILURE'],
    ['engine-restart', 'failed', 'NORMAL_TEMPORARY_FAILURE'],
  ];
  for (const [reason, status, cause] of single) {
    for (const rang of [false, true]) {
      it(`one leg ended ${reason}${rang ? ' after ringing' : ''} -> ${status}, ${cause}`, () => {
        assert.deepEqual(dialOutcome([leg('b1', reason, { rang })], false), { status, rang, hangupCause: cause, bLegUuid: '' });
      });
    }
  }

  const ranked: EndReason[] = ['busy', 'no-answer', 'timeout', 'unallocated'];
  const expected: Record<string, string> = { busy: 'busy', 'no-answer': 'no-answer', timeout: 'timeout', unallocated: 'failed' };
  for (const [i, better] of ranked.entries()) {
    for (const worse of ranked.slice(i + 1)) {
      for (const order of ['better first', 'better last'] as const) {
        it(`tie on ringing: ${better} beats ${worse} (${order})`, () => {
          const legs = order === 'better first' ? [leg('b1', better), leg('b2', worse)] : [leg('b1', worse), leg('b2', better)];
          assert.equal(dialOutcome(legs, false).status, expected[better]);
          const rung = legs.map((l) => ({ ...l, rang: true }));
          assert.equal(dialOutcome(rung, false).status, expected[better]);
        });
        it(`ringing beats trying: a ${worse} leg that rang beats a ${better} leg that did not (${order})`, () => {
          const legs = order === 'better first' ? [leg('b1', better), leg('b2', worse, { rang: true })] : [leg('b1', worse, { rang: true }), leg('b2', better)];
          const out = dialOutcome(legs, false);
          assert.equal(out.status, expected[worse]);
          assert.equal(out.rang, true);
        });
      }
    }
  }

  it('equal legs: the first in document order gives the cause', () => {
    assert.equal(dialOutcome([leg('b1', 'rejected'), leg('b2', 'busy')], false).hangupCause, 'CALL_REJECTED');
    assert.equal(dialOutcome([leg('b1', 'busy'), leg('b2', 'rejected')], false).hangupCause, 'USER_BUSY');
    assert.equal(dialOutcome([leg('b1', 'out-of-order'), leg('b2', 'unallocated')], false).hangupCause, 'DESTINATION_OUT_OF_ORDER');
  });

  it('the deciding cause follows the deciding leg, not the last one to end', () => {
    const out = dialOutcome([leg('b1', 'no-answer', { rang: true }), leg('b2', 'unallocated'), leg('b3', 'timeout')], false);
    assert.deepEqual(out, { status: 'no-answer', rang: true, hangupCause: 'NO_ANSWER', bLegUuid: '' });
  });

  it('DialRingStatus is true when any leg rang, even one that did not decide', () => {
    const out = dialOutcome([leg('b1', 'busy'), leg('b2', 'unallocated', { rang: true })], false);
    assert.equal(out.rang, true);
    assert.equal(out.status, 'failed');
  });

  it('a dial with no legs at all is failed', () => {
    assert.deepEqual(dialOutcome([], false), { status: 'failed', rang: false, hangupCause: 'NORMAL_TEMPORARY_FAILURE', bLegUuid: '' });
  });

  // engine.md §2: "completed whenever a B leg answered"; a far end that sends NORMAL_CLEARING before
  // answering (the simulator's `fail NORMAL_CLEARING`, a SIP final response with Reason: Q.850;cause=16)
  // answered nothing, so the dial cannot be completed. dial-outcome.ts reads CAUSES.normal.dialStatus
  // ('completed') for an unbridged leg.
  it('an unanswered leg that ended NORMAL_CLEARING does not make the dial completed', () => {
    const out = dialOutcome([leg('b1', 'normal', { rang: true })], false);
    assert.notEqual(out.status, 'completed');
    assert.equal(out.bLegUuid, '');
  });
});

describe('dialOutcome: properties', () => {
  const reasons: EndReason[] = ['busy', 'rejected', 'no-answer', 'no-user-response', 'timeout', 'unallocated', 'out-of-order', 'network-failure'];
  const unanswered = fc.array(
    fc.record({ reason: fc.constantFrom(...reasons), rang: fc.boolean() }),
    { minLength: 1, maxLength: 6 },
  );

  it('DialStatus and DialRingStatus do not depend on the order of the Numbers', () => {
    fc.assert(
      fc.property(unanswered, fc.nat(), (specs, shift) => {
        const legs = specs.map((s, i) => leg(`b${i}`, s.reason, { rang: s.rang }));
        const rotated = legs.map((_, i) => legs[(i + shift) % legs.length]!);
        const a = dialOutcome(legs, false);
        const b = dialOutcome(rotated, false);
        assert.equal(a.status, b.status);
        assert.equal(a.rang, b.rang);
        assert.equal(a.bLegUuid, '');
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('one bridged leg anywhere makes the dial completed with its UUID', () => {
    fc.assert(
      fc.property(unanswered, fc.nat(), fc.boolean(), (specs, at, cancelled) => {
        const legs = specs.map((s, i) => leg(`b${i}`, s.reason, { rang: s.rang }));
        const pos = at % (legs.length + 1);
        legs.splice(pos, 0, leg('winner', 'normal', { bridged: true }));
        assert.deepEqual(dialOutcome(legs, cancelled), { status: 'completed', rang: true, hangupCause: 'NORMAL_CLEARING', bLegUuid: 'winner' });
      }),
      { seed: SEED, numRuns: 200 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// The Leg machine.

function run(farParty: FarParty, inputs: readonly LegInput[]): { state: LegState; effects: LegEffect[] } {
  let state = initialLeg(farParty);
  const effects: LegEffect[] = [];
  for (const input of inputs) {
    const step = nextLeg(state, input);
    state = step.state;
    effects.push(...step.effects);
  }
  return { state, effects };
}

const net = (event: LegEvent, at: number): LegInput => ({ type: 'network', event, at });
const local = (reason: EndReason, at: number, source?: HangupSource): LegInput =>
  source === undefined ? { type: 'end', reason, at } : { type: 'end', reason, at, source };
const endedEffects = (effects: readonly LegEffect[]) => effects.filter((e): e is Extract<LegEffect, { type: 'ended' }> => e.type === 'ended');

describe('nextLeg: the ordinary life of a leg', () => {
  it('queued -> trying -> ringing -> answered -> ended by the far end', () => {
    const steps: Array<[LegInput, string, string[]]> = [
      [{ type: 'originated', at: 0 }, 'trying', []],
      [net({ type: 'ringing' }, 1000), 'ringing', ['ringing']],
      [net({ type: 'answered' }, 3000), 'answered', ['answered']],
      [net({ type: 'ended', reason: 'normal' }, 13000), 'ended', ['ended']],
    ];
    let state = initialLeg('Callee');
    for (const [input, phase, effects] of steps) {
      const step = nextLeg(state, input);
      state = step.state;
      assert.equal(state.phase, phase);
      assert.deepEqual(step.effects.map((e) => e.type), effects);
    }
    assert.equal(state.ringAt, 1000);
    assert.equal(state.answerAt, 3000);
    assert.deepEqual(state.end, { reason: 'normal', source: 'Callee', at: 13000, status: 'completed', local: false });
  });

  it('only the first 180/183 is reported, with whether it was early media', () => {
    const { state, effects } = run('Callee', [
      { type: 'originated', at: 0 },
      net({ type: 'early-media' }, 500),
      net({ type: 'ringing' }, 900),
      net({ type: 'early-media' }, 1200),
    ]);
    assert.deepEqual(effects, [{ type: 'ringing', early: true }]);
    assert.equal(state.rang, true);
    assert.equal(state.ringAt, 500);
    assert.equal(state.phase, 'early');
  });

  it('alerting after the answer changes nothing', () => {
    const { state, effects } = run('Callee', [net({ type: 'answered' }, 100), net({ type: 'ringing' }, 200)]);
    assert.deepEqual(effects.map((e) => e.type), ['answered']);
    assert.equal(state.phase, 'answered');
    assert.equal(state.rang, false);
  });

  it('a second answer (network or engine) is ignored', () => {
    const { state, effects } = run('Caller', [{ type: 'answer', at: 100 }, net({ type: 'answered' }, 200), { type: 'answer', at: 300 }]);
    assert.deepEqual(effects.map((e) => e.type), ['answered']);
    assert.equal(state.answerAt, 100);
  });

  it('digits count only once answered or in early media', () => {
    const keys = (inputs: LegInput[]) => run('Callee', inputs).effects.filter((e) => e.type === 'digits').length;
    assert.equal(keys([net({ type: 'digits', digits: '1' }, 0)]), 0);
    assert.equal(keys([net({ type: 'ringing' }, 0), net({ type: 'digits', digits: '1' }, 1)]), 0);
    assert.equal(keys([net({ type: 'early-media' }, 0), net({ type: 'digits', digits: '1' }, 1)]), 1);
    assert.equal(keys([net({ type: 'answered' }, 0), net({ type: 'digits', digits: '1' }, 1)]), 1);
  });

  it('originated only moves a queued leg', () => {
    const { state } = run('Callee', [net({ type: 'ringing' }, 0), { type: 'originated', at: 1 }]);
    assert.equal(state.phase, 'ringing');
  });
});

describe('nextLeg: who ended it, and how', () => {
  it('a normal far-end hangup names the far party', () => {
    for (const far of ['Caller', 'Callee'] as const) {
      const { state } = run(far, [net({ type: 'answered' }, 0), net({ type: 'ended', reason: 'normal' }, 5000)]);
      assert.equal(state.end?.source, far);
    }
  });

  // [network reason, source, CallStatus before answer] per engine.md §2.
  const remote: Array<[Extract<LegEvent, { type: 'ended' }>['reason'], string, string]> = [
    ['busy', 'Callee', 'busy'],
    ['rejected', 'Callee', 'busy'],
    ['no-user-response', 'Callee', 'no-answer'],
    ['timeout', 'Carrier', 'timeout'],
    ['unallocated', 'Carrier', 'failed'],
    ['out-of-order', 'Carrier', 'failed'],
    ['network-failure', 'Carrier', 'failed'],
  ];
  for (const [reason, source, status] of remote) {
    it(`far end ${reason}: source ${source}, CallStatus ${status}, no network-end`, () => {
      for (const far of ['Caller', 'Callee'] as const) {
        const { state, effects } = run(far, [{ type: 'originated', at: 0 }, net({ type: 'ended', reason }, 700)]);
        assert.deepEqual(effects.map((e) => e.type), ['ended']);
        assert.deepEqual(state.end, { reason, source, at: 700, status, local: false });
      }
    });
  }

  // [local reason, default source, cause on the wire, CallStatus before answer].
  const locals: Array<[EndReason, string, string, string]> = [
    ['no-answer', 'Plivo', 'NO_ANSWER', 'no-answer'],
    ['lose-race', 'Plivo', 'LOSE_RACE', 'cancel'],
    ['originator-cancel', 'Caller', 'ORIGINATOR_CANCEL', 'cancel'],
    ['api-cancel', 'API Request', 'ORIGINATOR_CANCEL', 'cancel'],
    ['ring-timeout', 'Plivo', 'NO_ANSWER', 'no-answer'],
    ['hangup-on-ring', 'Plivo', 'ORIGINATOR_CANCEL', 'cancel'],
    ['xml-busy', 'Answer XML', 'USER_BUSY', 'busy'],
    ['xml-rejected', 'Answer XML', 'CALL_REJECTED', 'failed'],
    ['network-failure', 'Carrier', 'NORMAL_TEMPORARY_FAILURE', 'failed'],
  ];
  for (const [reason, source, cause, status] of locals) {
    it(`engine ends an unanswered leg with ${reason}: network-end ${cause}, then ended (${source}, ${status})`, () => {
      const { state, effects } = run('Callee', [{ type: 'originated', at: 0 }, net({ type: 'ringing' }, 10), local(reason, 900)]);
      assert.deepEqual(effects.slice(1), [
        { type: 'network-end', cause, answered: false },
        { type: 'ended', end: { reason, source, at: 900, status, local: true } },
      ]);
      assert.equal(state.phase, 'ended');
    });
  }

  // After answer every end is `completed` (engine.md §2 "A-leg CallStatus" column and finalCallStatus).
  const afterAnswer: Array<[EndReason, string, string]> = [
    ['time-limit', 'ALLOTTED_TIMEOUT', 'Plivo'],
    ['api-hangup', 'NORMAL_CLEARING', 'API Request'],
    ['end-of-xml', 'NORMAL_CLEARING', 'Plivo'],
    ['xml-hangup', 'NORMAL_CLEARING', 'Answer XML'],
    ['answer-url-failed', 'NORMAL_TEMPORARY_FAILURE', 'Error'],
    ['invalid-xml', 'NORMAL_TEMPORARY_FAILURE', 'Error'],
    ['action-failed', 'NORMAL_TEMPORARY_FAILURE', 'Error'],
    ['lose-race', 'LOSE_RACE', 'Plivo'],
    ['normal', 'NORMAL_CLEARING', 'Callee'],
  ];
  for (const [reason, cause, source] of afterAnswer) {
    it(`engine ends an answered leg with ${reason}: BYE ${cause}, CallStatus completed`, () => {
      const { state, effects } = run('Callee', [net({ type: 'answered' }, 0), local(reason, 4000)]);
      assert.deepEqual(effects.slice(1), [
        { type: 'network-end', cause, answered: true },
        { type: 'ended', end: { reason, source, at: 4000, status: 'completed', local: true } },
      ]);
      assert.equal(state.end?.status, 'completed');
    });
  }

  it('an explicit source wins over the table default', () => {
    const { state } = run('Callee', [net({ type: 'ringing' }, 0), local('originator-cancel', 5, 'API Request')]);
    assert.equal(state.end?.source, 'API Request');
    const byCaller = run('Callee', [net({ type: 'answered' }, 0), local('normal', 5, 'Caller')]);
    assert.equal(byCaller.state.end?.source, 'Caller');
  });

  it('far-end answered ends are completed whatever the reason', () => {
    for (const reason of ['normal', 'busy', 'timeout', 'network-failure'] as const) {
      const { state } = run('Caller', [net({ type: 'answered' }, 0), net({ type: 'ended', reason }, 10)]);
      assert.equal(state.end?.status, 'completed', reason);
    }
  });
});

describe('nextLeg: exactly one end, whatever follows', () => {
  const netReason = fc.constantFrom<Extract<LegEvent, { type: 'ended' }>['reason']>(
    'normal', 'busy', 'rejected', 'no-user-response', 'timeout', 'unallocated', 'out-of-order', 'network-failure',
  );
  const localReason = fc.constantFrom<EndReason>(
    'normal', 'no-answer', 'lose-race', 'originator-cancel', 'api-cancel', 'api-hangup', 'time-limit', 'end-of-xml', 'xml-hangup', 'ring-timeout',
  );
  const input: fc.Arbitrary<(at: number) => LegInput> = fc.oneof(
    fc.constant((at: number): LegInput => ({ type: 'originated', at })),
    fc.constant((at: number): LegInput => ({ type: 'answer', at })),
    fc.constantFrom<LegEvent>({ type: 'ringing' }, { type: 'early-media' }, { type: 'answered' }, { type: 'digits', digits: '5' }).map(
      (event) => (at: number) => net(event, at),
    ),
    netReason.map((reason) => (at: number) => net({ type: 'ended', reason }, at)),
    localReason.map((reason) => (at: number) => local(reason, at)),
  );

  it('at most one ended effect; exactly one once any end came in; nothing at all after it', () => {
    fc.assert(
      fc.property(fc.constantFrom<FarParty>('Caller', 'Callee'), fc.array(input, { maxLength: 14 }), (far, makers) => {
        const inputs = makers.map((make, i) => make(i * 100));
        let state = initialLeg(far);
        let ends = 0;
        let firstEnd = -1;
        for (const [i, inp] of inputs.entries()) {
          const before = state;
          const step = nextLeg(state, inp);
          state = step.state;
          const n = endedEffects(step.effects).length;
          if (before.phase === 'ended') {
            assert.deepEqual(step.effects, [], `input #${i} after the end produced effects`);
            assert.equal(step.state, before, 'an ended leg never changes');
          }
          if (n > 0) {
            ends += n;
            if (firstEnd < 0) firstEnd = i;
            // network-end (if any) comes before ended, and only for an end the engine asked for.
            const types = step.effects.map((e) => e.type);
            assert.deepEqual(types, inp.type === 'end' ? ['network-end', 'ended'] : ['ended']);
          }
        }
        const shouldEnd = inputs.some((inp) => inp.type === 'end' || (inp.type === 'network' && inp.event.type === 'ended'));
        assert.equal(ends, shouldEnd ? 1 : 0);
        if (shouldEnd) {
          assert.equal(state.phase, 'ended');
          assert.equal(state.end?.at, firstEnd * 100);
          const answered = inputs.slice(0, firstEnd).some((inp) => inp.type === 'answer' || (inp.type === 'network' && inp.event.type === 'answered'));
          if (answered) assert.equal(state.end?.status, 'completed');
        }
      }),
      { seed: SEED, numRuns: 500 },
    );
  });
});
