/** The URLs and limits one A leg runs with (from Make-a-Call, or a number's application). */
import type { Method } from '../xml/elements.ts';
import type { CallProgram } from '../interpreter/run-document.ts';

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

/** A Make-a-Call request, read and defaulted by the API (api/params/make-call.ts, plivo.md §1.3). */
export interface MakeCallRequest {
  /** Caller ID in normal form: digits without `+`, or a SIP URI untouched (engine.md §1). */
  from: string;
  /** One destination per call to place, normalised, duplicates removed, in the order given. */
  to: string[];
  answerUrl: string;
  answerMethod: Method;
  ringUrl?: string;
  ringMethod: Method;
  hangupUrl?: string;
  hangupMethod: Method;
  fallbackUrl?: string;
  fallbackMethod: Method;
  callerName?: string;
  /** As given, e.g. `1w2w3@1000`; checked against Plivo's DTMF syntax. */
  sendDigits?: string;
  sendOnPreanswer: boolean;
  /** Seconds after answer, 1..86400. */
  timeLimit: number;
  hangupOnRing?: number;
  /** `X-PH-<Name>` -> value. */
  sipHeaders: Record<string, string>;
  ringTimeout: number;
  parentCallUuid?: string;
  errorIfParentNotFound: boolean;
  callbackUrl?: string;
  callbackMethod: Method;
  machineDetection?: MachineDetection;
  /** Things changed or dropped on the way in (cut time_limit, dropped SIP headers, duplicate destinations). */
  warnings: string[];
  /** Keys the body carried that Switchboard does not use, in body order. */
  ignored: string[];
}
