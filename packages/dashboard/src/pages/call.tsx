/** One call explained: its record, its legs, the XML it ran, any error in plain words, and the timeline. */
import { useEffect, useMemo, useRef } from 'react';
import { useApi } from '../api/context.tsx';
import { openFeed } from '../api/live-feed.ts';
import type { Cdr, Delivery, Timeline as TimelineData } from '../api/types.ts';
import { DataTable, type Column } from '../components/data-table.tsx';
import { Badge, ErrorBox, Fact, Loading, PageHeader, Time } from '../components/ui.tsx';
import { useResource } from '../components/use-resource.ts';
import { explainEnd } from '../explain.ts';
import { fmtDuration, fmtNumber } from '../format.ts';
import { Link, useTitle } from '../router.tsx';
import { Timeline } from './call-timeline.tsx';
import { CallRecordings } from './call-recordings.tsx';

interface CallData {
  timeline: TimelineData;
  deliveries: Map<string, Delivery>;
}

const XML_KINDS = new Set(['answer', 'fallback', 'redirect', 'action', 'transfer']);

export function CallPage({ uuid }: { uuid: string }) {
  useTitle(`Call ${uuid.slice(0, 8)}`);
  const api = useApi();
  const res = useResource<CallData>(
    async (signal) => {
      const timeline = await api.get<TimelineData>(`/Call/${uuid}/Timeline/`, undefined, signal);
      const logs = await Promise.all(
        timeline.legs.map((l) => api.get<{ objects: Delivery[] }>(`/Call/${l.call_uuid}/Webhook/`, undefined, signal).catch(() => ({ objects: [] as Delivery[] }))),
      );
      const deliveries = new Map<string, Delivery>();
      for (const log of logs) for (const d of log.objects) deliveries.set(d.delivery_id, d);
      return { timeline, deliveries };
    },
    [api, uuid],
  );

  // While anything of the call can still change (live, or webhooks owed), follow the feed and reload.
  const reload = useRef(res.reload);
  reload.current = res.reload;
  const rootUuid = res.data?.timeline.call_uuid;
  const settled = res.data ? res.data.timeline.legs.every((l) => l.end_time) && [...res.data.deliveries.values()].every((d) => d.status !== 'pending') : false;
  useEffect(() => {
    if (!rootUuid || settled) return;
    let pending: ReturnType<typeof setTimeout> | undefined;
    const close = openFeed(api, {
      callUuid: rootUuid,
      onItem: () => {
        clearTimeout(pending);
        pending = setTimeout(() => reload.current(), 300);
      },
    });
    return () => {
      clearTimeout(pending);
      close();
    };
  }, [api, rootUuid, settled]);

  const onReplay = async (deliveryId: string) => {
    await api.post(`/Webhook/${deliveryId}/Replay/`);
    // The replayed attempt arrives on its own; a replayed delivery of an ended call is followed by polling.
    for (const ms of [300, 1000, 2500]) setTimeout(() => reload.current(), ms);
  };

  const xmlDocs = useMemo(() => {
    if (!res.data) return [];
    return [...res.data.deliveries.values()]
      .filter((d) => XML_KINDS.has(d.kind))
      .flatMap((d) => (d.attempts ?? []).filter((a) => a.response_excerpt && a.status_code !== null && a.status_code < 300).slice(-1).map((a) => ({ d, a })));
  }, [res.data]);

  if (res.error !== undefined && !res.data) return <ErrorBox error={res.error} title="Could not load this call" onRetry={res.reload} />;
  if (!res.data) return <Loading what="Loading the call" />;
  const { timeline, deliveries } = res.data;
  const a = timeline.legs[0]!;
  const isRoot = a.call_uuid === uuid;
  return (
    <section>
      <PageHeader title={`${fmtNumber(a.from_number)} → ${fmtNumber(a.to_number)}`}>
        <Badge value={a.call_status} />
        <Link href="/calls">All calls</Link>
      </PageHeader>
      {!isRoot && (
        <p className="notice">
          This is a B leg; the page shows its whole call, whose A leg is <code>{a.call_uuid}</code>.
        </p>
      )}
      <CallSummary cdr={a} />
      {timeline.legs.length > 1 && <LegsTable legs={timeline.legs} />}
      <CallRecordings callUuids={timeline.legs.map((l) => l.call_uuid)} />
      <h2>Timeline</h2>
      <p className="muted">Every event of every leg and every webhook attempt, in time order. Open an attempt to see its request and response.</p>
      {timeline.objects.length === 0 ? <p className="muted">Nothing recorded yet.</p> : <Timeline entries={timeline.objects} deliveries={deliveries} onReplay={onReplay} />}
      <h2>XML the call ran</h2>
      {xmlDocs.length === 0 ? (
        <p className="muted">No XML document was fetched for this call.</p>
      ) : (
        xmlDocs.map(({ d, a: at }) => (
          <figure key={d.delivery_id} className="xml-doc">
            <figcaption>
              <code>{d.kind}</code> · {d.method} {d.url} · <Time value={at.time} />
            </figcaption>
            <pre className="body-excerpt">{at.response_excerpt}</pre>
          </figure>
        ))
      )}
    </section>
  );
}

