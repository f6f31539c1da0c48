/** The Application API (plivo.md §1.8): create, list, get, update, delete. */
import type { FastifyInstance } from 'fastify';
import { canSee, ownerOf, scopeOf } from '../../accounts/ownership.ts';
import type { Principal } from '../../accounts/principal.ts';
import { newId } from '../../util/ids.ts';
import { formatTime } from '../../util/time.ts';
import type { ApplicationRow } from '../../store/app-store.ts';
import type { ApiContext } from '../api-context.ts';
import { notFound } from '../errors.ts';
import { parseCreateApplication, parseUpdateApplication } from '../params/application.ts';
import { int, optString } from '../params/coerce.ts';
import { buildMeta, DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT, type Query } from '../params/list-calls.ts';
import { MESSAGE_RESPONSE, META, methodParam, NO_CONTENT, PAGING, urlParam } from '../openapi-schemas.ts';
import type { RouteSchema } from '../openapi.ts';

type AppParams = { authId: string; appId: string };

// The schemas document each route (api/openapi.ts); api/params/application.ts parses the bodies.
const APP_FIELDS = {
  app_name: { type: 'string', maxLength: 200 },
  answer_url: { ...urlParam, description: 'An absolute http(s) URL; "" clears it on update' },
  answer_method: methodParam,
  hangup_url: urlParam,
  hangup_method: methodParam,
  fallback_answer_url: urlParam,
  fallback_method: methodParam,
  message_url: urlParam,
  message_method: methodParam,
  default_number_app: { type: 'boolean' },
  default_endpoint_app: { type: 'boolean' },
  log_incoming_messages: { type: 'boolean' },
} as const;

const APPLICATION = {
  title: 'Application',
  type: 'object',
  required: ['app_id', 'app_name', 'answer_url', 'answer_method', 'hangup_url', 'hangup_method', 'fallback_answer_url', 'fallback_method', 'default_app', 'resource_uri', 'sub_account'],
  properties: {
    api_id: { type: 'string' },
    answer_method: { type: 'string' },
    answer_url: { type: 'string' },
    app_id: { type: 'string' },
    app_name: { type: 'string' },
    application_type: { type: 'string' },
    default_app: { type: 'boolean' },
    default_number_app: { type: 'boolean' },
    default_endpoint_app: { type: 'boolean' },
    enabled: { type: 'boolean' },
    fallback_answer_url: { type: 'string' },
    fallback_method: { type: 'string' },
    hangup_method: { type: 'string' },
    hangup_url: { type: 'string' },
    log_incoming_messages: { type: 'boolean' },
    message_method: { type: 'string' },
    message_url: { type: 'string' },
    public_uri: { type: 'boolean' },
    resource_uri: { type: 'string' },
    sip_uri: { type: 'string' },
    sub_account: { type: ['string', 'null'], description: 'The owning subaccount, null for the main account' },
    created_at: { type: 'string' },
    updated_at: { type: 'string' },
  },
} as const;

const CREATE_APP: RouteSchema = {
  summary: 'Create an application (plivo.md §1.8)',
  operationId: 'createApplication',
  body: {
    title: 'ApplicationParams',
    type: 'object',
    required: ['app_name'],
    properties: APP_FIELDS,
    examples: [{ app_name: 'demo', answer_url: 'http://127.0.0.1:3000/answer' }],
  },
  response: {
    201: { type: 'object', required: ['api_id', 'app_id', 'message'], properties: { api_id: { type: 'string' }, app_id: { type: 'string' }, message: { type: 'string' } } },
  },
};

const LIST_APPS: RouteSchema = {
  summary: "The account's applications",
  operationId: 'listApplications',
  querystring: { type: 'object', properties: { app_name: { type: 'string' }, ...PAGING } },
  response: {
    200: {
      title: 'ApplicationList',
      type: 'object',
      required: ['api_id', 'meta', 'objects'],
      properties: { api_id: { type: 'string' }, meta: META, objects: { type: 'array', items: APPLICATION } },
    },
  },
};

