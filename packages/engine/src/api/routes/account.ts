/**
 * The Account resource (https://www.plivo.com/docs/account/api/account): `GET /v1/Account/{auth_id}/`
 * answers the account's details in Plivo's shape, `POST` changes `name`, `city`, `address`, `state`
 * and `timezone` (`{"message": "changed"}`). Calls cost nothing here, so the billing fields say so:
 * `billing_mode` postpaid and no cash credit to run out of. `rotate_token=true` is our addition
 * (docs/accounts.md): Plivo rotates tokens only in its console.
 */
import type { FastifyInstance } from 'fastify';
import { newId } from '../../util/ids.ts';
import { asParams, optBool, optString } from '../params/coerce.ts';
import { invalidParam, notSupported } from '../errors.ts';
import type { ApiContext } from '../api-context.ts';
import { isMain } from '../../accounts/ownership.ts';
import type { RouteSchema } from '../openapi.ts';

type AccountParams = { authId: string };

// The schemas document each route (api/openapi.ts); the handlers parse with api/params/coerce.ts.
const profileField = { type: 'string', maxLength: 255 } as const;
const GET_ACCOUNT: RouteSchema = {
  summary: "The account's details in Plivo's shape (billing fields: nothing is billed)",
  operationId: 'getAccount',
  response: {
    200: {
      title: 'Account',
      type: 'object',
      required: ['api_id', 'auth_id', 'name', 'resource_uri', 'timezone'],
      properties: {
        account_type: { type: 'string' }, address: { type: 'string' }, api_id: { type: 'string' }, auth_id: { type: 'string' },
        auto_recharge: { type: 'boolean' }, billing_mode: { type: 'string' }, cash_credits: { type: 'string' }, city: { type: 'string' },
        name: { type: 'string' }, resource_uri: { type: 'string' }, state: { type: 'string' }, timezone: { type: 'string' },
      },
    },
  },
};
const UPDATE_ACCOUNT: RouteSchema = {
  summary: "Change the account's details; rotate_token=true issues a new auth_token (docs/accounts.md)",
  operationId: 'updateAccount',
  body: {
    title: 'AccountUpdateParams',
    type: 'object',
    properties: { name: profileField, city: profileField, address: profileField, state: profileField, timezone: { type: 'string', description: 'An IANA time zone' }, rotate_token: { type: 'boolean' } },
    examples: [{ name: 'Switchboard demo' }],
  },
  response: {
    202: {
      type: 'object',
      required: ['api_id', 'message'],
      properties: { api_id: { type: 'string' }, message: { type: 'string' }, auth_token: { type: 'string', description: 'The new token, with rotate_token=true' } },
    },
  },
};

/** What an account keeps of its holder; the main account's lives in the settings table. */
interface Profile {
  name: string;
  city: string;
  address: string;
  state: string;
  timezone: string;
}

const PROFILE_KEY = 'account_profile';
const FIELDS = ['name', 'city', 'address', 'state', 'timezone'] as const;
const FIELD_MAX = 255;

function defaults(): Profile {
  return { name: '', city: '', address: '', state: '', timezone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC' };
}

async function readProfile(ctx: ApiContext): Promise<Profile> {
  const text = await ctx.store.getSetting(PROFILE_KEY);
  if (text === undefined) return defaults();
  try {
    return { ...defaults(), ...(JSON.parse(text) as Partial<Profile>) };
  } catch {
    return defaults();
  }
}

function validTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export function accountRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get<{ Params: AccountParams }>('/v1/Account/:authId/', { schema: GET_ACCOUNT }, async (req) => {
    const account = req.account!;
    const profile = await readProfile(ctx);
    const name = isMain(account) ? profile.name : (ctx.accounts?.get(account.authId)?.name ?? '');
    return {
      account_type: 'standard',
      address: isMain(account) ? profile.address : '',
      api_id: newId(),
      auth_id: account.authId,
      auto_recharge: false,
      billing_mode: 'postpaid',
      cash_credits: '0.00000',
      city: isMain(account) ? profile.city : '',
      name,
      resource_uri: `/v1/Account/${account.authId}/`,
      state: isMain(account) ? profile.state : '',
      timezone: profile.timezone,
    };
  });

  app.post<{ Params: AccountParams }>('/v1/Account/:authId/', { schema: UPDATE_ACCOUNT }, async (req, reply) => {
    const account = req.account!;
    const p = asParams(req.body);
    const changes: Partial<Profile> = {};
    for (const field of FIELDS) {
      const value = optString(p, field, { maxLength: FIELD_MAX });
      if (value !== undefined) changes[field] = value;
    }
    if (changes.timezone !== undefined && !validTimezone(changes.timezone)) throw invalidParam('timezone', `not an IANA time zone: "${changes.timezone}"`);
    const rotate = optBool(p, 'rotate_token') === true;
    if (Object.keys(changes).length > 0) {
      if (isMain(account)) {
        await ctx.store.setSetting(PROFILE_KEY, JSON.stringify({ ...(await readProfile(ctx)), ...changes }));
      } else {
        // A subaccount's details are its name (the Subaccount resource); the rest is the main account's.
        const others = Object.keys(changes).filter((k) => k !== 'name');
        if (others.length > 0) throw invalidParam(others[0]!, 'a subaccount keeps only its name; the other details are the main account\'s');
        await ctx.accounts?.update(account.authId, { name: changes.name! });
      }
    }
    let token: string | undefined;
    if (rotate) {
      if (!ctx.accounts) throw notSupported('rotate_token', 'this server has no account store');
      token = isMain(account) ? await ctx.accounts.rotateMain() : (await ctx.accounts.update(account.authId, { rotateToken: true }))!.auth_token;
    }
    return reply.code(202).send({ api_id: newId(), message: 'changed', ...(token !== undefined ? { auth_token: token } : {}) });
  });
}
