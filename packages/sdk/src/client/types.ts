// Request and answer shapes of the engine's API (docs/api.md), with the wire's snake_case names
// kept as they are: what you read in docs/api.md or Plivo's reference is what you type here, and
// nothing is renamed on the way (the official SDK's camelCase conversion turns `endTime__gt` into
// `end_time_gt`, plivo.md §1.5; we do not repeat that).
import type { CallStatus, HangupSource } from '../webhooks/index.ts';

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
export interface MakeCallParams {
  readonly from: string;
  /** One destination, several joined by `<`, or a list (sent joined by `<`: a bulk call). */
  readonly to: string | readonly string[];
  readonly answer_url: string;
  readonly answer_method?: HttpMethod;
  readonly ring_url?: string;
  readonly ring_method?: HttpMethod;
  readonly hangup_url?: string;
  readonly hangup_method?: HttpMethod;
  readonly fallback_url?: string;
  readonly fallback_method?: HttpMethod;
  readonly caller_name?: string;
  readonly send_digits?: string;
  readonly send_on_preanswer?: boolean;
  readonly time_limit?: number;
  readonly hangup_on_ring?: number;
  readonly ring_timeout?: number;
  /** `name=value,name2=value2` or an object; sent as `X-PH-name` headers. */
  readonly sip_headers?: string | Readonly<Record<string, string>>;
  readonly parent_call_uuid?: string;
  readonly error_if_parent_not_found?: boolean;
  readonly callback_url?: string;
  readonly callback_method?: HttpMethod;
}

/**
 * Answer of Make a Call. `request_uuid` is Plivo's field: a string for one destination, a list
 * for several. `request_uuids` is the client's addition: always the list.
 *
 * @example
 * ```ts
 * const { request_uuids } = await sb.calls.create({ from, to: ['1', '2'], answer_url });
 * ```
 */
export interface MakeCallResponse {
  readonly api_id: string;
  readonly message: 'call fired' | 'calls fired' | (string & {});
  readonly request_uuid: string | readonly string[];
  readonly request_uuids: readonly string[];
}

/**
 * A call's record (CDR), live or ended (`GET /Call/{uuid}/`, plivo.md §1.4).
 *
 * @example
 * ```ts
 * const cdr: CallDetail = await sb.calls.get(uuid);
 * cdr.hangup_cause_name; // 'Normal Hangup'
 * ```
 */
export interface CallDetail {
  readonly api_id?: string;
  readonly call_uuid: string;
  readonly request_uuid: string | null;
  readonly parent_call_uuid: string | null;
  readonly call_direction: 'inbound' | 'outbound';
  /** `+` and digits, or a `sip:` URI. */
  readonly from_number: string;
  readonly to_number: string;
  readonly caller_name: string;
  /** Plivo's `QUEUED`, `RINGING`, `EARLY MEDIA`, `ANSWER`, `COMPLETED`... */
  readonly call_state: string;
  /** Switchboard's addition. */
  readonly call_status: CallStatus;
  /** `YYYY-MM-DD HH:MM:SS+00:00`. */
  readonly initiation_time: string;
  readonly answer_time: string | null;
  readonly end_time: string | null;
  readonly call_duration: number;
  readonly bill_duration: number;
  readonly billed_duration: number;
  /** FreeSWITCH cause name (Switchboard's addition); null while live. */
  readonly hangup_cause: string | null;
  readonly hangup_cause_code: number | null;
  readonly hangup_cause_name: string | null;
  readonly hangup_source: HangupSource | (string & {}) | null;
  readonly resource_uri: string;
  readonly conference_uuid: string | null;
  readonly total_amount: string;
  readonly total_rate: string;
  readonly stir_verification: string;
  readonly stir_attestation: string;
  readonly voice_network_group: string | null;
  readonly source_ip: string | null;
  readonly cnam_lookup: string | null;
  /** The last XML or fetch error of the call (Switchboard's addition). */
  readonly error: string | null;
  readonly warnings: readonly string[];
}

type Range<K extends string, V> = { readonly [P in K | `${K}__gt` | `${K}__gte` | `${K}__lt` | `${K}__lte`]?: V };

/**
 * Filters and paging of List Calls (`GET /Call/`, plivo.md §1.5). Only ended calls are listed;
 * live and queued calls have their own methods.
 *
 * @example
 * ```ts
 * const f: ListCallsFilter = { call_direction: 'outbound', bill_duration__gte: 10, limit: 5, offset: 0 };
 * ```
 */
