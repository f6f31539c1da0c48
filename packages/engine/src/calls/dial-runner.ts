/**
 * Runs one `<Dial>`: places a B leg per `<Number>`/`<User>` at once, bridges the first to answer
 * (after confirmKey, when asked), ends the others with LOSE_RACE, applies `timeout`, `timeLimit`,
 * `hangupOnStar` and `digitsMatch`, reports to `callbackUrl`, and resolves with the dial's result
 * (engine.md §2). The A leg ending (caller, Hangup API, the call's time limit) ends the dial.
 *
 * Every B leg goes through the pure Leg machine, so each ends exactly once with one cause; the
 * dial is over when every B leg has ended, and its result is computed from them by `dialOutcome`.
 */
import type { Timer } from '../clock.ts';
import type { DialElement, DialTarget, MediaDocument } from '../xml/elements.ts';
import type { CallPatch, CallRow, NewDelivery } from '../store/store.ts';
import type { NetworkLeg } from '../network/network.ts';
import { dialCallbackParams, type DialAction } from '../webhooks/params.ts';
import type { DialResult } from '../domain/dial.ts';
import { newId } from '../util/ids.ts';
import { normalizeNumber } from '../util/phone.ts';
import { dialOutcome } from './dial-outcome.ts';
import type { EndReason, HangupSource } from '../domain/causes.ts';
import type { LegEffect, LegEnd } from './leg-machine.ts';
import { LegRunner } from './leg-runner.ts';
import { newCallRow } from './call-row.ts';
import type { SessionHost } from './session-host.ts';
import { onceMs } from '../interpreter/media-time.ts';

interface BLeg {
  runner: LegRunner;
  target: DialTarget;
  position: number;
  /** Answered and waiting for the callee's confirmKey. */
  confirming: boolean;
  confirmTimer?: Timer;
  bridged: boolean;
  /** Taken out of the Dial by the transfer API: up, but no longer the Dial's. */
  transferred?: boolean;
  digitBuffer: string;
}

export interface DialDeps {
  host: SessionHost;
  aLeg: LegRunner;
  /** Aborted when the A leg ends. */
  signal: AbortSignal;
  /** The A leg's end, once it ended. */
  aLegEnd: () => LegEnd | undefined;
  /** Subscribes to the A leg's keys for the dial's duration. */
  onALegDigits: (listener: (digits: string) => void) => () => void;
}

export class DialRun {
  private legs: BLeg[] = [];
  private timers: Timer[] = [];
  private winner: BLeg | undefined;
  private cancelledByALeg = false;
  private finished = false;
  private resolve!: (r: DialResult) => void;
  private readonly done = new Promise<DialResult>((r) => (this.resolve = r));
  private aDigitBuffer = '';
  private confirmMedia: MediaDocument | undefined;
  private unsubscribeDigits: () => void = () => {};

  constructor(
    private readonly el: DialElement,
    private readonly deps: DialDeps,
  ) {}

