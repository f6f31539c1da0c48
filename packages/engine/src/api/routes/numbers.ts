/**
 * Numbers (plivo.md §1.8): `POST PhoneNumber/{number}/` adds a number to the account (Plivo's
 * "buy"; here: a DID that reaches the engine), `Number/` lists, `Number/{number}/` gets, updates
 * (attach an application or a flow) and deletes.
 */
import type { FastifyInstance } from 'fastify';
import { canSee, ownerOf, scopeOf } from '../../accounts/ownership.ts';
import type { Principal } from '../auth.ts';
import { newId } from '../../util/ids.ts';
import { formatTime } from '../../util/time.ts';
import type { PhoneNumberRow } from '../../store/app-store.ts';
import type { NumberFields } from '../../numbers/phone-numbers.ts';
import type { ApiContext } from '../api-context.ts';
import { conflict, invalidParam, notFound } from '../errors.ts';
import { checkNumber, parseNumberInput, parseNumberList, type NumberInput } from '../params/phone-number.ts';
import { buildMeta, type Query } from '../params/list-calls.ts';

type NumberParams = { authId: string; number: string };

export function numberView(row: PhoneNumberRow, authId: string): Record<string, unknown> {
  const application = row.app_id
    ? `/v1/Account/${authId}/Application/${row.app_id}/`
    : row.flow_id
      ? `/v1/Account/${authId}/Flow/${row.flow_id}/`
      : null;
  return {
    added_on: formatTime(row.added_at).slice(0, 10),
    alias: row.alias,
    app_id: row.app_id,
    application,
    carrier: 'Switchboard',
    city: '',
    country: '',
    flow_id: row.flow_id,
    monthly_rental_rate: '0.00000',
    number: row.number,
    number_type: row.number_type,
    region: '',
    resource_uri: `/v1/Account/${authId}/Number/${row.number}/`,
    sms_enabled: false,
    sub_account: row.account_id,
    voice_enabled: true,
  };
}

export function numberRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const { numbers, applications: apps, flows: allFlows } = ctx.apps;
  /** The number if the account may see it: another account's is not found (docs/accounts.md). */
  const numberOf = async (account: Principal | undefined, number: string) => {
    const row = await numbers.get(number);
    return row && canSee(account, row.account_id) ? row : undefined;
  };

  /** `app_id` names an application or a flow; check what it names before attaching it. */
  async function resolve(input: NumberInput, account: Principal | undefined): Promise<NumberFields> {
    // An account attaches its own applications and flows only: another's are not found.
    const applications = { get: async (id: string) => { const r = await apps.get(id); return r && canSee(account, r.account_id) ? r : undefined; } };
    const flows = { ...allFlows, get: async (id: string) => { const f = await allFlows.get(id); return f && canSee(account, f.row.account_id) ? f : undefined; }, takesCalls: allFlows.takesCalls.bind(allFlows) };
    const out: NumberFields = {};
    if (input.alias !== undefined) out.alias = input.alias;
    if (input.numberType !== undefined) out.numberType = input.numberType;
    if (input.appId === null) out.appId = null;
    if (input.flowId === null) out.flowId = null;
    if (typeof input.appId === 'string') {
      if (await applications.get(input.appId)) out.appId = input.appId;
      else if (await flows.get(input.appId)) out.flowId = input.appId;
      else throw invalidParam('app_id', `no application or flow has this id (${input.appId})`);
    }
    if (typeof input.flowId === 'string') {
      if (!(await flows.get(input.flowId))) throw invalidParam('flow_id', `no flow has this id (${input.flowId})`);
      out.flowId = input.flowId;
    }
    if (typeof out.flowId === 'string') {
      const found = await flows.get(out.flowId);
      if (found && !flows.takesCalls(found.flow)) {
        throw conflict(`flow ${out.flowId}: its Start node has no incoming_call transition, so it cannot answer a number's calls`);
      }
    }
    return out;
  }

  app.post<{ Params: NumberParams }>('/v1/Account/:authId/PhoneNumber/:number/', async (req, reply) => {
    const number = checkNumber(req.params.number);
    const fields = await resolve(parseNumberInput(req.body), req.account);
    const existing = await numbers.get(number);
    // One number, one owner: a number another account has is not available to add.
    if (existing && !canSee(req.account, existing.account_id)) throw conflict(`number ${number}: not available (it belongs to another account)`);
    const { row } = await numbers.add(number, fields, existing ? existing.account_id : ownerOf(req.account));
    return reply.code(201).send({ api_id: newId(), message: 'created', numbers: [{ number: row.number, status: 'Success' }], status: 'fulfilled' });
  });

  app.get<{ Params: { authId: string }; Querystring: Query }>('/v1/Account/:authId/Number/', async (req) => {
    const filter = parseNumberList(req.query as Record<string, unknown>);
    const scope = scopeOf(req.account);
    const { rows, total } = await numbers.list({ ...filter, ...(scope !== undefined ? { account: scope } : {}) });
    return {
      api_id: newId(),
      meta: buildMeta({ authId: req.params.authId, query: req.query, limit: filter.limit, offset: filter.offset, totalCount: total, resource: 'Number' }),
      objects: rows.map((r) => numberView(r, req.params.authId)),
    };
  });

  app.get<{ Params: NumberParams }>('/v1/Account/:authId/Number/:number/', async (req) => {
    const row = await numberOf(req.account, req.params.number);
    if (!row) throw notFound('number', req.params.number);
    return { api_id: newId(), ...numberView(row, req.params.authId) };
  });

  app.post<{ Params: NumberParams }>('/v1/Account/:authId/Number/:number/', async (req, reply) => {
    if (!(await numberOf(req.account, req.params.number))) throw notFound('number', req.params.number);
    const row = await numbers.update(req.params.number, await resolve(parseNumberInput(req.body), req.account));
    if (!row) throw notFound('number', req.params.number);
    return reply.code(202).send({ api_id: newId(), message: 'changed' });
  });

  app.delete<{ Params: NumberParams }>('/v1/Account/:authId/Number/:number/', async (req, reply) => {
    if (!(await numberOf(req.account, req.params.number)) || !(await numbers.remove(req.params.number))) throw notFound('number', req.params.number);
    return reply.code(204).send();
  });
}
