/** The live-call registry: what is up right now on this node, for the live-call API and hangups. */
import type { EndReason, HangupSource } from '../domain/causes.ts';
import type { LegRunner } from './leg-runner.ts';

export interface LiveCall {
  readonly uuid: string;
  readonly requestUuid: string;
  readonly leg: LegRunner;
  /** Ends the call as the Hangup API does. */
  hangup(reason: EndReason, source: HangupSource): void;
}

export class Registry {
  private calls = new Map<string, LiveCall>();
  private legs = new Map<string, LiveCall>();
  private byRequest = new Map<string, Set<string>>();
  private emptyWaiters: Array<() => void> = [];

  add(call: LiveCall): void {
    this.calls.set(call.uuid, call);
    let set = this.byRequest.get(call.requestUuid);
    if (!set) this.byRequest.set(call.requestUuid, (set = new Set()));
    set.add(call.uuid);
  }

  remove(uuid: string): void {
    const call = this.calls.get(uuid);
    if (!call) return;
    this.calls.delete(uuid);
    const set = this.byRequest.get(call.requestUuid);
    set?.delete(uuid);
    if (set && set.size === 0) this.byRequest.delete(call.requestUuid);
    this.notifyIfEmpty();
  }

  /** B legs: listed as live and hangable by their own CallUUID. */
  addLeg(runner: LegRunner, hangup: (reason: EndReason, source: HangupSource) => void): void {
    this.legs.set(runner.uuid, { uuid: runner.uuid, requestUuid: runner.row.request_uuid, leg: runner, hangup });
  }

  removeLeg(uuid: string): void {
    this.legs.delete(uuid);
    this.notifyIfEmpty();
  }

  get(uuid: string): LiveCall | undefined {
    return this.calls.get(uuid) ?? this.legs.get(uuid);
  }

  byRequestUuid(requestUuid: string): LiveCall[] {
    return [...(this.byRequest.get(requestUuid) ?? [])].map((u) => this.calls.get(u)!).filter(Boolean);
  }

  /** Every live leg: A legs and B legs. */
  all(): LiveCall[] {
    return [...this.calls.values(), ...this.legs.values()];
  }

  /** A legs only. */
  aLegs(): LiveCall[] {
    return [...this.calls.values()];
  }

  get size(): number {
    return this.calls.size + this.legs.size;
  }

  /** Resolves when no call is live. */
  whenEmpty(): Promise<void> {
    if (this.size === 0) return Promise.resolve();
    return new Promise((r) => this.emptyWaiters.push(r));
  }

  private notifyIfEmpty(): void {
    if (this.size !== 0) return;
    const waiters = this.emptyWaiters;
    this.emptyWaiters = [];
    for (const w of waiters) w();
  }
}
