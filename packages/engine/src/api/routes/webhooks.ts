/**
 * The delivery log (Switchboard's own API): every webhook request owed for a call, each attempt,
 * and replay. Paths sit under the account like Plivo's resources do.
 */
import type { FastifyInstance } from 'fastify';
import { newId } from '../../util/ids.ts';
import { notFound, invalidParam } from '../errors.ts';
import { buildMeta, type Query } from '../params/list-calls.ts';
import { asParams, int, optOneOf, optString, type Params } from '../params/coerce.ts';
import { deliveryView } from '../delivery-views.ts';
import type { ApiContext } from '../api-context.ts';
import type { DeliveryFilter, DeliveryStatus } from '../../store/store.ts';
import type { Principal } from '../../accounts/principal.ts';
import { canSee, scopeOf } from '../../accounts/ownership.ts';
import { DELIVERY, META } from '../openapi-schemas.ts';
import type { RouteSchema } from '../openapi.ts';

// The schemas document each route (api/openapi.ts); `narrow` and `readFilter` parse the requests.
const FILTERS = {
  status: { type: 'string', enum: ['pending', 'delivered', 'failed', 'dead'] },
  url: { type: 'string', description: 'Exact, or a prefix ending in *' },
  call_uuid: { type: 'string' },
  kind: { type: 'string', description: 'answer, ring, hangup, action, callback...' },
} as const;

const CALL_DELIVERIES: RouteSchema = {
  summary: "A call's webhook deliveries with every attempt (docs/delivery.md)",
  operationId: 'listCallDeliveries',
  response: {
    200: {
      title: 'CallDeliveryList',
      type: 'object',
      required: ['api_id', 'call_uuid', 'objects'],
      properties: { api_id: { type: 'string' }, call_uuid: { type: 'string' }, objects: { type: 'array', items: DELIVERY } },
    },
  },
};

const DELIVERIES: RouteSchema = {
  summary: 'The delivery log, newest first, filtered',
  operationId: 'listDeliveries',
  querystring: {
    type: 'object',
    properties: { ...FILTERS, limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 }, offset: { type: 'integer', minimum: 0, default: 0 } },
  },
  response: {
    200: {
      title: 'DeliveryList',
      type: 'object',
      required: ['api_id', 'meta', 'objects'],
      properties: { api_id: { type: 'string' }, meta: META, objects: { type: 'array', items: DELIVERY } },
    },
  },
};

const REPLAY: RouteSchema = {
  summary: 'Send a delivery again (a new attempt series)',
  operationId: 'replayDelivery',
  response: {
    202: {
      type: 'object',
      required: ['api_id', 'message', 'delivery_id'],
      properties: { api_id: { type: 'string' }, message: { type: 'string' }, delivery_id: { type: 'string' } },
    },
  },
};

const BULK_REPLAY: RouteSchema = {
  summary: 'Replay every delivery the filters select (dead ones by default), oldest first',
  operationId: 'replayDeliveries',
  body: { type: 'object', properties: FILTERS, examples: [{ status: 'dead' }] },
  response: {
    202: {
      type: 'object',
      required: ['api_id', 'message', 'count', 'delivery_ids'],
      properties: { api_id: { type: 'string' }, message: { type: 'string' }, count: { type: 'integer' }, delivery_ids: { type: 'array', items: { type: 'string' } } },
    },
  },
};

const STATUSES: readonly DeliveryStatus[] = ['pending', 'delivered', 'failed', 'dead'];

/** `status`, `url` (exact, or a prefix ending in `*`), `call_uuid`, `kind`: the log's filters and bulk replay's. */
function narrow(p: Params, filter: DeliveryFilter, defaultStatus?: DeliveryStatus): DeliveryFilter {
  const status = optOneOf(p, 'status', STATUSES) ?? defaultStatus;
  if (status) filter.status = status;
  const url = optString(p, 'url');
  if (url) filter.url = url;
  const call = optString(p, 'call_uuid');
  if (call) filter.call_uuid = call;
  const kind = optString(p, 'kind');
  if (kind) filter.kind = kind;
  return filter;
}

