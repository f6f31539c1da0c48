/**
 * `npm run bench:sip`: calls per second and concurrent calls through the engine's SIP network, on loopback.
 *
 *   sipp UAC (uac-invite-bye.xml, -s 15550001) -> engine (`serve` child process, --sip-listen/--sip-trunk)
 *     -> inbound application of 15550001 (answer_url on a local node:http app: <Dial><Number>15550002</Number></Dial>)
 *     -> sipp UAS (uas-answer-again.xml) behind the only trunk
 *
 * Rising rates (each rate * --secs calls, each held --hold-ms) until one has a failed call; the same rates (and
 * higher) sipp UAC -> sipp UAS directly, the machine's limit; then a hold run (--hold-calls calls up at once) with
 * the engine's RSS sampled before and at the peak. Every process started here is killed by PID at the end.
 *
 * Flags: --rates "5,10,20,40,80,160" --secs 6 --warmup 3000 --warmup-rate 150 (calls on each node first) --hold-ms 1000 --direct-rates "..." --hold-calls 500
 *        --hold-rate 100 --hold-for 15000 --json --profile DIR (the engine writes a V8 CPU profile there)
 *        --hold-only (skip the ladders: the hold starts from a fresh engine's memory)
 *        --udp-buffer BYTES (the engine's `sip.udpBuffer`; 212992, the kernel's default, measures "before")
 *        --nodes N (N independent engines, each its own SQLite file, the same account, application and
 *          number, each taking 1/N of every rate from its own sipp caller: two nodes on one machine)
 *        --engine-root DIR (run the engine of another checkout, e.g. a worktree of main: before/after
 *          with the same bench)
 *        --node-args "FLAGS" (more flags for the engine's node, e.g. V8's)
 *        --callee uas-answer.xml (the callee's scenario before uas-answer-again.xml: see that file)
 *        --keep (leave sipp's logs and the engines' databases, and print where they are)
 *
 * A rate with a failed call prints the hangup webhooks' causes and sipp's own account of why (the
 * kinds of event in its `-trace_err` log, most frequent first).
 *
 * The hold run also reads the V8 heap after a forced full GC: the engine is started with --expose-gc
 * and bench/support/heap-probe.mjs, which on SIGUSR2 (and only when SB_BENCH_HEAP_FILE is set, as
 * only this bench sets it) runs gc() and writes the heap figures to that file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import http from 'node:http';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuSecondsOf } from '../packages/engine/src/util/proc-cpu.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SHARED_SIPP = resolve(root, '../shared/sipp');
const scen = (name: string) => (existsSync(join(root, 'packages/engine/test/sipp', name)) ? join(root, 'packages/engine/test/sipp', name) : join(SHARED_SIPP, name));

function flag(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  // An empty value is a value: `--direct-rates ""` runs no direct ladder.
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : def;
}
/** A flag's whole number, at least `min`; anything else stops the bench with the flag's name. */
function whole(name: string, value: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) {
    console.error(`--${name}: ${JSON.stringify(value)} is not a whole number of at least ${min}`);
    process.exit(2);
  }
  return n;
}
const wholeFlag = (name: string, def: string, min = 0) => whole(name, flag(name, def), min);
const list = (name: string, def: string) => flag(name, def).split(/[ ,]+/).filter(Boolean).map((v) => whole(name, v, 1));
/** `--hold-only`: skip both ladders, so the hold run starts from a fresh engine's memory (the ladder grows the heap first). */
const HOLD_ONLY = process.argv.includes('--hold-only');
const RATES = HOLD_ONLY ? [] : list('rates', '5,10,20,40,80,160,320');
const SECS = wholeFlag('secs', '6', 1);
const HOLD_MS = wholeFlag('hold-ms', '1000');
const DIRECT_RATES = HOLD_ONLY ? [] : list('direct-rates', [...RATES, 1000, 2000].join(','));
const HOLD_CALLS = wholeFlag('hold-calls', '500');
const HOLD_RATE = wholeFlag('hold-rate', '100', 1);
const HOLD_FOR = wholeFlag('hold-for', '15000');
const JSON_OUT = process.argv.includes('--json');
const PROFILE_DIR = flag('profile', '');
/** The engine's UDP buffers in bytes (`sip.udpBuffer`); 0 = the engine's default (4 MiB). 212992 is the kernel default, "before". */
const UDP_BUFFER = wholeFlag('udp-buffer', '0');
const NODES = wholeFlag('nodes', '1', 1);
const ENGINE_ROOT = resolve(flag('engine-root', root));
/** `--node-args "..."`: more flags for the engine's node (V8's --trace-deopt, --max-semi-space-size, ...). */
const NODE_ARGS = flag('node-args', '').split(' ').filter(Boolean);
/**
 * `--callee FILE`: the callee's sipp scenario. The default absorbs an INVITE retransmitted after its 200
 * (the 200 goes on being retransmitted) and an ACK sent again, as a UAS does; `uas-answer.xml` (what this
 * bench used before) aborts the call on either.
 */
