/**
 * The Store on PostgreSQL (docs/storage.md, "PostgreSQL"): the same Kysely queries as the SQLite
 * store (store-queries.ts builds them for whichever dialect it is given), run through `pg`.
 * record() is one transaction: the event, the call's patch, its deliveries and, when an A leg
 * ends, its report rollups. Migrations run under an advisory lock, so nodes starting together
 * migrate once.
 */
import { Kysely, PostgresDialect, sql } from 'kysely';
import type pg from 'pg';
import { runMigrations } from './migrator.ts';
import { migrations } from './migrations/index.ts';
import type { Database } from './schema.ts';
import { PgDb, pgStoreError, type PgExec, type StoreActivity } from './pg-db.ts';
import { PostgresDdl, openPgPool, redactUrl } from './pg-connection.ts';
import { ATTEMPT_COLUMNS, at as placeholder, attemptValues, deliveryRows, listQueries, setObject, storeQueries, type ListQueries } from './store-queries.ts';
import { PatchTemplates, QueryTemplate } from './query-template.ts';
import { RollupUpserts, rollupReadQueries } from './report-rollup-sql.ts';
import { RollupAccumulator, attemptsOfCall, isEndedALeg } from './report-rollup.ts';
import { storeResources } from './resources.ts';
import { PgClusterStore } from './pg-cluster-store.ts';
import { StoreError } from './store-error.ts';
import { DeferredWrites, batchStatements, chainStatements, type DeferOptions, type RecordUnit } from './deferred-writes.ts';
import type { BoundQuery } from './query-template.ts';
import { callValues, checkCallPatch, checkDeliveryPatch, checkScalar } from './store-input.ts';
import { checkNewDelivery, eventJson } from './sqlite-store.ts';
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

/** Any constant both sides agree on: the lock `migrate` holds while it runs (pg_advisory_lock). */
const MIGRATION_LOCK = 7_461_019_220_114;

type RecordInput = Parameters<Store['record']>[0];

export interface PgStoreOptions {
  /** A report rollup that could not be written (the event itself is kept). */
  onRollupError?: (err: unknown, callUuid: string) => void;
  /** Connections in the pool; default 10. */
  poolSize?: number;
  /** The server ends a session idle inside a transaction this long (a cluster node's lease: pg-connection.ts). */
  idleInTransactionMs?: number;
  /** Counts each query in flight as the engine's work (pg-db.ts). */
  activity?: StoreActivity;
  /**
   * Defers the records whose loss in a crash breaks no promise, and writes them together, as one
   * statement (deferred-writes.ts). Not for a cluster node: its writes are fenced one by one.
   */
  defer?: DeferOptions;
  /** A deferred write that could not be stored (its records are lost; the calls go on). */
  onDeferredError?: (err: unknown) => void;
}

export class PgStore implements Store {
  readonly pool: pg.Pool;
  private readonly k: Kysely<Database>;
  private readonly db: PgDb;
  private readonly q;
  readonly resources: StoreResources;
  /** Node leases, takeover and delivery claims (docs/scaling.md). */
  readonly cluster: PgClusterStore;
  /** Set by a cluster node: record() then writes only the calls this node owns. */
  private fencedTo: string | undefined;
  private closed = false;

  constructor(
    readonly url: string,
    private readonly options: PgStoreOptions = {},
  ) {
    this.pool = openPgPool(url, options.poolSize, options.idleInTransactionMs);
    this.k = new Kysely<Database>({ dialect: new PostgresDialect({ pool: this.pool }), plugins: [new PostgresDdl()] });
    this.db = new PgDb(this.k as unknown as Kysely<any>, this.pool, options.activity);
    const k = this.k as unknown as Kysely<any>;
    this.q = {
      ...storeQueries(this.k),
      rollup: rollupReadQueries(k),
      /**
       * The first statement of record(): takes the call's row lock (patching it when there is a
       * patch) and answers its owner. Every writer of one call, on any node, queues on that lock,
       * so the max(seq) + 1 that follows cannot collide (docs/storage.md, "Concurrency").
       */
      patchCallLocked: new PatchTemplates<{ account_id: string | null; node_id: string }>((keys, p) =>
        k.updateTable('calls').set(setObject(keys, p)).where('call_uuid', '=', placeholder(p, 'callUuid')).returning(['account_id', 'node_id']),
      ),
      lockCall: new QueryTemplate(['callUuid'], (p) => k.selectFrom('calls').select(['account_id', 'node_id']).where('call_uuid', '=', p.callUuid).forUpdate()),
      /** A round's one attempt and the delivery's outcome in one statement (recordAttempts). */
      attemptAndOutcome: new PatchTemplates((keys, p) =>
        k
          .with('attempt', (db) =>
            db
              .insertInto('delivery_attempts')
              .values(Object.fromEntries(ATTEMPT_COLUMNS.map((c) => [c, placeholder(p, `a:${c}`)])))
              .onConflict((oc) => oc.columns(['delivery_id', 'attempt', 'at']).doNothing()),
          )
          .updateTable('deliveries')
          .set(setObject(keys, p))
          .where('id', '=', placeholder(p, 'id')),
      ),
    };
    this.upserts = new RollupUpserts(k, 'postgres');
    this.lists = listQueries(this.k);
    this.resources = storeResources(this.db, this.db.configView());
    this.cluster = new PgClusterStore(k, (nodeId) => (this.fencedTo = nodeId), url, options.idleInTransactionMs);
    this.deferred = options.defer ? new DeferredWrites(options.defer, () => void this.flushDeferred()) : undefined;
    if (this.deferred) this.db.beforeUse = () => void this.flushDeferred();
  }

