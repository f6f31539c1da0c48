/**
 * `GET /Call/?format=csv` (our addition to plivo.md §1.5): the CDR list with the same filters and
 * order, streamed as CSV with the columns of the JSON CDR. Without `limit` every matching call is
 * exported (a million rows are read in pages, never held at once); `limit` (any size) and
 * `offset` still apply.
 */
import type { FastifyReply } from 'fastify';
import { parseListCalls, type Query } from './params/list-calls.ts';
import { asParams, optInt } from './params/coerce.ts';
import { cdrView } from './views.ts';
import { csvStream } from '../reports/csv.ts';
import { sendCsv } from './routes/reports.ts';
import { invalidParam, notSupported } from './errors.ts';
import type { ApiContext } from './api-context.ts';
import type { CallRow } from '../store/store.ts';

const COLUMNS = [
  'call_uuid', 'parent_call_uuid', 'request_uuid', 'call_direction', 'from_number', 'to_number', 'caller_name',
  'call_status', 'call_state', 'initiation_time', 'answer_time', 'end_time', 'call_duration', 'bill_duration',
  'billed_duration', 'hangup_cause', 'hangup_cause_code', 'hangup_cause_name', 'hangup_source', 'error',
] as const;

export function isCsv(query: Query): boolean {
  return query.format === 'csv';
}

export function sendCallListCsv(reply: FastifyReply, ctx: ApiContext, query: Query, authId: string, account?: string): FastifyReply {
  if (!ctx.reports) throw notSupported('format', 'CSV export needs the SQLite store');
  const { limit: rawLimit, format: _format, ...rest } = query;
  const limit = optInt(asParams({ limit: rawLimit }), 'limit', { min: 1 });
  const filter = parseListCalls(rest);
  if (filter.status !== undefined) throw invalidParam('format', 'csv lists ended calls; it cannot be combined with status');
  // parseListCalls defaulted limit to a page of 20; an export is every row unless `limit` says otherwise.
  const pages = ctx.reports.iterateCalls({ ...filter, limit: limit ?? 0, ...(account !== undefined ? { account } : {}) });
  const values = (row: CallRow) => {
    const view = cdrView(row, authId);
    return COLUMNS.map((c) => view[c]);
  };
  return sendCsv(reply, 'calls.csv', csvStream(COLUMNS, pages, values));
}
