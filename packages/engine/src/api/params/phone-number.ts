/**
 * Numbers (plivo.md §1.8): `POST PhoneNumber/{number}/` adds one, `POST Number/{number}/` updates
 * it, `GET Number/` lists with Plivo's filters. `app_id` may name an application or a flow (as a
 * PHLO's id is attached on Plivo); `flow_id` is Switchboard's explicit spelling. "" or null detaches.
 */
import type { NumberFilter } from '../../store/app-store.ts';
import type { InventorySearch, InventoryType, Service } from '../../numbers/inventory.ts';
import { isDialable, normalizeNumber } from '../../util/phone.ts';
import { invalidParam, missingParam } from '../errors.ts';
import { asParams, int, optInt, optString, raw, reqString, type Params } from './coerce.ts';
import { DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT } from './list-calls.ts';

export interface NumberInput {
  alias?: string | null;
  numberType?: string;
  /** An application or flow id; null detaches. */
  appId?: string | null;
  flowId?: string | null;
}

export const NUMBER_TYPES = ['local', 'tollfree', 'mobile', 'national', 'fixed', 'sip'] as const;

function target(p: Params, name: string): string | null | undefined {
  const v = raw(p, name);
  if (Object.hasOwn(p, name) && (v === null || (typeof v === 'string' && v.trim() === ''))) return null;
  return optString(p, name, { maxLength: 64 });
}

export function checkNumber(number: string): string {
  if (!isDialable(number)) throw invalidParam('number', `must be a phone number or SIP URI (got ${JSON.stringify(number.slice(0, 40))})`);
  return number;
}

export function parseNumberInput(body: unknown): NumberInput {
  const p = asParams(body);
  const out: NumberInput = {};
  const alias = raw(p, 'alias');
  if (Object.hasOwn(p, 'alias')) out.alias = alias === null || alias === '' ? null : (optString(p, 'alias', { maxLength: 200 }) ?? null);
  const type = optString(p, 'number_type');
  if (type !== undefined) {
    const t = NUMBER_TYPES.find((n) => n === type.toLowerCase());
    if (!t) throw invalidParam('number_type', `must be one of ${NUMBER_TYPES.join(', ')} (got ${JSON.stringify(type)})`);
    out.numberType = t;
  }
  const appId = target(p, 'app_id');
  if (appId !== undefined) out.appId = appId;
  const flowId = target(p, 'flow_id');
  if (flowId !== undefined) out.flowId = flowId;
  if (typeof out.appId === 'string' && typeof out.flowId === 'string') throw invalidParam('flow_id', 'give app_id or flow_id, not both (a number runs one of them)');
  return out;
}

export function parseNumberList(query: Record<string, unknown>): NumberFilter {
  const p: Params = query;
  const f: NumberFilter = {
    limit: int(p, 'limit', DEFAULT_LIST_LIMIT, { min: 1, max: MAX_LIST_LIMIT }),
    offset: int(p, 'offset', 0, { min: 0 }),
  };
  const type = optString(p, 'type');
  if (type !== undefined) f.type = type.toLowerCase();
  const starts = optString(p, 'number_startswith');
  if (starts !== undefined) {
    if (!/^\+?\d{1,20}$/.test(starts)) throw invalidParam('number_startswith', 'must be digits');
    f.numberStartswith = starts;
  }
  const alias = optString(p, 'alias');
  if (alias !== undefined) f.alias = alias;
  const appId = optString(p, 'app_id');
  if (appId !== undefined) f.appId = appId;
  return f;
}

export interface NumberSearchRequest extends Omit<InventorySearch, 'taken'> {
  limit: number;
  offset: number;
}

/** Plivo's search types; `fixed` is its name for local, `any` (or none) searches every type. */
const SEARCH_TYPES: Readonly<Record<string, InventoryType | undefined>> = { local: 'local', fixed: 'local', tollfree: 'tollfree', mobile: 'mobile', national: undefined, any: undefined };
const SERVICES: readonly Service[] = ['voice', 'sms', 'mms'];

/**
 * `GET PhoneNumber/` (Plivo's number search, plivo.md §1.8): `country_iso` is required; `type`,
 * `pattern` (digits, `*` for any digit, matched after the country code), `region`, `services`
 * (`voice`, `sms`, `mms`, comma-separated: each must be offered), `lata`, `rate_center`, `city`.
 */