  private readonly deferred: DeferredWrites | undefined;

  /**
   * Queues what is deferred in the write lane, as one statement (several only past the protocol's
   * parameter limit); answers when it has landed. A rollup that fails is left out and reported:
   * the records are written without it.
   */
  private flushDeferred(): Promise<void> {
    const batch = this.deferred?.take();
    if (!batch) return Promise.resolve();
    const data = batchStatements(this.k as unknown as Kysely<any>, batch, 'upsert');
    const rollup = batch.rolledUp.length > 0 ? this.upserts.ofAccumulator(RollupAccumulator.of(batch.dialAttempts)) : [];
    const what = `write ${data.length} deferred statements`;
    const run = async (qs: BoundQuery<unknown>[]) => {
      const chains = chainStatements(qs);
      if (chains.length === 1) await this.pooled().run(chains[0]!);
      else
        await this.db.inTransaction(async (x) => {
          for (const q of chains) await x.run(q);
        });
    };
    const written = this.db.write(what, async () => {
      try {
        if (this.deferred!.stale(batch)) throw new Error('numbered before a failure');
        await run([...data, ...rollup]);
      } catch {
        // Again unit by unit, the immediate way, each in a savepoint: a record that fails rejects
        // alone, and the rollup is read back (deferred-writes.ts).
        await this.db.inTransaction(async (x) => {
          for (const unit of batch.units) {
            await x.run(sql`savepoint unit`.compile(this.k));
            try {
              if (unit.kind === 'record') unit.result = await this.recordIn(x, unit);
              else await this.attemptsIn(x, unit.id, unit.attempts, unit.patch);
              await x.run(sql`release savepoint unit`.compile(this.k));
            } catch (err) {
              await x.run(sql`rollback to savepoint unit`.compile(this.k));
              unit.error = pgStoreError(err, unit.kind === 'record' ? `record ${unit.type} for call ${unit.callUuid}` : `record ${unit.attempts.length} attempts of delivery ${unit.id}`);
              this.deferred!.failed(unit);
            }
          }
        });
      }
    });
    return written.then(
      () => this.deferred!.settle(batch.units, this.options.onDeferredError),
      (err) => {
        for (const unit of batch.units) unit.error = err;
        this.deferred!.settle(batch.units, this.options.onDeferredError);
      },
    );
  }

  private async attemptsIn(x: PgExec, id: string, attempts: readonly NewAttempt[], values: Partial<Omit<DeliveryRow, 'id'>>): Promise<void> {
    for (const a of attempts) await x.run(this.q.insertAttempt.bind(attemptValues(a)));
    if (Object.keys(values).length > 0 && (await x.run(this.q.updateDelivery.bind(values, { id }))) === 0) {
      throw new StoreError('delivery-not-found', `record attempts: no delivery ${id}`);
    }
  }

  /** Writes everything deferred now; resolves once it is stored. */
  async flush(): Promise<void> {
    if (this.closed) return;
    await this.flushDeferred();
  }

  private readonly upserts: RollupUpserts;
  private readonly lists: ListQueries;

  get statements() {
    return this.db.statements;
  }

  /** Where the store is, without its password (for messages). */
  get where(): string {
    return redactUrl(this.url);
  }

