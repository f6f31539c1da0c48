/**
 * What the database under test makes of the store's queries: each query's plan and each index's
 * definition, read from the store the harness opened (SQLite, or PostgreSQL when
 * SWITCHBOARD_TEST_PG is set); and a bare database of the same kind at an earlier migration, to
 * fill with history and upgrade.
 */
import { tmpdir } from 'node:os';
import { after, before } from 'node:test';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import { PostgresDdl, openPgPool } from '../../src/store/pg-connection.ts';
import { migrations } from '../../src/store/migrations/index.ts';
import { runMigrations } from '../../src/store/migrator.ts';
import { openSqlite, type SqliteDatabase } from '../../src/store/sqlite-connection.ts';
import type { PgStore } from '../../src/store/pg-store.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import type { Store } from '../../src/store/store.ts';
import { TEST_PG, freshTestDb, openTestStore } from './test-db.ts';

/** A query as the store runs it: compiled by Kysely, or bound from a template (query-template.ts). */
export interface Statement {
  readonly sql: string;
  readonly parameters: readonly unknown[];
}

export interface PlanReader {
  /** A Kysely on the store's own database, to compile its queries with. */
  readonly k: Kysely<any>;
  /** The plan of a compiled query, as one line of text naming the indexes it uses. */
  planOf(q: Statement): Promise<string>;
  /** Each index of the database: its name and its definition. */
  indexes(): Promise<Map<string, string>>;
  /** SQLite: the store's own connection. */
  readonly sqlite?: SqliteDatabase;
}

/**
 * For a test file: the store under test, opened before its tests and closed after them, as a
 * PlanReader (read it inside a test, once `before` has run).
 */
export function plansOfTestStore(): () => PlanReader {
  let opened: { store: Store; close(): Promise<void> } | undefined;
  let plans: PlanReader | undefined;
  before(async () => {
    opened = await openTestStore();
    plans = planReader(opened.store);
  });
  after(async () => {
    await opened?.close();
  });
  return () => plans!;
}

export function planReader(store: Store): PlanReader {
  if (store instanceof SqliteStore) {
    const { kysely, runner } = store.shared();
    return {
      k: kysely,
      sqlite: runner.db,
      planOf: async (q) =>
        (runner.db.prepare(`explain query plan ${q.sql}`).all(...q.parameters) as Array<{ detail: string }>).map((r) => r.detail).join(' | '),
      indexes: async () =>
        new Map(
          (runner.db.prepare(`select name, sql from sqlite_master where type = 'index' and sql is not null`).all() as Array<{ name: string; sql: string }>).map(
            (r) => [r.name, r.sql],
          ),
        ),
    };
  }
  const pool = (store as PgStore).pool;
  return {
    k: new Kysely<any>({ dialect: new PostgresDialect({ pool }) }),
    planOf: async (q) => {
      const client = await pool.connect();
      try {
        // The tables are nearly empty: with sequential scans allowed the planner rightly prefers
        // them, and the question here is only whether the index can serve the query at all.
        await client.query('set enable_seqscan = off');
        const res = await client.query(`explain ${q.sql}`, [...q.parameters]);
        await client.query('reset enable_seqscan');
        return res.rows.map((r: Record<string, string>) => r['QUERY PLAN']).join(' | ');
      } finally {
        client.release();
      }
    },
    indexes: async () =>
      new Map((await pool.query(`select indexname, indexdef from pg_indexes where schemaname = current_schema()`)).rows.map((r) => [r.indexname, r.indexdef])),
  };
}

/**
 * An empty database of the kind under test with no migration run, opened as the store opens it
 * (SQLite: foreign keys on; PostgreSQL: its pool, and the plugin that turns the migrations' DDL
 * into PostgreSQL's).
 */
export async function bareDatabase(): Promise<{ db: Kysely<any>; close(): Promise<void> }> {
  if (!TEST_PG) {
    const db = new Kysely<any>({ dialect: new SqliteDialect({ database: openSqlite(':memory:') }) });
    return { db, close: () => db.destroy() };
  }
  const d = await freshTestDb(tmpdir());
  const db = new Kysely<any>({ dialect: new PostgresDialect({ pool: openPgPool(d.db, 1) }), plugins: [new PostgresDdl()] });
  return {
    db,
    close: async () => {
      await db.destroy();
      await d.drop();
    },
  };
}

/**
 * A bare database of the store's kind at the migration before `version`, for a test that fills it
 * with history and upgrades it: `upgrade()` applies the rest and answers the versions it applied
 * (`pending`, unless something is wrong).
 */
export async function databaseBefore(version: number): Promise<{ db: Kysely<any>; pending: number[]; upgrade(): Promise<number[]>; close(): Promise<void> }> {
  const at = migrations.findIndex((m) => m.version === version);
  if (at <= 0) throw new Error(`databaseBefore: no migration ${version} after the first`);
  const bare = await bareDatabase();
  try {
    await runMigrations(bare.db, migrations.slice(0, at));
  } catch (err) {
    await bare.close();
    throw err;
  }
  return { ...bare, pending: migrations.slice(at).map((m) => m.version), upgrade: () => runMigrations(bare.db, migrations) };
}