export function parseNumberSearch(query: Record<string, unknown>): NumberSearchRequest & { national: boolean } {
  const p: Params = query;
  const iso = optString(p, 'country_iso');
  if (iso === undefined) throw missingParam('country_iso');
  if (!/^[A-Za-z]{2}$/.test(iso)) throw invalidParam('country_iso', `must be an ISO 3166-1 alpha-2 code like US (got ${JSON.stringify(iso.slice(0, 20))})`);
  const out: NumberSearchRequest & { national: boolean } = {
    countryIso: iso.toUpperCase(),
    limit: int(p, 'limit', DEFAULT_LIST_LIMIT, { min: 1, max: MAX_LIST_LIMIT }),
    offset: int(p, 'offset', 0, { min: 0 }),
    national: false,
  };
  const type = optString(p, 'type');
  if (type !== undefined) {
    const key = type.toLowerCase();
    if (!Object.hasOwn(SEARCH_TYPES, key)) throw invalidParam('type', `must be one of ${Object.keys(SEARCH_TYPES).join(', ')} (got ${JSON.stringify(type.slice(0, 20))})`);
    const t = SEARCH_TYPES[key];
    if (t !== undefined) out.type = t;
    // The inventory has no national numbers: a search for them finds none, as on a country without them.
    out.national = key === 'national';
  }
  const pattern = optString(p, 'pattern');
  if (pattern !== undefined) {
    if (!/^[0-9*]{1,15}$/.test(pattern)) throw invalidParam('pattern', `must be digits, with * for any one digit (got ${JSON.stringify(pattern.slice(0, 20))})`);
    out.pattern = pattern;
  }
  const services = optString(p, 'services');
  if (services !== undefined) {
    const list = services.split(',').map((s) => s.trim().toLowerCase()).filter((s) => s !== '');
    const bad = list.find((s) => !SERVICES.includes(s as Service));
    if (bad !== undefined || list.length === 0) throw invalidParam('services', `must be voice, sms or mms, comma-separated (got ${JSON.stringify(services.slice(0, 30))})`);
    out.services = list as Service[];
  }
  for (const [name, key] of [['region', 'region'], ['rate_center', 'rateCenter'], ['city', 'city']] as const) {
    const v = optString(p, name, { maxLength: 100 });
    if (v !== undefined) out[key] = v;
  }
  const lata = optInt(p, 'lata', { min: 0 });
  if (lata !== undefined) out.lata = lata;
  return out;
}

export interface AddOwnNumbersRequest {
  numbers: string[];
  carrier: string;
  region: string;
  numberType: string;
  appId?: string;
  /** The subaccount the numbers are added to (main account only, plivo.md §1.8). */
  subaccount?: string;
}

/**
 * `POST Number/` (Plivo's add-own-number): `numbers` (comma-separated, or a list), `carrier` and
 * `region` required; `number_type` (default local), `app_id`, `subaccount`.
 */
export function parseAddOwnNumbers(body: unknown): AddOwnNumbersRequest {
  const p = asParams(body);
  const given = raw(p, 'numbers');
  const items = (Array.isArray(given) ? given.map(String) : [reqString(p, 'numbers', { maxLength: 2000 })])
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (items.length === 0) throw missingParam('numbers');
  if (items.length > 100) throw invalidParam('numbers', `at most 100 numbers at once (got ${items.length})`);
  const numbers: string[] = [];
  for (const n of items) {
    if (!/^\+?\d{2,20}$/.test(n)) throw invalidParam('numbers', `each must be a phone number (got ${JSON.stringify(n.slice(0, 40))})`);
    const digits = normalizeNumber(n);
    if (!numbers.includes(digits)) numbers.push(digits);
  }
  const out: AddOwnNumbersRequest = {
    numbers,
    carrier: reqString(p, 'carrier', { maxLength: 100 }),
    region: reqString(p, 'region', { maxLength: 100 }),
    numberType: 'local',
  };
  const type = optString(p, 'number_type');
  if (type !== undefined) {
    const t = NUMBER_TYPES.find((n) => n === type.toLowerCase());
    if (!t) throw invalidParam('number_type', `must be one of ${NUMBER_TYPES.join(', ')} (got ${JSON.stringify(type)})`);
    out.numberType = t;
  }
  const appId = optString(p, 'app_id', { maxLength: 64 });
  if (appId !== undefined) out.appId = appId;
  const sub = optString(p, 'subaccount', { maxLength: 64 });
  if (sub !== undefined) out.subaccount = sub;
  return out;
}
