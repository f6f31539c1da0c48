/**
 * Takeover (docs/scaling.md, "Takeover"): a survivor that sees a node past its lease fences it and
 * moves its live calls to itself in one transaction (store/pg-cluster-store.ts: exactly one of many
 * racing survivors gets them), then closes them as a restart's recovery would: 8010 Engine
 * Restart, one final CDR per leg, one hangup report per A leg. Should this node die between the
 * two steps, the calls are now its own, and the next survivor takes them from it in turn.
 */
import type { ClusterStore } from '../store/cluster-store.ts';
import type { CallRow } from '../store/store.ts';
import type { LeaseLog } from './node-lease.ts';

export interface TakeoverDeps {
  store: ClusterStore;
  nodeId: string;
  log: LeaseLog;
  /** Closes calls that lost their node (CallService.closeInterrupted). */
  close: (calls: readonly CallRow[]) => Promise<number>;
  /** Told of each takeover this node won (tests, metrics). */
  onTakeover?: (t: { node: string; calls: number; ms: number }) => void;
}

/** Takes over every expired node it can; answers how many calls it closed. */
export async function takeOverExpired(d: TakeoverDeps): Promise<number> {
  let closed = 0;
  for (const dead of await d.store.expiredNodes()) {
    if (dead.node_id === d.nodeId) continue;
    const started = performance.now();
    const calls = await d.store.takeOver(dead, d.nodeId);
    if (calls === undefined) continue; // another survivor won, or the node came back
    const n = await d.close(calls);
    closed += n;
    const ms = Math.round(performance.now() - started);
    d.log.warn({ node: dead.node_id, epoch: dead.epoch, calls: n, ms }, 'took over a dead node: its live calls are closed (8010 Engine Restart)');
    d.onTakeover?.({ node: dead.node_id, calls: n, ms });
  }
  return closed;
}
