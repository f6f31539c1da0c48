/**
 * One live feed across the cluster (docs/scaling.md, "One live feed"): every item a node publishes
 * goes out on the `switchboard_feed` channel (PostgreSQL LISTEN/NOTIFY) and every other node shows
 * it to its own subscribers, with their filters and per-account scoping as for its own items.
 *
 * Items are batched for a few milliseconds, so a burst of events costs one NOTIFY, not one each;
 * a batch is split to stay under PostgreSQL's payload limit, and a single item too large for it
 * (a delivery with a huge URL) is dropped from the relay, logged, and still shown on its own node.
 * The feed is for watching, not a record (events/live-feed.ts): an item lost while the channel is
 * down is not replayed; the store has it.
 */
import type { Clock, Timer } from '../clock.ts';
import type { FeedItem, LiveFeed } from '../events/live-feed.ts';
import { MAX_NOTIFY_BYTES, type ClusterStore, type NotifyChannel } from '../store/cluster-store.ts';
import type { LeaseLog } from './node-lease.ts';

const CHANNEL = 'switchboard_feed';
const BATCH_MS = 20;

type Item = Omit<FeedItem, 'id'>;
interface Envelope {
  from: string;
  items: Item[];
}

export class FeedRelay {
  private channel: NotifyChannel | undefined;
  private queue: string[] = [];
  private timer: Timer | undefined;
  private sending: Promise<void> = Promise.resolve();

  constructor(
    private readonly o: { store: ClusterStore; feed: LiveFeed; nodeId: string; log: LeaseLog; clock: Clock },
  ) {}

  async start(): Promise<void> {
    this.channel = await this.o.store.openChannel(
      CHANNEL,
      (payload) => this.receive(payload),
      (err) => this.o.log.warn({ err }, 'the live feed channel failed; other nodes\' events are not shown until restart'),
    );
    this.o.feed.relay = (item) => this.enqueue(item);
  }

  private enqueue(item: Item): void {
    const json = JSON.stringify(item);
    if (json.length > MAX_NOTIFY_BYTES - 100) {
      this.o.log.warn({ call_uuid: item.call_uuid, bytes: json.length }, 'a live feed item is too large for the other nodes; shown on this node only');
      return;
    }
    this.queue.push(json);
    this.timer ??= this.o.clock.setTimer(BATCH_MS, () => this.flush());
  }

  private flush(): void {
    this.timer = undefined;
    const head = `{"from":${JSON.stringify(this.o.nodeId)},"items":[`;
    const batches: string[] = [];
    let cur: string[] = [];
    let size = head.length + 2;
    for (const json of this.queue) {
      if (cur.length > 0 && size + json.length + 1 > MAX_NOTIFY_BYTES) {
        batches.push(`${head}${cur.join(',')}]}`);
        cur = [];
        size = head.length + 2;
      }
      cur.push(json);
      size += json.length + 1;
    }
    if (cur.length > 0) batches.push(`${head}${cur.join(',')}]}`);
    this.queue = [];
    const channel = this.channel;
    if (!channel) return;
    // In order, one batch after another.
    this.sending = this.sending.then(async () => {
      for (const b of batches) await channel.send(b).catch((err: unknown) => this.o.log.warn({ err }, 'could not relay live feed items to the other nodes'));
    });
  }

  private receive(payload: string): void {
    let env: Envelope;
    try {
      env = JSON.parse(payload) as Envelope;
    } catch {
      return;
    }
    if (env.from === this.o.nodeId || !Array.isArray(env.items)) return;
    for (const item of env.items) this.o.feed.publishRemote(item);
  }

  async stop(): Promise<void> {
    this.o.feed.relay = undefined;
    if (this.timer) {
      this.timer.cancel();
      this.flush();
    }
    await this.sending;
    await this.channel?.close();
    this.channel = undefined;
  }
}
