/**
 * The queries of the Store contract (store.ts), built once for whichever dialect the store was
 * opened with: the SQLite store runs them synchronously on its one connection, the PostgreSQL
 * store through `pg` (the two stores differ in how they run, not in what they ask). The frequent
 * ones are templates compiled once (query-template.ts); lists with filters are built per call.
 * What SQL differs between dialects lives in dialect.ts.
 */
import { sql, type Kysely, type SqlBool } from 'kysely';
import { LIVE_STATUSES } from '../domain/causes.ts';
import { callFilterWhere } from './call-filter.ts';
import { PatchTemplates, QueryTemplate, type Placeholders } from './query-template.ts';
import type { Database } from './schema.ts';
import { CALL_COLUMNS, DELIVERY_COLUMNS, checkCallFilter, checkScalar, nonNegativeInteger } from './store-input.ts';
import type { CallFilter, DeliveryFilter, DeliveryRow, NewAttempt, NewDelivery } from './store.ts';

export const ATTEMPT_COLUMNS = [
  'delivery_id',
  'attempt',
  'at',
  'url',
  'method',
  'request_headers',
  'status_code',
  'response_excerpt',
  'latency_ms',
  'error',
] as const;

/** `('queued', 'ringing', 'in-progress')`: the live statuses as an SQL list of literals. */
export const LIVE_STATUS_LIST = sql.raw(`(${LIVE_STATUSES.map((s) => `'${s}'`).join(', ')})`);
/**
 * `(call_status = 'queued' or call_status = 'ringing' or call_status = 'in-progress')`: the
 * predicate of the partial index `calls_live` (migrations 013, 017), which a query must repeat with
 * the same literals for either database to use the index. Comparisons, not a list: SQLite built a
 * temporary table of the list on every UPDATE of a call (migration 017).
 */
export const IS_LIVE_CALL = sql.raw<SqlBool>(`(${LIVE_STATUSES.map((s) => `call_status = '${s}'`).join(' or ')})`);
/** `status = 'pending'`: the predicate of `deliveries_pending` (migration 013), written the same way. */
export const IS_PENDING_DELIVERY = sql.raw<SqlBool>(`status = 'pending'`);

/** A new delivery's columns but the three its INSERT fills in itself from the call's row (insertNextDelivery). */
type FilledIn = 'seq' | 'account_id' | 'call_initiation_time';
const NEXT_DELIVERY_COLUMNS = DELIVERY_COLUMNS.filter((c): c is Exclude<(typeof DELIVERY_COLUMNS)[number], FilledIn> => c !== 'seq' && c !== 'account_id' && c !== 'call_initiation_time');

/**
 * The rows of one call in `events` and `deliveries`, as their key finds them:
 * `call_initiation_time = (the call's initiation_time) and call_uuid = ?`.
 *
 * Both tables are keyed by (call_initiation_time, call_uuid, seq) (migration 014), not by
 * (call_uuid, seq): a CallUUID is random (engine.md §1), so a key that starts with it puts each
 * call's rows on a page of their own, and a commit rewrote one page of each index for every call it
 * touched. Led by the call's start time, the calls in flight share the last pages of the index
 * (docs/storage.md, "Keys led by the call's time"). A query that knows only the CallUUID reads the time
 * from the call's row first, in the same statement.
 */
export function ofCall(callUuid: unknown) {
  return sql<SqlBool>`call_initiation_time = (select initiation_time from calls where call_uuid = ${callUuid}) and call_uuid = ${callUuid}`;
}

/** A placeholder looked up by a computed name (PatchTemplates names them `set:<column>`). */
export function at(p: Placeholders<string>, name: string): never {
  return p[name] as never;
}

export function setObject(keys: readonly string[], p: Placeholders<string>): Record<string, never> {
  return Object.fromEntries(keys.map((k) => [k, at(p, `set:${k}`)]));
}

