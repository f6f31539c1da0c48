/**
 * JSON schemas of the answers several routes share (a CDR, a live call, a delivery, list paging).
 * Each route's own request schema sits with the route; a schema with a `title` becomes a named
 * component of the OpenAPI document and a named type in the clients (`npm run openapi:types`).
 * The shapes follow api/views.ts and api/delivery-views.ts; test/openapi.test.ts checks real answers
 * against them.
 */
import { CALL_STATUSES } from '@switchboard/sdk/webhooks';

const str = { type: 'string' } as const;
const strOrNull = { type: ['string', 'null'] } as const;
const intOrNull = { type: ['integer', 'null'] } as const;
const method = { type: 'string', enum: ['GET', 'POST'] } as const;
/** `YYYY-MM-DD HH:MM:SS+00:00` (Plivo's time format, UTC). */
const time = { type: 'string', description: 'YYYY-MM-DD HH:MM:SS+00:00, UTC' } as const;
const timeOrNull = { type: ['string', 'null'], description: 'YYYY-MM-DD HH:MM:SS+00:00, UTC' } as const;

/** A webhook URL parameter: an absolute http(s) URL the target policy accepts. */
export const urlParam = { type: 'string', description: 'An absolute http(s) URL' } as const;
export const methodParam = { ...method, default: 'POST' } as const;

export const API_ID = { api_id: str } as const;

/** `{api_id, message}`: the plain acknowledgement. */
export const MESSAGE_RESPONSE = {
  title: 'MessageResponse',
  type: 'object',
  required: ['api_id', 'message'],
  properties: { api_id: str, message: str },
} as const;

export const NO_CONTENT = { description: 'Done; no body' } as const;

/** Plivo's list paging. */
export const META = {
  title: 'Meta',
  type: 'object',
  required: ['limit', 'offset', 'total_count', 'next', 'previous'],
  properties: { limit: { type: 'integer' }, offset: { type: 'integer' }, total_count: { type: 'integer' }, next: strOrNull, previous: strOrNull },
} as const;

/** Paging parameters of Plivo's lists. */
export const PAGING = {
  limit: { type: 'integer', minimum: 1, maximum: 20, default: 20, description: 'Page size, 1-20' },
  offset: { type: 'integer', minimum: 0, default: 0 },
} as const;

/** A call's record, live or ended (plivo.md §1.4; api/views.ts `cdrView`). */
export const CALL_DETAIL = {
  title: 'CallDetail',
  type: 'object',
  required: [
    'answer_time', 'bill_duration', 'billed_duration', 'call_direction', 'call_duration', 'call_state', 'call_status', 'call_uuid',
    'caller_name', 'end_time', 'from_number', 'hangup_cause', 'hangup_cause_code', 'hangup_cause_name', 'hangup_source',
    'initiation_time', 'parent_call_uuid', 'request_uuid', 'resource_uri', 'to_number', 'error', 'warnings',
  ],
  properties: {
    api_id: str,
    answer_time: timeOrNull,
    bill_duration: { type: 'integer' },
    billed_duration: { type: 'integer' },
    call_direction: { type: 'string', enum: ['inbound', 'outbound'] },
    call_duration: { type: 'integer' },
    call_state: { type: 'string', description: "Plivo's QUEUED, RINGING, EARLY MEDIA, ANSWER, COMPLETED..." },
    call_status: { type: 'string', enum: [...CALL_STATUSES], description: "Switchboard's addition" },
    call_uuid: str,
    caller_name: strOrNull,
    conference_uuid: strOrNull,
    end_time: timeOrNull,
    from_number: { type: 'string', description: '+ and digits, or a sip: URI' },
    hangup_cause: { type: ['string', 'null'], description: "FreeSWITCH cause name (Switchboard's addition); null while live" },
    hangup_cause_code: intOrNull,
    hangup_cause_name: strOrNull,
    hangup_source: { type: ['string', 'null'], description: 'Caller, Callee, Call recipient, Plivo, Carrier, API Request, Answer XML, Error or Unknown' },
    initiation_time: time,
    parent_call_uuid: strOrNull,
    request_uuid: strOrNull,
    resource_uri: str,
    to_number: { type: 'string', description: 'Digits, or a sip: URI' },
    total_amount: str,
    total_rate: str,
    stir_verification: str,
    stir_attestation: str,
    voice_network_group: strOrNull,
    source_ip: strOrNull,
    cnam_lookup: strOrNull,
    error: { type: ['string', 'null'], description: "The call's last XML or fetch error (Switchboard's addition)" },
    warnings: { type: 'array', items: str },
  },
} as const;

