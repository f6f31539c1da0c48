/**
 * Writes one call's events in order. Every state change of the call and of its B legs goes through
 * here: `store.record()` appends the event, patches the CDR and writes the notifications it causes
 * in one transaction; only after it committed are the notifications handed to the outbox, in the
 * order they were recorded (DESIGN.md, "Every status is an event").
 */
import type { Activity } from '../util/activity.ts';
import type { CallPatch, CallRow, DeliveryRow, NewDelivery, Store } from '../store/store.ts';
import type { Outbox, FetchResult } from '../webhooks/outbox.ts';
import type { LiveFeed } from '../events/live-feed.ts';
import type { CallFactListener } from '../events/call-facts.ts';
import type { EventType } from '../domain/events.ts';

export interface RecordInput {
  callUuid: string;
  at: number;
  type: EventType;
  data?: unknown;
  patch?: CallPatch;
  deliveries?: NewDelivery[];
  /** New legs stored in the same transaction, before the event (a Dial's B legs). */
  insertCalls?: CallRow[];
}

export class Journal {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly outbox: Outbox,
    private readonly activity: Activity,
    private readonly onError: (err: unknown, input: RecordInput) => void,
    /** The A leg this journal writes for: every item on the live feed is filed under it. */
    private readonly rootUuid?: string,
    private readonly feed?: LiveFeed,
    /** The call's owner, filed with every feed item (docs/accounts.md). */
    private readonly account: string | null = null,
    /** Told of every stored event, for the metrics (events/call-facts.ts). */
    private readonly facts?: CallFactListener,
  ) {}

  /** Appends an event (and its notifications). Never rejects: a storage error is reported and the call goes on. */
  record(input: RecordInput): Promise<DeliveryRow[]> {
    return this.append(input, true);
  }

  /** As record(), but rejects when the event could not be stored (the caller cannot go on without it). */
  write(input: RecordInput): Promise<DeliveryRow[]> {
    return this.append(input, false);
  }

  private append(input: RecordInput, report: boolean): Promise<DeliveryRow[]> {
    const end = this.activity.begin();
    const next = this.tail.then(async () => {
      try {
        const { seq, deliveries } = await this.store.record(input);
        this.outbox.submit(deliveries, input.deliveries);
        const callUuid = this.rootUuid ?? input.callUuid;
        this.facts?.eventRecorded(callUuid === input.callUuid ? 'a' : 'b', input.type, input.patch?.call_status || undefined, input.data);
        // Built only if someone watches the feed (events/live-feed.ts); not even its builder otherwise.
        if (this.feed && !this.feed.quiet) this.feed.publish('event', input.at, callUuid, () => ({
          leg_uuid: input.callUuid,
          seq,
          type: input.type,
          ...(input.data === undefined ? {} : { data: input.data }),
          ...(input.patch?.call_status ? { call_status: input.patch.call_status } : {}),
          deliveries: deliveries.map((d) => ({ delivery_id: d.id, kind: d.kind, event: d.event, url: d.url })),
        }), this.account);
        return deliveries;
      } catch (err) {
        if (!report) throw err;
        try {
          this.onError(err, input);
        } catch {
          // The reporter's own failure: record() still never rejects, and the call's next events still go.
        }
        return [] as DeliveryRow[];
      } finally {
        end();
      }
    });
    // record() never rejects (its errors are reported): only write()'s failure is cut off here.
    this.tail = report ? next : next.catch(ignore);
    return next;
  }

  /**
   * Records a synchronous request as an event of the call, then waits for it in the call's lane
   * (after every notification recorded before it).
   */
  async fetch(input: RecordInput & { deliveries: [NewDelivery] }): Promise<FetchResult> {
    const rows = await this.record(input);
    const row = rows[0];
    if (!row) return { ok: false, body: '', error: 'could not record the request', attempts: 0 };
    const end = this.activity.begin();
    try {
      return await this.outbox.fetch(row, input.deliveries[0]);
    } finally {
      end();
    }
  }

  /** Resolves once everything recorded so far is written. */
  flushed(): Promise<void> {
    return this.tail.then(() => undefined);
  }
}

/** What a failed write() leaves for the events after it: nothing (its caller has the error). */
function ignore(): undefined {
  return undefined;
}
