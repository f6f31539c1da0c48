/**
 * Numbers (plivo.md §1.8): `GET PhoneNumber/` searches the simulated inventory
 * (numbers/inventory.ts), `POST PhoneNumber/{number}/` adds a number to the account (Plivo's
 * "buy"; here: an inventory number or any DID that reaches the engine), `POST Number/` adds the
 * account's own numbers from its carrier, `Number/` lists, `Number/{number}/` gets, updates
 * (attach an application or a flow) and deletes.
 */
import type { FastifyInstance } from 'fastify';
import { canSee, ownerOf, scopeOf } from '../../accounts/ownership.ts';
import type { Principal } from '../../accounts/principal.ts';
import { newId } from '../../util/ids.ts';
import { formatTime } from '../../util/time.ts';
import type { PhoneNumberRow } from '../../store/app-store.ts';
import type { NumberFields } from '../../numbers/phone-numbers.ts';
import type { ApiContext } from '../api-context.ts';
import { conflict, invalidParam, notFound } from '../errors.ts';
import { checkNumber, parseAddOwnNumbers, parseNumberInput, parseNumberList, parseNumberSearch, type NumberInput } from '../params/phone-number.ts';
import { dialCodeOf, findInventoryNumber, regionText, rentalOf, searchInventory, searchTypeOf, type InventoryNumber } from '../../numbers/inventory.ts';
import { isMain } from '../../accounts/ownership.ts';
import { buildMeta, type Query } from '../params/list-calls.ts';
import { MESSAGE_RESPONSE, META, NO_CONTENT, PAGING } from '../openapi-schemas.ts';
import type { RouteSchema } from '../openapi.ts';

type NumberParams = { authId: string; number: string };

// The schemas document each route (api/openapi.ts); api/params/phone-number.ts parses the requests.
const S = { type: 'string' } as const;
const S_NULL = { type: ['string', 'null'] } as const;
const NUMBER = {
  title: 'PhoneNumber',
  type: 'object',
  required: ['added_on', 'alias', 'app_id', 'application', 'carrier', 'number', 'number_type', 'resource_uri', 'sub_account', 'voice_enabled'],
  properties: {
    api_id: S, added_on: { type: 'string', description: 'YYYY-MM-DD' }, alias: S_NULL, app_id: S_NULL,
    application: { type: ['string', 'null'], description: "The attached application's (or flow's) resource_uri" }, carrier: S, city: S, country: S,
    flow_id: S_NULL, monthly_rental_rate: S, number: S, number_type: S, region: S, resource_uri: S, sms_enabled: { type: 'boolean' }, sms_rate: S,
    sub_account: S_NULL, sub_account_name: S_NULL, voice_enabled: { type: 'boolean' }, voice_rate: S,
  },
} as const;
const INVENTORY_NUMBER = {
  title: 'AvailableNumber',
  type: 'object',
  required: ['number', 'country', 'region', 'type', 'resource_uri'],
  properties: {
    city: S, country: S, lata: { type: ['integer', 'null'] }, mms_enabled: { type: 'boolean' }, mms_rate: S_NULL, monthly_rental_rate: S, number: S,
    prefix: S, rate_center: S_NULL, region: S, resource_uri: S, restriction: S_NULL, restriction_text: S_NULL, setup_rate: S,
    sms_enabled: { type: 'boolean' }, sms_rate: S_NULL, sub_type: S, type: S, voice_enabled: { type: 'boolean' }, voice_rate: S,
  },
} as const;
const list = (title: string, items: object) => ({ title, type: 'object', required: ['api_id', 'meta', 'objects'], properties: { api_id: S, meta: META, objects: { type: 'array', items } } });
const NUMBER_INPUT = {
  title: 'NumberUpdateParams',
  type: 'object',
  properties: {
    alias: { type: 'string', maxLength: 200 },
    number_type: { type: 'string', description: 'local, tollfree, mobile, national or fixed' },
    app_id: { type: 'string', description: 'An application or a flow; empty detaches' },
    flow_id: { type: 'string', description: 'A flow; empty detaches' },
  },
  examples: [{ alias: 'front desk' }],
} as const;
const SEARCH: RouteSchema = {
  summary: 'Search the simulated inventory for numbers to rent (plivo.md §1.8)',
  operationId: 'searchNumbers',
  querystring: {
    type: 'object',
    required: ['country_iso'],
    properties: {
      country_iso: { type: 'string', pattern: '^[A-Za-z]{2}$', examples: ['US'] },
      type: { type: 'string' },
      pattern: { type: 'string', description: 'Digits, * for any digit, after the country code' },
      region: S, services: { type: 'string', description: 'voice, sms, mms, comma-separated' }, lata: { type: 'integer', minimum: 0 }, rate_center: S, city: S,
      ...PAGING,
    },
  },
  response: { 200: list('AvailableNumberList', INVENTORY_NUMBER) },
};
const RENT: RouteSchema = {
  summary: 'Rent a number (from the search) or add one the engine is reached on',
  operationId: 'rentNumber',
  body: NUMBER_INPUT,
  response: {
    201: {
      type: 'object',
      required: ['api_id', 'message', 'numbers', 'status'],
      properties: { api_id: S, message: S, status: S, numbers: { type: 'array', items: { type: 'object', required: ['number', 'status'], properties: { number: S, status: S } } } },
    },
  },
};
const ADD_OWN: RouteSchema = {
  summary: "Add the account's own numbers from its carrier (plivo.md §1.8)",
  operationId: 'addOwnNumbers',
  body: {
    title: 'AddOwnNumbersParams',
    type: 'object',
    required: ['numbers', 'carrier', 'region'],
    properties: {
      numbers: { type: 'string', description: 'Up to 100 numbers, comma-separated' },
      carrier: { type: 'string', maxLength: 100 },
      region: { type: 'string', maxLength: 100 },
      number_type: { type: 'string', default: 'local' },
      app_id: S,
      subaccount: S,
    },
    examples: [{ numbers: '15557770001', carrier: 'Acme Telecom', region: 'California' }],
  },
  response: { 202: MESSAGE_RESPONSE },
};
const LIST_NUMBERS: RouteSchema = {
  summary: "The account's numbers",
  operationId: 'listNumbers',
  querystring: { type: 'object', properties: { type: S, number_startswith: S, alias: S, ...PAGING } },
  response: { 200: list('PhoneNumberList', NUMBER) },
};

