/**
 * Deferred writes (docs/performance.md, "Statements per call"; docs/storage.md, "Durability"): the
 * records whose loss in a crash breaks no promise — an event that owes no notification, a B leg's
 * row, a delivery's attempts and outcome, a synchronous fetch's delivery — are kept here, in
 * memory, and written together with the next write that must be durable at once (a record that
 * owes an asynchronous notification the outbox must deliver, the answer or the end of an A leg, a
 * new call's row), before any read of the store, after a short bound of the injected clock, or at close.
 *
 * One flush is then a handful of statements whatever it carries: one multi-row INSERT per table,
 * new rows inserted in their final state (the patches issued since are folded into them), one
 * UPDATE per stored row with its patches merged, and the report rollup of the A legs that ended,
 * computed from what this store saw of the call rather than read back.
 *
 * Sequence numbers (an event's, a delivery's) are assigned here at record time from the call's
 * counters, so the order is exactly the order recorded. Only the calls this store created are
 * tracked (their counters start at zero); any other call — recovered after a restart, or on a
 * store without deferral — goes the immediate way, with its seq computed by SQL after a flush.
 */
import { sql, type Kysely } from 'kysely';
import type { Clock, Timer } from '../clock.ts';
import { QueryTemplate, RowsTemplate, pieceOf, type BoundQuery } from './query-template.ts';
import { attemptValues, deliveryRows } from './store-queries.ts';
import { attemptsOfCall, type DialAttempt } from './report-rollup.ts';
import { CALL_COLUMNS, DELIVERY_COLUMNS, callValues } from './store-input.ts';
import { StoreError } from './store-error.ts';
import type { CallPatch, CallRow, DeliveryRow, EventRow, NewAttempt, NewDelivery } from './store.ts';

export interface DeferOptions {
  /** The engine's clock: the bound below runs on it (a virtual clock in tests). */
  clock: Clock;
  /** The longest a deferred record waits for a flush; default 50 ms. */
  ms?: number;
}

export const DEFAULT_DEFER_MS = 50;

/** What the store knows of a call it created: enough to number its records and roll it up. */
interface Mirror {
  row: CallRow;
  eventSeq: number;
  deliverySeq: number;
  children: string[];
  dialEvents: Array<Pick<EventRow, 'type' | 'at' | 'data'>>;
}

type DeliveryPatch = Partial<Omit<DeliveryRow, 'id'>>;

/**
 * One record() or recordAttempts() as it was issued. A batch is written folded; only when that
 * fails is it written again unit by unit, the immediate way (seqs computed by SQL), each in a
 * savepoint, so that a failure rejects alone and leaves no gap in the call's seqs.
 */
export interface RecordUnit {
  readonly kind: 'record';
  readonly callUuid: string;
  readonly at: number;
  readonly type: string;
  readonly data: string;
  readonly patch: CallPatch | undefined;
  readonly deliveries: readonly NewDelivery[];
  readonly insertCalls: readonly CallRow[];
  /** What record() answers: as numbered here, or as stored by the unit-by-unit write. */
  result: { seq: number; deliveries: DeliveryRow[] };
  error?: unknown;
}

export interface AttemptsUnit {
  readonly kind: 'attempts';
  readonly id: string;
  readonly attempts: readonly NewAttempt[];
  readonly patch: DeliveryPatch;
  error?: unknown;
}

export type Unit = RecordUnit | AttemptsUnit;

/** One flush's content, in the order it is written. */
export interface Batch {
  /** Call rows as they are now: inserted when in `newCalls` (a B leg), else updated in `callColumns`. */
  calls: Map<string, CallRow>;
  newCalls: Set<string>;
  /** The columns patched, over all stored rows of `calls`: all an update has to set. */
  callColumns: Set<string>;
  events: Array<Omit<EventRow, 'id'>>;
  /** Delivery rows as they are now: inserted when in `newDeliveries`, else updated in `deliveryColumns`. */
  deliveries: Map<string, DeliveryRow>;
  newDeliveries: Set<string>;
  deliveryColumns: Set<string>;
  attempts: NewAttempt[];
  /**
   * The dial attempts of the A legs that ended, to be rolled up (report-rollup.ts) by whoever writes
   * the batch: the SQLite store sums a whole group's at once, so calls ending together share rows.
   */
  dialAttempts: DialAttempt[];
  /** The A legs whose attempts are in `dialAttempts`. */
  rolledUp: string[];
  /** The same content as issued, for the unit-by-unit write. */
  units: Unit[];
}

