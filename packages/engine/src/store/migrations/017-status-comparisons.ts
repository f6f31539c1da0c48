/**
 * The status CHECKs and the `calls_live` predicate written as comparisons, not lists.
 *
 * SQLite tests `x in ('a', 'b', 'c')` with more than two constants by building a temporary b-tree
 * of the list each time a statement runs (its own pager and page cache, one insert a constant),
 * probing it once and throwing it away: for the CHECK on `calls.call_status` (nine statuses) on
 * every INSERT and UPDATE of a call, the CHECK on `deliveries.status` (four) on every INSERT and
 * UPDATE of a delivery, and the predicate of `calls_live` (three) twice on every UPDATE of a call,
 * for the row before and after. Some two dozen such b-trees a simulated dial call. Written as
 * `(x = 'a' or x = 'b' or ...)` the same test is a few comparisons: an UPDATE of a call's status
 * took 6.3-7.8 µs, and takes 2.2 (docs/performance.md, "Lists SQLite built a table for").
 *
 * SQLite cannot change a table's CHECK, so `calls` and `deliveries` are copied into tables created
 * from their own stored definitions with the lists rewritten, rowids kept (a delivery's rowid is
 * its insertion order: dialect.ts), and their indexes created again from their stored definitions,
 * rewritten the same way (`rebuildsTables`: foreign keys are off meanwhile, and checked). Nothing
 * else changes: the same columns, the same statuses allowed, the same rows.
 *
 * PostgreSQL tests a list without building anything and keeps its CHECKs; it gets the new
 * predicate of `calls_live` too, so that the live-call queries are written one way for both
 * (store-queries.ts, `IS_LIVE_CALL`).
 */
import { sql, type Kysely } from 'kysely';
import { dialectOf } from '../dialect.ts';
import type { Migration } from '../migrator.ts';

/** `name in ('a', 'b', ...)`, a column name (bare or quoted) and a list of string literals. */
const LIST = /("?)([a-z_]+)\1 in \(((?:'[a-z-]*'(?:, *)?)+)\)/gi;

/**
 * `sqlText` with every list of more than two literals written as comparisons. SQLite tests a list
 * of one or two by comparing already (https://sqlite.org/optoverview.html, "The IN operator"), so
 * those are left as written.
 */
export function asComparisons(sqlText: string): string {
  return sqlText.replace(LIST, (list, quote: string, column: string, values: string) => {
    const literals = values.split(',').map((v) => v.trim());
    if (literals.length <= 2) return list;
    return `(${literals.map((v) => `${quote}${column}${quote} = ${v}`).join(' or ')})`;
  });
}

const REBUILT = ['calls', 'deliveries'] as const;

async function rebuild(db: Kysely<any>, table: (typeof REBUILT)[number]): Promise<void> {
  const objects = (
    await sql<{ type: string; name: string; sql: string | null }>`select type, name, sql from sqlite_master where tbl_name = ${table}`.execute(db)
  ).rows;
  const others = objects.filter((o) => o.type !== 'table' && o.type !== 'index');
  // None exists (no migration makes one); were one there, dropping the table would drop it unseen.
  if (others.length > 0) throw new Error(`${table} has a ${others[0]!.type} (${others[0]!.name}) this migration would drop`);
  const created = objects.find((o) => o.type === 'table')?.sql;
  if (!created) throw new Error(`no table ${table}`);
  const rewritten = asComparisons(created);
  if (rewritten === created) throw new Error(`no status list in the definition of ${table}: ${created}`);
  const copy = `${table}_rebuilt`;
  const head = /^create table\s+("?)([a-z_]+)\1/i;
  if (!head.test(rewritten)) throw new Error(`unexpected definition of ${table}: ${created.slice(0, 80)}`);
  await sql.raw(rewritten.replace(head, `create table "${copy}"`)).execute(db);
  const columns = (await sql<{ name: string }>`select name from pragma_table_info(${table})`.execute(db)).rows.map((c) => `"${c.name}"`).join(', ');
  await sql.raw(`insert into "${copy}" (rowid, ${columns}) select rowid, ${columns} from "${table}" order by rowid`).execute(db);
  await sql.raw(`drop table "${table}"`).execute(db);
  await sql.raw(`alter table "${copy}" rename to "${table}"`).execute(db);
  // The table's own indexes went with it; the ones its key makes (sql null) came back with the copy.
  for (const index of objects) if (index.type === 'index' && index.sql !== null) await sql.raw(asComparisons(index.sql)).execute(db);
}

async function up(db: Kysely<any>): Promise<void> {
  if (dialectOf(db) === 'sqlite') {
    for (const table of REBUILT) await rebuild(db, table);
    return;
  }
  await db.schema.dropIndex('calls_live').execute();
  await db.schema
    .createIndex('calls_live')
    .on('calls')
    .columns(['initiation_time', 'call_uuid'])
    .where(sql.raw<boolean>(asComparisons(`call_status in ('queued', 'ringing', 'in-progress')`)))
    .execute();
}

export const statusComparisons: Migration = { version: 17, name: 'status-comparisons', up, rebuildsTables: true };
