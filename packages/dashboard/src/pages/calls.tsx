/** The call list (CDRs) with Plivo's filters (plivo.md §1.5), paging and CSV export; the filters live in the URL. */
import { useState, type FormEvent } from 'react';
import { useApi } from '../api/context.tsx';
import type { Query } from '../api/client.ts';
import type { Cdr, ListOf } from '../api/types.ts';
import { DataTable, type Column } from '../components/data-table.tsx';
import { InputField, SelectField } from '../components/form.tsx';
import { ExportHeader } from '../components/export-header.tsx';
import { Badge, Empty, ErrorBox, Loading, Time } from '../components/ui.tsx';
import { useResource } from '../components/use-resource.ts';
import { explainError } from '../explain.ts';
import { dateToLocalInput, fmtDuration, fmtNumber, localInputToEngine, parseEngineTime } from '../format.ts';
import { Link, navigate, useLocation, useTitle } from '../router.tsx';

const FILTERS = ['call_direction', 'from_number', 'to_number', 'hangup_cause_code', 'hangup_source', 'bill_duration__gte', 'end_time__gte', 'end_time__lte', 'parent_call_uuid'] as const;
type Filters = Partial<Record<(typeof FILTERS)[number], string>>;
const PAGE = 20;
const ANY = { value: '', label: 'any' };
const SOURCES = ['Caller', 'Callee', 'Plivo', 'API Request', 'Answer XML', 'Error', 'Carrier'];

const COLUMNS: Array<Column<Cdr>> = [
  {
    header: 'Ended',
    cell: (c) => (
      <Link href={`/calls/${c.call_uuid}`} aria-label={`Call ${c.call_uuid}, ended ${parseEngineTime(c.end_time)?.toLocaleString() ?? ''}`}>
        <Time value={c.end_time ?? c.initiation_time} />
      </Link>
    ),
  },
  {
    header: 'Direction',
    cell: (c) => (
      <>
        {c.call_direction}
        {c.parent_call_uuid && <span className="tag" title="A B leg placed by a Dial">B leg</span>}
      </>
    ),
  },
  { header: 'From', cell: (c) => fmtNumber(c.from_number) },
  { header: 'To', cell: (c) => fmtNumber(c.to_number) },
  { header: 'Status', cell: (c) => <Badge value={c.call_status} /> },
  { header: 'Duration', cell: (c) => fmtDuration(c.call_duration) },
  {
    header: 'Hangup cause',
    cell: (c) => (
      <>
        {c.hangup_cause_name ?? c.hangup_cause ?? '—'} <span className="muted">{c.hangup_cause_code ?? ''}</span>
      </>
    ),
  },
];

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
  // The page keeps the offset and filters it was loaded for: while the next one loads, the old rows
  // and their pager stay as they were ("21–22 of 22"), never the new offset over the old rows.
  const list = useResource(
    async (signal) => ({ page: await api.get<ListOf<Cdr>>('/Call/', apiQuery(filters, offset), signal), offset, filtered: Object.keys(filters).length > 0 }),
    [api, key],
  );
  const [draft, setDraft] = useState<Filters>(filters);

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
  const bind = (k: keyof Filters) => ({ value: draft[k] ?? '', onChange: (e: { target: { value: string } }) => setDraft({ ...draft, [k]: e.target.value }) });
  // The export is every call that matches, not the page on screen.
  const { limit: _l, offset: _o, ...exportQuery } = apiQuery(filters, 0);

  const shown = list.data;
  const meta = shown?.page.meta;
  const badField = (list.error as { param?: string } | undefined)?.param;
  // bill_duration's bounds (bill_duration__gte ...) all show on the one field.
  const errorFor = (param: string) => (badField?.startsWith(param) ? explainError(list.error) : undefined);
  return (
    <section>
      <ExportHeader title="Calls" path="/Call/" query={exportQuery} filename="calls.csv" />
      <form className="filters" onSubmit={submit} aria-label="Filter calls">
        <SelectField label="Direction" id="f-direction" options={[ANY, 'outbound', 'inbound']} {...bind('call_direction')} />
        <InputField label="From" id="f-from" error={errorFor('from_number')} {...bind('from_number')} placeholder="+14155551212" />
        <InputField label="To" id="f-to" error={errorFor('to_number')} {...bind('to_number')} placeholder="+14155550001" />
        <InputField label="Hangup cause code" id="f-code" error={errorFor('hangup_cause_code')} inputMode="numeric" {...bind('hangup_cause_code')} placeholder="4000" />
        <SelectField label="Hangup source" id="f-source" options={[ANY, ...SOURCES]} {...bind('hangup_source')} />
        <InputField label="Billed at least (s)" id="f-bill" error={errorFor('bill_duration')} inputMode="numeric" {...bind('bill_duration__gte')} />
        <InputField label="Ended after" id="f-after" type="datetime-local" error={errorFor('end_time__gte')} {...bind('end_time__gte')} max={dateToLocalInput(new Date(Date.now() + 86_400_000))} />
        <InputField label="Ended before" id="f-before" type="datetime-local" error={errorFor('end_time__lte')} {...bind('end_time__lte')} />
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
      {shown && shown.page.objects.length === 0 && (
        <Empty title={shown.filtered ? 'No calls match these filters' : 'No calls yet'}>
          {shown.filtered ? 'Loosen a filter or clear them all.' : <>Ended calls are listed here. Place one from the <Link href="/simulator">Simulator</Link>.</>}
        </Empty>
      )}
      {shown && shown.page.objects.length > 0 && (
        <div aria-busy={list.loading}>
          <DataTable className="calls" caption="Ended calls, newest first" hideCaption columns={COLUMNS} rows={shown.page.objects} rowKey={(c) => c.call_uuid} />
          <nav className="pager" aria-label="Pages">
            <button type="button" disabled={list.loading || !meta?.previous} onClick={() => go(filters, Math.max(0, shown.offset - PAGE))}>
              ← Newer
            </button>
            <span>
              {shown.offset + 1}–{shown.offset + shown.page.objects.length} of {meta?.total_count ?? '?'}
            </span>
            <button type="button" disabled={list.loading || !meta?.next} onClick={() => go(filters, shown.offset + PAGE)}>
              Older →
            </button>
          </nav>
        </div>
      )}
    </section>
  );
}
