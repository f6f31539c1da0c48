/**
 * Which database a test engine uses (docs/storage.md, "Testing on PostgreSQL"): a SQLite file in
 * the test's temp folder, or, when SWITCHBOARD_TEST_PG holds a server URL
 * (scripts/pg-cluster.sh start prints one), a fresh PostgreSQL database of its own, created here
 * and dropped at close, so test files can run in parallel against one server.
 */
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { PgStore } from '../../src/store/pg-store.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import type { Store } from '../../src/store/store.ts';

export const TEST_PG = process.env.SWITCHBOARD_TEST_PG || undefined;

export interface TestDb {
  /** What --db is given. */
  readonly db: string;
  drop(): Promise<void>;
}

/** A SQLite file under `dir`, or a new PostgreSQL database when SWITCHBOARD_TEST_PG is set. */
export async function freshTestDb(dir: string): Promise<TestDb> {
  if (!TEST_PG) return { db: join(dir, 'switchboard.db'), drop: async () => {} };
  const name = `sb_test_${randomBytes(6).toString('hex')}`;
  await admin(`create database ${name}`);
  const url = new URL(TEST_PG);
  url.pathname = `/${name}`;
  return {
    db: url.toString(),
    // FORCE: a connection the engine left behind must not keep the database alive.
    drop: () => admin(`drop database if exists ${name} with (force)`),
  };
}

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_PG });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** Options both stores take that the tests use. */
export interface TestStoreOptions {
  onRollupError?: (err: unknown, callUuid: string) => void;
}

/**
 * A migrated store of the harness's kind for tests that drive the store directly: SQLite in memory,
 * or a fresh PostgreSQL database when SWITCHBOARD_TEST_PG is set. `close()` also drops the database.
 */
export async function openTestStore(options: TestStoreOptions = {}): Promise<{ store: Store; close(): Promise<void> }> {
  if (!TEST_PG) {
    const store = new SqliteStore(':memory:', options);
    await store.migrate();
    return { store, close: () => store.close() };
  }
  const d = await freshTestDb(tmpdir());
  const store = new PgStore(d.db, options);
  await store.migrate();
  return {
    store,
    async close() {
      await store.close();
      await d.drop();
    },
  };
}
