// A typed client for the engine's REST API (docs/api.md): Plivo's Call API plus Switchboard's
// Simulator API. No runtime dependencies: Node's global `fetch` (or one you pass in).
import { SwitchboardApiError } from './errors.ts';
import type {
  CallDetail,
  CallList,
  CallUuidList,
  InboundCallParams,
  InboundCallResponse,
  ListCallsFilter,
  LiveCall,
  MakeCallParams,
  MakeCallResponse,
  MessageResponse,
  SimulatorNumber,
  SimulatorNumberList,
  TransferParams,
} from './types.ts';

/**
 * How to reach the engine.
 *
 * @example
 * ```ts
 * const options: SwitchboardClientOptions = {
 *   url: 'http://127.0.0.1:8080', authId: process.env.SWITCHBOARD_AUTH_ID!, authToken: process.env.SWITCHBOARD_AUTH_TOKEN!,
 * };
 * ```
 */
export interface SwitchboardClientOptions {
  /** The engine's origin, e.g. `http://127.0.0.1:8080` (a path prefix is kept). */
  readonly url: string;
  readonly authId: string;
  readonly authToken: string;
  /** Milliseconds before a request is aborted. Default 10 000. */
  readonly timeoutMs?: number;
  /** A `fetch` to use instead of the global one (tests, proxies, instrumentation). */
  readonly fetch?: typeof fetch;
}

type Query = Readonly<Record<string, string | number | boolean | undefined>>;

/**
 * The engine's API, typed. Every method resolves with the answer's JSON (Plivo's snake_case
 * keys) or rejects with a {@link SwitchboardApiError} carrying `status`, `code`, `param`, `apiId`.
 *
 * @example
 * ```ts
 * import { SwitchboardClient } from '@switchboard/sdk/client';
 * const sb = new SwitchboardClient({ url: 'http://127.0.0.1:8080', authId, authToken });
 * await sb.simulator.numbers.set({ number: '+15550002', script: 'ring 2s, answer, hangup after 5s' });
 * const { request_uuid } = await sb.calls.create({ from: '+15550000000', to: '+15550002', answer_url: 'http://127.0.0.1:3000/answer' });
 * ```
 */
export class SwitchboardClient {
  readonly calls: CallsApi;
  readonly simulator: SimulatorApi;
  private readonly account: string;
  private readonly authorization: string;
  private readonly timeoutMs: number;
  private readonly fetchFn: typeof fetch;

  constructor(options: SwitchboardClientOptions) {
    for (const key of ['url', 'authId', 'authToken'] as const) {
      if (typeof options[key] !== 'string' || options[key] === '') throw new TypeError(`SwitchboardClient: options.${key} is required`);
    }
    this.account = `${options.url.replace(/\/+$/, '')}/v1/Account/${encodeURIComponent(options.authId)}`;
    this.authorization = `Basic ${Buffer.from(`${options.authId}:${options.authToken}`, 'utf8').toString('base64')}`;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.fetchFn = options.fetch ?? globalThis.fetch;
    this.calls = new CallsApi(this);
    this.simulator = new SimulatorApi(this);
  }

  /**
   * Sends one request under `/v1/Account/{authId}/` and returns the parsed JSON (undefined for
   * 204). Exposed for endpoints this client does not wrap yet.
   *
   * @example
   * ```ts
   * const body = await sb.request<{ calls: string[] }>('GET', 'Call/', { query: { status: 'live' } });
   * ```
   */
  async request<T>(method: 'GET' | 'POST' | 'DELETE', path: string, init: { query?: Query; body?: object } = {}): Promise<T> {
    let url = `${this.account}/${path}`;
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(init.query ?? {})) if (value !== undefined) query.append(key, String(value));
    if (query.size > 0) url += `?${query}`;
    const headers: Record<string, string> = { authorization: this.authorization, accept: 'application/json' };
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    const res = await this.fetchFn(url, {
      method,
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await res.text();
    if (!res.ok) throw SwitchboardApiError.fromResponse(res.status, `${method} /${path}`, text);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }
}

const seg = (value: string, what: string): string => {
  if (typeof value !== 'string' || value === '') throw new TypeError(`${what} is required`);
  return encodeURIComponent(value);
};

/**
 * `sb.calls`: Plivo's Call API (docs/api.md).
 *
 * @example
 * ```ts
 * const live = await sb.calls.listLive();
 * for (const uuid of live.calls) await sb.calls.hangup(uuid);
 * ```
 */
export class CallsApi {
  constructor(private readonly client: SwitchboardClient) {}

