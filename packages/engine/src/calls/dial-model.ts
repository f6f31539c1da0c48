/**
 * The Dial machine's vocabulary (dial-machine.ts): its configuration (the Dial element, read once),
 * its state, its inputs and its effects. Pure types and data.
 */
import type { EndReason, HangupSource } from '../domain/causes.ts';
import type { DialResult } from '../domain/dial.ts';
import type { CallEventType } from '../domain/events.ts';
import type { DialElement } from '../xml/elements.ts';
import type { DialAction } from '../webhooks/params.ts';
import { initialLeg, type LegEffect, type LegInput, type LegState } from './leg-machine.ts';

// ---------------------------------------------------------------------------------------------
// Configuration: the Dial element, read once.

export interface DialLegConfig {
  readonly uuid: string;
  /** 1-based index of the noun (DialBLegPosition). */
  readonly position: number;
  /** The number or URI dialled (for the warning when it cannot be placed). */
  readonly to: string;
  /** Keys played to the callee: on its early media with `sendOnPreanswer`, else on answer. */
  readonly sendDigits?: string;
  readonly sendOnPreanswer: boolean;
}

export interface DialConfig {
  readonly legs: readonly DialLegConfig[];
  /** Ring timeout (the Dial's `timeout`); undefined: none. */
  readonly timeoutMs?: number;
  /** The Dial's `timeLimit`, counted from the bridge. */
  readonly timeLimitMs: number;
  readonly confirmKey?: string;
  /** How long an answered callee has to press confirmKey: the confirmSound's play time + confirmTimeout. */
  readonly confirmMs: number;
  readonly hangupOnStar: boolean;
  readonly digitsMatch: readonly string[];
  readonly digitsMatchBLeg: readonly string[];
  /** No dialMusic of its own (absent or `real`): the caller hears a callee's early media. */
  readonly callerHearsEarlyMedia: boolean;
}

/** The machine's view of a Dial element; `confirmPlayMs` is the fetched confirmSound's play time. */
export function dialConfig(el: DialElement, legs: ReadonlyArray<{ uuid: string; to: string }>, confirmPlayMs = 0): DialConfig {
  const music = el.dialMusic;
  return {
    legs: legs.map((l, i) => {
      const target = el.targets[i]!;
      return {
        uuid: l.uuid,
        position: i + 1,
        to: l.to,
        ...(target.sendDigits !== undefined ? { sendDigits: target.sendDigits } : {}),
        sendOnPreanswer: target.sendOnPreanswer,
      };
    }),
    ...(el.timeout !== undefined && el.timeout > 0 ? { timeoutMs: el.timeout * 1000 } : {}),
    timeLimitMs: el.timeLimit * 1000,
    ...(el.confirmKey ? { confirmKey: el.confirmKey } : {}),
    confirmMs: confirmPlayMs + el.confirmTimeout * 1000,
    hangupOnStar: el.hangupOnStar,
    digitsMatch: el.digitsMatch,
    digitsMatchBLeg: el.digitsMatchBLeg,
    callerHearsEarlyMedia: !music || music === 'real',
  };
}

// ---------------------------------------------------------------------------------------------
// State, inputs, effects.

/** `ring`: the Dial's timeout; `limit`: its timeLimit; `confirm:<i>`: leg i's confirmTimeout. */
export type DialTimer = 'ring' | 'limit' | `confirm:${number}`;

export interface DialLegState {
  readonly leg: LegState;
  /** Answered and waiting for the callee's confirmKey. */
  readonly confirming: boolean;
  readonly bridged: boolean;
  /** Taken out of the Dial by the transfer API: up, but no longer the Dial's. */
  readonly transferred: boolean;
  /** Keys the callee pressed since the last digitsMatchBLeg match. */
  readonly digits: string;
}

/** `new`: dial.started is being written; `placing`: legs placed one by one; `dialing`; `done`. */
export type DialPhase = 'new' | 'placing' | 'dialing' | 'done';

