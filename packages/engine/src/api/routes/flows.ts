/**
 * Flows (docs/flows.md): CRUD under `/v1/Account/{auth_id}/Flow/`, runs and their traces, and
 * the run endpoint at Plivo's PHLO path `POST /v1/account/{auth_id}/phlo/{phlo_id}` (lowercase
 * `account`, plivo.md §8), which answers 201 with `phlo_id`, `api_id` (the run id) and `message`.
 */
import type { FastifyInstance } from 'fastify';
import { canSee, ownerOf, scopeOf } from '../../accounts/ownership.ts';
import type { Principal } from '../../accounts/principal.ts';
import { newId } from '../../util/ids.ts';
import { formatTime, formatTimeMicros } from '../../util/time.ts';
import type { FlowRow, FlowRunRow } from '../../store/flow-store.ts';
import { describeProblem } from '../../flows/flow-validate.ts';
import type { ApiContext } from '../api-context.ts';
import { conflict, invalidBody, invalidFlow, invalidParam, notFound } from '../errors.ts';
import { int } from '../params/coerce.ts';
import { buildMeta, DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT, type Query } from '../params/list-calls.ts';
import { META, NO_CONTENT, PAGING } from '../openapi-schemas.ts';
import type { RouteSchema } from '../openapi.ts';

type FlowParams = { authId: string; flowId: string };

// The schemas document each route (api/openapi.ts); flows/flow-validate.ts checks a flow's document.
const S = { type: 'string' } as const;
const FLOW_DOCUMENT = {
  title: 'FlowDocument',
  type: 'object',
  required: ['name', 'nodes'],
  description: 'A flow: named nodes and their transitions (docs/flows.md); JSON only',
  properties: {
    name: S,
    description: S,
    nodes: { type: 'array', items: { type: 'object', required: ['name', 'type'], properties: { name: S, type: S, transitions: { type: 'object', additionalProperties: S } }, additionalProperties: true } },
  },
  additionalProperties: true,
  examples: [{ name: 'Hello', nodes: [{ name: 'Start', type: 'start', transitions: { incoming_call: 'Hello' } }, { name: 'Hello', type: 'speak', text: 'Hello', transitions: {} }] }],
} as const;
const FLOW = {
  title: 'Flow',
  type: 'object',
  required: ['flow_id', 'name', 'created_on', 'updated_on', 'resource_uri', 'run_url'],
  properties: { api_id: S, flow_id: S, name: S, created_on: S, updated_on: S, resource_uri: S, run_url: S, definition: { type: 'object', description: 'The flow document (GET of one flow)' } },
} as const;
const RUN = {
  title: 'FlowRun',
  type: 'object',
  required: ['run_id', 'flow_id', 'trigger', 'status', 'call_uuid', 'payload', 'error', 'started_at', 'ended_at', 'resource_uri'],
  properties: {
    api_id: S, run_id: S, flow_id: S, trigger: S, status: S, call_uuid: { type: ['string', 'null'] }, payload: { type: 'object' },
    error: { type: ['string', 'null'] }, started_at: S, ended_at: { type: ['string', 'null'] }, resource_uri: S,
    trace: { type: 'array', items: { type: 'object' }, description: 'Each node the run passed, with what it did (GET of one run)' },
  },
} as const;
const listOf = (title: string, items: object) => ({ title, type: 'object', required: ['api_id', 'meta', 'objects'], properties: { api_id: S, meta: META, objects: { type: 'array', items } } });
const CREATE_FLOW: RouteSchema = {
  summary: 'Import a flow (docs/flows.md); SB_INVALID_FLOW names each node and field at fault',
  operationId: 'createFlow',
  body: FLOW_DOCUMENT,
  response: { 201: { type: 'object', required: ['api_id', 'flow_id', 'name', 'message'], properties: { api_id: S, flow_id: S, name: S, message: S } } },
};
const UPDATE_FLOW: RouteSchema = {
  summary: "Replace a flow's document",
  operationId: 'updateFlow',
  body: FLOW_DOCUMENT,
  response: { 202: { type: 'object', required: ['api_id', 'flow_id', 'message'], properties: { api_id: S, flow_id: S, message: S } } },
};
const RUN_PHLO: RouteSchema = {
  summary: "Run a flow through Plivo's PHLO run API (plivo.md §8): the body (and query) is the Start node's payload",
  operationId: 'runPhlo',
  body: { title: 'PhloPayload', type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] }, examples: [{ customer: '+15557770001' }] },
  response: { 201: { type: 'object', required: ['api_id', 'phlo_id', 'message'], properties: { api_id: { type: 'string', description: 'The run id' }, phlo_id: S, message: S } } },
};
const PHLO: RouteSchema = {
  summary: "A PHLO as Plivo's PhloClient reads it",
  response: { 200: { title: 'Phlo', type: 'object', required: ['api_id', 'phlo_id', 'name', 'created_on'], properties: { api_id: S, phlo_id: S, name: S, created_on: S } } },
};

