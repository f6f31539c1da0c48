/**
 * What the rest of the engine asks of storage. `store/` is the only place that writes SQL
 * (DESIGN.md); this file is the contract. `sqlite-store.ts` implements it with Kysely over
 * better-sqlite3, `pg-store.ts` with Kysely over `pg`; `open-store.ts` picks one from `--db`.
 * Nothing outside store/ knows which.
 */
import type { CallStatus, HangupSource } from '../domain/causes.ts';
import type { WriteState } from './store-error.ts';
import type { AppStore } from './app-store.ts';
import type { FlowStore } from './flow-store.ts';
import type { AccountStore } from './account-store.ts';
import type { SqlEndpointStore } from './sql-endpoint-store.ts';
import type { RecordingStore } from './recording-store.ts';
import type { ConferenceStore } from './conference-store.ts';
import type { ReportStore } from './report-store.ts';
import type { ClusterStore } from './cluster-store.ts';
import type { StatementCounter } from './statement-counter.ts';

/** The other resources, kept in the same database as the calls. */
export interface StoreResources {
  readonly apps: AppStore;
  readonly flows: FlowStore;
  readonly accounts: AccountStore;
  readonly endpoints: SqlEndpointStore;
  readonly recordings: RecordingStore;
  readonly conferences: ConferenceStore;
  readonly reports: ReportStore;
}

export type Direction = 'inbound' | 'outbound';

/** One leg of a call: the A leg, or a B leg placed by <Dial> (parent_call_uuid = the A leg). */
export interface CallRow {
  call_uuid: string;
  request_uuid: string;
  parent_call_uuid: string | null;
  direction: Direction;
  from_number: string;
  to_number: string;
  caller_name: string;
  /** Live status: queued | ringing | in-progress, then the final CallStatus. */
  call_status: CallStatus;
  /** Plivo's call_state: QUEUED, RINGING, EARLY MEDIA, ANSWER, COMPLETED... */
  call_state: string;
  initiation_time: number; // ms since the epoch
  ring_time: number | null;
  answer_time: number | null;
  end_time: number | null;
  call_duration: number | null; // whole seconds, from initiation... see calls/cdr.ts
  bill_duration: number | null;
  billed_duration: number | null;
  hangup_cause: string | null; // FreeSWITCH name
  hangup_cause_code: number | null;
  hangup_cause_name: string | null;
  hangup_source: HangupSource | null;
  /** 1-based position of the <Number>/<User> in its <Dial> (B legs only). */
  dial_position: number | null;
  /** The call's URLs and the rest of its Make-a-Call parameters, as JSON. */
  params: string;
  /** Last XML or fetch error, shown by GET /Call/{uuid}/ as `error` (our addition). */
  error: string | null;
  /** Warnings recorded while running XML (skipped elements...), as a JSON array of strings. */
  warnings: string;
  /** The engine node that owns the live call (crash recovery). */
  node_id: string;
  /** The subaccount that owns the call; null for the main account (docs/accounts.md). */
  account_id: string | null;
}

export type CallPatch = Partial<Omit<CallRow, 'call_uuid'>>;

