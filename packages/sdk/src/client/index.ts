/**
 * `@switchboard/sdk/client` — a typed client for the engine's API: Plivo's Call API (create,
 * bulk, get, list, live/queued, hangup, cancel, transfer) and Switchboard's Simulator API. No
 * runtime dependencies; uses the global `fetch`.
 *
 * @example
 * ```ts
 * import { SwitchboardClient, SwitchboardApiError } from '@switchboard/sdk/client';
 * const sb = new SwitchboardClient({ url: 'http://127.0.0.1:8080', authId, authToken });
 * ```
 * @module
 */
export { CallsApi, SimulatorApi, SimulatorNumbersApi, SwitchboardClient, type SwitchboardClientOptions } from './client.ts';
export { SwitchboardApiError } from './errors.ts';
export type {
  CallDetail,
  CallList,
  CallUuidList,
  HttpMethod,
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
