/**
 * The call machine's vocabulary (call-machine.ts): its configuration (the call's setup, read once),
 * its state (the A leg, the document's position, the call's timers, the Dial), its inputs and its
 * effects. Pure types and data.
 */
import type { EndReason, HangupSource } from '../domain/causes.ts';
import type { CallEventType } from '../domain/events.ts';
import type { Method } from '../xml/elements.ts';
import type { CallSetup } from './call-setup.ts';
import type { DialConfig, DialEffect, DialInput, DialState } from './dial-model.ts';
import { initialLeg, type LegEffect, type LegInput, type LegState } from './leg-machine.ts';

// ---------------------------------------------------------------------------------------------
// Configuration: the call's setup, read once.

export interface CallConfig {
  /** Outbound: the engine asks the network for the leg and starts the document on answer. Inbound: the document starts at once. */
  readonly direction: 'inbound' | 'outbound';
  /** `ring_timeout`: from origination until an unanswered call is cancelled. */
  readonly ringTimeoutMs?: number;
  /** `hangup_on_ring`: from the first ring. */
  readonly hangupOnRingMs?: number;
  /** `time_limit`: from the answer (a transferred B leg: from its adoption). */
  readonly timeLimitMs: number;
  /** `send_digits`: played to the called party on answer, or on its early media with `sendOnPreanswer`. */
  readonly sendDigits?: string;
  readonly sendOnPreanswer: boolean;
  /** `machine_detection` (plivo.md §1.3, §2.6). */
  readonly machineDetection?: { readonly hangup: boolean; readonly timeMs: number; readonly maxSpeechMs: number };
  /** A program (a flow) runs instead of answer_url. */
  readonly program: boolean;
}

/** The machine's view of a call's setup. */
export function callConfig(direction: 'inbound' | 'outbound', setup: CallSetup): CallConfig {
  const md = setup.machineDetection;
  return {
    direction,
    ...(setup.ringTimeoutS !== undefined ? { ringTimeoutMs: setup.ringTimeoutS * 1000 } : {}),
    ...(setup.hangupOnRingS !== undefined ? { hangupOnRingMs: setup.hangupOnRingS * 1000 } : {}),
    timeLimitMs: setup.timeLimitS * 1000,
    ...(setup.sendDigits ? { sendDigits: setup.sendDigits } : {}),
    sendOnPreanswer: setup.sendOnPreanswer,
    ...(md ? { machineDetection: { hangup: md.hangup, timeMs: md.timeMs, maxSpeechMs: md.maxSpeechMs } } : {}),
    program: setup.program !== undefined,
  };
}

// ---------------------------------------------------------------------------------------------
// State, inputs, effects.

export type CallTimer = 'ring-timeout' | 'hangup-on-ring' | 'time-limit' | 'machine-detection' | 'scheduled-hangup';

/**
 * Where the call's document is: `none` (not started: an outbound call not answered yet), `fetching`
 * (answer_url / fallback_url, or a transfer's URL), `running` (the interpreter has it), `winding-down`
 * (stopped by the call's end or a transfer, not returned yet), `done`.
 */
export type DocumentPhase = 'none' | 'fetching' | 'running' | 'winding-down' | 'done';

/** Which document to fetch: the app's answer_url (then fallback_url), or a transfer's URL. */
export type DocumentSource = 'answer' | { readonly url: string; readonly method: Method };

/** `open`; `recordings`: the call ended and its document wound down, recordings are being stopped; `closed`: leg.ended is recorded. */
export type ClosePhase = 'open' | 'recordings' | 'closed';

export interface CallState {
  readonly leg: LegState;
  readonly doc: DocumentPhase;
  /** A transfer waiting for the running document to wind down. */
  readonly transfer?: { readonly url: string; readonly method: Method };
  readonly close: ClosePhase;
  /** Timers started and neither fired nor cancelled. */
  readonly timers: readonly CallTimer[];
  /** What machine detection will report (from the answer). */
  readonly machine?: boolean;
  /** The Dial running now, or the last one (with its result). */
  readonly dial?: { readonly seq: number; readonly config: DialConfig; readonly state: DialState };
  /** How many Dials began. */
  readonly dials: number;
}

