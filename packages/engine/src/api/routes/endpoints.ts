/**
 * The Endpoint API (docs/endpoints.md; Plivo's `Endpoint/` resource, which the official SDKs'
 * `endpoints.*` call): create, list, get, update, delete. Answers in Plivo's shapes: create 201
 * `{username, alias, message, endpoint_id, api_id}`, update 202 `{message: "changed"}`, delete 204;
 * an object carries `sip_registered` as the string Plivo sends, and `sip_contact`, `sip_expires`,
 * `sip_user_agent` only while the endpoint is registered (as Plivo's recorded responses show).
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { newId } from '../../util/ids.ts';
import { formatTime } from '../../util/time.ts';
import { canSee, ownerOf, scopeOf } from '../../accounts/ownership.ts';
import type { EndpointRow } from '../../store/sqlite-endpoint-store.ts';
import { EndpointError, type EndpointFields, type Endpoints } from '../../numbers/endpoints.ts';
import type { Registrar } from '../../network/sip/registrar.ts';
import type { ApiContext } from '../api-context.ts';
import { ApiError, invalidParam, notFound } from '../errors.ts';
import { asParams, has, int, optString, reqString, type Params } from '../params/coerce.ts';
import { buildMeta, DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT, type Query } from '../params/list-calls.ts';
import { META, NO_CONTENT, PAGING } from '../openapi-schemas.ts';
import type { RouteSchema } from '../openapi.ts';

/** What the routes need: the endpoints, the registrar (SIP only) and the domain of `sip_uri`. */
export interface EndpointsApi {
  readonly endpoints: Endpoints;
  readonly registrar?: Registrar;
  /** `host[:port]` endpoints register at: the engine's first SIP listen address, or a name of ours without SIP. */
  readonly sipDomain: string;
}

type EndpointParams = { authId: string; endpointId: string };

// The schemas document each route (api/openapi.ts); the handlers parse with api/params/coerce.ts.
const ENDPOINT = {
  title: 'Endpoint',
  type: 'object',
  required: ['alias', 'application', 'endpoint_id', 'password', 'resource_uri', 'sip_registered', 'sip_uri', 'sub_account', 'username'],
  properties: {
    api_id: { type: 'string' },
    alias: { type: 'string' },
    application: { type: ['string', 'null'], description: "The attached application's resource_uri" },
    endpoint_id: { type: 'string' },
    password: { type: 'string', description: 'A hash; it cannot be used to register' },
    resource_uri: { type: 'string' },
    sip_contact: { type: 'string' },
    sip_expires: { type: 'string' },
    sip_registered: { type: 'string', enum: ['true', 'false'] },
    sip_user_agent: { type: 'string' },
    sip_uri: { type: 'string' },
    sub_account: { type: ['string', 'null'] },
    username: { type: 'string' },
  },
} as const;
const ENDPOINT_FIELDS = {
  password: { type: 'string', minLength: 5, maxLength: 128 },
  alias: { type: 'string' },
  app_id: { type: 'string', description: "The application that answers the endpoint's outgoing calls; empty detaches it" },
  script: { type: 'string', description: "The simulated phone's behaviour when called (docs/endpoints.md)" },
} as const;
const CREATE_ENDPOINT: RouteSchema = {
  summary: 'Create a SIP endpoint (plivo.md, Endpoint; docs/endpoints.md)',
  operationId: 'createEndpoint',
  body: {
    title: 'EndpointParams',
    type: 'object',
    required: ['username', 'password', 'alias'],
    properties: { username: { type: 'string', pattern: '^[A-Za-z0-9]{1,40}$' }, ...ENDPOINT_FIELDS },
    examples: [{ username: 'alice', password: 'secret-pass', alias: 'Alice' }],
  },
  response: {
    201: {
      type: 'object',
      required: ['api_id', 'username', 'alias', 'message', 'endpoint_id'],
      properties: { api_id: { type: 'string' }, username: { type: 'string' }, alias: { type: 'string' }, message: { type: 'string' }, endpoint_id: { type: 'string' } },
    },
  },
};
const LIST_ENDPOINTS: RouteSchema = {
  summary: "The account's endpoints",
  operationId: 'listEndpoints',
  querystring: { type: 'object', properties: PAGING },
  response: {
    200: { title: 'EndpointList', type: 'object', required: ['api_id', 'meta', 'objects'], properties: { api_id: { type: 'string' }, meta: META, objects: { type: 'array', items: ENDPOINT } } },
  },
};
const UPDATE_ENDPOINT: RouteSchema = {
  summary: "Change an endpoint's password, alias, application or script",
  operationId: 'updateEndpoint',
  body: { title: 'EndpointUpdateParams', type: 'object', properties: ENDPOINT_FIELDS, examples: [{ alias: 'Alice B' }] },
  response: {
    202: { type: 'object', required: ['api_id', 'message'], properties: { api_id: { type: 'string' }, message: { type: 'string' }, alias: { type: 'string' } } },
  },
};

/** Plivo: "Only alphanumeric characters are accepted" (the suffix follows, so it stays a SIP user part). */
const USERNAME = /^[A-Za-z0-9]{1,40}$/;

