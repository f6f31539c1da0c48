/**
 * The call machine, pure: `nextCall(config, state, input) -> { state, effects }` (DESIGN.md "The call
 * core is pure", STYLE.md §4). One machine per call holds every rule of the A leg that is not the
 * interpreter's: the leg itself (the pure Leg machine of leg-machine.ts, composed), `ring_timeout`,
 * `hangup_on_ring`, `time_limit`, `send_digits`, machine detection, `<Hangup schedule>`, the Hangup
 * API (cancel before answer, hang up after: engine.md §2), the transfer API, where the document is
 * (not started, fetching, running, winding down, done), ending exactly once, and the rule that the
 * hangup report goes out only after the document has wound down (so a Dial's action and callbacks
 * reach the app first). The call's `<Dial>` is a sub-machine: its state is part of the call's and its
 * inputs go through this machine (`dial`), which applies the pure `nextDial` (dial-machine.ts) and
 * feeds it what the A leg does — the caller's keys (`a-digits`), the A leg ending or being transferred
 * (`a-ended`) — and answers an inbound caller when the Dial bridges (`answer-a`), inside the same
 * step. So the whole call has one state and one queue of inputs.
 *
 * The interpreter (the XML elements) stays outside: the machine says `fetch` / `run-document` /
 * `abort-document`, and hears `fetched` and `document-ended` back. Inputs (`CallInput`, call-model.ts):
 * network events of the A leg, placement results, fetch results, the document's end, timer expiries,
 * API commands (hangup, transfer), `<Hangup schedule>`, the Dial's inputs. Effects (`CallEffect`)
 * are data, performed in order by the runner (call-session.ts): originate, answer, hang up, record
 * an event (with its CDR patch and the webhook it causes), send keys, hand keys to the document,
 * start / cancel timers, fetch / run / stop the document, stop live media and recordings, warn, the
 * Dial's effects (dial-runner.ts performs them), and `closed`. Every event the machine records is an
 * effect, so `replayCall` (call-replay.ts) rebuilds the state from a call's stored events.
 *
 * Order inside one input: the rule order CallSession had before the machine. An answer: the ring
 * timers stop, `leg.answered`, `time_limit` starts, send_digits, machine detection, then the document
 * (outbound). The end: the leg's network end (CANCEL/BYE), the call's timers stop, the CDR row takes
 * the end, live media stops, the document is stopped, the Dial ends its legs (`a-ended`); once the
 * document has returned, recordings stop, and when they have, `leg.ended` with the hangup report.
 *
 * Same-instant order. One input is applied at a time, to completion: every effect of one input is
 * performed before the next input is applied (the runner queues inputs that arrive meanwhile). The
 * machine does not reorder inputs of one instant; they are applied in the order they reach the runner,
 * which is: (1) the clock's timers due at that instant, in the order they were set — the call's
 * (ring_timeout is set at origination, hangup_on_ring at the first ring, time_limit then machine
 * detection at the answer, `<Hangup schedule>` when the element runs) and the Dial's (dial-machine.ts)
 * — each applied the moment it fires; (2) then the network events of that instant, which both networks
 * deliver in microtasks, leg by leg in the order the network scheduled them (the caller's keys and
 * hangup are the A leg's network events); (3) fetch results and the document's end, which follow I/O
 * and so come after (1) and (2) of their instant; API commands come with their HTTP request, between
 * instants on the virtual clock. (1) before (2) is exact on the VirtualClock, which fires every timer
 * of an instant before any microtask runs; on the RealClock timers and network timers of one
 * millisecond fire in the order they were set; SIP events arrive when their packets do. Consequences
 * (each a row of test/call-machine.test.ts): ring_timeout due with the answer: the call ends
 * `no-answer` and the answer meets an ended leg; time_limit due with the caller's hangup: ALLOTTED_TIMEOUT;
 * hangup_on_ring and ring_timeout due together: ring_timeout (set first) wins; machine detection due
 * with time_limit: time_limit (set first at the answer) wins; a Hangup API request and a network end
 * of the same instant: the first applied wins, the other meets an ended leg.
 */
import type { EndReason, HangupSource } from '../domain/causes.ts';
import type { CallEventType } from '../domain/events.ts';
import type { Method } from '../xml/elements.ts';
import { nextLeg, type LegEffect, type LegInput, type LegState } from './leg-machine.ts';
import { initialDial, nextDial, type DialConfig, type DialInput, type DialState } from './dial-machine.ts';
import {
  MACHINE_UNKNOWN,
  type CallConfig,
  type CallEffect,
  type CallInput,
  type CallState,
  type CallStep,
  type CallTimer,
  type ClosePhase,
  type DocumentOutcome,
  type DocumentPhase,
  type DocumentSource,
} from './call-model.ts';

