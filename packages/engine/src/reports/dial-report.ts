/**
 * The dial report (docs/reports.md): rollup rows merged into groups, and each group's figures —
 * attempts, DialStatus and A-leg CallStatus counts, hangup causes, ASR, NER, ACD, PDD and ring time
 * to answer percentiles. Definitions are written once here and in the doc; the rows come from
 * store/report-rollup-sql.ts.
 */
import { formatTime } from '../util/time.ts';
import {
  DAY_MS,
  DIAL_STATUSES,
  FINAL_CALL_STATUSES,
  HOUR_MS,
  type AttemptKind,
  type Counts,
  type RollupDim,
  type RollupRow,
} from '../store/report-rollup.ts';

export type GroupBy = 'hour' | 'day' | 'destination' | 'caller_id' | 'application' | 'flow_node';
export const GROUP_BYS: readonly GroupBy[] = ['hour', 'day', 'destination', 'caller_id', 'application', 'flow_node'];

export interface DialReportQuery {
  /** ms; rounded down to the hour. */
  start: number;
  /** ms, exclusive; rounded up to the hour. */
  end: number;
  groupBy: Exclude<GroupBy, 'flow_node'>;
  /** Only API calls' A legs, only Dials, or both (undefined). */
  kind?: AttemptKind;
}

export interface RollupSource {
  readRollups(dim: RollupDim, fromHour: number, toHour: number, kind?: AttemptKind): Promise<RollupRow[]>;
}

export interface CauseCount {
  hangup_cause: string;
  hangup_cause_code: number | null;
  hangup_cause_name: string;
  hangup_source: string;
  count: number;
}

export interface ReportGroup {
  group: string;
  attempts: number;
  answered: number;
  /** answered / attempts, 4 decimals; null without attempts. */
  asr: number | null;
  /** (completed + busy + no-answer) / attempts: outcomes the network delivered. */
  ner: number | null;
  /** Mean talk time of answered attempts, seconds, 2 decimals. */
  acd_s: number | null;
  dial_status: Record<string, number>;
  call_status: Record<string, number>;
  hangup_causes: CauseCount[];
  pdd_ms: { p50: number | null; p95: number | null };
  ring_to_answer_ms: { p50: number | null; p95: number | null };
}

export interface DialReport {
  start: string;
  end: string;
  group_by: GroupBy;
  kind: AttemptKind | 'all';
  groups: ReportGroup[];
  total: ReportGroup;
}

export function floorHour(ms: number): number {
  return Math.floor(ms / HOUR_MS) * HOUR_MS;
}

export function ceilHour(ms: number): number {
  return Math.ceil(ms / HOUR_MS) * HOUR_MS;
}


function groupKey(row: RollupRow, by: DialReportQuery['groupBy']): string {
  if (by === 'hour') return formatTime(row.hour);
  if (by === 'day') return formatTime(row.hour).slice(0, 10);
  return row.key;
}

const COUNT_COLUMNS = ['dial_status', 'call_status', 'causes', 'pdd', 'ring'] as const;

/**
 * Sums rollup rows with Maps: histogram keys are numbers ("1200"), which make plain objects slow to
 * grow (V8 stores them as sparse elements); a report merges thousands of rows.
 */
class GroupAcc {
  private readonly sums = { attempts: 0, answered: 0, talk_s: 0, talk_n: 0 };
  private readonly maps = Object.fromEntries(COUNT_COLUMNS.map((c) => [c, new Map<string, number>()])) as Record<(typeof COUNT_COLUMNS)[number], Map<string, number>>;

  add(row: RollupRow): void {
    this.sums.attempts += row.attempts;
    this.sums.answered += row.answered;
    this.sums.talk_s += row.talk_s;
    this.sums.talk_n += row.talk_n;
    for (const col of COUNT_COLUMNS) {
      const m = this.maps[col];
      const counts = row[col];
      for (const k in counts) m.set(k, (m.get(k) ?? 0) + counts[k]!);
    }
  }

  summarize(group: string): ReportGroup {
    return summarizeCounts(group, this.sums, this.maps);
  }
}

