/** The call list (CDRs) with Plivo's filters (plivo.md §1.5), paging and CSV export; the filters live in the URL. */
import { useState, type FormEvent } from 'react';
import { useApi } from '../api/context.tsx';
import type { Query } from '../api/client.ts';
import type { Cdr, ListOf } from '../api/types.ts';
import { Badge, Empty, ErrorBox, Field, Loading, PageHeader, Time } from '../components/ui.tsx';
import { useResource } from '../components/use-resource.ts';
import { explainError } from '../explain.ts';
import { dateToLocalInput, fmtDuration, fmtNumber, localInputToEngine, parseEngineTime } from '../format.ts';
import { Link, navigate, useLocation, useTitle } from '../router.tsx';

const FILTERS = ['call_direction', 'from_number', 'to_number', 'hangup_cause_code', 'hangup_source', 'bill_duration__gte', 'end_time__gte', 'end_time__lte', 'parent_call_uuid'] as const;
type Filters = Partial<Record<(typeof FILTERS)[number], string>>;
const PAGE = 20;

/** The URL keeps times as the viewer typed them (local); the API gets UTC. */
function apiQuery(f: Filters, offset: number): Query {
  return {
    ...f,
    end_time__gte: f.end_time__gte ? localInputToEngine(f.end_time__gte) : undefined,
    end_time__lte: f.end_time__lte ? localInputToEngine(f.end_time__lte) : undefined,
    limit: PAGE,
    offset,
  };
}

