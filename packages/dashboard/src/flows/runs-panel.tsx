/** A flow's runs; picking one shows its trace on the canvas and each step's variables here. */
import { useEffect } from 'react';
import { useApi } from '../api/context.tsx';
import type { ListOf } from '../api/types.ts';
import { Badge, Empty, ErrorBox, ErrorNote, Time } from '../components/ui.tsx';
import { useResource } from '../components/use-resource.ts';
import { Link } from '../router.tsx';
import type { TraceStep } from './flow-node.tsx';

export interface Run {
  run_id: string;
  flow_id: string;
  trigger: string;
  status: string;
  call_uuid: string | null;
  error: string | null;
  started_at: string;
  ended_at: string | null;
  trace?: TraceStep[];
}

export function RunsPanel({ flowId, version, selected, onSelect }: { flowId: string; version: number; selected: Run | null; onSelect: (r: Run | null) => void }) {
  const api = useApi();
  const runs = useResource((signal) => api.get<ListOf<Run>>(`/Flow/${flowId}/Run/`, { limit: 20 }, signal), [api, flowId, version]);
  const open = async (id: string) => onSelect(await api.get<Run>(`/Flow/${flowId}/Run/${id}/`));

  // A running run's trace grows as each node finishes: follow it until it ends.
  const selectedId = selected?.run_id;
  const running = selected?.status === 'running';
  useEffect(() => {
    if (!selectedId || !running) return;
    const t = setInterval(() => {
      void api.get<Run>(`/Flow/${flowId}/Run/${selectedId}/`).then((r) => {
        onSelect(r);
        if (r.status !== 'running') runs.reload();
      }, () => undefined);
    }, 500);
    return () => clearInterval(t);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, flowId, selectedId, running]);

  // Open the newest run when the list first arrives (e.g. right after "Run").
  const newest = runs.data?.objects[0]?.run_id;
  useEffect(() => {
    if (newest && !selectedId) void open(newest);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [newest]);

  return (
    <div className="runs-panel">
      {runs.error !== undefined && <ErrorBox error={runs.error} title="Could not load the runs" onRetry={runs.reload} />}
      {runs.data && runs.data.objects.length === 0 && <Empty title="No runs yet">Press Run, or call a number this flow is attached to.</Empty>}
      {runs.data && runs.data.objects.length > 0 && (
        <ul className="run-list" aria-label="Runs">
          {runs.data.objects.map((r) => (
            <li key={r.run_id}>
              <button type="button" aria-pressed={selectedId === r.run_id} onClick={() => void open(r.run_id)}>
                <Time value={r.started_at} /> <Badge value={r.status} /> <span className="muted">{r.trigger}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {selected && (
        <div className="trace" aria-label="Trace">
          <h3>
            Trace <Badge value={selected.status} />
          </h3>
          {selected.call_uuid && (
            <p>
              Call: <Link href={`/calls/${selected.call_uuid}`}>{selected.call_uuid.slice(0, 8)}…</Link>
            </p>
          )}
          <ErrorNote message={selected.error} />
          <ol className="trace-steps">
            {(selected.trace ?? []).map((s, i) => (
              <li key={i} className={s.error ? 'trace-error' : ''}>
                <strong>{s.node}</strong> → <code>{s.state ?? 'end'}</code>
                {s.next && <span className="muted"> then {s.next}</span>} <span className="muted">({s.duration_ms} ms)</span>
                {s.error && <div className="warn-text">{s.error}</div>}
                <details>
                  <summary>Variables</summary>
                  <pre className="body-excerpt">{JSON.stringify(s.variables, null, 2)}</pre>
                </details>
              </li>
            ))}
          </ol>
        </div>
      )}
    </div>
  );
}
