/** Flows (their JSON definitions) and flow runs with their node-by-node traces (docs/flows.md). */
export interface FlowRow {
  flow_id: string;
  name: string;
  /** The flow document as JSON, exactly as validated. */
  definition: string;
  created_at: number;
  updated_at: number;
  /** The owning subaccount; null for the main account (docs/accounts.md). */
  account_id: string | null;
}

export type FlowTrigger = 'incoming_call' | 'api_request';
export type FlowRunStatus = 'running' | 'completed' | 'failed';

export interface FlowRunRow {
  run_id: string;
  flow_id: string;
  trigger: FlowTrigger;
  status: FlowRunStatus;
  /** The call the run drives (the inbound call, or the first call an initiate_call placed). */
  call_uuid: string | null;
  /** JSON: the API payload, or the inbound call's from/to. */
  payload: string;
  /** JSON array of trace steps (flows/flow-trace.ts). */
  trace: string;
  error: string | null;
  started_at: number;
  ended_at: number | null;
  /** The flow's owner when the run started; null for the main account. */
  account_id: string | null;
}

export interface FlowStore {
  insertFlow(row: FlowRow): Promise<void>;
  updateFlow(row: FlowRow): Promise<boolean>;
  getFlow(flowId: string): Promise<FlowRow | undefined>;
  listFlows(page: { limit: number; offset: number; account?: string }): Promise<{ rows: FlowRow[]; total: number }>;
  deleteFlow(flowId: string): Promise<boolean>;

  insertRun(row: FlowRunRow): Promise<void>;
  /** Saves the run's progress: status, call, trace, error, end. */
  updateRun(row: FlowRunRow): Promise<void>;
  getRun(runId: string): Promise<FlowRunRow | undefined>;
  listRuns(flowId: string, page: { limit: number; offset: number }): Promise<{ rows: FlowRunRow[]; total: number }>;
}