  async run(): Promise<DialResult> {
    const { host, aLeg } = this.deps;
    const a = aLeg.row;
    const now = host.clock.now();

    if (this.deps.signal.aborted) {
      return { status: 'cancel', rang: false, hangupCause: 'ORIGINATOR_CANCEL', bLegUuid: '' };
    }
    await this.prepareMedia();
    if (this.deps.signal.aborted) {
      return { status: 'cancel', rang: false, hangupCause: 'ORIGINATOR_CANCEL', bLegUuid: '' };
    }

    const rows: CallRow[] = this.el.targets.map((target, i) => this.bLegRow(a, target, i + 1, host.clock.now()));
    // The B legs' rows are written in the transaction that records the Dial's start: one write, and
    // never a B leg without its dial.started (or the reverse). A failure ends the Dial here, as a
    // failed insert did before.
    await host.journal.write({
      callUuid: a.call_uuid,
      at: now,
      type: 'dial.started',
      data: { targets: rows.map((r) => ({ call_uuid: r.call_uuid, to: r.to_number, position: r.dial_position })), timeout: this.el.timeout ?? null, time_limit: this.el.timeLimit },
      insertCalls: rows,
    });

    if (this.deps.signal.aborted) {
      // The caller left while the B legs were being written: they end before they ring.
      for (const row of rows) {
        const runner = new LegRunner(row, 'Callee', () => host.clock.now(), host.billingIncrementS);
        const leg: BLeg = { runner, target: this.el.targets[row.dial_position! - 1]!, position: row.dial_position!, confirming: false, bridged: false, digitBuffer: '' };
        this.legs.push(leg);
        runner.onEffect((effect, patch) => this.onEffect(leg, effect, patch));
      }
      this.onALegEnded();
      return this.done;
    }

    this.deps.signal.addEventListener('abort', () => this.onALegEnded(), { once: true });
    this.unsubscribeDigits = this.deps.onALegDigits((digits) => this.onALegDigits(digits));

    for (const row of rows) {
      const target = this.el.targets[row.dial_position! - 1]!;
      const runner = new LegRunner(row, 'Callee', () => host.clock.now(), host.billingIncrementS);
      const leg: BLeg = { runner, target, position: row.dial_position!, confirming: false, bridged: false, digitBuffer: '' };
      this.legs.push(leg);
      runner.onEffect((effect, patch) => this.onEffect(leg, effect, patch));
      host.registry.addLeg(runner, (reason, source) => runner.end(reason, source));
      const params = JSON.parse(row.params) as { sipHeaders: Record<string, string> };
      let net: NetworkLeg;
      try {
        // The caller's SDP is offered to every target, so media flows end to end once one is bridged (SIP only).
        const offer = this.deps.aLeg.network?.remoteSdp;
        net = host.network.originate({ from: row.from_number, to: row.to_number, callerName: row.caller_name, headers: params.sipHeaders, ...(offer ? { offer } : {}) });
      } catch (err) {
        host.warn(a.call_uuid, `Dial: could not place a call to ${row.to_number}: ${String(err)}`);
        runner.end('network-failure', 'Plivo');
        continue;
      }
      runner.attach(net);
      host.journal.record({ callUuid: row.call_uuid, at: host.clock.now(), type: 'leg.originated', data: { network_leg: net.id, from: row.from_number, to: row.to_number, caller_name: row.caller_name, headers: params.sipHeaders } });
    }

    if (this.el.timeout !== undefined && this.el.timeout > 0) {
      this.timers.push(host.clock.setTimer(this.el.timeout * 1000, () => this.onRingTimeout()));
    }
    this.checkDone();
    return this.done;
  }

  private bLegRow(a: CallRow, target: DialTarget, position: number, now: number): CallRow {
    const to = target.kind === 'Number' ? normalizeNumber(target.number) : target.uri;
    const callerId = target.callerId ?? this.el.callerId;
    const callerName = target.callerName ?? this.el.callerName;
    const sipHeaders: Record<string, string> = {};
    const rawHeaders = { ...this.el.sipHeaders, ...(target.kind === 'User' ? target.sipHeaders : {}) };
    for (const [k, v] of Object.entries(rawHeaders)) sipHeaders[/^x-ph-/i.test(k) ? k : `X-PH-${k}`] = v;
    return newCallRow({
      requestUuid: newId(),
      parentCallUuid: a.call_uuid,
      direction: 'outbound',
      from: callerId !== undefined ? callerId : a.from_number,
      to,
      callerName: callerName ?? a.caller_name,
      at: now,
      params: { sipHeaders, sendDigits: target.sendDigits, sendOnPreanswer: target.sendOnPreanswer },
      status: 'queued',
      dialPosition: position,
      nodeId: a.node_id,
      // A B leg is the A leg's account's (docs/accounts.md): its webhooks are signed alike.
      account: a.account_id,
    });
  }

  /** confirmSound and dialMusic are fetched and validated up front; their audio is simulated. */
  private async prepareMedia(): Promise<void> {
    const { host } = this.deps;
    const params = { ...this.callbackBase() };
    if (this.el.dialMusic && this.el.dialMusic !== 'real' && this.el.dialMusic !== 'none') {
      const res = await host.fetchMedia({ kind: 'music', event: 'Redirect', url: this.el.dialMusic, method: 'POST', params });
      if (!res.ok) host.warn(this.deps.aLeg.uuid, `Dial: dialMusic could not be used (${res.error}); ringback tone instead`);
    }
    if (this.el.confirmSound) {
      const res = await host.fetchMedia({ kind: 'confirm', event: 'Redirect', url: this.el.confirmSound, method: 'POST', params });
      if (res.ok) this.confirmMedia = res.document;
      else host.warn(this.deps.aLeg.uuid, `Dial: confirmSound could not be used (${res.error})`);
    }
  }

