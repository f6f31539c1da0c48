/**
 * One call's A leg from start to end: places or accepts the leg, reports ring / answer / hangup,
 * runs the app's XML through the interpreter, applies ring_timeout, hangup_on_ring and time_limit,
 * and ends exactly once (engine.md §2). The hangup report goes out only after the running document
 * has wound down, so a Dial's action (and its callbacks) always reach the app before the hangup.
 */
import type { DeliveryKind } from '../domain/events.ts';
import type { Timer } from '../clock.ts';
import type { NetworkLeg } from '../network/network.ts';
import type { CallRow, NewDelivery } from '../store/store.ts';
import type { EndReason, HangupSource } from '../domain/causes.ts';
import type { LegEffect, LegEnd } from './leg-machine.ts';
import type { CallSetup, MachineDetection } from './call-setup.ts';
import type { EngineDeps } from './engine-deps.ts';
import { LegRunner } from './leg-runner.ts';
import { Journal } from './journal.ts';
import { runDocument } from '../interpreter/run-document.ts';
import { callParams, hangupParams, machineDetectionParams, type WebhookEvent } from '../webhooks/params.ts';
import { newId } from '../util/ids.ts';
import { SessionContext } from './session-context.ts';
import type { DialRun } from './dial-runner.ts';
import type { Method } from '../xml/elements.ts';
import { LiveMedia } from './live-media.ts';

export class CallSession {
  readonly leg: LegRunner;
  readonly journal: Journal;
  /** Play / Speak / DTMF sent by the live-call API (plivo.md §1.7). */
  readonly liveMedia: LiveMedia;
  private timers = new Map<string, Timer>();
  private appRun: Promise<void> | undefined;
  private appAbort = new AbortController();
  private transferEnd: LegEnd | undefined;
  /** The Dial running now, if any (the transfer API takes its bridged B leg). */
  activeDial: DialRun | undefined;
  private digitListeners = new Set<(digits: string) => void>();
  private resolveDone!: () => void;
  /** Resolves once the call ended and its hangup was recorded. */
  readonly done = new Promise<void>((r) => (this.resolveDone = r));

  constructor(
    readonly deps: EngineDeps,
    row: CallRow,
    readonly setup: CallSetup,
    /** A leg that already exists: a B leg transferred out of its Dial to run a document of its own. */
    adopted?: LegRunner,
  ) {
    this.leg = adopted ?? new LegRunner(row, 'Caller', () => deps.clock.now(), deps.billingIncrementS);
    this.journal = new Journal(
      deps.store,
      deps.outbox,
      deps.activity,
      (err, input) => deps.log.error({ err, call: input.callUuid, type: input.type }, 'could not record a call event'),
      row.parent_call_uuid ?? row.call_uuid,
      deps.feed,
      row.account_id,
    );
    this.liveMedia = new LiveMedia({ clock: deps.clock, journal: this.journal, media: deps.media });
    this.leg.onEffect((effect, patch) => this.onEffect(effect, patch));
    deps.registry.add({
      uuid: row.call_uuid,
      requestUuid: row.request_uuid,
      leg: this.leg,
      hangup: (reason, source) => this.leg.end(reason, source),
    });
  }

  get uuid(): string {
    return this.leg.uuid;
  }
  get row(): CallRow {
    return this.leg.row;
  }

  /** Outbound: asks the network for the A leg. */
  startOutbound(): void {
    const { network, clock } = this.deps;
    const row = this.leg.row;
    if (this.setup.ringTimeoutS !== undefined) {
      this.setTimer('ring-timeout', this.setup.ringTimeoutS * 1000, () => {
        if (!this.leg.answered) this.leg.end('ring-timeout');
      });
    }
    let net: NetworkLeg;
    try {
      net = network.originate({ from: row.from_number, to: row.to_number, callerName: row.caller_name, headers: this.setup.sipHeaders });
    } catch (err) {
      this.deps.log.warn({ err, call: row.call_uuid }, 'network refused the call');
      this.journal.record({ callUuid: row.call_uuid, at: clock.now(), type: 'network.error', data: { error: String(err) } });
      this.leg.end('network-failure', 'Plivo');
      return;
    }
    this.leg.attach(net);
    this.journal.record({ callUuid: row.call_uuid, at: clock.now(), type: 'leg.originated', data: { network_leg: net.id, from: row.from_number, to: row.to_number, caller_name: row.caller_name, headers: this.setup.sipHeaders } });
  }

  /** Keys played towards the A party (send_digits, <DTMF>), recorded on the call. */
  sendDigits(digits: string): void {
    this.leg.network?.sendDigits(digits);
    this.journal.record({ callUuid: this.uuid, at: this.deps.clock.now(), type: 'leg.digits-sent', data: { digits } });
  }

