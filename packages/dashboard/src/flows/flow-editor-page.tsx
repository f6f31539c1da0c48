/**
 * The flow canvas (@xyflow/react): a palette to drag (or press) node types onto the canvas, states
 * connected to the next node, a side panel with the selected node's configuration and its
 * validation errors (also shown on the node), save, run, and the trace of a run on the canvas.
 */
import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent } from 'react';
import { Background, Controls, ReactFlow, ReactFlowProvider, applyEdgeChanges, applyNodeChanges, useReactFlow, type Connection, type Edge, type EdgeChange, type NodeChange } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { ApiError } from '../api/client.ts';
import { useApi } from '../api/context.tsx';
import { ErrorBox, Loading, PageHeader } from '../components/ui.tsx';
import { explainError } from '../explain.ts';
import { navigate, useTitle } from '../router.tsx';
import { defaultsFor, edgeFor, fromCanvas, NODE_INFO, newNodeId, PALETTE, parseProblems, toCanvas, uniqueName, type FlowDoc, type FlowNode, type NodeType, type RawNode } from './flow-model.ts';
import { ProblemsContext, SbNode, TraceContext, type TraceStep } from './flow-node.tsx';
import { NodePanel } from './node-panel.tsx';
import { RunsPanel, type Run } from './runs-panel.tsx';

const nodeTypes = { sb: SbNode };
const NEW_FLOW: FlowDoc = { name: 'New flow', nodes: [{ name: 'Start', type: 'start', transitions: {}, position: { x: 40, y: 160 } }] };
const DND_TYPE = 'application/x-switchboard-node';

export function FlowEditorPage({ flowId }: { flowId: string }) {
  return (
    <ReactFlowProvider>
      <Editor flowId={flowId} />
    </ReactFlowProvider>
  );
}