  async migrate(): Promise<number[]> {
    this.assertOpen('migrate');
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw new StoreError('database', `cannot connect to ${this.where}: ${(err as Error).message}`, { cause: err });
    }
    try {
      // Session-level: held while the migrations run on other pooled connections.
      await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
      return await runMigrations(this.k as unknown as Kysely<any>, migrations);
    } finally {
      await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
      client.release();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    void this.flushDeferred();
    this.deferred?.clear();
    // Writes already issued land first.
    await this.db.write('close', async () => undefined).catch(() => undefined);
    await this.cluster.close();
    await this.k.destroy();
  }

  async getSetting(key: string): Promise<string | undefined> {
    return (await this.read(`get setting ${key}`, (x) => x.first(this.lists.getSetting(key))))?.value;
  }

  async setSetting(key: string, value: string): Promise<void> {
    checkScalar(value, `setting ${key}`);
    await this.db.run(`set setting ${key}`, this.lists.setSetting(key, value));
  }

  async insertCall(row: CallRow): Promise<void> {
    this.assertOpen('insert call');
    void this.flushDeferred();
    await this.db.run(`insert call ${row.call_uuid}`, this.q.insertCall.bind(callValues(row)));
    // Its records are numbered and deferred from now on (deferred-writes.ts); a cluster node's are not.
    if (this.fencedTo === undefined) this.deferred?.track(row);
  }

  async getCall(callUuid: string): Promise<CallRow | undefined> {
    return this.read(`get call ${callUuid}`, (x) => x.first(this.q.getCall.bind({ callUuid })));
  }

  async getCallsByRequest(requestUuid: string): Promise<CallRow[]> {
    const q = this.lists.callsOfRequest(requestUuid);
    return this.read(`get calls of request ${requestUuid}`, (x) => x.all(q));
  }

  async listCalls(filter: CallFilter): Promise<{ rows: CallRow[]; total: number }> {
    const q = this.lists.listCalls(filter);
    void this.flushDeferred();
    const [count, rows] = await this.db.batch('list calls', [q.count, q.rows]);
    return { rows: (rows?.rows ?? []) as CallRow[], total: Number((count?.rows[0] as { n?: number } | undefined)?.n ?? 0) };
  }

  async listLiveCalls(nodeId?: string): Promise<CallRow[]> {
    const q = this.lists.liveCalls(nodeId);
    return this.read('list live calls', (x) => x.all(q));
  }

  async record(input: RecordInput): Promise<{ seq: number; deliveries: DeliveryRow[] }> {
    const { callUuid, at, type } = input;
    const what = `record ${type} for call ${callUuid}`;
    this.assertOpen(what);
    checkScalar(at, 'at');
    checkScalar(type, 'type');
    const data = eventJson(input.data);
    const patch = input.patch === undefined ? undefined : checkCallPatch(input.patch, callUuid);
    const news = (input.deliveries ?? []).map((d, i) => checkNewDelivery(d, i));
    if (this.deferred?.tracks(callUuid)) {
      const { unit, durable } = this.deferred.record({ callUuid, at, type, data, ...(patch ? { patch } : {}), deliveries: news, insertCalls: input.insertCalls ?? [] });
      if (!durable) return unit.result;
      await this.flushDeferred();
      if (unit.error !== undefined) throw unit.error;
      return unit.result;
    }
    const insertCalls = (input.insertCalls ?? []).map(callValues);
    void this.flushDeferred();
    return this.db.transaction(what, (x) => this.recordIn(x, { callUuid, at, type, data, patch, deliveries: news, insertCalls }));
  }

  /** A record written at once, in the caller's transaction: its seqs are computed by SQL under the call's row lock. */
  private async recordIn(x: PgExec, p: Pick<RecordUnit, 'callUuid' | 'at' | 'type' | 'data' | 'patch' | 'deliveries' | 'insertCalls'>): Promise<{ seq: number; deliveries: DeliveryRow[] }> {
    const { callUuid, at, type, data, patch } = p;
    const news = p.deliveries;
    const what = `record ${type} for call ${callUuid}`;
    {
      for (const r of p.insertCalls) await x.run(this.q.insertCall.bind(r));
      const owner = patch !== undefined && Object.keys(patch).length > 0
        ? await x.first(this.q.patchCallLocked.bind(patch, { callUuid }))
        : await x.first(this.q.lockCall.bind({ callUuid }));
      if (!owner) throw new StoreError('call-not-found', `${what}: no call ${callUuid}`);
      // Fencing (docs/scaling.md): a node writes only the calls it owns; a takeover moved this one
      // to a survivor, so the write of a node that was paused past its lease is rolled back.
      if (this.fencedTo !== undefined && owner.node_id !== this.fencedTo) {
        throw new StoreError('fenced', `${what}: the call belongs to node ${owner.node_id}, not to this node (${this.fencedTo}); it was taken over`);
      }
      const row = await x.first(this.q.appendEvent.bind({ callUuid, at, type, data }));
      if (!row) throw new StoreError('database', `${what}: no row returned`);
      const seq = row.seq;
      const deliveries = news.length > 0 ? await this.enqueue(x, callUuid, at, seq, news, owner.account_id ?? null) : [];
      if (type === 'leg.ended') await this.rollUpSafely(x, callUuid);
      return { seq, deliveries };
    }
  }

