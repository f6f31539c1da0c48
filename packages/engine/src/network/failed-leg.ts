/**
 * A leg that never reached the wire (no route, no registered contact, a trunk refused by policy): it
 * reports its end once, to whoever listens first, in a later turn (events are asynchronous,
 * network.ts), and ignores what the engine asks of it. Every network that can fail before placing
 * a leg hands out this one.
 */
import type { NetworkEndReason } from '../domain/causes.ts';
import { newId } from '../util/ids.ts';
import type { LegEvent, LegListener, NetworkLeg, OriginateRequest } from './network.ts';

export class FailedLeg implements NetworkLeg {
  readonly direction = 'outbound' as const;
  readonly from: string;
  readonly to: string;
  readonly callerName?: string;
  readonly headers: Readonly<Record<string, string>>;
  private readonly listeners: LegListener[] = [];
  private pending: LegEvent | undefined;

  constructor(
    req: OriginateRequest,
    reason: NetworkEndReason,
    readonly id: string = newId(),
  ) {
    this.from = req.from;
    this.to = req.to;
    if (req.callerName !== undefined) this.callerName = req.callerName;
    this.headers = Object.freeze({ ...req.headers });
    this.pending = { type: 'ended', reason };
    queueMicrotask(() => this.flush());
  }

  onEvent(listener: LegListener): void {
    this.listeners.push(listener);
    queueMicrotask(() => this.flush());
  }

  private flush(): void {
    const event = this.pending;
    if (!event || this.listeners.length === 0) return;
    this.pending = undefined;
    for (const l of [...this.listeners]) {
      try {
        l(event);
      } catch {
        // As with any leg, one listener's bug must not keep the end from the others.
      }
    }
  }

  answer(): void {}
  reject(): void {}
  hangup(): void {
    // The engine ended it first: the end it asked for is the one that counts (network.ts).
    this.pending = undefined;
  }
  bridge(): void {}
  sendDigits(): void {}
}