/** A live or queued call (plivo.md §1.6; api/views.ts `liveCallView`). */
export const LIVE_CALL = {
  title: 'LiveCall',
  type: 'object',
  required: ['api_id', 'call_uuid', 'call_status', 'caller_name', 'direction', 'from', 'to', 'request_uuid', 'parent_call_uuid', 'session_start'],
  properties: {
    api_id: str,
    call_uuid: str,
    call_status: { type: 'string', enum: [...CALL_STATUSES] },
    caller_name: strOrNull,
    direction: { type: 'string', enum: ['inbound', 'outbound'] },
    from: { type: 'string', description: 'Digits only, or a sip: URI' },
    to: str,
    request_uuid: strOrNull,
    parent_call_uuid: strOrNull,
    session_start: { type: 'string', description: 'YYYY-MM-DD HH:MM:SS.ffffff, UTC' },
    stir_verification: str,
    stir_attestation: str,
  },
} as const;

/** One HTTP attempt of a delivery (api/delivery-views.ts `attemptView`). */
export const ATTEMPT = {
  title: 'Attempt',
  type: 'object',
  required: ['attempt', 'time', 'at', 'url', 'method', 'request_headers', 'params', 'status_code', 'response_excerpt', 'latency_ms', 'error'],
  properties: {
    attempt: { type: 'integer' },
    time,
    at: { type: 'integer', description: 'Milliseconds since the epoch (engine clock)' },
    url: str,
    method: str,
    request_headers: { type: 'object', additionalProperties: str },
    params: { type: 'object', additionalProperties: str },
    status_code: intOrNull,
    response_excerpt: strOrNull,
    latency_ms: intOrNull,
    error: strOrNull,
  },
} as const;

/** A webhook request owed for a call, with its attempts when asked for one call (api/delivery-views.ts). */
export const DELIVERY = {
  title: 'Delivery',
  type: 'object',
  required: [
    'delivery_id', 'call_uuid', 'sequence', 'kind', 'event', 'url', 'method', 'params', 'synchronous', 'status', 'attempt_count',
    'created_at', 'next_attempt_at', 'completed_at', 'last_error', 'resource_uri',
  ],
  properties: {
    delivery_id: str,
    call_uuid: str,
    sequence: { type: 'integer' },
    kind: { type: 'string', description: 'answer, ring, hangup, action, callback, fallback...' },
    event: str,
    url: str,
    method: str,
    params: { type: 'object', additionalProperties: str },
    synchronous: { type: 'boolean' },
    status: { type: 'string', enum: ['pending', 'delivered', 'failed', 'dead'] },
    attempt_count: { type: 'integer' },
    created_at: time,
    next_attempt_at: timeOrNull,
    completed_at: timeOrNull,
    last_error: strOrNull,
    resource_uri: str,
    attempts: { type: 'array', items: ATTEMPT },
  },
} as const;

export const TIMELINE_EVENT = {
  title: 'TimelineEvent',
  type: 'object',
  required: ['kind', 'time', 'at', 'call_uuid', 'leg', 'seq', 'type', 'data'],
  properties: {
    kind: { type: 'string', const: 'event' },
    time,
    at: { type: 'integer' },
    call_uuid: str,
    leg: { type: 'string', description: 'A, or B1, B2... for the Dial legs' },
    seq: { type: 'integer' },
    type: str,
    data: { type: ['object', 'null'], additionalProperties: true, description: "The event's details; null when it has none" },
  },
} as const;

export const TIMELINE_ATTEMPT = {
  title: 'TimelineAttempt',
  type: 'object',
  required: ['kind', 'time', 'at', 'call_uuid', 'delivery_id', 'sequence', 'webhook', 'event', 'attempt', 'method', 'url', 'status_code', 'latency_ms', 'error'],
  properties: {
    kind: { type: 'string', const: 'webhook' },
    time,
    at: { type: 'integer' },
    call_uuid: str,
    delivery_id: str,
    sequence: { type: 'integer' },
    webhook: str,
    event: str,
    attempt: { type: 'integer' },
    method: str,
    url: str,
    status_code: intOrNull,
    latency_ms: intOrNull,
    error: strOrNull,
  },
} as const;

/** A scripted number of the simulated network. */
export const SIMULATOR_NUMBER = {
  title: 'SimulatorNumber',
  type: 'object',
  required: ['number', 'script', 'created_at', 'updated_at'],
  properties: {
    api_id: str,
    message: str,
    number: { type: 'string', description: 'Digits only' },
    script: str,
    created_at: time,
    updated_at: time,
  },
} as const;

export { method as METHOD, str as STRING, strOrNull as STRING_OR_NULL, time as TIME };
