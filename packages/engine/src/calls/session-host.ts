/** What a call's parts (its Dial runs) need from the engine and from the call they belong to. */
import type { Clock } from '../clock.ts';
import type { Network } from '../network/network.ts';
import type { Store } from '../store/store.ts';
import type { MediaDocument } from '../xml/elements.ts';
import type { MediaSettings, WebhookRequest } from '../interpreter/context.ts';
import type { Journal } from './journal.ts';
import type { Registry } from './registry.ts';

export interface SessionHost {
  readonly clock: Clock;
  readonly store: Store;
  readonly network: Network;
  readonly registry: Registry;
  readonly journal: Journal;
  readonly billingIncrementS: number;
  readonly media: MediaSettings;
  warn(callUuid: string, message: string): void;
  fetchMedia(req: WebhookRequest): Promise<{ ok: true; document: MediaDocument } | { ok: false; error: string }>;
}
