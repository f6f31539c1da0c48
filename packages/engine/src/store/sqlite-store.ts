/**
 * The Store on SQLite: one file, one connection, WAL (docs/storage.md).
 *
 * Queries are built and compiled by Kysely over `Database` (schema.ts), the frequent ones once
 * (store-queries.ts). Migrations run through Kysely's SqliteDialect; the data methods run their
 * compiled SQL synchronously through SqliteRunner's prepared-statement cache, so no two of them
 * ever interleave and no lock is needed. record() is deferred to a group commit
 * (group-commit.ts), which every other method flushes first: each operation sees every write
 * issued before it.
 */
import { statSync } from 'node:fs';
import { Kysely, SqliteDialect } from 'kysely';
import { runMigrations } from './migrator.ts';
import { migrations } from './migrations/index.ts';
import type { Database } from './schema.ts';
import { GroupCommit, type GroupCommitTiming, type GroupTail } from './group-commit.ts';
import { SqliteRunner, openSqlite } from './sqlite-connection.ts';
import { SqliteWriter } from './sqlite-writer.ts';
import { CHECKPOINT_FROM_PAGES, SqliteCheckpointer } from './sqlite-checkpointer.ts';
import { lockDatabaseFile, type FileLock } from './sqlite-lock.ts';
import { attemptValues, deliveryRows, listQueries, storeQueries, type ListQueries, type StoreQueries } from './store-queries.ts';
import { StoreError, isStorageFailure, sqliteCode, toStoreError, type WriteState } from './store-error.ts';
import { callValues, checkCallPatch, checkDeliveryPatch, checkScalar } from './store-input.ts';
import type { SqlDb } from './sql-db.ts';
import { storeResources } from './resources.ts';
import { SqliteRollups } from './sqlite-rollups.ts';
import { DeferredWrites, batchStatements, type Batch, type DeferOptions, type RecordUnit } from './deferred-writes.ts';
import type { BoundQuery } from './query-template.ts';
import { RollupUpserts } from './report-rollup-sql.ts';
import { RollupsBehind } from './rollups-behind.ts';
import type {
  AttemptRow,
  CallFilter,
  CallRow,
  DeliveryFilter,
  DeliveryRow,
  EventRow,
  NewAttempt,
  NewDelivery,
  SimNumberRow,
  Store,
  StoreResources,
} from './store.ts';

/** Where `serve` keeps its database unless told otherwise. */
export const DEFAULT_DATABASE_PATH = './data/switchboard.db';

export interface SqliteStoreOptions {
  /** When record() groups are committed (group-commit.ts); default 'microtask'. */
  groupCommit?: GroupCommitTiming;
  /** The least time in ms from one group commit's start to the next's (group-commit.ts); default 0. */
  commitIntervalMs?: number;
  /** Told when the disk stops taking writes (they are then held in memory) and when it takes them again. */
  onWriteState?: (state: WriteState, written?: number) => void;
  /** A report rollup that could not be written (the event itself is kept). */
  onRollupError?: (err: unknown, callUuid: string) => void;
  /**
   * Holds the file for this process until close() (sqlite-lock.ts): what a serving engine asks
   * for, so a second one on the same file refuses to start. Readers (CLI, tests) do not.
   */
  exclusive?: boolean;
  /**
   * Defers the records whose loss in a crash breaks no promise, and writes them together
   * (deferred-writes.ts); without it every record() is written in the next group commit.
   */
  defer?: DeferOptions;
  /**
   * WAL checkpoints on a worker thread instead of inside the commit that fills the WAL
   * (sqlite-checkpointer.ts): what a serving engine asks for. Ignored for ':memory:'. The worker
   * starts once the WAL has reached half of SQLite's checkpoint threshold: a store that writes
   * little (a test, a quiet engine) never pays for a thread (about 0.1 s of CPU to start).
   */
  checkpointInWorker?: boolean;
  /** A deferred write that could not be stored (its records are lost; the calls go on). */
  onDeferredError?: (err: unknown) => void;
  /**
   * The group commits made of plain statements run on a second connection on a thread of its own
   * (sqlite-writer.ts): what a serving engine asks for. Ignored for ':memory:'.
   */
  writerThread?: boolean;
  /** Told, with the reason, when the writer thread cannot start or is gone (groups then commit on this thread). */
  onWriterUnavailable?: (why: string) => void;
}

