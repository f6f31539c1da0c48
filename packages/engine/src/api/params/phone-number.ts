/**
 * Numbers (plivo.md §1.8): `POST PhoneNumber/{number}/` adds one, `POST Number/{number}/` updates
 * it, `GET Number/` lists with Plivo's filters. `app_id` may name an application or a flow (as a
 * PHLO's id is attached on Plivo); `flow_id` is Switchboard's explicit spelling. "" or null detaches.
 */
import type { NumberFilter } from '../../store/app-store.ts';
import { isDialable } from '../../util/phone.ts';
import { invalidParam } from '../errors.ts';
import { asParams, int, optString, raw, type Params } from './coerce.ts';
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
