/**
 * One call's A leg from start to end: the thin runner of the pure call machine (call-machine.ts), which
 * holds the rules (ring_timeout, hangup_on_ring, time_limit, send_digits, machine detection, the Hangup
 * and transfer APIs, ending exactly once, the hangup report only after the document has wound down,
 * the call's Dial as a sub-machine). This file turns what happens into machine inputs — the A leg's
 * network events (its LegRunner's inputs are diverted here), timer expiries on the injected Clock, the
 * document's fetches and end, the APIs, the Dial's inputs (`DialPort`) — applies them one at a time,
 * each to completion, and performs the effects in order: the network, the journal (events, CDR
 * patches, webhooks), timers, the interpreter (fetch, run, stop), live media, recordings, the registry.
 */
import type { DeliveryKind } from '../domain/events.ts';
import type { Timer } from '../clock.ts';
import type { NetworkLeg } from '../network/network.ts';
import type { CallRow, DeliveryRow, NewDelivery } from '../store/store.ts';
import type { EndReason, HangupSource } from '../domain/causes.ts';
import type { CallSetup } from './call-setup.ts';
import type { EngineDeps } from './engine-deps.ts';
import { LegRunner } from './leg-runner.ts';
import { Journal } from './journal.ts';
import { runDocument } from '../interpreter/run-document.ts';
import { callParams, hangupParams, machineDetectionParams, type WebhookEvent } from '../webhooks/params.ts';
import { newTimeOrderedId } from '../util/ids.ts';
import { SessionContext } from './session-context.ts';
import type { DialPort, DialRun } from './dial-runner.ts';
import type { DialConfig, DialInput, DialState } from './dial-model.ts';
import type { Method, ResponseDocument } from '../xml/elements.ts';
import { LiveMedia } from './live-media.ts';
import { callConfig, initialCall, nextCall, type CallConfig, type CallEffect, type CallInput, type CallState, type CallTimer, type DocumentOutcome, type DocumentSource } from './call-machine.ts';