/** The settings row the store rewrites to learn whether the disk takes writes again (group-commit.ts). */
const WRITE_PROBE_KEY = 'store_write_probe';

type RecordInput = Parameters<Store['record']>[0];

export class SqliteStore implements Store {
  private readonly runner: SqliteRunner;
  private readonly k: Kysely<Database>;
  private readonly group: GroupCommit;
  private readonly q: StoreQueries;
  private readonly lists: ListQueries;
  private closed = false;
  private readonly lock: FileLock | undefined;
  private readonly recordHooks: Array<(input: { callUuid: string; at: number; type: string }) => void> = [];

  /** Opens `path` (its folder is created if missing); `':memory:'` keeps everything in memory. */
  constructor(
    readonly path: string,
    private readonly options: SqliteStoreOptions = {},
  ) {
    const inMemory = path === ':memory:' || path === '';
    // Before the file is opened: a refused engine touches nothing.
    this.lock = options.exclusive && !inMemory ? lockDatabaseFile(path) : undefined;
    let db;
    try {
      db = openSqlite(path);
    } catch (err) {
      this.lock?.release();
      throw err;
    }
    this.runner = new SqliteRunner(db);
    this.watchWal = options.checkpointInWorker === true && !inMemory;
    this.k = new Kysely<Database>({ dialect: new SqliteDialect({ database: db }) });
    if (options.writerThread && !inMemory) {
      try {
        this.writer = new SqliteWriter(path, options.onWriterUnavailable ? { onUnavailable: options.onWriterUnavailable } : {});
      } catch (err) {
        // No thread to be had: every group commits on this connection.
        options.onWriterUnavailable?.(`the SQLite writer thread cannot start: ${(err as Error).message}`);
      }
    }
    this.group = new GroupCommit(this.runner, {
      ...(options.groupCommit ? { timing: options.groupCommit } : {}),
      ...(options.commitIntervalMs ? { intervalMs: options.commitIntervalMs } : {}),
      ...(options.onWriteState ? { onStateChange: options.onWriteState } : {}),
      probe: () => this.runner.run(this.settingUpsert(WRITE_PROBE_KEY, String(Date.now()))),
      begin: () => {
        this.groupRollup = [];
        this.behind.begin();
      },
      beforeCommit: () => this.writeGroupRollup(),
      afterCommit: () => this.afterCommit(),
      ...(this.writer ? { writer: this.writer, tail: () => this.rollupTail() } : {}),
    });
    this.q = storeQueries(this.k);
    this.lists = listQueries(this.k);
    this.rollups = new SqliteRollups(this, options.onRollupError ? { onError: options.onRollupError } : {});
    const sqlDb = this.sqlDb();
    this.resources = storeResources(sqlDb, this.configView(sqlDb), () => this.writeRollupsBehind());
    this.deferred = options.defer ? new DeferredWrites(options.defer, () => void this.flushDeferred()) : undefined;
    this.upserts = new RollupUpserts(this.k as unknown as Kysely<any>, 'sqlite');
    this.behind = new RollupsBehind(this.k as unknown as Kysely<any>, this.upserts, (err, callUuid) => this.options.onRollupError?.(err, callUuid));
  }

  private readonly deferred: DeferredWrites | undefined;
  private readonly upserts: RollupUpserts;
  /** The rollups of ended calls, written for many calls at once (rollups-behind.ts). */
  private readonly behind: RollupsBehind;
  /** The writer thread, when the store was opened with one (sqlite-writer.ts). */
  readonly writer?: SqliteWriter;
  /** Set once checkpoints run on a worker thread (sqlite-checkpointer.ts). */
  checkpointer?: SqliteCheckpointer;
  /** Whether to start the worker when the WAL grows (options.checkpointInWorker), and when to look next. */
  private watchWal: boolean;
  private commitsUntilWalLook = 0;

  /** After a group's commit: starts the checkpoint worker once the WAL file is large enough to need it. */
  private afterCommit(): void {
    this.behind.committed();
    if (!this.watchWal || --this.commitsUntilWalLook > 0) return;
    // A stat every few commits: a few microseconds, on a path taken far less than once a call.
    this.commitsUntilWalLook = 16;
    if (walBytes(this.path) < START_WORKER_PAGES * this.pageSize()) return;
    this.watchWal = false;
    try {
      this.checkpointer = new SqliteCheckpointer(this.runner.db, this.path);
    } catch {
      // No thread to be had: the connection goes on checkpointing as SQLite does by default.
    }
  }

