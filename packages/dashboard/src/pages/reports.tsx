/** The dial report as charts (GET /Report/Dial/) over a date range, and webhook health (GET /Report/Webhook/). */
import { useState, type FormEvent } from 'react';
import { ApiError, type Query } from '../api/client.ts';
import { useApi } from '../api/context.tsx';
import { HBars, STATUS_COLORS, StackedBars } from '../components/charts.tsx';
import { Empty, ErrorBox, Field, Loading, PageHeader } from '../components/ui.tsx';
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
interface Health {
  hosts: Array<{ host: string; requests: number; succeeded: number; success_rate: number | null; retries: number; dead: number; latency_ms: { p50: number | null; p95: number | null; p99: number | null } }>;
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
  const [form, setForm] = useState({ range: '24h', start: '', end: '', group_by: 'hour', kind: 'all' });
  const [applied, setApplied] = useState(form);
  const q: Query =
    applied.range === 'custom'
      ? { start: localInputToEngine(applied.start), end: localInputToEngine(applied.end), group_by: applied.group_by, kind: applied.kind }
      : { since: applied.range, group_by: applied.group_by, kind: applied.kind };
  const key = JSON.stringify(q);
  const report = useResource((signal) => api.get<DialReport>('/Report/Dial/', q, signal), [api, key]);
  const health = useResource((signal) => api.get<Health>('/Report/Webhook/', { start: q.start, end: q.end, since: q.since }, signal), [api, key]);
  const [exportErr, setExportErr] = useState<string>();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setApplied(form);
  };
  const param = report.error instanceof ApiError ? report.error.param : undefined;
  const r = report.data;

  return (
    <section>
      <PageHeader title="Reports">
        <button
          type="button"
          onClick={() => {
            setExportErr(undefined);
            api.download('/Report/Dial/', { ...q, format: 'csv' }, 'dial-report.csv').catch((e: unknown) => setExportErr(explainError(e)));
          }}
        >
          Export CSV
        </button>
      </PageHeader>
      {exportErr && (
        <p className="error-box" role="alert">
          {exportErr}
        </p>
      )}
      <form className="filters" onSubmit={submit} aria-label="Report range and grouping">
        <Field label="Range" id="r-range">
          <select id="r-range" value={form.range} onChange={(e) => setForm({ ...form, range: e.target.value })}>
            {RANGES.map((x) => (
              <option key={x.value} value={x.value}>
                {x.label}
              </option>
            ))}
          </select>
        </Field>
        {form.range === 'custom' && (
          <>
            <Field label="From" id="r-start" error={param === 'start' ? explainError(report.error) : undefined}>
              <input id="r-start" type="datetime-local" value={form.start} onChange={(e) => setForm({ ...form, start: e.target.value })} />
            </Field>
            <Field label="To" id="r-end" error={param === 'end' ? explainError(report.error) : undefined}>
              <input id="r-end" type="datetime-local" value={form.end} onChange={(e) => setForm({ ...form, end: e.target.value })} />
            </Field>
          </>
        )}
        <Field label="Group by" id="r-group">
          <select id="r-group" value={form.group_by} onChange={(e) => setForm({ ...form, group_by: e.target.value })}>
            {GROUPS.map((x) => (
              <option key={x.value} value={x.value}>
                {x.label}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Attempts" id="r-kind">
          <select id="r-kind" value={form.kind} onChange={(e) => setForm({ ...form, kind: e.target.value })}>
            <option value="all">Calls and dials</option>
            <option value="call">API calls (A legs)</option>
            <option value="dial">Dial attempts (B legs)</option>
          </select>
        </Field>
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
            <div>
              <dt>Attempts</dt>
              <dd>{r.total.attempts}</dd>
            </div>
            <div>
              <dt title="Answer-seizure ratio: answered / attempts">ASR</dt>
              <dd>{fmtPercent(r.total.asr)}</dd>
            </div>
            <div>
              <dt title="Network effectiveness ratio: attempts the network connected (answered, busy, no answer) / attempts">NER</dt>
              <dd>{fmtPercent(r.total.ner)}</dd>
            </div>
            <div>
              <dt title="Average call duration of answered calls">ACD</dt>
              <dd>{r.total.acd_s === null ? '—' : `${r.total.acd_s.toFixed(1)} s`}</dd>
            </div>
            <div>
              <dt title="Post-dial delay: from placing the call to the first ring, median / 95th percentile">PDD p50 / p95</dt>
              <dd>
                {fmtMs(r.total.pdd_ms.p50)} <span className="muted">/ {fmtMs(r.total.pdd_ms.p95)}</span>
              </dd>
            </div>
            <div>
              <dt>Ring to answer p50</dt>
              <dd>{fmtMs(r.total.ring_to_answer_ms.p50)}</dd>
            </div>
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
              <div className="table-wrap">
                <table>
                  <caption>By group</caption>
                  <thead>
                    <tr>
                      {['Group', 'Attempts', 'Answered', 'ASR', 'NER', 'ACD', 'PDD p50', 'PDD p95'].map((h) => (
                        <th scope="col" key={h}>
                          {h}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {r.groups.map((g) => (
                      <tr key={g.group}>
                        <th scope="row">{groupLabel(g.group, r.group_by)}</th>
                        <td>{g.attempts}</td>
                        <td>{g.answered}</td>
                        <td>{fmtPercent(g.asr)}</td>
                        <td>{fmtPercent(g.ner)}</td>
                        <td>{g.acd_s === null ? '—' : `${g.acd_s.toFixed(1)} s`}</td>
                        <td>{fmtMs(g.pdd_ms.p50)}</td>
                        <td>{fmtMs(g.pdd_ms.p95)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          )}
        </>
      )}
      <h2>Webhook health</h2>
      {health.error !== undefined && <ErrorBox error={health.error} title="Could not load webhook health" onRetry={health.reload} />}
      {health.data && health.data.hosts.length === 0 && <Empty title="No webhooks were sent in this range" />}
      {health.data && health.data.hosts.length > 0 && (
        <div className="table-wrap">
          <table>
            <caption className="sr-only">Webhook health by host</caption>
            <thead>
              <tr>
                {['Host', 'Requests', 'Succeeded', 'Retries', 'Dead', 'Latency p50', 'p95', 'p99'].map((h) => (
                  <th scope="col" key={h}>
                    {h}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {health.data.hosts.map((h) => (
                <tr key={h.host}>
                  <th scope="row" className="mono">
                    {h.host}
                  </th>
                  <td>{h.requests}</td>
                  <td>
                    <span className={h.success_rate !== null && h.success_rate < 0.95 ? 'warn-text' : ''}>{fmtPercent(h.success_rate)}</span>
                  </td>
                  <td>{h.retries}</td>
                  <td className={h.dead > 0 ? 'warn-text' : ''}>{h.dead}</td>
                  <td>{fmtMs(h.latency_ms.p50)}</td>
                  <td>{fmtMs(h.latency_ms.p95)}</td>
                  <td>{fmtMs(h.latency_ms.p99)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
