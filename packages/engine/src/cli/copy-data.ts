/**
 * `switchboard copy-data --from <sqlite file> --to postgres://...` (docs/storage.md, "Moving to
 * PostgreSQL"): the copy itself is store/copy-data.ts; this prints its progress (a bar on a
 * terminal, a line per table and per tenth of a large one otherwise, nothing with --json) and the
 * count check, and exits 1 when the counts differ.
 */
import { copyData, type CopyProgress, type CopyResult } from '../store/copy-data.ts';
import { isPostgresUrl } from '../store/open-store.ts';
import { StoreError } from '../store/store-error.ts';
import { CliError, UsageError } from './args.ts';
import type { Flags } from './program.ts';

export async function copyDataCommand(flags: Flags): Promise<number> {
  const from = flags.from;
  const to = flags.to;
  if (!from) throw new UsageError('copy-data needs --from <sqlite file>');
  if (!to) throw new UsageError('copy-data needs --to postgres://...');
  if (!isPostgresUrl(to)) throw new UsageError(`--to must be a postgres:// URL (got ${JSON.stringify(to)})`);
  let batchRows: number | undefined;
  if (flags.batch !== undefined) {
    if (!/^\d+$/.test(flags.batch) || Number(flags.batch) < 1) throw new UsageError(`--batch must be a whole number of at least 1 (got ${JSON.stringify(flags.batch)})`);
    batchRows = Number(flags.batch);
  }
  const json = flags.json !== undefined;
  const progress = json ? undefined : progressPrinter(process.stderr);
  let result: CopyResult;
  try {
    result = await copyData(from, to, { ...(batchRows ? { batchRows } : {}), ...(progress ? { onProgress: progress.update } : {}) });
  } catch (err) {
    progress?.end();
    if (err instanceof StoreError) throw new CliError(err.message);
    throw err;
  }
  progress?.end();
  if (json) {
    console.log(JSON.stringify(result));
  } else {
    const width = Math.max(5, ...result.tables.map((t) => t.table.length));
    console.log(`${'table'.padEnd(width)}  ${'source'.padStart(9)}  ${'target'.padStart(9)}`);
    for (const t of result.tables) {
      console.log(`${t.table.padEnd(width)}  ${String(t.source).padStart(9)}  ${String(t.target).padStart(9)}${t.source === t.target ? '' : '  MISMATCH'}`);
    }
    if (result.ok) console.log(`copied ${result.rows} rows in ${result.tables.length} tables from ${result.from} to ${result.to} in ${(result.ms / 1000).toFixed(1)} s; counts match`);
  }
  if (!result.ok) {
    const bad = result.tables.filter((t) => t.source !== t.target).map((t) => `${t.table} ${t.source} -> ${t.target}`);
    throw new CliError(`row counts differ (${bad.join(', ')}): the copy was rolled back and ${result.to} is empty again`);
  }
  return 0;
}

/** A redrawn bar on a terminal; in a log, a line per table and per tenth of a table. */
function progressPrinter(out: NodeJS.WriteStream): { update: (p: CopyProgress) => void; end: () => void } {
  const tty = out.isTTY === true;
  // From the first row on: migrating both databases comes before and is not copying.
  let started: number | undefined;
  let drawn = false;
  let lastTable = '';
  let lastTenth = 0;
  return {
    update(p) {
      if (tty) {
        const width = 30;
        const share = p.totalAll === 0 ? 1 : p.copiedAll / p.totalAll;
        const filled = Math.round(share * width);
        started ??= performance.now();
        const rate = p.copiedAll / Math.max(0.001, (performance.now() - started) / 1000);
        out.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(share * 100).toFixed(0).padStart(3)}%  ${p.copiedAll}/${p.totalAll} rows  ${Math.round(rate)} rows/s  ${p.table}\x1b[K`);
        drawn = true;
        return;
      }
      if (p.table !== lastTable) {
        lastTable = p.table;
        lastTenth = 0;
      }
      const done = p.copied === p.total;
      const tenth = p.total === 0 ? 10 : Math.floor((p.copied * 10) / p.total);
      if (!done && (p.total < 10_000 || tenth <= lastTenth)) return;
      lastTenth = tenth;
      out.write(`${p.table}: ${p.copied}/${p.total} rows\n`);
    },
    end() {
      if (drawn) out.write('\n');
      drawn = false;
    },
  };
}