/**
 * A Number object with the keys Plivo's recorded answers have (plivo-node request-test
 * `Number/`: `added_on`, `alias`, `application`, `carrier`, `monthly_rental_rate`, `number`,
 * `number_type`, `region`, `resource_uri`, `sms_enabled`, `sms_rate`, `sub_account`,
 * `sub_account_name`, `voice_enabled`, `voice_rate`) plus `app_id`, `flow_id` and the others the
 * SDK reads. An inventory number shows the inventory's country, region and rental.
 */
export function numberView(row: PhoneNumberRow, authId: string, subaccountName: string | null = null): Record<string, unknown> {
  const application = row.app_id
    ? `/v1/Account/${authId}/Application/${row.app_id}/`
    : row.flow_id
      ? `/v1/Account/${authId}/Flow/${row.flow_id}/`
      : null;
  const stock = findInventoryNumber(row.number);
  const sms = stock?.services.includes('sms') ?? false;
  return {
    added_on: formatTime(row.added_at).slice(0, 10),
    alias: row.alias,
    app_id: row.app_id,
    application,
    carrier: row.carrier ?? 'Switchboard',
    city: stock?.range.city ?? '',
    country: stock?.country.name ?? '',
    flow_id: row.flow_id,
    monthly_rental_rate: stock ? rentalOf(stock) : '0.00000',
    number: row.number,
    number_type: row.number_type,
    region: row.region ?? (stock ? regionText(stock) : ''),
    resource_uri: `/v1/Account/${authId}/Number/${row.number}/`,
    sms_enabled: sms,
    sms_rate: '0.00000',
    sub_account: row.account_id,
    sub_account_name: subaccountName,
    voice_enabled: true,
    voice_rate: '0.00000',
  };
}

