/**
 * `npm run bench`: how many dial-flow calls per second the engine carries on this machine, how long
 * its webhooks take from the event that causes them to the app, and how that compares with undici
 * alone sending the same number of form POSTs to the same app (docs/performance.md).
 *
 * Each call: POST Call/ -> ring_url -> answer_url (a Dial to one number) -> B answers and hangs up
 * 1 ms later -> Dial action -> end of document -> hangup_url. No virtual waits: every millisecond
 * the call takes is the engine, SQLite or HTTP.
 *
 * The engine is built as `serve` builds it (real clock, config from flags) on each store named by
 * `--db`: `sqlite` (a fresh file in a temp folder, the default) or a `postgres://` URL. Given
 * several, they are measured one after the other in this one run, on the same app, so their
 * figures compare as ratios even on a loaded machine. The app server, and the client that places
 * the calls, run in a worker thread so that neither answering webhooks nor posting calls is counted
 * as the engine's CPU: on a real deployment both are other processes, usually other machines.
 *
 *   npm run bench -- --calls 2000 --concurrency 200 [--warmup 3000] [--timeout 300] [--json]
 *   npm run bench -- --db sqlite --db postgres://127.0.0.1:5432/bench
 *   npm run bench -- --profile /tmp/p --heap-profile /tmp/h   (where the measured calls spend CPU; where they allocate)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { Session } from 'node:inspector';
import { PerformanceObserver, monitorEventLoopDelay } from 'node:perf_hooks';
import { join } from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { Agent, request } from 'undici';
import { RealClock } from '../packages/engine/src/clock.ts';
import { loadConfig } from '../packages/engine/src/config/config.ts';
import { Engine } from '../packages/engine/src/engine.ts';
import { isPostgresUrl, openStore } from '../packages/engine/src/store/open-store.ts';
import { redactUrl } from '../packages/engine/src/store/pg-connection.ts';
import { formatCounts, statementDelta, sumCounts } from '../packages/engine/src/store/statement-counter.ts';
import type { CallRow, DeliveryRow, Store } from '../packages/engine/src/store/store.ts';
import { webhookThreadCpuSeconds } from '../packages/engine/src/webhooks/http-thread.ts';
import { cpuSecondsOf } from '../packages/engine/src/util/proc-cpu.ts';
import type { SqliteCheckpointer } from '../packages/engine/src/store/sqlite-checkpointer.ts';
import type { SqliteWriter } from '../packages/engine/src/store/sqlite-writer.ts';

const AUTH_ID = 'MABENCHACCOUNT000001';
const AUTH_TOKEN = 'bench-auth-token-0123456789';
const CALLER = '+15550000000';
const A = '15550100001';
const B = '15550100002';
/** A rings at once and answers; B answers and hangs up: four webhooks, no waiting on the clock. */
const A_SCRIPT = 'ring, answer';
const B_SCRIPT = 'answer, hangup after 1ms';
/** XML URLs must be absolute http(s) URLs, so the action names the app's own port. */
const dialXml = (appPort: number) => `<Response><Dial action="http://127.0.0.1:${appPort}/action"><Number>${B}</Number></Dial></Response>`;
/** The paths of one call's webhooks, in the order they arrive. */
const PATHS = ['/ring', '/answer', '/action', '/hangup'] as const;
const RAW_PATH = '/raw';

// ---------------------------------------------------------------------------------------------
// The app: a plain node:http server in a worker thread. It reads every body (an app must), answers
// at once, and keeps only what the report needs: per webhook, its event id, path and arrival time.
// ---------------------------------------------------------------------------------------------

/** What `placeCalls` needs, sent to the worker: the load is generated there, off the engine's thread. */
interface LoadRequest {
  api: string;
  n: number;
  concurrency: number;
  timeoutMs: number;
  rate: number;
}

type ToApp = { type: 'reset' } | { type: 'dump' } | ({ type: 'load' } & LoadRequest);
type FromApp =
  | { type: 'listening'; port: number }
  | { type: 'loaded'; load: CallLoad }
  | { type: 'dump'; ids: string[]; paths: string[]; times: Float64Array; counts: Record<string, number> };

function runAppServer(): void {
  const port = parentPort!;
  let ids: string[] = [];
  let paths: string[] = [];
  let times: number[] = [];
  let counts: Record<string, number> = {};
  // Epoch milliseconds from the clock the engine stamps `created_at` with. Not `timeOrigin +
  // performance.now()`: that is the monotonic clock, and a wall clock that is slewed or stepped
  // (this VM's drifted 150 ms in 30 s) parts from it by tens of milliseconds over a run.
  const now = () => Date.now();
  let answerXml = '';
  let own = 0;
  let onHangup = () => {};
  // One agent per engine: warm-up and measurement share its connections.
  let client: { api: string; agent: Agent } | undefined;

  const server = createServer({ keepAliveTimeout: 30_000 }, (req, res) => {
    const arrived = now();
    const path = (req.url ?? '/').split('?')[0]!;
    req.resume();
    req.on('end', () => {
      counts[path] = (counts[path] ?? 0) + 1;
      const id = req.headers['x-switchboard-event-id'];
      if (typeof id === 'string') {
        ids.push(id);
        paths.push(path);
        times.push(arrived);
      }
      const body = path === '/answer' ? answerXml : path === '/action' ? '<Response/>' : 'OK';
      res.writeHead(200, { 'content-type': path === '/answer' || path === '/action' ? 'text/xml' : 'text/plain' });
      res.end(body);
      if (path === '/hangup') onHangup();
    });
  });
  server.listen(0, '127.0.0.1', () => {
    own = (server.address() as AddressInfo).port;
    answerXml = dialXml(own);
    port.postMessage({ type: 'listening', port: own } satisfies FromApp);
  });
  port.on('message', (msg: ToApp) => {
    if (msg.type === 'reset') {
      ids = [];
      paths = [];
      times = [];
      counts = {};
    } else if (msg.type === 'load') {
      if (client?.api !== msg.api) {
        void client?.agent.close();
        client = { api: msg.api, agent: new Agent({ connections: Math.min(msg.concurrency, 64) }) };
      }
      const hooks = { appUrl: (path: string) => `http://127.0.0.1:${own}${path}`, onHangup: (f: () => void) => (onHangup = f) };
      void placeCalls(msg, client.agent, hooks).then((load) => port.postMessage({ type: 'loaded', load } satisfies FromApp));
    } else {
      port.postMessage({ type: 'dump', ids, paths, times: Float64Array.from(times), counts } satisfies FromApp);
    }
  });
}