function emptyBatch(): Batch {
  return { calls: new Map(), newCalls: new Set(), callColumns: new Set(), events: [], deliveries: new Map(), newDeliveries: new Set(), deliveryColumns: new Set(), attempts: [], dialAttempts: [], rolledUp: [], units: [] };
}

function hasKeys(o: object): boolean {
  for (const _ in o) return true;
  return false;
}

/** Rows per multi-row INSERT: far below either driver's parameter limit (31 columns a call row). */
const CHUNK = 200;
/** On SQLite, rows per INSERT at most, a power of two (query-template.ts, pieceOf). */
const POW2_CHUNK = 128;

/** Deliveries known to be stored (or pending here) and not final, beyond which the immediate way is taken. */
const MAX_KNOWN = 100_000;

export class DeferredWrites {
  private readonly mirrors = new Map<string, Mirror>();
  private batch = emptyBatch();
  private size = 0;
  /** The deliveries this store wrote (or holds) and that are not final: their rows as they are now. */
  private readonly known = new Map<string, DeliveryRow>();
  /** Calls one of whose deferred records failed (rare: a constraint the input checks cannot see). */
  private readonly poisoned = new Set<string>();
  private timer?: Timer;
  private readonly ms: number;

  constructor(
    private readonly options: DeferOptions,
    /** Writes what is pending (the bound expired). */
    private readonly flush: () => void,
  ) {
    this.ms = options.ms ?? DEFAULT_DEFER_MS;
  }

  /** Nothing is pending. */
  get empty(): boolean {
    return this.size === 0;
  }

  /** Whether records of this call are numbered and deferred here. */
  tracks(callUuid: string): boolean {
    return this.mirrors.has(callUuid);
  }

  /** A call this store has just stored (or will store with this batch): its records start at seq 1. */
  track(row: CallRow): void {
    this.mirrors.set(row.call_uuid, { row: { ...row }, eventSeq: 0, deliverySeq: 0, children: [], dialEvents: [] });
    if (row.parent_call_uuid !== null) this.mirrors.get(row.parent_call_uuid)?.children.push(row.call_uuid);
  }

  /**
   * A record of a tracked call, added to the batch (input already checked). `durable` says it must
   * be written now: it owes an asynchronous notification, or it answers or ends an A leg.
   */
  record(input: { callUuid: string; at: number; type: string; data: string; patch?: CallPatch | undefined; deliveries: readonly NewDelivery[]; insertCalls: readonly CallRow[] }): { unit: RecordUnit; durable: boolean } {
    const { callUuid, at, type, data, patch } = input;
    const m = this.mirrors.get(callUuid)!;
    const b = this.batch;
    // A key already in this batch would be folded over, not refused as the INSERT refuses it (a
    // key stored before is refused there, and the batch is then written unit by unit). Checked
    // before anything is numbered, so the record rejects alone and leaves no gap.
    for (const d of input.deliveries) if (b.deliveries.has(d.id)) throw new StoreError('duplicate', `record ${type} for call ${callUuid}: delivery ${d.id} is already stored`);
    for (const row of input.insertCalls) if (b.calls.has(row.call_uuid)) throw new StoreError('duplicate', `record ${type} for call ${callUuid}: call ${row.call_uuid} is already stored`);
    const insertCalls = input.insertCalls.length === 0 ? input.insertCalls : input.insertCalls.map(callValues);
    for (const row of insertCalls) {
      this.track(row);
      b.calls.set(row.call_uuid, { ...row });
      b.newCalls.add(row.call_uuid);
      this.size++;
    }
    const seq = ++m.eventSeq;
    b.events.push({ call_uuid: callUuid, call_initiation_time: m.row.initiation_time, seq, at, type, data });
    this.size++;
    if (type === 'dial.started' || type === 'dial.ended') m.dialEvents.push({ type, at, data });
    if (patch !== undefined && hasKeys(patch)) {
      Object.assign(m.row, patch);
      // The batch's own copy of the row, taken once a batch: later patches go to both.
      const mine = b.calls.get(callUuid);
      if (mine) Object.assign(mine, patch);
      else b.calls.set(callUuid, { ...m.row });
      if (!b.newCalls.has(callUuid)) for (const c in patch) b.callColumns.add(c);
    }
    const deliveries = deliveryRows(callUuid, m.row.initiation_time, at, seq, m.deliverySeq, input.deliveries, m.row.account_id);
    m.deliverySeq += deliveries.length;
    for (const d of deliveries) {
      // Fresh rows, never changed in place by anyone: the batch and the caller share each one. Only
      // `known` is patched (attempts()), so it has its own copy.
      b.deliveries.set(d.id, d);
      b.newDeliveries.add(d.id);
      if (this.known.size < MAX_KNOWN) this.known.set(d.id, { ...d });
      this.size++;
    }
    let durable = deliveries.some((d) => d.synchronous === 0);
    // An A leg's answer is what its hangup report and its bill rest on: a crash must not turn an
    // answered call into one that recovery reports as never answered.
    if (type === 'leg.answered' && m.row.parent_call_uuid === null) durable = true;
    if (type === 'leg.ended' && m.row.parent_call_uuid === null) {
      durable = true;
      this.rollUp(m);
      // The call is over: its later records (a B leg still ending, a recovery) go the immediate way.
      for (const child of m.children) this.mirrors.delete(child);
      this.mirrors.delete(callUuid);
    }
    if (!durable) this.schedule();
    const unit: RecordUnit = { kind: 'record', callUuid, at, type, data, patch, deliveries: input.deliveries, insertCalls, result: { seq, deliveries } };
    b.units.push(unit);
    return { unit, durable };
  }

