/** The Call API (plivo.md §1.3-§1.7). */
import type { FastifyInstance } from 'fastify';
import { newId } from '../../util/ids.ts';
import { parseMakeCall } from '../params/make-call.ts';
import { buildMeta, parseListCalls, type ListCallsRequest, type Query } from '../params/list-calls.ts';
import { parseTransfer } from '../params/transfer.ts';
import { optOneOf } from '../params/coerce.ts';
import { conflict, notFound, rateLimited, shuttingDown } from '../errors.ts';
import { retryAfterSeconds } from '../rate-limit.ts';
import { cdrView, liveCallView } from '../views.ts';
import type { ApiContext } from '../api-context.ts';
import type { CallRow } from '../../store/store.ts';
import { isLiveStatus } from '../../domain/causes.ts';
import { isCsv, sendCallListCsv } from '../call-list-csv.ts';
import { canSee, ownerOf, scopeOf } from '../../accounts/ownership.ts';
import type { Principal } from '../../accounts/principal.ts';
import type { LiveCall } from '../../calls/registry.ts';
import { CALL_DETAIL, LIVE_CALL, MESSAGE_RESPONSE, META, methodParam, NO_CONTENT, PAGING, urlParam } from '../openapi-schemas.ts';
import type { RouteSchema } from '../openapi.ts';

// The schemas document each route (api/openapi.ts); api/params/ parses and checks the requests.
const MAKE_CALL: RouteSchema = {
  summary: 'Make a call (plivo.md §1.3); several destinations joined by < make a bulk call',
  operationId: 'makeCall',
  body: {
    title: 'MakeCallParams',
    type: 'object',
    required: ['from', 'to', 'answer_url'],
    properties: {
      from: { type: 'string', description: 'Caller ID: a phone number (with or without +) or a sip: URI' },
      to: {
        oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
        description: 'One destination, several joined by <, or (JSON) a list: a bulk call',
      },
      answer_url: urlParam,
      answer_method: methodParam,
      ring_url: urlParam,
      ring_method: methodParam,
      hangup_url: urlParam,
      hangup_method: methodParam,
      fallback_url: urlParam,
      fallback_method: methodParam,
      caller_name: { type: 'string', maxLength: 50 },
      send_digits: { type: 'string', description: 'DTMF keys, w/W pauses, optional @<ms> tone length' },
      send_on_preanswer: { type: 'boolean', default: false },
      time_limit: { type: 'integer', minimum: 1, default: 14400, description: 'Seconds after answer; over 86400 is cut to 86400' },
      hangup_on_ring: { type: 'integer', minimum: 0 },
      machine_detection: { type: 'string', enum: ['true', 'false', 'hangup'] },
      machine_detection_time: { type: 'integer', minimum: 2000, maximum: 10000, default: 5000 },
      machine_detection_url: urlParam,
      machine_detection_method: methodParam,
      sip_headers: {
        oneOf: [{ type: 'string' }, { type: 'object', additionalProperties: { type: 'string' } }],
        description: 'name=value,name2=value2 (or, in JSON, an object), sent as X-PH-name headers',
      },
      ring_timeout: { type: 'integer', minimum: 0, default: 120 },
      parent_call_uuid: { type: 'string' },
      error_if_parent_not_found: { type: 'boolean', default: false },
      callback_url: urlParam,
      callback_method: methodParam,
    },
    examples: [{ from: '+15550000000', to: '+15550001', answer_url: 'http://127.0.0.1:3000/answer' }],
  },
  response: {
    201: {
      title: 'MakeCallResponse',
      type: 'object',
      required: ['api_id', 'message', 'request_uuid'],
      properties: {
        api_id: { type: 'string' },
        message: { type: 'string', description: 'call fired, or calls fired for several destinations' },
        request_uuid: { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }], description: 'A list for several destinations' },
      },
    },
  },
};

const range = (name: string, schema: object) =>
  Object.fromEntries(['', '__gt', '__gte', '__lt', '__lte'].map((op) => [`${name}${op}`, schema]));

const LIST_CALLS: RouteSchema = {
  summary: 'List ended calls (plivo.md §1.5), or the UUIDs of live / queued ones with status=live|queued; format=csv for CSV',
  operationId: 'listCalls',
  querystring: {
    type: 'object',
    properties: {
      status: { type: 'string', enum: ['live', 'queued'] },
      call_direction: { type: 'string', enum: ['inbound', 'outbound'] },
      from_number: { type: 'string' },
      to_number: { type: 'string' },
      parent_call_uuid: { type: 'string' },
      hangup_cause_code: { type: 'integer', minimum: 0 },
      hangup_source: { type: 'string' },
      subaccount: { type: 'string' },
      ...range('bill_duration', { type: 'integer', minimum: 0 }),
      ...range('end_time', { type: 'string', description: 'YYYY-MM-DD HH:MM[:SS]' }),
      format: { type: 'string', enum: ['json', 'csv'] },
      ...PAGING,
    },
  },
  response: {
    200: {
      anyOf: [
        { title: 'CallList', type: 'object', required: ['api_id', 'meta', 'objects'], properties: { api_id: { type: 'string' }, meta: META, objects: { type: 'array', items: CALL_DETAIL } } },
        { title: 'CallUuidList', type: 'object', required: ['api_id', 'calls'], properties: { api_id: { type: 'string' }, calls: { type: 'array', items: { type: 'string' } } } },
      ],
    },
  },
};