function readFilter(query: Query): DeliveryFilter {
  const p = asParams(query);
  return narrow(p, { limit: int(p, 'limit', 20, { min: 1, max: 100 }), offset: int(p, 'offset', 0, { min: 0 }) });
}

/** A subaccount's log is its own calls' deliveries (docs/accounts.md); the main account's is all. */
function owned(filter: DeliveryFilter, account: Principal | undefined): DeliveryFilter {
  const scope = scopeOf(account);
  return scope === undefined ? filter : { ...filter, account: scope };
}

export function webhookRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const base = '/v1/Account/:authId';

  app.get<{ Params: { authId: string; callUuid: string } }>(`${base}/Call/:callUuid/Webhook/`, { schema: CALL_DELIVERIES }, async (req) => {
    const { callUuid, authId } = req.params;
    const call = await ctx.store.getCall(callUuid);
    if (!call || !canSee(req.account, call.account_id)) throw notFound('call', callUuid);
    const deliveries = await ctx.store.listDeliveries(callUuid);
    const attempts = await ctx.store.listAttemptsFor(deliveries.map((d) => d.id));
    return {
      api_id: newId(),
      call_uuid: callUuid,
      objects: deliveries.map((d) => deliveryView(d, authId, attempts.filter((a) => a.delivery_id === d.id))),
    };
  });

  app.get<{ Params: { authId: string }; Querystring: Query }>(`${base}/Webhook/`, { schema: DELIVERIES }, async (req) => {
    const filter = owned(readFilter(req.query), req.account);
    const { rows, total } = await ctx.store.listDeliveriesBy(filter);
    return {
      api_id: newId(),
      meta: buildMeta({ authId: req.params.authId, query: req.query, limit: filter.limit, offset: filter.offset, totalCount: total, resource: 'Webhook' }),
      objects: rows.map((d) => deliveryView(d, req.params.authId)),
    };
  });

  app.get<{ Params: { authId: string; deliveryId: string } }>(`${base}/Webhook/:deliveryId/`, { schema: { summary: 'One delivery with its attempts', operationId: 'getDelivery', response: { 200: DELIVERY } } as RouteSchema }, async (req) => {
    const d = await ctx.store.getDelivery(req.params.deliveryId);
    if (!d || !canSee(req.account, d.account_id)) throw notFound('webhook delivery', req.params.deliveryId);
    return { api_id: newId(), ...deliveryView(d, req.params.authId, await ctx.store.listAttempts(d.id)) };
  });

  app.post<{ Params: { authId: string; deliveryId: string } }>(`${base}/Webhook/:deliveryId/Replay/`, { schema: REPLAY }, async (req, reply) => {
    const owned = await ctx.store.getDelivery(req.params.deliveryId);
    if (!owned || !canSee(req.account, owned.account_id)) throw notFound('webhook delivery', req.params.deliveryId);
    const d = await ctx.outbox.replay(req.params.deliveryId);
    if (!d) throw notFound('webhook delivery', req.params.deliveryId);
    return reply.code(202).send({ api_id: newId(), message: 'delivery replayed', delivery_id: d.id });
  });

  // Bulk replay: dead deliveries by default, narrowed by url / call_uuid / kind.
  app.post<{ Params: { authId: string } }>(`${base}/Webhook/Replay/`, { schema: BULK_REPLAY }, async (req, reply) => {
    const filter = owned(narrow(asParams(req.body ?? {}), { limit: 1000, offset: 0 }, 'dead'), req.account);
    if (filter.status === 'pending') throw invalidParam('status', 'pending deliveries are still being tried; replay dead, failed or delivered ones');
    const { rows } = await ctx.store.listDeliveriesBy(filter);
    // Oldest first, so each call's reports go out again in their original order.
    const ordered = [...rows].sort((a, b) => a.created_at - b.created_at || a.seq - b.seq);
    for (const d of ordered) await ctx.outbox.replay(d.id);
    return reply.code(202).send({ api_id: newId(), message: `${ordered.length} ${ordered.length === 1 ? 'delivery' : 'deliveries'} replayed`, count: ordered.length, delivery_ids: ordered.map((d) => d.id) });
  });
}
