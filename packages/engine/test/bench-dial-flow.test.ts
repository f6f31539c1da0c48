/**
 * `npm run bench` (bench/dial-flow.ts) is how issue 18's figures are measured: it runs here with a
 * small load, as a user runs it, and its JSON must hold every figure the docs quote, counted from
 * the calls it placed (docs/performance.md, bench/README.md). A bench that stops completing its
 * flow, or a figure that drops out or cannot be right (a negative latency, a thread with no CPU),
 * fails here rather than in the next measurement.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { cleanEnv } from './support/child-env.ts';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CALLS = 40;
/** ring, answer, action, hangup */
const WEBHOOKS_PER_CALL = 4;

interface Summary {
  n: number;
  p50: number;
  p99: number;
  max: number;
}

test('npm run bench: a small run completes every call and reports every figure', { timeout: 120_000 }, async () => {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'bench/dial-flow.ts', '--calls', String(CALLS), '--concurrency', '10', '--warmup', '10', '--json'], {
    cwd: ROOT,
    env: cleanEnv({}),
    maxBuffer: 16 * 2 ** 20,
  });
  const out = JSON.parse(stdout) as { runs: Array<Record<string, unknown>> };
  assert.equal(out.runs.length, 1);
  const r = out.runs[0] as {
    db: string;
    completed: boolean;
    outcomes: { expected: boolean; text: string };
    calls: { placed: number; rejected: number; completed: number; stillLive: number };
    webhooks: { received: number; delivered: number; notDelivered: number; unmatched: number };
    eventToAppMs: Record<string, Summary>;
    queuedMs: Record<string, Summary>;
    readyMs: Record<string, Summary>;
    loopDelayMs: { p50: number; p99: number; max: number };
    [figure: string]: unknown;
  };
  assert.equal(r.db, 'sqlite');
  assert.equal(r.completed, true);
  assert.equal(r.outcomes.expected, true, r.outcomes.text);
  assert.deepEqual(r.calls, { placed: CALLS, rejected: 0, completed: CALLS, stillLive: 0 });
  assert.equal(r.webhooks.received, CALLS * WEBHOOKS_PER_CALL);
  assert.equal(r.webhooks.delivered, CALLS * WEBHOOKS_PER_CALL);
  assert.equal(r.webhooks.notDelivered, 0);
  assert.equal(r.webhooks.unmatched, 0);

  // Latency per kind, every webhook of the run counted; the app and the engine read one clock, so
  // no webhook arrives before the event that caused it (created_at is a whole millisecond).
  for (const [name, by] of Object.entries({ eventToAppMs: r.eventToAppMs, queuedMs: r.queuedMs, readyMs: r.readyMs })) {
    assert.deepEqual(Object.keys(by).sort(), ['action', 'all', 'answer', 'hangup', 'ring'], name);
    assert.equal(by.all!.n, CALLS * WEBHOOKS_PER_CALL, `${name}.all.n`);
    for (const [kind, s] of Object.entries(by)) {
      if (kind !== 'all') assert.equal(s.n, CALLS, `${name}.${kind}.n`);
      assert.ok(s.p50 >= 0 && s.p50 <= s.p99 && s.p99 <= s.max, `${name}.${kind}: ${JSON.stringify(s)}`);
    }
  }
  assert.ok(r.loopDelayMs.p50 >= 0 && r.loopDelayMs.p50 <= r.loopDelayMs.max, JSON.stringify(r.loopDelayMs));

  // CPU: each thread the bench names did work; the process's total holds the parts it is made of.
  for (const figure of ['cpuMsPerCall', 'webhookThreadCpuMsPerCall', 'engineThreadsCpuMsPerCall', 'appThreadCpuMsPerCall', 'processCpuMsPerCall', 'processCores', 'ratio', 'callsPerSecond']) {
    assert.equal(typeof r[figure], 'number', figure);
    assert.ok((r[figure] as number) > 0, `${figure} = ${String(r[figure])}`);
  }
  const engine = r.engineThreadsCpuMsPerCall as number;
  assert.ok(engine >= (r.cpuMsPerCall as number) + (r.webhookThreadCpuMsPerCall as number) - 1e-9);
  // Ticks of 10 ms each thread: the sum of the parts may exceed the whole by a tick a thread.
  const tick = 10 / CALLS;
  assert.ok((r.processCpuMsPerCall as number) + 4 * tick >= engine + (r.appThreadCpuMsPerCall as number), JSON.stringify({ process: r.processCpuMsPerCall, engine, app: r.appThreadCpuMsPerCall }));
  assert.equal(typeof r.gcMaxPauseMs, 'number');
});
