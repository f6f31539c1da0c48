/**
 * The WHERE clause of GET /Call/ (plivo.md §1.5) as Kysely expressions. Dialect-neutral, so a
 * PostgreSQL store can share it. Filters are ANDed; an empty filter matches every call.
 */
import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';
import type { Database } from './schema.ts';
import type { CallFilter } from './store.ts';
import type { HangupSource } from '../domain/causes.ts';

type Range = NonNullable<CallFilter['end_time']>;
type RangeColumn = 'bill_duration' | 'end_time';

const OPERATORS = { eq: '=', gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;

export function callFilterWhere(eb: ExpressionBuilder<Database, 'calls'>, filter: CallFilter): Expression<SqlBool> {
  const and: Expression<SqlBool>[] = [];
  if (filter.call_direction !== undefined) and.push(eb('direction', '=', filter.call_direction));
  if (filter.from_number !== undefined) and.push(eb('from_number', '=', filter.from_number));
  if (filter.to_number !== undefined) and.push(eb('to_number', '=', filter.to_number));
  if (filter.parent_call_uuid !== undefined) and.push(eb('parent_call_uuid', '=', filter.parent_call_uuid));
  if (filter.hangup_cause_code !== undefined) and.push(eb('hangup_cause_code', '=', filter.hangup_cause_code));
  // The filter takes any spelling; an unknown source simply matches nothing.
  if (filter.hangup_source !== undefined) and.push(eb('hangup_source', '=', filter.hangup_source as HangupSource));
  if (filter.bill_duration !== undefined) and.push(...range(eb, 'bill_duration', filter.bill_duration));
  if (filter.end_time !== undefined) and.push(...range(eb, 'end_time', filter.end_time));
  // A call has ended once it has an end time; live legs are listed through status=live (plivo.md §1.6).
  if (filter.ended_only) and.push(eb('end_time', 'is not', null));
  // A subaccount sees its own calls only (docs/accounts.md); the main account sees every call.
  if (filter.account !== undefined) and.push(eb('account_id', '=', filter.account));
  return eb.and(and);
}

function range(eb: ExpressionBuilder<Database, 'calls'>, column: RangeColumn, r: Range): Expression<SqlBool>[] {
  const out: Expression<SqlBool>[] = [];
  for (const op of ['eq', 'gt', 'gte', 'lt', 'lte'] as const) {
    const v = r[op];
    if (v !== undefined) out.push(eb(column, OPERATORS[op], v));
  }
  return out;
}