  /**
   * Places one call per destination; a list (or `a<b`) is a bulk call.
   *
   * @example
   * ```ts
   * const one = await sb.calls.create({ from: '+14155551212', to: '+14155550001', answer_url });
   * const many = await sb.calls.create({ from: '+14155551212', to: ['14155550001', '14155550002'], answer_url });
   * many.request_uuids.length; // 2
   * ```
   */
  async create(params: MakeCallParams): Promise<MakeCallResponse> {
    const to = typeof params.to === 'string' ? params.to : params.to.join('<');
    const res = await this.client.request<Omit<MakeCallResponse, 'request_uuids'>>('POST', 'Call/', { body: { ...params, to } });
    const uuids = typeof res.request_uuid === 'string' ? [res.request_uuid] : [...res.request_uuid];
    return { ...res, request_uuids: uuids };
  }

  /**
   * A call's record, live or ended.
   *
   * @example
   * ```ts
   * const cdr = await sb.calls.get(callUuid);
   * ```
   */
  get(callUuid: string): Promise<CallDetail> {
    return this.client.request('GET', `Call/${seg(callUuid, 'callUuid')}/`);
  }

  /**
   * One page of ended calls, newest first, filtered.
   *
   * @example
   * ```ts
   * const page = await sb.calls.list({ call_direction: 'outbound', limit: 10, offset: 10 });
   * ```
   */
  list(filter: ListCallsFilter = {}): Promise<CallList> {
    return this.client.request('GET', 'Call/', { query: filter });
  }

  /**
   * Every ended call matching `filter`, page after page (`limit` is the page size).
   *
   * @example
   * ```ts
   * for await (const cdr of sb.calls.listAll({ hangup_cause_code: 4000 })) console.log(cdr.call_uuid);
   * ```
   */
  async *listAll(filter: ListCallsFilter = {}): AsyncGenerator<CallDetail, void, undefined> {
    let offset = filter.offset ?? 0;
    for (;;) {
      const page = await this.list({ ...filter, offset });
      yield* page.objects;
      if (page.meta.next === null || page.objects.length === 0) return;
      offset += page.objects.length;
    }
  }

  /**
   * UUIDs of the calls in progress or ringing.
   *
   * @example
   * ```ts
   * const { calls } = await sb.calls.listLive();
   * ```
   */
  listLive(): Promise<CallUuidList> {
    return this.client.request('GET', 'Call/', { query: { status: 'live' } });
  }

  /**
   * UUIDs of the calls not placed yet.
   *
   * @example
   * ```ts
   * const { calls } = await sb.calls.listQueued();
   * ```
   */
  listQueued(): Promise<CallUuidList> {
    return this.client.request('GET', 'Call/', { query: { status: 'queued' } });
  }

  /**
   * A live call; 404 (`SB_NOT_FOUND`) when it is not live.
   *
   * @example
   * ```ts
   * const { call_status } = await sb.calls.getLive(uuid);
   * ```
   */
  getLive(callUuid: string): Promise<LiveCall> {
    return this.client.request('GET', `Call/${seg(callUuid, 'callUuid')}/`, { query: { status: 'live' } });
  }

  /**
   * A queued call; 404 (`SB_NOT_FOUND`) when it is not queued.
   *
   * @example
   * ```ts
   * const queued = await sb.calls.getQueued(uuid);
   * ```
   */
  getQueued(callUuid: string): Promise<LiveCall> {
    return this.client.request('GET', `Call/${seg(callUuid, 'callUuid')}/`, { query: { status: 'queued' } });
  }

