/**
 * The async seam the resource stores (applications, numbers, flows, subaccounts, endpoints,
 * reports) run their Kysely-built queries through, whichever database is underneath. Queries are
 * compiled with `kysely` (so placeholders and quoting are the dialect's); the implementation runs
 * them: on SQLite synchronously on the one connection after every pending record() has landed
 * (sqlite-store.ts), on PostgreSQL on a pooled connection (pg-db.ts).
 */
import type { CompiledQuery, Kysely } from 'kysely';
import type { BoundQuery } from './query-template.ts';

export type SqlDialect = 'sqlite' | 'postgres';
export type Query<R = unknown> = CompiledQuery<R> | BoundQuery<R>;

export interface SqlDb {
  readonly kysely: Kysely<any>;
  readonly dialect: SqlDialect;
  /** `what` says what is being done; it leads the StoreError's message when the query fails. */
  all<R>(what: string, query: Query<R>): Promise<R[]>;
  first<R>(what: string, query: Query<R>): Promise<R | undefined>;
  /** A statement that returns no rows; answers how many rows it changed. */
  run(what: string, query: Query): Promise<number>;
  /**
   * Runs the statements in order in one transaction (all or nothing) and answers, for each, its
   * rows and the rows it changed. Reads in one batch see one moment (a page and its total).
   */
  batch(what: string, queries: readonly Query[]): Promise<Array<{ rows: unknown[]; changes: number }>>;
}
