/**
 * Calls per second and CPU per call of a cluster (docs/scaling.md, "Measured"): places CALLS
 * simulated calls, CONCURRENCY at a time, round robin over the given nodes' APIs, each answered
 * with `<Hangup/>` by a local app, and waits for every hangup report. CPU is read from /proc for
 * the node processes and for every process of the PostgreSQL server (its postmaster's children).
 *
 *   node --import tsx bench/cluster-calls.ts --nodes http://127.0.0.1:8181,http://127.0.0.1:8182 \
 *     --node-pids 123,456 --pg-pid 789 --calls 600 --concurrency 30
 *
 * The account comes from SWITCHBOARD_AUTH_ID / SWITCHBOARD_AUTH_TOKEN (scripts/cluster.sh prints them).
 */
import { createServer } from 'node:http';
import { readFileSync, readdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { cpuSecondsOf } from '../packages/engine/src/util/proc-cpu.ts';

const { values } = parseArgs({
  options: {
    nodes: { type: 'string' },
    'node-pids': { type: 'string', default: '' },
    'pg-pid': { type: 'string', default: '' },
    calls: { type: 'string', default: '600' },
    concurrency: { type: 'string', default: '30' },
  },
});
const nodes = (values.nodes ?? '').split(',').filter(Boolean);
if (nodes.length === 0) throw new Error('--nodes URL[,URL...] is required');
const CALLS = Number(values.calls);
const CONCURRENCY = Number(values.concurrency);
const authId = process.env.SWITCHBOARD_AUTH_ID ?? '';
const auth = 'Basic ' + Buffer.from(`${authId}:${process.env.SWITCHBOARD_AUTH_TOKEN ?? ''}`).toString('base64');
const TO = '15559990001';

/** utime + stime of a process, in ms. */
function cpuMs(pid: number): number {
  return (cpuSecondsOf(`/proc/${pid}/stat`) ?? 0) * 1000;
}

/** The postmaster and its children (backends, walwriter...). */
function pgPids(postmaster: number): number[] {
  const out = [postmaster];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === postmaster) out.push(Number(d));
    } catch {
      // gone
    }
  }
  return out;
}

async function api(base: string, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${base}/v1/Account/${authId}/${path}`, {
    method,
    headers: { authorization: auth, 'content-type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
}

let hangups = 0;
let allDone: () => void = () => {};
const done = new Promise<void>((r) => (allDone = r));
const app = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    if (req.url?.startsWith('/hangup')) {
      hangups++;
      if (hangups === CALLS) allDone();
      res.end('ok');
    } else {
      res.setHeader('content-type', 'application/xml');
      res.end('<Response><Hangup/></Response>');
    }
  });
});
await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
const appUrl = `http://127.0.0.1:${(app.address() as { port: number }).port}`;

// The number answers at once; every node reads its script from the store at start, so tell each.
for (const n of nodes) {
  const res = await api(n, 'POST', 'Simulator/Number/', { number: TO, script: 'answer' });
  if (res.status !== 201) throw new Error(`${n}: Simulator/Number/ ${res.status} ${await res.text()}`);
}

const nodePids = values['node-pids'].split(',').filter(Boolean).map(Number);
const pg = values['pg-pid'] ? pgPids(Number(values['pg-pid'])) : [];
const cpu = () => ({ nodes: nodePids.reduce((s, p) => s + cpuMs(p), 0), pg: pg.reduce((s, p) => s + cpuMs(p), 0) });

const before = cpu();
const started = performance.now();
let next = 0;
let failed = 0;
async function worker(): Promise<void> {
  for (;;) {
    const i = next++;
    if (i >= CALLS) return;
    const res = await api(nodes[i % nodes.length]!, 'POST', 'Call/', { from: '15550000000', to: TO, answer_url: `${appUrl}/answer`, hangup_url: `${appUrl}/hangup` });
    if (res.status !== 201) failed++;
    await res.arrayBuffer();
  }
}
await Promise.all(Array.from({ length: CONCURRENCY }, worker));
if (failed > 0) throw new Error(`${failed} calls were refused`);
await done;
const seconds = (performance.now() - started) / 1000;
const after = cpu();
// PostgreSQL's backends of other clients (other nodes' idle pools) count too: they are the server's work.
const result = {
  nodes: nodes.length,
  calls: CALLS,
  concurrency: CONCURRENCY,
  seconds: Number(seconds.toFixed(2)),
  calls_per_s: Number((CALLS / seconds).toFixed(1)),
  node_cpu_ms_per_call: Number(((after.nodes - before.nodes) / CALLS).toFixed(2)),
  pg_cpu_ms_per_call: Number(((after.pg - before.pg) / CALLS).toFixed(2)),
};
console.log(JSON.stringify(result));
app.close();
