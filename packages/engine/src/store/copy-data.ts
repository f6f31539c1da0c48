/**
 * `switchboard copy-data` (docs/storage.md, "Moving to PostgreSQL"): copies a SQLite database into
 * an empty PostgreSQL one, what a user does the day a second node joins.
 *
 * - Both databases are brought to this engine's schema first (the source under its file lock,
 *   so no engine can start on it during the copy; the target under the migration advisory lock),
 *   so their tables and columns are the same.
 * - The target must hold no rows: copying into a database in use would mix two histories.
 * - Tables go in foreign-key order, rows in insertion order (rowid; the PostgreSQL-only
 *   `row_order` identity then numbers them in the same order), in batches of multi-row INSERTs,
 *   all in ONE transaction: a copy that fails leaves the target as empty as it found it. Each
 *   INSERT says `ON CONFLICT DO NOTHING`, so a batch sent twice stores its rows once.
 * - Identity sequences (events.id, delivery_attempts.id...) are moved past the copied ids, so rows
 *   written afterwards do not collide.
 * - Rows are counted per table on both sides before the commit; any difference rolls it back.
 *
 * Values cross as they are: both stores keep times as integer ms and JSON as text.
 */
import { existsSync } from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import type pg from 'pg';
import { isPostgresUrl, openPgPool, redactUrl } from './pg-connection.ts';
import { PgStore } from './pg-store.ts';
import { SqliteStore } from './sqlite-store.ts';
import { lockDatabaseFile } from './sqlite-lock.ts';
import { StoreError } from './store-error.ts';

/** Rows per INSERT at most; fewer for wide tables (PostgreSQL takes 65535 parameters a statement). */
const MAX_BATCH_ROWS = 1000;
const MAX_PARAMETERS = 60_000;

export interface CopyProgress {
  table: string;
  copied: number;
  total: number;
  /** All tables' rows copied so far, and in all. */
  copiedAll: number;
  totalAll: number;
}

export interface TableCount {
  table: string;
  source: number;
  target: number;
}

export interface CopyResult {
  from: string;
  /** The target URL without its password. */
  to: string;
  tables: TableCount[];
  rows: number;
  /** Whether every table has as many rows in the target as in the source (committed only then). */
  ok: boolean;
  ms: number;
}

export interface CopyOptions {
  /** Rows per INSERT (capped by the parameter limit); default 1000. */
  batchRows?: number;
  onProgress?: (p: CopyProgress) => void;
}

export async function copyData(from: string, to: string, options: CopyOptions = {}): Promise<CopyResult> {
  const started = performance.now();
  if (isPostgresUrl(from) || from === ':memory:' || from === '') throw new StoreError('invalid-input', `--from must be a SQLite database file (got ${from === '' ? 'nothing' : redactUrl(from)})`);
  if (!isPostgresUrl(to)) throw new StoreError('invalid-input', `--to must be a postgres:// URL (got ${to})`);
  if (!existsSync(from)) throw new StoreError('invalid-input', `no SQLite database at ${from}`);

  // Held for the whole copy: an engine started on the file meanwhile would write rows the copy misses.
  const lock = lockDatabaseFile(from);
  try {
    const source = new SqliteStore(from);
    try {
      await source.migrate();
    } finally {
      await source.close();
    }
    const target = new PgStore(to);
    try {
      await target.migrate();
    } finally {
      await target.close();
    }
    const db = new BetterSqlite3(from, { readonly: true, fileMustExist: true });
    const pool = openPgPool(to, 1);
    try {
      const client = await connect(pool, to);
      try {
        return await copyTables(db, client, redactUrl(to), from, options, started);
      } finally {
        client.release();
      }
    } finally {
      db.close();
      await pool.end();
    }
  } finally {
    lock.release();
  }
}

async function connect(pool: pg.Pool, url: string): Promise<pg.PoolClient> {
  try {
    return await pool.connect();
  } catch (err) {
    throw new StoreError('database', `cannot connect to ${redactUrl(url)}: ${(err as Error).message}`, { cause: err });
  }
}

interface SourceTable {
  name: string;
  columns: string[];
  /** How to read it in insertion order. */
  orderBy: string;
  rows: number;
}