const CALLEE_SCENARIO = flag('callee', 'uas-answer-again.xml');
if (!existsSync(scen(CALLEE_SCENARIO))) {
  console.error(`--callee: no scenario ${CALLEE_SCENARIO} in packages/engine/test/sipp/ or ../shared/sipp/`);
  process.exit(2);
}
/** `--warmup CALLS` (0: none) at `--warmup-rate R` on each node before anything is measured (see main()). */
const WARMUP_CALLS = wholeFlag('warmup', '3000');
const WARMUP_RATE = wholeFlag('warmup-rate', '150', 1);
/** `--keep`: leave sipp's logs and the engines' databases where they are, and say where. */
const KEEP = process.argv.includes('--keep');
const HEAP_PROBE = join(root, 'bench/support/heap-probe.mjs');
const AUTH_ID = 'MABENCHSIP0000000001';
const AUTH_TOKEN = 'bench-sip-token-0123456789';
const DID = '15550001';
const CALLEE = '15550002';

const children = new Set<ChildProcess>();
const dirs: string[] = [];
function killAll(): void {
  for (const c of children) if (c.exitCode === null && c.signalCode === null && c.pid) try { process.kill(c.pid, 'SIGKILL'); } catch { /* gone */ }
}
process.on('exit', killAll);
process.on('SIGINT', () => { killAll(); process.exit(130); });

const log = (...a: unknown[]) => { if (!JSON_OUT) console.log(...a); };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function freePort(type: 'udp' | 'tcp' = 'udp'): Promise<number> {
  if (type === 'tcp') {
    const s = http.createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const p = (s.address() as { port: number }).port;
    await new Promise((r) => s.close(r));
    return p;
  }
  const s = dgram.createSocket('udp4');
  const p = await new Promise<number>((res) => s.bind(0, '127.0.0.1', () => res(s.address().port)));
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

function rssKiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}
function cpuTicks(pid: number): number {
  return Math.round((cpuSecondsOf(`/proc/${pid}/stat`) ?? 0) * 100);
}

