/**
 * `startSwitchboard()`: the real engine in this process — its HTTP API on 127.0.0.1, a free port,
 * SQLite in a temporary folder, the simulated network — for an app's own tests (docs/testkit.md).
 * On the virtual clock (the default) time jumps to the next timer whenever the engine is idle, so
 * a 45-second ring timeout takes milliseconds and every time in a webhook is exact.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine, RealClock, VirtualClock, loadConfig, type Clock } from '@switchboard/engine';
import { hostApp, type HostedApp, type RequestListener } from './app-host.ts';
import { WebhookLog, type WaitOptions, type Webhook, type WebhookMatch } from './webhook-log.ts';

export interface SwitchboardOptions {
  /** `virtual` (default): time moves only when the engine is idle, in jumps. `real`: wall time. */
  clock?: 'virtual' | 'real';
  /** The account webhooks are signed with; a fixed test pair by default. */
  authId?: string;
  authToken?: string;
  /** Simulated numbers and their scripts, e.g. `{ '+15671234567': 'ring 2s, busy' }` (docs/simulated-network.md). */
  numbers?: Record<string, string>;
  /** What a number with no script does: `ring 1s, answer` (stays on the line until the XML ends) by default. */
  defaultScript?: string;
  /** Any other `switchboard serve` flag by its long name, e.g. `{ 'billing-increment': '1' }`. */
  flags?: Record<string, string>;
  /** How long `webhook()` waits by default, in real milliseconds (default 5000). */
  webhookTimeoutMs?: number;
  /** When false, virtual time moves only by `advance()` (default true). */
  autoAdvance?: boolean;
}

/** `POST /Call/`'s parameters (plivo.md §1): `to` and `answer_url` at least; `from` has a default. */
export interface CallParams {
  to: string;
  answer_url: string;
  from?: string;
  [param: string]: unknown;
}

export interface PlacedCall {
  /** The request_uuid the API answered; `webhook(kind, match, { call: uuid })` takes it. */
  readonly uuid: string;
}

export interface Switchboard {
  /** The engine's base URL (Plivo's REST API is under `/v1/Account/{authId}/`). */
  readonly url: string;
  readonly authId: string;
  readonly authToken: string;
  readonly engine: Engine;
  readonly clock: Clock;
  /** Gives `number` a script (docs/simulated-network.md). */
  number(number: string, script: string): Promise<void>;
  /** Serves an in-process app (Express app, Node request listener) on a free port; answers its base URL. */
  serve(app: RequestListener): Promise<string>;
  /** Places an outbound call through the REST API, as the app's own code would. */
  call(params: CallParams): Promise<PlacedCall>;
  /** Waits for (or finds) the next webhook of `kind` carrying `match`, e.g. `webhook('action', { DialStatus: 'busy' })`. */
  webhook(kind: string, match?: WebhookMatch, opts?: WaitOptions): Promise<Webhook>;
  /** The webhooks so far, oldest first. */
  webhooks(kind?: string): Webhook[];
  /** Milliseconds on the engine's clock since the kit started. */
  now(): number;
  /** Moves time forward (virtual: at once, firing due timers; real: waits). `'30s'`, `'500ms'` or ms. */
  advance(duration: string | number): Promise<void>;
  /** Waits until no call is live and every webhook has been delivered. */
  settle(): Promise<void>;
  /** A REST call as the account: `api('GET', 'Call/')`. */
  api(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** Stops the engine and every app it served, and removes its files. */
  close(): Promise<void>;
}

const DEFAULT_AUTH_ID = 'MATESTKIT00000000001';
const DEFAULT_AUTH_TOKEN = 'testkit-auth-token-0123456789';

function durationMs(d: string | number): number {
  if (typeof d === 'number') return d;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(d.trim());
  if (!m) throw new TypeError(`not a duration: "${d}" (use 500ms, 30s, 2m, 1h or milliseconds)`);
  return Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
}

export async function startSwitchboard(options: SwitchboardOptions = {}): Promise<Switchboard> {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-testkit-'));
  const authId = options.authId ?? DEFAULT_AUTH_ID;
  const authToken = options.authToken ?? DEFAULT_AUTH_TOKEN;
  const virtual = options.clock !== 'real';
  const clock = virtual ? new VirtualClock() : new RealClock();
  const start = clock.now();
  const config = loadConfig(
    {
      db: join(dir, 'switchboard.db'),
      'auth-id': authId,
      'auth-token': authToken,
      'log-level': 'silent',
      // A caller stays on the line until the app's XML ends the call (a test decides when it hangs up).
      'default-script': options.defaultScript ?? 'ring 1s, answer',
      ...options.flags,
    },
    {},
  );
  const engine = new Engine({ config, clock });
  await engine.start();
  const port = await engine.listen('127.0.0.1', 0);
  const url = `http://127.0.0.1:${port}`;
  const log = new WebhookLog(engine, start, options.webhookTimeoutMs ?? 5000);
  const stopClock = clock instanceof VirtualClock && options.autoAdvance !== false ? clock.autoRun(engine.isIdle) : () => {};
  const hosted: HostedApp[] = [];
  const auth = 'Basic ' + Buffer.from(`${authId}:${authToken}`).toString('base64');

  const api: Switchboard['api'] = async (method, path, body) => {
    const res = await fetch(path.startsWith('/') ? `${url}${path}` : `${url}/v1/Account/${authId}/${path}`, {
      method,
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };

  const sb: Switchboard = {
    url,
    authId,
    authToken,
    engine,
    clock,
    async number(number, script) {
      const res = await api('POST', 'Simulator/Number/', { number, script });
      if (res.status !== 201) throw new Error(`number ${number}: ${res.body?.error ?? res.status}`);
    },
    async serve(app) {
      const h = await hostApp(app);
      hosted.push(h);
      return h.url;
    },
    async call(params) {
      const res = await api('POST', 'Call/', { from: '+15550000000', ...params });
      if (res.status !== 201) throw new Error(`call to ${params.to}: ${res.body?.error ?? res.status}`);
      return { uuid: String(res.body.request_uuid) };
    },
    webhook: (kind, match, opts) => log.next(kind, match, opts),
    webhooks: (kind) => log.list(kind),
    now: () => clock.now() - start,
    async advance(duration) {
      const ms = durationMs(duration);
      if (clock instanceof VirtualClock) clock.advance(ms);
      else await clock.sleep(ms);
      for (let i = 0; i < 100 && !engine.isIdle(); i++) await new Promise((r) => setImmediate(r));
    },
    async settle() {
      await engine.registry.whenEmpty();
      for (let i = 0; i < 200 && !engine.isIdle(); i++) await new Promise((r) => setImmediate(r));
      await engine.outbox.drain();
    },
    api,
    async close() {
      stopClock();
      log.close();
      await engine.stop();
      await Promise.all(hosted.map((h) => h.close()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
  for (const [number, script] of Object.entries(options.numbers ?? {})) await sb.number(number, script);
  return sb;
}