function flowView(row: FlowRow, authId: string): Record<string, unknown> {
  return {
    flow_id: row.flow_id,
    name: row.name,
    created_on: formatTime(row.created_at),
    updated_on: formatTime(row.updated_at),
    resource_uri: `/v1/Account/${authId}/Flow/${row.flow_id}/`,
    run_url: `/v1/account/${authId}/phlo/${row.flow_id}`,
  };
}

function runView(row: FlowRunRow, authId: string, withTrace: boolean): Record<string, unknown> {
  return {
    run_id: row.run_id,
    flow_id: row.flow_id,
    trigger: row.trigger,
    status: row.status,
    call_uuid: row.call_uuid,
    payload: JSON.parse(row.payload) as unknown,
    error: row.error,
    started_at: formatTime(row.started_at),
    ended_at: row.ended_at === null ? null : formatTime(row.ended_at),
    resource_uri: `/v1/Account/${authId}/Flow/${row.flow_id}/Run/${row.run_id}/`,
    ...(withTrace && { trace: JSON.parse(row.trace) as unknown }),
  };
}

function page(query: Query): { limit: number; offset: number } {
  const q = query as Record<string, unknown>;
  return { limit: int(q, 'limit', DEFAULT_LIST_LIMIT, { min: 1, max: MAX_LIST_LIMIT }), offset: int(q, 'offset', 0, { min: 0 }) };
}

/** A flow is a JSON document: a form body cannot carry its nested nodes. */
function flowBody(body: unknown): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalidBody('a flow must be sent as a JSON object (Content-Type: application/json)');
  return body;
}