export * from './call-model.ts';

/** One input applied to one call: the next state and the effects to perform, in order (call-model.ts). */
export function nextCall(config: CallConfig, state: CallState, input: CallInput): CallStep {
  const s = new Step(config, state);
  s.apply(input);
  return s.finish();
}

type DialSlot = { readonly seq: number; readonly config: DialConfig; state: DialState };

// ---------------------------------------------------------------------------------------------
// One step: a working copy of the state, changed in place while the effects are collected.

class Step {
  private leg: LegState;
  private doc: DocumentPhase;
  private transfer: CallState['transfer'];
  private close: ClosePhase;
  private timers: CallTimer[];
  private machine: boolean | undefined;
  private dial: DialSlot | undefined;
  private dials: number;
  private readonly effects: CallEffect[] = [];

  constructor(
    private readonly config: CallConfig,
    state: CallState,
  ) {
    this.leg = state.leg;
    this.doc = state.doc;
    this.transfer = state.transfer;
    this.close = state.close;
    this.timers = [...state.timers];
    this.machine = state.machine;
    this.dial = state.dial && { ...state.dial };
    this.dials = state.dials;
  }

  finish(): CallStep {
    const state: CallState = {
      leg: this.leg,
      doc: this.doc,
      ...(this.transfer !== undefined ? { transfer: this.transfer } : {}),
      close: this.close,
      timers: this.timers,
      ...(this.machine !== undefined ? { machine: this.machine } : {}),
      ...(this.dial !== undefined ? { dial: { seq: this.dial.seq, config: this.dial.config, state: this.dial.state } } : {}),
      dials: this.dials,
    };
    return { state, effects: this.effects };
  }

  private get ended(): boolean {
    return this.leg.phase === 'ended';
  }
  private get answered(): boolean {
    return this.leg.answerAt !== undefined;
  }

  apply(input: CallInput): void {
    switch (input.type) {
      case 'start':
        if (this.leg.phase !== 'queued') return;
        if (this.config.ringTimeoutMs !== undefined) this.startTimer('ring-timeout', this.config.ringTimeoutMs);
        this.effects.push({ type: 'originate' });
        return;
      case 'originated':
        this.legInput({ type: 'originated', at: input.at });
        this.record('leg.originated', input.data);
        return;
      case 'originate-failed':
        this.record('network.error', { error: input.error });
        this.endLeg('network-failure', 'Plivo', input.at);
        return;
      case 'start-inbound':
        this.legInput({ type: 'originated', at: input.at });
        this.startDocument('answer');
        return;
      case 'start-transferred':
        this.startTimer('time-limit', this.config.timeLimitMs);
        this.startDocument({ url: input.url, method: input.method });
        return;
      case 'leg':
        this.legInput(input.input);
        return;
      case 'answer':
        this.answerA(input.at);
        return;
      case 'api-hangup':
        if (!this.ended) this.endLeg(this.answered ? 'api-hangup' : 'api-cancel', 'API Request', input.at);
        return;
      case 'transfer':
        this.onTransfer(input.url, input.method, input.at);
        return;
      case 'timer':
        if (!this.timers.includes(input.name)) return; // cancelled, or fired already
        this.timers = this.timers.filter((t) => t !== input.name);
        this.onTimer(input.name, input.at);
        return;
      case 'schedule-hangup':
        if (!this.ended) this.startTimer('scheduled-hangup', input.ms);
        return;
      case 'fetched':
        this.onFetched(input.ok ? undefined : input.reason, input.at);
        return;
      case 'document-ended':
        this.onDocumentEnded(input.outcome, input.at);
        return;
      case 'recordings-stopped':
        this.onRecordingsStopped();
        return;
      case 'dial-begin':
        this.onDialBegin(input.config, input.at);
        return;
      case 'dial':
        if (this.dial === undefined || this.dial.seq !== input.seq) return; // a Dial that is over
        this.applyDial(input.input);
        return;
    }
  }

  // --- the A leg through its own machine -----------------------------------------------------

  private legInput(input: LegInput): void {
    const step = nextLeg(this.leg, input);
    this.leg = step.state;
    for (const effect of step.effects) this.onLegEffect(effect, input.at);
  }

  private endLeg(reason: EndReason, source: HangupSource | undefined, at: number): void {
    this.legInput({ type: 'end', reason, ...(source !== undefined ? { source } : {}), at });
  }

  /** The engine answers the caller (inbound: a document element needs it, or a Dial bridged). */
  private answerA(at: number): void {
    if (this.answered || this.ended) return;
    this.effects.push({ type: 'answer' });
    this.legInput({ type: 'answer', at });
  }