const GET_CALL: RouteSchema = {
  summary: "A call's record (plivo.md §1.4), or with status=live|queued the live call (§1.6)",
  operationId: 'getCall',
  querystring: { type: 'object', properties: { status: { type: 'string', enum: ['live', 'queued'] } } },
  response: { 200: { anyOf: [CALL_DETAIL, LIVE_CALL] } },
};

const TRANSFER: RouteSchema = {
  summary: 'Transfer a live call (plivo.md §1.7): the named legs fetch new XML',
  operationId: 'transferCall',
  body: {
    title: 'TransferParams',
    type: 'object',
    properties: {
      legs: { type: 'string', enum: ['aleg', 'bleg', 'both'], default: 'aleg' },
      aleg_url: urlParam,
      aleg_method: methodParam,
      bleg_url: urlParam,
      bleg_method: methodParam,
    },
    examples: [{ legs: 'aleg', aleg_url: 'http://127.0.0.1:3000/transfer' }],
  },
  response: { 202: MESSAGE_RESPONSE },
};

type AccountParams = { authId: string };

/**
 * The live and queued lists honour Plivo's `call_direction`, `from_number` and `to_number`
 * (plivo.md §1.5, §1.6); numbers compare in the one normal form, digits (engine.md §1).
 */
function liveMatches(filter: ListCallsRequest): (r: LiveCall['leg']['row']) => boolean {
  return (r) =>
    (filter.call_direction === undefined || r.direction === filter.call_direction) &&
    (filter.from_number === undefined || r.from_number === filter.from_number) &&
    (filter.to_number === undefined || r.to_number === filter.to_number);
}
type CallParams = { authId: string; callUuid: string };

