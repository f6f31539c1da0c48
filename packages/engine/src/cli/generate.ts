/**
 * `switchboard generate --calls N`: fills a database with realistic simulated traffic (calls, B
 * legs, events, hangup webhooks and their attempts, report rollups) straight through the store in
 * bulk transactions, with a progress bar. For trying reports and for the report benchmark.
 */
import { loadConfig } from '../config/config.ts';
import { SqliteStore } from '../store/sqlite-store.ts';
import { SqliteBulkWriter } from '../store/sqlite-bulk-writer.ts';
import { SimulatedTraffic } from '../reports/simulated-traffic.ts';
import { parseFlags, UsageError } from './args.ts';
import type { Flags } from './program.ts';

const DAY_MS = 86_400_000;

export interface GenerateOptions {
  dbPath: string;
  calls: number;
  days: number;
  seed: number;
  /** Calls per transaction. */
  batch?: number;
  /** Where the calls end (ms); default now. */
  until?: number;
  onProgress?: (done: number, total: number) => void;
}

/** Writes the traffic; resolves with the wall time taken (ms). */
export async function generateTraffic(o: GenerateOptions): Promise<number> {
  const started = performance.now();
  const store = new SqliteStore(o.dbPath);
  try {
    await store.migrate();
    const writer = new SqliteBulkWriter(store, store.rollups);
    const to = Math.floor((o.until ?? Date.now()) / 3_600_000) * 3_600_000;
    const traffic = new SimulatedTraffic({ from: to - o.days * DAY_MS, to, seed: o.seed });
    const batch = o.batch ?? 5000;
    for (let i = 0; i < o.calls; i += batch) {
      const n = Math.min(batch, o.calls - i);
      writer.write(traffic.batch(i, n, o.calls));
      o.onProgress?.(i + n, o.calls);
      // Lets Ctrl-C and the progress output through between transactions.
      await new Promise((r) => setImmediate(r));
    }
  } finally {
    await store.close();
  }
  return performance.now() - started;
}

function progressBar(done: number, total: number, startedAt: number): string {
  const width = 30;
  const filled = Math.round((done / total) * width);
  const rate = done / Math.max(0.001, (performance.now() - startedAt) / 1000);
  return `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${((done / total) * 100).toFixed(0).padStart(3)}%  ${done}/${total} calls  ${Math.round(rate)} calls/s`;
}

/** `generate` with raw arguments (its tests call it so). */
export async function generateCommand(args: string[]): Promise<number> {
  const { flags, positionals } = parseFlags(args, ['calls', 'db', 'days', 'seed', 'batch']);
  if (positionals.length > 0) throw new UsageError(`generate takes no arguments (got ${positionals.join(' ')})`);
  return generate(flags);
}

/** `generate` with the flags program.ts parsed. */
export async function generate(flags: Flags): Promise<number> {
  const count = (name: string, fallback?: number): number => {
    const raw = flags[name];
    if (raw === undefined) {
      if (fallback === undefined) throw new UsageError(`generate needs --${name} N`);
      return fallback;
    }
    if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new UsageError(`--${name} must be a whole number of at least 1 (got ${JSON.stringify(raw)})`);
    return Number(raw);
  };
  const calls = count('calls');
  const config = loadConfig({ db: flags.db }, process.env);
  const startedAt = performance.now();
  const tty = process.stderr.isTTY;
  let lastPrinted = 0;
  const ms = await generateTraffic({
    dbPath: config.dbPath,
    calls,
    days: count('days', 7),
    // A fresh seed per run by default, so generating twice into one file never repeats an id.
    seed: flags.seed === undefined ? Date.now() % 2 ** 31 : count('seed'),
    batch: count('batch', 5000),
    onProgress: (done, total) => {
      // Redraw on a terminal; in a log, a line per tenth.
      if (tty) process.stderr.write(progressBar(done, total, startedAt));
      else if (done === total || done - lastPrinted >= total / 10) {
        lastPrinted = done;
        process.stderr.write(progressBar(done, total, startedAt).slice(1) + '\n');
      }
    },
  });
  if (tty) process.stderr.write('\n');
  console.log(`generated ${calls} calls into ${config.dbPath} in ${(ms / 1000).toFixed(1)} s`);
  return 0;
}
