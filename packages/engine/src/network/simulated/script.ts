/**
 * The typed tree of a simulator script (engine.md §4). The parser builds it, the planner plays it;
 * nothing here knows about text positions or timers.
 */

/** A delay in milliseconds; `minMs < maxMs` is a range drawn uniformly when the step runs. */
export interface Duration {
  readonly minMs: number;
  readonly maxMs: number;
}

/** What a script describes: a number's behaviour (outbound legs) or a caller's (inbound legs). */
export type ScriptKind = 'number' | 'caller';

export type Step =
  | { readonly kind: 'ring'; readonly dur?: Duration } // 180, then wait
  | { readonly kind: 'early'; readonly dur?: Duration } // 183 with early media, then wait
  | { readonly kind: 'answer'; readonly by?: AnsweredBy } // 200; `answer machine`: a machine picked up
  | { readonly kind: 'hangupAfter'; readonly dur: Duration } // measured from the answer
  | { readonly kind: 'digits'; readonly digits: string; readonly after: Duration } // measured from the answer
  | { readonly kind: 'talk'; readonly dur: Duration } // after answer, one after another with `silence`: the party talks this long
  | { readonly kind: 'silence'; readonly dur: Duration } // ... or is silent this long
  | { readonly kind: 'busy' }
  | { readonly kind: 'reject' }
  | { readonly kind: 'noAnswer' } // rings until the caller gives up
  | { readonly kind: 'timeout' } // never replies
  | { readonly kind: 'fail'; readonly cause: string } // an upper-case cause from FAILABLE_CAUSES
  /** After answer, whenever the engine has sent `keys` to this party: it hangs up, or presses `reply`. */
  | { readonly kind: 'on'; readonly keys: string; readonly then: Reaction };

/** Who picks up (`answer human` / `answer machine`), for machine detection; plain `answer` says nothing. */
export type AnsweredBy = 'human' | 'machine';

/** What a party does when it hears the keys an `on` step waits for. */
export type Reaction = { readonly kind: 'hangup' } | { readonly kind: 'digits'; readonly digits: string };

export type StepKind = Step['kind'];

export interface Branch {
  /** The weight as written (0-100); absent when the branch shares what the others leave. */
  readonly weight?: number;
  readonly steps: readonly Step[];
}

export interface Script {
  readonly branches: readonly Branch[];
}

/** How each step is spelled in scripts and in error messages. */
export const STEP_WORDS: Readonly<Record<StepKind, string>> = {
  ring: 'ring',
  early: 'early',
  answer: 'answer',
  hangupAfter: 'hangup after',
  digits: 'digits',
  talk: 'talk',
  silence: 'silence',
  busy: 'busy',
  reject: 'reject',
  noAnswer: 'no-answer',
  timeout: 'timeout',
  fail: 'fail',
  on: 'on',
};

/** Steps that end a branch before answer: nothing may follow them. */
export const TERMINAL_STEPS: ReadonlySet<StepKind> = new Set(['busy', 'reject', 'noAnswer', 'timeout', 'fail']);

/** The cause a bare `fail` stands for (engine.md §4). */
export const DEFAULT_FAIL_CAUSE = 'NORMAL_TEMPORARY_FAILURE';

/** Durations are capped so a timer never overflows a 32-bit millisecond delay. */
export const MAX_DURATION_MS = 24 * 60 * 60 * 1000;

/** Pauses inside `digits` (engine.md §4): `w` half a second, `W` one second. */
export const PAUSE_MS: Readonly<Record<'w' | 'W', number>> = { w: 500, W: 1000 };