/** A search result with the keys Plivo's answers have (plivo-node request-test `PhoneNumber/`). */
export function inventoryView(n: InventoryNumber, authId: string): Record<string, unknown> {
  const sms = n.services.includes('sms');
  const mms = n.services.includes('mms');
  return {
    city: n.range.city ?? '',
    country: n.country.name,
    lata: n.range.lata ?? null,
    mms_enabled: mms,
    mms_rate: mms ? '0.00000' : null,
    monthly_rental_rate: rentalOf(n),
    number: n.number,
    prefix: n.range.prefix,
    rate_center: n.range.rateCenter ?? null,
    region: regionText(n),
    resource_uri: `/v1/Account/${authId}/PhoneNumber/${n.number}/`,
    restriction: null,
    restriction_text: null,
    setup_rate: '0.00000',
    sms_enabled: sms,
    sms_rate: sms ? '0.00000' : null,
    sub_type: n.range.type,
    type: searchTypeOf(n),
    voice_enabled: true,
    voice_rate: '0.00000',
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

  const subName = (row: PhoneNumberRow): string | null => (row.account_id ? (ctx.accounts?.get(row.account_id)?.name ?? null) : null);

  // Search (plivo.md §1.8): the simulated inventory, less the numbers some account already has.
  app.get<{ Params: { authId: string }; Querystring: Query }>('/v1/Account/:authId/PhoneNumber/', { schema: SEARCH }, async (req) => {
    const q = parseNumberSearch(req.query as Record<string, unknown>);
    const dial = dialCodeOf(q.countryIso);
    const taken = new Set<string>();
    if (dial !== undefined && !q.national) {
      const { rows } = await numbers.list({ numberStartswith: dial, limit: 1_000_000, offset: 0 });
      for (const r of rows) taken.add(r.number);
    }
    const { limit, offset, national: _national, ...search } = q;
    const found = q.national ? [] : searchInventory({ ...search, taken });
    return {
      api_id: newId(),
      meta: buildMeta({ authId: req.params.authId, query: req.query, limit, offset, totalCount: found.length, resource: 'PhoneNumber' }),
      objects: found.slice(offset, offset + limit).map((n) => inventoryView(n, req.params.authId)),
    };
  });

  app.post<{ Params: NumberParams }>('/v1/Account/:authId/PhoneNumber/:number/', { schema: RENT }, async (req, reply) => {
    const number = checkNumber(req.params.number);
    const fields = await resolve(parseNumberInput(req.body), req.account);
    // An inventory number comes with its type; any other number is a DID the engine is reached on.
    const stock = findInventoryNumber(number.replace(/^\+/, ''));
    if (stock && fields.numberType === undefined) fields.numberType = stock.range.type;
    const existing = await numbers.get(number);
    // One number, one owner: a number another account has is not available to add.
    if (existing && !canSee(req.account, existing.account_id)) throw conflict(`number ${number}: not available (it belongs to another account)`);
    const { row } = await numbers.add(number, fields, existing ? existing.account_id : ownerOf(req.account));
    return reply.code(201).send({ api_id: newId(), message: 'created', numbers: [{ number: row.number, status: 'Success' }], status: 'fulfilled' });
  });

  // Add-own-number (plivo.md §1.8): the account's numbers from its own carrier, 202 "changed" as Plivo answers.
  app.post<{ Params: { authId: string } }>('/v1/Account/:authId/Number/', { schema: ADD_OWN }, async (req, reply) => {
    const input = parseAddOwnNumbers(req.body);
    let owner = ownerOf(req.account);
    if (input.subaccount !== undefined) {
      // "This can only be performed by a main account holder."
      if (!isMain(req.account)) throw invalidParam('subaccount', 'only the main account can add numbers to a subaccount');
      if (!ctx.accounts?.get(input.subaccount)) throw invalidParam('subaccount', `no subaccount has this auth_id (${input.subaccount})`);
      owner = input.subaccount;
    }
    const fields = await resolve({ numberType: input.numberType, ...(input.appId !== undefined && { appId: input.appId }) }, req.account);
    for (const number of input.numbers) {
      const existing = await numbers.get(number);
      if (existing && !canSee(req.account, existing.account_id)) throw conflict(`number ${number}: not available (it belongs to another account)`);
    }
    for (const number of input.numbers) await numbers.add(number, { ...fields, carrier: input.carrier, region: input.region }, owner);
    return reply.code(202).send({ api_id: newId(), message: 'changed' });
  });

  app.get<{ Params: { authId: string }; Querystring: Query }>('/v1/Account/:authId/Number/', { schema: LIST_NUMBERS }, async (req) => {
    const filter = parseNumberList(req.query as Record<string, unknown>);
    const scope = scopeOf(req.account);
    const { rows, total } = await numbers.list({ ...filter, ...(scope !== undefined ? { account: scope } : {}) });
    return {
      api_id: newId(),
      meta: buildMeta({ authId: req.params.authId, query: req.query, limit: filter.limit, offset: filter.offset, totalCount: total, resource: 'Number' }),
      objects: rows.map((r) => numberView(r, req.params.authId, subName(r))),
    };
  });

  app.get<{ Params: NumberParams }>('/v1/Account/:authId/Number/:number/', { schema: { summary: 'One of the account\'s numbers', operationId: 'getNumber', response: { 200: NUMBER } } as RouteSchema }, async (req) => {
    const row = await numberOf(req.account, req.params.number);
    if (!row) throw notFound('number', req.params.number);
    return { api_id: newId(), ...numberView(row, req.params.authId, subName(row)) };
  });

  app.post<{ Params: NumberParams }>('/v1/Account/:authId/Number/:number/', { schema: { summary: 'Change a number: alias, type, its application or flow', operationId: 'updateNumber', body: NUMBER_INPUT, response: { 202: MESSAGE_RESPONSE } } as RouteSchema }, async (req, reply) => {
    if (!(await numberOf(req.account, req.params.number))) throw notFound('number', req.params.number);
    const row = await numbers.update(req.params.number, await resolve(parseNumberInput(req.body), req.account));
    if (!row) throw notFound('number', req.params.number);
    return reply.code(202).send({ api_id: newId(), message: 'changed' });
  });

  app.delete<{ Params: NumberParams }>('/v1/Account/:authId/Number/:number/', { schema: { summary: 'Release a number', response: { 204: NO_CONTENT } } as RouteSchema }, async (req, reply) => {
    if (!(await numberOf(req.account, req.params.number)) || !(await numbers.remove(req.params.number))) throw notFound('number', req.params.number);
    return reply.code(204).send();
  });
}
