/** The dial report as charts (GET /Report/Dial/) over a date range, and webhook health (GET /Report/Webhook/). */
import { useState, type FormEvent } from 'react';
import { ApiError, type Query } from '../api/client.ts';
import { useApi } from '../api/context.tsx';
import { HBars, STATUS_COLORS, StackedBars } from '../components/charts.tsx';
import { DataTable, type Column } from '../components/data-table.tsx';
import { InputField, SelectField, useFormValues } from '../components/form.tsx';
import { ExportHeader } from '../components/export-header.tsx';
import { Empty, ErrorBox, Fact, Loading } from '../components/ui.tsx';
import { useResource } from '../components/use-resource.ts';
import { explainError } from '../explain.ts';
import { fmtDateTime, fmtMs, fmtNumber, fmtPercent, localInputToEngine, parseEngineTime } from '../format.ts';
import { useTitle } from '../router.tsx';

interface Pct {
  p50: number | null;
  p95: number | null;
}
interface Group {
  group: string;
  attempts: number;
  answered: number;
  asr: number | null;
  ner: number | null;
  acd_s: number | null;
  dial_status: Record<string, number>;
  call_status: Record<string, number>;
  hangup_causes: Array<{ hangup_cause: string; hangup_cause_code: number | null; hangup_cause_name: string; hangup_source: string; count: number }>;
  pdd_ms: Pct;
  ring_to_answer_ms: Pct;
}
interface DialReport {
  start: string;
  end: string;
  group_by: string;
  groups: Group[];
  total: Group;
}
interface HostHealth {
  host: string;
  requests: number;
  succeeded: number;
  success_rate: number | null;
  retries: number;
  dead: number;
  latency_ms: { p50: number | null; p95: number | null; p99: number | null };
}
interface Health {
  hosts: HostHealth[];
}

const RANGES = [
  { value: '1h', label: 'Last hour' },
  { value: '24h', label: 'Last 24 hours' },
  { value: '7d', label: 'Last 7 days' },
  { value: '30d', label: 'Last 30 days' },
  { value: 'custom', label: 'Custom…' },
];
const GROUPS = [
  { value: 'hour', label: 'Hour' },
  { value: 'day', label: 'Day (UTC)' },
  { value: 'destination', label: 'Destination' },
  { value: 'caller_id', label: 'Caller ID' },
  { value: 'application', label: 'Application' },
];
const STATUSES = ['completed', 'busy', 'no-answer', 'timeout', 'failed', 'cancel'];
const KINDS = [
  { value: 'all', label: 'Calls and dials' },
  { value: 'call', label: 'API calls (A legs)' },
  { value: 'dial', label: 'Dial attempts (B legs)' },
];

const fmtAcd = (g: Group) => (g.acd_s === null ? '—' : `${g.acd_s.toFixed(1)} s`);

function groupColumns(by: string): Array<Column<Group>> {
  return [
    { header: 'Group', rowHeader: true, cell: (g) => groupLabel(g.group, by) },
    { header: 'Attempts', cell: (g) => g.attempts },
    { header: 'Answered', cell: (g) => g.answered },
    { header: 'ASR', cell: (g) => fmtPercent(g.asr) },
    { header: 'NER', cell: (g) => fmtPercent(g.ner) },
    { header: 'ACD', cell: fmtAcd },
    { header: 'PDD p50', cell: (g) => fmtMs(g.pdd_ms.p50) },
    { header: 'PDD p95', cell: (g) => fmtMs(g.pdd_ms.p95) },
  ];
}

const warnIf = (bad: boolean) => (bad ? 'warn-text' : undefined);

const HEALTH_COLUMNS: Array<Column<HostHealth>> = [
  { header: 'Host', rowHeader: true, className: 'mono', cell: (h) => h.host },
  { header: 'Requests', cell: (h) => h.requests },
  { header: 'Succeeded', cell: (h) => <span className={warnIf(h.success_rate !== null && h.success_rate < 0.95)}>{fmtPercent(h.success_rate)}</span> },
  { header: 'Retries', cell: (h) => h.retries },
  { header: 'Dead', className: (h) => warnIf(h.dead > 0), cell: (h) => h.dead },
  { header: 'Latency p50', cell: (h) => fmtMs(h.latency_ms.p50) },
  { header: 'p95', cell: (h) => fmtMs(h.latency_ms.p95) },
  { header: 'p99', cell: (h) => fmtMs(h.latency_ms.p99) },
];