  private async enqueue(x: PgExec, callUuid: string, at: number, eventSeq: number, news: readonly NewDelivery[], owner: string | null): Promise<DeliveryRow[]> {
    const rows: DeliveryRow[] = [];
    // Each INSERT takes the call's next seq itself, under the call's row lock: nothing is read first.
    // The call's time is the INSERT's to fill in too (0 until then).
    for (const row of deliveryRows(callUuid, 0, at, eventSeq, 0, news, owner)) {
      const stored = await x.first(this.q.insertNextDelivery.bind(row));
      if (!stored) throw new StoreError('call-not-found', `enqueue delivery ${row.id}: no call ${callUuid}`);
      rows.push({ ...row, seq: stored.seq, account_id: stored.account_id, call_initiation_time: stored.call_initiation_time });
    }
    return rows;
  }

  /** In a savepoint: a failed rollup never fails the event being recorded (docs/reports.md). */
  private async rollUpSafely(x: PgExec, callUuid: string): Promise<void> {
    const sp = sql`savepoint rollup`.compile(this.k);
    await x.run(sp);
    try {
      const a = (await x.first(this.q.rollup.getCall.bind({ uuid: callUuid }))) as CallRow | undefined;
      if (!isEndedALeg(a)) return;
      const bLegs = (await x.all(this.q.rollup.bLegs.bind({ uuid: callUuid }))) as CallRow[];
      const events = (await x.all(this.q.rollup.dialEvents.bind({ uuid: callUuid }))) as Array<Pick<EventRow, 'type' | 'at' | 'data'>>;
      // Additive upserts (report-rollup-sql.ts): two nodes ending calls in the same hour add up.
      for (const q of this.upserts.ofAccumulator(RollupAccumulator.of(attemptsOfCall(a, bLegs, events)))) await x.run(q);
      await x.run(sql`release savepoint rollup`.compile(this.k));
    } catch (err) {
      await x.run(sql`rollback to savepoint rollup`.compile(this.k));
      this.options.onRollupError?.(err, callUuid);
    }
  }

  async listEvents(callUuid: string): Promise<EventRow[]> {
    return this.read(`list events of call ${callUuid}`, (x) => x.all(this.q.listEvents.bind({ callUuid })));
  }

  async getDelivery(id: string): Promise<DeliveryRow | undefined> {
    return this.read(`get delivery ${id}`, (x) => x.first(this.q.getDelivery.bind({ id })));
  }

  async listDeliveries(callUuid: string): Promise<DeliveryRow[]> {
    return this.read(`list deliveries of call ${callUuid}`, (x) => x.all(this.q.listDeliveries.bind({ callUuid })));
  }

  async listPendingDeliveries(limit?: number): Promise<DeliveryRow[]> {
    const q = this.lists.pendingDeliveries(limit);
    return this.read('list pending deliveries', (x) => x.all(q));
  }

  async listDeliveriesBy(filter: DeliveryFilter): Promise<{ rows: DeliveryRow[]; total: number }> {
    const q = this.lists.deliveriesBy(filter);
    void this.flushDeferred();
    const [count, rows] = await this.db.batch('list deliveries', [q.count, q.rows]);
    return { rows: (rows?.rows ?? []) as DeliveryRow[], total: Number((count?.rows[0] as { n?: number } | undefined)?.n ?? 0) };
  }

  async listAttemptsFor(deliveryIds: readonly string[]): Promise<AttemptRow[]> {
    if (deliveryIds.length === 0) return [];
    const q = this.lists.attemptsFor(deliveryIds);
    return this.read('list attempts', (x) => x.all(q));
  }