class AppServer {
  private constructor(
    private readonly worker: Worker,
    readonly port: number,
  ) {}

  static start(): Promise<AppServer> {
    // The worker runs this same file. `--import tsx` does not reach worker threads on Node 20, so
    // the worker registers tsx's loader itself before importing it.
    const boot = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})
      .then((tsx) => { tsx.register(); return import(${JSON.stringify(import.meta.url)}); })`;
    const worker = new Worker(boot, { eval: true, workerData: { role: 'app' } });
    return new Promise((resolve, reject) => {
      worker.once('error', reject);
      const onMessage = (msg: FromApp) => {
        if (msg.type !== 'listening') return;
        worker.off('message', onMessage);
        resolve(new AppServer(worker, msg.port));
      };
      worker.on('message', onMessage);
    });
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  reset(): void {
    this.worker.postMessage({ type: 'reset' } satisfies ToApp);
  }

  dump(): Promise<Extract<FromApp, { type: 'dump' }>> {
    return this.ask({ type: 'dump' }, 'dump');
  }

  /** Places the calls from the app's thread (`placeCalls`): the load generator's own HTTP client is not the engine's CPU. */
  async load(req: LoadRequest): Promise<CallLoad> {
    return (await this.ask({ type: 'load', ...req }, 'loaded')).load;
  }

  private ask<T extends FromApp['type']>(msg: ToApp, answer: T): Promise<Extract<FromApp, { type: T }>> {
    return new Promise((resolve) => {
      const onMessage = (m: FromApp) => {
        if (m.type !== answer) return;
        this.worker.off('message', onMessage);
        resolve(m as Extract<FromApp, { type: T }>);
      };
      this.worker.on('message', onMessage);
      this.worker.postMessage(msg);
    });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}

// ---------------------------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------------------------

const clock = new RealClock();

interface Options {
  calls: number;
  concurrency: number;
  warmup: number;
  timeoutS: number;
  json: boolean;
  keepDb: boolean;
  /** `sqlite` (a temp file) or postgres:// URLs, measured in this order. */
  dbs: string[];
  /** Open loop: place calls at this many per second (still at most `concurrency` live); 0 = closed loop. */
  rate: number;
  /** After the flow runs, hold this many simulated calls up at once and measure the heap per live call; 0 = no. */
  hold: number;
  /** Only the hold measurement. */
  holdOnly: boolean;
  /** Write a CPU profile (.cpuprofile) of the measured calls alone, per store, to this path prefix. */
  profile: string | undefined;
  /** Write where the measured calls allocate (.heapprofile), per store, to this path prefix. */
  heapProfile: string | undefined;
}

function readOptions(): Options {
  const { values } = parseArgs({
    options: {
      calls: { type: 'string', default: '2000' },
      concurrency: { type: 'string', default: '200' },
      warmup: { type: 'string', default: '3000' },
      timeout: { type: 'string', default: '300' },
      json: { type: 'boolean', default: false },
      'keep-db': { type: 'boolean', default: false },
      db: { type: 'string', multiple: true },
      rate: { type: 'string', default: '0' },
      hold: { type: 'string', default: '0' },
      'hold-only': { type: 'boolean', default: false },
      profile: { type: 'string' },
      'heap-profile': { type: 'string' },
    },
  });
  const whole = (name: string, raw: string, min: number): number => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name}: a whole number >= ${min}, got "${raw}"`);
    return n;
  };
  return {
    calls: whole('calls', values.calls, 1),
    concurrency: whole('concurrency', values.concurrency, 1),
    warmup: whole('warmup', values.warmup, 0),
    timeoutS: whole('timeout', values.timeout, 1),
    json: values.json,
    keepDb: values['keep-db'],
    rate: whole('rate', values.rate, 0),
    hold: whole('hold', values['hold-only'] && values.hold === '0' ? '5000' : values.hold, 0),
    holdOnly: values['hold-only'],
    profile: values.profile,
    heapProfile: values['heap-profile'],
    dbs: (values.db ?? ['sqlite']).map((d) => {
      if (d !== 'sqlite' && !isPostgresUrl(d)) throw new Error(`--db: sqlite or a postgres:// URL, got "${d}"`);
      return d;
    }),
  };
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

function summary(values: number[]): { n: number; p50: number; p99: number; max: number } {
  const sorted = values.slice().sort((a, b) => a - b);
  return { n: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] ?? NaN };
}

/** Runs `total` jobs with at most `concurrency` of them in flight. */
async function pool(total: number, concurrency: number, job: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, total) }, async () => {
    while (next < total) await job(next++);
  });
  await Promise.all(lanes);
}

interface CallLoad {
  placed: number;
  rejected: number;
  firstError?: string;
  apiMs: number[];
  completed: boolean;
  startedAt: number;
  /** CPU seconds of the app's thread over the load: serving the webhooks and placing the calls. */
  cpuSeconds: number;
}

/**
 * Live-call slots: taken before a POST, given back when that call's /hangup arrives (or its POST
 * failed). After `expire()` every waiter, present and future, gets false.
 */
class Slots {
  private waiters: Array<(ok: boolean) => void> = [];
  private expired = false;
  private idle: ((ok: boolean) => void) | undefined;

  constructor(private free: number, private readonly total: number) {}