  /**
   * A delivery round's attempts and outcome, deferred when the delivery is one this store wrote
   * (or holds): answers false when it is not, and the caller writes them at once.
   */
  attempts(id: string, attempts: readonly NewAttempt[], patch: DeliveryPatch): boolean {
    const row = this.known.get(id);
    if (!row) return false;
    const b = this.batch;
    if (hasKeys(patch)) {
      Object.assign(row, patch);
      b.deliveries.set(id, { ...row });
      if (!b.newDeliveries.has(id)) for (const c in patch) b.deliveryColumns.add(c);
    }
    b.attempts.push(...attempts);
    b.units.push({ kind: 'attempts', id, attempts: [...attempts], patch });
    this.size += attempts.length + 1;
    if (patch.status !== undefined && patch.status !== 'pending') this.known.delete(id);
    this.schedule();
    return true;
  }

  /** Takes what is pending (undefined when nothing is) and stops the bound's timer. */
  take(): Batch | undefined {
    this.timer?.cancel();
    this.timer = undefined;
    if (this.size === 0) return undefined;
    const b = this.batch;
    this.batch = emptyBatch();
    this.size = 0;
    return b;
  }

  /**
   * A unit that failed when written unit by unit: its call's counters no longer match what is
   * stored, so the call's later records go the immediate way (their seqs computed by SQL).
   */
  /** A delivery written the immediate way (a replay, a resume): its row here is no longer the stored one. */
  forget(id: string): void {
    this.known.delete(id);
  }

  failed(unit: Unit): void {
    if (unit.kind === 'record') {
      this.mirrors.delete(unit.callUuid);
      if (this.poisoned.size >= MAX_KNOWN) this.poisoned.clear();
      this.poisoned.add(unit.callUuid);
    } else this.known.delete(unit.id);
  }

  /** After a flush: reports the units that failed (a durable record's caller throws its own) and stops deferring for their calls. */
  settle(units: readonly Unit[], onError: ((err: unknown) => void) | undefined): void {
    for (const unit of units) {
      if (unit.error === undefined) continue;
      this.failed(unit);
      onError?.(unit.error);
    }
  }

  /**
   * Whether a batch holds records numbered before one of their call's records failed: its seqs
   * would leave a gap, so it is written unit by unit (seqs by SQL) instead.
   */
  stale(batch: Batch): boolean {
    return this.poisoned.size > 0 && batch.units.some((u) => u.kind === 'record' && this.poisoned.has(u.callUuid));
  }

  /** Forgets the calls (at close). */
  clear(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.mirrors.clear();
    this.known.clear();
  }

  private rollUp(a: Mirror): void {
    const bLegs = a.children.map((uuid) => this.mirrors.get(uuid)?.row).filter((r): r is CallRow => r !== undefined);
    if (a.row.end_time === null) return;
    for (const attempt of attemptsOfCall(a.row, bLegs, a.dialEvents)) this.batch.dialAttempts.push(attempt);
    this.batch.rolledUp.push(a.row.call_uuid);
  }