  private onLegEffect(effect: LegEffect, at: number): void {
    const cfg = this.config;
    switch (effect.type) {
      case 'network-end':
        this.effects.push({ type: 'hangup', cause: effect.cause, answered: effect.answered });
        return;
      case 'ringing':
        this.record('leg.ringing', { early: effect.early }, effect, 'ring');
        if (cfg.hangupOnRingMs !== undefined) this.startTimer('hangup-on-ring', cfg.hangupOnRingMs);
        if (effect.early && cfg.sendOnPreanswer && cfg.sendDigits) this.sendDigits(cfg.sendDigits);
        return;
      case 'answered': {
        this.cancelTimer('ring-timeout');
        this.cancelTimer('hangup-on-ring');
        const md = cfg.machineDetection;
        // With machine detection, who answered decides the verdict: stored so that replayCall reads it
        // rather than guessing it from a verdict that may never come (null: the network could not say).
        this.record('leg.answered', md ? { answered_by: effect.answeredBy ?? null } : undefined, effect);
        this.startTimer('time-limit', cfg.timeLimitMs);
        if (cfg.sendDigits && !cfg.sendOnPreanswer) this.sendDigits(cfg.sendDigits);
        if (md) {
          // Asynchronous, as Plivo's (plivo.md §2.6): the verdict comes when a greeting has run past
          // maxSpeech (a machine) or when the detection time passed without one (a person). Only a
          // network that knows who answered can say `machine`.
          this.machine = effect.answeredBy === 'machine';
          if (effect.answeredBy === undefined) this.effects.push({ type: 'warn', message: MACHINE_UNKNOWN });
          this.startTimer('machine-detection', this.machine ? Math.min(md.maxSpeechMs, md.timeMs) : md.timeMs);
        }
        if (cfg.direction === 'outbound') this.startDocument('answer');
        return;
      }
      case 'digits':
        this.record('leg.digits', { digits: effect.digits });
        this.effects.push({ type: 'digits', digits: effect.digits });
        if (this.dialRunning()) this.applyDial({ type: 'a-digits', digits: effect.digits, at });
        return;
      case 'ended':
        this.onEnded(effect, at);
        return;
    }
  }

  private sendDigits(digits: string): void {
    this.effects.push({ type: 'send-digits', digits });
    this.record('leg.digits-sent', { digits });
  }

  // --- timers, the APIs --------------------------------------------------------------------

  private onTimer(name: CallTimer, at: number): void {
    switch (name) {
      case 'ring-timeout':
        if (!this.answered) this.endLeg('ring-timeout', undefined, at);
        return;
      case 'hangup-on-ring':
        this.endLeg('hangup-on-ring', undefined, at);
        return;
      case 'time-limit':
        this.endLeg('time-limit', undefined, at);
        return;
      case 'scheduled-hangup':
        this.endLeg('xml-hangup', undefined, at);
        return;
      case 'machine-detection': {
        const machine = this.machine === true;
        const hangup = this.config.machineDetection?.hangup === true;
        this.record('leg.machine-detection', { machine, if_machine: hangup ? 'hangup' : 'continue' }, undefined, 'machine_detection');
        if (machine && hangup) this.endLeg('machine-detected', undefined, at);
        return;
      }
    }
  }

  /** The running document stops (the Dial's callee is hung up: `a-ended` by the API); the XML at `url` takes over once it has wound down. */
  private onTransfer(url: string, method: Method, at: number): void {
    if (this.ended) return;
    // Recorded with its URL: the fetch comes only after the wind-down (or never, if the call ends
    // meanwhile), and replayCall needs the request where it was made.
    this.record('call.transfer-requested', { url, method });
    this.effects.push({ type: 'abort-document' });
    if (this.dialRunning()) this.applyDial({ type: 'a-ended', reason: 'api-hangup', source: 'API Request', at });
    if (this.doc === 'fetching' || this.doc === 'running' || this.doc === 'winding-down') {
      this.doc = 'winding-down';
      this.transfer = { url, method };
      return;
    }
    this.startDocument({ url, method });
  }

  // --- the document --------------------------------------------------------------------------

  private startDocument(source: DocumentSource): void {
    if (source === 'answer' && this.config.program) {
      this.doc = 'running';
      this.effects.push({ type: 'run-program' });
      return;
    }
    this.doc = 'fetching';
    this.effects.push({ type: 'fetch', source });
  }

