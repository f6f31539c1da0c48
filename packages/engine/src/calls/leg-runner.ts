/**
 * Performs what the pure Leg machine decides for one leg: keeps its CDR row in memory, tells the
 * network to end the leg when the engine ended it, and computes the CDR patch each leg effect implies.
 * The leg's machine is composed by a bigger one: an A leg's by its call machine (call-machine.ts,
 * performed by CallSession), a Dial's B leg's by the Dial machine (dial-machine.ts, performed by
 * DialRun). Their inputs are diverted there (`divert`), and the runners perform the leg effects through
 * `endNetwork` and `patch`. A leg that runs its own machine here (a B leg between its release by the
 * transfer API and its adoption) hands each effect to `onEffect`.
 */
import type { NetworkLeg } from '../network/network.ts';
import type { CallPatch, CallRow } from '../store/store.ts';
import { CAUSES, type EndReason, type HangupSource } from '../domain/causes.ts';
import { initialLeg, nextLeg, type FarParty, type LegEffect, type LegInput, type LegState } from './leg-machine.ts';
import { billedSeconds, durationSeconds } from '../webhooks/params.ts';

export type EffectHandler = (effect: LegEffect, patch: CallPatch | undefined, leg: LegRunner) => void;

export class LegRunner {
  state: LegState;
  private net: NetworkLeg | undefined;
  private handler: EffectHandler = () => {};
  /** While set, inputs go here instead of this leg's own machine (a Dial's B leg: the Dial machine runs it). */
  private owner: ((input: LegInput) => void) | undefined;

  constructor(
    public row: CallRow,
    farParty: FarParty,
    private readonly now: () => number,
    private readonly billingIncrementS: number,
  ) {
    this.state = initialLeg(farParty);
  }

  get uuid(): string {
    return this.row.call_uuid;
  }
  get ended(): boolean {
    return this.state.phase === 'ended';
  }
  get answered(): boolean {
    return this.state.answerAt !== undefined;
  }
  get network(): NetworkLeg | undefined {
    return this.net;
  }

  onEffect(handler: EffectHandler): void {
    this.handler = handler;
  }

  /**
   * Hands this leg's inputs to `owner` (a Dial, whose machine composes this leg's), or takes them back
   * (`undefined`: a B leg transferred out of its Dial runs its own machine again, from `state`).
   */
  divert(owner: ((input: LegInput) => void) | undefined): void {
    this.owner = owner;
  }

  /** Binds the network leg and starts listening to it. */
  attach(leg: NetworkLeg): void {
    this.bind(leg);
    this.apply({ type: 'originated', at: this.now() });
  }

  /** Binds the network leg: its events become this leg's inputs. */
  bind(leg: NetworkLeg): void {
    this.net = leg;
    leg.onEvent((event) => this.apply({ type: 'network', event, at: this.now() }));
  }

  /** The engine ends this leg (CANCEL before answer, BYE after). No-op once ended. */
  end(reason: EndReason, source?: HangupSource): void {
    this.apply({ type: 'end', reason, source, at: this.now() });
  }

  /** Inbound: answer the leg. */
  answer(): void {
    if (this.answered || this.ended) return;
    this.net?.answer();
    this.apply({ type: 'answer', at: this.now() });
  }

  apply(input: LegInput): void {
    if (this.owner) {
      this.owner(input);
      return;
    }
    const step = nextLeg(this.state, input);
    this.state = step.state;
    for (const effect of step.effects) {
      if (effect.type === 'network-end') {
        this.endNetwork(effect.cause, effect.answered);
        continue;
      }
      this.handler(effect, this.patch(effect), this);
    }
  }

  /** Tells the network the engine ended the leg: a rejection for an unanswered inbound leg, else CANCEL/BYE. */
  endNetwork(cause: string, answered: boolean): void {
    if (!this.net) return;
    if (this.net.direction === 'inbound' && !answered) this.net.reject(cause);
    else this.net.hangup(cause);
  }

  /** The CDR patch a leg effect implies, applied to this leg's row (`state` must already be the state after it). */
  patch(effect: LegEffect): CallPatch | undefined {
    const patch = this.patchFor(effect);
    if (patch) this.row = { ...this.row, ...patch };
    return patch;
  }

  private patchFor(effect: LegEffect): CallPatch | undefined {
    switch (effect.type) {
      case 'ringing':
        return {
          call_status: 'ringing',
          call_state: effect.early ? 'EARLY MEDIA' : 'RINGING',
          ring_time: this.state.ringAt ?? this.now(),
        };
      case 'answered':
        return { call_status: 'in-progress', call_state: 'ANSWER', answer_time: this.state.answerAt ?? this.now() };
      case 'ended': {
        const row = CAUSES[effect.end.reason];
        const timing = { answer_time: this.row.answer_time, end_time: effect.end.at };
        const duration = durationSeconds(timing);
        return {
          call_status: effect.end.status,
          call_state: 'COMPLETED',
          end_time: effect.end.at,
          call_duration: duration,
          bill_duration: duration,
          billed_duration: billedSeconds(timing, this.billingIncrementS),
          hangup_cause: row.cause,
          hangup_cause_code: row.code,
          hangup_cause_name: row.name,
          hangup_source: effect.end.source,
        };
      }
      default:
        return undefined;
    }
  }
}