  private pageSize(): number {
    return this.runner.db.pragma('page_size', { simple: true }) as number;
  }
  /** The batches of the group being committed whose calls ended (their rollups: rollupTail). */
  private groupRollup: Batch[] = [];

  /**
   * The group's rollup tail (rollups-behind.ts), run here in a savepoint when the group commits on
   * this connection: a rollup that fails is reported, never fails the records.
   */
  private writeGroupRollup(): void {
    const tail = this.rollupTail();
    if (!tail) return;
    try {
      this.runner.transaction(() => {
        for (const q of tail.statements) this.runner.run(q);
      });
    } catch (err) {
      if (isStorageFailure(err) || !this.runner.db.inTransaction) throw err;
      tail.onError(err);
    }
  }

  /**
   * What the group's end writes of the rollups: those kept in memory and those of the calls it
   * ends, merged, when it is time (rollups-behind.ts); else nothing, and its calls are kept.
   */
  private rollupTail(): GroupTail | undefined {
    const batches = this.groupRollup;
    this.groupRollup = [];
    return this.behind.tail(batches);
  }

  /**
   * The deferred flush queued last in the group, not yet run: its batch is taken when it runs, so
   * every record deferred until then rides with it, and a durable record issued meanwhile needs no
   * flush of its own. Under load a group's flushes were one a durable record, each a handful of
   * one-row statements; they are now one, of multi-row statements (docs/performance.md). It is
   * closed (its batch taken) as soon as another write joins the group after it: what is deferred
   * from then on must land after that write.
   */
  private openFlush: { close: () => void; landed: Promise<void> } | undefined;

  /**
   * Hands what is deferred to the group commit (it lands with the group, before anything submitted
   * after it); answers when it has landed.
   */
  private flushDeferred(): Promise<void> {
    if (this.openFlush) return this.openFlush.landed;
    if (!this.deferred || this.deferred.empty) return Promise.resolve();
    let taken = false;
    let batch: Batch | undefined;
    let data: readonly BoundQuery<unknown>[] = [];
    const take = (): Batch | undefined => {
      if (taken) return batch;
      taken = true;
      if (this.openFlush === flush) this.openFlush = undefined;
      batch = this.deferred!.take();
      // The calls it ends are noted as pending with it: their rollups follow (rollups-behind.ts).
      if (batch) data = batchStatements(this.k as unknown as Kysely<any>, batch, 'update').concat(this.behind.noteStatements(batch.rolledUp));
      return batch;
    };
    let unitByUnit = false;
    // The writer thread takes the folded batch as it is; the unit-by-unit write needs this thread.
    const asData = () => {
      const b = take();
      if (!b) return data;
      if (unitByUnit || this.deferred!.stale(b)) return undefined;
      if (b.rolledUp.length > 0) this.groupRollup.push(b);
      return data;
    };
    const written = this.group.submit(() => {
      const b = take();
      if (!b) return;
      // Folded; its rollup joins the group's, written at the group's end or later (rollupTail).
      // When that fails (not for the disk: the group then holds and retries it whole), the group
      // runs every job again in a savepoint each, and this batch is written unit by unit, the
      // immediate way, so a record that fails rejects alone (and the rollup is read back).
      if (!unitByUnit && !this.deferred!.stale(b)) {
        try {
          for (const q of data) this.runner.run(q);
        } catch (err) {
          if (!isStorageFailure(err)) unitByUnit = true;
          throw err;
        }
        if (b.rolledUp.length > 0) this.groupRollup.push(b);
        return;
      }
      for (const unit of b.units) {
        try {
          this.runner.transaction(() => {
            if (unit.kind === 'record') unit.result = this.recordNow(unit);
            else this.attemptsNow(unit.id, unit.attempts, unit.patch);
          });
          unit.error = undefined;
        } catch (err) {
          // The disk, or a transaction SQLite ended: the group holds and retries, nothing is lost.
          if (isStorageFailure(err) || isStorageFailure((err as { cause?: unknown }).cause) || !this.runner.db.inTransaction) throw err;
          unit.error = err;
          // At once: a later batch of this group numbered this call's records too.
          this.deferred!.failed(unit);
        }
      }
    }, undefined, asData);
    const landed = written.then(
      () => {
        if (batch) this.deferred!.settle(batch.units, this.options.onDeferredError);
      },
      (err) => {
        if (!batch) return;
        const error = toStoreError(err, `write ${batch.units.length} deferred records`);
        for (const unit of batch.units) unit.error = error;
        this.deferred!.settle(batch.units, this.options.onDeferredError);
      },
    );
    const flush = { close: () => void take(), landed };
    this.openFlush = flush;
    return landed;
  }