  private schedule(): void {
    if (this.timer) return;
    // Background: on a virtual clock the bound is no reason for time to move (clock.ts).
    this.timer = this.options.clock.setTimer(
      this.ms,
      () => {
        this.timer = undefined;
        this.flush();
      },
      { background: true },
    );
  }
}

/**
 * How a flush writes the stored rows it changed: `upsert`, one statement a table (whole rows in,
 * the patched columns set), for PostgreSQL, where each statement is a round trip; `update`, one
 * UPDATE a row setting only the columns the batch patched, for SQLite, where a statement is a
 * function call and an upsert costs twice an UPDATE (it binds and tries to insert the whole row
 * first; docs/performance.md).
 */
export type ChangedRows = 'upsert' | 'update';

/**
 * The flush's statements, compiled once per shape (query-template.ts). New rows by a plain INSERT
 * (a duplicate key fails, as it must); rows already stored and changed since as `ChangedRows` says.
 */
class BatchSql {
  readonly insertCalls: RowsTemplate<unknown>;
  readonly insertEvents: RowsTemplate<unknown>;
  readonly insertDeliveries: RowsTemplate<unknown>;
  readonly insertAttempts: RowsTemplate<unknown>;
  /** Upserts by table and the columns they set (two shapes a table: `upsert`). */
  private readonly upserts = new Map<string, RowsTemplate<unknown>>();
  /** UPDATEs by table and the columns they set: a handful of sets, one per kind of progress. */
  private readonly updates = new Map<string, QueryTemplate<unknown, string>>();
  private static readonly MAX_UPDATES = 128;

  constructor(private readonly k: Kysely<any>) {
    const insert = (table: string) => new RowsTemplate<unknown>((rows) => k.insertInto(table).values(rows as never));
    this.insertCalls = insert('calls');
    this.insertEvents = insert('events');
    this.insertDeliveries = insert('deliveries');
    this.insertAttempts = new RowsTemplate<unknown>((rows) =>
      k.insertInto('delivery_attempts').values(rows as never).onConflict((oc) => oc.columns(['delivery_id', 'attempt', 'at']).doNothing()),
    );
  }

  /**
   * Stored rows changed since: whole rows in, and set only what a call's or a delivery's progress
   * changes (STATE_COLUMNS) when that covers every column the batch patched, else every column.
   * An UPDATE rewrites the entries of every index on a column it sets, changed or not: setting all
   * 31 columns of a call row touched its nine indexes, where its state touches two; and two shapes a
   * table keep the statements prepared (docs/performance.md).
   */
  upsert(table: 'calls' | 'deliveries', patched: ReadonlySet<string>): RowsTemplate<unknown> {
    const key = table === 'calls' ? 'call_uuid' : 'id';
    const state = STATE_COLUMNS[table];
    let onlyState = true;
    for (const c of patched) if (!state.has(c)) onlyState = false;
    const id = `${table}:${onlyState ? 'state' : 'all'}`;
    let t = this.upserts.get(id);
    if (t) return t;
    const set = (table === 'calls' ? CALL_COLUMNS : DELIVERY_COLUMNS).filter((c) => c !== key && (!onlyState || state.has(c)));
    t = new RowsTemplate<unknown>((rows) =>
      this.k
        .insertInto(table)
        .values(rows as never)
        .onConflict((oc) => oc.column(key as never).doUpdateSet(Object.fromEntries(set.map((c) => [c, sql.ref(`excluded.${c}`)])) as never)),
    );
    this.upserts.set(id, t);
    return t;
  }

  /** `UPDATE table SET <patched> WHERE key = ?`, bound with a row itself (its placeholders are its column names). */
  update(table: 'calls' | 'deliveries', patched: ReadonlySet<string>): QueryTemplate<unknown, string> {
    const key = table === 'calls' ? 'call_uuid' : 'id';
    const columns = [...patched];
    const id = `${table}:${columns.join(',')}`;
    let t = this.updates.get(id);
    if (t) return t;
    t = new QueryTemplate<unknown, string>([...columns, key], (p) =>
      this.k
        .updateTable(table)
        .set(Object.fromEntries(columns.map((c) => [c, p[c]])) as never)
        .where(key as never, '=', p[key] as never),
    );
    if (this.updates.size >= BatchSql.MAX_UPDATES) this.updates.clear();
    this.updates.set(id, t);
    return t;
  }
}

/**
 * What the engine patches as a call or a delivery goes on; the rest (who, where, when placed, the
 * parent, the request, the account, the notification itself) is written once with the row.
 */