  private callbackBase(): Record<string, string> {
    const a = this.deps.aLeg.row;
    return { CallUUID: a.call_uuid, From: a.from_number, To: a.to_number, Direction: a.direction, CallStatus: a.call_status };
  }

  private onEffect(leg: BLeg, effect: LegEffect, patch: CallPatch | undefined): void {
    const { host } = this.deps;
    const row = leg.runner.row;
    const at = host.clock.now();
    switch (effect.type) {
      case 'ringing': {
        host.journal.record({ callUuid: row.call_uuid, at, type: 'leg.ringing', data: { early: effect.early }, patch });
        if (effect.early && leg.target.sendOnPreanswer && leg.target.sendDigits) this.sendDigits(leg, leg.target.sendDigits);
        // The caller hears the callee's own ringback unless the Dial plays music of its own.
        const music = this.el.dialMusic;
        if (effect.early && !this.winner && (!music || music === 'real') && leg.runner.network) this.deps.aLeg.network?.earlyMedia?.(leg.runner.network);
        return;
      }
      case 'answered': {
        host.journal.record({ callUuid: row.call_uuid, at, type: 'leg.answered', patch });
        if (leg.target.sendDigits && !leg.target.sendOnPreanswer) this.sendDigits(leg, leg.target.sendDigits);
        if (this.winner || this.finished) {
          leg.runner.end('lose-race');
          return;
        }
        if (this.el.confirmKey) {
          // The callee must press confirmKey within confirmTimeout; the others keep ringing meanwhile.
          leg.confirming = true;
          const playMs = this.confirmMedia ? this.confirmMedia.children.reduce((ms, c) => ms + onceMs(c, host.media), 0) : 0;
          leg.confirmTimer = host.clock.setTimer(playMs + this.el.confirmTimeout * 1000, () => {
            if (leg.confirming) leg.runner.end('no-answer', 'Plivo');
          });
          return;
        }
        this.bridge(leg);
        return;
      }
      case 'digits': {
        if (leg.confirming) {
          if (effect.digits.includes(this.el.confirmKey!)) {
            leg.confirming = false;
            leg.confirmTimer?.cancel();
            if (this.winner) leg.runner.end('lose-race');
            else this.bridge(leg);
          }
          return;
        }
        if (leg.bridged) {
          leg.digitBuffer += effect.digits;
          const match = matchPattern(leg.digitBuffer, this.el.digitsMatchBLeg);
          if (match) {
            leg.digitBuffer = '';
            this.callback(leg, 'digits', { digitsMatch: match, pressedBy: 'BLeg' });
          }
        }
        return;
      }
      case 'ended': {
        leg.confirmTimer?.cancel();
        leg.confirming = false;
        host.registry.removeLeg(row.call_uuid);
        host.journal.record({ callUuid: row.call_uuid, at, type: 'leg.ended', data: { reason: effect.end.reason, source: effect.end.source }, patch });
        if (leg.bridged) this.callback(leg, 'hangup');
        this.checkDone();
        return;
      }
    }
  }

  /** The first leg to answer (and confirm, with confirmKey) wins; callbacks are only ever about it (engine.md §1). */
  private bridge(leg: BLeg): void {
    const { host, aLeg } = this.deps;
    this.winner = leg;
    leg.bridged = true;
    for (const other of this.legs) if (other !== leg) other.runner.end('lose-race');
    for (const t of this.timers) t.cancel();
    this.timers = [];
    // An inbound caller still ringing is answered now, as the bridge connects it.
    aLeg.answer();
    const aNet = aLeg.network;
    const bNet = leg.runner.network;
    if (aNet && bNet) aNet.bridge(bNet);
    this.callback(leg, 'answer');
    this.callback(leg, 'connected');
    host.journal.record({ callUuid: aLeg.uuid, at: host.clock.now(), type: 'dial.bridged', data: { b_leg: leg.runner.uuid, position: leg.position } });
    this.timers.push(host.clock.setTimer(this.el.timeLimit * 1000, () => leg.runner.end('time-limit')));
  }

  private sendDigits(leg: BLeg, digits: string): void {
    leg.runner.network?.sendDigits(digits);
    this.deps.host.journal.record({ callUuid: leg.runner.uuid, at: this.deps.host.clock.now(), type: 'leg.digits-sent', data: { digits } });
  }

