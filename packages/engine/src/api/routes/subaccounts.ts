/**
 * The Subaccount API at Plivo's paths and in Plivo's shapes (docs/accounts.md;
 * https://www.plivo.com/docs/account/api/subaccount): create, list, get, update, delete. Only the
 * main account manages subaccounts. Token rotation (`rotate_token=true`, here and on the Account
 * itself) is our own addition: Plivo rotates tokens only in its console.
 */
import type { FastifyInstance } from 'fastify';
import { newId } from '../../util/ids.ts';
import { asParams, bool, int, optBool, optString, reqString } from '../params/coerce.ts';
import { buildMeta, type Query } from '../params/list-calls.ts';
import { forbidden, invalidParam, notFound, notSupported } from '../errors.ts';
import type { ApiContext } from '../api-context.ts';
import type { Principal } from '../../accounts/principal.ts';
import type { Accounts } from '../../accounts/accounts.ts';
import type { SubaccountRow } from '../../store/account-store.ts';
import { isMain } from '../../accounts/ownership.ts';
import { META, NO_CONTENT, PAGING } from '../openapi-schemas.ts';
import type { RouteSchema } from '../openapi.ts';

type AccountParams = { authId: string };
type SubParams = { authId: string; subId: string };

const NAME_MAX = 255;

// The schemas document each route (api/openapi.ts); the handlers parse with api/params/coerce.ts.
const SUBACCOUNT = {
  title: 'Subaccount',
  type: 'object',
  required: ['account', 'auth_id', 'auth_token', 'created', 'enabled', 'modified', 'name', 'resource_uri'],
  properties: {
    api_id: { type: 'string' },
    account: { type: 'string' },
    auth_id: { type: 'string' },
    auth_token: { type: 'string' },
    created: { type: ['string', 'null'], description: 'YYYY-MM-DD' },
    enabled: { type: 'boolean' },
    modified: { type: ['string', 'null'], description: 'YYYY-MM-DD' },
    name: { type: 'string' },
    resource_uri: { type: 'string' },
  },
} as const;
const CREATE_SUB: RouteSchema = {
  summary: 'Create a subaccount (the main account only; docs/accounts.md)',
  operationId: 'createSubaccount',
  body: {
    title: 'SubaccountParams',
    type: 'object',
    required: ['name'],
    properties: { name: { type: 'string', maxLength: NAME_MAX }, enabled: { type: 'boolean', default: false } },
    examples: [{ name: 'team-a', enabled: true }],
  },
  response: {
    201: {
      type: 'object',
      required: ['api_id', 'auth_id', 'auth_token', 'message'],
      properties: { api_id: { type: 'string' }, auth_id: { type: 'string' }, auth_token: { type: 'string' }, message: { type: 'string' } },
    },
  },
};
const LIST_SUBS: RouteSchema = {
  summary: 'The subaccounts',
  operationId: 'listSubaccounts',
  querystring: { type: 'object', properties: PAGING },
  response: {
    200: {
      title: 'SubaccountList',
      type: 'object',
      required: ['api_id', 'meta', 'objects'],
      properties: { api_id: { type: 'string' }, meta: META, objects: { type: 'array', items: SUBACCOUNT } },
    },
  },
};
const UPDATE_SUB: RouteSchema = {
  summary: "Change a subaccount's name or enabled flag, or rotate its token",
  operationId: 'updateSubaccount',
  body: {
    title: 'SubaccountUpdateParams',
    type: 'object',
    properties: { name: { type: 'string', maxLength: NAME_MAX }, enabled: { type: 'boolean' }, rotate_token: { type: 'boolean' } },
    examples: [{ name: 'team-b' }],
  },
  response: {
    202: {
      type: 'object',
      required: ['api_id', 'message'],
      properties: { api_id: { type: 'string' }, message: { type: 'string' }, auth_token: { type: 'string' } },
    },
  },
};
const DELETE_SUB: RouteSchema = {
  summary: 'Delete a subaccount; cascade=true deletes its applications and numbers, else they pass to the main account',
  querystring: { type: 'object', properties: { cascade: { type: 'boolean', default: false } } },
  response: { 204: NO_CONTENT },
};

/** Plivo shows `created` / `modified` as dates (`2022-09-05`). */
function day(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString().slice(0, 10);
}

