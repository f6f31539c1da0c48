/**
 * `GET /v1/Account/{auth_id}/Call/` — the query of plivo.md §1.5 read into the store's CallFilter,
 * plus `status=live|queued` (plivo.md §1.6), and the `meta` block of the answer.
 */
import type { CallFilter } from '../../store/store.ts';
import { normalizeNumber } from '../../util/phone.ts';
import { parseFilterTime } from '../../util/time.ts';
import { invalidParam } from '../errors.ts';
import { int, optInt, optOneOf, optString, show, type Params } from './coerce.ts';

export type Query = Record<string, string | string[] | undefined>;

type Range = NonNullable<CallFilter['bill_duration']>;
type RangeOp = keyof Range;

export interface ListCallsRequest extends CallFilter {
  /** Set when the query asks for live or queued calls instead of CDRs (plivo.md §1.6). */
  status?: 'live' | 'queued';
}

export const DEFAULT_LIST_LIMIT = 20;
export const MAX_LIST_LIMIT = 20;

const SUFFIXES: ReadonlyArray<Exclude<RangeOp, 'eq'>> = ['gt', 'gte', 'lt', 'lte'];

export function parseListCalls(query: Query): ListCallsRequest {
  const p: Params = query;
  const req: ListCallsRequest = {
    limit: int(p, 'limit', DEFAULT_LIST_LIMIT, { min: 1, max: MAX_LIST_LIMIT }),
    offset: int(p, 'offset', 0, { min: 0 }),
  };

  const status = optOneOf(p, 'status', ['live', 'queued'] as const);
  if (status !== undefined) req.status = status;
  // The CDR list holds ended calls; live and queued ones are listed through `status`.
  else req.ended_only = true;

  const direction = optOneOf(p, 'call_direction', ['inbound', 'outbound'] as const);
  if (direction !== undefined) req.call_direction = direction;
  const from = optString(p, 'from_number');
  if (from !== undefined) req.from_number = normalizeNumber(from);
  const to = optString(p, 'to_number');
  if (to !== undefined) req.to_number = normalizeNumber(to);
  const parent = optString(p, 'parent_call_uuid');
  if (parent !== undefined) req.parent_call_uuid = parent;
  const code = optInt(p, 'hangup_cause_code', { min: 0 });
  if (code !== undefined) req.hangup_cause_code = code;
  const source = optString(p, 'hangup_source');
  if (source !== undefined) req.hangup_source = source;
  // `subaccount` is accepted and ignored: Switchboard has one account per engine.

  const bill = readRange(query, 'bill_duration', (name) => optInt(p, name, { min: 0 }));
  if (bill !== undefined) req.bill_duration = bill;
  const end = readRange(query, 'end_time', (name) => {
    const s = optString(p, name);
    if (s === undefined) return undefined;
    const ms = parseFilterTime(s);
    if (ms === undefined) {
      throw invalidParam(name, `must be a UTC time like YYYY-MM-DD HH:MM[:SS[.ffffff]] (got ${show(s)})`);
    }
    return ms;
  });
  if (end !== undefined) req.end_time = end;
  return req;
}

/**
 * `field`, `field__gt`, ... and the SDK's collapsed `field_gt` (lodash snakeCase turns a camelCase
 * `endTime__gt` into `end_time_gt`, plivo.md §1.5). Both spellings of one bound with different
 * values is an error rather than a silent pick.
 */
function readRange(query: Query, field: string, read: (name: string) => number | undefined): Range | undefined {
  const range: Range = {};
  const eq = read(field);
  if (eq !== undefined) range.eq = eq;
  for (const op of SUFFIXES) {
    const plivo = read(`${field}__${op}`);
    const sdk = read(`${field}_${op}`);
    if (plivo !== undefined && sdk !== undefined && plivo !== sdk) {
      throw invalidParam(`${field}_${op}`, `disagrees with ${field}__${op} (${show(query[`${field}_${op}`])} vs ${show(query[`${field}__${op}`])})`);
    }
    const value = plivo ?? sdk;
    if (value !== undefined) range[op] = value;
  }
  return Object.keys(range).length > 0 ? range : undefined;
}

export interface ListMeta {
  limit: number;
  next: string | null;
  offset: number;
  previous: string | null;
  total_count: number;
}

export interface MetaInput {
  authId: string;
  /** The query as received: its filters are carried into `next` and `previous`. */
  query: Query;
  limit: number;
  offset: number;
  totalCount: number;
  /** The listed resource, `Call` unless told. */
  resource?: string;
}

/**
 * Plivo's paging block: `next` / `previous` are paths like
 * `/v1/Account/{id}/Call/?call_direction=outbound&limit=1&offset=1`, null at either end (plivo.md §1.5).
 * Filters keep their order and spelling; `limit` and `offset` come last.
 */
export function buildMeta(input: MetaInput): ListMeta {
  const { authId, query, limit, offset, totalCount } = input;
  const base = `/v1/Account/${encodeURIComponent(authId)}/${input.resource ?? 'Call'}/`;
  const link = (at: number): string => {
    const qs = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (key === 'limit' || key === 'offset' || value === undefined) continue;
      for (const v of Array.isArray(value) ? value : [value]) qs.append(key, v);
    }
    qs.append('limit', String(limit));
    qs.append('offset', String(at));
    return `${base}?${qs.toString()}`;
  };
  return {
    limit,
    next: offset + limit < totalCount ? link(offset + limit) : null,
    offset,
    previous: offset > 0 ? link(Math.max(0, offset - limit)) : null,
    total_count: totalCount,
  };
}
