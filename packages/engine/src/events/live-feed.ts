/**
 * The live event feed (GET /Events/, `switchboard tail`): call and leg events as they are
 * recorded, and delivery outcomes as they happen. In memory only: the store is the record; the
 * feed is for watching. A slow subscriber never slows the engine: its queue is capped and it is
 * told how many items it missed.
 */

export interface FeedItem {
  /** Increasing number of this item in this process (the SSE `id`). */
  id: number;
  kind: 'event' | 'delivery';
  at: number;
  /** The call this concerns: the A leg, whichever leg the item is about. */
  call_uuid: string;
  data: Record<string, unknown>;
}

export type FeedListener = (item: FeedItem) => void;

export interface FeedFilter {
  callUuid?: string;
  kinds?: ReadonlySet<FeedItem['kind']>;
}

export class LiveFeed {
  private next = 1;
  private listeners = new Set<{ filter: FeedFilter; fn: FeedListener }>();

  get subscribers(): number {
    return this.listeners.size;
  }

  publish(kind: FeedItem['kind'], at: number, callUuid: string, data: Record<string, unknown>): void {
    if (this.listeners.size === 0) return;
    const item: FeedItem = { id: this.next++, kind, at, call_uuid: callUuid, data };
    for (const l of this.listeners) {
      if (l.filter.callUuid && l.filter.callUuid !== callUuid) continue;
      if (l.filter.kinds && !l.filter.kinds.has(kind)) continue;
      try {
        l.fn(item);
      } catch {
        // A subscriber's failure is its own.
      }
    }
  }

  subscribe(filter: FeedFilter, fn: FeedListener): () => void {
    const entry = { filter, fn };
    this.listeners.add(entry);
    return () => this.listeners.delete(entry);
  }
}