const UPDATE_APP: RouteSchema = {
  summary: 'Change an application: the fields given',
  operationId: 'updateApplication',
  body: { title: 'ApplicationUpdateParams', type: 'object', properties: APP_FIELDS, examples: [{ hangup_url: 'http://127.0.0.1:3000/hangup' }] },
  response: { 202: MESSAGE_RESPONSE },
};

/** Plivo's application object; Switchboard adds `default_number_app` (the same as `default_app`) and times. */
export function applicationView(row: ApplicationRow, authId: string): Record<string, unknown> {
  return {
    answer_method: row.answer_method,
    answer_url: row.answer_url ?? '',
    app_id: row.app_id,
    app_name: row.app_name,
    application_type: 'XML',
    default_app: row.default_number_app === 1,
    default_number_app: row.default_number_app === 1,
    default_endpoint_app: row.default_endpoint_app === 1,
    enabled: true,
    fallback_answer_url: row.fallback_answer_url ?? '',
    fallback_method: row.fallback_method,
    hangup_method: row.hangup_method,
    hangup_url: row.hangup_url ?? '',
    log_incoming_messages: row.log_incoming_messages === 1,
    message_method: row.message_method,
    message_url: row.message_url ?? '',
    public_uri: false,
    resource_uri: `/v1/Account/${authId}/Application/${row.app_id}/`,
    sip_uri: `sip:${row.app_id}@switchboard`,
    sub_account: row.account_id,
    created_at: formatTime(row.created_at),
    updated_at: formatTime(row.updated_at),
  };
}

export function applicationRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const base = '/v1/Account/:authId/Application';
  const apps = ctx.apps.applications;
  /** The application if the account may see it: another account's is not found (docs/accounts.md). */
  const appOf = async (account: Principal | undefined, appId: string) => {
    const row = await apps.get(appId);
    return row && canSee(account, row.account_id) ? row : undefined;
  };

  app.post(`${base}/`, { schema: CREATE_APP }, async (req, reply) => {
    const { appName, fields } = parseCreateApplication(req.body);
    const row = await apps.create(appName, fields, ownerOf(req.account));
    return reply.code(201).send({ api_id: newId(), app_id: row.app_id, message: 'created' });
  });

  app.get<{ Params: { authId: string }; Querystring: Query }>(`${base}/`, { schema: LIST_APPS }, async (req) => {
    const q = req.query as Record<string, unknown>;
    const limit = int(q, 'limit', DEFAULT_LIST_LIMIT, { min: 1, max: MAX_LIST_LIMIT });
    const offset = int(q, 'offset', 0, { min: 0 });
    const appName = optString(q, 'app_name');
    const scope = scopeOf(req.account);
    const { rows, total } = await apps.list({ limit, offset, ...(appName !== undefined && { appName }), ...(scope !== undefined && { account: scope }) });
    return {
      api_id: newId(),
      meta: buildMeta({ authId: req.params.authId, query: req.query, limit, offset, totalCount: total, resource: 'Application' }),
      objects: rows.map((r) => applicationView(r, req.params.authId)),
    };
  });

  app.get<{ Params: AppParams }>(`${base}/:appId/`, { schema: { summary: 'One application', operationId: 'getApplication', response: { 200: APPLICATION } } as RouteSchema }, async (req) => {
    const row = await appOf(req.account, req.params.appId);
    if (!row) throw notFound('application', req.params.appId);
    return { api_id: newId(), ...applicationView(row, req.params.authId) };
  });

  app.post<{ Params: AppParams }>(`${base}/:appId/`, { schema: UPDATE_APP }, async (req, reply) => {
    const fields = parseUpdateApplication(req.body);
    if (!(await appOf(req.account, req.params.appId))) throw notFound('application', req.params.appId);
    const row = await apps.update(req.params.appId, fields);
    if (!row) throw notFound('application', req.params.appId);
    return reply.code(202).send({ api_id: newId(), message: 'changed' });
  });

  app.delete<{ Params: AppParams }>(`${base}/:appId/`, { schema: { summary: 'Delete an application', response: { 204: NO_CONTENT } } as RouteSchema }, async (req, reply) => {
    if (!(await appOf(req.account, req.params.appId)) || !(await apps.remove(req.params.appId))) throw notFound('application', req.params.appId);
    return reply.code(204).send();
  });
}
