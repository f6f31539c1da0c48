/** The Application API (plivo.md §1.8): create, list, get, update, delete. */
import type { FastifyInstance } from 'fastify';
import { canSee, ownerOf, scopeOf } from '../../accounts/ownership.ts';
import type { Principal } from '../auth.ts';
import { newId } from '../../util/ids.ts';
import { formatTime } from '../../util/time.ts';
import type { ApplicationRow } from '../../store/app-store.ts';
import type { ApiContext } from '../api-context.ts';
import { notFound } from '../errors.ts';
import { parseCreateApplication, parseUpdateApplication } from '../params/application.ts';
import { int, optString } from '../params/coerce.ts';
import { buildMeta, DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT, type Query } from '../params/list-calls.ts';

type AppParams = { authId: string; appId: string };

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

  app.post(`${base}/`, async (req, reply) => {
    const { appName, fields } = parseCreateApplication(req.body);
    const row = await apps.create(appName, fields, ownerOf(req.account));
    return reply.code(201).send({ api_id: newId(), app_id: row.app_id, message: 'created' });
  });

  app.get<{ Params: { authId: string }; Querystring: Query }>(`${base}/`, async (req) => {
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

  app.get<{ Params: AppParams }>(`${base}/:appId/`, async (req) => {
    const row = await appOf(req.account, req.params.appId);
    if (!row) throw notFound('application', req.params.appId);
    return { api_id: newId(), ...applicationView(row, req.params.authId) };
  });

  app.post<{ Params: AppParams }>(`${base}/:appId/`, async (req, reply) => {
    const fields = parseUpdateApplication(req.body);
    if (!(await appOf(req.account, req.params.appId))) throw notFound('application', req.params.appId);
    const row = await apps.update(req.params.appId, fields);
    if (!row) throw notFound('application', req.params.appId);
    return reply.code(202).send({ api_id: newId(), message: 'changed' });
  });

  app.delete<{ Params: AppParams }>(`${base}/:appId/`, async (req, reply) => {
    if (!(await appOf(req.account, req.params.appId)) || !(await apps.remove(req.params.appId))) throw notFound('application', req.params.appId);
    return reply.code(204).send();
  });
}
