import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VirtualClock } from '../src/clock.ts';
import type { NetworkLeg } from '../src/network/network.ts';
import { ScriptError, seededRandom, validateScript } from '../src/network/simulated/index.ts';
import type { SimulatedLeg } from '../src/network/simulated/index.ts';
import { advanceBy, makeNetwork, record, runAll, settle, types } from './sim-helpers.ts';

/** A network whose inbound handler collects the legs it is offered. */
function inboundNetwork() {
  const clock = new VirtualClock();
  const net = makeNetwork(clock);
  const offered: NetworkLeg[] = [];
  net.onInbound((leg) => offered.push(leg));
  return { clock, net, offered };
}

describe('simulated network: inbound calls (engine.md §4)', () => {
  it('offers the leg asynchronously and starts the caller script at the answer', async () => {
    const { clock, net, offered } = inboundNetwork();
    const start = clock.now();
    const leg = net.placeInbound({ from: '+1 555 0000', to: '+15550001', script: 'hangup after 20s', callerName: 'Ada', headers: { 'X-PH-Tag': 'v' } });
    assert.equal(offered.length, 0, 'not offered inside placeInbound()');
    const seen = record(leg, clock, start);
    await settle();
    assert.deepEqual(offered, [leg]);
    assert.equal(leg.direction, 'inbound');
    assert.equal(leg.from, '15550000');
    assert.equal(leg.to, '15550001');
    assert.equal(leg.callerName, 'Ada');
    assert.deepEqual(leg.headers, { 'X-PH-Tag': 'v' });
    assert.equal(leg.state, 'ringing');
    assert.equal(clock.nextAt(), undefined, 'the caller waits for the answer without a timer');
    assert.equal(net.liveLegs(), 1);

    await advanceBy(clock, 5000); // the engine takes 5 s to answer
    leg.answer();
    assert.deepEqual(seen, [], 'answered is delivered asynchronously');
    await runAll(clock);
    assert.deepEqual(seen, [
      { t: 5000, event: { type: 'answered' } },
      { t: 25_000, event: { type: 'ended', reason: 'normal' } },
    ]);
    assert.equal(leg.state, 'ended');
    assert.equal(net.liveLegs(), 0);
  });

  it('presses digits measured from the answer, pauses included', async () => {
    const { clock, net } = inboundNetwork();
    const leg = net.placeInbound({ from: '1', to: '2', script: 'digits 1 after 3s, digits 2w3 after 4s, hangup after 10s' });
    const seen = record(leg, clock);
    await settle();
    leg.answer();
    await runAll(clock);
    assert.deepEqual(seen, [
      { t: 0, event: { type: 'answered' } },
      { t: 3000, event: { type: 'digits', digits: '1' } },
      { t: 4000, event: { type: 'digits', digits: '2' } },
      { t: 4500, event: { type: 'digits', digits: '3' } },
      { t: 10_000, event: { type: 'ended', reason: 'normal' } },
    ]);
  });

  it('without a script the caller stays until the engine hangs up', async () => {
    const { clock, net } = inboundNetwork();
    const leg = net.placeInbound({ from: '1', to: '2' });
    const seen = record(leg, clock);
    await settle();
    leg.answer();
    leg.answer(); // a second answer changes nothing
    await runAll(clock);
    assert.deepEqual(types(seen), ['answered']);
    assert.equal(clock.nextAt(), undefined);
    leg.hangup('NORMAL_CLEARING');
    assert.equal(net.liveLegs(), 0);
    assert.deepEqual((leg as SimulatedLeg).localEnd, { cause: 'NORMAL_CLEARING', via: 'hangup' });
  });

  it('reject() before answer ends the leg without events; answer() afterwards is a no-op', async () => {
    const { clock, net } = inboundNetwork();
    const leg = net.placeInbound({ from: '1', to: '2', script: 'hangup after 1s' });
    const seen = record(leg, clock);
    await settle();
    leg.reject('CALL_REJECTED');
    leg.answer();
    await runAll(clock);
    assert.deepEqual(seen, []);
    assert.equal(leg.state, 'ended');
    assert.deepEqual(leg.localEnd, { cause: 'CALL_REJECTED', via: 'reject' });
    assert.equal(net.liveLegs(), 0);
  });

  it('hangup() after answer cancels the caller script', async () => {
    const { clock, net } = inboundNetwork();
    const leg = net.placeInbound({ from: '1', to: '2', script: 'digits 5 after 2s, hangup after 9s' });
    const seen = record(leg, clock);
    await settle();
    leg.answer();
    await advanceBy(clock, 3000);
    leg.hangup('NORMAL_CLEARING');
    assert.equal(clock.nextAt(), undefined);
    await advanceBy(clock, 60_000);
    assert.deepEqual(types(seen), ['answered', 'digits:5']);
  });

  it('draws a weighted caller script from the seed', async () => {
    const { clock, net } = inboundNetwork();
    const times: number[] = [];
    for (let i = 0; i < 6; i++) {
      const leg = net.placeInbound({ from: '1', to: '2', script: '50% hangup after 1s | 50% hangup after 2s' });
      const start = clock.now();
      leg.onEvent((e) => {
        if (e.type === 'ended') times.push(clock.now() - start);
      });
      leg.answer();
      await runAll(clock);
    }
    assert.deepEqual(times, [2000, 1000, 2000, 2000, 2000, 1000]);
    // One draw per leg from seed 1: below 50 picks the first branch.
    const random = seededRandom(1);
    assert.deepEqual(times, times.map(() => (random.next() * 100 < 50 ? 1000 : 2000)));
  });

  it('refuses a caller script with anything but "hangup after" and "digits", creating no leg', () => {
    const { net } = inboundNetwork();
    assert.throws(() => net.placeInbound({ from: '1', to: '2', script: 'ring 1s' }), {
      name: 'ScriptError',
      message: '"ring" is not allowed in a caller script (expected "hangup after", "digits", "talk", "silence" or "on") at column 1: "ring 1s"',
    });
    assert.throws(() => net.placeInbound({ from: '1', to: '2', script: 'hangup after 2s, answer' }), {
      message: '"answer" is not allowed in a caller script (expected "hangup after", "digits", "talk", "silence" or "on") at column 18: "hangup after 2s, answer"',
    });
    assert.throws(() => net.placeInbound({ from: '1', to: '2', script: '' }), { message: 'the script is empty' });
    assert.equal(net.liveLegs(), 0);
  });

  it('needs an inbound handler', () => {
    const net = makeNetwork(new VirtualClock());
    assert.throws(() => net.placeInbound({ from: '1', to: '2' }), {
      message: 'no inbound handler: call onInbound() before placing inbound calls',
    });
  });

  it('validateScript checks either kind of script', () => {
    assert.deepEqual(validateScript('hangup after 20s', 'caller'), { branches: [{ steps: [{ kind: 'hangupAfter', dur: { minMs: 20_000, maxMs: 20_000 } }] }] });
    assert.throws(() => validateScript('hangup after 20s', 'number'), ScriptError);
    assert.deepEqual(validateScript('busy', 'number'), { branches: [{ steps: [{ kind: 'busy' }] }] });
    assert.throws(() => validateScript('busy', 'caller'), {
      message: '"busy" is not allowed in a caller script (expected "hangup after", "digits", "talk", "silence" or "on") at column 1: "busy"',
    });
  });
});