export function endpointView(row: EndpointRow, authId: string, api: EndpointsApi): Record<string, unknown> {
  const binding = api.registrar?.live(row.username)[0];
  return {
    alias: row.alias,
    application: row.app_id ? `/v1/Account/${authId}/Application/${row.app_id}/` : null,
    endpoint_id: row.endpoint_id,
    // Plivo shows a hash here; ours is derived from the SHA-256 HA1 and cannot be used to register.
    password: createHash('sha256').update(`password-view:${row.ha1_sha256}`).digest('hex').slice(0, 32),
    resource_uri: `/v1/Account/${authId}/Endpoint/${row.endpoint_id}/`,
    ...(binding
      ? { sip_contact: binding.contact, sip_expires: formatTime(binding.expiresAt).replace('+00:00', ''), sip_registered: 'true', sip_user_agent: binding.userAgent ?? '' }
      : { sip_registered: 'false' }),
    sip_uri: `sip:${row.username}@${api.sipDomain}`,
    sub_account: row.account_id,
    username: row.username,
  };
}

export function endpointRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const base = '/v1/Account/:authId/Endpoint';
  const api = (): EndpointsApi => {
    if (!ctx.endpoints) throw new ApiError('SB_NOT_SUPPORTED', 'Endpoint: not available on this server');
    return ctx.endpoints;
  };
  const mine = (req: { account?: Parameters<typeof canSee>[0]; params: EndpointParams }): EndpointRow => {
    const row = api().endpoints.get(req.params.endpointId);
    if (!row || !canSee(req.account, row.account_id)) throw notFound('endpoint', req.params.endpointId);
    return row;
  };

  app.post<{ Params: { authId: string } }>(`${base}/`, { schema: CREATE_ENDPOINT }, async (req, reply) => {
    const p = asParams(req.body);
    const username = reqString(p, 'username', { maxLength: 40 });
    if (!USERNAME.test(username)) throw invalidParam('username', 'only letters and digits are accepted');
    const password = readPassword(p, true)!;
    const alias = readAlias(p, true)!;
    const appId = optString(p, 'app_id', { maxLength: 100 });
    const script = optString(p, 'script', { maxLength: 4000 });
    const row = await api()
      .endpoints.create({ username, password, alias, ...(appId !== undefined && { appId }), ...(script !== undefined && { script }) }, ownerOf(req.account))
      .catch(endpointError);
    return reply.code(201).send({ username: row.username, alias: row.alias, message: 'created', endpoint_id: row.endpoint_id, api_id: newId() });
  });

  app.get<{ Params: { authId: string }; Querystring: Query }>(`${base}/`, { schema: LIST_ENDPOINTS }, async (req) => {
    const q = req.query as Record<string, unknown>;
    const limit = int(q, 'limit', DEFAULT_LIST_LIMIT, { min: 1, max: MAX_LIST_LIMIT });
    const offset = int(q, 'offset', 0, { min: 0 });
    const account = scopeOf(req.account);
    const { rows, total } = api().endpoints.list({ limit, offset, ...(account !== undefined && { account }) });
    return {
      api_id: newId(),
      meta: buildMeta({ authId: req.params.authId, query: req.query, limit, offset, totalCount: total, resource: 'Endpoint' }),
      objects: rows.map((r) => endpointView(r, req.params.authId, api())),
    };
  });

  app.get<{ Params: EndpointParams }>(`${base}/:endpointId/`, { schema: { summary: 'One endpoint, with its registration', operationId: 'getEndpoint', response: { 200: ENDPOINT } } as RouteSchema }, async (req) => {
    return { api_id: newId(), ...endpointView(mine(req), req.params.authId, api()) };
  });

  app.post<{ Params: EndpointParams }>(`${base}/:endpointId/`, { schema: UPDATE_ENDPOINT }, async (req, reply) => {
    const row = mine(req);
    const p = asParams(req.body);
    const f: EndpointFields = {};
    const password = readPassword(p, false);
    if (password !== undefined) f.password = password;
    const alias = readAlias(p, false);
    if (alias !== undefined) f.alias = alias;
    // app_id given empty detaches the application; absent keeps it.
    if (Object.hasOwn(p, 'app_id')) f.appId = optString(p, 'app_id', { maxLength: 100 }) ?? null;
    if (Object.hasOwn(p, 'script')) f.script = optString(p, 'script', { maxLength: 4000 }) ?? null;
    const updated = await api().endpoints.update(row.endpoint_id, f).catch(endpointError);
    if (!updated) throw notFound('endpoint', req.params.endpointId);
    return reply.code(202).send({ message: 'changed', api_id: newId(), ...(alias !== undefined && { alias }) });
  });

  app.delete<{ Params: EndpointParams }>(`${base}/:endpointId/`, { schema: { summary: 'Delete an endpoint', response: { 204: NO_CONTENT } } as RouteSchema }, async (req, reply) => {
    const row = mine(req);
    if (!(await api().endpoints.remove(row.endpoint_id))) throw notFound('endpoint', req.params.endpointId);
    return reply.code(204).send();
  });
}

/** Plivo: at least five characters. Never trimmed: spaces are part of a password. */
function readPassword(p: Params, required: boolean): string | undefined {
  if (!has(p, 'password')) {
    if (required) reqString(p, 'password');
    return undefined;
  }
  const value = p['password'];
  if (typeof value !== 'string') throw invalidParam('password', 'must be a string');
  if (value.length < 5 || value.length > 128) throw invalidParam('password', 'must be 5 to 128 characters long');
  return value;
}

function readAlias(p: Params, required: boolean): string | undefined {
  return required ? reqString(p, 'alias', { maxLength: 100 }) : optString(p, 'alias', { maxLength: 100 });
}

function endpointError(err: unknown): never {
  if (err instanceof EndpointError) throw invalidParam(err.field, err.message);
  throw err;
}
