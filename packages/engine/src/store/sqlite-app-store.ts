/** What the SQLite-only store modules share of a SqliteStore's connection (SqliteStore.shared()). */
import type { Kysely } from 'kysely';
import type { SqliteRunner } from './sqlite-connection.ts';

export interface SharedSqlite {
  kysely: Kysely<any>;
  runner: SqliteRunner;
  sync: <T>(what: string, body: () => T) => T;
}
