/**
 * Query parameters of the report endpoints (docs/reports.md): the time range (`start`, `end` as
 * `YYYY-MM-DD HH:MM[:SS]` UTC or `YYYY-MM-DD`; or `since` as a duration back from `end`), the
 * grouping, the attempt kind and the output format.
 */
import { parseFilterTime } from '../../util/time.ts';
import { parseDurationText } from '../../config/duration.ts';
import { GROUP_BYS, type DialReportQuery, type GroupBy } from '../../reports/dial-report.ts';
import { invalidParam, notSupported } from '../errors.ts';
import { asParams, optOneOf, optString, show } from './coerce.ts';

const DAY_MS = 86_400_000;

export type ReportFormat = 'json' | 'csv';

export function parseTimeParam(p: Record<string, unknown>, name: string): number | undefined {
  const s = optString(p, name);
  if (s === undefined) return undefined;
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(s) ? parseFilterTime(`${s} 00:00`) : parseFilterTime(s);
  if (ms === undefined) throw invalidParam(name, `must be a UTC time like YYYY-MM-DD HH:MM[:SS] or a date YYYY-MM-DD (got ${show(s)})`);
  return ms;
}

/** [start, end) in ms: `end` defaults to now (inclusive), `start` to `end - since`, `since` to 24 h. */
export function parseRange(query: unknown, now: number): { start: number; end: number } {
  const p = asParams(query);
  const end = parseTimeParam(p, 'end') ?? now + 1;
  let start = parseTimeParam(p, 'start');
  const sinceText = optString(p, 'since');
  if (sinceText !== undefined) {
    if (start !== undefined) throw invalidParam('since', 'give either start or since, not both');
    const d = /^\s*(\d+)\s*d\s*$/.exec(sinceText);
    const ms = d ? Number(d[1]) * DAY_MS : parseDurationText(sinceText);
    if (ms === undefined || ms <= 0) throw invalidParam('since', `must be a duration like 90m, 24h or 7d (got ${show(sinceText)})`);
    start = end - ms;
  }
  start ??= end - DAY_MS;
  if (start >= end) throw invalidParam('start', `must be before end (${show(optString(p, 'start') ?? sinceText)})`);
  return { start, end };
}

export function parseFormat(query: unknown): ReportFormat {
  return optOneOf(asParams(query), 'format', ['json', 'csv'] as const) ?? 'json';
}

export function parseDialReport(query: unknown, now: number): DialReportQuery & { format: ReportFormat } {
  const p = asParams(query);
  const groupBy: GroupBy = optOneOf(p, 'group_by', GROUP_BYS) ?? 'day';
  // Per-node figures need the flows work's node events; until they exist, say so instead of guessing.
  if (groupBy === 'flow_node') throw notSupported('group_by', 'grouping by flow node needs flow node events, not recorded yet');
  const kind = optOneOf(p, 'kind', ['all', 'call', 'dial'] as const) ?? 'all';
  return { ...parseRange(p, now), groupBy, ...(kind === 'all' ? {} : { kind }), format: parseFormat(p) };
}
