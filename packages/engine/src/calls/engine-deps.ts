/** The engine-wide services every call uses. */
import type { Clock } from '../clock.ts';
import type { Logger } from '../util/logger.ts';
import type { Network } from '../network/network.ts';
import type { Store } from '../store/store.ts';
import type { Activity } from '../util/activity.ts';
import type { Outbox } from '../webhooks/outbox.ts';
import type { MediaSettings } from '../interpreter/context.ts';
import type { Registry } from './registry.ts';
import type { LiveFeed } from '../events/live-feed.ts';
import type { CallFacts } from '../events/call-facts.ts';
import type { Recordings } from './recordings.ts';
import type { Conferences } from './conference-rooms.ts';


export interface EngineDeps {
  readonly clock: Clock;
  readonly store: Store;
  readonly network: Network;
  readonly registry: Registry;
  readonly activity: Activity;
  readonly outbox: Outbox;
  readonly log: Logger;
  readonly media: MediaSettings;
  readonly billingIncrementS: number;
  readonly nodeId: string;
  readonly feed: LiveFeed;
  /** What the metrics count, told as it is recorded (events/call-facts.ts). */
  readonly facts: CallFacts;
  /** Recordings (Record, the Recording API); absent when the engine keeps none. */
  readonly recordings?: Recordings;
  /** Conference rooms (Conference, the Conference API); absent when the engine runs none. */
  readonly conferences?: Conferences;
}
