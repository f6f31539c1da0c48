/**
 * The SqlDb seam (sql-db.ts) on a `pg` pool, and the order rule the PostgreSQL store keeps: as on
 * SQLite, every operation sees every write issued before it. Writes run one after another in the
 * order issued (each in its own transaction when it has several statements); a read waits for the
 * writes issued before it, then runs on any pooled connection. Between nodes, PostgreSQL's own
 * locks decide (docs/storage.md, "Concurrency").
 */
import type pg from 'pg';
import type { Kysely } from 'kysely';
import type { Query, SqlDb } from './sql-db.ts';
import { StatementCounter } from './statement-counter.ts';
import { StoreError, toStoreError } from './store-error.ts';

export interface PgExec {
  all<R>(q: Query<R>): Promise<R[]>;
  first<R>(q: Query<R>): Promise<R | undefined>;
  run(q: Query): Promise<number>;
  exec(q: Query): Promise<{ rows: unknown[]; changes: number }>;
}

function execOn(client: pg.Pool | pg.PoolClient, counter: StatementCounter): PgExec {
  const query = (q: Query) => {
    counter.count(q.sql);
    return client.query({ text: q.sql, values: q.parameters as unknown[] });
  };
  return {
    all: async <R>(q: Query<R>) => (await query(q)).rows as R[],
    first: async <R>(q: Query<R>) => (await query(q)).rows[0] as R | undefined,
    run: async (q: Query) => (await query(q)).rowCount ?? 0,
    exec: async (q: Query) => {
      const r = await query(q);
      return { rows: r.rows, changes: r.rowCount ?? 0 };
    },
  };
}

/** PostgreSQL's SQLSTATE codes the store turns into its own (store-error.ts). */
export function pgStoreError(err: unknown, what: string): StoreError {
  if (err instanceof StoreError) return err;
  const code = typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : '';
  const message = err instanceof Error ? err.message : String(err);
  if (code === '23505') return new StoreError('duplicate', `${what}: already stored (${message})`, { cause: err });
  if (code === '23514' || code === '23502' || code === '22P02' || code === '22003') return new StoreError('invalid-input', `${what}: ${message}`, { cause: err });
  return toStoreError(err, what);
}

/** Told when a database operation starts; the returned function when it ends (util/activity.ts). */
export interface StoreActivity {
  begin(): () => void;
}

export class PgDb implements SqlDb {
  readonly dialect = 'postgres' as const;
  private tail: Promise<unknown> = Promise.resolve();
  readonly pooledExec: PgExec;
  /** Every statement sent, BEGIN and COMMIT included (statement-counter.ts). */
  readonly statements = new StatementCounter();

  constructor(
    readonly kysely: Kysely<any>,
    readonly pool: pg.Pool,
    /**
     * A round trip to the server spans turns of the event loop: the engine counts it as work in
     * flight, so a virtual clock does not jump past it (DESIGN.md, "Time is injected").
     */
    private readonly activity?: StoreActivity,
  ) {
    this.pooledExec = execOn(pool, this.statements);
  }

  /**
   * Called before every read and write: the store's deferred records join the write lane first, so
   * every query (the resource stores' too) sees every record issued before it (deferred-writes.ts).
   */
  beforeUse?: () => void;

  /** Runs `fn` after every write issued before it; later reads wait for it. */
  write<T>(what: string, fn: () => Promise<T>): Promise<T> {
    this.beforeUse?.();
    const end = this.activity?.begin();
    const run = this.tail.then(fn, fn);
    this.tail = run.catch(() => undefined);
    return run
      .catch((err: unknown) => {
        throw pgStoreError(err, what);
      })
      .finally(() => end?.());
  }

  /**
   * Runs `fn` once the writes issued before it have landed. `deferred: false` is for the
   * configuration tables (configView), which no deferred record touches: their reads need not
   * write what is deferred first.
   */
  async read<T>(what: string, fn: (x: PgExec) => Promise<T>, deferred = true): Promise<T> {
    if (deferred) this.beforeUse?.();
    const end = this.activity?.begin();
    try {
      await this.tail;
      return await fn(this.pooledExec);
    } catch (err) {
      throw pgStoreError(err, what);
    } finally {
      end?.();
    }
  }

  /** One transaction on one connection, in write order. */
  transaction<T>(what: string, fn: (x: PgExec) => Promise<T>): Promise<T> {
    return this.write(what, () => this.inTransaction(fn));
  }

  /** One transaction on one connection, now: for a caller already in the write lane. */
  async inTransaction<T>(fn: (x: PgExec) => Promise<T>): Promise<T> {
    {
      const client = await this.pool.connect();
      // The server may end the session mid-transaction (a cluster node paused past its lease:
      // pg-connection.ts); the query in flight fails with it, the process must not.
      const lost = (): void => {};
      client.on('error', lost);
      try {
        this.statements.add('begin');
        await client.query('begin');
        const out = await fn(execOn(client, this.statements));
        this.statements.add('commit');
        await client.query('commit');
        return out;
      } catch (err) {
        this.statements.add('rollback');
        await client.query('rollback').catch(() => undefined);
        throw err;
      } finally {
        client.off('error', lost);
        client.release();
      }
    }
  }

  all<R>(what: string, q: Query<R>): Promise<R[]> {
    return this.read(what, (x) => x.all(q));
  }

  first<R>(what: string, q: Query<R>): Promise<R | undefined> {
    return this.read(what, (x) => x.first(q));
  }

  run(what: string, q: Query): Promise<number> {
    return this.write(what, () => this.pooledExec.run(q));
  }

  /** This database for the configuration stores (resources.ts): reads that skip the deferred records. */
  configView(): SqlDb {
    return {
      kysely: this.kysely,
      dialect: this.dialect,
      all: (what, q) => this.read(what, (x) => x.all(q), false),
      first: (what, q) => this.read(what, (x) => x.first(q), false),
      run: (what, q) => this.run(what, q),
      batch: (what, qs) => this.batch(what, qs),
    };
  }

  batch(what: string, queries: readonly Query[]): Promise<Array<{ rows: unknown[]; changes: number }>> {
    return this.transaction(what, async (x) => {
      const out: Array<{ rows: unknown[]; changes: number }> = [];
      for (const q of queries) {
        out.push(await x.exec(q));
      }
      return out;
    });
  }
}
