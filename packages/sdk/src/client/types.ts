// Request and answer shapes of the engine's API (docs/api.md), with the wire's snake_case names
// kept as they are: what you read in docs/api.md or Plivo's reference is what you type here, and
// nothing is renamed on the way (the official SDK's camelCase conversion turns `endTime__gt` into
// `end_time_gt`, plivo.md §1.5; we do not repeat that).
//
// Each shape is the engine's own, generated from its OpenAPI document into api-types.ts
// (`npm run openapi:types`, docs/api.md "OpenAPI"); only the client's additions are written here.
import type { components, operations } from './api-types.ts';

type Schemas = components['schemas'];

/** `GET` or `POST`, as the engine accepts for every `*_method` parameter. */
export type HttpMethod = 'GET' | 'POST';

/**
 * Parameters of Make a Call (`POST /Call/`, docs/api.md "Make a call").
 *
 * @example
 * ```ts
 * const p: MakeCallParams = { from: '+14155551212', to: ['14155550001', '14155550002'], answer_url: 'https://app.example.com/answer' };
 * ```
 */
export type MakeCallParams = Schemas['MakeCallParams'];

/**
 * Answer of Make a Call. `request_uuid` is Plivo's field: a string for one destination, a list
 * for several. `request_uuids` is the client's addition: always the list.
 *
 * @example
 * ```ts
 * const { request_uuids } = await sb.calls.create({ from, to: ['1', '2'], answer_url });
 * ```
 */
export type MakeCallResponse = Schemas['MakeCallResponse'] & {
  /** The client's addition: `request_uuid` as a list, whether one destination or several. */
  readonly request_uuids: readonly string[];
};

/**
 * A call's record (CDR), live or ended (`GET /Call/{uuid}/`, plivo.md §1.4).
 *
 * @example
 * ```ts
 * const cdr: CallDetail = await sb.calls.get(uuid);
 * cdr.hangup_cause_name; // 'Normal Hangup'
 * ```
 */
export type CallDetail = Schemas['CallDetail'];

/**
 * Filters and paging of List Calls (`GET /Call/`, plivo.md §1.5). Only ended calls are listed;
 * live and queued calls have their own methods.
 *
 * @example
 * ```ts
 * const f: ListCallsFilter = { call_direction: 'outbound', bill_duration__gte: 10, limit: 5, offset: 0 };
 * ```
 */
export type ListCallsFilter = Omit<NonNullable<operations['listCalls']['parameters']['query']>, 'status' | 'format'>;

/**
 * One page of List Calls.
 *
 * @example
 * ```ts
 * const page: CallList = await sb.calls.list({ limit: 2 });
 * page.meta.next; // '/v1/Account/MA.../Call/?limit=2&offset=2' or null
 * ```
 */
export type CallList = Schemas['CallList'];

/**
 * The UUIDs of the live (or queued) calls.
 *
 * @example
 * ```ts
 * const { calls } = await sb.calls.listLive();
 * ```
 */
export type CallUuidList = Schemas['CallUuidList'];

/**
 * A live or queued call (`GET /Call/{uuid}/?status=live`, plivo.md §1.6).
 *
 * @example
 * ```ts
 * const live: LiveCall = await sb.calls.getLive(uuid);
 * live.call_status; // 'in-progress'
 * ```
 */
export type LiveCall = Schemas['LiveCall'];

/**
 * Transfer parameters (`POST /Call/{uuid}/`).
 *
 * @example
 * ```ts
 * await sb.calls.transfer(uuid, { legs: 'aleg', aleg_url: 'https://app.example.com/transfer' });
 * ```
 */
export type TransferParams = Schemas['TransferParams'];

/**
 * Plain acknowledgement answers (transfer).
 *
 * @example
 * ```ts
 * const { message } = await sb.calls.transfer(uuid, { aleg_url }); // 'call transferred'
 * ```
 */
export type MessageResponse = Schemas['MessageResponse'];

/**
 * A scripted number of the simulated network (docs/api.md "Simulator").
 *
 * @example
 * ```ts
 * const n: SimulatorNumber = await sb.simulator.numbers.set({ number: '+14155550001', script: 'busy' });
 * n.number; // '14155550001'
 * ```
 */
export type SimulatorNumber = Schemas['SimulatorNumber'];

/**
 * All scripted numbers.
 *
 * @example
 * ```ts
 * const { objects } = await sb.simulator.numbers.list();
 * ```
 */
export type SimulatorNumberList = Schemas['SimulatorNumberList'];

/**
 * A simulated inbound call: `from` calls `to`; `script` is the caller's behaviour.
 *
 * @example
 * ```ts
 * const p: InboundCallParams = { from: '+14155550009', to: '+14155551212', script: 'hangup after 20s' };
 * ```
 */
export type InboundCallParams = Schemas['InboundCallParams'];

/**
 * Answer of a simulated inbound call.
 *
 * @example
 * ```ts
 * const { leg_id } = await sb.simulator.placeInboundCall({ from, to });
 * ```
 */
export type InboundCallResponse = Schemas['InboundCallResponse'];
