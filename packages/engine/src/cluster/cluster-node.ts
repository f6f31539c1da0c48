/**
 * One engine node of a cluster on PostgreSQL (docs/scaling.md): its lease, and the loop that takes
 * over dead nodes and claims the deliveries nobody alive is sending. Built by the engine when
 * `--cluster-secret` is set and the store has a cluster (PostgreSQL); absent otherwise.
 *
 * Leases and this loop run on real time whatever clock the calls run on: they are about processes.
 */
import { every, type Clock, type Timer } from '../clock.ts';
import type { ClusterStore } from '../store/cluster-store.ts';
import type { CallRow, DeliveryRow } from '../store/store.ts';
import { NodeLease, type LeaseLog } from './node-lease.ts';
import { takeOverExpired } from './takeover.ts';
import { FeedRelay } from './feed-relay.ts';
import { ConfigRelay, type ConfigKind } from './config-relay.ts';
import type { LiveFeed } from '../events/live-feed.ts';

export interface ClusterNodeOptions {
  store: ClusterStore;
  nodeId: string;
  leaseMs: number;
  log: LeaseLog;
  /** Real time: leases and this loop are about processes, not calls. */
  clock: Clock;
  /** Closes calls taken over from a dead node. */
  closeCalls: (calls: readonly CallRow[]) => Promise<number>;
  /** Hands claimed deliveries to this node's outbox. */
  deliver: (rows: readonly DeliveryRow[]) => Promise<unknown>;
  onTakeover?: (t: { node: string; calls: number; ms: number }) => void;
  /** This node's live feed: its items go to every node, every node's come to it (feed-relay.ts). */
  feed: LiveFeed;
  /** Reloads what this node caches of the configuration when another node changed it (config-relay.ts). */
  reload: Record<ConfigKind, () => Promise<void>>;
}

/** Deliveries claimed per round; the rest wait for the next one. */
const CLAIM_BATCH = 200;

export class ClusterNode {
  readonly lease: NodeLease;
  private readonly relay: FeedRelay;
  private readonly config: ConfigRelay;
  private timer: Timer | undefined;
  private round: Promise<void> | undefined;

  constructor(private readonly o: ClusterNodeOptions) {
    this.lease = new NodeLease({ store: o.store, nodeId: o.nodeId, leaseMs: o.leaseMs, log: o.log, clock: o.clock });
    this.relay = new FeedRelay({ store: o.store, feed: o.feed, nodeId: o.nodeId, log: o.log, clock: o.clock });
    this.config = new ConfigRelay({ store: o.store, nodeId: o.nodeId, log: o.log, reload: o.reload });
  }

  get nodeId(): string {
    return this.o.nodeId;
  }

  /** How often dead nodes and orphaned deliveries are looked for: a quarter lease, at most 1 s. */
  get pollMs(): number {
    return Math.min(1000, Math.floor(this.o.leaseMs / 4));
  }

  /** Registers (a new epoch: whoever held the id before is fenced). */
  async join(): Promise<void> {
    await this.lease.start(null);
    await this.relay.start();
    await this.config.start();
  }

  /** This node changed some configuration the others cache: they reload it. */
  changed(kind: ConfigKind): void {
    this.config.changed(kind);
  }

  /** This node's own pending deliveries from before a restart, claimed for the new epoch. */
  claimOwn(): Promise<DeliveryRow[]> {
    return this.o.store.claimOwn(this.o.nodeId, this.lease.epoch);
  }

  /** Starts looking for dead nodes and orphaned deliveries. */
  watch(): void {
    this.timer = every(this.o.clock, this.pollMs, () => void this.tick());
    void this.tick();
  }

  /** One round: take over dead nodes, then claim what nobody alive is sending. */
  tick(): Promise<void> {
    this.round ??= (async () => {
      try {
        if (!(await this.lease.ready())) return;
        await takeOverExpired({ store: this.o.store, nodeId: this.o.nodeId, log: this.o.log, close: this.o.closeCalls, ...(this.o.onTakeover ? { onTakeover: this.o.onTakeover } : {}) });
        if (!this.lease.valid) return;
        const rows = await this.o.store.claimDue(this.o.nodeId, this.lease.epoch, CLAIM_BATCH);
        if (rows.length > 0) {
          this.o.log.info({ deliveries: rows.length }, 'claimed deliveries that a dead node owed');
          await this.o.deliver(rows);
        }
      } catch (err) {
        this.o.log.warn({ err }, 'cluster round failed; trying again');
      } finally {
        this.round = undefined;
      }
    })();
    return this.round;
  }

  setAdvertiseUrl(url: string): Promise<void> {
    return this.o.store.setAdvertiseUrl(this.o.nodeId, this.lease.epoch, url);
  }

  drain(): void {
    this.lease.drain();
  }

  async stop(): Promise<void> {
    this.timer?.cancel();
    this.timer = undefined;
    await this.round;
    await this.relay.stop();
    await this.config.stop();
    await this.lease.stop();
  }
}