export function subaccountView(row: SubaccountRow, mainAuthId: string): Record<string, unknown> {
  return {
    account: `/v1/Account/${mainAuthId}/`,
    auth_id: row.auth_id,
    auth_token: row.auth_token,
    created: day(row.created_at),
    enabled: row.enabled === 1,
    modified: day(row.modified_at),
    name: row.name,
    resource_uri: `/v1/Account/${mainAuthId}/Subaccount/${row.auth_id}/`,
  };
}

export function subaccountRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const base = '/v1/Account/:authId/Subaccount';

  /** The engine's accounts, for the main account only: a subaccount is told 403. */
  const manager = (account: Principal | undefined): Accounts => {
    if (!isMain(account)) throw forbidden('only the main account manages subaccounts');
    if (!ctx.accounts) throw notSupported('Subaccount', 'this server has no account store');
    return ctx.accounts;
  };
  const subOf = (accounts: Accounts, subId: string): SubaccountRow => {
    const row = accounts.get(subId);
    if (!row) throw notFound('subaccount', subId);
    return row;
  };

  app.post<{ Params: AccountParams }>(`${base}/`, { schema: CREATE_SUB }, async (req, reply) => {
    const accounts = manager(req.account);
    const p = asParams(req.body);
    const name = reqString(p, 'name', { maxLength: NAME_MAX });
    if (name === '') throw invalidParam('name', 'must not be empty');
    // Plivo: "enabled ... Defaults to false."
    const row = await accounts.create({ name, enabled: bool(p, 'enabled', false) });
    return reply.code(201).send({ api_id: newId(), auth_id: row.auth_id, auth_token: row.auth_token, message: 'created' });
  });

  app.get<{ Params: AccountParams; Querystring: Query }>(`${base}/`, { schema: LIST_SUBS }, async (req) => {
    const accounts = manager(req.account);
    const p = asParams(req.query);
    const limit = int(p, 'limit', 20, { min: 1, max: 20 });
    const offset = int(p, 'offset', 0, { min: 0 });
    const { rows, total } = accounts.list({ limit, offset });
    return {
      api_id: newId(),
      meta: buildMeta({ authId: req.params.authId, query: req.query, limit, offset, totalCount: total, resource: 'Subaccount' }),
      objects: rows.map((r) => subaccountView(r, req.params.authId)),
    };
  });

  app.get<{ Params: SubParams }>(`${base}/:subId/`, { schema: { summary: 'One subaccount', operationId: 'getSubaccount', response: { 200: SUBACCOUNT } } as RouteSchema }, async (req) => {
    const accounts = manager(req.account);
    return { api_id: newId(), ...subaccountView(subOf(accounts, req.params.subId), req.params.authId) };
  });

  app.post<{ Params: SubParams }>(`${base}/:subId/`, { schema: UPDATE_SUB }, async (req, reply) => {
    const accounts = manager(req.account);
    subOf(accounts, req.params.subId);
    const p = asParams(req.body);
    const name = optString(p, 'name', { maxLength: NAME_MAX });
    if (name === '') throw invalidParam('name', 'must not be empty');
    const enabled = optBool(p, 'enabled');
    const rotateToken = optBool(p, 'rotate_token') ?? false;
    const row = await accounts.update(req.params.subId, { ...(name !== undefined ? { name } : {}), ...(enabled !== undefined ? { enabled } : {}), rotateToken });
    if (!row) throw notFound('subaccount', req.params.subId);
    return reply.code(202).send({ api_id: newId(), message: 'changed', ...(rotateToken ? { auth_token: row.auth_token } : {}) });
  });

  app.delete<{ Params: SubParams }>(`${base}/:subId/`, { schema: DELETE_SUB }, async (req, reply) => {
    const accounts = manager(req.account);
    subOf(accounts, req.params.subId);
    // Plivo: cascade=true deletes the subaccount's applications and numbers; false (the default) hands them to the main account.
    const cascade = bool(asParams({ ...(req.query as object), ...(req.body as object | undefined) }), 'cascade', false);
    await accounts.remove(req.params.subId, cascade);
    return reply.code(204).send();
  });

  // Rotating an account's own token is on the Account resource (routes/account.ts).
}
