/**
 * The few places where SQLite and PostgreSQL need different SQL, in one file. Everything else is
 * built by Kysely for whichever dialect the store was opened with.
 */
import { PostgresAdapter, sql, type Kysely, type RawBuilder } from 'kysely';
import type { SqlDialect } from './sql-db.ts';

export function dialectOf(db: Kysely<any>): SqlDialect {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

/**
 * Insertion order, the tie-break of lists sorted by a time that several rows share: SQLite's
 * rowid; on PostgreSQL the `row_order` identity column its DDL adds (pg-connection.ts).
 */
export function insertionOrder(dialect: SqlDialect): RawBuilder<number> {
  return dialect === 'postgres' ? sql<number>`row_order` : sql<number>`rowid`;
}

/**
 * Two JSON objects of counts (`{"busy": 2}`, stored as text) summed key by key, as text: what a
 * rollup upsert sets its count maps to (report-rollup-sql.ts). An empty sum is `{}`.
 */
export function sumJsonCounts(dialect: SqlDialect, a: RawBuilder<unknown>, b: RawBuilder<unknown>): RawBuilder<string> {
  if (dialect === 'postgres') {
    return sql<string>`(select coalesce(jsonb_object_agg(s.k, s.n), '{}'::jsonb)::text from (
      select u.key as k, sum(u.value::bigint) as n from (
        select key, value from jsonb_each_text(${a}::jsonb) union all select key, value from jsonb_each_text(${b}::jsonb)
      ) u group by u.key) s)`;
  }
  // Registered on the store's connection (sqlite-connection.ts): the same sum as json_each /
  // group by / json_group_object, far cheaper on the hot path.
  return sql<string>`sb_sum_counts(${a}, ${b})`;
}