function groupLabel(g: string, by: string): string {
  if (by === 'hour' || by === 'day') {
    const d = parseEngineTime(g);
    if (!d) return g;
    return by === 'day' ? d.toLocaleDateString(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' }) : d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  }
  return by === 'destination' || by === 'caller_id' ? fmtNumber(g) : g;
}

export function ReportsPage() {
  useTitle('Reports');
  const api = useApi();
  const { values: form, bind } = useFormValues({ range: '24h', start: '', end: '', group_by: 'hour', kind: 'all' });
  const [applied, setApplied] = useState(form);
  const q: Query =
    applied.range === 'custom'
      ? { start: localInputToEngine(applied.start), end: localInputToEngine(applied.end), group_by: applied.group_by, kind: applied.kind }
      : { since: applied.range, group_by: applied.group_by, kind: applied.kind };
  const key = JSON.stringify(q);
  const report = useResource((signal) => api.get<DialReport>('/Report/Dial/', q, signal), [api, key]);
  const health = useResource((signal) => api.get<Health>('/Report/Webhook/', { start: q.start, end: q.end, since: q.since }, signal), [api, key]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setApplied(form);
  };
  const param = report.error instanceof ApiError ? report.error.param : undefined;
  const r = report.data;

  return (
    <section>
      <ExportHeader title="Reports" path="/Report/Dial/" query={q} filename="dial-report.csv" />
      <form className="filters" onSubmit={submit} aria-label="Report range and grouping">
        <SelectField label="Range" id="r-range" options={RANGES} {...bind('range')} />
        {form.range === 'custom' && (
          <>
            <InputField label="From" id="r-start" type="datetime-local" error={param === 'start' ? explainError(report.error) : undefined} {...bind('start')} />
            <InputField label="To" id="r-end" type="datetime-local" error={param === 'end' ? explainError(report.error) : undefined} {...bind('end')} />
          </>
        )}
        <SelectField label="Group by" id="r-group" options={GROUPS} {...bind('group_by')} />
        <SelectField label="Attempts" id="r-kind" options={KINDS} {...bind('kind')} />
        <div className="filter-actions">
          <button type="submit" className="primary">
            Show
          </button>
        </div>
      </form>
      {report.error !== undefined && !(param === 'start' || param === 'end') && <ErrorBox error={report.error} title="Could not load the dial report" onRetry={report.reload} />}
      {report.loading && !r && <Loading what="Loading the report" />}
      {r && (
        <>
          <p className="muted">
            {fmtDateTime(r.start)} – {fmtDateTime(r.end)}
          </p>
          <dl className="kpis" aria-label="Totals">
            <Fact term="Attempts">{r.total.attempts}</Fact>
            <Fact term="ASR" title="Answer-seizure ratio: answered / attempts">
              {fmtPercent(r.total.asr)}
            </Fact>
            <Fact term="NER" title="Network effectiveness ratio: attempts the network connected (answered, busy, no answer) / attempts">
              {fmtPercent(r.total.ner)}
            </Fact>
            <Fact term="ACD" title="Average call duration of answered calls">
              {fmtAcd(r.total)}
            </Fact>
            <Fact term="PDD p50 / p95" title="Post-dial delay: from placing the call to the first ring, median / 95th percentile">
              {fmtMs(r.total.pdd_ms.p50)} <span className="muted">/ {fmtMs(r.total.pdd_ms.p95)}</span>
            </Fact>
            <Fact term="Ring to answer p50">{fmtMs(r.total.ring_to_answer_ms.p50)}</Fact>
          </dl>
          {r.total.attempts === 0 ? (
            <Empty title="No calls in this range">Widen the range, or place calls from the Simulator.</Empty>
          ) : (
            <>
              <StackedBars
                title={`DialStatus by ${GROUPS.find((g) => g.value === r.group_by)?.label.toLowerCase() ?? r.group_by}`}
                categories={r.groups.map((g) => groupLabel(g.group, r.group_by))}
                series={STATUSES.map((s) => ({ key: s, label: s, color: STATUS_COLORS[s]! }))}
                values={r.groups.map((g) => g.dial_status)}
              />
              <div className="report-grid">
                <HBars
                  title="Hangup causes"
                  items={r.total.hangup_causes
                    .slice()
                    .sort((a, b) => b.count - a.count)
                    .map((c) => ({ label: `${c.hangup_cause_name} (${c.hangup_cause_code ?? '?'})`, value: c.count, note: `by ${c.hangup_source}` }))}
                />
                <HBars title="ASR by group" items={r.groups.map((g) => ({ label: groupLabel(g.group, r.group_by), value: g.asr ?? 0, note: `${g.answered}/${g.attempts}` }))} format={(n) => fmtPercent(n, 0)} max={1} color="#2da44e" />
              </div>
              <DataTable caption="By group" columns={groupColumns(r.group_by)} rows={r.groups} rowKey={(g) => g.group} />
            </>
          )}
        </>
      )}
      <h2>Webhook health</h2>
      {health.error !== undefined && <ErrorBox error={health.error} title="Could not load webhook health" onRetry={health.reload} />}
      {health.data && health.data.hosts.length === 0 && <Empty title="No webhooks were sent in this range" />}
      {health.data && health.data.hosts.length > 0 && (
        <DataTable caption="Webhook health by host" hideCaption columns={HEALTH_COLUMNS} rows={health.data.hosts} rowKey={(h) => h.host} />
      )}
    </section>
  );
}