  /** Inbound: the leg is ringing here; the app decides whether and when it is answered. */
  startInbound(net: NetworkLeg): void {
    this.leg.attach(net);
    this.startApp();
  }

  /** Hangup API: cancel before answer, hang up after (engine.md §2). */
  hangupByApi(): void {
    this.leg.end(this.leg.answered ? 'api-hangup' : 'api-cancel', 'API Request');
  }

  /** Transfer API: the running document stops and the XML at `url` takes over the call. */
  async transfer(url: string, method: Method): Promise<void> {
    if (this.leg.ended) return;
    this.transferEnd = { reason: 'api-hangup', source: 'API Request', at: this.deps.clock.now(), status: 'completed', local: true };
    this.appAbort.abort('transfer');
    await this.appRun;
    this.transferEnd = undefined;
    if (this.leg.ended) return;
    this.appAbort = new AbortController();
    this.startApp({ url, method, kind: 'transfer', event: 'Redirect' });
  }

  /** A transferred B leg: answered already, it runs the document at `url` as a call of its own. */
  startTransferred(url: string, method: Method): void {
    this.setTimer('time-limit', this.setup.timeLimitS * 1000, () => this.leg.end('time-limit'));
    this.startApp({ url, method, kind: 'transfer', event: 'Redirect' });
  }

  /** The B leg bridged to this call by the running Dial, if one is. */
  bridgedBLeg(): LegRunner | undefined {
    return this.activeDial?.bridgedLeg();
  }

  /** Takes the bridged B leg out of the running Dial (transfer API, legs=bleg|both). */
  releaseBLeg(): LegRunner | undefined {
    return this.activeDial?.releaseBridged();
  }

  /** Keys the A party presses, for GetDigits and for a Dial's hangupOnStar / digitsMatch. */
  onDigits(listener: (digits: string) => void): () => void {
    this.digitListeners.add(listener);
    return () => this.digitListeners.delete(listener);
  }

  /** The A leg's end as seen by a Dial: the real end, or the transfer that stopped the document. */
  endForDial(): LegEnd | undefined {
    return this.leg.state.end ?? this.transferEnd;
  }

  get appSignal(): AbortSignal {
    return this.appAbort.signal;
  }

  setTimer(name: string, ms: number, fn: () => void): void {
    this.timers.get(name)?.cancel();
    this.timers.set(
      name,
      this.deps.clock.setTimer(ms, () => {
        this.timers.delete(name);
        fn();
      }),
    );
  }

  /** A notification on this call's lane. */
  delivery(kind: DeliveryKind, event: WebhookEvent, url: string, method: Method, params: Record<string, string>): NewDelivery {
    return { id: newId(), kind, event, url, method, params, synchronous: false };
  }

  private startApp(first?: { url: string; method: Method; kind: DeliveryKind; event: WebhookEvent }): void {
    const ctx = new SessionContext(this);
    // No activity is held for the run itself: a document spends most of its life waiting on the
    // clock, and the virtual clock must be free to move then. Its requests are tracked one by one.
    this.appRun = (async () => {
      try {
        if (!first && this.setup.program) {
          const outcome = await this.setup.program(ctx);
          if (outcome.type === 'end') this.leg.end(outcome.reason);
          return;
        }
        const doc = first
          ? await ctx.fetchDocument({ ...first, params: callParams(this.row, first.event) })
          : await ctx.fetchAnswer();
        if (!doc.ok) {
          if (!this.appAbort.signal.aborted) this.leg.end('reason' in doc ? doc.reason : 'action-failed');
          return;
        }
        const outcome = await runDocument(doc.document, ctx);
        if (outcome.type === 'end') this.leg.end(outcome.reason);
      } catch (err) {
        this.deps.log.error({ err, call: this.uuid }, 'interpreter failed');
        ctx.warn(`internal error while running the document: ${String(err)}`);
        this.leg.end('network-failure', 'Error');
      }
    })();
  }

