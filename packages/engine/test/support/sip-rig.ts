/**
 * The SIP end-to-end rig: the real engine on the real clock (real UDP needs real time) with its SIP
 * network on a free loopback port, trunks pointing at sipp processes, and the capture app server.
 * Times in assertions are real seconds from the rig's start, compared within a tolerance.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { RealClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config/config.ts';
import { engineTestEnv } from './harness.ts';
import { Engine } from '../../src/engine.ts';
import { startAppServer, type AppServer, type CapturedRequest } from './app-server.ts';
import { apiClient } from './api-client.ts';

export const AUTH_ID = 'MATESTACCOUNT0000001';
export const AUTH_TOKEN = 'test-auth-token-0123456789';

export interface SipRig {
  engine: Engine;
  app: AppServer;
  /** `127.0.0.1:<port>`: where a sipp UAC sends its INVITE. */
  sipAddress: string;
  /** Seconds since start at which a request arrived. */
  at(req: CapturedRequest): number;
  api(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** Waits until `count` requests reached `path`. */
  waitFor(path: string, count?: number, timeoutMs?: number): Promise<CapturedRequest[]>;
  settle(): Promise<void>;
  close(): Promise<void>;
}

export interface SipRigOptions {
  /** `--sip-trunk`, e.g. `sip:127.0.0.1:5080` or several, comma separated with `;prefix=`. */
  trunks?: string;
  /** Flags; `undefined` removes one the rig would set. */
  flags?: Record<string, string | undefined>;
  /**
   * The config file's contents (docs/sip.md, "Settings"), as if given with `--config config.json`.
   * Without a `sip.listen` in it the rig listens on a free loopback port, as without a file.
   */
  file?: Record<string, unknown>;
}

export async function startSipRig(opts: SipRigOptions): Promise<SipRig> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-sip-'));
  const clock = new RealClock();
  const start = Date.now();
  const fileListens = (opts.file?.sip as { listen?: unknown } | undefined)?.listen !== undefined;
  const app = await startAppServer();
  const config = loadConfig(
    {
      db: join(dir, 'switchboard.db'),
      'auth-id': AUTH_ID,
      'auth-token': AUTH_TOKEN,
      'log-level': 'silent',
      // Port 0: the engine binds a free port itself (UDP, then TCP on the same number, picking again
      // if TCP's is held). A port picked here and bound later could be taken meanwhile by any socket
      // of this process, such as the app server's just below (it was: EADDRINUSE in CI).
      ...(fileListens ? {} : { 'sip-listen': '127.0.0.1:0' }),
      ...(opts.trunks !== undefined ? { 'sip-trunk': opts.trunks } : {}),
      // Inbound calls to numbers without an application fetch the app's /inbound.
      'inbound-answer-url': app.url('/inbound'),
      // sipp callers run on 127.0.0.1: trusted like a listed network unless the test says otherwise
      // (SIP refuses INVITEs from anyone else, docs/security-sip.md). A file's sip.acceptFrom stands.
      ...((opts.file?.sip as { acceptFrom?: unknown } | undefined)?.acceptFrom === undefined ? { 'sip-accept-from': '127.0.0.1' } : {}),
      ...opts.flags,
    },
    engineTestEnv(),
    opts.file ? { name: 'config.json', data: opts.file } : undefined,
  );
  const engine = new Engine({ config, clock, logger: pino({ level: process.env.SB_TEST_LOG ?? 'silent' }) });
  try {
    await engine.start();
  } catch (err) {
    await engine.stop();
    await app.close();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const port = await engine.listen('127.0.0.1', 0);
  const base = `http://127.0.0.1:${port}`;
  const api: SipRig['api'] = apiClient(base, AUTH_ID, AUTH_TOKEN);
  return {
    engine,
    app,
    sipAddress: `127.0.0.1:${engine.sip!.port}`,
    at: (req) => (req.at - start) / 1000,
    api,
    async waitFor(path, count = 1, timeoutMs = 20_000) {
      await app.waitFor((_r, all) => all.filter((r) => r.path === path).length >= count, timeoutMs);
      return app.requests(path);
    },
    async settle() {
      await engine.registry.whenEmpty();
      await engine.outbox.drain();
    },
    async close() {
      await engine.stop();
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