export type CallInput =
  /** Outbound: ask the network for the A leg. */
  | { readonly type: 'start'; readonly at: number }
  /** The network took the A leg; `data` is what `leg.originated` records. */
  | { readonly type: 'originated'; readonly at: number; readonly data: Record<string, unknown> }
  | { readonly type: 'originate-failed'; readonly at: number; readonly error: string }
  /** Inbound: the leg is ringing here; the app decides whether and when it is answered. */
  | { readonly type: 'start-inbound'; readonly at: number }
  /** A B leg transferred out of its Dial (answered already) runs the document at `url` as a call of its own. */
  | { readonly type: 'start-transferred'; readonly url: string; readonly method: Method; readonly at: number }
  /** The A leg's network event, or an end asked by the engine (the live registry, a conference). */
  | { readonly type: 'leg'; readonly input: LegInput }
  /** The document needs an answered call (inbound). */
  | { readonly type: 'answer'; readonly at: number }
  /** Hangup API: cancel before answer, hang up after (engine.md §2). */
  | { readonly type: 'api-hangup'; readonly at: number }
  /** Transfer API: the running document stops and the XML at `url` takes over. */
  | { readonly type: 'transfer'; readonly url: string; readonly method: Method; readonly at: number }
  | { readonly type: 'timer'; readonly name: CallTimer; readonly at: number }
  /** `<Hangup schedule="N">`. */
  | { readonly type: 'schedule-hangup'; readonly ms: number; readonly at: number }
  /** The document fetch came back (answer_url then fallback_url, or the transfer's URL). */
  | { readonly type: 'fetched'; readonly ok: true; readonly at: number }
  | { readonly type: 'fetched'; readonly ok: false; readonly reason: EndReason; readonly at: number }
  /** The interpreter returned: how the call should end, or `aborted` (it was stopped). */
  | { readonly type: 'document-ended'; readonly outcome: DocumentOutcome; readonly at: number }
  | { readonly type: 'recordings-stopped'; readonly at: number }
  /** A `<Dial>` stored dial.started: its machine starts (or is cancelled at once when the call is ending). */
  | { readonly type: 'dial-begin'; readonly config: DialConfig; readonly at: number }
  /** An input of Dial number `seq`. */
  | { readonly type: 'dial'; readonly seq: number; readonly input: DialInput };

export type DocumentOutcome = { readonly type: 'end'; readonly reason: EndReason; readonly source?: HangupSource } | { readonly type: 'aborted' };

export type CallEffect =
  | { readonly type: 'originate' }
  /** The leg machine's network end: CANCEL before answer, BYE after, a rejection for unanswered inbound. */
  | { readonly type: 'hangup'; readonly cause: string; readonly answered: boolean }
  /** Inbound: tell the network the engine answers. */
  | { readonly type: 'answer' }
  /**
   * An event of the call; `cdr`: the leg effect whose CDR patch goes with it; `webhook`: the notification
   * it causes, if its URL is set; `at`: when it happened, if not now (leg.ended: when the leg ended).
   */
  | { readonly type: 'record'; readonly event: CallEventType; readonly data?: Record<string, unknown>; readonly cdr?: LegEffect; readonly webhook?: 'ring' | 'hangup' | 'machine_detection'; readonly at?: number }
  /** The CDR row takes the leg effect's patch now (the end: seen by the API and the Dial's callbacks before leg.ended is recorded). */
  | { readonly type: 'cdr'; readonly cdr: LegEffect }
  | { readonly type: 'send-digits'; readonly digits: string }
  /** The caller's keys, handed to the document (GetDigits, Conference). */
  | { readonly type: 'digits'; readonly digits: string }
  | { readonly type: 'timer.start'; readonly name: CallTimer; readonly ms: number }
  | { readonly type: 'timer.cancel'; readonly name: CallTimer }
  | { readonly type: 'warn'; readonly message: string }
  | { readonly type: 'fetch'; readonly source: DocumentSource }
  | { readonly type: 'run-document' }
  | { readonly type: 'run-program' }
  /** Stop the document (its signal): it winds down and returns `document-ended`. */
  | { readonly type: 'abort-document' }
  /** Live-call Play / Speak stop with the call. */
  | { readonly type: 'stop-media' }
  /** Recordings end with the call; `recordings-stopped` comes back. */
  | { readonly type: 'stop-recordings' }
  /** An effect of the running Dial, performed by its runner (dial-runner.ts). */
  | { readonly type: 'dial'; readonly effect: DialEffect }
  /** leg.ended is recorded: the call leaves the live registry and is done. */
  | { readonly type: 'closed' };

export interface CallStep {
  readonly state: CallState;
  readonly effects: readonly CallEffect[];
}

/** A new call; `leg`: the state of a leg that exists already (a B leg transferred out of its Dial). */
export function initialCall(leg?: LegState): CallState {
  return { leg: leg ?? initialLeg('Caller'), doc: 'none', close: 'open', timers: [], dials: 0 };
}

/** The warning recorded when the network cannot say who answered a call with machine detection. */
export const MACHINE_UNKNOWN =
  'machine_detection: the network did not say who answered (a simulated script can, with `answer machine`; SIP has no media analysis here): reported as a person';