// ---- the app: answer_url returns the Dial, every webhook is counted
const counts = new Map<string, number>();
/** The hangup webhooks' HangupCause (HangupSource), counted since the last `takeCauses()`. */
let causes = new Map<string, number>();
const takeCauses = () => { const c = causes; causes = new Map(); return [...c].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${n} x ${k}`).join(', '); };
const app = http.createServer((req, res) => {
  let body = '';
  req.on('data', (d) => (body += d));
  req.on('end', () => {
    const path = (req.url ?? '/').split('?')[0]!;
    counts.set(path, (counts.get(path) ?? 0) + 1);
    if (path === '/hangup') {
      const q = new URLSearchParams(body);
      const k = `${q.get('HangupCause')} (${q.get('HangupSource')})`;
      causes.set(k, (causes.get(k) ?? 0) + 1);
    }
    if (path === '/answer') {
      res.writeHead(200, { 'content-type': 'application/xml' });
      res.end(`<Response><Dial><Number>${CALLEE}</Number></Dial></Response>`);
    } else {
      res.writeHead(200);
      res.end();
    }
  });
});
const count = (p: string) => counts.get(p) ?? 0;

// ---- sipp
interface SippResult { code: number; ok: number; failed: number; peak: number; dir: string; errors: string[] }
function sipp(args: string[], uac: boolean): { child: ChildProcess; done: Promise<SippResult>; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sb-bench-sipp-'));
  dirs.push(dir);
  const child = spawn('sipp', [...args, '-nostdin', '-trace_screen', '-trace_err', ...(uac ? ['-trace_stat', '-fd', '1'] : [])], { cwd: dir, stdio: 'ignore' });
  children.add(child);
  const done = new Promise<SippResult>((res) => child.on('exit', (code, sig) => {
    children.delete(child);
    let ok = 0, failed = 0, peak = 0;
    const files = readdirSync(dir);
    const scr = files.find((f) => f.endsWith('_screen.log'));
    if (scr) {
      const t = readFileSync(join(dir, scr), 'utf8');
      ok = Number(/Successful call\s*\|\s*\d+\s*\|\s*(\d+)/.exec(t)?.[1] ?? 0);
      failed = Number(/Failed call\s*\|\s*\d+\s*\|\s*(\d+)/.exec(t)?.[1] ?? 0);
    }
    const st = files.find((f) => f.endsWith('.csv'));
    if (st) {
      const rows = readFileSync(join(dir, st), 'utf8').trim().split('\n').map((l) => l.split(';'));
      const c = rows[0]!.indexOf('CurrentCall');
      for (const r of rows.slice(1)) peak = Math.max(peak, Number(r[c]) || 0);
    }
    res({ code: code ?? (sig ? 128 : 1), ok, failed, peak, dir, errors: sippErrors(dir, files) });
  }));
  return { child, done, dir };
}
/** Why sipp failed calls: its error log's messages without their times and call ids, most frequent first. */
function sippErrors(dir: string, files: string[]): string[] {
  const f = files.find((n) => n.endsWith('_errors.log'));
  if (!f) return [];
  const kinds = new Map<string, number>();
  for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
    // An event is one line after a timestamp (a quote closes the message quoted by the one before);
    // the messages' own lines are left out.
    const m = /^'?\d{4}-\d\d-\d\d\t[\d:.]+\t[\d.]+: ([^\r]*)/.exec(line);
    if (!m) continue;
    const kind = m[1]!.replace(/'?[^\s']+@[^\s']+'?/g, '…').replace(/\d+/g, 'N').slice(0, 200);
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  return [...kinds].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([k, n]) => `${n} x ${k}`);
}
/** Datagrams the kernel dropped on the socket bound to `port` (the last column of /proc/net/udp). */
function udpDrops(port: number): number {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  const line = readFileSync('/proc/net/udp', 'utf8').split('\n').find((l) => l.includes(`:${hex} `) && l.includes('0100007F:' + hex));
  return line ? Number(line.trim().split(/\s+/).at(-1)) : 0;
}
function udpListening(port: number): boolean {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  return readFileSync('/proc/net/udp', 'utf8').includes(`:${hex} `);
}
async function uas(calls: number, timeoutS: number) {
  const port = await freePort();
  const mp = await freePort();
  const run = sipp(['-sf', scen(CALLEE_SCENARIO), '-i', '127.0.0.1', '-p', String(port), '-mp', String(mp), '-m', String(calls), '-d', '0', '-timeout', `${timeoutS}s`], false);
  for (let i = 0; i < 100 && !udpListening(port); i++) await sleep(20);
  return { ...run, port };
}
async function uac(target: string, rate: number, calls: number, holdMs: number, timeoutS: number, extra: string[] = []) {
  const port = await freePort();
  const mp = await freePort();
  return sipp([target, '-sf', scen('uac-invite-bye.xml'), '-i', '127.0.0.1', '-p', String(port), '-mp', String(mp), '-s', DID,
    '-r', String(rate), '-m', String(calls), '-l', String(calls), '-d', String(holdMs), '-timeout', `${timeoutS}s`, ...extra], true);
}

// ---- engine
interface Engine { child: ChildProcess; pid: number; apiBase: string; sipPort: number; heapFile: string; err: () => string }
const basic = 'Basic ' + Buffer.from(`${AUTH_ID}:${AUTH_TOKEN}`).toString('base64');
async function api(e: Engine, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${e.apiBase}/v1/Account/${AUTH_ID}/${path}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: basic },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const t = await res.text();
  return { status: res.status, body: t ? JSON.parse(t) : undefined };
}

/** The engine's V8 heap in use, bytes, from its /metrics (prom-client's default metrics); 0 when not exposed. */
async function heapUsed(e: Engine): Promise<number> {
  try {
    const res = await fetch(`${e.apiBase}/metrics`, { headers: { authorization: basic } });
    const m = /^nodejs_heap_size_used_bytes (\d+(?:\.\d+)?)/m.exec(await res.text());
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** The store's SQL statements so far by kind (`switchboard_store_statements_total`), summed over the engines. */
async function statements(es: Engine[]): Promise<Map<string, number>> {
  const all = new Map<string, number>();
  for (const e of es) {
    try {
      const res = await fetch(`${e.apiBase}/metrics`, { headers: { authorization: basic } });
      for (const m of (await res.text()).matchAll(/^switchboard_store_statements_total\{kind="([^"]+)"\} (\d+)/gm)) all.set(m[1]!, (all.get(m[1]!) ?? 0) + Number(m[2]));
    } catch {
      /* not exposed */
    }
  }
  return all;
}

interface HeapAfterGc { heapUsed: number; heapTotal: number; external: number; arrayBuffers: number; rss: number; gcMs: number }
/** The engine's heap after two full GCs (heap-probe.mjs, on SIGUSR2); undefined when it did not answer in 30 s. */
async function heapAfterGc(e: Engine): Promise<HeapAfterGc | undefined> {
  rmSync(e.heapFile, { force: true });
  process.kill(e.pid, 'SIGUSR2');
  for (let i = 0; i < 300; i++) {
    await sleep(100);
    try {
      return JSON.parse(readFileSync(e.heapFile, 'utf8')) as HeapAfterGc;
    } catch {
      /* not written yet */
    }
  }
  return undefined;
}

async function startEngine(trunkPort: number): Promise<Engine> {
  const sipPort = await freePort();
  const httpPort = await freePort('tcp');
  const db = mkdtempSync(join(tmpdir(), 'sb-bench-sip-db-'));
  dirs.push(db);
  const configArgs: string[] = [];
  if (UDP_BUFFER > 0) {
    writeFileSync(join(db, 'config.json'), JSON.stringify({ sip: { udpBuffer: UDP_BUFFER } }));
    configArgs.push('--config', join(db, 'config.json'));
  }
  const heapFile = join(db, 'heap.json');
  const profile = PROFILE_DIR ? ['--cpu-prof', '--cpu-prof-dir', resolve(PROFILE_DIR)] : [];
  const child = spawn(process.execPath, [...profile, ...NODE_ARGS, '--expose-gc', '--import', HEAP_PROBE, '--import', 'tsx', join(ENGINE_ROOT, 'packages/engine/src/cli/main.ts'), 'serve',
    '--host', '127.0.0.1', '--port', String(httpPort), '--db', join(db, 'sb.db'), '--auth-id', AUTH_ID, '--auth-token', AUTH_TOKEN,
    '--log-level', 'warn', '--sip-listen', `127.0.0.1:${sipPort}`, '--sip-trunk', `sip:127.0.0.1:${trunkPort}`, ...configArgs],
  { cwd: ENGINE_ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, SB_BENCH_HEAP_FILE: heapFile } });
  children.add(child);
  let errText = '';
  child.stderr!.on('data', (d: Buffer) => { errText = (errText + d.toString()).slice(-4000); });
  child.on('exit', () => children.delete(child));
  const e: Engine = { child, pid: child.pid!, apiBase: `http://127.0.0.1:${httpPort}`, sipPort, heapFile, err: () => errText };
  for (let i = 0; ; i++) {
    try { if ((await fetch(`${e.apiBase}/`)).status > 0) break; } catch { /* not yet */ }
    if (i > 150 || child.exitCode !== null) throw new Error(`engine did not start\n${errText}`);
    await sleep(100);
  }
  return e;
}

