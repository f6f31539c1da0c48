import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VirtualClock } from '../src/clock.ts';
import type { LegEvent } from '../src/network/network.ts';
import { ScriptError, SimulatedNetwork, seededRandom } from '../src/network/simulated/index.ts';
import { advanceBy, makeNetwork, record, runAll, settle, types } from './sim-helpers.ts';

const ringing: LegEvent = { type: 'ringing' };
const early: LegEvent = { type: 'early-media' };
const answered: LegEvent = { type: 'answered' };
const ended = (reason: Extract<LegEvent, { type: 'ended' }>['reason']): LegEvent => ({ type: 'ended', reason });
const digits = (d: string): LegEvent => ({ type: 'digits', digits: d });

/** Originates one call to a number with `script` and plays it out. */
async function play(script: string, opts: { networkTimeoutMs?: number; seed?: number } = {}) {
  const clock = new VirtualClock();
  const net = makeNetwork(clock, { '15550001': script }, opts);
  const leg = net.originate({ from: '15550000', to: '+15550001' });
  const seen = record(leg, clock);
  await runAll(clock);
  return { clock, net, leg, seen };
}

describe('simulated network: outbound steps (engine.md §4)', () => {
  it('plays the default script for a number without one', async () => {
    const clock = new VirtualClock();
    const net = makeNetwork(clock);
    const leg = net.originate({ from: '15550000', to: '15559999' });
    const seen = record(leg, clock);
    await runAll(clock);
    assert.deepEqual(seen, [
      { t: 0, event: ringing },
      { t: 1000, event: answered },
      { t: 31_000, event: ended('normal') },
    ]);
    assert.equal(leg.state, 'ended');
    assert.equal(net.liveLegs(), 0);
  });

  const cases: Array<[string, Array<{ t: number; event: LegEvent }>, string]> = [
    ['ring 2s, answer', [{ t: 0, event: ringing }, { t: 2000, event: answered }], 'answered'],
    ['early 3s, answer', [{ t: 0, event: early }, { t: 3000, event: answered }], 'answered'],
    ['ring 1s, early 2s, answer', [{ t: 0, event: ringing }, { t: 1000, event: early }, { t: 3000, event: answered }], 'answered'],
    ['ring 1s, ring 1s, answer', [{ t: 0, event: ringing }, { t: 2000, event: answered }], 'answered'],
    ['ring, answer', [{ t: 0, event: ringing }, { t: 0, event: answered }], 'answered'],
    ['answer', [{ t: 0, event: answered }], 'answered'],
    ['ring 500ms, answer, hangup after 1.5m', [{ t: 0, event: ringing }, { t: 500, event: answered }, { t: 90_500, event: ended('normal') }], 'ended'],
    ['busy', [{ t: 0, event: ended('busy') }], 'ended'],
    ['ring 2s, busy', [{ t: 0, event: ringing }, { t: 2000, event: ended('busy') }], 'ended'],
    ['ring 2s, reject', [{ t: 0, event: ringing }, { t: 2000, event: ended('rejected') }], 'ended'],
    ['reject', [{ t: 0, event: ended('rejected') }], 'ended'],
    ['fail', [{ t: 0, event: ended('network-failure') }], 'ended'],
    ['early 1s, fail UNALLOCATED_NUMBER', [{ t: 0, event: early }, { t: 1000, event: ended('unallocated') }], 'ended'],
    ['no-answer', [{ t: 0, event: ringing }], 'ringing'],
    ['ring 2s, no-answer', [{ t: 0, event: ringing }], 'ringing'],
    ['early 1s, no-answer', [{ t: 0, event: early }], 'early'],
    ['ring 2s', [{ t: 0, event: ringing }], 'ringing'],
    ['timeout', [{ t: 32_000, event: ended('timeout') }], 'ended'],
    ['ring 3s, timeout', [{ t: 0, event: ringing }, { t: 35_000, event: ended('timeout') }], 'ended'],
    [
      'ring 2s, answer, digits 12w3W4 after 1s',
      [
        { t: 0, event: ringing },
        { t: 2000, event: answered },
        { t: 3000, event: digits('12') },
        { t: 3500, event: digits('3') },
        { t: 4500, event: digits('4') },
      ],
      'answered',
    ],
    ['answer, digits Ww#* after 1s', [{ t: 0, event: answered }, { t: 2500, event: digits('#*') }], 'answered'],
    [
      // Offsets count from the answer, whatever the order of the steps.
      'ring 1s, answer, hangup after 5s, digits 9 after 3s',
      [{ t: 0, event: ringing }, { t: 1000, event: answered }, { t: 4000, event: digits('9') }, { t: 6000, event: ended('normal') }],
      'ended',
    ],
    ['answer, digits 5 after 2s, hangup after 2s', [{ t: 0, event: answered }, { t: 2000, event: digits('5') }, { t: 2000, event: ended('normal') }], 'ended'],
    ['answer, hangup after 2s, digits 5 after 2s', [{ t: 0, event: answered }, { t: 2000, event: ended('normal') }], 'ended'],
    ['answer, hangup after 2s, digits 5 after 9s', [{ t: 0, event: answered }, { t: 2000, event: ended('normal') }], 'ended'],
  ];
  for (const [script, expected, state] of cases) {
    it(`"${script}"`, async () => {
      const { seen, leg, clock, net } = await play(script);
      assert.deepEqual(seen, expected);
      assert.equal(leg.state, state);
      assert.equal(clock.nextAt(), undefined, 'no timer left behind');
      assert.equal(net.liveLegs(), state === 'ended' ? 0 : 1);
    });
  }

  it('maps every fail cause through the cause table (engine.md §2)', async () => {
    const expected: Record<string, string> = {
      NORMAL_CLEARING: 'normal',
      USER_BUSY: 'busy',
      CALL_REJECTED: 'rejected',
      NO_USER_RESPONSE: 'no-user-response',
      NO_ANSWER: 'no-user-response',
      RECOVERY_ON_TIMER_EXPIRE: 'timeout',
      UNALLOCATED_NUMBER: 'unallocated',
      DESTINATION_OUT_OF_ORDER: 'out-of-order',
      NORMAL_TEMPORARY_FAILURE: 'network-failure',
    };
    for (const [cause, reason] of Object.entries(expected)) {
      const { seen } = await play(`fail ${cause.toLowerCase()}`);
      assert.deepEqual(types(seen), [`ended:${reason}`], cause);
    }
  });

  it('waits networkTimeoutMs for `timeout`', async () => {
    const { seen } = await play('timeout', { networkTimeoutMs: 5000 });
    assert.deepEqual(seen, [{ t: 5000, event: ended('timeout') }]);
  });

  it('draws a range from the seed: the same seed gives the same time', async () => {
    const { seen } = await play('ring 2-5s, answer', { seed: 42 });
    const expectedAnswer = seededRandom(42).int(2000, 5000);
    assert.equal(expectedAnswer, 3803);
    assert.deepEqual(seen, [{ t: 0, event: ringing }, { t: 3803, event: answered }]);
    const again = await play('ring 2-5s, answer', { seed: 42 });
    assert.deepEqual(again.seen, seen);
  });

  it('draws successive ranges in step order', async () => {
    const { seen } = await play('ring 1-2s, answer, hangup after 10-20s', { seed: 7 });
    const r = seededRandom(7);
    const ring = r.int(1000, 2000);
    const talk = r.int(10_000, 20_000);
    assert.deepEqual([ring, talk], [1011, 10_619]);
    assert.deepEqual(seen, [{ t: 0, event: ringing }, { t: 1011, event: answered }, { t: 11_630, event: ended('normal') }]);
  });

  it('looks the script up by the number in normal form', async () => {
    const clock = new VirtualClock();
    const asked: string[] = [];
    const net = makeNetwork(clock, {}, { scriptFor: (n) => (asked.push(n), n === '15550001' ? 'busy' : undefined) });
    const a = record(net.originate({ from: '1', to: '+15550001' }), clock);
    const b = record(net.originate({ from: '1', to: '15550001' }), clock);
    net.originate({ from: '1', to: 'sip:alice@example.com' });
    await settle();
    assert.deepEqual(asked, ['15550001', '15550001', 'sip:alice@example.com']);
    assert.deepEqual(types(a), ['ended:busy']);
    assert.deepEqual(types(b), ['ended:busy']);
  });

  it('keeps the request on the leg', () => {
    const clock = new VirtualClock();
    const net = makeNetwork(clock);
    const leg = net.originate({ from: '15550000', to: '+15550001', callerName: 'Ada', headers: { 'X-PH-Foo': 'bar' } });
    assert.equal(leg.direction, 'outbound');
    assert.equal(leg.from, '15550000');
    assert.equal(leg.to, '+15550001');
    assert.equal(leg.callerName, 'Ada');
    assert.deepEqual(leg.headers, { 'X-PH-Foo': 'bar' });
    assert.match(leg.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(leg.state, 'trying');
    assert.equal(net.getLeg(leg.id), leg);
  });
});

describe('simulated network: delivery', () => {
  it('never delivers inside originate(), and a listener added right after gets every event', async () => {
    const clock = new VirtualClock();
    const net = makeNetwork(clock, { '2': 'busy' });
    const leg = net.originate({ from: '1', to: '2' });
    let syncEvents = 0;
    const seen = record(leg, clock);
    syncEvents = seen.length;
    assert.equal(syncEvents, 0);
    assert.equal(leg.state, 'trying');
    await Promise.resolve(); // one microtask is enough: no event-loop turn is needed
    await Promise.resolve();
    assert.deepEqual(types(seen), ['ended:busy']);
  });

  it('delivers timer events in a microtask, not inside the clock', async () => {
    const clock = new VirtualClock();
    const net = makeNetwork(clock);
    const leg = net.originate({ from: '1', to: '2' });
    const seen = record(leg, clock);
    await settle();
    clock.runNext(); // t=1s: the answer is due
    assert.deepEqual(types(seen), ['ringing']);
    await Promise.resolve();
    assert.deepEqual(types(seen), ['ringing', 'answered']);
  });

  it('gives every listener every event in order, even when one throws', async () => {
    const clock = new VirtualClock();
    const errors: unknown[] = [];
    const net = makeNetwork(clock, { '2': 'ring 1s, busy' }, { onListenerError: (e) => errors.push(e) });
    const leg = net.originate({ from: '1', to: '2' });
    leg.onEvent(() => {
      throw new Error('listener bug');
    });
    const seen = record(leg, clock);
    await runAll(clock);
    assert.deepEqual(types(seen), ['ringing', 'ended:busy']);
    assert.equal(errors.length, 2);
    assert.equal((errors[0] as Error).message, 'listener bug');
  });
});

describe('simulated network: the engine ends a leg', () => {
  it('hangup() stops every event and cancels the timers', async () => {
    const clock = new VirtualClock();
    const net = makeNetwork(clock);
    const leg = net.originate({ from: '1', to: '2' });
    const seen = record(leg, clock);
    await settle();
    leg.hangup('ORIGINATOR_CANCEL');
    assert.equal(leg.state, 'ended');
    assert.deepEqual(leg.localEnd, { cause: 'ORIGINATOR_CANCEL', via: 'hangup' });
    assert.equal(net.liveLegs(), 0);
    assert.equal(clock.nextAt(), undefined);
    await advanceBy(clock, 60_000);
    assert.deepEqual(types(seen), ['ringing']);
  });

  it('drops an event whose timer fired before the hangup but was not yet delivered', async () => {
    const clock = new VirtualClock();
    const net = makeNetwork(clock);
    const leg = net.originate({ from: '1', to: '2' });
    const seen = record(leg, clock);
    await settle();
    clock.runNext(); // the answer is queued...
    leg.hangup('NORMAL_CLEARING'); // ...and the engine hangs up in the same tick
    await runAll(clock);
    assert.deepEqual(types(seen), ['ringing']);
  });

  it('ignores hangup(), reject(), answer(), bridge() and sendDigits() once the leg ended', async () => {
    const { leg, seen } = await play('busy');
    leg.hangup('NORMAL_CLEARING');
    leg.reject('CALL_REJECTED');
    leg.answer();
    leg.bridge(leg);
    leg.sendDigits('1');
    await settle();
    assert.equal(leg.localEnd, undefined, 'the far end ended it, not the engine');
    assert.equal(leg.bridgedTo, undefined);
    assert.deepEqual(leg.sentDigits, []);
    assert.deepEqual(types(seen), ['ended:busy']);
  });

  it('reject() ends a leg like hangup() and records how', async () => {
    const clock = new VirtualClock();
    const net = makeNetwork(clock);
    const leg = net.originate({ from: '1', to: '2' });
    leg.reject('CALL_REJECTED');
    leg.hangup('NORMAL_CLEARING');
    assert.deepEqual(leg.localEnd, { cause: 'CALL_REJECTED', via: 'reject' });
  });

  it('answer() on an outbound leg does nothing', async () => {
    const { seen, leg } = await play('no-answer');
    leg.answer();
    await settle();
    assert.deepEqual(types(seen), ['ringing']);
    assert.equal(leg.state, 'ringing');
  });

  it('records bridges and sent digits without echoing them', async () => {
    const clock = new VirtualClock();
    const net = makeNetwork(clock, { '2': 'answer', '3': 'answer' });
    const a = net.originate({ from: '1', to: '2' });
    const b = net.originate({ from: '1', to: '3' });
    const seen = record(a, clock);
    await settle();
    a.bridge(b);
    a.sendDigits('12#');
    a.sendDigits('w9');
    await runAll(clock);
    assert.equal(a.bridgedTo, b.id);
    assert.equal(b.bridgedTo, undefined);
    assert.deepEqual(a.sentDigits, ['12#', 'w9']);
    assert.deepEqual(types(seen), ['answered']);
  });

  it('close() ends every leg silently and refuses new calls', async () => {
    const clock = new VirtualClock();
    const net = makeNetwork(clock, { '3': 'timeout' });
    const a = net.originate({ from: '1', to: '2' });
    const b = net.originate({ from: '1', to: '3' });
    const seen = [...record(a, clock), ...record(b, clock)];
    await net.close();
    assert.equal(net.liveLegs(), 0);
    assert.equal(a.state, 'ended');
    assert.equal(b.state, 'ended');
    assert.equal(clock.nextAt(), undefined);
    await runAll(clock);
    assert.deepEqual(seen, []);
    assert.throws(() => net.originate({ from: '1', to: '2' }), { message: 'the simulated network is closed' });
  });
});

describe('simulated network: configuration', () => {
  it('refuses a bad default script and a bad network timeout', () => {
    const clock = new VirtualClock();
    assert.throws(() => makeNetwork(clock, {}, { defaultScript: 'ring 1x' }), {
      name: 'ScriptError',
      message: 'unknown unit "x" (expected ms, s or m) at column 7: "ring 1x"',
    });
    assert.throws(() => makeNetwork(clock, {}, { networkTimeoutMs: -1 }), {
      name: 'RangeError',
      message: 'networkTimeoutMs must be a non-negative number of milliseconds, got -1',
    });
  });

  it('fails a call whose configured script is unreadable, and says why', async () => {
    const clock = new VirtualClock();
    const reported: Array<[string, string]> = [];
    const net = makeNetwork(clock, { '2': 'ring 1s, bogus' }, { onScriptError: (e, n) => reported.push([n, e.message]) });
    const leg = net.originate({ from: '1', to: '2' });
    const seen = record(leg, clock);
    await runAll(clock);
    assert.deepEqual(seen, [{ t: 0, event: ended('network-failure') }]);
    assert.ok(leg.scriptError instanceof ScriptError);
    const message =
      'unknown step "bogus" (expected ring, early, answer, hangup after, digits, talk, silence, on, busy, reject, no-answer, timeout or fail) at column 10: "ring 1s, bogus"';
    assert.deepEqual(reported, [['2', message]]);
  });

  it('is a Network: originate, onInbound, close', () => {
    const net: SimulatedNetwork = makeNetwork(new VirtualClock());
    assert.equal(typeof net.originate, 'function');
    assert.equal(typeof net.onInbound, 'function');
    assert.equal(typeof net.close, 'function');
  });
});
