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
import { isCsv, sendCallListCsv } from '../call-list-csv.ts';
import { canSee, ownerOf, scopeOf } from '../../accounts/ownership.ts';
import type { Principal } from '../auth.ts';
import type { LiveCall } from '../../calls/registry.ts';

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
    return live && canSee(account, live.leg.row.account_id) ? live : undefined;
  };
  const mine = (account: Principal | undefined) => (c: LiveCall) => canSee(account, c.leg.row.account_id);

  app.post<{ Params: AccountParams }>(`${base}/Call/`, async (req, reply) => {
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

  app.get<{ Params: AccountParams; Querystring: Query }>(`${base}/Call/`, async (req, reply) => {
    const query = req.query;
    const account = scopeOf(req.account);
    if (isCsv(query)) return sendCallListCsv(reply, ctx, query, req.params.authId, account);
    const filter = parseListCalls(query);
    if (filter.status === 'live' || filter.status === 'queued') {
      // A cluster lists every node's live calls from the database; one node, its own registry.
      const rows = ctx.clusterLiveCalls ? await ctx.clusterLiveCalls() : ctx.registry.all().map((c) => c.leg.row);
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

  app.get<{ Params: CallParams; Querystring: Query }>(`${base}/Call/:callUuid/`, async (req) => {
    const { callUuid, authId } = req.params;
    // Checked as in the list: `?status=dead` is a mistake to report, not a request for the CDR.
    const status = optOneOf(req.query, 'status', ['live', 'queued'] as const);
    if (status !== undefined) {
      // A cluster answers from the database: the call may run on another node.
      const stored = ctx.clusterLiveCalls ? await ctx.store.getCall(callUuid) : undefined;
      const row = ctx.clusterLiveCalls
        ? stored && canSee(req.account, stored.account_id) && ['queued', 'ringing', 'in-progress'].includes(stored.call_status) ? stored : undefined
        : liveOf(req.account, callUuid)?.leg.row;
      if (!row || (status === 'queued') !== (row.call_status === 'queued')) throw notFound(`${status} call`, callUuid);
      return { api_id: newId(), ...liveCallView(row) };
    }
    const row = (await ctx.store.getCall(callUuid)) ?? ctx.registry.get(callUuid)?.leg.row;
    if (!row || !canSee(req.account, row.account_id)) throw notFound('call', callUuid);
    const [cdr] = await withConferences(ctx, [row], (r, conf) => cdrView(r, authId, conf));
    return { api_id: newId(), ...cdr };
  });

  app.delete<{ Params: CallParams }>(`${base}/Call/:callUuid/`, async (req, reply) => {
    const live = liveOf(req.account, req.params.callUuid);
    if (!live) throw notFound('live call', req.params.callUuid);
    live.hangup(live.leg.answered ? 'api-hangup' : 'api-cancel', 'API Request');
    return reply.code(204).send();
  });

  // "If CallUUID is not specified, all ongoing calls in that particular account will get disconnected" (plivo.md §1.7).
  app.delete<{ Params: AccountParams }>(`${base}/Call/`, async (req, reply) => {
    // The account's calls: a subaccount's hang-up-all ends its own only.
    for (const live of ctx.registry.aLegs().filter(mine(req.account))) live.hangup(live.leg.answered ? 'api-hangup' : 'api-cancel', 'API Request');
    return reply.code(204).send();
  });

  app.post<{ Params: CallParams }>(`${base}/Call/:callUuid/`, async (req, reply) => {
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

  app.delete<{ Params: { authId: string; requestUuid: string } }>(`${base}/Request/:requestUuid/`, async (req, reply) => {
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