  /**
   * Hangs up (or, before answer, cancels) a live call.
   *
   * @example
   * ```ts
   * await sb.calls.hangup(uuid);
   * ```
   */
  async hangup(callUuid: string): Promise<void> {
    await this.client.request('DELETE', `Call/${seg(callUuid, 'callUuid')}/`);
  }

  /**
   * Hangs up every live call of the account.
   *
   * @example
   * ```ts
   * await sb.calls.hangupAll();
   * ```
   */
  async hangupAll(): Promise<void> {
    await this.client.request('DELETE', 'Call/');
  }

  /**
   * Ends the call(s) placed for one Make-a-Call request, ringing or answered.
   *
   * @example
   * ```ts
   * const { request_uuid } = await sb.calls.create(params);
   * await sb.calls.cancel(request_uuid as string);
   * ```
   */
  async cancel(requestUuid: string): Promise<void> {
    await this.client.request('DELETE', `Request/${seg(requestUuid, 'requestUuid')}/`);
  }

  /**
   * Makes an answered call run the XML at a new URL.
   *
   * @example
   * ```ts
   * await sb.calls.transfer(uuid, { legs: 'aleg', aleg_url: 'https://app.example.com/after' });
   * ```
   */
  transfer(callUuid: string, params: TransferParams): Promise<MessageResponse> {
    return this.client.request('POST', `Call/${seg(callUuid, 'callUuid')}/`, { body: params });
  }
}

/**
 * `sb.simulator.numbers`: scripted numbers of the simulated network.
 *
 * @example
 * ```ts
 * await sb.simulator.numbers.set({ number: '+15550002', script: '70% ring 1-3s, answer, hangup after 1m | 30% no-answer' });
 * ```
 */
export class SimulatorNumbersApi {
  constructor(private readonly client: SwitchboardClient) {}

  /**
   * Scripts a number (replacing its script if it had one).
   *
   * @example
   * ```ts
   * await sb.simulator.numbers.set({ number: '+15550002', script: 'busy' });
   * ```
   */
  set(params: { readonly number: string; readonly script: string }): Promise<SimulatorNumber> {
    return this.client.request('POST', 'Simulator/Number/', { body: params });
  }

  /**
   * Every scripted number.
   *
   * @example
   * ```ts
   * const { objects } = await sb.simulator.numbers.list();
   * ```
   */
  list(): Promise<SimulatorNumberList> {
    return this.client.request('GET', 'Simulator/Number/');
  }

  /**
   * One scripted number; 404 when it has no script.
   *
   * @example
   * ```ts
   * const { script } = await sb.simulator.numbers.get('15550002');
   * ```
   */
  get(number: string): Promise<SimulatorNumber> {
    return this.client.request('GET', `Simulator/Number/${seg(number, 'number')}/`);
  }

  /**
   * Removes a number's script; 404 when it had none.
   *
   * @example
   * ```ts
   * await sb.simulator.numbers.remove('15550002');
   * ```
   */
  async remove(number: string): Promise<void> {
    await this.client.request('DELETE', `Simulator/Number/${seg(number, 'number')}/`);
  }
}

/**
 * `sb.simulator`: Switchboard's own API for its simulated network (not Plivo's).
 *
 * @example
 * ```ts
 * await sb.simulator.placeInboundCall({ from: '+14155550009', to: '+14155551212' });
 * ```
 */
export class SimulatorApi {
  readonly numbers: SimulatorNumbersApi;

  constructor(private readonly client: SwitchboardClient) {
    this.numbers = new SimulatorNumbersApi(client);
  }

  /**
   * Places a simulated inbound call from `from` to one of your numbers.
   *
   * @example
   * ```ts
   * const { leg_id } = await sb.simulator.placeInboundCall({ from: '+14155550009', to: '+14155551212', script: 'hangup after 20s' });
   * ```
   */
  placeInboundCall(params: InboundCallParams): Promise<InboundCallResponse> {
    return this.client.request('POST', 'Simulator/Call/', { body: params });
  }
}
