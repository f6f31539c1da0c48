/**
 * Which database a test engine uses (docs/storage.md, "Testing on PostgreSQL"): a SQLite file in
 * the test's temp folder, or, when SWITCHBOARD_TEST_PG holds a server URL
 * (scripts/pg-cluster.sh start prints one), a fresh PostgreSQL database of its own, created here
 * and dropped at close, so test files can run in parallel against one server.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';

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