  /** `failed`: the reason the call ends with when the fetch produced no document. */
  private onFetched(failed: EndReason | undefined, at: number): void {
    if (this.doc === 'winding-down') {
      // Stopped while fetching: whatever came back, the document is over.
      this.documentDone();
      return;
    }
    if (this.doc !== 'fetching') return;
    if (failed === undefined) {
      this.doc = 'running';
      this.effects.push({ type: 'run-document' });
      return;
    }
    this.doc = 'done';
    this.endLeg(failed, undefined, at);
  }

  /** The interpreter returned (or, from `fetching`, the fetch itself threw). */
  private onDocumentEnded(outcome: DocumentOutcome, at: number): void {
    if (this.doc !== 'fetching' && this.doc !== 'running' && this.doc !== 'winding-down') return;
    if (outcome.type === 'end' && !this.ended) {
      // The document says how the call ends (engine.md §2: end of XML, <Hangup>, a failed action...).
      this.doc = 'done';
      this.transfer = undefined;
      this.endLeg(outcome.reason, outcome.source, at);
      return;
    }
    this.documentDone();
  }

  /** The document has returned: the call closes if it ended, or a waiting transfer starts. */
  private documentDone(): void {
    this.doc = 'done';
    const transfer = this.transfer;
    this.transfer = undefined;
    if (this.ended) {
      this.startClosing();
      return;
    }
    if (transfer) this.startDocument(transfer);
  }

  // --- the end -------------------------------------------------------------------------------

  private onEnded(effect: Extract<LegEffect, { type: 'ended' }>, at: number): void {
    for (const t of [...this.timers]) this.cancelTimer(t);
    this.effects.push({ type: 'cdr', cdr: effect });
    this.effects.push({ type: 'stop-media' });
    this.effects.push({ type: 'abort-document' });
    if (this.dialRunning()) this.applyDial({ type: 'a-ended', reason: effect.end.reason, source: effect.end.source, at });
    this.transfer = undefined;
    if (this.doc === 'fetching' || this.doc === 'running' || this.doc === 'winding-down') {
      this.doc = 'winding-down';
      return;
    }
    this.startClosing();
  }

  private startClosing(): void {
    if (this.close !== 'open') return;
    this.close = 'recordings';
    this.effects.push({ type: 'stop-recordings' });
  }

  private onRecordingsStopped(): void {
    if (this.close !== 'recordings') return;
    const end = this.leg.end!;
    this.close = 'closed';
    // Recorded at the moment the leg ended, after everything the document did while winding down.
    this.record('leg.ended', { reason: end.reason, source: end.source }, { type: 'ended', end }, 'hangup', end.at);
    this.effects.push({ type: 'closed' });
  }

  // --- the Dial ------------------------------------------------------------------------------

  private dialRunning(): boolean {
    return this.dial !== undefined && this.dial.state.phase !== 'done';
  }

  /** dial.started is stored: the Dial places its legs, unless the call ended (or was transferred) meanwhile. */
  private onDialBegin(config: DialConfig, at: number): void {
    this.dials++;
    this.dial = { seq: this.dials, config, state: initialDial(config) };
    const end = this.leg.end;
    if (end) this.applyDial({ type: 'a-ended', reason: end.reason, source: end.source, at });
    else if (this.doc === 'winding-down') this.applyDial({ type: 'a-ended', reason: 'api-hangup', source: 'API Request', at });
    else this.applyDial({ type: 'start', at });
  }

  private applyDial(input: DialInput): void {
    const slot = this.dial!;
    const step = nextDial(slot.config, slot.state, input);
    slot.state = step.state;
    for (const effect of step.effects) {
      if (effect.type === 'answer-a') {
        // An inbound caller still ringing is answered as the bridge connects it: the A leg's own rule.
        this.answerA('at' in input ? input.at : input.input.at);
        continue;
      }
      this.effects.push({ type: 'dial', effect });
    }
  }

  // --- helpers -------------------------------------------------------------------------------

  private startTimer(name: CallTimer, ms: number): void {
    this.timers = [...this.timers.filter((t) => t !== name), name];
    this.effects.push({ type: 'timer.start', name, ms });
  }

  private cancelTimer(name: CallTimer): void {
    if (!this.timers.includes(name)) return;
    this.timers = this.timers.filter((t) => t !== name);
    this.effects.push({ type: 'timer.cancel', name });
  }

  private record(event: CallEventType, data?: Record<string, unknown>, cdr?: LegEffect, webhook?: 'ring' | 'hangup' | 'machine_detection', at?: number): void {
    this.effects.push({
      type: 'record',
      event,
      ...(data !== undefined ? { data } : {}),
      ...(cdr !== undefined ? { cdr } : {}),
      ...(webhook !== undefined ? { webhook } : {}),
      ...(at !== undefined ? { at } : {}),
    });
  }
}
