/**
 * The Dial machine, pure: `nextDial(state, input) -> { state, effects }` (DESIGN.md "The call core is
 * pure", STYLE.md §4). It holds every rule of one `<Dial>` (plivo.md §3.3, engine.md §1-§2): the B legs
 * (each a pure Leg machine from leg-machine.ts, composed here), the first to answer wins and the others
 * end LOSE_RACE, confirmKey / confirmTimeout, the ring `timeout`, `timeLimit` after the bridge,
 * `hangupOnStar`, `digitsMatch` / `digitsMatchBLeg`, `sendDigits`, the caller hearing a callee's early
 * media, the callbackUrl reports, the transfer API taking the bridged callee, the A leg ending the dial,
 * and the result (`dialOutcome`, engine.md §2) once every B leg is over.
 *
 * Inputs (`DialInput`) are what happens to a Dial: it may start placing its legs (`start`, once
 * `dial.started` is stored), a placement succeeded or failed (`originated`, `originate-failed`), a B
 * leg's network event or an end asked from outside (`leg`: the B leg's own Hangup API), a timer
 * expired (`timer`), the caller pressed keys (`a-digits`), the A leg ended (`a-ended`: the caller, the
 * Hangup API, the call's time limit, a transfer of the A leg), the transfer API took the callee
 * (`transfer`). Effects (`DialEffect`) are data, performed in order by the runner (dial-runner.ts):
 * place a leg, hang one up, record an event (with the CDR patch of a leg effect), notify callbackUrl,
 * send keys, let the caller hear early media, answer the caller, bridge, start or cancel a timer,
 * take a leg off the live registry, warn, and finish with the result. Every event the Dial records is
 * an effect, so a call's stored events are the machine's own output, and `replayDial` (dial-replay.ts)
 * rebuilds the state from them.
 *
 * Order. One input is applied at a time, to completion: every effect of one input is performed before
 * the next input is applied (the runner queues inputs that arrive meanwhile). Inside one input the
 * order is the rule order of today's Dial: a leg's own event is recorded first, then what it causes
 * (an answer: keys sent, then lose-race or confirm or bridge; a bridge: the other legs end LOSE_RACE
 * in document order, the ring timer stops, the caller is answered and bridged, `answer` and
 * `connected` go out, `dial.bridged`, then the time limit starts; a leg's end: `leg.ended`, then
 * `hangup` for the bridged leg, then `dial.ended` if it was the last).
 *
 * Inputs of one instant are applied in the order they reach the runner; the machine does not reorder
 * them (that would change what today's Dial does). That order is: (1) the clock's timers due at that
 * instant, in the order they were set, each applied the moment it fires — the Dial's own (ring timeout,
 * confirm timeouts, time limit) and the call's (its time_limit ends the A leg: `a-ended`); (2) then the
 * network events of that instant, which both networks deliver in microtasks, leg by leg in the order
 * the network scheduled them (at the dial's start: document order); the caller's keys and hangup are
 * the A leg's network events and take their place here. (1) before (2) is exact on the VirtualClock,
 * which fires every timer of an instant before any microtask runs; on the RealClock timers and network
 * timers of one millisecond fire in the order they were set, with the events of each delivered before
 * the next fires; SIP events arrive when their packets do. Consequences: a ring timeout or a time
 * limit due with an answer or a hangup wins, and the answer then reaches an ended leg and is ignored;
 * two answers of one instant: the first applied wins and the second loses the race; the A leg ending
 * with a B event of the same instant: whichever arrives first is applied first, and the other then
 * meets an ended leg or a finished dial.
 */
import type { EndReason, HangupSource } from '../domain/causes.ts';
import type { DialResult } from '../domain/dial.ts';
import type { CallEventType } from '../domain/events.ts';
import { nextLeg, type LegEffect, type LegInput } from './leg-machine.ts';
import { dialOutcome } from './dial-outcome.ts';
import { matchPattern, PLACE_FAILED, type DialConfig, type DialEffect, type DialInput, type DialLegState, type DialPhase, type DialState, type DialStep, type DialTimer } from './dial-model.ts';

export * from './dial-model.ts';