export function storeQueries(k: Kysely<Database>) {
  return {
    insertCall: new QueryTemplate(CALL_COLUMNS, (p) => k.insertInto('calls').values(p)),
    getCall: new QueryTemplate(['callUuid'], (p) => k.selectFrom('calls').selectAll().where('call_uuid', '=', p.callUuid)),
    updateCall: new PatchTemplates((keys, p) =>
      k.updateTable('calls').set(setObject(keys, p)).where('call_uuid', '=', at(p, 'callUuid')),
    ),

    /**
     * The call's next event, its seq (max + 1) and its key's time taken from the call's row in the
     * same statement: no row when there is no such call.
     */
    appendEvent: new QueryTemplate(['callUuid', 'at', 'type', 'data'], (p) =>
      k
        .insertInto('events')
        .columns(['call_uuid', 'call_initiation_time', 'seq', 'at', 'type', 'data'])
        .expression(
          k
            .selectFrom('calls as c')
            .select((eb) => [
              'c.call_uuid',
              'c.initiation_time',
              sql<number>`(select coalesce(max(e.seq), 0) + 1 from events e where e.call_initiation_time = c.initiation_time and e.call_uuid = c.call_uuid)`.as('seq'),
              eb.val(p.at).as('at'),
              eb.val(p.type).as('type'),
              eb.val(p.data).as('data'),
            ])
            .where('c.call_uuid', '=', p.callUuid),
        )
        .returning('seq'),
    ),
    listEvents: new QueryTemplate(['callUuid'], (p) => k.selectFrom('events').selectAll().where(ofCall(p.callUuid)).orderBy('seq')),

    /** Who owns a call: its deliveries are signed with that account's token (docs/accounts.md). */
    callOwner: new QueryTemplate(['callUuid'], (p) => k.selectFrom('calls').select('account_id').where('call_uuid', '=', p.callUuid)),
    lastDeliverySeq: new QueryTemplate(['callUuid'], (p) =>
      k.selectFrom('deliveries').select(sql<number>`coalesce(max(seq), 0)`.as('n')).where(ofCall(p.callUuid)),
    ),
    insertDelivery: new QueryTemplate(DELIVERY_COLUMNS, (p) => k.insertInto('deliveries').values(p)),
    /**
     * A delivery with the call's next delivery seq, the call's owner (docs/accounts.md) and its
     * key's time filled in by the statement itself: no reads before it (docs/performance.md,
     * "Statements per call").
     */
    insertNextDelivery: new QueryTemplate(NEXT_DELIVERY_COLUMNS, (p) =>
      k
        .insertInto('deliveries')
        .columns([...NEXT_DELIVERY_COLUMNS, 'seq', 'account_id', 'call_initiation_time'])
        .expression(
          k
            .selectFrom('calls as c')
            .select((eb) => [
              ...NEXT_DELIVERY_COLUMNS.map((c) => eb.val(p[c]).as(c)),
              sql<number>`(select coalesce(max(d.seq), 0) + 1 from deliveries d where d.call_initiation_time = c.initiation_time and d.call_uuid = c.call_uuid)`.as('seq'),
              'c.account_id',
              'c.initiation_time',
            ])
            .where('c.call_uuid', '=', p.call_uuid),
        )
        .returning(['seq', 'account_id', 'call_initiation_time']),
    ),
    getDelivery: new QueryTemplate(['id'], (p) => k.selectFrom('deliveries').selectAll().where('id', '=', p.id)),
    listDeliveries: new QueryTemplate(['callUuid'], (p) =>
      k.selectFrom('deliveries').selectAll().where(ofCall(p.callUuid)).orderBy('seq'),
    ),
    updateDelivery: new PatchTemplates((keys, p) => k.updateTable('deliveries').set(setObject(keys, p)).where('id', '=', at(p, 'id'))),

    /** Idempotent on the attempt's natural key (migration 009): a repeated write stores it once. */
    insertAttempt: new QueryTemplate(ATTEMPT_COLUMNS, (p) =>
      k.insertInto('delivery_attempts').values(p).onConflict((oc) => oc.columns(['delivery_id', 'attempt', 'at']).doNothing()),
    ),
  };
}

export type StoreQueries = ReturnType<typeof storeQueries>;

