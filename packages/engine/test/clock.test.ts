import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VirtualClock, RealClock, every } from '../src/clock.ts';

const SRC = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : name.endsWith('.ts') ? [path] : [];
  });
}

test('only clock.ts touches the timer globals: every other timer goes through an injected Clock', () => {
  const offenders: string[] = [];
  for (const file of sources(SRC)) {
    const rel = relative(SRC, file);
    if (rel === 'clock.ts') continue;
    const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
    text.split('\n').forEach((line, i) => {
      if (/\b(setTimeout|setInterval|clearTimeout|clearInterval)\s*\(/.test(line)) offenders.push(`${rel}:${i + 1}: ${line.trim()}`);
    });
  }
  assert.deepEqual(offenders, []);
});

test('every() repeats on the clock until cancelled; a turn set after the last one ran', () => {
  const clock = new VirtualClock(0);
  const at: number[] = [];
  const t = every(clock, 100, () => at.push(clock.now()));
  clock.advance(350);
  assert.deepEqual(at, [100, 200, 300]);
  t.cancel();
  clock.advance(1000);
  assert.deepEqual(at, [100, 200, 300]);
  assert.equal(clock.nextAt(), undefined);
});


test('virtual timers fire in time order, then in the order they were set', () => {
  const clock = new VirtualClock(0);
  const fired: string[] = [];
  clock.setTimer(2000, () => fired.push('b@' + clock.now()));
  clock.setTimer(1000, () => fired.push('a@' + clock.now()));
  clock.setTimer(2000, () => fired.push('c@' + clock.now()));
  const cancelled = clock.setTimer(1500, () => fired.push('never'));
  cancelled.cancel();
  clock.advance(1999);
  assert.deepEqual(fired, ['a@1000']);
  assert.equal(clock.now(), 1999);
  clock.advance(1);
  assert.deepEqual(fired, ['a@1000', 'b@2000', 'c@2000']);
  assert.equal(clock.nextAt(), undefined);
  assert.equal(clock.runNext(), false);
});

test('a timer set by a timer at the same instant runs in the same advance', () => {
  const clock = new VirtualClock(0);
  const fired: number[] = [];
  clock.setTimer(100, () => clock.setTimer(0, () => fired.push(clock.now())));
  clock.advance(100);
  assert.deepEqual(fired, [100]);
});

test('sleep resolves on the clock and rejects with the abort reason', async () => {
  const clock = new VirtualClock(0);
  const ac = new AbortController();
  const slept = clock.sleep(5000);
  const aborted = clock.sleep(5000, ac.signal);
  ac.abort(new Error('call ended'));
  await assert.rejects(aborted, { message: 'call ended' });
  clock.advance(5000);
  await slept;
  assert.equal(clock.nextAt(), undefined, 'the aborted sleep left no timer behind');
});

test('autoRun jumps to the next timer only while the engine is idle', async () => {
  const clock = new VirtualClock(0);
  let busy = true;
  const fired: number[] = [];
  clock.setTimer(45_000, () => fired.push(clock.now()));
  const stop = clock.autoRun(() => !busy);
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  assert.deepEqual(fired, [], 'held while busy');
  busy = false;
  for (let i = 0; i < 20 && fired.length === 0; i++) await new Promise((r) => setImmediate(r));
  stop();
  assert.deepEqual(fired, [45_000]);
});

test('the real clock runs timers on real time', async () => {
  const clock = new RealClock();
  const t0 = clock.now();
  await clock.sleep(5);
  assert.ok(clock.now() >= t0);
});