  take(): Promise<boolean> {
    if (this.expired) return Promise.resolve(false);
    if (this.free > 0) {
      this.free--;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  give(): void {
    const next = this.waiters.shift();
    if (next) next(true);
    else if (++this.free === this.total) this.idle?.(true);
  }

  /** Resolves true once every slot is free again, false if the slots expire first. */
  allFree(): Promise<boolean> {
    if (this.free === this.total) return Promise.resolve(true);
    if (this.expired) return Promise.resolve(false);
    return new Promise((resolve) => (this.idle = resolve));
  }

  expire(): void {
    this.expired = true;
    for (const w of this.waiters.splice(0)) w(false);
    this.idle?.(false);
  }
}

/**
 * Places `n` calls through the REST API, never more than `concurrency` of them live at once (a
 * call is live from its POST until its /hangup arrives), then waits for every /hangup. Runs on the
 * app's thread, where the /hangups arrive.
 */
async function placeCalls(
  { api, n, concurrency, timeoutMs, rate }: LoadRequest,
  agent: Agent,
  app: { appUrl: (path: string) => string; onHangup: (f: () => void) => void },
): Promise<CallLoad> {
  const auth = 'Basic ' + Buffer.from(`${AUTH_ID}:${AUTH_TOKEN}`).toString('base64');
  const body = JSON.stringify({ from: CALLER, to: A, answer_url: app.appUrl('/answer'), ring_url: app.appUrl('/ring'), hangup_url: app.appUrl('/hangup') });
  const cpuBefore = cpuSecondsOf() ?? 0;
  const load: CallLoad = { placed: 0, rejected: 0, apiMs: [], completed: false, startedAt: Date.now(), cpuSeconds: 0 };
  const width = Math.min(concurrency, n);
  const slots = new Slots(width, width);
  app.onHangup(() => slots.give());
  const timer = clock.setTimer(timeoutMs, () => slots.expire());
  try {
    const t0 = performance.now();
    await pool(n, width, async (i) => {
      if (!(await slots.take())) return;
      if (rate > 0) {
        // Open loop: call i goes out at t0 + i / rate, whatever the calls before it are doing.
        const wait = t0 + (1000 * i) / rate - performance.now();
        if (wait > 1) await new Promise<void>((resolve) => clock.setTimer(wait, resolve));
      }
      const t = performance.now();
      let status = 0;
      let text = '';
      try {
        const res = await request(`${api}/v1/Account/${AUTH_ID}/Call/`, {
          dispatcher: agent,
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: auth },
          body,
        });
        status = res.statusCode;
        text = await res.body.text();
      } catch (err) {
        text = String(err);
      }
      load.apiMs.push(performance.now() - t);
      load.placed++;
      if (status !== 201) {
        load.rejected++;
        load.firstError ??= `HTTP ${status}: ${text.slice(0, 200)}`;
        slots.give();
      }
    });
    load.completed = load.placed === n && (await slots.allFree());
  } finally {
    timer.cancel();
    app.onHangup(() => undefined);
    load.cpuSeconds = (cpuSecondsOf() ?? 0) - cpuBefore;
  }
  return load;
}

/** undici alone: `total` form POSTs of `body` to the app, `concurrency` in flight. */
async function rawUndici(app: AppServer, total: number, concurrency: number, body: string, connections?: number): Promise<{ seconds: number; failed: number }> {
  const agent = new Agent(connections === undefined ? {} : { connections });
  const url = app.url(RAW_PATH);
  let failed = 0;
  const started = performance.now();
  await pool(total, concurrency, async () => {
    const res = await request(url, {
      dispatcher: agent,
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'bench' },
      body,
    });
    await res.body.text();
    if (res.statusCode !== 200) failed++;
  });
  const seconds = (performance.now() - started) / 1000;
  await agent.close();
  return { seconds, failed };
}

interface DeliveryStats {
  delivered: number;
  notDelivered: number;
  retried: number;
  /** Per kind: created_at (the event) -> arrival at the app. */
  eventToApp: Record<string, number[]>;
  /** created_at -> the first attempt's start: the commit, then the call's earlier webhooks (one in flight per call). */
  queued: number[];
  /**
   * The same per kind: a fetch (answer, action) waits for its call's notifications queued before it
   * (the ring, say) to be answered first (webhooks/outbox.ts, afterQueuedNotifications), so its
   * wait includes theirs; a notification's does not.
   */
  queuedByKind: Record<string, number[]>;
  /**
   * Per kind: from when the order rule let the first attempt go to its start. A call's webhooks go
   * one after the other (engine.md §1: one in flight per call; a fetch after the notifications
   * queued before it), so a webhook may start once its event is recorded and the call's earlier
   * webhooks have been answered (their first attempt's start plus its latency), whichever is later.
   * What is left is the engine's own wait: the commit, its loop's turns, the hops to and from the
   * webhook thread. The app's time answering the earlier webhooks is not in it.
   */
  readyByKind: Record<string, number[]>;
  /** The first attempt as the engine timed it: signing, undici, the app, and event-loop lag (not the host limiter). */
  roundTrip: number[];
  missing: number;
  sampleParams?: Record<string, string>;
}

