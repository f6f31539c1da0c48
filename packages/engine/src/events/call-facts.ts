/**
 * The few facts the Prometheus metrics count (reports/metrics.ts), told where they arise: the
 * journal tells each call event it stored, the outbox (wired in engine.ts) each webhook attempt and
 * each delivery status it reached. Plain typed arguments, nothing built: the live feed
 * (live-feed.ts) builds its JSON payloads only while someone watches, and counting must not be a
 * reason to build them on every event (docs/performance.md, "Hot path").
 *
 * A node tells its own facts only; other nodes' items reach its live feed through the cluster
 * relay but are counted by their own node.
 */
import type { CallStatus } from '../domain/causes.ts';
import type { EventType } from '../domain/events.ts';

export interface CallFactListener {
  /**
   * A call event was stored. `leg`: 'a' for the call itself, 'b' for a leg its Dial placed;
   * `callStatus`: the status the event set, if it set one; `data`: the event's own data as stored.
   */
  eventRecorded(leg: 'a' | 'b', type: EventType, callStatus: CallStatus | undefined, data: unknown): void;
  /** One webhook attempt ended: its status code (null: no response came) and its latency. */
  attemptEnded(webhook: string, statusCode: number | null, latencyMs: number): void;
  /** A delivery's status as its round (or its cancellation) left it. */
  deliveryChanged(webhook: string, status: 'pending' | 'delivered' | 'failed' | 'dead'): void;
}

/** Fans the facts out to whoever counts them: today the metrics, one per engine. */
export class CallFacts implements CallFactListener {
  private listeners: CallFactListener[] = [];

  /** Answers the function that stops telling `l`. */
  listen(l: CallFactListener): () => void {
    this.listeners = [...this.listeners, l];
    return () => {
      this.listeners = this.listeners.filter((x) => x !== l);
    };
  }

  eventRecorded(leg: 'a' | 'b', type: EventType, callStatus: CallStatus | undefined, data: unknown): void {
    for (const l of this.listeners) {
      try {
        l.eventRecorded(leg, type, callStatus, data);
      } catch {
        // A counter's failure is its own: the event is stored and the call goes on.
      }
    }
  }

  attemptEnded(webhook: string, statusCode: number | null, latencyMs: number): void {
    for (const l of this.listeners) {
      try {
        l.attemptEnded(webhook, statusCode, latencyMs);
      } catch {
        // A counter's failure is its own: the event is stored and the call goes on.
      }
    }
  }

  deliveryChanged(webhook: string, status: 'pending' | 'delivered' | 'failed' | 'dead'): void {
    for (const l of this.listeners) {
      try {
        l.deliveryChanged(webhook, status);
      } catch {
        // A counter's failure is its own: the event is stored and the call goes on.
      }
    }
  }
}
