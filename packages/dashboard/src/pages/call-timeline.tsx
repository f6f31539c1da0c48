/**
 * A call's timeline: every event of every leg and every webhook attempt in time order. An attempt
 * opens to show its request parameters and headers, the response status and body excerpt, and
 * its latency; each delivery can be replayed.
 */
import { useState } from 'react';
import type { Attempt, Delivery, TimelineAttempt, TimelineEntry, TimelineEvent } from '../api/types.ts';
import { Badge, Time } from '../components/ui.tsx';
import { explainAttempt, explainEnd } from '../explain.ts';
import { fmtMs } from '../format.ts';

export interface TimelineProps {
  entries: TimelineEntry[];
  deliveries: Map<string, Delivery>;
  onReplay: (deliveryId: string) => Promise<void>;
}

function summarizeEvent(e: TimelineEvent): string {
  const d = (e.data ?? {}) as Record<string, unknown>;
  switch (e.type) {
    case 'leg.originated':
      return `calling ${String(d.to ?? '')} from ${String(d.from ?? '')}`;
    case 'leg.ended':
      return [explainEnd(d.reason as string), d.source ? `(hung up by ${String(d.source)})` : ''].filter(Boolean).join(' ');
    case 'dial.started': {
      const targets = Array.isArray(d.targets) ? (d.targets as Array<{ to: string }>).map((t) => t.to).join(', ') : '';
      return `dialling ${targets}`;
    }
    case 'dial.ended':
      return `DialStatus ${String(d.status ?? '?')}${d.hangupCause ? `, ${String(d.hangupCause)}` : ''}`;
    case 'xml.error':
    case 'xml.warning':
      return String(d.message ?? d.error ?? JSON.stringify(d));
    case 'leg.digits':
    case 'dial.digits':
      return `digits ${String(d.digits ?? '')}`;
    default: {
      const keys = Object.entries(d).filter(([, v]) => v !== null && typeof v !== 'object');
      return keys.map(([k, v]) => `${k}=${String(v)}`).join(' ');
    }
  }
}

function ParamTable({ params, label }: { params: Record<string, string>; label: string }) {
  const entries = Object.entries(params);
  if (entries.length === 0) return <p className="muted">No {label.toLowerCase()}.</p>;
  return (
    <table className="kv">
      <caption>{label}</caption>
      <tbody>
        {entries.map(([k, v]) => (
          <tr key={k}>
            <th scope="row">{k}</th>
            <td>
              <code>{v}</code>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function AttemptRow({ entry, delivery, onReplay }: { entry: TimelineAttempt; delivery: Delivery | undefined; onReplay: TimelineProps['onReplay'] }) {
  const [state, setState] = useState<'idle' | 'busy' | 'done' | string>('idle');
  const full: Attempt | undefined = delivery?.attempts?.find((a) => a.attempt === entry.attempt);
  const ok = entry.status_code !== null && entry.status_code < 300 && !entry.error;
  const problem = ok ? null : explainAttempt(entry);
  const isLast = delivery ? entry.attempt === Math.max(...(delivery.attempts ?? []).map((a) => a.attempt), 0) : false;
  const replay = async () => {
    setState('busy');
    try {
      await onReplay(entry.delivery_id);
      setState('done');
    } catch (err) {
      setState((err as Error).message);
    }
  };
  return (
    <li className={`tl-item tl-webhook ${ok ? 'tl-ok' : 'tl-bad'}`} data-delivery-id={entry.delivery_id}>
      <span className="tl-time">
        <Time value={entry.at} clock />
      </span>
      <details>
        <summary>
          <span className="tl-kind">→ {entry.webhook}</span> <span className="muted">attempt {entry.attempt}</span>{' '}
          <code className="tl-url">
            {entry.method} {entry.url}
          </code>{' '}
          {entry.status_code !== null ? <Badge value={`HTTP ${entry.status_code}`} tone={ok ? 'ok' : 'bad'} /> : <Badge value="no answer" tone="bad" />}{' '}
          <span className="muted">{fmtMs(entry.latency_ms)}</span>
          {problem && <span className="tl-problem">{problem}</span>}
        </summary>
        <div className="tl-detail">
          {entry.error && (
            <p>
              Error: <code>{entry.error}</code>
            </p>
          )}
          {full ? (
            <>
              <ParamTable params={full.params} label="Request parameters" />
              <ParamTable params={full.request_headers} label="Request headers" />
              <h4>Response{full.status_code !== null ? ` (HTTP ${full.status_code})` : ''}</h4>
              {full.response_excerpt ? <pre className="body-excerpt">{full.response_excerpt}</pre> : <p className="muted">No response body.</p>}
            </>
          ) : (
            <p className="muted">The attempt's request and response are not available.</p>
          )}
          {delivery && (
            <p className="muted">
              Delivery {delivery.status}, {delivery.attempt_count} attempt{delivery.attempt_count === 1 ? '' : 's'}
              {delivery.next_attempt_at && <> · next try <Time value={delivery.next_attempt_at} /></>}
            </p>
          )}
        </div>
      </details>
      {isLast && delivery && (
        <div className="tl-actions">
          <Badge value={delivery.status} />
          <button type="button" onClick={() => void replay()} disabled={state === 'busy'} aria-label={`Replay the ${entry.webhook} webhook`}>
            {state === 'busy' ? 'Replaying…' : 'Replay'}
          </button>
          {state === 'done' && (
            <span role="status" className="ok-text">
              Replayed
            </span>
          )}
          {state !== 'idle' && state !== 'busy' && state !== 'done' && (
            <span role="alert" className="warn-text">
              {state}
            </span>
          )}
        </div>
      )}
    </li>
  );
}

export function Timeline({ entries, deliveries, onReplay }: TimelineProps) {
  return (
    <ol className="timeline" aria-label="Timeline">
      {entries.map((e) =>
        e.kind === 'event' ? (
          <li key={`e${e.call_uuid}-${e.seq}`} className={`tl-item tl-event${e.type.startsWith('xml.error') ? ' tl-bad' : ''}`}>
            <span className="tl-time">
              <Time value={e.at} clock />
            </span>
            <span className="tl-leg" title={e.call_uuid}>
              {e.leg}
            </span>
            <span>
              <code className="tl-type">{e.type}</code> <span className="tl-summary">{summarizeEvent(e)}</span>
            </span>
          </li>
        ) : (
          <AttemptRow key={`w${e.delivery_id}-${e.attempt}`} entry={e} delivery={deliveries.get(e.delivery_id)} onReplay={onReplay} />
        ),
      )}
    </ol>
  );
}
