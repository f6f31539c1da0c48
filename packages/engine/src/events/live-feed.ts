/**
 * The live event feed (GET /Events/, `switchboard tail`): call and leg events as they are
 * recorded, and delivery outcomes as they happen. In memory only: the store is the record; the
 * feed is for watching. A slow subscriber never slows the engine: its queue is capped and it is
 * told how many items it missed. When the engine drains, close() ends every subscriber, so an open
 * dashboard or `switchboard tail` never holds a stopping engine up (docs/cli.md, "Stopping").
 *
 * Nobody watches most of the time, so a publisher may pass its payload as a function: it is called
 * only when a subscriber's filter takes the item or the cluster relay is on, and otherwise the
 * item costs one check (docs/performance.md, "Hot path"). The metrics do not read the feed; they
 * are told their facts directly (call-facts.ts).
 */

export interface FeedItem {
  /** Increasing number of this item in this process (the SSE `id`). */
  id: number;
  kind: 'event' | 'delivery';
  at: number;
  /** The call this concerns: the A leg, whichever leg the item is about. */
  call_uuid: string;
  /** The call's owner (null: the main account): a subaccount's stream shows only its own (docs/accounts.md). */
  account: string | null;
  data: Record<string, unknown>;
}

export type FeedListener = (item: FeedItem) => void;

/** An item's data, or the function that builds it when someone is there to see it. */
export type FeedData = FeedItem['data'] | (() => FeedItem['data']);

export interface FeedFilter {
  callUuid?: string;
  kinds?: ReadonlySet<FeedItem['kind']>;
  /** Only the calls of this subaccount; absent = every account's. */
  account?: string;
}

interface Subscriber {
  filter: FeedFilter;
  fn: FeedListener;
  onEnd?: () => void;
}

export class LiveFeed {
  private next = 1;
  private listeners = new Set<Subscriber>();
  private closed = false;
  /**
   * Told of every item this node publishes, watched or not: a cluster node relays them to the
   * others (cluster/feed-relay.ts), so every node's stream shows every node's calls.
   */
  relay?: (item: Omit<FeedItem, 'id'>) => void;

  get subscribers(): number {
    return this.listeners.size;
  }

  /** Nobody watches and nothing relays: a publisher need not even make its payload's builder. */
  get quiet(): boolean {
    return this.relay === undefined && this.listeners.size === 0;
  }

  publish(kind: FeedItem['kind'], at: number, callUuid: string, data: FeedData, account: string | null = null): void {
    const relay = this.relay;
    if (!relay && !this.wanted(kind, callUuid, account)) return;
    const built = typeof data === 'function' ? data() : data;
    relay?.({ kind, at, call_uuid: callUuid, account, data: built });
    this.deliver(kind, at, callUuid, built, account);
  }

  /** Whether some subscriber's filter takes such an item: without one, nothing is built. */
  private wanted(kind: FeedItem['kind'], callUuid: string, account: string | null): boolean {
    for (const l of this.listeners) if (takes(l.filter, kind, callUuid, account)) return true;
    return false;
  }

  /** An item another node published (cluster/feed-relay.ts): shown here, not relayed again. */
  publishRemote(item: Omit<FeedItem, 'id'>): void {
    this.deliver(item.kind, item.at, item.call_uuid, item.data, item.account);
  }

  private deliver(kind: FeedItem['kind'], at: number, callUuid: string, data: Record<string, unknown>, account: string | null): void {
    if (this.listeners.size === 0) return;
    const item: FeedItem = { id: this.next++, kind, at, call_uuid: callUuid, account, data };
    for (const l of this.listeners) {
      if (!takes(l.filter, kind, callUuid, account)) continue;
      try {
        l.fn(item);
      } catch {
        // A subscriber's failure is its own.
      }
    }
  }

  /**
   * Adds a subscriber; `onEnd` is called when the feed closes (the SSE route then ends its
   * response). Answers the unsubscribe function. On a closed feed, `onEnd` runs at once.
   */
  subscribe(filter: FeedFilter, fn: FeedListener, onEnd?: () => void): () => void {
    const entry: Subscriber = { filter, fn, ...(onEnd ? { onEnd } : {}) };
    if (this.closed) {
      queueMicrotask(() => endSafely(entry));
      return () => {};
    }
    this.listeners.add(entry);
    return () => this.listeners.delete(entry);
  }

  /** Ends every subscriber and refuses new ones: the engine is stopping. */
  close(): void {
    this.closed = true;
    const all = [...this.listeners];
    this.listeners.clear();
    for (const l of all) endSafely(l);
  }
}

function takes(f: FeedFilter, kind: FeedItem['kind'], callUuid: string, account: string | null): boolean {
  if (f.callUuid && f.callUuid !== callUuid) return false;
  if (f.account !== undefined && f.account !== account) return false;
  return !f.kinds || f.kinds.has(kind);
}

function endSafely(l: Subscriber): void {
  try {
    l.onEnd?.();
  } catch {
    // A subscriber's failure is its own.
  }
}
