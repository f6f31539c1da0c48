/**
 * `npm run bench:report`: the dial report over 10k, 100k and 1M generated calls (docs/performance.md,
 * "Reports"). For each size: generate the traffic into a fresh SQLite file (`switchboard generate`'s
 * code), then time the report for every grouping over the whole range, and webhook health.
 *
 *   npm run bench:report                          # 10000,100000,1000000
 *   npm run bench:report -- --sizes 10000,100000  # quicker
 *   npm run bench:report -- --json
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateTraffic } from '../packages/engine/src/cli/generate.ts';
import { SqliteStore } from '../packages/engine/src/store/sqlite-store.ts';
import { buildDialReport, type DialReportQuery } from '../packages/engine/src/reports/dial-report.ts';
import { webhookHealth } from '../packages/engine/src/reports/webhook-health.ts';

const { values } = parseArgs({ options: { sizes: { type: 'string' }, runs: { type: 'string' }, json: { type: 'boolean' }, 'keep-db': { type: 'boolean' } } });
const sizes = (values.sizes ?? '10000,100000,1000000').split(',').map(Number);
const runs = Number(values.runs ?? 7);
const UNTIL = Date.UTC(2026, 0, 8); // fixed, so every run reports over the same 7 days
const FROM = UNTIL - 7 * 86_400_000;
const GROUPS: Array<DialReportQuery['groupBy']> = ['day', 'hour', 'destination', 'caller_id', 'application'];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function time(fn: () => unknown): Promise<number[]> {
  await fn(); // warm: statement cache, pages
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out;
}

const results: Array<Record<string, unknown>> = [];
for (const calls of sizes) {
  const dir = mkdtempSync(join(tmpdir(), 'sb-bench-report-'));
  const dbPath = join(dir, 'switchboard.db');
  const genMs = await generateTraffic({ dbPath, calls, days: 7, seed: 1, until: UNTIL, onProgress: (d, t) => process.stderr.write(`\r${calls}: generating ${d}/${t}`) });
  process.stderr.write('\n');
  const store = new SqliteStore(dbPath);
  await store.migrate();
  const reports = store.resources.reports;
  const row: Record<string, unknown> = { calls, generate_s: +(genMs / 1000).toFixed(1), db_mb: Math.round(statSync(dbPath).size / 1e6) };
  for (const groupBy of GROUPS) {
    const report = (await buildDialReport(reports, { start: FROM, end: UNTIL, groupBy }));
    const ms = await time(() => buildDialReport(reports, { start: FROM, end: UNTIL, groupBy }));
    row[`${groupBy}_ms`] = +median(ms).toFixed(1);
    row[`${groupBy}_groups`] = report.groups.length;
    if (groupBy === 'day') row.attempts = report.total.attempts;
  }
  row.webhook_health_ms = +median(await time(() => webhookHealth(reports, FROM, UNTIL + 86_400_000))).toFixed(1);
  results.push(row);
  await store.close();
  if (values['keep-db']) console.error(`kept ${dbPath}`);
  else rmSync(dir, { recursive: true, force: true });
}

if (values.json) console.log(JSON.stringify({ cpus: cpus().length, loadavg: loadavg()[0], results }));
else {
  console.log(`node ${process.version}, ${cpus().length} cpus, load ${loadavg()[0]!.toFixed(1)}; median of ${runs} runs, whole 7-day range`);
  console.log('calls      generate  db MB  attempts   day ms  hour ms  destination ms  caller_id ms  application ms  webhook health ms');
  for (const r of results) {
    console.log(
      [String(r.calls).padEnd(9), `${r.generate_s} s`.padStart(8), String(r.db_mb).padStart(6), String(r.attempts).padStart(9), String(r.day_ms).padStart(8), String(r.hour_ms).padStart(8), `${r.destination_ms} (${r.destination_groups})`.padStart(15), String(r.caller_id_ms).padStart(13), String(r.application_ms).padStart(15), String(r.webhook_health_ms).padStart(18)].join(' '),
    );
  }
}
