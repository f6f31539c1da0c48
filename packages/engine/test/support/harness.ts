/**
 * An end-to-end rig: the real engine (HTTP API on 127.0.0.1:0, SQLite, simulated network) on a
 * virtual clock that moves only when the engine is idle, and a real app server that records every
 * webhook with the virtual time it arrived at. Times in assertions are virtual seconds from start.
 */
import { freshTestDb } from './test-db.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { VirtualClock } from '../../src/clock.ts';
import { loadConfig, type FlagValues } from '../../src/config/config.ts';
import { Engine } from '../../src/engine.ts';
import type { InboundRouter } from '../../src/numbers/inbound-app.ts';
import { startAppServer, type AppServer, type CapturedRequest } from './app-server.ts';
import { apiClient } from './api-client.ts';

export const AUTH_ID = 'MATESTACCOUNT0000001';
export const AUTH_TOKEN = 'test-auth-token-0123456789';

export interface Harness {
  engine: Engine;
  app: AppServer;
  clock: VirtualClock;
  base: string;
  /** Virtual seconds since the rig started. */
  t(): number;
  /** Seconds from start at which a request arrived. */
  at(req: CapturedRequest): number;
  api(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown, auth?: string | null): Promise<{ status: number; body: any }>;
  /** Places a call with the scenarios' common set-up (scenarios.md), overridable. */
  call(params: Record<string, unknown>): Promise<{ status: number; body: any }>;
  /** Runs `fn` at virtual second `seconds`, holding the clock until it is done. */
  runAt(seconds: number, fn: () => Promise<unknown>): void;
  sim(number: string, script: string): Promise<void>;
  waitFor(path: string, count?: number): Promise<CapturedRequest[]>;
  /** Waits until no call is live and every delivery is done. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  flags?: FlagValues;
  inboundRouter?: InboundRouter;
  dbPath?: string;
}

/**
 * The environment a test engine reads: none of the machine's, except SWITCHBOARD_WEBHOOK_THREAD
 * and SWITCHBOARD_SQLITE_THREAD, so the whole suite can be run with webhooks sent, and SQLite's
 * writes committed, on the engine's own thread (`=off`) as well as on threads of their own (the default).
 */
export function engineTestEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ['SWITCHBOARD_WEBHOOK_THREAD', 'SWITCHBOARD_SQLITE_THREAD']) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

/**
 * One short answered call end to end (ring, answer with a one-second Wait, hangup), settled: for
 * tests that check which way the engine did its work rather than the call itself. Answers the
 * paths the app received, in order.
 */
export async function placeOneCall(h: Harness): Promise<string[]> {
  await h.engine.simNumbers.set('15550100001', 'ring, answer, hangup after 1s');
  h.app.on('/answer', '<Response><Wait length="1"/></Response>');
  await h.call({ to: '15550100001' });
  await h.waitFor('/hangup');
  await h.settle();
  return h.app.requests().map((r) => r.path);
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-e2e-'));
  // A SQLite file in `dir`, or its own PostgreSQL database under SWITCHBOARD_TEST_PG (test-db.ts).
  const testDb = opts.dbPath === undefined ? await freshTestDb(dir) : undefined;
  const clock = new VirtualClock();
  const start = clock.now();
  const config = loadConfig(
    // Tests send wrong credentials on purpose from one address: the failure limit is tested on its own.
    { db: opts.dbPath ?? testDb!.db, 'auth-id': AUTH_ID, 'auth-token': AUTH_TOKEN, 'log-level': 'silent', 'auth-fail-limit': '0', ...opts.flags },
    engineTestEnv(),
  );
  const engine = new Engine({ config, clock, logger: pino({ level: process.env.SB_TEST_LOG ?? 'silent' }), inboundRouter: opts.inboundRouter });
  await engine.start();
  const port = await engine.listen('127.0.0.1', 0);
  const base = `http://127.0.0.1:${port}`;
  const app = await startAppServer({ now: () => clock.now() });
  const stopClock = clock.autoRun(engine.isIdle);
  const api: Harness['api'] = apiClient(base, AUTH_ID, AUTH_TOKEN);

  const h: Harness = {
    engine,
    app,
    clock,
    base,
    t: () => (clock.now() - start) / 1000,
    at: (req) => (req.at - start) / 1000,
    api,
    call: (params) =>
      api('POST', 'Call/', {
        from: '+15550000000',
        answer_url: app.url('/answer'),
        ring_url: app.url('/ring'),
        hangup_url: app.url('/hangup'),
        ...params,
      }),
    runAt(seconds, fn) {
      const hold = engine.activity.begin();
      // Hold the clock only until the timer is armed; then hold it again while fn runs.
      clock.setTimer(start + seconds * 1000 - clock.now(), () => {
        const busy = engine.activity.begin();
        fn().finally(busy);
      });
      hold();
    },
    async sim(number, script) {
      const res = await api('POST', 'Simulator/Number/', { number, script });
      if (res.status !== 201) throw new Error(`sim ${number}: ${JSON.stringify(res.body)}`);
    },
    async waitFor(path, count = 1) {
      await app.waitFor((_r, all) => all.filter((r) => r.path === path).length >= count, 10_000);
      return app.requests(path);
    },
    async settle() {
      await engine.registry.whenEmpty();
      for (let i = 0; i < 200 && !engine.isIdle(); i++) await new Promise((r) => setImmediate(r));
      await engine.outbox.drain();
    },
    async close() {
      stopClock();
      await engine.stop();
      await app.close();
      await testDb?.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return h;
}

/** The request's parameters without the ones that change every run. */
export function pick(req: CapturedRequest, keys: readonly string[]): Record<string, string | undefined> {
  return Object.fromEntries(keys.map((k) => [k, req.params[k]]));
}

/** Runs `fn` against a fresh rig and always closes it. */
export async function withHarness(fn: (h: Harness) => Promise<void>, opts: HarnessOptions = {}): Promise<void> {
  const h = await startHarness(opts);
  try {
    await fn(h);
  } finally {
    await h.close();
  }
}