  /** A write of the group commit, after whatever is deferred (as any write issued earlier). */
  private submitAfterDeferred<T>(work: () => T, refuse?: string, data?: () => readonly BoundQuery<unknown>[] | undefined): Promise<T> {
    void this.flushDeferred();
    this.openFlush?.close();
    return this.group.submit(work, refuse, data);
  }

  /**
   * Writes the report rollups kept in memory (rollups-behind.ts), with whatever is queued before
   * them: a read of the rollups then counts every call ended before it.
   */
  private async writeRollupsBehind(): Promise<void> {
    this.assertOpen('write report rollups');
    // While the disk refuses writes a report reads what is stored, as every read does then,
    // rather than wait for the held writes to land.
    if (!this.group.state.ok) return;
    this.behind.request();
    const written = this.submitAfterDeferred(() => undefined, undefined, () => []);
    this.group.flush();
    await written;
  }

  /** Writes everything deferred now; resolves once it is stored. */
  async flush(): Promise<void> {
    if (this.closed) return;
    const written = this.flushDeferred();
    this.group.flush();
    await written;
  }

  readonly resources: StoreResources;

  get statements() {
    return this.runner.statements;
  }

  /** Report rollups, kept by every record() that ends an A leg; `generate` merges its batches through it. */
  readonly rollups: SqliteRollups;

  /**
   * The async seam (sql-db.ts) on this connection: each query runs synchronously once every
   * pending record() has landed, as every other method of this store does.
   */
  private sqlDb(): SqlDb {
    const runner = this.runner;
    return {
      kysely: this.k as unknown as Kysely<any>,
      dialect: 'sqlite',
      all: async (what, q) => this.sync(what, () => runner.all(q)),
      first: async (what, q) => this.sync(what, () => runner.first(q)),
      run: async (what, q) => this.sync(what, () => runner.run(q)),
      batch: async (what, qs) =>
        this.sync(what, () =>
          runner.transaction(() =>
            qs.map((q) => {
              const stmt = runner.prepareCounted(q.sql);
              if (stmt.reader) return { rows: stmt.all(...q.parameters), changes: 0 };
              return { rows: [], changes: stmt.run(...q.parameters).changes };
            }),
          ),
        ),
    };
  }

  /**
   * The database as the configuration stores see it (resources.ts): their tables (applications,
   * numbers, endpoints, flows, accounts) are written by their own statements, at once, never by
   * record()'s group commit or deferred writes, so a read of them need not commit those first.
   * An inbound call's number lookup flushed both before (docs/performance.md, "SIP: configuration reads").
   */
  private configView(db: SqlDb): SqlDb {
    const runner = this.runner;
    return {
      ...db,
      all: async (what, q) => this.sync(what, () => runner.all(q), false),
      first: async (what, q) => this.sync(what, () => runner.first(q), false),
    };
  }

  async migrate(): Promise<number[]> {
    this.assertOpen('migrate');
    // Runs before anything else touches the store (serve awaits it at start-up): Kysely's own
    // transactions span awaits, which the synchronous methods below never do.
    const applied = await runMigrations(this.k, migrations);
    this.recoverRollups();
    return applied;
  }

  /**
   * The rollups of the calls a crash left pending (rollups-behind.ts), written before anything
   * else runs. One that cannot be written is reported per call and dropped, as at run time.
   */
  private recoverRollups(): void {
    const pending = (this.runner.all(this.behind.pendingQuery) as Array<{ call_uuid: string }>).map((r) => r.call_uuid);
    if (pending.length === 0) return;
    const statements = this.behind.recoverStatements(pending, (callUuid) => this.rollups.attemptsOf(callUuid));
    try {
      this.runner.transaction(() => {
        for (const q of statements) this.runner.run(q);
      });
    } catch (err) {
      if (isStorageFailure(err)) throw err;
      for (const callUuid of pending) this.options.onRollupError?.(err, callUuid);
      this.runner.run(statements[statements.length - 1]!);
    }
  }