  private onEffect(effect: LegEffect, patch: Partial<CallRow> | undefined): void {
    const { clock } = this.deps;
    const at = clock.now();
    const row = this.leg.row;
    switch (effect.type) {
      case 'ringing': {
        const deliveries: NewDelivery[] = [];
        if (this.setup.ringUrl) {
          deliveries.push(this.delivery('ring', 'Ring', this.setup.ringUrl, this.setup.ringMethod, callParams(row, 'Ring')));
        }
        this.journal.record({ callUuid: row.call_uuid, at, type: 'leg.ringing', data: { early: effect.early }, patch, deliveries });
        if (this.setup.hangupOnRingS !== undefined) {
          this.setTimer('hangup-on-ring', this.setup.hangupOnRingS * 1000, () => this.leg.end('hangup-on-ring'));
        }
        if (effect.early && this.setup.sendOnPreanswer && this.setup.sendDigits) this.sendDigits(this.setup.sendDigits);
        return;
      }
      case 'answered': {
        this.cancelTimer('ring-timeout');
        this.cancelTimer('hangup-on-ring');
        this.journal.record({ callUuid: row.call_uuid, at, type: 'leg.answered', patch });
        this.setTimer('time-limit', this.setup.timeLimitS * 1000, () => this.leg.end('time-limit'));
        if (this.setup.sendDigits && !this.setup.sendOnPreanswer) this.sendDigits(this.setup.sendDigits);
        if (this.setup.machineDetection) this.detectMachine(this.setup.machineDetection, effect.answeredBy);
        if (row.direction === 'outbound') this.startApp();
        return;
      }
      case 'digits': {
        this.journal.record({ callUuid: row.call_uuid, at, type: 'leg.digits', data: { digits: effect.digits } });
        for (const l of [...this.digitListeners]) l(effect.digits);
        return;
      }
      case 'ended':
        void this.finish(effect.end, patch);
        return;
    }
  }

  /**
   * Answering machine detection, asynchronous as Plivo's (plivo.md §2.6): the document runs from the
   * answer; the verdict comes when a greeting has run past `maxSpeechMs` (a machine) or when
   * `timeMs` passed without one (a person). Only a network that knows who answered can say
   * `machine` (a simulated script's `answer machine`); SIP carries no media to listen to here, so
   * its calls are reported as a person, with a warning on the call.
   */
  private detectMachine(md: MachineDetection, answeredBy: 'human' | 'machine' | undefined): void {
    const machine = answeredBy === 'machine';
    if (answeredBy === undefined) this.warn(this.uuid, 'machine_detection: the network did not say who answered (a simulated script can, with `answer machine`; SIP has no media analysis here): reported as a person');
    this.setTimer('machine-detection', machine ? Math.min(md.maxSpeechMs, md.timeMs) : md.timeMs, () => {
      const row = this.leg.row;
      const deliveries = md.url ? [this.delivery('machine_detection', 'MachineDetection', md.url, md.method, machineDetectionParams(row, machine, md.hangup))] : [];
      this.journal.record({ callUuid: row.call_uuid, at: this.deps.clock.now(), type: 'leg.machine-detection', data: { machine, if_machine: md.hangup ? 'hangup' : 'continue' }, deliveries });
      if (machine && md.hangup) this.leg.end('machine-detected');
    });
  }

  /** The A leg ended: stop the document, let it wind down, then record the CDR and the hangup report. */
  private async finish(end: LegEnd, patch: Partial<CallRow> | undefined): Promise<void> {
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
    this.liveMedia.clear();
    this.appAbort.abort(end);
    await this.appRun;
    const done = this.deps.activity.begin();
    try {
      // Recordings end with the call; their callbacks go out before the hangup report (docs/xml.md, Record).
      await this.deps.recordings?.stopAll(this.uuid);
      const row = this.leg.row;
      const deliveries: NewDelivery[] = [];
      if (this.setup.hangupUrl) {
        deliveries.push(this.delivery('hangup', 'Hangup', this.setup.hangupUrl, this.setup.hangupMethod, hangupParams(row, this.deps.billingIncrementS)));
      }
      await this.journal.record({ callUuid: row.call_uuid, at: end.at, type: 'leg.ended', data: { reason: end.reason, source: end.source }, patch, deliveries });
    } finally {
      this.deps.registry.remove(this.uuid);
      this.resolveDone();
      done();
    }
  }

  private cancelTimer(name: string): void {
    this.timers.get(name)?.cancel();
    this.timers.delete(name);
  }

  /** Warnings go on the call's row and its log. */
  warn(callUuid: string, message: string): void {
    const target = callUuid === this.uuid ? this.leg.row : undefined;
    this.deps.log.warn({ call: callUuid }, message);
    let warnings: string[] = [];
    if (target) {
      warnings = [...(JSON.parse(target.warnings) as string[]), message];
      this.leg.row = { ...this.leg.row, warnings: JSON.stringify(warnings) };
    }
    this.journal.record({
      callUuid,
      at: this.deps.clock.now(),
      type: 'xml.warning',
      data: { message },
      patch: target ? { warnings: JSON.stringify(warnings) } : undefined,
    });
  }

  /** An error shown by GET /Call/{uuid}/ as `error`. */
  recordError(message: string): void {
    this.leg.row = { ...this.leg.row, error: message };
    this.journal.record({ callUuid: this.uuid, at: this.deps.clock.now(), type: 'xml.error', data: { message }, patch: { error: message } });
  }

  endNow(reason: EndReason, source?: HangupSource): void {
    this.leg.end(reason, source);
  }
}