export class CallSession implements DialPort {
  readonly leg: LegRunner;
  readonly journal: Journal;
  /** Play / Speak / DTMF sent by the live-call API (plivo.md §1.7). */
  readonly liveMedia: LiveMedia;
  readonly config: CallConfig;
  private state: CallState;
  private queue: CallInput[] = [];
  private draining = false;
  private timers = new Map<CallTimer, Timer>();
  /** The current document's fetch or run; resolves after its result was fed to the machine. */
  private appRun: Promise<void> | undefined;
  private appAbort = new AbortController();
  private ctx: SessionContext | undefined;
  private fetched: ResponseDocument | undefined;
  /** The Dial running now, if any (the transfer API takes its bridged B leg). */
  activeDial: DialRun | undefined;
  /** The last Dial the machine began: its effects are performed by it. */
  private dialRun: DialRun | undefined;
  private digitListeners = new Set<(digits: string) => void>();
  private lastRecord: Promise<DeliveryRow[]> = Promise.resolve([]);
  private closing: (() => void) | undefined;
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
    this.config = callConfig(row.direction, setup);
    this.state = initialCall(adopted?.state);
    this.journal = new Journal(
      deps.store,
      deps.outbox,
      deps.activity,
      (err, input) => deps.log.error({ err, call: input.callUuid, type: input.type }, 'could not record a call event'),
      row.parent_call_uuid ?? row.call_uuid,
      deps.feed,
      row.account_id,
      deps.facts,
    );
    this.liveMedia = new LiveMedia({ clock: deps.clock, journal: this.journal, media: deps.media });
    // The A leg's machine is composed by the call machine: its inputs come here.
    this.leg.divert((input) => this.feed({ type: 'leg', input }));
    deps.registry.add({
      uuid: row.call_uuid,
      requestUuid: row.request_uuid,
      leg: this.leg,
      // The Hangup API: the machine decides cancel or hangup from its own state (engine.md §2).
      hangup: (reason, source) =>
        source === 'API Request' && (reason === 'api-hangup' || reason === 'api-cancel') ? this.hangupByApi() : this.leg.end(reason, source),
    });
  }

  get uuid(): string {
    return this.leg.uuid;
  }
  get row(): CallRow {
    return this.leg.row;
  }
  /** The call machine's state now (tests, the live API). */
  get machineState(): CallState {
    return this.state;
  }

  /** Outbound: asks the network for the A leg. */
  startOutbound(): void {
    this.feed({ type: 'start', at: this.deps.clock.now() });
  }

  /** Keys played towards the A party (<DTMF>, a conference), recorded on the call. */
  sendDigits(digits: string): void {
    this.leg.network?.sendDigits(digits);
    this.journal.record({ callUuid: this.uuid, at: this.deps.clock.now(), type: 'leg.digits-sent', data: { digits } });
  }

  /** Inbound: the leg is ringing here; the app decides whether and when it is answered. */
  startInbound(net: NetworkLeg): void {
    this.leg.bind(net);
    this.feed({ type: 'start-inbound', at: this.deps.clock.now() });
  }

  /** Hangup API: cancel before answer, hang up after (engine.md §2). */
  hangupByApi(): void {
    this.feed({ type: 'api-hangup', at: this.deps.clock.now() });
  }

  /** The document needs an answered call (inbound). */
  answer(): void {
    this.feed({ type: 'answer', at: this.deps.clock.now() });
  }

  /** `<Hangup schedule>`: the call ends `ms` from now. */
  scheduleHangup(ms: number): void {
    this.feed({ type: 'schedule-hangup', ms, at: this.deps.clock.now() });
  }

  /** Transfer API: the running document stops and the XML at `url` takes over the call once it has wound down. */
  async transfer(url: string, method: Method): Promise<void> {
    if (this.leg.ended) return;
    const running = this.appRun;
    this.feed({ type: 'transfer', url, method, at: this.deps.clock.now() });
    await running;
  }

  /** A transferred B leg: answered already, it runs the document at `url` as a call of its own. */
  startTransferred(url: string, method: Method): void {
    this.feed({ type: 'start-transferred', url, method, at: this.deps.clock.now() });
  }

  /** The B leg bridged to this call by the running Dial, if one is. */
  bridgedBLeg(): LegRunner | undefined {
    return this.activeDial?.bridgedLeg();
  }

  /** Takes the bridged B leg out of the running Dial (transfer API, legs=bleg|both). */
  releaseBLeg(): LegRunner | undefined {
    return this.activeDial?.releaseBridged();
  }

  /** Keys the A party presses, for GetDigits and Conference (a Dial hears them inside the call machine). */
  onDigits(listener: (digits: string) => void): () => void {
    this.digitListeners.add(listener);
    return () => this.digitListeners.delete(listener);
  }

  get appSignal(): AbortSignal {
    return this.appAbort.signal;
  }

  // --- DialPort: the call's Dial runs inside this call's machine -----------------------------

  begin(run: DialRun, config: DialConfig): void {
    run.seq = this.state.dials + 1;
    this.dialRun = run;
    this.feed({ type: 'dial-begin', config, at: this.deps.clock.now() });
  }

  dialState(seq: number): DialState | undefined {
    const dial = this.state.dial;
    return dial && dial.seq === seq ? dial.state : undefined;
  }

  get busy(): boolean {
    return this.draining;
  }

  /** A Dial's input, in the call's queue. */
  feedDial(seq: number, input: DialInput): void {
    this.feed({ type: 'dial', seq, input });
  }

  /** A notification on this call's lane. */
  delivery(kind: DeliveryKind, event: WebhookEvent, url: string, method: Method, params: Record<string, string>): NewDelivery {
    return { id: newTimeOrderedId(), kind, event, url, method, params, synchronous: false };
  }

  // --- the runner ----------------------------------------------------------------------------

  /** Applies inputs one at a time, each to completion: its effects are performed before the next input. */
  private feed(input: CallInput): void {
    this.queue.push(input);
    if (this.draining) return;
    this.draining = true;
    try {
      for (let next = this.queue.shift(); next; next = this.queue.shift()) {
        const step = nextCall(this.config, this.state, next);
        this.state = step.state;
        // The leg runners show their machine's state (the live-call API reads it).
        this.leg.state = step.state.leg;
        const dial = step.state.dial;
        if (dial && this.dialRun?.seq === dial.seq) this.dialRun.sync(dial.state);
        for (const effect of step.effects) this.perform(effect);
      }
    } finally {
      this.draining = false;
    }
  }

  private perform(effect: CallEffect): void {
    const { clock } = this.deps;
    switch (effect.type) {
      case 'originate':
        this.originate();
        return;
      case 'hangup':
        this.leg.endNetwork(effect.cause, effect.answered);
        return;
      case 'answer':
        this.leg.network?.answer();
        return;
      case 'record': {
        const patch = effect.cdr ? this.leg.patch(effect.cdr) : undefined;
        const deliveries = this.webhook(effect.webhook, effect.data);
        this.lastRecord = this.journal.record({
          callUuid: this.uuid,
          at: effect.at ?? clock.now(),
          type: effect.event,
          ...(effect.data !== undefined ? { data: effect.data } : {}),
          ...(patch ? { patch } : {}),
          ...(deliveries.length > 0 ? { deliveries } : {}),
        });
        return;
      }
      case 'cdr':
        this.leg.patch(effect.cdr);
        return;
      case 'send-digits':
        this.leg.network?.sendDigits(effect.digits);
        return;
      case 'digits':
        for (const l of [...this.digitListeners]) l(effect.digits);
        return;
      case 'timer.start': {
        const name = effect.name;
        this.timers.get(name)?.cancel();
        this.timers.set(
          name,
          clock.setTimer(effect.ms, () => {
            this.timers.delete(name);
            this.feed({ type: 'timer', name, at: clock.now() });
          }),
        );
        return;
      }
      case 'timer.cancel':
        this.timers.get(effect.name)?.cancel();
        this.timers.delete(effect.name);
        return;
      case 'warn':
        this.warn(this.uuid, effect.message);
        return;
      case 'fetch':
        this.fetch(effect.source);
        return;
      case 'run-document':
        this.run((ctx) => runDocument(this.fetched!, ctx));
        return;
      case 'run-program':
        this.run((ctx) => this.setup.program!(ctx), this.newContext());
        return;
      case 'abort-document':
        this.appAbort.abort(this.state.leg.end ?? 'transfer');
        return;
      case 'stop-media':
        this.liveMedia.clear();
        return;
      case 'stop-recordings':
        this.stopRecordings();
        return;
      case 'dial':
        this.dialRun!.perform(effect.effect);
        return;
      case 'closed': {
        const closing = this.closing;
        void this.lastRecord.then(() => {
          this.deps.registry.remove(this.uuid);
          this.resolveDone();
          closing?.();
        });
        return;
      }
    }
  }

  /** The notification a recorded event causes, when its URL is set. */
  private webhook(kind: 'ring' | 'hangup' | 'machine_detection' | undefined, data: Record<string, unknown> | undefined): NewDelivery[] {
    const { setup } = this;
    const row = this.leg.row;
    switch (kind) {
      case 'ring':
        return setup.ringUrl ? [this.delivery('ring', 'Ring', setup.ringUrl, setup.ringMethod, callParams(row, 'Ring'))] : [];
      case 'hangup':
        return setup.hangupUrl ? [this.delivery('hangup', 'Hangup', setup.hangupUrl, setup.hangupMethod, hangupParams(row, this.deps.billingIncrementS))] : [];
      case 'machine_detection': {
        const md = setup.machineDetection;
        return md?.url ? [this.delivery('machine_detection', 'MachineDetection', md.url, md.method, machineDetectionParams(row, data?.machine === true, md.hangup))] : [];
      }
      default:
        return [];
    }
  }

  private originate(): void {
    const { network, clock } = this.deps;
    const row = this.leg.row;
    let net: NetworkLeg;
    try {
      net = network.originate({ from: row.from_number, to: row.to_number, callerName: row.caller_name, headers: this.setup.sipHeaders });
    } catch (err) {
      this.deps.log.warn({ err, call: row.call_uuid }, 'network refused the call');
      this.feed({ type: 'originate-failed', error: String(err), at: clock.now() });
      return;
    }
    this.leg.bind(net);
    const data = { network_leg: net.id, from: row.from_number, to: row.to_number, caller_name: row.caller_name, headers: this.setup.sipHeaders };
    this.feed({ type: 'originated', data, at: clock.now() });
  }

  /** A fresh signal and context for a new document. */
  private newContext(): SessionContext {
    if (this.appAbort.signal.aborted) this.appAbort = new AbortController();
    this.ctx = new SessionContext(this);
    return this.ctx;
  }

  /** Fetches the document (answer_url then fallback_url, or a transfer's URL); the result goes back to the machine. */
  private fetch(source: DocumentSource): void {
    const ctx = this.newContext();
    // No activity is held for the document itself: it spends most of its life waiting on the clock,
    // and the virtual clock must be free to move then. Its requests are tracked one by one.
    this.appRun = (async () => {
      let input: CallInput;
      const at = () => this.deps.clock.now();
      try {
        const doc =
          source === 'answer'
            ? await ctx.fetchAnswer()
            : await ctx.fetchDocument({ url: source.url, method: source.method, kind: 'transfer', event: 'Redirect', params: callParams(this.row, 'Redirect') });
        if (doc.ok) {
          this.fetched = doc.document;
          input = { type: 'fetched', ok: true, at: at() };
        } else {
          input = { type: 'fetched', ok: false, reason: 'reason' in doc ? doc.reason : 'action-failed', at: at() };
        }
      } catch (err) {
        input = { type: 'document-ended', outcome: this.failed(ctx, err), at: at() };
      }
      this.feed(input);
    })();
  }

  /** Runs the fetched document or the program; how it ended goes back to the machine. */
  private run(body: (ctx: SessionContext) => Promise<DocumentOutcome>, ctx = this.ctx!): void {
    this.appRun = (async () => {
      let outcome: DocumentOutcome;
      try {
        outcome = await body(ctx);
      } catch (err) {
        outcome = this.failed(ctx, err);
      }
      this.fetched = undefined;
      this.feed({ type: 'document-ended', outcome, at: this.deps.clock.now() });
    })();
  }

  private failed(ctx: SessionContext, err: unknown): DocumentOutcome {
    this.deps.log.error({ err, call: this.uuid }, 'interpreter failed');
    ctx.warn(`internal error while running the document: ${String(err)}`);
    return { type: 'end', reason: 'network-failure', source: 'Error' };
  }

  /** Recordings end with the call; their callbacks go out before the hangup report (docs/xml.md, Record). */
  private stopRecordings(): void {
    // Held until leg.ended is written, so the virtual clock does not move while the call closes.
    this.closing = this.deps.activity.begin();
    void (async () => {
      try {
        await this.deps.recordings?.stopAll(this.uuid);
      } catch (err) {
        this.deps.log.error({ err, call: this.uuid }, 'could not stop the call\'s recordings');
      }
      this.feed({ type: 'recordings-stopped', at: this.deps.clock.now() });
    })();
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

  /** The engine ends the call (a conference member hung up by the API, ...). */
  endNow(reason: EndReason, source?: HangupSource): void {
    this.leg.end(reason, source);
  }
}