export async function buildDialReport(source: RollupSource, query: DialReportQuery): Promise<DialReport> {
  const start = floorHour(query.start);
  const end = Math.max(ceilHour(query.end), start);
  const rows = await readRange(source, query.groupBy, start, end, query.kind);
  const merged = new Map<string, GroupAcc>();
  const total = new GroupAcc();
  for (const row of rows) {
    const key = groupKey(row, query.groupBy);
    let g = merged.get(key);
    if (!g) merged.set(key, (g = new GroupAcc()));
    g.add(row);
    // One dimension is read, so each attempt is in exactly one group and the total is their sum.
    total.add(row);
  }
  const groups = [...merged.entries()]
    .map(([key, acc]) => acc.summarize(key))
    // Time groups in time order; the others busiest first, then by name.
    .sort((a, b) => (query.groupBy === 'hour' || query.groupBy === 'day' ? cmp(a.group, b.group) : b.attempts - a.attempts || cmp(a.group, b.group)));
  return { start: formatTime(start), end: formatTime(end), group_by: query.groupBy, kind: query.kind ?? 'all', groups, total: total.summarize('total') };
}

/**
 * The rows covering [start, end) (whole hours): dimension `all` hour by hour; a number or app
 * dimension from its day rows for the whole UTC days inside the range and its hour rows for the
 * hours at either edge.
 */
async function readRange(source: RollupSource, by: DialReportQuery['groupBy'], start: number, end: number, kind?: AttemptKind): Promise<RollupRow[]> {
  if (by === 'hour' || by === 'day') return source.readRollups('all', start, end, kind);
  const firstDay = Math.ceil(start / DAY_MS) * DAY_MS;
  const lastDay = Math.floor(end / DAY_MS) * DAY_MS;
  if (firstDay >= lastDay) return source.readRollups(by, start, end, kind);
  return [
    ...(await source.readRollups(by, start, firstDay, kind)),
    ...(await source.readRollups(`${by}/day`, firstDay, lastDay, kind)),
    ...(await source.readRollups(by, lastDay, end, kind)),
  ];
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function ratio(n: number, d: number, decimals: number): number | null {
  if (d === 0) return null;
  const f = 10 ** decimals;
  return Math.round((n / d) * f) / f;
}

export function summarize(group: string, row: RollupRow): ReportGroup {
  const maps = Object.fromEntries(COUNT_COLUMNS.map((c) => [c, new Map(Object.entries(row[c]))])) as Record<(typeof COUNT_COLUMNS)[number], Map<string, number>>;
  return summarizeCounts(group, row, maps);
}

function summarizeCounts(
  group: string,
  row: { attempts: number; answered: number; talk_s: number; talk_n: number },
  maps: Record<(typeof COUNT_COLUMNS)[number], ReadonlyMap<string, number>>,
): ReportGroup {
  const dial = Object.fromEntries(DIAL_STATUSES.map((s) => [s, maps.dial_status.get(s) ?? 0]));
  const call = Object.fromEntries(FINAL_CALL_STATUSES.map((s) => [s, maps.call_status.get(s) ?? 0]));
  const networkDelivered = (dial.completed ?? 0) + (dial.busy ?? 0) + (dial['no-answer'] ?? 0);
  return {
    group,
    attempts: row.attempts,
    answered: row.answered,
    asr: ratio(row.answered, row.attempts, 4),
    ner: ratio(networkDelivered, row.attempts, 4),
    acd_s: ratio(row.talk_s, row.talk_n, 2),
    dial_status: dial,
    call_status: call,
    hangup_causes: causeList(maps.causes),
    pdd_ms: { p50: percentile(maps.pdd, 0.5), p95: percentile(maps.pdd, 0.95) },
    ring_to_answer_ms: { p50: percentile(maps.ring, 0.5), p95: percentile(maps.ring, 0.95) },
  };
}

function causeList(causes: ReadonlyMap<string, number>): CauseCount[] {
  return [...causes]
    .map(([key, count]) => {
      const [cause = '', code = '', name = '', source = ''] = key.split('|');
      return { hangup_cause: cause, hangup_cause_code: code === '' ? null : Number(code), hangup_cause_name: name, hangup_source: source, count };
    })
    .sort((a, b) => b.count - a.count || cmp(a.hangup_cause, b.hangup_cause) || cmp(a.hangup_source, b.hangup_source));
}

/**
 * Nearest-rank percentile over a histogram {value: count}: the smallest value v such that at
 * least ceil(p * n) of the n values are <= v. Null when there are no values.
 */
export function percentile(hist: Counts | ReadonlyMap<string, number>, p: number): number | null {
  const bins = (hist instanceof Map ? [...hist] : Object.entries(hist))
    .map(([v, n]) => [Number(v), n] as const)
    .filter(([v, n]) => Number.isFinite(v) && n > 0)
    .sort((a, b) => a[0] - b[0]);
  const n = bins.reduce((s, [, c]) => s + c, 0);
  if (n === 0) return null;
  const rank = Math.max(1, Math.ceil(p * n));
  let seen = 0;
  for (const [v, c] of bins) {
    seen += c;
    if (seen >= rank) return v;
  }
  return bins[bins.length - 1]![0];
}
