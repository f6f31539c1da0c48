/** JSON shapes of the engine's API (docs/api.md, docs/delivery.md), as far as the dashboard reads them. */

export interface Meta {
  limit: number;
  offset: number;
  total_count: number;
  next: string | null;
  previous: string | null;
}

export interface ListOf<T> {
  meta: Meta;
  objects: T[];
}

export interface Cdr {
  call_uuid: string;
  request_uuid: string | null;
  parent_call_uuid: string | null;
  call_direction: 'inbound' | 'outbound';
  from_number: string;
  to_number: string;
  caller_name: string | null;
  call_state: string;
  call_status: string;
  initiation_time: string;
  answer_time: string | null;
  end_time: string | null;
  call_duration: number | null;
  bill_duration: number | null;
  hangup_cause: string | null;
  hangup_cause_code: number | null;
  hangup_cause_name: string | null;
  hangup_source: string | null;
  error: string | null;
  warnings: string[];
}

export interface LiveCall {
  call_uuid: string;
  call_status: string;
  direction: string;
  from: string;
  to: string;
  caller_name?: string;
  request_uuid?: string;
  parent_call_uuid?: string | null;
  session_start: string;
}

export interface Attempt {
  attempt: number;
  time: string;
  at: number;
  url: string;
  method: string;
  request_headers: Record<string, string>;
  params: Record<string, string>;
  status_code: number | null;
  response_excerpt: string | null;
  latency_ms: number | null;
  error: string | null;
}

export interface Delivery {
  delivery_id: string;
  call_uuid: string;
  sequence: number;
  kind: string;
  event: string;
  url: string;
  method: string;
  params: Record<string, string>;
  synchronous: boolean;
  status: 'pending' | 'delivered' | 'failed' | 'dead';
  attempt_count: number;
  created_at: string;
  next_attempt_at: string | null;
  completed_at: string | null;
  last_error: string | null;
  attempts?: Attempt[];
}

export interface TimelineEvent {
  kind: 'event';
  time: string;
  at: number;
  call_uuid: string;
  leg: string;
  seq: number;
  type: string;
  data: Record<string, unknown> | null;
}

export interface TimelineAttempt {
  kind: 'webhook';
  time: string;
  at: number;
  call_uuid: string;
  delivery_id: string;
  sequence: number;
  webhook: string;
  event: string;
  attempt: number;
  method: string;
  url: string;
  status_code: number | null;
  latency_ms: number | null;
  error: string | null;
}

export type TimelineEntry = TimelineEvent | TimelineAttempt;

export interface Timeline {
  call_uuid: string;
  legs: Cdr[];
  objects: TimelineEntry[];
}

export interface SimNumber {
  number: string;
  script: string;
  created_at: string;
  updated_at: string;
}
