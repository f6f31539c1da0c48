/**
 * Checks on what callers hand the store, before any SQL runs: the column lists (so a row object
 * carrying extra properties never reaches an INSERT), patches, and list filters. Each failure is
 * a StoreError('invalid-input') naming the parameter and the value.
 */
import type { CallFilter, CallPatch, CallRow, DeliveryRow } from './store.ts';
import { StoreError } from './store-error.ts';

/** Every column of `calls`, in table order. */
export const CALL_COLUMNS = [
  'call_uuid',
  'request_uuid',
  'parent_call_uuid',
  'direction',
  'from_number',
  'to_number',
  'caller_name',
  'call_status',
  'call_state',
  'initiation_time',
  'ring_time',
  'answer_time',
  'end_time',
  'call_duration',
  'bill_duration',
  'billed_duration',
  'hangup_cause',
  'hangup_cause_code',
  'hangup_cause_name',
  'hangup_source',
  'dial_position',
  'params',
  'error',
  'warnings',
  'node_id',
  'account_id',
] as const satisfies readonly (keyof CallRow)[];

/** Every column of `deliveries`, in table order. */
export const DELIVERY_COLUMNS = [
  'id',
  'call_uuid',
  'seq',
  'event_seq',
  'kind',
  'event',
  'url',
  'method',
  'params',
  'synchronous',
  'status',
  'attempts',
  'next_attempt_at',
  'created_at',
  'completed_at',
  'last_error',
  'account_id',
  'call_initiation_time',
] as const satisfies readonly (keyof DeliveryRow)[];

// Compile-time guard: adding a field to CallRow or DeliveryRow without listing it here fails tsc.
type Missing<Row, Listed> = Exclude<keyof Row, Listed>;
const allCallColumnsListed: Missing<CallRow, (typeof CALL_COLUMNS)[number]> extends never ? true : never = true;
const allDeliveryColumnsListed: Missing<DeliveryRow, (typeof DELIVERY_COLUMNS)[number]> extends never ? true : never = true;
void allCallColumnsListed;
void allDeliveryColumnsListed;

const CALL_PATCHABLE = new Set<string>(CALL_COLUMNS.filter((c) => c !== 'call_uuid'));
// A delivery's key (its id; its call and the call's time) is written once, never patched.
const DELIVERY_PATCHABLE = new Set<string>(DELIVERY_COLUMNS.filter((c) => c !== 'id' && c !== 'call_initiation_time'));

type Scalar = string | number | null;

/** The row's columns only, in table order. */
export function callValues(row: CallRow): CallRow {
  const out: Record<string, Scalar> = {};
  for (const c of CALL_COLUMNS) {
    const value = row[c];
    // The label is built only for a value that fails: two rows a call, 26 columns each.
    out[c] = isScalar(value) ? value : checkScalar(value, `call ${row.call_uuid}: ${c}`);
  }
  return out as unknown as CallRow;
}

/** A call patch with its undefined entries dropped; throws on a key that is not a patchable column. */
export function checkCallPatch(patch: CallPatch, callUuid: string): CallPatch {
  return checkPatch(patch, CALL_PATCHABLE, `patch of call ${callUuid}`) as CallPatch;
}

export function checkDeliveryPatch(patch: Partial<Omit<DeliveryRow, 'id'>>, id: string): Partial<Omit<DeliveryRow, 'id'>> {
  return checkPatch(patch, DELIVERY_PATCHABLE, `patch of delivery ${id}`) as Partial<Omit<DeliveryRow, 'id'>>;
}

function checkPatch(patch: object, allowed: Set<string>, what: string): Record<string, Scalar> {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
    throw new StoreError('invalid-input', `${what}: expected an object of column values`);
  }
  const out: Record<string, Scalar> = {};
  // for-in, not Object.entries: this runs for every state change of every call (no pair arrays).
  for (const key in patch) {
    if (!Object.hasOwn(patch, key)) continue;
    const value = (patch as Record<string, unknown>)[key];
    if (value === undefined) continue;
    if (!allowed.has(key)) throw new StoreError('invalid-input', `${what}: "${key}" is not a column that can be changed`);
    out[key] = isScalar(value) ? value : checkScalar(value, `${what}: ${key}`);
  }
  return out;
}

/** SQLite binds strings, finite numbers and null; anything else is a caller's bug worth naming. */
/** What a column can hold: a string, a finite number or null (checkScalar says why not). */
function isScalar(value: unknown): value is Scalar {
  return value === null || typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
}

export function checkScalar(value: unknown, what: string): Scalar {
  if (value === null || typeof value === 'string') return value;
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return value;
    throw new StoreError('invalid-input', `${what}: expected a finite number, got ${value}`);
  }
  throw new StoreError('invalid-input', `${what}: expected a string, number or null, got ${describe(value)}`);
}

const RANGE_KEYS = new Set(['eq', 'gt', 'gte', 'lt', 'lte']);

/** Throws on the first filter value a query could not honour (plivo.md §1.5 lists the filters). */
export function checkCallFilter(filter: CallFilter): void {
  nonNegativeInteger(filter.limit, 'limit');
  nonNegativeInteger(filter.offset, 'offset');
  if (filter.call_direction !== undefined && filter.call_direction !== 'inbound' && filter.call_direction !== 'outbound') {
    throw new StoreError('invalid-input', `call_direction: expected inbound or outbound, got ${describe(filter.call_direction)}`);
  }
  for (const key of ['from_number', 'to_number', 'parent_call_uuid', 'hangup_source'] as const) {
    const v = filter[key];
    if (v !== undefined && typeof v !== 'string') throw new StoreError('invalid-input', `${key}: expected a string, got ${describe(v)}`);
  }
  if (filter.hangup_cause_code !== undefined && !Number.isInteger(filter.hangup_cause_code)) {
    throw new StoreError('invalid-input', `hangup_cause_code: expected an integer, got ${describe(filter.hangup_cause_code)}`);
  }
  for (const key of ['bill_duration', 'end_time'] as const) {
    const range = filter[key];
    if (range === undefined) continue;
    if (typeof range !== 'object' || range === null) throw new StoreError('invalid-input', `${key}: expected a range object`);
    for (const [op, v] of Object.entries(range)) {
      if (!RANGE_KEYS.has(op)) throw new StoreError('invalid-input', `${key}: unknown comparison "${op}" (use eq, gt, gte, lt, lte)`);
      if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v))) {
        throw new StoreError('invalid-input', `${key}.${op}: expected a finite number, got ${describe(v)}`);
      }
    }
  }
}

export function nonNegativeInteger(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new StoreError('invalid-input', `${name}: expected a non-negative integer, got ${describe(value)}`);
  }
  return value;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'object' && value !== null) return Array.isArray(value) ? 'an array' : 'an object';
  return String(value);
}