/** Joins the outbox rows with the app's arrival times on the event id (X-Switchboard-Event-Id). */
async function deliveryStats(store: Store, since: number, expected: number, arrivals: Map<string, number>): Promise<DeliveryStats> {
  // Newest first: the measured calls' deliveries come before the warm-up's.
  const { rows: all } = await store.listDeliveriesBy({ limit: expected * 2 + 1000, offset: 0 });
  const rows = all.filter((d: DeliveryRow) => d.created_at >= since);
  const firstAttempts = new Map<string, { at: number; latency_ms: number | null }>();
  for (let i = 0; i < rows.length; i += 1000) {
    for (const a of await store.listAttemptsFor(rows.slice(i, i + 1000).map((d) => d.id))) {
      if (a.attempt === 1) firstAttempts.set(a.delivery_id, { at: a.at, latency_ms: a.latency_ms });
    }
  }
  const stats: DeliveryStats = { delivered: 0, notDelivered: 0, retried: 0, eventToApp: {}, queued: [], queuedByKind: {}, readyByKind: {}, roundTrip: [], missing: 0 };
  for (const [kind, wait] of readyWaits(rows, firstAttempts)) (stats.readyByKind[kind] ??= []).push(wait);
  for (const r of rows) {
    if (r.status === 'delivered') stats.delivered++;
    else stats.notDelivered++;
    if (r.attempts > 1) stats.retried++;
    const arrived = arrivals.get(r.id);
    if (arrived === undefined) {
      stats.missing++;
      continue;
    }
    (stats.eventToApp[r.kind] ??= []).push(arrived - r.created_at);
    const first = firstAttempts.get(r.id);
    if (first) {
      stats.queued.push(first.at - r.created_at);
      (stats.queuedByKind[r.kind] ??= []).push(first.at - r.created_at);
    }
    if (first?.latency_ms != null) stats.roundTrip.push(first.latency_ms);
    if (r.kind === 'hangup' && stats.sampleParams === undefined) stats.sampleParams = JSON.parse(r.params) as Record<string, string>;
  }
  return stats;
}

/** Each delivery's wait from when it could go (its event, or its call's earlier webhooks answered) to its first attempt. */
function readyWaits(rows: readonly DeliveryRow[], firstAttempts: ReadonlyMap<string, { at: number; latency_ms: number | null }>): Array<[string, number]> {
  const byCall = new Map<string, DeliveryRow[]>();
  for (const r of rows) {
    const list = byCall.get(r.call_uuid);
    if (list) list.push(r);
    else byCall.set(r.call_uuid, [r]);
  }
  const out: Array<[string, number]> = [];
  for (const list of byCall.values()) {
    list.sort((x, y) => x.seq - y.seq);
    let answered = -Infinity;
    for (const r of list) {
      const first = firstAttempts.get(r.id);
      if (!first) continue;
      // Stamps are whole ms and latencies rounded: a wait of -1 is one of 0.
      out.push([r.kind, Math.max(0, first.at - Math.max(r.created_at, answered))]);
      if (first.latency_ms !== null) answered = Math.max(answered, first.at + first.latency_ms);
    }
  }
  return out;
}

/**
 * How the measured calls ended, by leg and cause. Every A leg should end 4010 (End Of XML
 * Instructions) and every B leg NORMAL_CLEARING from the callee: anything else means the figures
 * measured some other flow (an XML error, say) and are not comparable.
 */
async function outcomes(store: Store, since: number, expected: number): Promise<{ expected: boolean; text: string }> {
  const { rows: all } = await store.listCalls({ limit: expected * 2 + 1000, offset: 0 });
  const groups = new Map<string, { leg: string; code: number | null; name: string | null; source: string | null; error: string | null; n: number }>();
  for (const c of all.filter((r: CallRow) => r.initiation_time >= since)) {
    const leg = c.parent_call_uuid === null ? 'A' : 'B';
    const key = JSON.stringify([leg, c.hangup_cause_code, c.hangup_cause_name, c.hangup_source, c.error]);
    const g = groups.get(key) ?? { leg, code: c.hangup_cause_code, name: c.hangup_cause_name, source: c.hangup_source, error: c.error, n: 0 };
    g.n++;
    groups.set(key, g);
  }
  const rows = [...groups.values()].sort((x, y) => x.leg.localeCompare(y.leg) || y.n - x.n);
  const ok = rows.every((r) => (r.leg === 'A' ? r.code === 4010 : r.code === 4000 && r.source === 'Callee') && r.error === null);
  const text = rows.map((r) => `${r.leg} ${r.n} x ${r.code ?? 'live'} ${r.name ?? ''} (${r.source ?? '-'})${r.error ? `: ${r.error}` : ''}`).join('; ');
  return { expected: ok, text };
}

function machine(): { cpu: string; cores: number; node: string; os: string; memoryGb: number; loadAverage: number } {
  const list = cpus();
  return {
    cpu: list[0]?.model.trim() ?? 'unknown',
    cores: availableParallelism(),
    node: process.version,
    os: `${process.platform} ${release()}`,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    // Other work on the machine skews every figure; the raw undici rate, measured in the same run, is the yardstick.
    loadAverage: Math.round(loadavg()[0]! * 100) / 100,
  };
}

/**
 * The garbage collector's pauses on this thread from now until `stop`: how many, and their time in
 * all. Allocation per event shows here first (issue 18 item 4), and, unlike CPU time, it barely
 * moves with the machine's load.
 */
function gcMeter(): { stop: () => { count: number; ms: number; maxMs: number } } {
  let count = 0;
  let ms = 0;
  let maxMs = 0;
  const add = (entries: PerformanceEntry[]) => {
    for (const e of entries) {
      count++;
      ms += e.duration;
      if (e.duration > maxMs) maxMs = e.duration;
    }
  };
  const observer = new PerformanceObserver((list) => add(list.getEntries()));
  observer.observe({ entryTypes: ['gc'] });
  return {
    stop: () => {
      add(observer.takeRecords());
      observer.disconnect();
      return { count, ms, maxMs };
    },
  };
}

/**
 * A V8 profiler on this thread, started now; `stop` writes what it sampled to a file. `cpu`: a
 * .cpuprofile. `heap`: a .heapprofile of where the measured calls allocate, the objects already
 * collected included (the sampling heap profiler otherwise keeps only what is still alive).
 */
async function startProfile(kind: 'cpu' | 'heap'): Promise<{ stop: (path: string) => Promise<string> }> {
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) => session.post(method, params, (err, result) => (err ? reject(err) : resolve(result))));
  if (kind === 'cpu') {
    await post('Profiler.enable');
    await post('Profiler.setSamplingInterval', { interval: 200 });
    await post('Profiler.start');
  } else {
    await post('HeapProfiler.enable');
    await post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  }
  return {
    stop: async (path) => {
      const { profile } = (await post(kind === 'cpu' ? 'Profiler.stop' : 'HeapProfiler.stopSampling')) as { profile: unknown };
      session.disconnect();
      writeFileSync(path, JSON.stringify(profile));
      return path;
    },
  };
}

