/**
 * Runs a flow: takes the start node's trigger, then node by node follows the transition of the
 * state each node ends in, until a state leads nowhere. Every step is stored as it happens (node,
 * state taken, variables, timings), so `GET .../Flow/{id}/Run/{run_id}/` shows a run while it
 * runs and after. When the run ends, a call it still holds is let go (and hung up, like a
 * document that ran out).
 */
import type { Clock } from '../clock.ts';
import type { Activity } from '../util/activity.ts';
import type { Logger } from '../util/logger.ts';
import type { CallProgram } from '../interpreter/run-document.ts';
import type { CallRow } from '../store/store.ts';
import type { FlowRunRow, FlowStore, FlowTrigger } from '../store/flow-store.ts';
import { newId } from '../util/ids.ts';
import { formatTime } from '../util/time.ts';
import { nodeNamed, startNode, type Flow } from './flow-schema.ts';
import type { FlowCall } from './flow-call.ts';
import { render, type Variables } from './templates.ts';
import { runNode } from './nodes/index.ts';
import { FlowNodeError, type HttpClient, type RunContext } from './run-context.ts';

/** A loop guard: a flow whose branches lead round forever still ends. */
const MAX_STEPS = 500;

export interface TraceStep {
  node: string;
  type: string;
  /** The state taken; null when the node ended the run. */
  state: string | null;
  /** The node that ran next, or null. */
  next: string | null;
  variables: Variables;
  started_at: string;
  ended_at: string;
  duration_ms: number;
  error?: string;
}

export interface FlowRunnerDeps {
  clock: Clock;
  activity: Activity;
  store: FlowStore;
  log: Logger;
  http: HttpClient;
  placeCall(o: { from: string; to: string; label: string; ringTimeoutS: number; program: CallProgram; account?: string | null }): Promise<{ callUuid: string; done: Promise<CallRow> }>;
}

export interface RunStart {
  flowId: string;
  flow: Flow;
  trigger: FlowTrigger;
  /** API trigger: the payload, already checked against the start node's keys. */
  params?: Record<string, string>;
  /** Incoming-call trigger: the call that arrived. */
  call?: FlowCall;
  /** The flow's owner: the run and the calls it places are that account's (docs/accounts.md). */
  account?: string | null;
}

export class FlowRunner {
  constructor(private readonly deps: FlowRunnerDeps) {}

  /** Stores the run and starts it; `done` resolves with the final row (never rejects). */
  async start(o: RunStart): Promise<{ runId: string; done: Promise<FlowRunRow> }> {
    const { clock, store } = this.deps;
    const start = startNode(o.flow);
    const params = { ...start.payload, ...o.params };
    const row: FlowRunRow = {
      run_id: newId(),
      flow_id: o.flowId,
      trigger: o.trigger,
      status: 'running',
      call_uuid: o.call ? o.call.row().call_uuid : null,
      payload: JSON.stringify(o.call ? { from: o.call.row().from_number, to: o.call.row().to_number } : params),
      trace: '[]',
      error: null,
      started_at: clock.now(),
      ended_at: null,
      account_id: o.account ?? null,
    };
    await store.insertRun(row);
    const hold = this.deps.activity.begin();
    const done = this.run(o, row, params, hold);
    return { runId: row.run_id, done };
  }

  private async run(o: RunStart, row: FlowRunRow, params: Record<string, string>, hold: () => void): Promise<FlowRunRow> {
    const { clock, store, log } = this.deps;
    const trace: TraceStep[] = [];
    let release = hold;
    const vars: Variables = {};
    const rc: RunContext = {
      runId: row.run_id,
      flowId: o.flowId,
      clock,
      vars,
      call: o.call,
      http: this.deps.http,
      render: (t) => render(t, vars),
      requireCall: (node) => {
        if (rc.call?.live) return rc.call;
        throw new FlowNodeError(rc.call ? `${node}: the call has ended` : `${node}: needs a call (an incoming call, or an initiate_call node before it)`);
      },
      waitOnClock: async (work) => {
        release();
        try {
          return await work;
        } finally {
          release = this.deps.activity.begin();
        }
      },
      placeCall: async (c) => {
        const placed = await this.deps.placeCall({ ...c, label: `flow:${o.flowId}`, account: o.account ?? null });
        if (!row.call_uuid) row.call_uuid = placed.callUuid;
        return placed;
      },
    };
    const save = async () => {
      row.trace = JSON.stringify(trace);
      await store.updateRun(row);
    };
    try {
      const start = startNode(o.flow);
      vars[start.name] = startVariables(o, params);
      let next = start.transitions[o.trigger] ?? null;
      const t0 = clock.now();
      trace.push(step(start.name, 'start', o.trigger, next, vars[start.name] as Variables, t0, t0));
      await save();
      while (next) {
        if (trace.length > MAX_STEPS) throw new FlowNodeError(`more than ${MAX_STEPS} steps: stopping (a loop between nodes?)`);
        const node = nodeNamed(o.flow, next)!;
        const began = clock.now();
        try {
          const result = await runNode(node, rc);
          if (result.variables) vars[node.name] = result.variables;
          const state = result.state ?? null;
          const transitions = node.transitions as Record<string, string | null | undefined>;
          next = state === null ? null : (transitions[state] ?? null);
          trace.push(step(node.name, node.type, state, next, result.variables ?? {}, began, clock.now()));
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err);
          trace.push({ ...step(node.name, node.type, null, null, {}, began, clock.now()), error: message });
          throw err;
        }
        await save();
      }
      row.status = 'completed';
    } catch (err) {
      row.status = 'failed';
      row.error = err instanceof Error ? err.message : String(err);
      if (!(err instanceof FlowNodeError)) log.error({ err, run: row.run_id }, 'flow run failed');
    } finally {
      rc.call?.finish();
      row.ended_at = clock.now();
      try {
        await save();
      } catch (err) {
        log.error({ err, run: row.run_id }, 'could not store the end of a flow run');
      }
      release();
    }
    return row;
  }
}

function step(node: string, type: string, state: string | null, next: string | null, variables: Variables, began: number, ended: number): TraceStep {
  return { node, type, state, next, variables, started_at: formatTime(began), ended_at: formatTime(ended), duration_ms: ended - began };
}

/** The start node's variables under Plivo's names (plivo.md §8 "Start"). */
function startVariables(o: RunStart, params: Record<string, string>): Variables {
  if (!o.call) return { request_type: 'http', http: { params } };
  const c = o.call.row();
  return {
    request_type: 'call',
    call: {
      uuid: c.call_uuid,
      from: c.from_number,
      to: c.to_number,
      direction: c.direction,
      leg: 'ALeg',
      start_time: formatTime(c.initiation_time),
    },
    http: { params },
  };
}
