/**
 * Configuration a node keeps in memory for synchronous lookups (simulator scripts, SIP endpoints)
 * is reloaded from the database on every node when one node changes it (docs/scaling.md, "What
 * is shared"): the changing node says what changed on the `switchboard_config` channel (LISTEN/
 * NOTIFY) after its write committed, and each other node reloads that kind. A node that missed a
 * message (its channel was down) reloads everything at its next start.
 */
import type { ClusterStore, NotifyChannel } from '../store/cluster-store.ts';
import type { LeaseLog } from './node-lease.ts';

const CHANNEL = 'switchboard_config';

export type ConfigKind = 'sim' | 'endpoints';

export class ConfigRelay {
  private channel: NotifyChannel | undefined;

  constructor(
    private readonly o: { store: ClusterStore; nodeId: string; log: LeaseLog; reload: Record<ConfigKind, () => Promise<void>> },
  ) {}

  async start(): Promise<void> {
    this.channel = await this.o.store.openChannel(
      CHANNEL,
      (payload) => void this.receive(payload),
      (err) => this.o.log.warn({ err }, 'the configuration channel failed; other nodes\' changes are read at restart'),
    );
  }

  /** This node changed `kind` (its write has committed). */
  changed(kind: ConfigKind): void {
    void this.channel?.send(JSON.stringify({ from: this.o.nodeId, kind })).catch((err: unknown) => this.o.log.warn({ err, kind }, 'could not tell the other nodes of a configuration change'));
  }

  private async receive(payload: string): Promise<void> {
    let msg: { from?: string; kind?: string };
    try {
      msg = JSON.parse(payload) as typeof msg;
    } catch {
      return;
    }
    if (msg.from === this.o.nodeId || (msg.kind !== 'sim' && msg.kind !== 'endpoints')) return;
    try {
      await this.o.reload[msg.kind]();
      this.o.log.info({ kind: msg.kind, from: msg.from }, 'reloaded configuration changed on another node');
    } catch (err) {
      this.o.log.warn({ err, kind: msg.kind }, 'could not reload configuration changed on another node');
    }
  }

  async stop(): Promise<void> {
    await this.channel?.close();
    this.channel = undefined;
  }
}