  /** Closes the connection; writes the disk still refuses are lost (their calls are closed with 8010 on restart). */
  async close(): Promise<void> {
    if (this.closed) return;
    void this.flushDeferred();
    this.deferred?.clear();
    // The rollups kept in memory are written with the last group (rollups-behind.ts).
    this.behind.request();
    this.group.submit(() => undefined, undefined, () => []).catch(() => {});
    this.group.close();
    this.closed = true;
    // Their connections first: the store's own close is then the last, which checkpoints and removes the WAL.
    await this.writer?.stop();
    await this.checkpointer?.stop();
    await this.k.destroy();
    // Kysely only closes a connection it has opened; without a migrate() it never did.
    if (this.runner.db.open) this.runner.db.close();
    this.lock?.release();
  }

  async getSetting(key: string): Promise<string | undefined> {
    return this.sync(`get setting ${key}`, () => this.runner.first(this.lists.getSetting(key))?.value);
  }

  async setSetting(key: string, value: string): Promise<void> {
    this.syncWrite(`set setting ${key}`, () => {
      checkScalar(value, `setting ${key}`);
      this.runner.run(this.settingUpsert(key, value));
    });
  }

  private settingUpsert(key: string, value: string) {
    return this.lists.setSetting(key, value);
  }

  /**
   * Whether writes land now. While the disk refuses them, record() and the outbox's writes are held
   * in memory, in order, and retried; other writes fail with StoreError 'unavailable'.
   */
  writeState(): WriteState {
    return this.group.state;
  }

  /**
   * A new call's row joins the next group commit rather than committing alone (one WAL append
   * fewer per call: docs/performance.md); when the disk cannot take it, it is refused, not held.
   */
  async insertCall(row: CallRow): Promise<void> {
    const what = `insert call ${row.call_uuid}`;
    this.assertOpen(what);
    this.refuseWhileHeld(what);
    try {
      const bound = this.q.insertCall.bind(callValues(row));
      // Whatever is deferred lands before this row, as any write issued earlier.
      await this.submitAfterDeferred(() => this.runner.run(bound), what, () => [bound]);
    } catch (err) {
      throw toStoreError(err, what);
    }
    // Its records are numbered and deferred from now on (deferred-writes.ts).
    this.deferred?.track(row);
  }

  async getCall(callUuid: string): Promise<CallRow | undefined> {
    return this.sync(`get call ${callUuid}`, () =>
      this.runner.first(this.q.getCall.bind({ callUuid })),
    );
  }

  async getCallsByRequest(requestUuid: string): Promise<CallRow[]> {
    return this.sync(`get calls of request ${requestUuid}`, () => this.runner.all(this.lists.callsOfRequest(requestUuid)));
  }

  async listCalls(filter: CallFilter): Promise<{ rows: CallRow[]; total: number }> {
    return this.sync('list calls', () => {
      const q = this.lists.listCalls(filter);
      // One read transaction, so the page and the total describe the same moment.
      return this.runner.transaction(() => ({
        rows: this.runner.all(q.rows),
        total: Number(this.runner.first(q.count)?.n ?? 0),
      }));
    });
  }

  async listLiveCalls(nodeId?: string): Promise<CallRow[]> {
    return this.sync('list live calls', () => this.runner.all(this.lists.liveCalls(nodeId)));
  }

  /**
   * One event, its patch and its deliveries, atomically (DESIGN.md, "Every status is an event").
   * Input is checked at once; the SQL runs in the next group commit (group-commit.ts).
   */
  async record(input: RecordInput): Promise<{ seq: number; deliveries: DeliveryRow[] }> {
    const { callUuid, at, type } = input;
    // Checked now, outside sync(): flushing here would end the group this record should join. (The
    // label is built only when it is needed: sixteen records a call.)
    if (this.closed) this.assertOpen(`record ${type} for call ${callUuid}`);
    checkScalar(at, 'at');
    checkScalar(type, 'type');
    const data = eventJson(input.data);
    const patch = input.patch === undefined ? undefined : checkCallPatch(input.patch, callUuid);
    // Checked in place, not copied: neither list is changed once handed over.
    const news = input.deliveries ?? NONE;
    for (let i = 0; i < news.length; i++) checkNewDelivery(news[i]!, i);
    if (this.deferred?.tracks(callUuid)) {
      const { unit, durable } = this.deferred.record({ callUuid, at, type, data, patch, deliveries: news, insertCalls: input.insertCalls ?? NONE });
      if (!durable) return unit.result;
      await this.flushDeferred();
      if (unit.error !== undefined) throw unit.error;
      return unit.result;
    }
    const insertCalls = input.insertCalls === undefined ? NONE : input.insertCalls.map(callValues);
    // Whatever is deferred lands before this record.
    return this.submitAfterDeferred(() => this.recordNow({ callUuid, at, type, data, patch, deliveries: news, insertCalls }));
  }