export function CallsPage() {
  useTitle('Calls');
  const api = useApi();
  const { search } = useLocation();
  const filters: Filters = {};
  for (const k of FILTERS) {
    const v = search.get(k);
    if (v) filters[k] = v;
  }
  const offset = Math.max(0, Number(search.get('offset') ?? 0) || 0);
  const key = search.toString();
  const list = useResource((signal) => api.get<ListOf<Cdr>>('/Call/', apiQuery(filters, offset), signal), [api, key]);
  const [draft, setDraft] = useState<Filters>(filters);
  const [exportError, setExportError] = useState<string>();

  const go = (f: Filters, off: number) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(f)) if (v) q.set(k, v);
    if (off > 0) q.set('offset', String(off));
    const s = q.toString();
    navigate(`/calls${s ? `?${s}` : ''}`);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    go(draft, 0);
  };
  const set = (k: keyof Filters) => (e: { target: { value: string } }) => setDraft({ ...draft, [k]: e.target.value });
  const exportCsv = async () => {
    setExportError(undefined);
    const { limit: _l, offset: _o, ...q } = apiQuery(filters, 0);
    try {
      await api.download('/Call/', { ...q, format: 'csv' }, 'calls.csv');
    } catch (err) {
      setExportError(explainError(err));
    }
  };

  const meta = list.data?.meta;
  const badField = (list.error as { param?: string } | undefined)?.param;
  return (
    <section>
      <PageHeader title="Calls">
        <button type="button" onClick={() => void exportCsv()}>
          Export CSV
        </button>
      </PageHeader>
      {exportError && (
        <p className="error-box" role="alert">
          {exportError}
        </p>
      )}
      <form className="filters" onSubmit={submit} aria-label="Filter calls">
        <Field label="Direction" id="f-direction">
          <select id="f-direction" value={draft.call_direction ?? ''} onChange={set('call_direction')}>
            <option value="">any</option>
            <option value="outbound">outbound</option>
            <option value="inbound">inbound</option>
          </select>
        </Field>
        <Field label="From" id="f-from" error={badField === 'from_number' ? explainError(list.error) : undefined}>
          <input id="f-from" value={draft.from_number ?? ''} onChange={set('from_number')} placeholder="+14155551212" />
        </Field>
        <Field label="To" id="f-to" error={badField === 'to_number' ? explainError(list.error) : undefined}>
          <input id="f-to" value={draft.to_number ?? ''} onChange={set('to_number')} placeholder="+14155550001" />
        </Field>
        <Field label="Hangup cause code" id="f-code" error={badField === 'hangup_cause_code' ? explainError(list.error) : undefined}>
          <input id="f-code" inputMode="numeric" value={draft.hangup_cause_code ?? ''} onChange={set('hangup_cause_code')} placeholder="4000" />
        </Field>
        <Field label="Hangup source" id="f-source">
          <select id="f-source" value={draft.hangup_source ?? ''} onChange={set('hangup_source')}>
            <option value="">any</option>
            {['Caller', 'Callee', 'Plivo', 'API Request', 'Answer XML', 'Error', 'Carrier'].map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </Field>
        <Field label="Billed at least (s)" id="f-bill" error={badField?.startsWith('bill_duration') ? explainError(list.error) : undefined}>
          <input id="f-bill" inputMode="numeric" value={draft.bill_duration__gte ?? ''} onChange={set('bill_duration__gte')} />
        </Field>
        <Field label="Ended after" id="f-after">
          <input id="f-after" type="datetime-local" value={draft.end_time__gte ?? ''} onChange={set('end_time__gte')} max={dateToLocalInput(new Date(Date.now() + 86_400_000))} />
        </Field>
        <Field label="Ended before" id="f-before">
          <input id="f-before" type="datetime-local" value={draft.end_time__lte ?? ''} onChange={set('end_time__lte')} />
        </Field>
        <div className="filter-actions">
          <button type="submit" className="primary">
            Apply
          </button>
          <button
            type="button"
            onClick={() => {
              setDraft({});
              go({}, 0);
            }}
          >
            Clear
          </button>
        </div>
      </form>
      {list.error !== undefined && !badField && <ErrorBox error={list.error} title="Could not load the calls" onRetry={list.reload} />}
      {list.loading && !list.data && <Loading what="Loading calls" />}
      {list.data && list.data.objects.length === 0 && (
        <Empty title={Object.keys(filters).length ? 'No calls match these filters' : 'No calls yet'}>
          {Object.keys(filters).length ? 'Loosen a filter or clear them all.' : <>Ended calls are listed here. Place one from the <Link href="/simulator">Simulator</Link>.</>}
        </Empty>
      )}
      {list.data && list.data.objects.length > 0 && (
        <>
          <div className="table-wrap">
            <table className="calls">
              <caption className="sr-only">Ended calls, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Ended</th>
                  <th scope="col">Direction</th>
                  <th scope="col">From</th>
                  <th scope="col">To</th>
                  <th scope="col">Status</th>
                  <th scope="col">Duration</th>
                  <th scope="col">Hangup cause</th>
                </tr>
              </thead>
              <tbody>
                {list.data.objects.map((c) => (
                  <tr key={c.call_uuid}>
                    <td>
                      <Link href={`/calls/${c.call_uuid}`} aria-label={`Call ${c.call_uuid}, ended ${parseEngineTime(c.end_time)?.toLocaleString() ?? ''}`}>
                        <Time value={c.end_time ?? c.initiation_time} />
                      </Link>
                    </td>
                    <td>
                      {c.call_direction}
                      {c.parent_call_uuid && <span className="tag" title="A B leg placed by a Dial">B leg</span>}
                    </td>
                    <td>{fmtNumber(c.from_number)}</td>
                    <td>{fmtNumber(c.to_number)}</td>
                    <td>
                      <Badge value={c.call_status} />
                    </td>
                    <td>{fmtDuration(c.call_duration)}</td>
                    <td>
                      {c.hangup_cause_name ?? c.hangup_cause ?? '—'} <span className="muted">{c.hangup_cause_code ?? ''}</span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <nav className="pager" aria-label="Pages">
            <button type="button" disabled={!meta?.previous} onClick={() => go(filters, Math.max(0, offset - PAGE))}>
              ← Newer
            </button>
            <span>
              {offset + 1}–{offset + list.data.objects.length} of {meta?.total_count ?? '?'}
            </span>
            <button type="button" disabled={!meta?.next} onClick={() => go(filters, offset + PAGE)}>
              Older →
            </button>
          </nav>
        </>
      )}
    </section>
  );
}