/** One input applied to one Dial: the next state and the effects to perform, in order (config, state, inputs, effects: dial-model.ts). */
export function nextDial(config: DialConfig, state: DialState, input: DialInput): DialStep {
  const s = new Step(config, state);
  s.apply(input);
  return s.finish();
}

/** The dial's result from its legs now (engine.md §2). */
export function outcomeOf(config: DialConfig, state: DialState): DialResult {
  return resultOf(config, state.legs, state.cancelledByALeg);
}

function resultOf(config: DialConfig, legs: readonly DialLegState[], cancelledByALeg: boolean): DialResult {
  return dialOutcome(
    legs.map((l, i) => ({ uuid: config.legs[i]!.uuid, rang: l.leg.rang, bridged: l.bridged, endReason: l.leg.end?.reason })),
    cancelledByALeg,
  );
}

// ---------------------------------------------------------------------------------------------
// One step: a working copy of the state, changed in place while the effects are collected.

class Step {
  private phase: DialPhase;
  private placed: number;
  private readonly legs: DialLegState[];
  private winner: number | undefined;
  private cancelledByALeg: boolean;
  private aDigits: string;
  private timers: DialTimer[];
  private result: DialResult | undefined;
  private readonly effects: DialEffect[] = [];

  constructor(
    private readonly config: DialConfig,
    state: DialState,
  ) {
    this.phase = state.phase;
    this.placed = state.placed;
    this.legs = [...state.legs];
    this.winner = state.winner;
    this.cancelledByALeg = state.cancelledByALeg;
    this.aDigits = state.aDigits;
    this.timers = [...state.timers];
    this.result = state.result;
  }

  finish(): DialStep {
    const state: DialState = {
      phase: this.phase,
      placed: this.placed,
      legs: this.legs,
      ...(this.winner !== undefined ? { winner: this.winner } : {}),
      cancelledByALeg: this.cancelledByALeg,
      aDigits: this.aDigits,
      timers: this.timers,
      ...(this.result !== undefined ? { result: this.result } : {}),
    };
    return { state, effects: this.effects };
  }

  apply(input: DialInput): void {
    switch (input.type) {
      case 'start':
        if (this.phase !== 'new') return;
        this.phase = 'placing';
        this.placeNext();
        return;
      case 'originated':
        if (this.phase !== 'placing' || input.leg !== this.placed) return;
        this.legInput(input.leg, { type: 'originated', at: input.at });
        this.record(input.leg, 'leg.originated', input.data);
        this.placed++;
        this.placeNext();
        return;
      case 'originate-failed':
        if (this.phase !== 'placing' || input.leg !== this.placed) return;
        this.effects.push({ type: 'warn', message: `${PLACE_FAILED}${this.config.legs[input.leg]!.to}: ${input.error}` });
        this.endLeg(input.leg, 'network-failure', 'Plivo', input.at);
        this.placed++;
        this.placeNext();
        return;
      case 'leg':
        if (this.legs[input.leg] === undefined) return;
        this.legInput(input.leg, input.input);
        return;
      case 'timer':
        if (!this.timers.includes(input.name)) return; // cancelled, or fired already
        this.timers = this.timers.filter((t) => t !== input.name);
        this.onTimer(input.name, input.at);
        return;
      case 'a-digits':
        this.onADigits(input.digits, input.at);
        return;
      case 'a-ended':
        this.onAEnded(input.reason, input.source, input.at);
        return;
      case 'transfer':
        this.onTransfer();
        return;
    }
  }

  /** Places the next leg, or, when all are placed, starts the ring timer (the Dial's `timeout`). */
  private placeNext(): void {
    if (this.phase !== 'placing') return;
    if (this.placed < this.legs.length) {
      this.effects.push({ type: 'originate', leg: this.placed });
      return;
    }
    this.phase = 'dialing';
    if (this.config.timeoutMs !== undefined) this.startTimer('ring', this.config.timeoutMs);
    this.checkDone();
  }

  // --- a B leg through its own machine -------------------------------------------------------

  private legInput(i: number, input: LegInput): void {
    const current = this.legs[i]!;
    if (current.transferred) return; // no longer the Dial's
    const step = nextLeg(current.leg, input);
    this.legs[i] = { ...current, leg: step.state };
    for (const effect of step.effects) this.onLegEffect(i, effect, input.at);
  }

