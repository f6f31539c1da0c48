/**
 * Every webhook the engine delivered, as the app received it, and waiting for the next one that
 * matches. Built on the engine's live feed (each finished attempt) and its delivery log (the exact
 * parameters sent), so it sees what the app saw whether the app runs in this process or elsewhere.
 */
import { RealClock, type Engine } from '@switchboard/engine';

/** One webhook request the engine made (its first attempt), with the parameters Plivo would send. */
export interface Webhook {
  /** ring | answer | fallback | hangup | action | callback | redirect | digits | confirm | ... */
  readonly kind: string;
  /** The `Event` parameter's value, when the webhook has one. */
  readonly event: string;
  readonly url: string;
  readonly method: 'GET' | 'POST';
  readonly params: Readonly<Record<string, string>>;
  /** The call (its A leg's CallUUID, the request_uuid of an API call). */
  readonly callUuid: string;
  /** Milliseconds on the engine's clock since the test kit started. */
  readonly at: number;
  /** The app's HTTP status, or null when the request failed. */
  readonly statusCode: number | null;
}

/** Parameters a webhook must carry, each with exactly this value. */
export type WebhookMatch = Readonly<Record<string, string | number | boolean>>;

export interface WaitOptions {
  /** Only this call's webhooks: its CallUUID, or the request_uuid the API answered when it was placed. */
  call?: string;
  /** How long to wait, in real milliseconds (default: the kit's `webhookTimeoutMs`). */
  timeoutMs?: number;
}

interface Waiter {
  matches(w: Webhook): boolean;
  resolve(w: Webhook): void;
}

const wall = new RealClock();

export class WebhookLog {
  private readonly all: Webhook[] = [];
  /** Webhooks already handed out by `next`, so two waits for the same kind get two webhooks. */
  private readonly taken = new Set<Webhook>();
  private readonly seen = new Set<string>();
  private readonly waiters = new Set<Waiter>();
  /** request_uuid -> CallUUID, from the RequestUUID parameter of an API call's webhooks (plivo.md §2). */
  private readonly calls = new Map<string, string>();
  private readonly unsubscribe: () => void;

  constructor(engine: Engine, private readonly start: number, private readonly defaultTimeoutMs: number) {
    this.unsubscribe = engine.feed.subscribe({ kinds: new Set(['delivery']) }, (item) => {
      const id = String(item.data.delivery_id);
      // The first finished attempt is the request the app got; retries are the same webhook.
      if (item.data.attempt === undefined || this.seen.has(id)) return;
      this.seen.add(id);
      const done = engine.activity.begin(); // the clock waits until the webhook is recorded
      engine.store
        .getDelivery(id)
        .then((row) => {
          if (!row) return;
          const params = JSON.parse(row.params) as Record<string, string>;
          this.add({
            kind: row.kind,
            event: row.event,
            url: row.url,
            method: row.method,
            params,
            callUuid: row.call_uuid,
            at: item.at - this.start,
            statusCode: (item.data.status_code as number | null | undefined) ?? null,
          });
        })
        .finally(done);
    });
  }

  /** Every webhook so far, oldest first; only those of `kind` when given. */
  list(kind?: string): Webhook[] {
    return kind === undefined ? [...this.all] : this.all.filter((w) => w.kind === kind);
  }

  /**
   * The oldest webhook of `kind` carrying every parameter of `match` that no earlier call of
   * `next` returned; waits for it when it has not come yet. Rejects after the timeout, listing
   * what did come.
   */
  next(kind: string, match: WebhookMatch = {}, opts: WaitOptions = {}): Promise<Webhook> {
    const matches = (w: Webhook) =>
      w.kind === kind && (opts.call === undefined || w.callUuid === opts.call || this.calls.get(opts.call) === w.callUuid) && Object.entries(match).every(([k, v]) => w.params[k] === String(v));
    const found = this.all.find((w) => !this.taken.has(w) && matches(w));
    if (found) {
      this.taken.add(found);
      return Promise.resolve(found);
    }
    const timeoutMs = opts.timeoutMs ?? this.defaultTimeoutMs;
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        matches,
        resolve: (w) => {
          timer.cancel();
          this.waiters.delete(waiter);
          this.taken.add(w);
          resolve(w);
        },
      };
      const timer = wall.setTimer(timeoutMs, () => {
        this.waiters.delete(waiter);
        const got = this.all.map((w) => `${w.kind}(${w.event}${w.params.DialStatus ? ` DialStatus=${w.params.DialStatus}` : ''}${w.params.CallStatus ? ` CallStatus=${w.params.CallStatus}` : ''})`);
        reject(new Error(`no ${kind} webhook with ${JSON.stringify(match)} within ${timeoutMs} ms; received: ${got.join(', ') || 'none'}`));
      });
      this.waiters.add(waiter);
    });
  }

  close(): void {
    this.unsubscribe();
  }

  private add(w: Webhook): void {
    this.all.push(w);
    if (w.params.RequestUUID) this.calls.set(w.params.RequestUUID, w.callUuid);
    for (const waiter of this.waiters) {
      if (waiter.matches(w)) {
        waiter.resolve(w);
        return;
      }
    }
  }
}
