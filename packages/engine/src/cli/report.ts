/**
 * `switchboard report`: the dial report of a running engine as aligned tables, with a bar chart of
 * the DialStatus split and the top hangup causes; `--csv` prints the CSV as the API streams it;
 * `--webhooks` shows webhook health per host instead. docs/cli.md, docs/reports.md.
 */
import { connect } from './client.ts';
import { emit, fail } from './output.ts';
import type { Flags } from './program.ts';
import { bar, percent, renderTable } from './table.ts';
import type { DialReport, ReportGroup } from '../reports/dial-report.ts';
import type { HostHealth } from '../reports/webhook-health.ts';

export async function reportCommand(flags: Flags): Promise<number> {
  const csv = flags.csv !== undefined;
  const webhooks = flags.webhooks !== undefined;
  const q = new URLSearchParams();
  if (flags.since) q.set('since', flags.since);
  if (flags.start) q.set('start', flags.start);
  if (flags.end) q.set('end', flags.end);
  if (!flags.since && !flags.start) q.set('since', '24h');
  const client = await connect(flags);

  if (webhooks) {
    const res = await client.call('GET', `Report/Webhook/?${q}`);
    if (res.status !== 200) return fail(res.body);
    if (flags.json) return emit(flags, res.body, () => {});
    const hosts = res.body.hosts as HostHealth[];
    console.log(`Webhook health ${String(res.body.start)} .. ${String(res.body.end)}\n`);
    if (hosts.length === 0) console.log('no webhook requests in this range');
    else console.log(renderTable(hosts, [
      { title: 'host', value: (h) => h.host },
      { title: 'requests', value: (h) => h.requests },
      { title: 'success', value: (h) => percent(h.success_rate), align: 'right' },
      { title: 'retries', value: (h) => h.retries },
      { title: 'dead', value: (h) => h.dead },
      { title: 'p50 ms', value: (h) => h.latency_ms.p50 },
      { title: 'p95 ms', value: (h) => h.latency_ms.p95 },
      { title: 'p99 ms', value: (h) => h.latency_ms.p99 },
    ]));
    return 0;
  }

  q.set('group_by', flags['group-by'] ?? 'day');
  if (flags.kind) q.set('kind', flags.kind);
  if (csv) {
    q.set('format', 'csv');
    const res = await client.stream(`Report/Dial/?${q}`);
    if (res.status !== 200) {
      let text = '';
      for await (const chunk of res.body) text += chunk.toString();
      return fail(safeJson(text));
    }
    for await (const chunk of res.body) process.stdout.write(chunk);
    return 0;
  }
  const res = await client.call('GET', `Report/Dial/?${q}`);
  if (res.status !== 200) return fail(res.body);
  return emit(flags, res.body, () => console.log(renderReport(res.body as unknown as DialReport)));
}

export function renderReport(r: DialReport): string {
  const out: string[] = [];
  out.push(`Dial report ${r.start} .. ${r.end}, by ${r.group_by} (${r.kind === 'all' ? 'API calls and Dials' : r.kind === 'dial' ? 'Dials' : 'API calls'})`, '');
  const rows: ReportGroup[] = [...r.groups, r.total];
  out.push(renderTable(rows, [
    { title: r.group_by, value: (g) => g.group },
    { title: 'attempts', value: (g) => g.attempts },
    { title: 'answered', value: (g) => g.answered },
    { title: 'ASR', value: (g) => percent(g.asr), align: 'right' },
    { title: 'NER', value: (g) => percent(g.ner), align: 'right' },
    { title: 'ACD s', value: (g) => g.acd_s, align: 'right' },
    { title: 'PDD p50/p95 ms', value: (g) => `${g.pdd_ms.p50 ?? '-'}/${g.pdd_ms.p95 ?? '-'}`, align: 'right' },
    { title: 'ring p50/p95 ms', value: (g) => `${g.ring_to_answer_ms.p50 ?? '-'}/${g.ring_to_answer_ms.p95 ?? '-'}`, align: 'right' },
  ]));
  const t = r.total;
  out.push('', 'DialStatus');
  const statuses = Object.entries(t.dial_status);
  out.push(renderTable(statuses, [
    { title: 'status', value: ([s]) => s },
    { title: 'count', value: ([, n]) => n },
    { title: 'share', value: ([, n]) => percent(t.attempts ? n / t.attempts : null), align: 'right' },
    { title: '', value: ([, n]) => bar(n, t.attempts), align: 'left' },
  ]));
  out.push('', 'A-leg CallStatus');
  out.push(renderTable(Object.entries(t.call_status), [
    { title: 'status', value: ([s]) => s },
    { title: 'count', value: ([, n]) => n },
  ]));
  out.push('', 'Hangup causes');
  out.push(renderTable(t.hangup_causes.slice(0, 10), [
    { title: 'cause', value: (c) => c.hangup_cause },
    { title: 'code', value: (c) => c.hangup_cause_code },
    { title: 'name', value: (c) => c.hangup_cause_name },
    { title: 'source', value: (c) => c.hangup_source },
    { title: 'count', value: (c) => c.count },
  ]));
  return out.join('\n');
}

function safeJson(text: string): Record<string, unknown> {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return { error: text };
  }
}