  private endLeg(i: number, reason: EndReason, source: HangupSource | undefined, at: number): void {
    this.legInput(i, { type: 'end', reason, ...(source !== undefined ? { source } : {}), at });
  }

  private patchLeg(i: number, patch: Partial<DialLegState>): void {
    this.legs[i] = { ...this.legs[i]!, ...patch };
  }

  private onLegEffect(i: number, effect: LegEffect, at: number): void {
    const cfg = this.config.legs[i]!;
    switch (effect.type) {
      case 'network-end':
        this.effects.push({ type: 'hangup', leg: i, cause: effect.cause, answered: effect.answered });
        return;
      case 'ringing':
        this.record(i, 'leg.ringing', { early: effect.early }, effect);
        if (effect.early && cfg.sendOnPreanswer && cfg.sendDigits) this.sendDigits(i, cfg.sendDigits);
        // The caller hears the callee's own ringback unless the Dial plays music of its own.
        if (effect.early && this.winner === undefined && this.config.callerHearsEarlyMedia) this.effects.push({ type: 'early-media', leg: i });
        return;
      case 'answered':
        this.record(i, 'leg.answered', undefined, effect);
        if (cfg.sendDigits && !cfg.sendOnPreanswer) this.sendDigits(i, cfg.sendDigits);
        if (this.winner !== undefined || this.phase === 'done') {
          this.endLeg(i, 'lose-race', undefined, at);
          return;
        }
        if (this.config.confirmKey) {
          // The callee must press confirmKey within confirmTimeout; the others keep ringing meanwhile.
          this.patchLeg(i, { confirming: true });
          this.startTimer(`confirm:${i}`, this.config.confirmMs);
          return;
        }
        this.bridge(i, at);
        return;
      case 'digits': {
        const leg = this.legs[i]!;
        if (leg.confirming) {
          if (effect.digits.includes(this.config.confirmKey!)) {
            this.patchLeg(i, { confirming: false });
            this.cancelTimer(`confirm:${i}`);
            if (this.winner !== undefined) this.endLeg(i, 'lose-race', undefined, at);
            else this.bridge(i, at);
          }
          return;
        }
        if (leg.bridged) {
          const buffer = leg.digits + effect.digits;
          const match = matchPattern(buffer, this.config.digitsMatchBLeg);
          this.patchLeg(i, { digits: match ? '' : buffer });
          if (match) this.effects.push({ type: 'notify', leg: i, action: 'digits', digitsMatch: match, pressedBy: 'BLeg' });
        }
        return;
      }
      case 'ended': {
        this.cancelTimer(`confirm:${i}`);
        this.patchLeg(i, { confirming: false });
        this.effects.push({ type: 'unregister', leg: i });
        this.record(i, 'leg.ended', { reason: effect.end.reason, source: effect.end.source }, effect);
        if (this.legs[i]!.bridged) this.effects.push({ type: 'notify', leg: i, action: 'hangup' });
        this.checkDone();
        return;
      }
    }
  }

  /** The first leg to answer (and confirm, with confirmKey) wins; callbacks are only ever about it (engine.md §1). */
  private bridge(i: number, at: number): void {
    this.winner = i;
    this.patchLeg(i, { bridged: true });
    for (let j = 0; j < this.legs.length; j++) if (j !== i) this.endLeg(j, 'lose-race', undefined, at);
    this.cancelTimer('ring');
    this.cancelTimer('limit');
    this.effects.push({ type: 'answer-a' }, { type: 'bridge', leg: i });
    this.effects.push({ type: 'notify', leg: i, action: 'answer' }, { type: 'notify', leg: i, action: 'connected' });
    this.record('a', 'dial.bridged', { b_leg: this.config.legs[i]!.uuid, position: this.config.legs[i]!.position });
    this.startTimer('limit', this.config.timeLimitMs);
  }

  private sendDigits(i: number, digits: string): void {
    this.effects.push({ type: 'send-digits', leg: i, digits });
    this.record(i, 'leg.digits-sent', { digits });
  }

  // --- timers, the caller, the transfer API --------------------------------------------------