export type ListCallsFilter = {
  readonly call_direction?: 'inbound' | 'outbound';
  readonly from_number?: string;
  readonly to_number?: string;
  readonly parent_call_uuid?: string;
  readonly hangup_cause_code?: number;
  readonly hangup_source?: HangupSource | (string & {});
  readonly subaccount?: string;
  /** 1-20, default 20. */
  readonly limit?: number;
  /** At least 0, default 0. */
  readonly offset?: number;
} & Range<'bill_duration', number> &
  Range<'end_time', string>;

/**
 * One page of List Calls.
 *
 * @example
 * ```ts
 * const page: CallList = await sb.calls.list({ limit: 2 });
 * page.meta.next; // '/v1/Account/MA.../Call/?limit=2&offset=2' or null
 * ```
 */
export interface CallList {
  readonly api_id: string;
  readonly meta: {
    readonly limit: number;
    readonly offset: number;
    readonly total_count: number;
    readonly next: string | null;
    readonly previous: string | null;
  };
  readonly objects: readonly CallDetail[];
}

/**
 * The UUIDs of the live (or queued) calls.
 *
 * @example
 * ```ts
 * const { calls } = await sb.calls.listLive();
 * ```
 */
export interface CallUuidList {
  readonly api_id: string;
  readonly calls: readonly string[];
}

/**
 * A live or queued call (`GET /Call/{uuid}/?status=live`, plivo.md §1.6).
 *
 * @example
 * ```ts
 * const live: LiveCall = await sb.calls.getLive(uuid);
 * live.call_status; // 'in-progress'
 * ```
 */
export interface LiveCall {
  readonly api_id: string;
  readonly call_uuid: string;
  readonly call_status: CallStatus;
  readonly caller_name: string;
  readonly direction: 'inbound' | 'outbound';
  /** Digits only, or a `sip:` URI. */
  readonly from: string;
  readonly to: string;
  readonly request_uuid: string | null;
  readonly parent_call_uuid: string | null;
  /** `YYYY-MM-DD HH:MM:SS`, UTC. */
  readonly session_start: string;
  readonly stir_verification: string;
  readonly stir_attestation: string;
}

/**
 * Transfer parameters (`POST /Call/{uuid}/`).
 *
 * @example
 * ```ts
 * await sb.calls.transfer(uuid, { legs: 'aleg', aleg_url: 'https://app.example.com/transfer' });
 * ```
 */
export interface TransferParams {
  readonly legs?: 'aleg' | 'bleg' | 'both';
  readonly aleg_url?: string;
  readonly aleg_method?: HttpMethod;
  readonly bleg_url?: string;
  readonly bleg_method?: HttpMethod;
}

/**
 * Plain acknowledgement answers (transfer).
 *
 * @example
 * ```ts
 * const { message } = await sb.calls.transfer(uuid, { aleg_url }); // 'call transferred'
 * ```
 */
export interface MessageResponse {
  readonly api_id: string;
  readonly message: string;
}

/**
 * A scripted number of the simulated network (docs/api.md "Simulator").
 *
 * @example
 * ```ts
 * const n: SimulatorNumber = await sb.simulator.numbers.set({ number: '+14155550001', script: 'busy' });
 * n.number; // '14155550001'
 * ```
 */
export interface SimulatorNumber {
  readonly api_id?: string;
  /** Digits only. */
  readonly number: string;
  readonly script: string;
  readonly created_at: string;
  readonly updated_at: string;
}

/**
 * All scripted numbers.
 *
 * @example
 * ```ts
 * const { objects } = await sb.simulator.numbers.list();
 * ```
 */
export interface SimulatorNumberList {
  readonly api_id: string;
  readonly meta: { readonly total_count: number };
  readonly objects: readonly SimulatorNumber[];
}

/**
 * A simulated inbound call: `from` calls `to`; `script` is the caller's behaviour.
 *
 * @example
 * ```ts
 * const p: InboundCallParams = { from: '+14155550009', to: '+14155551212', script: 'hangup after 20s' };
 * ```
 */
export interface InboundCallParams {
  readonly from: string;
  readonly to: string;
  readonly script?: string;
}

/**
 * Answer of a simulated inbound call.
 *
 * @example
 * ```ts
 * const { leg_id } = await sb.simulator.placeInboundCall({ from, to });
 * ```
 */
export interface InboundCallResponse {
  readonly api_id: string;
  readonly message: string;
  readonly leg_id: string;
}
