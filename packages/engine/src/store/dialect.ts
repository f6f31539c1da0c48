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