  private onTimer(name: DialTimer, at: number): void {
    if (name === 'ring') {
      for (let j = 0; j < this.legs.length; j++) {
        const leg = this.legs[j]!;
        if (!leg.bridged && !leg.confirming) this.endLeg(j, 'no-answer', undefined, at);
      }
      return;
    }
    if (name === 'limit') {
      if (this.winner !== undefined) this.endLeg(this.winner, 'time-limit', undefined, at);
      return;
    }
    const i = Number(name.slice('confirm:'.length));
    if (this.legs[i]?.confirming) this.endLeg(i, 'no-answer', 'Plivo', at);
  }

  private onADigits(digits: string, at: number): void {
    if (this.phase === 'done' || this.winner === undefined) return;
    if (this.config.hangupOnStar && digits.includes('*')) {
      // The caller drops the callee and the document goes on (plivo.md §3.1).
      this.endLeg(this.winner, 'normal', 'Caller', at);
      return;
    }
    const buffer = this.aDigits + digits;
    const match = matchPattern(buffer, this.config.digitsMatch);
    this.aDigits = match ? '' : buffer;
    if (match) this.effects.push({ type: 'notify', leg: this.winner, action: 'digits', digitsMatch: match, pressedBy: 'ALeg' });
  }

  /** The A leg ended: the callee of a bridge is hung up, every other B leg is cancelled. */
  private onAEnded(reason: EndReason | undefined, given: HangupSource | undefined, at: number): void {
    if (this.phase === 'done') return;
    // Legs not placed yet are not placed any more (the runner places them in one go, so this is only a guard).
    if (this.phase === 'placing') this.phase = 'dialing';
    const source: HangupSource = given ?? 'Caller';
    for (let j = 0; j < this.legs.length; j++) {
      const leg = this.legs[j]!;
      if (leg.leg.phase === 'ended' || leg.transferred) continue;
      if (leg.bridged) {
        const r: EndReason = reason === 'time-limit' ? 'time-limit' : reason === 'api-hangup' || reason === 'api-cancel' ? 'api-hangup' : 'normal';
        this.endLeg(j, r, r === 'normal' ? source : undefined, at);
      } else {
        if (this.winner === undefined) this.cancelledByALeg = true;
        this.endLeg(j, 'originator-cancel', source, at);
      }
    }
    if (this.winner === undefined) this.cancelledByALeg = true;
    this.checkDone();
  }

  /** The transfer API takes the bridged callee away: for this Dial the conversation is over (completed). */
  private onTransfer(): void {
    const w = this.winner;
    if (w === undefined || this.phase === 'done') return;
    const leg = this.legs[w]!;
    if (leg.leg.phase === 'ended' || leg.transferred) return;
    this.patchLeg(w, { transferred: true });
    this.effects.push({ type: 'unregister', leg: w });
    this.record('a', 'dial.transferred', { b_leg: this.config.legs[w]!.uuid });
    this.checkDone();
  }

  // --- the end -------------------------------------------------------------------------------

  private checkDone(): void {
    if (this.phase === 'done' || this.phase === 'placing') return;
    if (!this.legs.every((l) => l.leg.phase === 'ended' || l.transferred)) return;
    this.phase = 'done';
    this.cancelTimer('ring');
    this.cancelTimer('limit');
    const result = resultOf(this.config, this.legs, this.cancelledByALeg);
    this.result = result;
    this.record('a', 'dial.ended', { ...result });
    this.effects.push({ type: 'done', result });
  }

  private startTimer(name: DialTimer, ms: number): void {
    this.timers = [...this.timers.filter((t) => t !== name), name];
    this.effects.push({ type: 'timer.start', name, ms });
  }

  private cancelTimer(name: DialTimer): void {
    if (!this.timers.includes(name)) return;
    this.timers = this.timers.filter((t) => t !== name);
    this.effects.push({ type: 'timer.cancel', name });
  }

  private record(leg: number | 'a', event: CallEventType, data?: Record<string, unknown>, cdr?: LegEffect): void {
    this.effects.push({ type: 'record', leg, event, ...(data !== undefined ? { data } : {}), ...(cdr !== undefined ? { cdr } : {}) });
  }
}
