/**
 * The one better-sqlite3 connection of a SqliteStore, and how queries run on it.
 *
 * Kysely builds and compiles every query (the frequent ones once: query-template.ts); this module
 * runs the compiled SQL synchronously through a cache of prepared statements (better-sqlite3 prepares afresh on each call otherwise, which
 * costs more than the query itself on the hot path). Because a synchronous transaction cannot be
 * interrupted by other JavaScript, concurrent record() calls never interleave inside one: that is
 * how this store serialises writers without a lock (docs/storage.md, "Concurrency").
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { CompiledQuery } from 'kysely';
import type { BoundQuery } from './query-template.ts';
import { StatementCounter } from './statement-counter.ts';
import { StoreError, isStorageFailure } from './store-error.ts';
import { sumCountsJson } from './sum-counts.ts';

export type SqliteDatabase = BetterSqlite3.Database;
type Statement = BetterSqlite3.Statement<unknown[], unknown>;

/** How long a writer waits for another process's lock before failing with SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5000;
/** Enough for every query shape the store builds; patches of many shapes just rotate out. */
const STATEMENT_CACHE_SIZE = 256;

/** Opens (creating the parent folder if needed) and tunes the database file. */
export function openSqlite(path: string): SqliteDatabase {
  const inMemory = path === ':memory:' || path === '';
  if (!inMemory) {
    try {
      mkdirSync(dirname(resolve(path)), { recursive: true });
    } catch (err) {
      throw new StoreError('database', `cannot create the folder of database ${path}: ${(err as Error).message}`, { cause: err });
    }
  }
  let db: SqliteDatabase;
  try {
    db = new BetterSqlite3(path);
  } catch (err) {
    throw new StoreError('database', `cannot open database ${path}: ${(err as Error).message}`, { cause: err });
  }
  // WAL: readers never block the writer and a commit is one append; NORMAL is durable across an
  // application crash and loses at most the last commits on a power cut (docs/storage.md).
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  registerFunctions(db);
  return db;
}

/**
 * SQL functions this store's statements use. `sb_sum_counts(a, b)` adds two JSON objects of counts
 * key by key (the report rollup's additive upsert, dialect.ts): the same answer as SQLite's own
 * json_each / group by / json_group_object, keys in the same (binary) order, at a fraction of the
 * cost on the hot path (docs/performance.md; sum-counts.ts).
 */
function registerFunctions(db: SqliteDatabase): void {
  db.function('sb_sum_counts', { deterministic: true, directOnly: true }, (a: unknown, b: unknown) => sumCountsJson(a, b));
}

export class SqliteRunner {
  private readonly prepared = new Map<string, Statement>();
  private readonly inTransaction: BetterSqlite3.Transaction<(fn: () => unknown) => unknown>;
  /**
   * How many statements failed because the disk could not take the write (store-error.ts,
   * isStorageFailure). Counted here because a caller may catch the error (a report rollup does):
   * the group commit still has to know that SQLite may have rolled its transaction back.
   */
  storageFailures = 0;
  /** Told of each such failure, wherever it happened (the group commit then holds its writes). */
  onStorageFailure?: (err: unknown) => void;
  /** Every statement run on this connection, transaction control included (statement-counter.ts). */
  readonly statements = new StatementCounter();

  constructor(readonly db: SqliteDatabase) {
    this.inTransaction = db.transaction((fn: () => unknown) => fn());
  }

  // The three below catch in place rather than through `observe`: a closure per statement, ten a
  // call, is measurable on the engine's thread (docs/performance.md).
  all<R>(query: CompiledQuery<R> | BoundQuery<R>): R[] {
    this.statements.count(query.sql);
    try {
      return this.prepare(query.sql).all(...query.parameters) as R[];
    } catch (err) {
      throw this.failed(err);
    }
  }

  first<R>(query: CompiledQuery<R> | BoundQuery<R>): R | undefined {
    this.statements.count(query.sql);
    try {
      return this.prepare(query.sql).get(...query.parameters) as R | undefined;
    } catch (err) {
      throw this.failed(err);
    }
  }

  /** Runs a statement that returns no rows; answers how many rows it changed. */
  run(query: CompiledQuery | BoundQuery<unknown>): number {
    this.statements.count(query.sql);
    try {
      return this.prepare(query.sql).run(...query.parameters).changes;
    } catch (err) {
      throw this.failed(err);
    }
  }

  /**
   * Ends a transaction SQLite left open after a failure. On SQLITE_FULL or an I/O error SQLite may
   * roll the whole transaction back by itself, or leave it open with the failed statement undone
   * (https://sqlite.org/lang_transaction.html, "Response To Errors Within A Transaction"):
   * either way nothing of it may be committed later.
   */
  rollbackIfOpen(): void {
    if (!this.db.inTransaction) return;
    this.statements.add('rollback');
    try {
      this.db.exec('ROLLBACK');
    } catch {
      // Already ended by SQLite between the check and here.
    }
  }

  private observe<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw this.failed(err);
    }
  }

  /** Notes a failure the disk caused (see `storageFailures`); answers the error, to be thrown on. */
  private failed(err: unknown): unknown {
    if (isStorageFailure(err)) {
      this.storageFailures++;
      this.onStorageFailure?.(err);
    }
    return err;
  }

  /**
   * Runs `fn` in one transaction: committed when it returns, rolled back when it throws.
   * IMMEDIATE takes the write lock at BEGIN, so a second process writing the same file waits
   * (busy_timeout) instead of failing half-way when its read lock cannot be upgraded.
   */
  transaction<T>(fn: () => T): T {
    // better-sqlite3 runs BEGIN IMMEDIATE / COMMIT (ROLLBACK), or inside a transaction SAVEPOINT /
    // RELEASE (ROLLBACK TO + RELEASE), itself: counted here as the statements they are.
    const nested = this.db.inTransaction;
    this.statements.add(nested ? 'savepoint' : 'begin');
    let ok = false;
    try {
      // Observed too: a failed COMMIT (the WAL append that met a full disk) is not one of our statements.
      const out = this.observe(() => this.inTransaction.immediate(fn) as T);
      ok = true;
      return out;
    } finally {
      if (nested) this.statements.add(ok ? 'release' : 'rollback', ok ? 1 : 2);
      else this.statements.add(ok ? 'commit' : 'rollback');
    }
  }

  /** Runs a statement prepared elsewhere (a batch of the SqlDb seam), counted like the others. */
  prepareCounted(sqlText: string): Statement {
    this.statements.count(sqlText);
    return this.prepare(sqlText);
  }

  /** The texts of the statements prepared on this connection and kept (tests: what the store runs). */
  preparedSql(): string[] {
    return [...this.prepared.keys()];
  }

  private prepare(sql: string): Statement {
    let stmt = this.prepared.get(sql);
    if (stmt) return stmt;
    stmt = this.db.prepare(sql);
    if (this.prepared.size >= STATEMENT_CACHE_SIZE) {
      const oldest = this.prepared.keys().next().value;
      if (oldest !== undefined) this.prepared.delete(oldest);
    }
    this.prepared.set(sql, stmt);
    return stmt;
  }
}