interface RateRow { load?: number; rate: number; calls: number; ok: number; failed: number; udpDrops?: number; sippRc: number; peakConcurrent: number; wallS: number; answerHooks: number; hangupHooks: number; engineCpuMsPerCall: number; rssMiB: number; statementsPerCall?: number }

async function main(): Promise<void> {
  await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
  const appUrl = `http://127.0.0.1:${(app.address() as { port: number }).port}`;
  const started = Date.now();

  // the trunk's UAS port is fixed for the whole run; one UAS per rate is bound to it in turn (shared by every node)
  const trunkPort = await freePort();
  const engines: Engine[] = [];
  for (let i = 0; i < NODES; i++) {
    const e = await startEngine(trunkPort);
    engines.push(e);
    const created = await api(e, 'POST', 'Application/', { app_name: 'bench-sip', answer_url: `${appUrl}/answer`, hangup_url: `${appUrl}/hangup` });
    if (created.status !== 201) throw new Error(`Application/: ${created.status} ${JSON.stringify(created.body)}`);
    const num = await api(e, 'POST', `PhoneNumber/${DID}/`, { app_id: created.body.app_id });
    if (num.status !== 201) throw new Error(`PhoneNumber/: ${num.status} ${JSON.stringify(num.body)}`);
  }
  const engine = engines[0]!;
  const enginePid = engine.pid;
  const target = `127.0.0.1:${engine.sipPort}`;
  const cpuAll = () => engines.reduce((t, e) => t + cpuTicks(e.pid), 0);
  const dropsAll = () => engines.reduce((t, e) => t + udpDrops(e.sipPort), 0);
  const rssAll = () => engines.reduce((t, e) => t + rssKiB(e.pid), 0);

  // Warm-up on each node: V8 is still compiling the call path for the first few thousand calls (at
  // 100 calls/s its compiler threads keep busy for about 30 s), and a rate measured on a cold engine
  // measures the compiler as much as the engine.
  for (const e of WARMUP_CALLS > 0 ? engines : []) {
    const timeoutS = Math.ceil(WARMUP_CALLS / WARMUP_RATE + 60);
    const u = sipp(['-sf', scen(CALLEE_SCENARIO), '-i', '127.0.0.1', '-p', String(trunkPort), '-m', String(WARMUP_CALLS), '-d', '0', '-timeout', `${timeoutS}s`], false);
    for (let i = 0; i < 100 && !udpListening(trunkPort); i++) await sleep(20);
    const cpu0 = cpuTicks(e.pid);
    const c = await uac(`127.0.0.1:${e.sipPort}`, WARMUP_RATE, WARMUP_CALLS, 200, timeoutS);
    const [cr, ur] = await Promise.all([c.done, u.done]);
    log(`warm-up (engine pid ${e.pid}): ${WARMUP_CALLS} calls at ${WARMUP_RATE}/s ok=${cr.ok} failed=${cr.failed} (uas rc ${ur.code}) cpu=${(((cpuTicks(e.pid) - cpu0) * 10) / WARMUP_CALLS).toFixed(2)}ms/call`);
    await sleep(1000);
  }
  const rssIdle = rssKiB(enginePid);

  const engineRows: RateRow[] = [];
  for (const rate of RATES) {
    const calls = Math.max(30, rate * SECS);
    const timeoutS = Math.ceil(calls / rate + HOLD_MS / 1000 + 40);
    const before = { answer: count('/answer'), hangup: count('/hangup'), cpu: cpuAll(), drops: dropsAll(), statements: await statements(engines) };
    takeCauses();
    const u = sipp(['-sf', scen(CALLEE_SCENARIO), '-i', '127.0.0.1', '-p', String(trunkPort), '-m', String(calls), '-d', '0', '-timeout', `${timeoutS}s`], false);
    for (let i = 0; i < 100 && !udpListening(trunkPort); i++) await sleep(20);
    let rssPeak = 0;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssAll())), 200);
    const t0 = Date.now();
    // With several nodes each gets its share of the rate from a sipp of its own (what a dispatcher would spread).
    const shares = engines.map((_, i) => Math.floor(calls / NODES) + (i < calls % NODES ? 1 : 0));
    const cs = await Promise.all(engines.map(async (e, i) => (await uac(`127.0.0.1:${e.sipPort}`, rate / NODES, shares[i]!, HOLD_MS, timeoutS)).done));
    const cr = { ok: cs.reduce((t, r) => t + r.ok, 0), failed: cs.reduce((t, r) => t + r.failed, 0), peak: cs.reduce((t, r) => t + r.peak, 0), code: cs.find((r) => r.code !== 0)?.code ?? 0 };
    const wallS = (Date.now() - t0) / 1000;
    const ur = await Promise.race([u.done, sleep(10_000).then(() => { if (u.child.pid) try { process.kill(u.child.pid, 'SIGKILL'); } catch { /* gone */ } return u.done; })]);
    // webhooks of the last calls
    for (let i = 0; i < 50 && count('/hangup') - before.hangup < cr.ok; i++) await sleep(100);
    clearInterval(sampler);
    const row: RateRow = {
      rate, calls, ok: cr.ok, failed: cr.failed + (cr.ok + cr.failed < calls ? calls - cr.ok - cr.failed : 0), sippRc: cr.code,
      peakConcurrent: cr.peak, wallS, answerHooks: count('/answer') - before.answer, hangupHooks: count('/hangup') - before.hangup,
      engineCpuMsPerCall: ((cpuAll() - before.cpu) * 10) / calls, rssMiB: rssPeak / 1024, udpDrops: dropsAll() - before.drops, load: loadavg()[0]!,
    };
    const after = await statements(engines);
    const byKind = [...after].map(([k, n]) => [k, (n - (before.statements.get(k) ?? 0)) / calls] as const).filter(([, n]) => n >= 0.005).sort((a, b) => b[1] - a[1]);
    row.statementsPerCall = byKind.reduce((t, [, n]) => t + n, 0);
    engineRows.push(row);
    log(`engine rate=${rate} calls=${calls} ok=${row.ok} failed=${row.failed} rc=${cr.code}/${ur.code} peak=${row.peakConcurrent} answer_url=${row.answerHooks} hangup=${row.hangupHooks} cpu=${row.engineCpuMsPerCall.toFixed(2)}ms/call rss<=${row.rssMiB.toFixed(0)}MiB udp_drops=${row.udpDrops} wall=${wallS.toFixed(1)}s load=${row.load?.toFixed(2)}`);
    log(`  SQL statements per call: ${row.statementsPerCall.toFixed(2)} (${byKind.map(([k, n]) => `${k}: ${n.toFixed(2)}`).join(', ')})`);
    const hangups = takeCauses();
    if (row.failed > 0 || cr.code !== 0) log(`  hangup causes: ${hangups}`);
    if (row.failed > 0 || cr.code !== 0) for (const [who, errs] of [['caller', cs.flatMap((r) => r.errors)], ['callee', ur.errors]] as const) for (const e of errs) log(`  sipp ${who}: ${e}`);
    await sleep(2000);
    if (row.failed > 0 || cr.code !== 0) break;
  }

  // sipp -> sipp directly, same scenarios and hold
  const directRows: RateRow[] = [];
  for (const rate of DIRECT_RATES) {
    const calls = Math.max(30, rate * SECS);
    const timeoutS = Math.ceil(calls / rate + HOLD_MS / 1000 + 40);
    const u = await uas(calls, timeoutS);
    const t0 = Date.now();
    const c = await uac(`127.0.0.1:${u.port}`, rate, calls, HOLD_MS, timeoutS);
    const cr = await c.done;
    const ur = await Promise.race([u.done, sleep(10_000).then(() => { if (u.child.pid) try { process.kill(u.child.pid, 'SIGKILL'); } catch { /* gone */ } return u.done; })]);
    const row: RateRow = { rate, calls, ok: cr.ok, failed: calls - cr.ok, sippRc: cr.code, peakConcurrent: cr.peak, wallS: (Date.now() - t0) / 1000, answerHooks: 0, hangupHooks: 0, engineCpuMsPerCall: 0, rssMiB: 0 };
    directRows.push(row);
    log(`direct rate=${rate} calls=${calls} ok=${row.ok} failed=${row.failed} rc=${cr.code}/${ur.code} peak=${row.peakConcurrent}`);
    await sleep(1000);
    if (row.failed > 0) break;
  }

  // concurrency: HOLD_CALLS calls up at once through the engine
  await sleep(2000);
  if (HOLD_FOR < (HOLD_CALLS / HOLD_RATE) * 1000 + 5000) log(`note: --hold-for ${HOLD_FOR} ms is shorter than placing ${HOLD_CALLS} calls at ${HOLD_RATE}/s plus 5 s: the first calls end before the last are up`);
  const rssBefore = rssKiB(enginePid);
  const gcBefore = await heapAfterGc(engine);
  const heapBefore = await heapUsed(engine);
  let heapPeak = 0;
  let heapSampling = true;
  const heapSampler = (async () => { while (heapSampling) { heapPeak = Math.max(heapPeak, await heapUsed(engine)); await sleep(500); } })();
  const ab = count('/answer');
  const timeoutS = Math.ceil(HOLD_CALLS / HOLD_RATE + HOLD_FOR / 1000 + 60);
  const hb = count('/hangup');
  const u = sipp(['-sf', scen(CALLEE_SCENARIO), '-i', '127.0.0.1', '-p', String(trunkPort), '-m', String(HOLD_CALLS), '-d', '0', '-timeout', `${timeoutS}s`], false);
  for (let i = 0; i < 100 && !udpListening(trunkPort); i++) await sleep(20);
  let rssPeak = 0;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssKiB(enginePid))), 200);
  const c = await uac(target, HOLD_RATE, HOLD_CALLS, HOLD_FOR, timeoutS);
  // Every call up (its answer_url fetched, then a moment for the B leg's 200 and both ACKs) and none
  // ended yet: the heap after a full GC is what the live calls hold.
  let cDone = false;
  void c.done.then(() => (cDone = true));
  while (!cDone && count('/answer') - ab < HOLD_CALLS) await sleep(200);
  await sleep(1500);
  const liveAtGc = count('/answer') - ab - (count('/hangup') - hb);
  const gcPeak = cDone ? undefined : await heapAfterGc(engine);
  const endedDuringGc = count('/hangup') - hb;
  const cr = await c.done;
  await Promise.race([u.done, sleep(10_000)]);
  clearInterval(sampler);
  heapSampling = false;
  await heapSampler;
  for (let i = 0; i < 50 && count('/hangup') - hb < cr.ok; i++) await sleep(100);
  await sleep(1500);
  const rssAfter = rssKiB(enginePid);
  const gcAfter = await heapAfterGc(engine);
  const MiB = (b: number | undefined) => (b === undefined ? undefined : b / 2 ** 20);
  const hold = {
    calls: HOLD_CALLS, rate: HOLD_RATE, holdMs: HOLD_FOR, ok: cr.ok, failed: HOLD_CALLS - cr.ok, peakConcurrent: cr.peak,
    hangupHooks: count('/hangup') - hb,
    rssIdleMiB: rssIdle / 1024, rssBeforeMiB: rssBefore / 1024, rssPeakMiB: rssPeak / 1024, rssAfterMiB: rssAfter / 1024,
    kibPerCall: cr.peak ? (rssPeak - rssBefore) / cr.peak : 0,
    heapBeforeMiB: heapBefore / 2 ** 20, heapPeakMiB: heapPeak / 2 ** 20,
    heapKibPerCall: cr.peak && heapPeak ? (heapPeak - heapBefore) / 1024 / cr.peak : 0,
    // After two full GCs: before the calls, with `liveAtGc` calls up, after they all ended.
    liveAtGc, endedDuringGc,
    gcHeapBeforeMiB: MiB(gcBefore?.heapUsed), gcHeapPeakMiB: MiB(gcPeak?.heapUsed), gcHeapAfterMiB: MiB(gcAfter?.heapUsed),
    gcExternalBeforeMiB: MiB(gcBefore?.external), gcExternalPeakMiB: MiB(gcPeak?.external),
    gcHeapKibPerCall: gcBefore && gcPeak && liveAtGc > 0 ? (gcPeak.heapUsed - gcBefore.heapUsed) / 1024 / liveAtGc : undefined,
    gcMs: gcPeak?.gcMs, load: loadavg()[0]!,
  };
  log(`hold calls=${HOLD_CALLS} rate=${HOLD_RATE} hold=${HOLD_FOR}ms ok=${hold.ok} failed=${hold.failed} peak_concurrent=${hold.peakConcurrent} hangup=${hold.hangupHooks} rss before=${hold.rssBeforeMiB.toFixed(1)}MiB peak=${hold.rssPeakMiB.toFixed(1)}MiB after=${hold.rssAfterMiB.toFixed(1)}MiB => ${hold.kibPerCall.toFixed(1)} KiB/call RSS; heap used before=${hold.heapBeforeMiB.toFixed(1)}MiB peak=${hold.heapPeakMiB.toFixed(1)}MiB (no GC forced) => ${hold.heapKibPerCall.toFixed(1)} KiB/call`);
  const f1 = (n: number | undefined) => (n === undefined ? '?' : n.toFixed(1));
  log(`hold heap after full GC: before=${f1(hold.gcHeapBeforeMiB)}MiB with ${liveAtGc} calls up=${f1(hold.gcHeapPeakMiB)}MiB after=${f1(hold.gcHeapAfterMiB)}MiB => ${f1(hold.gcHeapKibPerCall)} KiB per live call (external ${f1(hold.gcExternalBeforeMiB)} -> ${f1(hold.gcExternalPeakMiB)} MiB; ${endedDuringGc} calls had ended by the reading; GC took ${f1(hold.gcMs)} ms) load=${hold.load.toFixed(2)}`);

  const best = (rows: RateRow[]) => rows.filter((r) => r.failed === 0 && r.sippRc === 0).reduce((m, r) => Math.max(m, r.rate), 0);
  const summary = {
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model, memGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
    holdMsPerRateCall: HOLD_MS, secsPerRate: SECS, nodes: NODES, engineRoot: ENGINE_ROOT,
    engineBestRate: best(engineRows), directBestRate: best(directRows), engine: engineRows, direct: directRows, hold,
    wallS: (Date.now() - started) / 1000,
  };
  if (PROFILE_DIR) {
    // The profile is written when the engine exits on its own: stop it with SIGTERM, not SIGKILL.
    await Promise.all(engines.map(async (e) => {
      const exited = new Promise((r) => e.child.once('exit', r));
      e.child.kill('SIGTERM');
      await Promise.race([exited, sleep(40_000)]);
    }));
    log(`engine CPU profile in ${resolve(PROFILE_DIR)}`);
  }
  if (JSON_OUT) console.log(JSON.stringify(summary));
  else if (!HOLD_ONLY) log(`\nhighest rate with zero failed calls: engine ${summary.engineBestRate} cps${DIRECT_RATES.length ? `; sipp->sipp ${summary.directBestRate} cps (highest tried ${Math.max(...DIRECT_RATES)})` : ''}`);
}

main()
  .catch((e) => { console.error(e); process.exitCode = 1; })
  .finally(() => {
    killAll();
    app.close();
    if (KEEP) log(`kept: ${dirs.join(' ')}`);
    else for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
