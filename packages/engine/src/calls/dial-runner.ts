/**
 * Runs one `<Dial>`: the thin runner of the pure Dial machine (dial-machine.ts), which holds every
 * rule (the winner, lose-race, confirmKey, `timeout`, `timeLimit`, `hangupOnStar`, `digitsMatch`,
 * callbacks, the A leg ending the dial, the result of engine.md §2). The Dial's state is part of its
 * call's (call-machine.ts composes the Dial machine), so its inputs go through the call's runner
 * (`DialPort`, implemented by CallSession), one queue for the whole call. This file only does what the
 * machines cannot: it fetches confirmSound and dialMusic and stores `dial.started` with the B legs'
 * rows and the Dial machine's configuration (awaited: a failure ends the Dial here), then turns what
 * happens to the B legs into inputs (their network events, timer expiries on the injected Clock, the
 * transfer API) and performs the Dial's effects the call's runner hands back (originate, hang up,
 * record, notify, send keys, bridge, timers, the registry). The caller's keys and end reach the Dial
 * inside the call machine.
 *
 * Every B leg keeps a LegRunner (its CDR row, its network leg, what the live-call API sees), whose
 * inputs are diverted to the Dial machine while the leg is the Dial's; a callee taken by the transfer
 * API gets its inputs back and runs its own machine from there.
 */
import type { Timer } from '../clock.ts';
import type { DialElement, DialTarget, MediaDocument } from '../xml/elements.ts';
import type { CallRow, NewDelivery } from '../store/store.ts';
import type { NetworkLeg } from '../network/network.ts';
import { dialCallbackParams, type DialAction } from '../webhooks/params.ts';
import type { DialResult } from '../domain/dial.ts';
import { newId, newTimeOrderedId } from '../util/ids.ts';
import { normalizeNumber } from '../util/phone.ts';
import { LegRunner } from './leg-runner.ts';
import { newCallRow } from './call-row.ts';
import type { SessionHost } from './session-host.ts';
import { onceMs } from '../interpreter/media-time.ts';
import { dialConfig, type DialConfig, type DialEffect, type DialInput, type DialState, type DialTimer } from './dial-machine.ts';

export { matchPattern } from './dial-machine.ts';

/** What a Dial needs of its call, whose machine holds the Dial's state (call-machine.ts). */
export interface DialPort {
  /**
   * dial.started is stored: the call machine starts the Dial (or cancels it at once). Sets `run.seq` to
   * the Dial's number in the call before any of its effects is performed (they come back to `run.perform`).
   */
  begin(run: DialRun, config: DialConfig): void;
  /** An input of Dial `seq`, applied in the call's queue. */
  feedDial(seq: number, input: DialInput): void;
  /** Dial `seq`'s state now (undefined once another Dial began). */
  dialState(seq: number): DialState | undefined;
  /** True while the call's runner performs effects: an input now would wait its turn. */
  readonly busy: boolean;
}

export interface DialDeps {
  host: SessionHost;
  aLeg: LegRunner;
  /** Aborted when the A leg ends or its document is stopped (before the Dial's machine starts, the Dial gives up early). */
  signal: AbortSignal;
  call: DialPort;
}

export class DialRun {
  private config: DialConfig | undefined;
  /** This Dial's number in its call (call-machine.ts); 0 until the machine started it. */
  seq = 0;
  private runners: LegRunner[] = [];
  /** Legs handed to the transfer API: their runners run their own machine now. */
  private released = new Set<number>();
  private timers = new Map<DialTimer, Timer>();
  private resolve!: (r: DialResult) => void;
  private readonly done = new Promise<DialResult>((r) => (this.resolve = r));
  private confirmMedia: MediaDocument | undefined;

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
    const playMs = this.confirmMedia ? this.confirmMedia.children.reduce((ms, c) => ms + onceMs(c, host.media), 0) : 0;
    this.config = dialConfig(this.el, rows.map((r) => ({ uuid: r.call_uuid, to: r.to_number })), playMs);
    // The B legs' rows are written in the transaction that records the Dial's start: one write, and
    // never a B leg without its dial.started (or the reverse). A failure ends the Dial here, as a
    // failed insert did before. `config` is the machine's view of the element (with the confirmSound's
    // play time, known only here), so that replayCall rebuilds the Dial from the events alone.
    await host.journal.write({
      callUuid: a.call_uuid,
      at: now,
      type: 'dial.started',
      data: {
        targets: rows.map((r) => ({ call_uuid: r.call_uuid, to: r.to_number, position: r.dial_position })),
        timeout: this.el.timeout ?? null,
        time_limit: this.el.timeLimit,
        config: this.config,
      },
      insertCalls: rows,
    });

    this.runners = rows.map((row, i) => {
      const runner = new LegRunner(row, 'Callee', () => host.clock.now(), host.billingIncrementS);
      runner.divert((input) => this.feed({ type: 'leg', leg: i, input }));
      return runner;
    });
    // The call machine places the legs, or, when the caller left (or a transfer stopped the document)
    // while the B legs were being written, ends them before they ring.
    this.deps.call.begin(this, this.config);
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

  /** The callee bridged to the caller now (the live-call API's `legs=bleg`). */
  bridgedLeg(): LegRunner | undefined {
    const state = this.deps.call.dialState(this.seq);
    const w = state?.winner;
    if (w === undefined) return undefined;
    const leg = state!.legs[w]!;
    return leg.bridged && !leg.transferred && leg.leg.phase !== 'ended' ? this.runners[w] : undefined;
  }