/** The queries built per call: lists with filters, settings, simulated numbers. */
export function listQueries(k: Kysely<Database>) {
  const attemptsWithParams = () =>
    k.selectFrom('delivery_attempts as a').innerJoin('deliveries as d', 'd.id', 'a.delivery_id').selectAll('a').select('d.params');
  return {
    getSetting: (key: string) => k.selectFrom('settings').select('value').where('key', '=', key).compile(),
    setSetting: (key: string, value: string) =>
      k
        .insertInto('settings')
        .values({ key, value })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value: (eb) => eb.ref('excluded.value') }))
        .compile(),

    callsOfRequest: (requestUuid: string) =>
      k
        .selectFrom('calls')
        .selectAll()
        .where('request_uuid', '=', requestUuid)
        .where('parent_call_uuid', 'is', null)
        .orderBy('initiation_time')
        .orderBy('call_uuid')
        .compile(),

    /** A page of calls and the total that matches, for one read transaction. */
    listCalls: (filter: CallFilter) => {
      checkCallFilter(filter);
      return {
        rows: k
          .selectFrom('calls')
          .selectAll()
          .where((eb) => callFilterWhere(eb, filter))
          .orderBy('initiation_time', 'desc')
          .orderBy('call_uuid')
          .limit(filter.limit)
          .offset(filter.offset)
          .compile(),
        count: k
          .selectFrom('calls')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where((eb) => callFilterWhere(eb, filter))
          .compile(),
      };
    },

    liveCalls: (nodeId?: string) => {
      let q = k.selectFrom('calls').selectAll().where(IS_LIVE_CALL);
      if (nodeId !== undefined) q = q.where('node_id', '=', nodeId);
      return q.orderBy('initiation_time').orderBy('call_uuid').compile();
    },

    /** Oldest first, and within one call in seq order: the order the outbox owes them in. */
    pendingDeliveries: (limit?: number) => {
      let q = k.selectFrom('deliveries').selectAll().where(IS_PENDING_DELIVERY).orderBy('created_at').orderBy('call_uuid').orderBy('seq');
      if (limit !== undefined) q = q.limit(nonNegativeInteger(limit, 'limit'));
      return q.compile();
    },

    /** A page of the delivery log and the total that matches. */
    deliveriesBy: (filter: DeliveryFilter) => {
      const where = (qb: any) => {
        let q = qb;
        if (filter.status) q = q.where('status', '=', filter.status);
        if (filter.call_uuid) q = q.where(ofCall(filter.call_uuid));
        if (filter.kind) q = q.where('kind', '=', filter.kind);
        if (filter.account !== undefined) q = q.where('account_id', '=', filter.account);
        if (filter.url) {
          q = filter.url.endsWith('*') ? q.where('url', 'like', filter.url.slice(0, -1).replace(/[%_\\]/g, '\\$&') + '%') : q.where('url', '=', filter.url);
        }
        return q;
      };
      return {
        rows: where(k.selectFrom('deliveries').selectAll())
          .orderBy('created_at', 'desc')
          .orderBy('call_uuid')
          .orderBy('seq', 'desc')
          .limit(filter.limit)
          .offset(filter.offset)
          .compile(),
        count: where(k.selectFrom('deliveries').select((eb: any) => eb.fn.countAll().as('n'))).compile(),
      };
    },

    // An attempt's parameters are its delivery's (migration 015).
    attemptsFor: (deliveryIds: readonly string[]) =>
      attemptsWithParams().where('a.delivery_id', 'in', [...deliveryIds]).orderBy('a.at').orderBy('a.id').compile(),
    attemptsOf: (deliveryId: string) =>
      attemptsWithParams().where('a.delivery_id', '=', deliveryId).orderBy('a.attempt').orderBy('a.id').compile(),

    /** created_at stays as first stored; the script and updated_at change. */
    upsertSimNumber: (number: string, script: string, at: number) =>
      k
        .insertInto('sim_numbers')
        .values({ number, script, created_at: at, updated_at: at })
        .onConflict((oc) => oc.column('number').doUpdateSet({ script: (eb) => eb.ref('excluded.script'), updated_at: (eb) => eb.ref('excluded.updated_at') }))
        .returningAll()
        .compile(),
    getSimNumber: (number: string) => k.selectFrom('sim_numbers').selectAll().where('number', '=', number).compile(),
    listSimNumbers: () => k.selectFrom('sim_numbers').selectAll().orderBy('number').compile(),
    deleteSimNumber: (number: string) => k.deleteFrom('sim_numbers').where('number', '=', number).compile(),
  };
}

export type ListQueries = ReturnType<typeof listQueries>;

/** The outbox rows of one record(): the call's next delivery seqs after `lastSeq`, in the order given. */
export function deliveryRows(callUuid: string, callTime: number, at: number, eventSeq: number, lastSeq: number, news: readonly NewDelivery[], owner: string | null): DeliveryRow[] {
  let seq = lastSeq;
  return news.map((d) => ({
    id: d.id,
    call_uuid: callUuid,
    call_initiation_time: callTime,
    seq: ++seq,
    event_seq: eventSeq,
    kind: d.kind,
    event: d.event,
    url: d.url,
    method: d.method,
    params: JSON.stringify(d.params),
    synchronous: d.synchronous ? 1 : 0,
    status: 'pending',
    attempts: 0,
    next_attempt_at: d.next_attempt_at ?? at,
    created_at: at,
    completed_at: null,
    last_error: null,
    account_id: owner,
  }));
}

/** An attempt's column values, checked. */
export function attemptValues(attempt: NewAttempt): Record<(typeof ATTEMPT_COLUMNS)[number], unknown> {
  return {
    delivery_id: attempt.delivery_id,
    attempt: checkScalar(attempt.attempt, 'attempt'),
    at: checkScalar(attempt.at, 'at'),
    url: attempt.url,
    method: attempt.method,
    request_headers: attempt.request_headers,
    status_code: checkScalar(attempt.status_code, 'status_code'),
    response_excerpt: attempt.response_excerpt,
    latency_ms: checkScalar(attempt.latency_ms, 'latency_ms'),
    error: attempt.error,
  };
}