  async updateDelivery(id: string, patch: Partial<Omit<DeliveryRow, 'id'>>): Promise<void> {
    this.assertOpen(`update delivery ${id}`);
    const values = checkDeliveryPatch(patch, id);
    void this.flushDeferred();
    this.deferred?.forget(id);
    await this.db.write(`update delivery ${id}`, async () => {
      const x = this.pooled();
      const changed = Object.keys(values).length > 0 ? await x.run(this.q.updateDelivery.bind(values, { id })) : (await x.all(this.q.getDelivery.bind({ id }))).length;
      if (changed === 0) throw new StoreError('delivery-not-found', `update delivery: no delivery ${id}`);
    });
  }

  async addAttempt(attempt: NewAttempt): Promise<void> {
    const what = `add attempt ${attempt.attempt} of delivery ${attempt.delivery_id}`;
    this.assertOpen(what);
    const q = this.q.insertAttempt.bind(attemptValues(attempt));
    void this.flushDeferred();
    this.deferred?.forget(attempt.delivery_id);
    await this.db.write(what, async () => {
      try {
        await this.pooled().run(q);
      } catch (err) {
        if (pgCode(err) === '23503') throw new StoreError('delivery-not-found', `add attempt: no delivery ${attempt.delivery_id}`, { cause: err });
        throw err;
      }
    });
  }
  async recordAttempts(id: string, attempts: readonly NewAttempt[], patch: Partial<Omit<DeliveryRow, 'id'>>): Promise<void> {
    const what = `record ${attempts.length} attempts of delivery ${id}`;
    this.assertOpen(what);
    const values = checkDeliveryPatch(patch, id);
    const rows = attempts.map(attemptValues);
    // A delivery this store wrote: deferred (deferred-writes.ts).
    if (this.deferred?.attempts(id, attempts, values)) return;
    void this.flushDeferred();
    const only = rows.length === 1 && Object.keys(values).length > 0 ? rows[0]! : undefined;
    try {
      if (only) {
        // The usual round, one attempt: one statement, so no BEGIN and COMMIT either.
        const extra = Object.fromEntries([['id', id], ...Object.entries(only).map(([c, v]) => [`a:${c}`, v])]);
        if ((await this.db.run(what, this.q.attemptAndOutcome.bind(values, extra))) === 0) throw new StoreError('delivery-not-found', `${what}: no delivery ${id}`);
        return;
      }
      await this.db.transaction(what, async (x) => {
        for (const r of rows) await x.run(this.q.insertAttempt.bind(r));
        if (Object.keys(values).length > 0 && (await x.run(this.q.updateDelivery.bind(values, { id }))) === 0) {
          throw new StoreError('delivery-not-found', `${what}: no delivery ${id}`);
        }
      });
    } catch (err) {
      if (pgCode(err) === '23503' || pgCode((err as { cause?: unknown }).cause) === '23503') throw new StoreError('delivery-not-found', `${what}: no delivery ${id}`, { cause: err });
      throw err;
    }
  }


  async listAttempts(deliveryId: string): Promise<AttemptRow[]> {
    const q = this.lists.attemptsOf(deliveryId);
    return this.read(`list attempts of delivery ${deliveryId}`, (x) => x.all(q));
  }

  async upsertSimNumber(number: string, script: string, at: number): Promise<SimNumberRow> {
    checkScalar(script, 'script');
    checkScalar(at, 'at');
    const q = this.lists.upsertSimNumber(number, script, at);
    const row = await this.db.write(`save simulated number ${number}`, () => this.pooled().first(q));
    if (!row) throw new StoreError('database', `save simulated number ${number}: no row returned`);
    return row;
  }

  async getSimNumber(number: string): Promise<SimNumberRow | undefined> {
    const q = this.lists.getSimNumber(number);
    return this.read(`get simulated number ${number}`, (x) => x.first(q));
  }

  async listSimNumbers(): Promise<SimNumberRow[]> {
    const q = this.lists.listSimNumbers();
    return this.read('list simulated numbers', (x) => x.all(q));
  }

  async deleteSimNumber(number: string): Promise<boolean> {
    return (await this.db.run(`delete simulated number ${number}`, this.lists.deleteSimNumber(number))) > 0;
  }

  private pooled(): PgExec {
    return this.db.pooledExec;
  }

  private read<T>(what: string, fn: (x: PgExec) => Promise<T>): Promise<T> {
    this.assertOpen(what);
    // Deferred records land first: a read sees every write issued before it.
    void this.flushDeferred();
    return this.db.read(what, fn);
  }

  private assertOpen(what: string): void {
    if (this.closed) throw new StoreError('database', `${what}: the store is closed`);
  }
}

function pgCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
}