  /**
   * The transfer API takes the bridged callee away to run its own document: for this Dial the
   * conversation is over (completed), while the leg itself lives on and ends later, once.
   */
  releaseBridged(): LegRunner | undefined {
    const { call } = this.deps;
    const w = call.dialState(this.seq)?.winner;
    if (w === undefined || call.busy || call.dialState(this.seq)!.legs[w]!.transferred) return undefined;
    this.feed({ type: 'transfer', at: this.deps.host.clock.now() });
    const leg = call.dialState(this.seq)!.legs[w]!;
    if (!leg.transferred) return undefined;
    const runner = this.runners[w]!;
    this.released.add(w);
    runner.state = leg.leg;
    runner.divert(undefined);
    return runner;
  }

  /** An input of this Dial, applied in the call's queue (call-machine.ts, "Same-instant order"). */
  private feed(input: DialInput): void {
    this.deps.call.feedDial(this.seq, input);
  }

  /** The B legs' runners show their machine's state (the live-call API reads it); called after each step of the call. */
  sync(state: DialState): void {
    for (const [i, runner] of this.runners.entries()) if (!this.released.has(i)) runner.state = state.legs[i]!.leg;
  }

  /** Performs one of the Dial machine's effects, handed back by the call's runner in order. */
  perform(effect: DialEffect): void {
    const { host, aLeg } = this.deps;
    switch (effect.type) {
      case 'originate':
        this.originate(effect.leg);
        return;
      case 'hangup':
        this.runners[effect.leg]!.endNetwork(effect.cause, effect.answered);
        return;
      case 'record': {
        const at = host.clock.now();
        const data = effect.data === undefined ? {} : { data: effect.data };
        if (effect.leg === 'a') {
          host.journal.record({ callUuid: aLeg.uuid, at, type: effect.event, ...data });
          return;
        }
        const runner = this.runners[effect.leg]!;
        const patch = effect.cdr ? runner.patch(effect.cdr) : undefined;
        host.journal.record({ callUuid: runner.uuid, at, type: effect.event, ...data, ...(patch ? { patch } : {}) });
        return;
      }
      case 'notify':
        this.callback(this.runners[effect.leg]!, effect.action, {
          ...(effect.digitsMatch !== undefined ? { digitsMatch: effect.digitsMatch } : {}),
          ...(effect.pressedBy !== undefined ? { pressedBy: effect.pressedBy } : {}),
        });
        return;
      case 'send-digits':
        this.runners[effect.leg]!.network?.sendDigits(effect.digits);
        return;
      case 'early-media': {
        const b = this.runners[effect.leg]!.network;
        if (b) aLeg.network?.earlyMedia?.(b);
        return;
      }
      case 'answer-a':
        return; // the call machine answers the caller itself (call-machine.ts)
      case 'bridge': {
        const aNet = aLeg.network;
        const bNet = this.runners[effect.leg]!.network;
        if (aNet && bNet) aNet.bridge(bNet);
        return;
      }
      case 'timer.start': {
        const name = effect.name;
        this.timers.get(name)?.cancel();
        this.timers.set(
          name,
          host.clock.setTimer(effect.ms, () => {
            this.timers.delete(name);
            this.feed({ type: 'timer', name, at: host.clock.now() });
          }),
        );
        return;
      }
      case 'timer.cancel':
        this.timers.get(effect.name)?.cancel();
        this.timers.delete(effect.name);
        return;
      case 'unregister':
        host.registry.removeLeg(this.runners[effect.leg]!.uuid);
        return;
      case 'warn':
        host.warn(aLeg.uuid, effect.message);
        return;
      case 'done':
        this.resolve(effect.result);
        return;
    }
  }

  /** Places leg `i`; the result comes back to the machine as its next input. */
  private originate(i: number): void {
    const { host, aLeg } = this.deps;
    const runner = this.runners[i]!;
    const row = runner.row;
    host.registry.addLeg(runner, (reason, source) => runner.end(reason, source));
    const params = JSON.parse(row.params) as { sipHeaders: Record<string, string> };
    let net: NetworkLeg;
    try {
      // The caller's SDP is offered to every target, so media flows end to end once one is bridged (SIP only).
      const offer = aLeg.network?.remoteSdp;
      net = host.network.originate({ from: row.from_number, to: row.to_number, callerName: row.caller_name, headers: params.sipHeaders, ...(offer ? { offer } : {}) });
    } catch (err) {
      this.feed({ type: 'originate-failed', leg: i, error: String(err), at: host.clock.now() });
      return;
    }
    runner.bind(net);
    const data = { network_leg: net.id, from: row.from_number, to: row.to_number, caller_name: row.caller_name, headers: params.sipHeaders };
    this.feed({ type: 'originated', leg: i, data, at: host.clock.now() });
  }

  private callback(runner: LegRunner, action: DialAction, extra: { digitsMatch?: string; pressedBy?: 'ALeg' | 'BLeg' } = {}): void {
    const { host, aLeg } = this.deps;
    const deliveries: NewDelivery[] = [];
    if (this.el.callbackUrl) {
      deliveries.push({
        id: newTimeOrderedId(),
        kind: 'callback',
        event: action === 'answer' ? 'DialAnswer' : action === 'connected' ? 'DialConnected' : action === 'hangup' ? 'DialHangup' : 'DialDigits',
        url: this.el.callbackUrl,
        method: this.el.callbackMethod,
        params: dialCallbackParams(aLeg.row, runner.row, action, { incrementS: host.billingIncrementS, ...extra }),
        synchronous: false,
      });
    }
    host.journal.record({ callUuid: aLeg.uuid, at: host.clock.now(), type: `dial.${action}`, data: { b_leg: runner.uuid, ...extra }, deliveries });
  }
}