export function callRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const base = '/v1/Account/:authId';
  /** A live call the account may act on: another account's is not found (docs/accounts.md). */
  const liveOf = (account: Principal | undefined, uuid: string): LiveCall | undefined => {
    const live = ctx.registry.get(uuid);
    // An ended leg is no longer live, though its session may still be winding down.
    return live && !live.leg.ended && canSee(account, live.leg.row.account_id) ? live : undefined;
  };
  const mine = (account: Principal | undefined) => (c: LiveCall) => canSee(account, c.leg.row.account_id);

  app.post<{ Params: AccountParams }>(`${base}/Call/`, { schema: MAKE_CALL }, async (req, reply) => {
    const call = parseMakeCall(req.body);
    // Plivo's per-account CPS: each destination of a bulk call is a call.
    const wait = ctx.limits?.cps?.take(req.account?.authId ?? req.params.authId, call.to.length) ?? 0;
    if (wait > 0) throw rateLimited(retryAfterSeconds(wait), `calls per second: the account's limit of ${ctx.limits!.cps!.limit} is reached`);
    if (!ctx.calls.isAccepting) throw shuttingDown();
    const requestUuids = await ctx.calls.makeCalls(call, ownerOf(req.account));
    const bulk = requestUuids.length > 1;
    return reply.code(201).send({
      api_id: newId(),
      message: bulk ? 'calls fired' : 'call fired',
      request_uuid: bulk ? requestUuids : requestUuids[0],
    });
  });

  app.get<{ Params: AccountParams; Querystring: Query }>(`${base}/Call/`, { schema: LIST_CALLS }, async (req, reply) => {
    const query = req.query;
    const account = scopeOf(req.account);
    if (isCsv(query)) return sendCallListCsv(reply, ctx, query, req.params.authId, account);
    const filter = parseListCalls(query);
    if (filter.status === 'live' || filter.status === 'queued') {
      // A cluster lists every node's live calls from the database; one node, its own registry.
      // A call whose leg has ended is no longer live, though its session may still be winding down
      // (the document's last fetches, the CDR write): the list does not show it after a hang-up.
      const rows = ctx.clusterLiveCalls ? await ctx.clusterLiveCalls() : ctx.registry.all().filter((c) => !c.leg.ended).map((c) => c.leg.row);
      const visible = rows.filter((r) => canSee(req.account, r.account_id) && liveMatches(filter)(r));
      const queued = filter.status === 'queued';
      return { api_id: newId(), calls: visible.filter((r) => (r.call_status === 'queued') === queued).map((r) => r.call_uuid) };
    }
    const { rows, total } = await ctx.store.listCalls({ ...filter, ended_only: true, ...(account !== undefined ? { account } : {}) });
    const apiId = newId();
    return {
      api_id: apiId,
      meta: buildMeta({ authId: req.params.authId, query, limit: filter.limit, offset: filter.offset, totalCount: total }),
      // Plivo's listed CDRs each carry an `api_id` too (its recorded answer, plivo-node request-test `Call/`).
      objects: await withConferences(ctx, rows, (r, conf) => ({ api_id: apiId, ...cdrView(r, req.params.authId, conf) })),
    };
  });

  app.get<{ Params: CallParams; Querystring: Query }>(`${base}/Call/:callUuid/`, { schema: GET_CALL }, async (req) => {
    const { callUuid, authId } = req.params;
    // Checked as in the list: `?status=dead` is a mistake to report, not a request for the CDR.
    const status = optOneOf(req.query, 'status', ['live', 'queued'] as const);
    if (status !== undefined) {
      // A cluster answers from the database: the call may run on another node.
      const stored = ctx.clusterLiveCalls ? await ctx.store.getCall(callUuid) : undefined;
      const row = ctx.clusterLiveCalls
        ? stored && canSee(req.account, stored.account_id) && isLiveStatus(stored.call_status) ? stored : undefined
        : liveOf(req.account, callUuid)?.leg.row;
      if (!row || (status === 'queued') !== (row.call_status === 'queued')) throw notFound(`${status} call`, callUuid);
      return { api_id: newId(), ...liveCallView(row) };
    }
    const row = (await ctx.store.getCall(callUuid)) ?? ctx.registry.get(callUuid)?.leg.row;
    if (!row || !canSee(req.account, row.account_id)) throw notFound('call', callUuid);
    const [cdr] = await withConferences(ctx, [row], (r, conf) => cdrView(r, authId, conf));
    return { api_id: newId(), ...cdr };
  });

  app.delete<{ Params: CallParams }>(`${base}/Call/:callUuid/`, { schema: { summary: 'Hang up a live call (plivo.md §1.7)', response: { 204: NO_CONTENT } } as RouteSchema }, async (req, reply) => {
    const live = liveOf(req.account, req.params.callUuid);
    if (!live) throw notFound('live call', req.params.callUuid);
    live.hangup(live.leg.answered ? 'api-hangup' : 'api-cancel', 'API Request');
    return reply.code(204).send();
  });

  // "If CallUUID is not specified, all ongoing calls in that particular account will get disconnected" (plivo.md §1.7).
  app.delete<{ Params: AccountParams }>(`${base}/Call/`, { schema: { summary: "Hang up all the account's live calls", response: { 204: NO_CONTENT } } as RouteSchema }, async (req, reply) => {
    // The account's calls: a subaccount's hang-up-all ends its own only.
    for (const live of ctx.registry.aLegs().filter(mine(req.account))) live.hangup(live.leg.answered ? 'api-hangup' : 'api-cancel', 'API Request');
    return reply.code(204).send();
  });

  app.post<{ Params: CallParams }>(`${base}/Call/:callUuid/`, { schema: TRANSFER }, async (req, reply) => {
    const transfer = parseTransfer(req.body);
    const session = ctx.calls.session(req.params.callUuid);
    if (!session || !canSee(req.account, session.row.account_id)) throw notFound('live call', req.params.callUuid);
    if (!session.leg.answered) throw conflict(`call ${req.params.callUuid}: not answered yet; only an answered call can be transferred`);
    if (transfer.blegUrl) {
      // The B leg goes first: once the A leg's document is stopped, its Dial would hang the callee up.
      const bLeg = session.releaseBLeg();
      if (!bLeg) throw conflict(`call ${req.params.callUuid}: no bridged B leg to transfer`);
      ctx.calls.adoptTransferred(bLeg, transfer.blegUrl, transfer.blegMethod);
    }
    if (transfer.alegUrl) await session.transfer(transfer.alegUrl, transfer.alegMethod);
    return reply.code(202).send({ api_id: newId(), message: 'call transferred' });
  });

  app.delete<{ Params: { authId: string; requestUuid: string } }>(`${base}/Request/:requestUuid/`, { schema: { summary: 'Hang up the calls of a request (queued or live)', response: { 204: NO_CONTENT } } as RouteSchema }, async (req, reply) => {
    const calls = ctx.registry.byRequestUuid(req.params.requestUuid).filter(mine(req.account));
    if (calls.length === 0) throw notFound('call request', req.params.requestUuid);
    for (const live of calls) live.hangup(live.leg.answered ? 'api-hangup' : 'api-cancel', 'API Request');
    return reply.code(204).send();
  });
}

/** CDRs name the conference each call last entered (`conference_uuid`, plivo.md §1.4). */
async function withConferences<T>(ctx: ApiContext, rows: readonly CallRow[], view: (r: CallRow, conferenceUuid: string | null) => T): Promise<T[]> {
  const confs = await ctx.store.resources.conferences.conferenceOf(rows.map((r) => r.call_uuid));
  return rows.map((r) => view(r, confs.get(r.call_uuid) ?? null));
}
