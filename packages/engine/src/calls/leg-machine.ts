/**
 * The Leg state machine, pure: `nextLeg(state, input) -> { state, effects }` (DESIGN.md, STYLE.md §4).
 * Effects are data; the runner (`leg-runner.ts`) performs them. A leg reaches `ended` exactly once:
 * every input after that is ignored, which is how the invariant of engine.md §2 ("every leg exactly one
 * terminal state, one cause, recorded once") holds by construction.
 */
import type { LegEvent } from '../network/network.ts';
import { CAUSES, finalCallStatus, type CallStatus, type EndReason, type HangupSource } from '../domain/causes.ts';

export type LegPhase = 'queued' | 'trying' | 'ringing' | 'early' | 'answered' | 'ended';

/** Which party the far end of this leg is: decides the HangupSource of a normal hangup. */
export type FarParty = 'Caller' | 'Callee';

export interface LegEnd {
  readonly reason: EndReason;
  readonly source: HangupSource;
  readonly at: number;
  readonly status: CallStatus;
  /** True when the engine asked for the end (so the network must be told). */
  readonly local: boolean;
}

export interface LegState {
  readonly phase: LegPhase;
  readonly farParty: FarParty;
  readonly rang: boolean;
  readonly ringAt?: number;
  readonly answerAt?: number;
  readonly end?: LegEnd;
}

export type LegInput =
  | { readonly type: 'originated'; readonly at: number }
  | { readonly type: 'network'; readonly event: LegEvent; readonly at: number }
  /** The engine ends the leg: CANCEL before answer, BYE after, a rejection for inbound. */
  | { readonly type: 'end'; readonly reason: EndReason; readonly source?: HangupSource; readonly at: number }
  /** Inbound: the engine answered. */
  | { readonly type: 'answer'; readonly at: number };

export type LegEffect =
  | { readonly type: 'ringing'; readonly early: boolean } // first 180/183 only
  | { readonly type: 'answered'; readonly answeredBy?: 'human' | 'machine' }
  | { readonly type: 'digits'; readonly digits: string }
  | { readonly type: 'network-end'; readonly cause: string; readonly answered: boolean }
  | { readonly type: 'ended'; readonly end: LegEnd };

export interface LegStep {
  readonly state: LegState;
  readonly effects: readonly LegEffect[];
}

export function initialLeg(farParty: FarParty): LegState {
  return { phase: 'queued', farParty, rang: false };
}

function ended(state: LegState, reason: EndReason, source: HangupSource, at: number, local: boolean): LegStep {
  const answered = state.answerAt !== undefined;
  const end: LegEnd = { reason, source, at, status: finalCallStatus(reason, answered), local };
  const effects: LegEffect[] = [];
  if (local) effects.push({ type: 'network-end', cause: CAUSES[reason].cause, answered });
  effects.push({ type: 'ended', end });
  return { state: { ...state, phase: 'ended', end }, effects };
}

export function nextLeg(state: LegState, input: LegInput): LegStep {
  if (state.phase === 'ended') return { state, effects: [] };
  switch (input.type) {
    case 'originated':
      return state.phase === 'queued' ? { state: { ...state, phase: 'trying' }, effects: [] } : { state, effects: [] };
    case 'answer':
      if (state.answerAt !== undefined) return { state, effects: [] };
      return { state: { ...state, phase: 'answered', answerAt: input.at }, effects: [{ type: 'answered' }] };
    case 'end':
      return ended(state, input.reason, input.source ?? CAUSES[input.reason].source, input.at, true);
    case 'network': {
      const ev = input.event;
      switch (ev.type) {
        case 'ringing':
        case 'early-media': {
          if (state.answerAt !== undefined) return { state, effects: [] };
          const phase: LegPhase = ev.type === 'ringing' ? 'ringing' : 'early';
          if (state.rang) return { state: { ...state, phase }, effects: [] };
          return {
            state: { ...state, phase, rang: true, ringAt: input.at },
            effects: [{ type: 'ringing', early: ev.type === 'early-media' }],
          };
        }
        case 'answered':
          if (state.answerAt !== undefined) return { state, effects: [] };
          return {
            state: { ...state, phase: 'answered', answerAt: input.at },
            effects: [ev.answeredBy ? { type: 'answered', answeredBy: ev.answeredBy } : { type: 'answered' }],
          };
        case 'digits':
          return state.answerAt !== undefined || state.phase === 'early'
            ? { state, effects: [{ type: 'digits', digits: ev.digits }] }
            : { state, effects: [] };
        case 'ended': {
          // A far-end hangup of a conversation names the party; other outcomes keep the table's source.
          const source = ev.reason === 'normal' ? state.farParty : CAUSES[ev.reason].source;
          return ended(state, ev.reason, source, input.at, false);
        }
      }
    }
  }
}
