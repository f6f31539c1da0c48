/**
 * What several nodes on one database ask of it (docs/scaling.md): node leases with epochs, the
 * takeover of a dead node's live calls, and claims on the deliveries a dead node owed. Only the
 * PostgreSQL store has it (`Store.cluster`); on SQLite there is one node and none of this.
 *
 * Times are the database's clock (ms since the epoch), so nodes with skewed clocks still agree on
 * who is dead.
 */
import type { CallRow, DeliveryRow } from './store.ts';

export type NodeState = 'live' | 'draining' | 'stopped' | 'dead';

export interface NodeRow {
  node_id: string;
  /** Where the other nodes forward live-call control to; null until the node has bound its port. */
  advertise_url: string | null;
  epoch: number;
  started_at: number;
  heartbeat_at: number;
  lease_until: number;
  state: NodeState;
  /** The node that closed this one's calls, once it is dead. */
  taken_over_by: string | null;
}

export interface ClusterStore {
  /** Closes the cluster's own connections (the store's close() does it too). */
  close(): Promise<void>;
  /** From now on the store writes events only for calls this node owns (a taken-over call is refused). */
  fenceWritesTo(nodeId: string): void;
  /**
   * Starts (or restarts) a node: a new epoch and a fresh lease. Whoever held the id before is
   * fenced from then on, whatever state its row was in. Answers the new row and the one it replaced.
   */
  register(nodeId: string, advertiseUrl: string | null, leaseMs: number): Promise<{ node: NodeRow; previous?: NodeRow }>;
  /**
   * Renews the lease, only while this epoch still holds it and it has not run out: a node past its
   * lease is dead even if nobody took it over yet. false = fenced.
   */
  heartbeat(nodeId: string, epoch: number, leaseMs: number, state: 'live' | 'draining'): Promise<boolean>;
  setAdvertiseUrl(nodeId: string, epoch: number, url: string): Promise<void>;
  /** A node that stopped cleanly: its lease ends now, so what it still owed is claimed at once. */
  leave(nodeId: string, epoch: number): Promise<void>;
  getNode(nodeId: string): Promise<NodeRow | undefined>;
  listNodes(): Promise<NodeRow[]>;
  /** Nodes past their lease that nobody has taken over yet (a cleanly stopped one only if it left live calls). */
  expiredNodes(): Promise<NodeRow[]>;
  /**
   * In one transaction: marks the node dead (a new epoch fences it), fails its pending synchronous
   * fetches, and moves its live calls to `by`, answered so `by` closes them. Under the node row's
   * lock, so of many survivors racing exactly one gets the calls; the others get undefined.
   */
  takeOver(dead: Pick<NodeRow, 'node_id' | 'epoch'>, by: string): Promise<CallRow[] | undefined>;
  /**
   * Claims due notifications nobody alive is sending (their call's node, or the node that claimed
   * them, is dead), oldest first, one per call and only a call's earliest pending one (per-call
   * order holds across nodes). FOR UPDATE SKIP LOCKED: pollers never wait on each other.
   */
  claimDue(nodeId: string, epoch: number, limit: number): Promise<DeliveryRow[]>;
  /** At start: the pending deliveries of this node's calls and its old claims, claimed for the new epoch. */
  claimOwn(nodeId: string, epoch: number): Promise<DeliveryRow[]>;
  /**
   * A channel every node hears (PostgreSQL LISTEN/NOTIFY): what one node sends, every listening
   * node receives, itself included. Payloads up to MAX_NOTIFY_BYTES.
   */
  openChannel(name: string, onMessage: (payload: string) => void, onError: (err: unknown) => void): Promise<NotifyChannel>;
}

/** PostgreSQL's limit on one NOTIFY payload is 8000 bytes; a little is kept in hand. */
export const MAX_NOTIFY_BYTES = 7900;

export interface NotifyChannel {
  send(payload: string): Promise<void>;
  close(): Promise<void>;
}