function CallSummary({ cdr }: { cdr: Cdr }) {
  const plain = explainEnd(null, cdr.hangup_cause, cdr.hangup_cause_code);
  return (
    <>
      {cdr.error && (
        <div className="error-box" role="alert">
          <strong>This call had an error</strong>
          <p>{explainEnd(null, cdr.hangup_cause, cdr.hangup_cause_code) ?? 'The engine recorded an error for this call.'}</p>
          <p>
            <code>{cdr.error}</code>
          </p>
        </div>
      )}
      <dl className="summary">
        <Fact term="Call UUID" className="mono">
          {cdr.call_uuid}
        </Fact>
        <Fact term="Direction">{cdr.call_direction}</Fact>
        <Fact term="Started">
          <Time value={cdr.initiation_time} />
        </Fact>
        <Fact term="Answered">
          <Time value={cdr.answer_time} />
        </Fact>
        <Fact term="Ended">{cdr.end_time ? <Time value={cdr.end_time} /> : <Badge value="live" tone="info" />}</Fact>
        <Fact term="Duration">{fmtDuration(cdr.call_duration)}</Fact>
        <Fact term="Hangup">
          {cdr.hangup_cause ? (
            <>
              {cdr.hangup_cause_name} ({cdr.hangup_cause_code}, {cdr.hangup_cause}) by {cdr.hangup_source}
              {plain && <div className="muted">{plain}</div>}
            </>
          ) : (
            '—'
          )}
        </Fact>
      </dl>
      {cdr.warnings.length > 0 && (
        <ul className="warnings" aria-label="Warnings">
          {cdr.warnings.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      )}
    </>
  );
}

const LEG_COLUMNS: Array<Column<Cdr>> = [
  {
    header: 'Leg',
    className: 'mono',
    title: (l) => l.call_uuid,
    cell: (l, i) => (
      <>
        {i === 0 ? 'A' : `B${i}`} {l.call_uuid.slice(0, 8)}
      </>
    ),
  },
  { header: 'To', cell: (l) => fmtNumber(l.to_number) },
  { header: 'Status', cell: (l) => <Badge value={l.call_status} /> },
  { header: 'Duration', cell: (l) => fmtDuration(l.call_duration) },
  {
    header: 'Hangup',
    cell: (l) => (
      <>
        {l.hangup_cause_name ?? '—'} <span className="muted">{explainEnd(null, l.hangup_cause, l.hangup_cause_code) ?? ''}</span>
      </>
    ),
  },
];

function LegsTable({ legs }: { legs: Cdr[] }) {
  return <DataTable caption="Legs" columns={LEG_COLUMNS} rows={legs} rowKey={(l) => l.call_uuid} />;
}
