/** The dial report and the CDR list as CSV rows (docs/reports.md lists the columns). */
import type { DialReport, ReportGroup } from './dial-report.ts';
import { DIAL_STATUSES, FINAL_CALL_STATUSES } from '../store/report-rollup.ts';

export const REPORT_CSV_HEADER: readonly string[] = [
  'group',
  'attempts',
  'answered',
  'asr',
  'ner',
  'acd_s',
  ...DIAL_STATUSES.map((s) => `dial_${s}`),
  ...FINAL_CALL_STATUSES.map((s) => `call_${s}`),
  'pdd_p50_ms',
  'pdd_p95_ms',
  'ring_to_answer_p50_ms',
  'ring_to_answer_p95_ms',
  'hangup_causes',
];

/** One group as CSV values; causes as `CAUSE/code/source=count` joined by `; `, busiest first. */
export function reportCsvValues(g: ReportGroup): unknown[] {
  return [
    g.group,
    g.attempts,
    g.answered,
    g.asr,
    g.ner,
    g.acd_s,
    ...DIAL_STATUSES.map((s) => g.dial_status[s] ?? 0),
    ...FINAL_CALL_STATUSES.map((s) => g.call_status[s] ?? 0),
    g.pdd_ms.p50,
    g.pdd_ms.p95,
    g.ring_to_answer_ms.p50,
    g.ring_to_answer_ms.p95,
    g.hangup_causes.map((c) => `${c.hangup_cause}/${c.hangup_cause_code ?? ''}/${c.hangup_source}=${c.count}`).join('; '),
  ];
}

/** The groups then a `total` line, in batches for csvStream. */
export async function* reportCsvBatches(report: DialReport): AsyncGenerator<ReportGroup[]> {
  const BATCH = 500;
  for (let i = 0; i < report.groups.length; i += BATCH) yield report.groups.slice(i, i + BATCH);
  yield [report.total];
}