export interface DialState {
  readonly phase: DialPhase;
  /** How many legs were placed (or failed to be) so far. */
  readonly placed: number;
  readonly legs: readonly DialLegState[];
  /** Index of the bridged leg. */
  readonly winner?: number;
  /** The A leg ended the dial before any B leg was bridged. */
  readonly cancelledByALeg: boolean;
  /** Keys the caller pressed since the last digitsMatch match. */
  readonly aDigits: string;
  /** Timers started and neither fired nor cancelled. */
  readonly timers: readonly DialTimer[];
  readonly result?: DialResult;
}

export type DialInput =
  /** dial.started is stored: place the legs. */
  | { readonly type: 'start'; readonly at: number }
  /** The network took leg `leg`; `data` is what `leg.originated` records. */
  | { readonly type: 'originated'; readonly leg: number; readonly at: number; readonly data: Record<string, unknown> }
  | { readonly type: 'originate-failed'; readonly leg: number; readonly at: number; readonly error: string }
  /** A B leg's network event, or an end asked for it from outside (its own Hangup API). */
  | { readonly type: 'leg'; readonly leg: number; readonly input: LegInput }
  | { readonly type: 'timer'; readonly name: DialTimer; readonly at: number }
  | { readonly type: 'a-digits'; readonly digits: string; readonly at: number }
  /** The A leg ended (or its document was stopped by a transfer): its reason and source, if known. */
  | { readonly type: 'a-ended'; readonly reason?: EndReason; readonly source?: HangupSource; readonly at: number }
  /** The transfer API takes the bridged callee. */
  | { readonly type: 'transfer'; readonly at: number };

export type DialEffect =
  | { readonly type: 'originate'; readonly leg: number }
  /** The leg machine's network end: CANCEL before answer, BYE after. */
  | { readonly type: 'hangup'; readonly leg: number; readonly cause: string; readonly answered: boolean }
  /** An event of the call (`leg: 'a'`) or of a B leg; `cdr`: the leg effect whose CDR patch goes with it. */
  | { readonly type: 'record'; readonly leg: number | 'a'; readonly event: CallEventType; readonly data?: Record<string, unknown>; readonly cdr?: LegEffect }
  /** The `dial.<action>` event of the call, with its callbackUrl report (engine.md §1). */
  | { readonly type: 'notify'; readonly leg: number; readonly action: DialAction; readonly digitsMatch?: string; readonly pressedBy?: 'ALeg' | 'BLeg' }
  | { readonly type: 'send-digits'; readonly leg: number; readonly digits: string }
  /** The caller hears this callee's early media. */
  | { readonly type: 'early-media'; readonly leg: number }
  /** An inbound caller still ringing is answered as the bridge connects it. */
  | { readonly type: 'answer-a' }
  | { readonly type: 'bridge'; readonly leg: number }
  | { readonly type: 'timer.start'; readonly name: DialTimer; readonly ms: number }
  | { readonly type: 'timer.cancel'; readonly name: DialTimer }
  /** The leg leaves the live-call registry. */
  | { readonly type: 'unregister'; readonly leg: number }
  | { readonly type: 'warn'; readonly message: string }
  | { readonly type: 'done'; readonly result: DialResult };

export interface DialStep {
  readonly state: DialState;
  readonly effects: readonly DialEffect[];
}

export function initialDial(config: DialConfig): DialState {
  return {
    phase: 'new',
    placed: 0,
    legs: config.legs.map(() => ({ leg: initialLeg('Callee'), confirming: false, bridged: false, transferred: false, digits: '' })),
    cancelledByALeg: false,
    aDigits: '',
    timers: [],
  };
}

/** The pattern of `patterns` the pressed keys end with, if any. */
export function matchPattern(buffer: string, patterns: readonly string[]): string | undefined {
  for (const p of patterns) if (p !== '' && buffer.endsWith(p)) return p;
  return undefined;
}

/** The warning recorded on the call when a leg cannot be placed (dial-replay.ts reads it back). */
export const PLACE_FAILED = 'Dial: could not place a call to ';