  /** A record written at once (inside a group's transaction): its seqs are computed by SQL. */
  private recordNow(p: Pick<RecordUnit, 'callUuid' | 'at' | 'type' | 'data' | 'patch' | 'deliveries' | 'insertCalls'>): { seq: number; deliveries: DeliveryRow[] } {
    const { callUuid, at, type, data, patch } = p;
    try {
      for (const row of p.insertCalls) this.runner.run(this.q.insertCall.bind(row));
      const seq = this.appendEvent(callUuid, at, type, data);
      if (patch !== undefined && Object.keys(patch).length > 0) {
        const changed = this.runner.run(this.q.updateCall.bind(patch, { callUuid }));
        if (changed === 0) throw new StoreError('call-not-found', `record ${type} for call ${callUuid}: no call ${callUuid}`);
      }
      const deliveries = p.deliveries.length > 0 ? this.enqueue(callUuid, at, seq, p.deliveries) : [];
      for (const hook of this.recordHooks) hook({ callUuid, at, type });
      return { seq, deliveries };
    } catch (err) {
      throw toStoreError(err, `record ${type} for call ${callUuid}`);
    }
  }

  /** A round of attempts and its outcome written at once (inside a group's transaction). */
  private attemptsNow(id: string, attempts: readonly NewAttempt[], values: Partial<Omit<DeliveryRow, 'id'>>): void {
    const what = `record ${attempts.length} attempts of delivery ${id}`;
    try {
      for (const a of attempts) this.runner.run(this.q.insertAttempt.bind(attemptValues(a)));
      if (Object.keys(values).length > 0 && this.runner.run(this.q.updateDelivery.bind(values, { id })) === 0) {
        throw new StoreError('delivery-not-found', `${what}: no delivery ${id}`);
      }
    } catch (err) {
      if (sqliteCode(err) === 'SQLITE_CONSTRAINT_FOREIGNKEY') throw new StoreError('delivery-not-found', `${what}: no delivery ${id}`, { cause: err });
      throw toStoreError(err, what);
    }
  }

  async listEvents(callUuid: string): Promise<EventRow[]> {
    return this.sync(`list events of call ${callUuid}`, () =>
      this.runner.all(this.q.listEvents.bind({ callUuid })),
    );
  }

  async getDelivery(id: string): Promise<DeliveryRow | undefined> {
    return this.sync(`get delivery ${id}`, () =>
      this.runner.first(this.q.getDelivery.bind({ id })),
    );
  }

  async listDeliveries(callUuid: string): Promise<DeliveryRow[]> {
    return this.sync(`list deliveries of call ${callUuid}`, () =>
      this.runner.all(this.q.listDeliveries.bind({ callUuid })),
    );
  }

  async listPendingDeliveries(limit?: number): Promise<DeliveryRow[]> {
    return this.sync('list pending deliveries', () => this.runner.all(this.lists.pendingDeliveries(limit)));
  }

  // The outbox's writes join the group commit too: under load one commit then carries the events
  // and the delivery outcomes of many calls (docs/performance.md).
  async updateDelivery(id: string, patch: Partial<Omit<DeliveryRow, 'id'>>): Promise<void> {
    this.assertOpen(`update delivery ${id}`);
    const values = checkDeliveryPatch(patch, id);
    this.deferred?.forget(id);
    return this.submitAfterDeferred(() => {
      try {
        const changed =
          Object.keys(values).length > 0
            ? this.runner.run(this.q.updateDelivery.bind(values, { id }))
            : this.runner.all(this.q.getDelivery.bind({ id })).length;
        if (changed === 0) throw new StoreError('delivery-not-found', `update delivery: no delivery ${id}`);
      } catch (err) {
        throw toStoreError(err, `update delivery ${id}`);
      }
    });
  }

