/** Calls in progress, kept current by the live feed (SSE); each with its legs, and a hang-up button. */
import { useEffect, useReducer, useRef, useState } from 'react';
import { useApi } from '../api/context.tsx';
import { openFeed, type FeedItem, type FeedState } from '../api/live-feed.ts';
import type { LiveCall } from '../api/types.ts';
import { DataTable, type Column } from '../components/data-table.tsx';
import { Badge, Empty, ErrorBox, ErrorNote, PageHeader, Time } from '../components/ui.tsx';
import { useAction } from '../components/use-action.ts';
import { explainAttempt, explainEnd } from '../explain.ts';
import { fmtDuration, fmtNumber } from '../format.ts';
import { Link, useTick, useTitle } from '../router.tsx';
import { applyItem, EMPTY, fromLiveCall, pruneTo, type LegState, type LiveRow, type LiveState } from './live-model.ts';

type Action = { type: 'item'; item: FeedItem } | { type: 'seed'; calls: LiveCall[]; at: number } | { type: 'prune'; live: Set<string>; olderThan: number };

function reducer(s: LiveState, a: Action): LiveState {
  switch (a.type) {
    case 'item':
      return applyItem(s, a.item);
    case 'seed': {
      const calls = { ...s.calls };
      const byParent = new Map<string, LiveCall[]>();
      for (const c of a.calls) {
        if (c.parent_call_uuid) byParent.set(c.parent_call_uuid, [...(byParent.get(c.parent_call_uuid) ?? []), c]);
        else if (!calls[c.call_uuid]) calls[c.call_uuid] = fromLiveCall(c, a.at);
      }
      for (const [parent, kids] of byParent) {
        const row = calls[parent];
        if (!row) continue;
        const legs = row.legs.slice();
        kids.forEach((k, i) => {
          if (!legs.some((l) => l.uuid === k.call_uuid)) legs.push({ uuid: k.call_uuid, role: `B${i + 1}`, to: k.to, state: k.call_status === 'in-progress' ? 'answered' : k.call_status });
        });
        calls[parent] = { ...row, legs };
      }
      return { ...s, calls };
    }
    case 'prune':
      return pruneTo(s, a.live, a.olderThan);
  }
}

const FEED_LABEL: Record<FeedState, string> = { connecting: 'connecting…', open: 'connected', retrying: 'reconnecting…', closed: 'closed' };

