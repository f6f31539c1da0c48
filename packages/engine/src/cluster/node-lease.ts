/**
 * This node's lease (docs/scaling.md, "Leases and fencing"). The node registers at start (a new
 * epoch), renews every third of the lease, and acts only while it knows its lease holds. The
 * database is the judge: a heartbeat after the lease ran out fails even if nobody took the node
 * over yet, because a survivor may already be sending what the node owed. A node that finds itself
 * fenced never acts again (the engine stops it).
 *
 * Local validity is measured on the monotonic clock from the moment the last successful heartbeat
 * was sent, and ends a sixth of the lease early: the database's lease, taken later, always outlives
 * it. After a pause (SIGSTOP, a long GC) the monotonic clock has moved on, so the first thing that
 * wants to act asks the database again.
 */
import { every, type Clock, type Timer } from '../clock.ts';
import type { ClusterStore } from '../store/cluster-store.ts';

export interface LeaseLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export class NodeLease {
  epoch = 0;
  private renewedAt = Number.NEGATIVE_INFINITY;
  private timer: Timer | undefined;
  private beating: Promise<void> | undefined;
  private state: 'live' | 'draining' = 'live';
  private fencedWhy: string | undefined;
  private readonly fencedListeners: Array<(why: string) => void> = [];

  constructor(
    private readonly o: {
      store: ClusterStore;
      nodeId: string;
      leaseMs: number;
      log: LeaseLog;
      /** Runs the heartbeat; a real clock even when the calls run on a virtual one. */
      clock: Clock;
      /** Monotonic ms; tests do not replace it (leases are real time whatever clock the calls run on). */
      now?: () => number;
    },
  ) {}

  private now(): number {
    return (this.o.now ?? performance.now.bind(performance))();
  }

  get fenced(): boolean {
    return this.fencedWhy !== undefined;
  }

  /** True while this node knows its lease holds. */
  get valid(): boolean {
    return !this.fenced && this.now() < this.renewedAt + (this.o.leaseMs * 5) / 6;
  }

  onFenced(fn: (why: string) => void): void {
    this.fencedListeners.push(fn);
  }

  async start(advertiseUrl: string | null): Promise<void> {
    const sent = this.now();
    const { node, previous } = await this.o.store.register(this.o.nodeId, advertiseUrl, this.o.leaseMs);
    this.epoch = node.epoch;
    this.renewedAt = sent;
    if (previous && previous.state !== 'dead' && previous.state !== 'stopped' && previous.lease_until > node.heartbeat_at) {
      this.o.log.warn({ node: this.o.nodeId, previous_epoch: previous.epoch }, 'another process held this node id with a live lease; it is fenced now (give each node its own --node-id)');
    }
    this.o.store.fenceWritesTo(this.o.nodeId);
    this.o.log.info({ node: this.o.nodeId, epoch: this.epoch, lease_ms: this.o.leaseMs }, 'joined the cluster');
    this.timer = every(this.o.clock, Math.max(100, Math.floor(this.o.leaseMs / 3)), () => void this.beat());
  }

  /** Renews now (one at a time); a failed renewal is fencing, a database error is only logged. */
  beat(): Promise<void> {
    if (this.fenced || this.timer === undefined) return Promise.resolve();
    this.beating ??= (async () => {
      const sent = this.now();
      try {
        if (await this.o.store.heartbeat(this.o.nodeId, this.epoch, this.o.leaseMs, this.state)) this.renewedAt = sent;
        else this.fence('its lease ran out or another process took the node id over');
      } catch (err) {
        this.o.log.warn({ err, node: this.o.nodeId }, 'could not renew the node lease');
      } finally {
        this.beating = undefined;
      }
    })();
    return this.beating;
  }

  /**
   * Resolves true as soon as the lease is known to hold, false once the node is fenced; while the
   * database cannot be reached it keeps asking.
   */
  async ready(): Promise<boolean> {
    for (;;) {
      if (this.fenced) return false;
      if (this.valid) return true;
      await this.beat();
      if (this.valid) return true;
      if (this.fenced) return false;
      await this.o.clock.sleep(Math.max(50, this.o.leaseMs / 10));
    }
  }

  /** Still alive, but taking no new calls (SIGTERM): shown in the nodes table. */
  drain(): void {
    this.state = 'draining';
    void this.beat();
  }

  /** A clean stop: the lease ends now, so what the node still owes is claimed by the others at once. */
  async stop(): Promise<void> {
    this.timer?.cancel();
    this.timer = undefined;
    await this.beating;
    if (!this.fenced && this.epoch > 0) await this.o.store.leave(this.o.nodeId, this.epoch).catch((err: unknown) => this.o.log.warn({ err }, 'could not end the node lease'));
  }

  private fence(why: string): void {
    if (this.fenced) return;
    this.fencedWhy = why;
    this.timer?.cancel();
    this.o.log.error({ node: this.o.nodeId, epoch: this.epoch }, `this node is fenced: ${why}; it stops acting`);
    for (const fn of this.fencedListeners) fn(why);
  }
}
