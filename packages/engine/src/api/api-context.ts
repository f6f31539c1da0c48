/** What the REST routes use. */
import type { Clock } from '../clock.ts';
import type { CallService } from '../calls/call-service.ts';
import type { Registry } from '../calls/registry.ts';
import type { CallRow, Store } from '../store/store.ts';
import type { SimulatedNetwork } from '../network/simulated/index.ts';
import type { SimulatorNumbers } from '../numbers/simulator-numbers.ts';
import type { Activity } from '../util/activity.ts';
import type { Credentials } from '../accounts/principal.ts';
import type { Outbox } from '../webhooks/outbox.ts';
import type { LiveFeed } from '../events/live-feed.ts';
import type { Applications } from '../numbers/applications.ts';
import type { PhoneNumbers } from '../numbers/phone-numbers.ts';
import type { InboundRouting } from '../numbers/inbound-router.ts';
import type { Flows } from '../flows/flow-service.ts';
import type { ReportStore } from '../store/report-store.ts';
import type { EngineMetrics } from '../reports/metrics.ts';
import type { WindowLimiter } from './rate-limit.ts';
import type { Accounts } from '../accounts/accounts.ts';
import type { EndpointsApi } from './routes/endpoints.ts';
import type { Recordings } from '../calls/recordings.ts';
import type { Conferences } from '../calls/conference-rooms.ts';
import type { TargetPolicy } from '../webhooks/target-policy.ts';

export interface ApiContext {
  readonly credentials: Credentials;
  /**
   * The live calls of every node of a cluster, from the database (docs/scaling.md); absent on a
   * single node, whose live calls are its registry's.
   */
  readonly clusterLiveCalls?: () => Promise<CallRow[]>;
  /** The main account and its subaccounts; absent in servers built by hand (only the main account exists). */
  readonly accounts?: Accounts;
  readonly clock: Clock;
  readonly store: Store;
  readonly calls: CallService;
  readonly registry: Registry;
  readonly activity: Activity;
  /** Present when the engine runs on the simulated network. */
  readonly simulator?: { network: SimulatedNetwork; numbers: SimulatorNumbers };
  readonly version: string;
  readonly outbox: Outbox;
  readonly feed: LiveFeed;
  /** Applications, numbers, flows and how inbound calls are routed (docs/numbers.md, docs/flows.md). */
  readonly apps: {
    applications: Applications;
    numbers: PhoneNumbers;
    flows: Flows;
    routing: InboundRouting;
    /** Set when `routing` is the engine's inbound router (not a test's own): Simulator/Call shows its decision. */
    routesInbound?: boolean;
  };
  /** SIP endpoints and the registrar (docs/endpoints.md); absent in servers built by hand. */
  readonly endpoints?: EndpointsApi;
  /** Recordings (docs/api.md "Recording"); absent in servers built by hand. */
  readonly recordings?: Recordings;
  /** Conference rooms (docs/conference.md); absent in servers built by hand. */
  readonly conferences?: Conferences;
  /** Reports (docs/reports.md); present when the store is SQLite. */
  readonly reports?: ReportStore;
  /** Prometheus metrics at /metrics. */
  readonly metrics?: EngineMetrics;
  /** The engine's webhook target policy: URL parameters are checked by it (api/params/coerce.ts); absent = the built-in rules. */
  readonly targets?: TargetPolicy;
  /** Per-account limits of the API (docs/security.md). */
  readonly limits?: {
    /** Calls per second per account (Plivo's CPS); absent = no limit. */
    cps?: WindowLimiter;
    /** Live-feed connections one account may hold open. */
    sseLimit?: number;
  };
}