const STATE_COLUMNS: Record<'calls' | 'deliveries', ReadonlySet<string>> = {
  calls: new Set(CALL_COLUMNS.filter((c) => !['call_uuid', 'request_uuid', 'parent_call_uuid', 'direction', 'from_number', 'to_number', 'initiation_time', 'account_id'].includes(c))),
  deliveries: new Set(['status', 'attempts', 'next_attempt_at', 'completed_at', 'last_error']),
};

/** One set of compiled statements per store (per Kysely instance: the dialect decides the SQL). */
const batchSql = new WeakMap<Kysely<any>, BatchSql>();

/** The statements of one batch's rows, in a safe order (rows before what refers to them); its rollup is the store's to write. */
export function batchStatements(k: Kysely<any>, b: Batch, changed: ChangedRows): BoundQuery<unknown>[] {
  let t = batchSql.get(k);
  if (!t) batchSql.set(k, (t = new BatchSql(k)));
  const data: BoundQuery<unknown>[] = [];
  // SQLite: statements of a power of two rows (`pieceOf`), so a table's INSERTs are a handful of
  // texts that stay prepared; each row count was a text of its own to prepare, hundreds under load.
  const piece = changed === 'update' ? (n: number) => pieceOf(n, POW2_CHUNK) : (n: number) => Math.min(n, CHUNK);
  const chunks = (rows: readonly object[], template: RowsTemplate<unknown>) => {
    for (let i = 0; i < rows.length; ) {
      const n = piece(rows.length - i);
      data.push(template.bind(rows.slice(i, i + n) as Record<string, unknown>[]));
      i += n;
    }
  };
  // One pass, no [key, row] pair a row (spreading a Map's entries made one each, twice).
  const split = <T>(rows: Map<string, T>, fresh: Set<string>) => {
    const added: T[] = [];
    const changedRows: T[] = [];
    rows.forEach((row, id) => (fresh.has(id) ? added : changedRows).push(row));
    return [added, changedRows] as const;
  };
  const [newCalls, changedCalls] = split(b.calls, b.newCalls);
  const [newDeliveries, changedDeliveries] = split(b.deliveries, b.newDeliveries);
  const changes = (rows: readonly object[], table: 'calls' | 'deliveries', patched: ReadonlySet<string>) => {
    if (rows.length === 0) return;
    if (changed === 'upsert') return chunks(rows, t.upsert(table, patched));
    const update = t.update(table, patched);
    for (const row of rows) data.push(update.bind(row as Record<string, unknown>));
  };
  chunks(newCalls, t.insertCalls);
  changes(changedCalls, 'calls', b.callColumns);
  chunks(b.events, t.insertEvents);
  chunks(newDeliveries, t.insertDeliveries);
  changes(changedDeliveries, 'deliveries', b.deliveryColumns);
  chunks(b.attempts.map(attemptValues), t.insertAttempts);
  return data;
}

/**
 * PostgreSQL: several statements as one (`WITH w0 AS (…), w1 AS (…) <last>`), so a flush needs no
 * BEGIN and COMMIT. Every sub-statement sees the same snapshot, which is why a batch never updates
 * a row it inserts (the patches are folded in) nor one row twice; foreign keys are checked at the
 * end of the statement. Answers several chains when the parameters would pass the protocol's limit.
 */
export function chainStatements(qs: readonly BoundQuery<unknown>[], maxParams = 30_000): BoundQuery<unknown>[] {
  const out: BoundQuery<unknown>[] = [];
  let group: BoundQuery<unknown>[] = [];
  let params = 0;
  const close = () => {
    if (group.length > 0) out.push(chainOne(group));
    group = [];
    params = 0;
  };
  for (const q of qs) {
    if (group.length > 0 && params + q.parameters.length > maxParams) close();
    group.push(q);
    params += q.parameters.length;
  }
  close();
  return out;
}

function chainOne(qs: readonly BoundQuery<unknown>[]): BoundQuery<unknown> {
  if (qs.length === 1) return qs[0]!;
  const parameters: unknown[] = [];
  const parts = qs.map((q) => {
    const offset = parameters.length;
    parameters.push(...q.parameters);
    return q.sql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`);
  });
  const last = parts.pop()!;
  return { sql: `with ${parts.map((s, i) => `w${i} as (${s})`).join(', ')} ${last}`, parameters };
}