export interface EventRow {
  id: number;
  call_uuid: string;
  seq: number; // per call, from 1
  at: number; // ms
  type: string; // e.g. 'leg.ringing', 'leg.answered', 'leg.ended', 'xml.error', 'dial.started'
  data: string; // JSON
  /** The call's initiation_time: it leads the key (call_initiation_time, call_uuid, seq), see CallKey. */
  call_initiation_time: number;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed' | 'dead';

/** One webhook request the engine owes an app (a notification or a synchronous fetch). */
export interface DeliveryRow {
  id: string; // the event id sent as X-Switchboard-Event-Id (uuid)
  call_uuid: string;
  seq: number; // per call, from 1: X-Switchboard-Sequence
  /** The seq of the event (of the same call) whose transaction wrote this delivery. */
  event_seq: number | null;
  kind: string; // ring | answer | fallback | hangup | action | callback | redirect | digits | confirm | music
  event: string; // the Event parameter (Ring, StartApp, Hangup, ...)
  url: string; // as configured, fragment included
  method: 'GET' | 'POST';
  params: string; // JSON object of string values
  synchronous: 0 | 1;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: number | null; // ms; null while not scheduled
  created_at: number;
  completed_at: number | null;
  last_error: string | null;
  /** The owner of the delivery's call (signs it: docs/accounts.md); null for the main account. */
  account_id: string | null;
  /** The call's initiation_time: it leads the key (call_initiation_time, call_uuid, seq), see CallKey. */
  call_initiation_time: number;
}

export interface NewDelivery {
  id: string;
  kind: string;
  event: string;
  url: string;
  method: 'GET' | 'POST';
  params: Record<string, string>;
  synchronous: boolean;
  /** When the first attempt is due (ms); defaults to the event's time. */
  next_attempt_at?: number;
}

export interface AttemptRow {
  id: number;
  delivery_id: string;
  attempt: number; // 1-based
  at: number; // ms, when sent
  url: string; // the URL actually requested (fragment stripped, GET query merged)
  method: string;
  request_headers: string; // JSON
  /** JSON: what was sent, which is always the delivery's own `params` (read from the delivery; migration 015). */
  params: string;
  status_code: number | null;
  response_excerpt: string | null; // first 64 KB
  latency_ms: number | null;
  error: string | null;
}

/** An attempt as written: its parameters are its delivery's, not stored again. */
export type NewAttempt = Omit<AttemptRow, 'id' | 'params'>;

export interface SimNumberRow {
  number: string; // normal form: digits only, or a SIP URI
  script: string;
  created_at: number;
  updated_at: number;
}

/** Filters of GET /Call/ (plivo.md §1.5); times in ms. */
export interface CallFilter {
  call_direction?: Direction;
  from_number?: string;
  to_number?: string;
  parent_call_uuid?: string;
  hangup_cause_code?: number;
  hangup_source?: string;
  bill_duration?: { eq?: number; gt?: number; gte?: number; lt?: number; lte?: number };
  end_time?: { eq?: number; gt?: number; gte?: number; lt?: number; lte?: number };
  /** Only calls that have ended (the CDR list); live ones are listed through status=live. */
  ended_only?: boolean;
  /** Only the calls of this subaccount (docs/accounts.md); absent = every account's. */
  account?: string;
  limit: number;
  offset: number;
}

/** Filters of the delivery log (GET /Webhook/). */
export interface DeliveryFilter {
  status?: DeliveryStatus;
  /** Exact URL as configured, or a prefix when it ends with `*`. */
  url?: string;
  call_uuid?: string;
  kind?: string;
  /** Only the deliveries of this subaccount's calls; absent = every account's. */
  account?: string;
  limit: number;
  offset: number;
}

export interface Store {
  /** Applications, numbers, flows, subaccounts, endpoints and report queries on the same database. */
  readonly resources: StoreResources;
  /** Runs numbered migrations; idempotent. Answers the versions it applied (empty when up to date). */
  migrate(): Promise<number[]>;
  close(): Promise<void>;
  /**
   * Writes every deferred record now (store/deferred-writes.ts) and resolves once it is stored;
   * reads do this themselves, so only a caller that looks at the database some other way needs it.
   */
  flush(): Promise<void>;
  /** Several nodes on this database (docs/scaling.md); absent on a store only one node can use (SQLite). */
  readonly cluster?: ClusterStore;
  /** Whether writes land now; absent when a store never holds writes (docs/storage.md, "When the disk is full"). */
  writeState?(): WriteState;
  /** Every SQL statement sent so far, by kind, transaction control included (statement-counter.ts). */
  readonly statements: StatementCounter;

  getSetting(key: string): Promise<string | undefined>;
  setSetting(key: string, value: string): Promise<void>;

  insertCall(row: CallRow): Promise<void>;
  getCall(callUuid: string): Promise<CallRow | undefined>;
  /** The calls created by one Make-a-Call request (one per leg placed for it, A legs only). */
  getCallsByRequest(requestUuid: string): Promise<CallRow[]>;
  listCalls(filter: CallFilter): Promise<{ rows: CallRow[]; total: number }>;
  /** Calls not yet ended (call_status in queued, ringing, in-progress), optionally for one node. */
  listLiveCalls(nodeId?: string): Promise<CallRow[]>;

  /**
   * Appends one event to a call's log and, in the same transaction, applies `patch` to the call
   * row and writes `deliveries` to the outbox (each gets the call's next delivery seq).
   * Returns the event's seq and the stored deliveries.
   */
  record(input: {
    callUuid: string;
    at: number;
    type: string;
    data?: unknown;
    patch?: CallPatch;
    deliveries?: NewDelivery[];
    /** New legs inserted first, in the same transaction (a Dial's B legs, with its dial.started). */
    insertCalls?: CallRow[];
  }): Promise<{ seq: number; deliveries: DeliveryRow[] }>;
  listEvents(callUuid: string): Promise<EventRow[]>;

  getDelivery(id: string): Promise<DeliveryRow | undefined>;
  listDeliveries(callUuid: string): Promise<DeliveryRow[]>;
  /** Deliveries still owed (status pending), oldest first, for the outbox to resume after a restart. */
  listPendingDeliveries(limit?: number): Promise<DeliveryRow[]>;
  /** The delivery log, newest first, with the total count for paging. */
  listDeliveriesBy(filter: DeliveryFilter): Promise<{ rows: DeliveryRow[]; total: number }>;
  /** Attempts of several deliveries, in time order (the call timeline). */
  listAttemptsFor(deliveryIds: readonly string[]): Promise<AttemptRow[]>;
  updateDelivery(id: string, patch: Partial<Omit<DeliveryRow, 'id'>>): Promise<void>;
  addAttempt(attempt: NewAttempt): Promise<void>;
  /**
   * A round of attempts and the delivery's state after it, in one write (the outbox's, once per
   * round: docs/performance.md). `patch` may be empty: the attempts alone are written.
   */
  recordAttempts(id: string, attempts: readonly NewAttempt[], patch: Partial<Omit<DeliveryRow, 'id'>>): Promise<void>;
  listAttempts(deliveryId: string): Promise<AttemptRow[]>;

  upsertSimNumber(number: string, script: string, at: number): Promise<SimNumberRow>;
  getSimNumber(number: string): Promise<SimNumberRow | undefined>;
  listSimNumbers(): Promise<SimNumberRow[]>;
  deleteSimNumber(number: string): Promise<boolean>;
}
