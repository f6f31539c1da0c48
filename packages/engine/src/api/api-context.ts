/** What the REST routes use. */
import type { Clock } from '../clock.ts';
import type { CallService } from '../calls/call-service.ts';
import type { Registry } from '../calls/registry.ts';
import type { Store } from '../store/store.ts';
import type { SimulatedNetwork } from '../network/simulated/index.ts';
import type { SimulatorNumbers } from '../numbers/simulator-numbers.ts';
import type { Activity } from '../util/activity.ts';
import type { Credentials } from './auth.ts';
import type { Outbox } from '../webhooks/outbox.ts';
import type { LiveFeed } from '../events/live-feed.ts';

export interface ApiContext {
  readonly credentials: Credentials;
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
}