export function flowRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const base = '/v1/Account/:authId/Flow';
  const flows = ctx.apps.flows;
  /** The flow if the account may see it: another account's flow is not found (docs/accounts.md). */
  const flowOf = async (account: Principal | undefined, flowId: string) => {
    const found = await flows.get(flowId);
    return found && canSee(account, found.row.account_id) ? found : undefined;
  };

  app.post<{ Params: { authId: string } }>(`${base}/`, { schema: CREATE_FLOW }, async (req, reply) => {
    const saved = (await flows.save(flowBody(req.body), undefined, ownerOf(req.account)))!;
    if (!saved.ok) throw invalidFlow(saved.problems.map(describeProblem));
    return reply.code(201).send({ api_id: newId(), flow_id: saved.row.flow_id, name: saved.row.name, message: 'created' });
  });

  app.get<{ Params: { authId: string }; Querystring: Query }>(`${base}/`, { schema: { summary: "The account's flows", operationId: 'listFlows', querystring: { type: 'object', properties: PAGING }, response: { 200: listOf('FlowList', FLOW) } } as RouteSchema }, async (req) => {
    const p = page(req.query);
    const scope = scopeOf(req.account);
    const { rows, total } = await flows.list({ ...p, ...(scope !== undefined ? { account: scope } : {}) });
    return {
      api_id: newId(),
      meta: buildMeta({ authId: req.params.authId, query: req.query, ...p, totalCount: total, resource: 'Flow' }),
      objects: rows.map((r) => flowView(r, req.params.authId)),
    };
  });

  app.get<{ Params: FlowParams }>(`${base}/:flowId/`, { schema: { summary: 'One flow, with its document', operationId: 'getFlow', response: { 200: FLOW } } as RouteSchema }, async (req) => {
    const found = await flowOf(req.account, req.params.flowId);
    if (!found) throw notFound('flow', req.params.flowId);
    return { api_id: newId(), ...flowView(found.row, req.params.authId), definition: JSON.parse(found.row.definition) as unknown };
  });

  app.post<{ Params: FlowParams }>(`${base}/:flowId/`, { schema: UPDATE_FLOW }, async (req, reply) => {
    if (!(await flowOf(req.account, req.params.flowId))) throw notFound('flow', req.params.flowId);
    const saved = await flows.save(flowBody(req.body), req.params.flowId);
    if (!saved) throw notFound('flow', req.params.flowId);
    if (!saved.ok) throw invalidFlow(saved.problems.map(describeProblem));
    return reply.code(202).send({ api_id: newId(), flow_id: saved.row.flow_id, message: 'changed' });
  });

  app.delete<{ Params: FlowParams }>(`${base}/:flowId/`, { schema: { summary: 'Delete a flow', response: { 204: NO_CONTENT } } as RouteSchema }, async (req, reply) => {
    if (!(await flowOf(req.account, req.params.flowId)) || !(await flows.remove(req.params.flowId))) throw notFound('flow', req.params.flowId);
    return reply.code(204).send();
  });

  app.get<{ Params: FlowParams; Querystring: Query }>(`${base}/:flowId/Run/`, { schema: { summary: "A flow's runs, newest first", operationId: 'listFlowRuns', querystring: { type: 'object', properties: PAGING }, response: { 200: listOf('FlowRunList', RUN) } } as RouteSchema }, async (req) => {
    if (!(await flowOf(req.account, req.params.flowId))) throw notFound('flow', req.params.flowId);
    const p = page(req.query);
    const { rows, total } = await flows.listRuns(req.params.flowId, p);
    return {
      api_id: newId(),
      meta: buildMeta({ authId: req.params.authId, query: req.query, ...p, totalCount: total, resource: `Flow/${req.params.flowId}/Run` }),
      objects: rows.map((r) => runView(r, req.params.authId, false)),
    };
  });

  app.get<{ Params: FlowParams & { runId: string } }>(`${base}/:flowId/Run/:runId/`, { schema: { summary: 'One run with its trace', operationId: 'getFlowRun', response: { 200: RUN } } as RouteSchema }, async (req) => {
    const run = await flows.getRun(req.params.runId);
    if (!run || run.flow_id !== req.params.flowId || !canSee(req.account, run.account_id)) throw notFound('flow run', req.params.runId);
    return { api_id: newId(), ...runView(run, req.params.authId, true) };
  });

  // Plivo's PHLO paths (plivo.md §8): the run API, and what the SDK's phlo.get() reads.
  const phlo = '/v1/account/:authId/phlo/:phloId';
  app.post<{ Params: { authId: string; phloId: string }; Querystring: Query }>(phlo, { schema: RUN_PHLO }, async (req, reply) => {
    // No payload at all is a run with the Start node's static payload (plivo.md §8). The official
    // SDK's `phlo(id).run()` sends JSON `""` then (axios `data: params || ''`), which reads as "".
    const body = req.body === undefined || req.body === null || req.body === '' ? {} : req.body;
    if (typeof body !== 'object' || Array.isArray(body)) throw invalidBody('the payload must be a JSON object of the keys the Start node declares');
    // Query parameters count as payload too (plivo.md §8: integrations pass them that way).
    const payload = { ...(req.query as Record<string, unknown>), ...(body as Record<string, unknown>) };
    const res = (await flowOf(req.account, req.params.phloId)) ? await flows.runFromApi(req.params.phloId, payload) : ({ ok: false, reason: 'not-found' } as const);
    if (!res.ok) {
      switch (res.reason) {
        case 'not-found':
          throw notFound('flow', req.params.phloId);
        case 'no-trigger':
          throw conflict(`flow ${req.params.phloId}: its Start node has no ${res.trigger} transition`);
        case 'undeclared-key':
          throw invalidParam(res.key, `is not a payload key the Start node declares (declared: ${res.declared.join(', ') || 'none'})`);
        case 'bad-value':
          throw invalidParam(res.key, 'must be a string, number or boolean');
      }
    }
    return reply.code(201).send({ phlo_id: req.params.phloId, api_id: res.runId, message: 'flow run started' });
  });

  // The PhloClient reads a PHLO at `GET /v1/phlo/{id}/?phlo_id={id}`, without the account in the
  // path (plivo.md §8): the account is the one the credentials name.
  app.get<{ Params: { authId?: string; phloId: string } }>('/v1/phlo/:phloId', { schema: PHLO }, async (req) => phloView(req.account, req.params.phloId));
  app.get<{ Params: { authId?: string; phloId: string } }>(phlo, { schema: PHLO }, async (req) => phloView(req.account, req.params.phloId));

  async function phloView(account: Principal | undefined, phloId: string): Promise<Record<string, unknown>> {
    const found = await flowOf(account, phloId);
    if (!found) throw notFound('flow', phloId);
    // Plivo's PHLO times carry microseconds and the offset (plivo-node request-test `phlo/`).
    return { api_id: newId(), phlo_id: found.row.flow_id, name: found.row.name, created_on: formatTimeMicros(found.row.created_at, { offset: true }) };
  }
}
