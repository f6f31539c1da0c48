import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VirtualClock } from '../src/clock.ts';
import { branchShares, parseScript, planLeg, seededRandom } from '../src/network/simulated/index.ts';
import { makeNetwork, settle } from './sim-helpers.ts';

const shares = (text: string) => branchShares(parseScript(text).branches);

describe('weighted branches (engine.md §4)', () => {
  it('shares 100% among the branches', () => {
    assert.deepEqual(shares('busy'), [100]);
    assert.deepEqual(shares('busy | reject'), [50, 50]);
    assert.deepEqual(shares('busy | reject | fail | timeout'), [25, 25, 25, 25]);
    assert.deepEqual(shares('70% busy | reject | fail'), [70, 15, 15]);
    assert.deepEqual(shares('70% busy | 30% reject'), [70, 30]);
    // All weighted but short of 100: scaled up.
    assert.deepEqual(shares('20% busy | 30% reject'), [40, 60]);
    assert.deepEqual(shares('50% busy'), [100]);
    assert.deepEqual(shares('0% busy | reject'), [0, 100]);
  });

  it('the seeded PRNG replays and differs by seed', () => {
    const a = seededRandom(2024);
    const b = seededRandom(2024);
    const c = seededRandom(2025);
    const sa = Array.from({ length: 5 }, () => a.next());
    const sb = Array.from({ length: 5 }, () => b.next());
    const sc = Array.from({ length: 5 }, () => c.next());
    assert.deepEqual(sa, sb);
    assert.notDeepEqual(sa, sc);
    for (const x of sa) assert.ok(x >= 0 && x < 1);
    const r = seededRandom(3);
    const ints = Array.from({ length: 1000 }, () => r.int(2, 4));
    assert.deepEqual([...new Set(ints)].sort(), [2, 3, 4]);
  });

  it('draws 10 000 legs close to the weights, identically for the same seed', async () => {
    const script = '70% busy | 20% reject | fail';
    async function run(seed: number): Promise<string[]> {
      const clock = new VirtualClock();
      const net = makeNetwork(clock, { '2': script }, { seed });
      const reasons: string[] = [];
      for (let i = 0; i < 10_000; i++) {
        net.originate({ from: '1', to: '2' }).onEvent((e) => {
          if (e.type === 'ended') reasons.push(e.reason);
        });
      }
      await settle();
      return reasons;
    }
    const first = await run(99);
    assert.equal(first.length, 10_000);
    const count = (r: string) => first.filter((x) => x === r).length;
    // ±2 points is over four standard deviations for n = 10 000.
    assert.ok(Math.abs(count('busy') - 7000) <= 200, `busy ${count('busy')}`);
    assert.ok(Math.abs(count('rejected') - 2000) <= 200, `rejected ${count('rejected')}`);
    assert.ok(Math.abs(count('network-failure') - 1000) <= 200, `failed ${count('network-failure')}`);
    assert.deepEqual(await run(99), first);
    assert.notDeepEqual(await run(100), first);
  });

  it('never draws a branch of weight 0', () => {
    const script = parseScript('0% busy | reject');
    const random = seededRandom(5);
    for (let i = 0; i < 1000; i++) assert.equal(planLeg(script, random, 32_000).branch, 1);
  });

  it('a script with one branch draws nothing, so fixed scripts do not shift the others', () => {
    const weighted = parseScript('busy | reject');
    const fixed = parseScript('ring 2s, answer, hangup after 10s');
    const plain = seededRandom(8);
    const mixed = seededRandom(8);
    const a = Array.from({ length: 50 }, () => planLeg(weighted, plain, 32_000).branch);
    const b = Array.from({ length: 50 }, () => {
      planLeg(fixed, mixed, 32_000);
      return planLeg(weighted, mixed, 32_000).branch;
    });
    assert.deepEqual(a, b);
  });

  it('plans a branch with its ranges drawn in order', () => {
    const script = parseScript('50% ring 1-3s, answer, hangup after 5-10s | 50% busy');
    const random = seededRandom(12);
    const plans = Array.from({ length: 4 }, () => planLeg(script, random, 32_000));
    const replay = seededRandom(12);
    for (const plan of plans) {
      const branch = replay.next() * 100 < 50 ? 0 : 1;
      assert.equal(plan.branch, branch);
      if (branch === 1) {
        assert.deepEqual(plan, { branch: 1, beforeAnswer: [{ at: 0, event: { type: 'ended', reason: 'busy' } }], answerAt: undefined, afterAnswer: [], reactions: [] });
        continue;
      }
      const ring = replay.int(1000, 3000);
      const talk = replay.int(5000, 10_000);
      assert.deepEqual(plan, {
        branch: 0,
        beforeAnswer: [
          { at: 0, event: { type: 'ringing' } },
          { at: ring, event: { type: 'answered' } },
        ],
        answerAt: ring,
        afterAnswer: [{ at: talk, event: { type: 'ended', reason: 'normal' } }],
        reactions: [],
      });
    }
    assert.deepEqual(plans.map((p) => p.branch), [0, 1, 0, 1]);
  });
});
