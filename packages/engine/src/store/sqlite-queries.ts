/**
 * The SqliteStore's frequent queries, built once as templates (query-template.ts). Rarer ones
 * (lists with filters, settings, simulated numbers) are built per call in sqlite-store.ts.
 */
import { sql, type Kysely } from 'kysely';
import { PatchTemplates, QueryTemplate, type Placeholders } from './query-template.ts';
import type { Database } from './schema.ts';
import { CALL_COLUMNS, DELIVERY_COLUMNS } from './store-input.ts';

const ATTEMPT_COLUMNS = [
  'delivery_id',
  'attempt',
  'at',
  'url',
  'method',
  'request_headers',
  'params',
  'status_code',
  'response_excerpt',
  'latency_ms',
  'error',
] as const;

/** A placeholder looked up by a computed name (PatchTemplates names them `set:<column>`). */
export function at(p: Placeholders<string>, name: string): never {
  return p[name] as never;
}

export function setObject(keys: readonly string[], p: Placeholders<string>): Record<string, never> {
  return Object.fromEntries(keys.map((k) => [k, at(p, `set:${k}`)]));
}

export function sqliteQueries(k: Kysely<Database>) {
  return {
    insertCall: new QueryTemplate(CALL_COLUMNS, (p) => k.insertInto('calls').values(p)),
    getCall: new QueryTemplate(['callUuid'], (p) => k.selectFrom('calls').selectAll().where('call_uuid', '=', p.callUuid)),
    updateCall: new PatchTemplates((keys, p) =>
      k.updateTable('calls').set(setObject(keys, p)).where('call_uuid', '=', at(p, 'callUuid')),
    ),

    /** The call's next event, its seq computed in the same statement (max + 1). */
    appendEvent: new QueryTemplate(['callUuid', 'at', 'type', 'data'], (p) =>
      k
        .insertInto('events')
        .columns(['call_uuid', 'seq', 'at', 'type', 'data'])
        .expression(
          k
            .selectFrom('events')
            .select((eb) => [
              eb.val(p.callUuid).as('call_uuid'),
              sql<number>`coalesce(max(seq), 0) + 1`.as('seq'),
              eb.val(p.at).as('at'),
              eb.val(p.type).as('type'),
              eb.val(p.data).as('data'),
            ])
            .where('call_uuid', '=', p.callUuid),
        )
        .returning('seq'),
    ),
    listEvents: new QueryTemplate(['callUuid'], (p) =>
      k.selectFrom('events').selectAll().where('call_uuid', '=', p.callUuid).orderBy('seq'),
    ),

    /** Who owns a call: its deliveries are signed with that account's token (docs/accounts.md). */
    callOwner: new QueryTemplate(['callUuid'], (p) => k.selectFrom('calls').select('account_id').where('call_uuid', '=', p.callUuid)),
    lastDeliverySeq: new QueryTemplate(['callUuid'], (p) =>
      k.selectFrom('deliveries').select(sql<number>`coalesce(max(seq), 0)`.as('n')).where('call_uuid', '=', p.callUuid),
    ),
    insertDelivery: new QueryTemplate(DELIVERY_COLUMNS, (p) => k.insertInto('deliveries').values(p)),
    getDelivery: new QueryTemplate(['id'], (p) => k.selectFrom('deliveries').selectAll().where('id', '=', p.id)),
    listDeliveries: new QueryTemplate(['callUuid'], (p) =>
      k.selectFrom('deliveries').selectAll().where('call_uuid', '=', p.callUuid).orderBy('seq'),
    ),
    updateDelivery: new PatchTemplates((keys, p) => k.updateTable('deliveries').set(setObject(keys, p)).where('id', '=', at(p, 'id'))),

    /** Idempotent on the attempt's natural key (migration 009): a repeated write stores it once. */
    insertAttempt: new QueryTemplate(ATTEMPT_COLUMNS, (p) =>
      k.insertInto('delivery_attempts').values(p).onConflict((oc) => oc.columns(['delivery_id', 'attempt', 'at']).doNothing()),
    ),
  };
}

export type SqliteQueries = ReturnType<typeof sqliteQueries>;