export function LivePage() {
  useTitle('Live calls');
  const api = useApi();
  const [state, dispatch] = useReducer(reducer, EMPTY);
  const [feed, setFeed] = useState<FeedState>('connecting');
  const [loadError, setLoadError] = useState<unknown>();
  const action = useAction();
  useTick(1000);

  // Who is live now (and their details), then every minute again to drop rows a missed event left behind.
  const sync = useRef<() => Promise<void>>(async () => {});
  sync.current = async () => {
    const started = Date.now();
    try {
      const [live, queued] = await Promise.all([
        api.get<{ calls: string[] }>('/Call/', { status: 'live' }),
        api.get<{ calls: string[] }>('/Call/', { status: 'queued' }).catch(() => ({ calls: [] as string[] })),
      ]);
      const details = await Promise.all(
        live.calls.map((uuid) => api.get<LiveCall>(`/Call/${uuid}/`, { status: 'live' }).catch(() => null)),
      );
      dispatch({ type: 'seed', calls: details.filter((d): d is LiveCall => d !== null), at: started });
      dispatch({ type: 'prune', live: new Set([...live.calls, ...queued.calls]), olderThan: started - 5000 });
      setLoadError(undefined);
    } catch (err) {
      setLoadError(err);
    }
  };

  useEffect(() => {
    const close = openFeed(api, {
      onItem: (item) => dispatch({ type: 'item', item }),
      onState: (s) => {
        setFeed(s);
        if (s === 'open') void sync.current();
      },
    });
    const timer = setInterval(() => void sync.current(), 60_000);
    return () => {
      close();
      clearInterval(timer);
    };
  }, [api]);

  const hangup = (uuid: string) => action.run(() => api.del(`/Call/${uuid}/`), `Could not hang up ${uuid}`);

  const rows = Object.values(state.calls).sort((a, b) => b.startedAt - a.startedAt);
  return (
    <section aria-labelledby="live-title">
      <PageHeader title="Live calls">
        <span className={`feed-state feed-${feed}`} role="status" aria-live="polite">
          Live feed: {FEED_LABEL[feed]}
        </span>
      </PageHeader>
      {loadError !== undefined && <ErrorBox error={loadError} title="Could not load the live calls" onRetry={() => void sync.current()} />}
      <ErrorNote message={action.error} />
      <h2 id="live-title" className="sr-only">
        Calls in progress
      </h2>
      {rows.length === 0 ? (
        <Empty title="No calls in progress">
          Calls appear here the moment they start. Place one from the <Link href="/simulator">Simulator</Link>.
        </Empty>
      ) : (
        <ul className="live-list" aria-label="Calls in progress">
          {rows.map((r) => (
            <LiveCard key={r.uuid} row={r} onHangup={() => void hangup(r.uuid)} />
          ))}
        </ul>
      )}
      <h2>Recently ended</h2>
      {state.ended.length === 0 ? (
        <p className="muted">Calls that end while this page is open are listed here.</p>
      ) : (
        <ul className="ended-list">
          {state.ended.map((r) => (
            <li key={r.uuid}>
              <Link href={`/calls/${r.uuid}`}>
                {fmtNumber(r.from)} → {fmtNumber(r.to)}
              </Link>{' '}
              <Badge value={r.status} /> <span className="muted">ended </span>
              <Time value={r.endedAt ?? null} clock />
              {r.endReason && <span className="muted"> · {explainEnd(r.endReason) ?? r.endReason}</span>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

const LEG_COLUMNS: Array<Column<LegState>> = [
  { header: 'Leg', cell: (l) => l.role },
  { header: 'To', cell: (l) => fmtNumber(l.to) },
  {
    header: 'State',
    cell: (l) => (
      <>
        <Badge value={l.state} />
        {l.reason && <span className="muted"> {explainEnd(l.reason) ?? l.reason}</span>}
      </>
    ),
  },
];

function LiveCard({ row, onHangup }: { row: LiveRow; onHangup: () => void }) {
  const w = row.lastWebhook;
  const wProblem = w && (w.error || (w.code !== null && w.code >= 300)) ? explainAttempt({ status_code: w.code, error: w.error }) : null;
  return (
    <li className="live-card" data-call-uuid={row.uuid}>
      <div className="live-head">
        <Link href={`/calls/${row.uuid}`} className="live-title">
          {fmtNumber(row.from)} → {fmtNumber(row.to)}
        </Link>
        <Badge value={row.status} />
        <span className="muted">{row.direction ?? ''}</span>
        <span className="muted" title="Time since the call started (while this page watched it)">
          {fmtDuration((Date.now() - row.startedAt) / 1000)}
        </span>
        <button type="button" className="danger" onClick={onHangup} aria-label={`Hang up the call to ${fmtNumber(row.to)}`}>
          Hang up
        </button>
      </div>
      <DataTable className="legs" wrap={false} caption="Legs of this call" hideCaption columns={LEG_COLUMNS} rows={row.legs} rowKey={(l) => l.uuid} />
      <p className="live-foot muted">
        Last event <code>{row.lastEvent}</code> at <Time value={row.lastAt} clock />
        {w && (
          <>
            {' '}
            · last webhook <code>{w.kind}</code> <Badge value={w.status} />
            {w.code !== null && <span> HTTP {w.code}</span>}
            {wProblem && <span className="warn-text"> {wProblem}</span>}
          </>
        )}
      </p>
    </li>
  );
}
