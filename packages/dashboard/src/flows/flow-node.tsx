/** A node on the canvas: its name and type, one connection handle per state, its problems, and its trace step. */
import { createContext, useContext } from 'react';
import { Handle, Position, type NodeProps } from '@xyflow/react';
import { NODE_INFO, statesOf, type FlowNode } from './flow-model.ts';

export interface TraceStep {
  node: string;
  type: string;
  state: string | null;
  next: string | null;
  variables: Record<string, unknown>;
  duration_ms: number;
  error?: string;
}

export const ProblemsContext = createContext<Map<string, string[]>>(new Map());
export const TraceContext = createContext<Map<string, TraceStep>>(new Map());

export function SbNode({ data, selected }: NodeProps<FlowNode>) {
  const raw = data.raw;
  const problems = useContext(ProblemsContext).get(raw.name) ?? [];
  const step = useContext(TraceContext).get(raw.name);
  const info = NODE_INFO[raw.type];
  const states = statesOf(raw);
  const cls = ['sb-node', `sb-${raw.type}`, selected ? 'is-selected' : '', problems.length ? 'has-problems' : '', step ? (step.error ? 'in-trace trace-error' : 'in-trace') : ''].join(' ');
  return (
    <div className={cls} data-node-name={raw.name}>
      {raw.type !== 'start' && <Handle type="target" position={Position.Left} id="in" className="sb-in" />}
      <div className="sb-node-head">
        <span className="sb-node-type">{info.label}</span>
        <strong className="sb-node-name">{raw.name}</strong>
      </div>
      {step && (
        <div className="sb-node-trace">
          ran → <code>{step.state ?? 'ended'}</code> · {step.duration_ms} ms
        </div>
      )}
      {problems.length > 0 && (
        <ul className="sb-node-problems" aria-label={`Problems of ${raw.name}`}>
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
      {states.length > 0 && (
        <ul className="sb-states">
          {states.map((s) => (
            <li key={s} className={step?.state === s ? 'taken' : ''}>
              <span>{s.replace('_', ' ')}</span>
              <Handle type="source" position={Position.Right} id={s} className="sb-out" data-state={s} />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