function Editor({ flowId }: { flowId: string }) {
  const api = useApi();
  const isNew = flowId === 'new';
  const [loadError, setLoadError] = useState<unknown>();
  const [loaded, setLoaded] = useState(false);
  const [meta, setMeta] = useState({ name: '', description: '' });
  const [nodes, setNodes] = useState<FlowNode[]>([]);
  const [edges, setEdges] = useState<Edge[]>([]);
  const [selected, setSelected] = useState<string | null>(null);
  const [problems, setProblems] = useState<Map<string, string[]>>(new Map());
  const [status, setStatus] = useState<{ kind: 'ok' | 'error'; text: string }>();
  const [busy, setBusy] = useState(false);
  const [run, setRun] = useState<Run | null>(null);
  const [tab, setTab] = useState<'node' | 'runs'>('node');
  const [runsVersion, setRunsVersion] = useState(0);
  const { screenToFlowPosition } = useReactFlow();
  const wrapper = useRef<HTMLDivElement>(null);
  useTitle(meta.name ? `Flow ${meta.name}` : 'Flow');

  useEffect(() => {
    let cancelled = false;
    const load = async () => {
      try {
        const doc = isNew ? NEW_FLOW : (await api.get<{ definition: FlowDoc }>(`/Flow/${flowId}/`)).definition;
        if (cancelled) return;
        const c = toCanvas(doc);
        setMeta({ name: doc.name, description: doc.description ?? '' });
        setNodes(c.nodes);
        setEdges(c.edges);
        setLoaded(true);
      } catch (err) {
        if (!cancelled) setLoadError(err);
      }
    };
    void load();
    return () => {
      cancelled = true;
    };
  }, [api, flowId, isNew]);

  const onNodesChange = useCallback((changes: NodeChange<FlowNode>[]) => {
    setNodes((ns) => applyNodeChanges(changes, ns));
    for (const c of changes) if (c.type === 'select' && c.selected) setSelected(c.id);
    for (const c of changes) if (c.type === 'remove') setSelected((s) => (s === c.id ? null : s));
  }, []);
  const onEdgesChange = useCallback((changes: EdgeChange[]) => setEdges((es) => applyEdgeChanges(changes, es)), []);
  // One edge per state: connecting a state again replaces where it leads.
  const onConnect = useCallback((c: Connection) => {
    if (!c.sourceHandle || c.source === c.target) return;
    setEdges((es) => [...es.filter((e) => !(e.source === c.source && e.sourceHandle === c.sourceHandle)), edgeFor(c.source, c.sourceHandle!, c.target)]);
  }, []);

  const taken = useMemo(() => new Set(nodes.map((n) => n.data.raw.name)), [nodes]);
  const addNode = (type: NodeType, position?: { x: number; y: number }) => {
    const id = newNodeId();
    const raw: RawNode = { name: uniqueName(type, taken), type, ...defaultsFor(type), transitions: {} };
    const pos = position ?? { x: 80 + 300 * Math.min(3, nodes.length), y: 80 + ((nodes.length * 70) % 320) };
    setNodes((ns) => [...ns.map((n) => ({ ...n, selected: false })), { id, type: 'sb', position: pos, data: { raw }, selected: true }]);
    setSelected(id);
    setTab('node');
  };
  const onDragOver = (e: DragEvent) => {
    e.preventDefault();
    e.dataTransfer.dropEffect = 'move';
  };
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    const type = e.dataTransfer.getData(DND_TYPE) as NodeType;
    if (!type || !(type in NODE_INFO)) return;
    addNode(type, screenToFlowPosition({ x: e.clientX, y: e.clientY }));
  };

  const updateNode = (id: string, raw: RawNode) => {
    setNodes((ns) => ns.map((n) => (n.id === id ? { ...n, data: { raw } } : n)));
    // A branch's states follow its conditions: drop edges from states it no longer has.
    if (raw.type === 'branch') {
      const states = new Set([...(Array.isArray(raw.conditions) ? (raw.conditions as Array<{ state?: string }>).map((c) => c.state) : []), 'no_match']);
      setEdges((es) => es.filter((e) => e.source !== id || states.has(e.sourceHandle ?? '')));
    }
  };
  const deleteNode = (id: string) => {
    setNodes((ns) => ns.filter((n) => n.id !== id));
    setEdges((es) => es.filter((e) => e.source !== id && e.target !== id));
    setSelected(null);
  };

  const save = async (): Promise<string | null> => {
    setBusy(true);
    setStatus(undefined);
    const doc = fromCanvas(meta, nodes, edges);
    try {
      if (isNew) {
        const res = await api.post<{ flow_id: string }>('/Flow/', doc);
        setProblems(new Map());
        navigate(`/flows/${res.flow_id}`, { replace: true });
        return res.flow_id;
      }
      await api.post(`/Flow/${flowId}/`, doc);
      setProblems(new Map());
      setStatus({ kind: 'ok', text: 'Saved.' });
      return flowId;
    } catch (err) {
      if (err instanceof ApiError && err.code === 'SB_INVALID_FLOW') {
        const p = parseProblems(err.message, [...taken]);
        setProblems(p);
        const count = [...p.values()].reduce((a, b) => a + b.length, 0);
        setStatus({ kind: 'error', text: `Not saved: ${count} problem${count === 1 ? '' : 's'} to fix (shown on the nodes).` });
        const first = nodes.find((n) => p.has(n.data.raw.name));
        if (first) {
          setSelected(first.id);
          setTab('node');
        }
      } else setStatus({ kind: 'error', text: `Not saved: ${explainError(err)}` });
      return null;
    } finally {
      setBusy(false);
    }
  };

  const runNow = async () => {
    const id = await save();
    if (!id || isNew) return;
    try {
      const res = await api.post<{ api_id: string }>(`/v1/account/${encodeURIComponent(api.session.authId)}/phlo/${id}`, {});
      setStatus({ kind: 'ok', text: 'Run started.' });
      setTab('runs');
      setRunsVersion((v) => v + 1);
      setRun({ run_id: res.api_id, status: 'running', trace: [] } as unknown as Run);
    } catch (err) {
      setStatus({ kind: 'error', text: `Could not run: ${explainError(err)}` });
    }
  };

  const traceByName = useMemo(() => new Map((run?.trace ?? []).map((s: TraceStep) => [s.node, s])), [run]);
  const styledEdges = useMemo(() => {
    if (!run) return edges;
    const nameOf = new Map(nodes.map((n) => [n.id, n.data.raw.name]));
    return edges.map((e) => {
      const step = traceByName.get(nameOf.get(e.source) ?? '');
      const taken = step && step.state === e.sourceHandle && step.next === nameOf.get(e.target);
      return taken ? { ...e, animated: true, className: 'edge-taken' } : { ...e, className: 'edge-dim' };
    });
  }, [edges, nodes, run, traceByName]);

  if (loadError !== undefined) return <ErrorBox error={loadError} title="Could not load this flow" />;
  if (!loaded) return <Loading what="Loading the flow" />;
  const sel = nodes.find((n) => n.id === selected);
  const docProblems = problems.get('') ?? [];

  return (
    <section className="flow-editor">
      <PageHeader title={isNew ? 'New flow' : meta.name}>
        <label className="inline-field">
          <span>Name</span>
          <input value={meta.name} onChange={(e) => setMeta({ ...meta, name: e.target.value })} aria-label="Flow name" />
        </label>
        <button type="button" className="primary" onClick={() => void save()} disabled={busy}>
          {busy ? 'Saving…' : 'Save'}
        </button>
        <button type="button" onClick={() => void runNow()} disabled={busy || isNew} title={isNew ? 'Save the flow first' : 'Start a run through the run API (Start → api_request)'}>
          Run
        </button>
      </PageHeader>
      {status && (
        <p className={status.kind === 'ok' ? 'notice' : 'error-box'} role={status.kind === 'ok' ? 'status' : 'alert'}>
          {status.text}
        </p>
      )}
      {docProblems.length > 0 && (
        <ul className="error-box" role="alert">
          {docProblems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
      <div className="flow-layout">
        <aside className="palette" aria-label="Node palette">
          <h2>Nodes</h2>
          <p className="hint">Drag onto the canvas, or press to add.</p>
          {PALETTE.map((t) => (
            <button
              type="button"
              key={t}
              className={`palette-item sb-${t}`}
              draggable
              onDragStart={(e) => {
                e.dataTransfer.setData(DND_TYPE, t);
                e.dataTransfer.effectAllowed = 'move';
              }}
              onClick={() => addNode(t)}
              title={NODE_INFO[t].blurb}
              data-node-type={t}
            >
              {NODE_INFO[t].label}
            </button>
          ))}
        </aside>
        <div className="canvas" ref={wrapper} onDragOver={onDragOver} onDrop={onDrop}>
          <ProblemsContext.Provider value={problems}>
            <TraceContext.Provider value={traceByName}>
              <ReactFlow
                nodes={nodes}
                edges={styledEdges}
                nodeTypes={nodeTypes}
                onNodesChange={onNodesChange}
                onEdgesChange={onEdgesChange}
                onConnect={onConnect}
                onPaneClick={() => setSelected(null)}
                deleteKeyCode={['Backspace', 'Delete']}
                {...(isNew ? { defaultViewport: { x: 0, y: 0, zoom: 1 } } : { fitView: true, fitViewOptions: { maxZoom: 1 } })}
                proOptions={{ hideAttribution: true }}
              >
                <Background gap={20} />
                <Controls />
              </ReactFlow>
            </TraceContext.Provider>
          </ProblemsContext.Provider>
        </div>
        <aside className="side-panel" aria-label="Details">
          <div className="tabs" role="tablist">
            <button type="button" role="tab" aria-selected={tab === 'node'} onClick={() => setTab('node')}>
              Node
            </button>
            <button type="button" role="tab" aria-selected={tab === 'runs'} onClick={() => setTab('runs')} disabled={isNew}>
              Runs
            </button>
          </div>
          {tab === 'node' &&
            (sel ? (
              <NodePanel key={sel.id} raw={sel.data.raw} problems={problems.get(sel.data.raw.name) ?? []} onChange={(raw) => updateNode(sel.id, raw)} onDelete={() => deleteNode(sel.id)} nameTaken={(n) => taken.has(n)} />
            ) : (
              <p className="muted">Select a node to configure it. Connect a node’s states (on its right) to the next node’s input (on its left).</p>
            ))}
          {tab === 'runs' && !isNew && <RunsPanel flowId={flowId} version={runsVersion} selected={run} onSelect={setRun} />}
        </aside>
      </div>
    </section>
  );
}