  async addAttempt(attempt: NewAttempt): Promise<void> {
    const what = `add attempt ${attempt.attempt} of delivery ${attempt.delivery_id}`;
    this.assertOpen(what);
    this.deferred?.forget(attempt.delivery_id);
    return this.submitAfterDeferred(() => {
      const q = this.q.insertAttempt.bind(attemptValues(attempt));
      try {
        this.runner.run(q);
      } catch (err) {
        if (sqliteCode(err) === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
          throw new StoreError('delivery-not-found', `add attempt: no delivery ${attempt.delivery_id}`, { cause: err });
        }
        throw toStoreError(err, what);
      }
    });
  }
  async recordAttempts(id: string, attempts: readonly NewAttempt[], patch: Partial<Omit<DeliveryRow, 'id'>>): Promise<void> {
    if (this.closed) this.assertOpen(`record ${attempts.length} attempts of delivery ${id}`);
    const values = checkDeliveryPatch(patch, id);
    attempts.forEach(attemptValues); // checked now
    // A delivery this store wrote: deferred (deferred-writes.ts).
    if (this.deferred?.attempts(id, attempts, values)) return;
    // One job of the group commit: the round's attempts and its outcome land together or not at all.
    return this.submitAfterDeferred(() => this.attemptsNow(id, attempts, values));
  }


  async listDeliveriesBy(filter: DeliveryFilter): Promise<{ rows: DeliveryRow[]; total: number }> {
    return this.sync('list deliveries', () => {
      const q = this.lists.deliveriesBy(filter);
      const rows = this.runner.all(q.rows) as DeliveryRow[];
      const total = Number((this.runner.first(q.count) as { n: number | string } | undefined)?.n ?? 0);
      return { rows, total };
    });
  }

  async listAttemptsFor(deliveryIds: readonly string[]): Promise<AttemptRow[]> {
    if (deliveryIds.length === 0) return [];
    return this.sync('list attempts', () => this.runner.all(this.lists.attemptsFor(deliveryIds)) as AttemptRow[]);
  }

  async listAttempts(deliveryId: string): Promise<AttemptRow[]> {
    return this.sync(`list attempts of delivery ${deliveryId}`, () => this.runner.all(this.lists.attemptsOf(deliveryId)) as AttemptRow[]);
  }

  async upsertSimNumber(number: string, script: string, at: number): Promise<SimNumberRow> {
    return this.syncWrite(`save simulated number ${number}`, () => {
      checkScalar(script, 'script');
      checkScalar(at, 'at');
      const row = this.runner.first(this.lists.upsertSimNumber(number, script, at));
      if (!row) throw new StoreError('database', `save simulated number ${number}: no row returned`);
      return row;
    });
  }

  async getSimNumber(number: string): Promise<SimNumberRow | undefined> {
    return this.sync(`get simulated number ${number}`, () => this.runner.first(this.lists.getSimNumber(number)));
  }

  async listSimNumbers(): Promise<SimNumberRow[]> {
    return this.sync('list simulated numbers', () => this.runner.all(this.lists.listSimNumbers()));
  }

  async deleteSimNumber(number: string): Promise<boolean> {
    return this.syncWrite(`delete simulated number ${number}`, () => this.runner.run(this.lists.deleteSimNumber(number)) > 0);
  }

  /** Inserts the call's next event; the seq is computed in the same statement (max + 1). */
  private appendEvent(callUuid: string, at: number, type: string, data: string): number {
    const q = this.q.appendEvent.bind({ callUuid, at, type, data });
    try {
      const row = this.runner.first(q);
      // The INSERT takes its key from the call's row: no row, no call.
      if (!row) throw new StoreError('call-not-found', `record ${type} for call ${callUuid}: no call ${callUuid}`);
      return row.seq;
    } catch (err) {
      if (sqliteCode(err) === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
        throw new StoreError('call-not-found', `record ${type} for call ${callUuid}: no call ${callUuid}`, { cause: err });
      }
      throw err;
    }
  }

  /**
   * Writes deliveries to the outbox with the call's next delivery seqs, in the order given: each
   * INSERT takes its seq and the call's owner itself, so nothing is read first.
   */
  private enqueue(callUuid: string, at: number, eventSeq: number, news: readonly NewDelivery[]): DeliveryRow[] {
    // The seq, the owner and the call's time are the INSERT's to fill in (0 and null until then).
    return deliveryRows(callUuid, 0, at, eventSeq, 0, news, null).map((row) => {
      const stored = this.runner.first(this.q.insertNextDelivery.bind(row));
      if (!stored) throw new StoreError('call-not-found', `enqueue delivery ${row.id}: no call ${callUuid}`);
      return { ...row, seq: stored.seq, account_id: stored.account_id, call_initiation_time: stored.call_initiation_time };
    });
  }

