/** The URLs and limits one A leg runs with (from Make-a-Call, or a number's application). */
import type { Method } from '../xml/elements.ts';
import type { CallContext } from '../interpreter/context.ts';
import type { RunOutcome } from '../interpreter/run-document.ts';

/**
 * A call driven by code instead of an answer_url (a flow, docs/flows.md): it gets the call's
 * context where a document would be run, and says how the call ends, like runDocument does.
 */
export type CallProgram = (ctx: CallContext) => Promise<RunOutcome>;

export interface MachineDetection {
  /** `machine_detection=hangup`: a machine ends the call; `true`: the call goes on and is only reported. */
  readonly hangup: boolean;
  /** `machine_detection_time`: how long detection listens after the answer, ms. */
  readonly timeMs: number;
  /** `machine_detection_maximum_speech_length`: a greeting this long is a machine's, ms. */
  readonly maxSpeechMs: number;
  readonly url?: string;
  readonly method: Method;
}

export interface CallSetup {
  answerUrl: string;
  answerMethod: Method;
  fallbackUrl?: string;
  fallbackMethod: Method;
  ringUrl?: string;
  ringMethod: Method;
  hangupUrl?: string;
  hangupMethod: Method;
  /** Seconds after answer (plivo.md §1.3 time_limit). */
  timeLimitS: number;
  /** Seconds from origination until an unanswered call is cancelled. */
  ringTimeoutS?: number;
  /** Seconds after the first ring until the call is cancelled. */
  hangupOnRingS?: number;
  sendDigits?: string;
  sendOnPreanswer: boolean;
  sipHeaders: Record<string, string>;
  /** Answering machine detection (plivo.md §1.3 machine_detection*, §2.6). */
  machineDetection?: MachineDetection;
  /** When set, runs instead of fetching answer_url (answerUrl then only labels the call). */
  program?: CallProgram;
}
