/**
 * The flow document (docs/flows.md) and the canvas's nodes and edges. A node's configuration is
 * kept as the document has it; its transitions are the canvas's edges; its place on the canvas is
 * stored in the document as `position`, a key of the dashboard's own that the engine ignores.
 */
import type { Edge, Node } from '@xyflow/react';

export type NodeType = 'start' | 'call_forward' | 'initiate_call' | 'http_request' | 'play' | 'speak' | 'branch' | 'hangup';

export interface RawNode {
  name: string;
  type: NodeType;
  transitions?: Record<string, string | null>;
  position?: { x: number; y: number };
  [key: string]: unknown;
}

export interface FlowDoc {
  name: string;
  description?: string;
  nodes: RawNode[];
}

export interface NodeData extends Record<string, unknown> {
  raw: RawNode;
}
export type FlowNode = Node<NodeData, 'sb'>;

export const NODE_INFO: Record<NodeType, { label: string; states: readonly string[]; blurb: string }> = {
  start: { label: 'Start', states: ['incoming_call', 'api_request'], blurb: 'Where a run begins: an incoming call or the run API' },
  call_forward: { label: 'Call Forward', states: ['completed', 'no_answer', 'busy', 'failed'], blurb: 'Dial one or more numbers and bridge the caller' },
  initiate_call: { label: 'Initiate Call', states: ['answered', 'no_answer', 'busy', 'failed'], blurb: 'Place an outbound call' },
  http_request: { label: 'HTTP Request', states: ['success', 'failed'], blurb: 'Call a URL, e.g. to report the dial status' },
  play: { label: 'Play', states: ['completed'], blurb: 'Play an audio file' },
  speak: { label: 'Speak', states: ['completed'], blurb: 'Say a text' },
  branch: { label: 'Branch', states: ['no_match'], blurb: 'Choose the next node by a variable' },
  hangup: { label: 'Hang Up', states: [], blurb: 'End the call' },
};

export const PALETTE: NodeType[] = ['call_forward', 'http_request', 'initiate_call', 'speak', 'play', 'branch', 'hangup'];

export function statesOf(raw: RawNode): string[] {
  if (raw.type === 'branch') {
    const conds = Array.isArray(raw.conditions) ? (raw.conditions as Array<{ state?: unknown }>) : [];
    return [...conds.map((c) => String(c.state ?? '')).filter(Boolean), 'no_match'];
  }
  return [...NODE_INFO[raw.type].states];
}

export function defaultsFor(type: NodeType): Omit<RawNode, 'name' | 'type'> {
  switch (type) {
    case 'start':
      return { payload: {} };
    case 'call_forward':
      return { to: [], from: '{{Start.call.from}}', ring_timeout: 30, mode: 'parallel' };
    case 'initiate_call':
      return { from: '', to: '', ring_timeout: 30 };
    case 'http_request':
      return { method: 'POST', url: '', body: { type: 'form', data: {} }, timeout: 10 };
    case 'play':
      return { url: '', loop: 1 };
    case 'speak':
      return { text: '', loop: 1 };
    case 'branch':
      return { conditions: [] };
    case 'hangup':
      return {};
  }
}

/** `Call_Forward`, then `Call_Forward_2` ... (names are how templates refer to a node). */
export function uniqueName(type: NodeType, taken: ReadonlySet<string>): string {
  const base = NODE_INFO[type].label.replace(/\s+/g, '_');
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}_${i}`)) return `${base}_${i}`;
}

let seq = 0;
export const newNodeId = () => `n${Date.now().toString(36)}${(seq++).toString(36)}`;

/** Places nodes without a stored position in columns by their distance from Start. */
function layout(nodes: RawNode[]): Map<string, { x: number; y: number }> {
  const depth = new Map<string, number>();
  const start = nodes.find((n) => n.type === 'start');
  const queue = start ? [start.name] : [];
  if (start) depth.set(start.name, 0);
  while (queue.length) {
    const name = queue.shift()!;
    const n = nodes.find((m) => m.name === name);
    for (const t of Object.values(n?.transitions ?? {})) {
      if (t && !depth.has(t)) {
        depth.set(t, depth.get(name)! + 1);
        queue.push(t);
      }
    }
  }
  const rows = new Map<number, number>();
  const out = new Map<string, { x: number; y: number }>();
  for (const n of nodes) {
    const d = depth.get(n.name) ?? 0;
    const r = rows.get(d) ?? 0;
    rows.set(d, r + 1);
    out.set(n.name, { x: 40 + d * 300, y: 40 + r * 200 });
  }
  return out;
}

export function toCanvas(doc: FlowDoc): { nodes: FlowNode[]; edges: Edge[] } {
  const auto = layout(doc.nodes);
  const idOf = new Map<string, string>();
  const nodes: FlowNode[] = doc.nodes.map((raw) => {
    const id = newNodeId();
    idOf.set(raw.name, id);
    const { position, transitions: _t, ...rest } = raw;
    return { id, type: 'sb', position: position ?? auto.get(raw.name)!, data: { raw: { ...rest, transitions: raw.transitions ?? {} } as RawNode }, deletable: raw.type !== 'start' };
  });
  const edges: Edge[] = [];
  for (const raw of doc.nodes) {
    for (const [state, target] of Object.entries(raw.transitions ?? {})) {
      const s = idOf.get(raw.name);
      const t = target ? idOf.get(target) : undefined;
      if (s && t) edges.push(edgeFor(s, state, t));
    }
  }
  return { nodes, edges };
}

export function edgeFor(source: string, state: string, target: string): Edge {
  return { id: `${source}:${state}`, source, sourceHandle: state, target, targetHandle: 'in' };
}

export function fromCanvas(meta: { name: string; description?: string }, nodes: FlowNode[], edges: Edge[]): FlowDoc {
  const nameOf = new Map(nodes.map((n) => [n.id, n.data.raw.name]));
  return {
    name: meta.name,
    ...(meta.description ? { description: meta.description } : {}),
    nodes: nodes.map((n) => {
      const transitions: Record<string, string> = {};
      for (const e of edges) if (e.source === n.id && e.sourceHandle && nameOf.has(e.target)) transitions[e.sourceHandle] = nameOf.get(e.target)!;
      const { transitions: _t, ...raw } = n.data.raw;
      return { ...raw, transitions, position: { x: Math.round(n.position.x), y: Math.round(n.position.y) } };
    }),
  };
}

/**
 * The engine's `SB_INVALID_FLOW` message, `flow: Node.field: message; Other.field: message`, as
 * problems per node name ('' for the document itself).
 */
export function parseProblems(message: string, names: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const body = message.replace(/^flow:\s*/, '');
  // Split only where the next problem starts with a known node name or a document field.
  const starts = [...names, 'name', 'nodes', 'flow'].map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const parts = body.split(new RegExp(`;\\s+(?=(?:${starts.join('|')})[.:])`));
  for (const p of parts) {
    const node = names.find((n) => p.startsWith(`${n}.`) || p.startsWith(`${n}:`)) ?? '';
    const text = node ? p.slice(node.length + 1) : p;
    out.set(node, [...(out.get(node) ?? []), text]);
  }
  return out;
}