/**
 * CPU seconds used by the main thread (the engine, and the light load generator), on Linux from
 * /proc; elsewhere the whole process. Unlike wall time it hardly moves when other work shares the
 * machine, so it is the steadier measure of what a call costs.
 */
function mainThreadCpuSeconds(): number {
  const seconds = cpuSecondsOf(`/proc/self/task/${process.pid}/stat`);
  if (seconds !== null) return seconds;
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '-');

interface StoreRun {
  db: string;
  result: Record<string, unknown> & { callsPerSecond: number; cpuMsPerCall: number; gcMsPerCall: number; gcPerCall: number; statementsPerCall: number; ratio: number };
  text: string[];
  ok: boolean;
}

/** One store: warm-up, the measured calls, then the figures read back from that store. */
async function runOn(db: string, opts: Options, app: AppServer): Promise<StoreRun> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-bench-'));
  const dbSpec = db === 'sqlite' ? join(dir, 'switchboard.db') : db;
  const label = db === 'sqlite' ? 'sqlite' : redactUrl(db);
  const config = loadConfig(
    { db: dbSpec, host: '127.0.0.1', port: '0', 'auth-id': AUTH_ID, 'auth-token': AUTH_TOKEN, 'log-level': 'warn' },
    // As `serve` does: SWITCHBOARD_* variables tune what the flags above leave open.
    process.env,
  );
  app.reset();
  const engine = new Engine({ config, clock });
  try {
    await engine.start();
    await engine.simNumbers.set(A, A_SCRIPT);
    await engine.simNumbers.set(B, B_SCRIPT);
    const port = await engine.listen();
    const api = `http://127.0.0.1:${port}`;
    const timeoutMs = opts.timeoutS * 1000;

    if (opts.warmup > 0) {
      const w = await app.load({ api, n: opts.warmup, concurrency: opts.concurrency, timeoutMs, rate: 0 });
      if (!w.completed || w.rejected > 0) throw new Error(`warm-up failed: ${w.rejected} rejected, ${w.firstError ?? 'timed out'}`);
      await engine.outbox.drain(5000);
    }
    app.reset();

    // The warm-up's deferred writes (store/deferred-writes.ts) are not the measured calls'.
    await engine.store.flush();
    const statementsBefore = engine.store.statements.snapshot();
    const profiler = opts.profile === undefined ? undefined : await startProfile('cpu');
    const heapProfiler = opts.heapProfile === undefined ? undefined : await startProfile('heap');
    const gc = gcMeter();
    // How late the engine's loop ran what was due: a stall of the thread (a long collection, a
    // blocked write) shows here as the webhooks' tail does.
    const loopDelay = monitorEventLoopDelay({ resolution: 1 });
    loopDelay.enable();
    const cpuBefore = mainThreadCpuSeconds();
    const processBefore = process.cpuUsage();
    const loadStart = performance.now();
    const threadBefore = await webhookThreadCpuSeconds();
    const writer = (engine.store as { writer?: SqliteWriter }).writer;
    const writerBefore = writer?.cpuSeconds() ?? null;
    const checkpointerOf = () => (engine.store as { checkpointer?: SqliteCheckpointer }).checkpointer;
    // The thread starts once the WAL has grown (sqlite-checkpointer.ts); one that starts during the
    // measured calls spent all its CPU on them (until then the engine's thread checkpointed).
    const checkpointsBefore = checkpointerOf()?.cpuSeconds() ?? 0;
    const groupsBefore = writer?.groups ?? 0;
    const load = await app.load({ api, n: opts.calls, concurrency: opts.concurrency, timeoutMs, rate: opts.rate });
    const cpuSeconds = mainThreadCpuSeconds() - cpuBefore;
    const processUsage = process.cpuUsage(processBefore);
    const loadSeconds = (performance.now() - loadStart) / 1000;
    const gcPauses = gc.stop();
    loopDelay.disable();
    const threadAfter = await webhookThreadCpuSeconds();
    const writerAfter = writer?.cpuSeconds() ?? null;
    const checkpointsAfter = checkpointerOf()?.cpuSeconds() ?? null;
    // The SQLite checkpoint thread's share (store/sqlite-checkpointer.ts): copying the WAL into the file.
    const checkpointSeconds = checkpointsAfter === null ? null : checkpointsAfter - checkpointsBefore;
    // The SQLite writer thread's share (store/sqlite-writer.ts), when the store commits on it.
    const writerSeconds = writerBefore === null || writerAfter === null ? null : writerAfter - writerBefore;
    // The webhook thread's share (webhooks/http-thread.ts), when the engine sends from it.
    const threadSeconds = threadBefore === null || threadAfter === null ? null : threadAfter - threadBefore;
    if (profiler) process.stderr.write(`profile of the measured calls: ${await profiler.stop(`${opts.profile}.${db === 'sqlite' ? 'sqlite' : 'pg'}.cpuprofile`)}\n`);
    if (heapProfiler) process.stderr.write(`allocations of the measured calls: ${await heapProfiler.stop(`${opts.heapProfile}.${db === 'sqlite' ? 'sqlite' : 'pg'}.heapprofile`)}\n`);
    // The last attempts are written after their webhook arrived: wait for them before counting.
    await engine.outbox.drain(5000);
    await engine.registry.whenEmpty();
    // What the store deferred is part of the calls: written now, and counted.
    await engine.store.flush();
    const statements = statementDelta(statementsBefore, engine.store.statements.snapshot());
    const dump = await app.dump();
    const live = engine.registry.size;
    await engine.stop();

    const arrivals = new Map<string, number>();
    let lastHangup = load.startedAt;
    dump.ids.forEach((id, i) => {
      const t = dump.times[i]!;
      arrivals.set(id, t);
      if (dump.paths[i] === '/hangup' && t > lastHangup) lastHangup = t;
    });
    const wallS = (lastHangup - load.startedAt) / 1000;
    const completedCalls = dump.counts['/hangup'] ?? 0;
    const webhooks = PATHS.reduce((n, p) => n + (dump.counts[p] ?? 0), 0);
    // Read back through the store itself, on either database.
    const reader = openStore(dbSpec);
    let stats: DeliveryStats;
    let ended: { expected: boolean; text: string };
    try {
      stats = await deliveryStats(reader, Math.floor(load.startedAt), opts.calls * PATHS.length, arrivals);
      ended = await outcomes(reader, Math.floor(load.startedAt), opts.calls * 2);
    } finally {
      await reader.close();
    }

    // The same app, the same concurrency, the same number of requests, a real webhook's body.
    const rawBody = new URLSearchParams(stats.sampleParams ?? { CallUUID: 'x' }).toString();
    const rawTotal = webhooks > 0 ? webhooks : opts.calls * PATHS.length;
    const raw = await rawUndici(app, rawTotal, opts.concurrency, rawBody);
    const raw16 = await rawUndici(app, rawTotal, opts.concurrency, rawBody, 16);

    const callsPerS = completedCalls / wallS;
    const enginePerS = webhooks / wallS;
    const rawPerS = rawTotal / raw.seconds;
    const raw16PerS = rawTotal / raw16.seconds;
    const all = Object.values(stats.eventToApp).flat();
    const byKind = Object.fromEntries(Object.entries(stats.eventToApp).map(([k, v]) => [k, summary(v)]));
    const statementsPerCall = sumCounts(statements) / Math.max(1, completedCalls);
    const perCall = Object.fromEntries(Object.entries(statements).map(([k, n]) => [k, Math.round((100 * n) / Math.max(1, completedCalls)) / 100]));
    const result = {
      db: label,
      options: { calls: opts.calls, concurrency: opts.concurrency, warmup: opts.warmup, rate: opts.rate },
      completed: load.completed,
      outcomes: ended,
      calls: { placed: load.placed, rejected: load.rejected, completed: completedCalls, stillLive: live },
      wallSeconds: wallS,
      callsPerSecond: callsPerS,
      cpuMsPerCall: (1000 * cpuSeconds) / completedCalls,
      gcMsPerCall: gcPauses.ms / completedCalls,
      gcPerCall: gcPauses.count / completedCalls,
      gcMaxPauseMs: gcPauses.maxMs,
      loopDelayMs: { p50: loopDelay.percentile(50) / 1e6, p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 },
      webhookThreadCpuMsPerCall: threadSeconds === null ? null : (1000 * threadSeconds) / completedCalls,
      writerThreadCpuMsPerCall: writerSeconds === null ? null : (1000 * writerSeconds) / completedCalls,
      writerGroupsPerCall: writer ? (writer.groups - groupsBefore) / completedCalls : null,
      checkpointThreadCpuMsPerCall: checkpointSeconds === null ? null : (1000 * checkpointSeconds) / completedCalls,
      // The app's thread (serving the webhooks, placing the calls): another process in a deployment.
      appThreadCpuMsPerCall: (1000 * load.cpuSeconds) / completedCalls,
      // Every thread of the process over the measured calls, V8's own helpers (its optimizing
      // compiler, its parallel and concurrent GC) too: near the machine's core count, calls/s and the
      // ratio below are bound by the machine, not by the engine's wait.
      processCpuMsPerCall: (1000 * (processUsage.user + processUsage.system)) / 1e6 / completedCalls,
      processCores: (processUsage.user + processUsage.system) / 1e6 / loadSeconds,
      // The engine's own threads together: what the calls cost the process (V8's shared helper threads aside).
      engineThreadsCpuMsPerCall: (1000 * (cpuSeconds + (threadSeconds ?? 0) + (writerSeconds ?? 0) + (checkpointSeconds ?? 0))) / completedCalls,
      statementsPerCall,
      statementsPerCallByKind: perCall,
      webhooks: { received: webhooks, perSecond: enginePerS, delivered: stats.delivered, notDelivered: stats.notDelivered, retried: stats.retried, unmatched: stats.missing },
      apiMs: summary(load.apiMs),
      eventToAppMs: { all: summary(all), ...byKind },
      queuedMs: { all: summary(stats.queued), ...Object.fromEntries(Object.entries(stats.queuedByKind).map(([k, v]) => [k, summary(v)])) },
      readyMs: { all: summary(Object.values(stats.readyByKind).flat()), ...Object.fromEntries(Object.entries(stats.readyByKind).map(([k, v]) => [k, summary(v)])) },
      roundTripMs: summary(stats.roundTrip),
      rawUndici: { requests: rawTotal, perSecond: rawPerS, failed: raw.failed, perSecondWith16Connections: raw16PerS },
      ratio: enginePerS / rawPerS,
    };
    const line = (lbl: string, x: { n: number; p50: number; p99: number; max: number }) =>
      `  ${lbl.padEnd(22)} p50 ${f1(x.p50).padStart(7)} ms   p99 ${f1(x.p99).padStart(7)} ms   max ${f1(x.max).padStart(7)} ms   (n=${x.n})`;
    const text = [
      `store        ${label}`,
      load.completed ? '' : `INCOMPLETE   gave up after ${opts.timeoutS} s: ${completedCalls} of ${load.placed - load.rejected} calls hung up`,
      load.rejected > 0 ? `REJECTED     ${load.rejected} POST Call/ failed; first: ${load.firstError}` : '',
      `${ended.expected ? 'outcomes' : 'UNEXPECTED'}     ${ended.text}`,
      `calls        ${completedCalls} completed in ${wallS.toFixed(2)} s = ${callsPerS.toFixed(0)} calls/s`,
      `cpu          ${result.cpuMsPerCall.toFixed(2)} ms of main-thread CPU per call (${cpuSeconds.toFixed(1)} s in all): at most ${(1000 / result.cpuMsPerCall).toFixed(0)} calls/s on one free core`,
 `gc           ${result.gcMsPerCall.toFixed(3)} ms of garbage-collection pauses per call on the engine's thread, ${result.gcPerCall.toFixed(3)} collections per call, the longest ${f1(result.gcMaxPauseMs)} ms`,
      `loop         the engine thread's event loop ran late by p50 ${f1(result.loopDelayMs.p50)} ms, p99 ${f1(result.loopDelayMs.p99)} ms, max ${f1(result.loopDelayMs.max)} ms (monitorEventLoopDelay)`,
      result.webhookThreadCpuMsPerCall === null
        ? `thread       webhooks sent from the engine's thread (--webhook-thread off)`
        : `thread       ${result.webhookThreadCpuMsPerCall.toFixed(2)} ms of webhook-thread CPU per call (webhooks/http-thread.ts)`,
      result.writerThreadCpuMsPerCall === null
        ? `writer       ${db === 'sqlite' ? "SQLite commits on the engine's thread (--sqlite-thread off)" : 'PostgreSQL: no writer thread'}`
        : `writer       ${result.writerThreadCpuMsPerCall.toFixed(2)} ms of SQLite-writer-thread CPU per call, ${result.writerGroupsPerCall!.toFixed(2)} groups per call (store/sqlite-writer.ts)`,
      result.checkpointThreadCpuMsPerCall === null
        ? `checkpoints  ${db === 'sqlite' ? "on the engine's thread (no checkpoint thread)" : 'PostgreSQL: no checkpoint thread'}`
        : `checkpoints  ${result.checkpointThreadCpuMsPerCall.toFixed(2)} ms of SQLite-checkpoint-thread CPU per call (store/sqlite-checkpointer.ts)`,
      `engine       ${result.engineThreadsCpuMsPerCall.toFixed(2)} ms of CPU per call on the engine's threads together (the lines above)`,
      `app          ${result.appThreadCpuMsPerCall.toFixed(2)} ms of the app's thread per call (serving the webhooks, placing the call)`,
      `process      ${result.processCpuMsPerCall.toFixed(2)} ms of CPU per call on all threads, ${result.processCores.toFixed(2)} of ${availableParallelism()} cores busy; ` +
        `${(result.processCpuMsPerCall - result.engineThreadsCpuMsPerCall - result.appThreadCpuMsPerCall).toFixed(2)} ms on none of the above (V8's compiler and GC helpers)`,
      `statements   ${statementsPerCall.toFixed(2)} SQL statements per call (BEGIN and COMMIT included): ${formatCounts(perCall)}`,
      `webhooks     ${webhooks} received = ${enginePerS.toFixed(0)}/s; ${stats.delivered} delivered, ${stats.notDelivered} not, ${stats.retried} retried`,
      `latency      event recorded -> app received (deliveries.created_at -> arrival)`,
      line('all webhooks', result.eventToAppMs.all),
      ...Object.entries(byKind).map(([k, x]) => line(k, x)),
      `  parts (not additive: the host limiter's wait falls between them)`,
      line('event -> attempt start', result.queuedMs.all),
      ...Object.entries(result.queuedMs).filter(([k]) => k !== 'all').map(([k, x]) => line(`  ${k}`, x)),
      line('ready -> attempt start', result.readyMs.all),
      ...Object.entries(result.readyMs).filter(([k]) => k !== 'all').map(([k, x]) => line(`  ${k}`, x)),
      line('attempt (engine-timed)', result.roundTripMs),
      line('POST Call/ (API)', result.apiMs),
      `raw undici   ${rawTotal} form POSTs, ${opts.concurrency} in flight: ${rawPerS.toFixed(0)}/s (16 connections, as the engine's agent: ${raw16PerS.toFixed(0)}/s)`,
      `ratio        engine webhooks/s / raw undici/s = ${result.ratio.toFixed(3)}`,
    ].filter((l) => l !== '');
    const ok = load.completed && load.rejected === 0 && stats.notDelivered === 0 && ended.expected;
    return { db: label, result, text, ok };
  } finally {
    await engine.stop().catch(() => undefined);
    if (opts.keepDb) process.stderr.write(`database kept at ${dbSpec}\n`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Memory per live call (issue 18 item 5): N simulated calls held up at once, the heap after a GC
// ---------------------------------------------------------------------------------------------

/** A full collection, with or without --expose-gc (the flag can be turned on at run time). */
function collect(): void {
  let gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
  gc();
}

function heapUsed(): number {
  collect();
  return getHeapStatistics().used_heap_size;
}

const sleep = (ms: number) => new Promise<void>((resolve) => clock.setTimer(ms, resolve));

interface HoldResult {
  calls: number;
  up: number;
  heapBeforeMiB: number;
  heapHeldMiB: number;
  heapAfterMiB: number;
  kibPerCall: number;
  rssPerCallKiB: number;
  placeSeconds: number;
}

/**
 * A fresh engine on SQLite; A answers, the Dial's B answers and stays: every call is two bridged
 * legs. The heap is read after a full GC before the calls, with all N up (every B leg answered and
 * the outbox drained), and after they are hung up (DELETE Call/, Plivo's hang-up-all).
 */
async function holdCalls(n: number, concurrency: number, app: AppServer, timeoutS: number): Promise<HoldResult> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-bench-hold-'));
  const config = loadConfig(
    { db: join(dir, 'switchboard.db'), host: '127.0.0.1', port: '0', 'auth-id': AUTH_ID, 'auth-token': AUTH_TOKEN, 'log-level': 'warn' },
    process.env,
  );
  app.reset();
  const engine = new Engine({ config, clock });
  const deadline = performance.now() + timeoutS * 1000;
  const auth = 'Basic ' + Buffer.from(`${AUTH_ID}:${AUTH_TOKEN}`).toString('base64');
  try {
    await engine.start();
    await engine.simNumbers.set(A, 'ring, answer');
    await engine.simNumbers.set(B, 'answer');
    const port = await engine.listen();
    const api = `http://127.0.0.1:${port}`;
    const agent = new Agent({ connections: Math.min(concurrency, 64) });
    const body = JSON.stringify({ from: CALLER, to: A, answer_url: app.url('/answer'), ring_url: app.url('/ring'), hangup_url: app.url('/hangup') });
    const post = async () => {
      const res = await request(`${api}/v1/Account/${AUTH_ID}/Call/`, { dispatcher: agent, method: 'POST', headers: { 'content-type': 'application/json', authorization: auth }, body });
      const text = await res.body.text();
      if (res.statusCode !== 201) throw new Error(`POST Call/: HTTP ${res.statusCode}: ${text.slice(0, 200)}`);
    };
    // Warm-up: the same flow, hung up, so the baseline has the code and the caches the held calls use.
    await pool(50, 50, post);
    while (engine.registry.size < 100 && performance.now() < deadline) await sleep(50);
    await request(`${api}/v1/Account/${AUTH_ID}/Call/`, { dispatcher: agent, method: 'DELETE', headers: { authorization: auth } }).then((r) => r.body.text());
    await engine.registry.whenEmpty();
    await engine.outbox.drain(10_000);
    const rssBefore = process.memoryUsage().rss;
    const before = heapUsed();

    const placeStart = performance.now();
    await pool(n, concurrency, post);
    const bridged = () => engine.registry.all().filter((c) => c.leg.answered).length;
    while (bridged() < 2 * n && performance.now() < deadline) await sleep(100);
    const placeSeconds = (performance.now() - placeStart) / 1000;
    await engine.outbox.drain(30_000);
    const up = bridged() / 2;
    const rssHeld = process.memoryUsage().rss;
    const held = heapUsed();

    app.reset();
    const hungUp = async () => (await app.dump()).counts['/hangup'] ?? 0;
    await request(`${api}/v1/Account/${AUTH_ID}/Call/`, { dispatcher: agent, method: 'DELETE', headers: { authorization: auth } }).then((r) => r.body.text());
    await engine.registry.whenEmpty();
    // Every hangup webhook delivered before the engine stops (it would drop the rest).
    while ((await hungUp()) < up && performance.now() < deadline) await sleep(100);
    await engine.outbox.drain(30_000);
    const after = heapUsed();
    await agent.close();
    const mib = (b: number) => Math.round((10 * b) / 2 ** 20) / 10;
    return {
      calls: n,
      up,
      heapBeforeMiB: mib(before),
      heapHeldMiB: mib(held),
      heapAfterMiB: mib(after),
      kibPerCall: Math.round((10 * (held - before)) / 1024 / Math.max(1, up)) / 10,
      rssPerCallKiB: Math.round((10 * (rssHeld - rssBefore)) / 1024 / Math.max(1, up)) / 10,
      placeSeconds,
    };
  } finally {
    await engine.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  const opts = readOptions();
  const host = machine();
  const app = await AppServer.start();
  const runs: StoreRun[] = [];
  let held: HoldResult | undefined;
  try {
    if (!opts.holdOnly) for (const db of opts.dbs) runs.push(await runOn(db, opts, app));
    if (opts.hold > 0) held = await holdCalls(opts.hold, Math.min(opts.concurrency, 200), app, opts.timeoutS);
  } finally {
    await app.close();
  }
  const loadAfter = Math.round(loadavg()[0]! * 100) / 100;
  if (opts.json) {
    process.stdout.write(JSON.stringify({ machine: { ...host, loadAverageAtEnd: loadAfter }, runs: runs.map((r) => r.result), ...(held ? { hold: held } : {}) }) + '\n');
  } else {
    const m = host;
    const out = [
      `machine      ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB, ${m.os}, Node ${m.node}; load average ${m.loadAverage} at start, ${loadAfter} at end`,
      ...(opts.holdOnly ? [] : [`load         ${opts.calls} calls, ${opts.concurrency} live at once${opts.rate > 0 ? `, placed at ${opts.rate} calls/s` : ''}, ${opts.warmup} warm-up calls, per store`,
      `             A "${A_SCRIPT}", B "${B_SCRIPT}": ring, answer (Dial), action, hangup per call`]),
      ...runs.flatMap((r) => ['', ...r.text]),
    ];
    if (runs.length > 1) {
      // Measured in one run on the same app: the ratios hold even when the machine is loaded.
      const base = runs[0]!.result;
      out.push('', `compared with ${runs[0]!.db}:`);
      for (const r of runs.slice(1)) {
        const x = r.result;
        out.push(
          `  ${r.db}: calls/s x${(x.callsPerSecond / base.callsPerSecond).toFixed(2)}, CPU per call x${(x.cpuMsPerCall / base.cpuMsPerCall).toFixed(2)}, statements per call ${x.statementsPerCall.toFixed(1)} vs ${base.statementsPerCall.toFixed(1)}`,
        );
      }
    }
    if (held) {
      out.push(
        '',
        `hold         ${held.up} of ${held.calls} calls up at once (A and B bridged), placed in ${held.placeSeconds.toFixed(1)} s`,
        `heap         after a full GC: ${held.heapBeforeMiB} MiB before, ${held.heapHeldMiB} MiB with the calls up, ${held.heapAfterMiB} MiB after they ended`,
        `per call     ${held.kibPerCall} KiB of V8 heap per live call (RSS grew ${held.rssPerCallKiB} KiB per call)`,
      );
    }
    process.stdout.write(out.join('\n') + '\n');
  }
  return runs.every((r) => r.ok) && (!held || held.up === held.calls) ? 0 : 1;
}

if (isMainThread) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
} else if ((workerData as { role?: string } | null)?.role === 'app') {
  runAppServer();
}
