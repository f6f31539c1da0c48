/** What a node handler may use while a flow runs (flow-runner.ts implements it). */
import type { Clock } from '../clock.ts';
import type { CallRow } from '../store/store.ts';
import type { CallProgram } from '../interpreter/run-document.ts';
import type { FlowCall } from './flow-call.ts';
import type { Variables } from './templates.ts';

export interface NodeResult {
  /** The state taken; absent when the node ends the run (Hangup). */
  readonly state?: string;
  /** The node's variables, visible to later nodes as `{{NodeName.variable}}`. */
  readonly variables?: Variables;
}

/** A node could not do its work: the run stops and is marked failed with this message. */
export class FlowNodeError extends Error {
  override readonly name = 'FlowNodeError';
}

export interface PlacedCall {
  readonly callUuid: string;
  /** Resolves with the flow's side of the call once it is answered. */
  readonly answered: Promise<FlowCall>;
  /** Resolves with the final CDR once the call ended. */
  readonly done: Promise<CallRow>;
}

export interface RunContext {
  readonly runId: string;
  readonly flowId: string;
  readonly clock: Clock;
  /** Variables by node name: `{ Start: {...}, Call_Forward: {...} }`. */
  readonly vars: Variables;
  /** The call the run drives, once there is one. */
  call: FlowCall | undefined;
  render(template: string): Promise<string>;
  /** The current call, or a FlowNodeError naming the node that needed one. */
  requireCall(node: string): FlowCall;
  /** Waits for something the clock drives (a call's progress), so a virtual clock may move meanwhile. */
  waitOnClock<T>(work: Promise<T>): Promise<T>;
  /** Places an outbound call whose program is this run. */
  placeCall(o: { from: string; to: string; ringTimeoutS: number; program: CallProgram }): Promise<{ callUuid: string; done: Promise<CallRow> }>;
  /** Where HTTP Request nodes send (undici by default). */
  readonly http: HttpClient;
}

export interface HttpResponse {
  readonly statusCode: number;
  readonly contentType: string;
  readonly body: string;
}

export type HttpClient = (req: { method: string; url: string; headers: Record<string, string>; body?: string; timeoutMs: number }) => Promise<HttpResponse>;