async function copyTables(db: BetterSqlite3.Database, client: pg.PoolClient, to: string, from: string, options: CopyOptions, started: number): Promise<CopyResult> {
  const tables = sourceTables(db);
  const targetColumns = await columnsOf(client);
  for (const t of tables) {
    const have = targetColumns.get(t.name);
    if (!have) throw new StoreError('database', `table ${t.name} is not in ${to}: the two databases' migrations differ`);
    const missing = t.columns.filter((c) => !have.has(c));
    if (missing.length > 0) throw new StoreError('database', `table ${t.name} of ${to} has no column ${missing.join(', ')}: the two databases' migrations differ`);
  }
  const occupied: string[] = [];
  for (const t of tables) {
    const n = await countOf(client, t.name);
    if (n > 0) occupied.push(`${t.name} (${n} rows)`);
  }
  if (occupied.length > 0) {
    throw new StoreError('invalid-input', `${to} is not empty: ${occupied.join(', ')}; copy-data only fills an empty database (nothing was copied)`);
  }

  const totalAll = tables.reduce((n, t) => n + t.rows, 0);
  let copiedAll = 0;
  const counts: TableCount[] = [];
  await client.query('begin');
  try {
    for (const t of tables) {
      const perBatch = Math.max(1, Math.min(options.batchRows ?? MAX_BATCH_ROWS, MAX_BATCH_ROWS, Math.floor(MAX_PARAMETERS / t.columns.length)));
      let copied = 0;
      options.onProgress?.({ table: t.name, copied, total: t.rows, copiedAll, totalAll });
      let batch: unknown[][] = [];
      const flush = async () => {
        if (batch.length === 0) return;
        await client.query(insertSql(t, batch.length), batch.flat());
        copied += batch.length;
        copiedAll += batch.length;
        batch = [];
        options.onProgress?.({ table: t.name, copied, total: t.rows, copiedAll, totalAll });
      };
      const select = db.prepare(`select ${t.columns.map(quote).join(', ')} from ${quote(t.name)} order by ${t.orderBy}`).raw(true);
      for (const row of select.iterate() as Iterable<unknown[]>) {
        batch.push(row.map(toPg));
        if (batch.length >= perBatch) await flush();
      }
      await flush();
      counts.push({ table: t.name, source: t.rows, target: await countOf(client, t.name) });
    }
    await advanceIdentities(client, tables);
    const ok = counts.every((c) => c.source === c.target);
    await client.query(ok ? 'commit' : 'rollback');
    return { from, to, tables: counts, rows: copiedAll, ok, ms: Math.round(performance.now() - started) };
  } catch (err) {
    await client.query('rollback').catch(() => undefined);
    if (err instanceof StoreError) throw err;
    throw new StoreError('database', `copy to ${to} failed, nothing was copied: ${(err as Error).message}`, { cause: err });
  }
}

/** The source's data tables in foreign-key order (a table after the ones it references). */
function sourceTables(db: BetterSqlite3.Database): SourceTable[] {
  const listed = db
    .prepare("select name, sql from sqlite_master where type = 'table' and name not like 'sqlite_%' and name <> 'schema_migrations' order by name")
    .all() as Array<{ name: string; sql: string }>;
  const names = new Set(listed.map((t) => t.name));
  const refs = new Map<string, string[]>();
  for (const t of listed) {
    const fks = db.prepare(`select "table" from pragma_foreign_key_list(?)`).all(t.name) as Array<{ table: string }>;
    refs.set(t.name, fks.map((f) => f.table).filter((r) => r !== t.name && names.has(r)));
  }
  const ordered: string[] = [];
  const visiting = new Set<string>();
  const visit = (name: string) => {
    if (ordered.includes(name) || visiting.has(name)) return;
    visiting.add(name);
    for (const r of refs.get(name) ?? []) visit(r);
    visiting.delete(name);
    ordered.push(name);
  };
  for (const t of listed) visit(t.name);
  return ordered.map((name) => {
    const info = db.prepare('select name, pk from pragma_table_info(?) order by cid').all(name) as Array<{ name: string; pk: number }>;
    const withoutRowid = /without\s+rowid/i.test(listed.find((t) => t.name === name)!.sql);
    const pk = info.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => quote(c.name));
    return {
      name,
      columns: info.map((c) => c.name),
      orderBy: withoutRowid ? pk.join(', ') : 'rowid',
      rows: Number((db.prepare(`select count(*) as n from ${quote(name)}`).get() as { n: number }).n),
    };
  });
}

/** The columns of every table in the target's schema. */
async function columnsOf(client: pg.PoolClient): Promise<Map<string, Set<string>>> {
  const r = await client.query<{ table_name: string; column_name: string }>(
    'select table_name, column_name from information_schema.columns where table_schema = current_schema()',
  );
  const out = new Map<string, Set<string>>();
  for (const row of r.rows) {
    let set = out.get(row.table_name);
    if (!set) out.set(row.table_name, (set = new Set()));
    set.add(row.column_name);
  }
  return out;
}

async function countOf(client: pg.PoolClient, table: string): Promise<number> {
  const r = await client.query<{ n: number }>(`select count(*) as n from ${quote(table)}`);
  return Number(r.rows[0]?.n ?? 0);
}

function insertSql(t: SourceTable, rows: number): string {
  const width = t.columns.length;
  const values = Array.from({ length: rows }, (_, r) => `(${t.columns.map((_, c) => `$${r * width + c + 1}`).join(', ')})`).join(', ');
  return `insert into ${quote(t.name)} (${t.columns.map(quote).join(', ')}) values ${values} on conflict do nothing`;
}

/**
 * Moves each identity column's sequence past the largest copied value: ids were copied as they
 * were, and the next row written on PostgreSQL must not take one of them.
 */
async function advanceIdentities(client: pg.PoolClient, tables: readonly SourceTable[]): Promise<void> {
  const r = await client.query<{ table_name: string; column_name: string }>(
    "select table_name, column_name from information_schema.columns where table_schema = current_schema() and is_identity = 'YES'",
  );
  const copied = new Map(tables.map((t) => [t.name, new Set(t.columns)]));
  for (const { table_name: table, column_name: column } of r.rows) {
    // Identities the copy did not write (row_order) advanced by themselves.
    if (!copied.get(table)?.has(column)) continue;
    await client.query(
      `select setval(pg_get_serial_sequence($1, $2), coalesce((select max(${quote(column)}) from ${quote(table)}), 0) + 1, false)`,
      [quote(table), column],
    );
  }
}

function quote(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}

/** better-sqlite3 hands back numbers, strings, null, Buffers and (for huge integers) bigints; pg takes them all but bigint. */
function toPg(value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
