/**
 * Flows as a resource: saved after validation, run from the API (the Start node's api_request
 * trigger) or by an incoming call to a number attached to the flow (incoming_call).
 */
import type { Clock } from '../clock.ts';
import type { CallProgram } from '../interpreter/run-document.ts';
import type { FlowRow, FlowRunRow, FlowStore } from '../store/flow-store.ts';
import { newId } from '../util/ids.ts';
import { startNode, type Flow } from './flow-schema.ts';
import { validateFlow, type FlowProblem } from './flow-validate.ts';
import { FlowCall } from './flow-call.ts';
import type { FlowRunner } from './flow-runner.ts';

export type SaveResult = { ok: true; row: FlowRow; flow: Flow } | { ok: false; problems: FlowProblem[] };

/** Why a run could not start; the API turns each into its error. */
export type RunRefusal =
  | { reason: 'not-found' }
  | { reason: 'no-trigger'; trigger: 'api_request' | 'incoming_call' }
  | { reason: 'undeclared-key'; key: string; declared: string[] }
  | { reason: 'bad-value'; key: string };

export class Flows {
  constructor(
    private readonly store: FlowStore,
    private readonly runner: FlowRunner,
    private readonly clock: Clock,
  ) {}

  /** Creates (no id) or replaces (id) a flow; undefined when `flowId` names no flow. */
  async save(input: unknown, flowId?: string, account: string | null = null): Promise<SaveResult | undefined> {
    const v = validateFlow(input);
    if (!v.ok) return { ok: false, problems: v.problems };
    const now = this.clock.now();
    const definition = JSON.stringify(input);
    if (flowId === undefined) {
      const row: FlowRow = { flow_id: newId(), name: v.flow.name, definition, created_at: now, updated_at: now, account_id: account };
      await this.store.insertFlow(row);
      return { ok: true, row, flow: v.flow };
    }
    const current = await this.store.getFlow(flowId);
    if (!current) return undefined;
    const row: FlowRow = { ...current, name: v.flow.name, definition, updated_at: now };
    await this.store.updateFlow(row);
    return { ok: true, row, flow: v.flow };
  }

  /** The flow and its validated form (re-validated on load: the stored JSON is the source of truth). */
  async get(flowId: string): Promise<{ row: FlowRow; flow: Flow } | undefined> {
    const row = await this.store.getFlow(flowId);
    if (!row) return undefined;
    const v = validateFlow(JSON.parse(row.definition));
    if (!v.ok) return undefined;
    return { row, flow: v.flow };
  }

  list(page: { limit: number; offset: number; account?: string }): Promise<{ rows: FlowRow[]; total: number }> {
    return this.store.listFlows(page);
  }

  remove(flowId: string): Promise<boolean> {
    return this.store.deleteFlow(flowId);
  }

  getRun(runId: string): Promise<FlowRunRow | undefined> {
    return this.store.getRun(runId);
  }

  listRuns(flowId: string, page: { limit: number; offset: number }): Promise<{ rows: FlowRunRow[]; total: number }> {
    return this.store.listRuns(flowId, page);
  }

  /** The run API (plivo.md §8): payload keys must be the ones the Start node declares. */
  async runFromApi(flowId: string, payload: Record<string, unknown>): Promise<{ ok: true; runId: string; done: Promise<FlowRunRow> } | ({ ok: false } & RunRefusal)> {
    const found = await this.get(flowId);
    if (!found) return { ok: false, reason: 'not-found' };
    const start = startNode(found.flow);
    if (!start.transitions.api_request) return { ok: false, reason: 'no-trigger', trigger: 'api_request' };
    const declared = Object.keys(start.payload);
    const params: Record<string, string> = {};
    for (const [key, value] of Object.entries(payload)) {
      if (!declared.includes(key)) return { ok: false, reason: 'undeclared-key', key, declared };
      if (value !== null && typeof value === 'object') return { ok: false, reason: 'bad-value', key };
      params[key] = value === null || value === undefined ? '' : String(value);
    }
    const { runId, done } = await this.runner.start({ flowId, flow: found.flow, trigger: 'api_request', params, account: found.row.account_id });
    return { ok: true, runId, done };
  }

  /** Whether the flow can take incoming calls (its Start node has an incoming_call transition). */
  takesCalls(flow: Flow): boolean {
    return Boolean(startNode(flow).transitions.incoming_call);
  }

  /** The program an inbound call to a number attached to this flow runs (calls/call-setup.ts). */
  programFor(flowId: string, flow: Flow, account: string | null = null): CallProgram {
    return async (ctx) => {
      const call = new FlowCall(ctx);
      await this.runner.start({ flowId, flow, trigger: 'incoming_call', call, account });
      return call.settled();
    };
  }
}
