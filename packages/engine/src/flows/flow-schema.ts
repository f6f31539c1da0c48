/**
 * A flow document (PHLO-style, plivo.md §8): named nodes with typed configuration, and for each
 * node a map from the states it can end in to the node that runs next. Values marked "template"
 * are Liquid templates evaluated when the node runs (`{{Start.call.from}}`, docs/flows.md).
 *
 * These are the shapes after validation (flow-validate.ts): defaults filled in, every transition
 * pointing at a node that exists.
 */

export type Template = string;
/** A transition: the node that runs when this state is taken, or null (the run ends). */
export type Transitions<S extends string> = Readonly<Partial<Record<S, string | null>>>;

interface NodeBase<T extends string, S extends string> {
  readonly name: string;
  readonly type: T;
  readonly transitions: Transitions<S>;
}

export const START_STATES = ['incoming_call', 'api_request'] as const;
export type StartState = (typeof START_STATES)[number];
export interface StartNode extends NodeBase<'start', StartState> {
  /** Declared payload keys of the run API, with default values (plivo.md §8 "Start"). */
  readonly payload: Readonly<Record<string, string>>;
}

export const DIAL_STATES = ['completed', 'no_answer', 'busy', 'failed'] as const;
export type DialState = (typeof DIAL_STATES)[number];
export interface CallForwardNode extends NodeBase<'call_forward', DialState> {
  /** Caller ID shown to the callees (template); default: the caller's number. */
  readonly from?: Template;
  /** Numbers or SIP URIs (templates; each may hold a comma-separated list). */
  readonly to: readonly Template[];
  /** Seconds each attempt rings (default 30). */
  readonly ringTimeout: number;
  readonly mode: 'parallel' | 'sequential';
  readonly callerName?: Template;
  /** Call screening: the callee must press `confirmKey` to take the call. */
  readonly screening?: { readonly message?: Template; readonly confirmKey: string };
}

export const INITIATE_STATES = ['answered', 'no_answer', 'busy', 'failed'] as const;
export type InitiateState = (typeof INITIATE_STATES)[number];
export interface InitiateCallNode extends NodeBase<'initiate_call', InitiateState> {
  readonly from: Template;
  readonly to: Template;
  readonly ringTimeout: number;
}

export const HTTP_STATES = ['success', 'failed'] as const;
export type HttpState = (typeof HTTP_STATES)[number];
export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'DELETE'] as const;
export type HttpAuth =
  | { readonly type: 'basic'; readonly username: Template; readonly password: Template }
  | { readonly type: 'bearer'; readonly token: Template };
export interface HttpRequestNode extends NodeBase<'http_request', HttpState> {
  readonly method: (typeof HTTP_METHODS)[number];
  readonly url: Template;
  readonly headers: Readonly<Record<string, Template>>;
  readonly auth?: HttpAuth;
  /** Added to the URL's query string. */
  readonly params: Readonly<Record<string, Template>>;
  /** POST, PUT and DELETE only. */
  readonly body?: { readonly type: 'form' | 'json'; readonly data: Readonly<Record<string, Template>> };
  /** Seconds before the request counts as failed (default 10). */
  readonly timeout: number;
}

export const PROMPT_STATES = ['completed'] as const;
export type PromptState = (typeof PROMPT_STATES)[number];
export interface PlayNode extends NodeBase<'play', PromptState> {
  readonly url: Template;
  readonly loop: number;
}
export interface SpeakNode extends NodeBase<'speak', PromptState> {
  readonly text: Template;
  readonly voice?: string;
  readonly language?: string;
  readonly loop: number;
}

export const BRANCH_OPERATORS = [
  'equals',
  'not_equals',
  'contains',
  'starts_with',
  'ends_with',
  'greater_than',
  'less_than',
  'is_empty',
  'is_not_empty',
] as const;
export type BranchOperator = (typeof BRANCH_OPERATORS)[number];
export interface BranchCondition {
  /** The state taken when this condition is the first to hold. */
  readonly state: string;
  readonly variable: Template;
  readonly operator: BranchOperator;
  readonly value: Template;
}
export interface BranchNode extends NodeBase<'branch', string> {
  readonly conditions: readonly BranchCondition[];
}

export interface HangupNode extends NodeBase<'hangup', never> {}

export type FlowNode = StartNode | CallForwardNode | InitiateCallNode | HttpRequestNode | PlayNode | SpeakNode | BranchNode | HangupNode;
export type NodeType = FlowNode['type'];

export const NODE_TYPES: readonly NodeType[] = ['start', 'call_forward', 'initiate_call', 'http_request', 'play', 'speak', 'branch', 'hangup'];

/** Node types that act on a call (they need one: the inbound call, or one initiate_call placed). */
export const CALL_NODE_TYPES: ReadonlySet<NodeType> = new Set(['call_forward', 'play', 'speak', 'hangup']);

export interface Flow {
  readonly name: string;
  readonly description?: string;
  readonly nodes: readonly FlowNode[];
}

/** The one start node (validation guarantees it). */
export function startNode(flow: Flow): StartNode {
  return flow.nodes.find((n): n is StartNode => n.type === 'start')!;
}

export function nodeNamed(flow: Flow, name: string): FlowNode | undefined {
  return flow.nodes.find((n) => n.name === name);
}