  /**
   * Runs `hook` inside every record()'s transaction, after its event and patch are written (report
   * rollups: sqlite-rollups.ts). A hook must catch its own errors, or it fails the record.
   */
  onRecorded(hook: (input: { callUuid: string; at: number; type: string }) => void): void {
    this.recordHooks.push(hook);
  }

  private assertOpen(what: string): void {
    if (this.closed) throw new StoreError('database', `${what}: the store is closed`);
  }

  /** Runs a method's synchronous body, turning driver errors into StoreErrors that say what failed. */
  /**
   * For the store modules of other resources (applications, numbers, flows, reports) that share
   * this connection: Kysely to build queries, the runner to execute them, and `sync` to run a
   * body after every pending record() landed, with errors turned into StoreErrors.
   */
  shared(): { kysely: Kysely<any>; runner: SqliteRunner; sync: <T>(what: string, body: () => T) => T } {
    return { kysely: this.k as unknown as Kysely<any>, runner: this.runner, sync: (what, body) => this.sync(what, body) };
  }

  /**
   * sync() for a write: refused at once while record()s are held for a full disk, so nothing new is
   * written ahead of them and nothing is promised that cannot be kept (a call placed then would
   * have no row).
   */
  private syncWrite<T>(what: string, body: () => T): T {
    this.assertOpen(what);
    this.refuseWhileHeld(what);
    return this.sync(what, body);
  }

  /** A new write is refused while earlier ones are held for a full disk (they must land first). */
  private refuseWhileHeld(what: string): void {
    const state = this.group.state;
    if (!state.ok) throw new StoreError('unavailable', `${what}: ${state.error.message} (${state.held} writes held until it can)`, { cause: state.error });
  }

  /** `flush: false` for a read of tables no record writes (configView): nothing pending can change it. */
  private sync<T>(what: string, body: () => T, flush = true): T {
    this.assertOpen(what);
    // Earlier record() calls land first, so every operation sees every write issued before it.
    if (flush) {
      void this.flushDeferred();
      this.group.flush();
    }
    try {
      return body();
    } catch (err) {
      throw toStoreError(err, what);
    }
  }
}

/** Half of SQLite's checkpoint threshold (1,000 pages): the worker is up before it is needed. */
const START_WORKER_PAGES = CHECKPOINT_FROM_PAGES / 2;

/** The size of a database's WAL file, 0 when there is none. */
function walBytes(path: string): number {
  try {
    return statSync(`${path}-wal`).size;
  } catch {
    return 0;
  }
}

export function eventJson(data: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(data === undefined ? {} : data);
  } catch (err) {
    throw new StoreError('invalid-input', `data: cannot be stored as JSON (${(err as Error).message})`, { cause: err });
  }
  if (json === undefined) throw new StoreError('invalid-input', `data: cannot be stored as JSON (${typeof data})`);
  return json;
}

/** An empty list that nobody adds to: one instead of a new one per record. */
const NONE: readonly never[] = Object.freeze([]);

export function checkNewDelivery(d: NewDelivery, i: number): NewDelivery {
  const at = `deliveries[${i}]`;
  for (const key of ['id', 'kind', 'event', 'url'] as const) {
    if (typeof d[key] !== 'string' || d[key] === '') throw new StoreError('invalid-input', `${at}.${key}: expected a non-empty string`);
  }
  if (d.method !== 'GET' && d.method !== 'POST') {
    throw new StoreError('invalid-input', `${at}.method: expected GET or POST, got ${JSON.stringify(d.method)}`);
  }
  if (typeof d.params !== 'object' || d.params === null || Array.isArray(d.params)) {
    throw new StoreError('invalid-input', `${at}.params: expected an object of string values`);
  }
  for (const name in d.params) {
    const value = d.params[name];
    if (Object.hasOwn(d.params, name) && typeof value !== 'string') throw new StoreError('invalid-input', `${at}.params.${name}: expected a string, got ${typeof value}`);
  }
  if (d.next_attempt_at !== undefined) checkScalar(d.next_attempt_at, `${at}.next_attempt_at`);
  return d;
}