  /** The callee bridged to the caller now (the live-call API's `legs=bleg`). */
  bridgedLeg(): LegRunner | undefined {
    const leg = this.winner;
    return leg && leg.bridged && !leg.transferred && !leg.runner.ended ? leg.runner : undefined;
  }

  /**
   * The transfer API takes the bridged callee away to run its own document: for this Dial the
   * conversation is over (completed), while the leg itself lives on and ends later, once.
   */
  releaseBridged(): LegRunner | undefined {
    const leg = this.winner;
    if (!leg || leg.runner.ended || leg.transferred || this.finished) return undefined;
    leg.transferred = true;
    const { host, aLeg } = this.deps;
    host.registry.removeLeg(leg.runner.uuid);
    host.journal.record({ callUuid: aLeg.uuid, at: host.clock.now(), type: 'dial.transferred', data: { b_leg: leg.runner.uuid } });
    this.checkDone();
    return leg.runner;
  }

  private onRingTimeout(): void {
    for (const leg of this.legs) if (!leg.bridged && !leg.confirming) leg.runner.end('no-answer');
  }

  private onALegDigits(digits: string): void {
    if (!this.winner) return;
    if (this.el.hangupOnStar && digits.includes('*')) {
      // The caller drops the callee and the document goes on (plivo.md §3.1).
      this.winner.runner.end('normal', 'Caller');
      return;
    }
    this.aDigitBuffer += digits;
    const match = matchPattern(this.aDigitBuffer, this.el.digitsMatch);
    if (match) {
      this.aDigitBuffer = '';
      this.callback(this.winner, 'digits', { digitsMatch: match, pressedBy: 'ALeg' });
    }
  }

  /** The A leg ended: the callee of a bridge is hung up, every other B leg is cancelled. */
  private onALegEnded(): void {
    const end = this.deps.aLegEnd();
    const source: HangupSource = end?.source ?? 'Caller';
    for (const leg of this.legs) {
      if (leg.runner.ended || leg.transferred) continue;
      if (leg.bridged) {
        const reason: EndReason = end?.reason === 'time-limit' ? 'time-limit' : end?.reason === 'api-hangup' || end?.reason === 'api-cancel' ? 'api-hangup' : 'normal';
        leg.runner.end(reason, reason === 'normal' ? (source === 'Caller' ? 'Caller' : source) : undefined);
      } else {
        if (!this.winner) this.cancelledByALeg = true;
        leg.runner.end('originator-cancel', source);
      }
    }
    if (!this.winner) this.cancelledByALeg = true;
    this.checkDone();
  }

  private callback(leg: BLeg, action: DialAction, extra: { digitsMatch?: string; pressedBy?: 'ALeg' | 'BLeg' } = {}): void {
    const { host, aLeg } = this.deps;
    const deliveries: NewDelivery[] = [];
    if (this.el.callbackUrl) {
      deliveries.push({
        id: newId(),
        kind: 'callback',
        event: action === 'answer' ? 'DialAnswer' : action === 'connected' ? 'DialConnected' : action === 'hangup' ? 'DialHangup' : 'DialDigits',
        url: this.el.callbackUrl,
        method: this.el.callbackMethod,
        params: dialCallbackParams(aLeg.row, leg.runner.row, action, { incrementS: host.billingIncrementS, ...extra }),
        synchronous: false,
      });
    }
    host.journal.record({ callUuid: aLeg.uuid, at: host.clock.now(), type: `dial.${action}`, data: { b_leg: leg.runner.uuid, ...extra }, deliveries });
  }

  private checkDone(): void {
    if (this.finished) return;
    if (this.legs.length < this.el.targets.length) return;
    if (!this.legs.every((l) => l.runner.ended || l.transferred)) return;
    this.finished = true;
    for (const t of this.timers) t.cancel();
    this.unsubscribeDigits();
    const result = dialOutcome(
      this.legs.map((l) => ({ uuid: l.runner.uuid, rang: l.runner.state.rang, bridged: l.bridged, endReason: l.runner.state.end?.reason })),
      this.cancelledByALeg,
    );
    const { host, aLeg } = this.deps;
    host.journal.record({ callUuid: aLeg.uuid, at: host.clock.now(), type: 'dial.ended', data: result });
    this.resolve(result);
  }
}

/** The pattern of `patterns` the pressed keys end with, if any. */
export function matchPattern(buffer: string, patterns: readonly string[]): string | undefined {
  for (const p of patterns) if (p !== '' && buffer.endsWith(p)) return p;
  return undefined;
}
