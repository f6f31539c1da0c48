/** The URLs and limits one A leg runs with (from Make-a-Call, or a number's application). */
import type { Method } from '../xml/elements.ts';
import type { CallContext } from '../interpreter/context.ts';
import type { RunOutcome } from '../interpreter/run-document.ts';

/**
 * A call driven by code instead of an answer_url (a flow, docs/flows.md): it gets the call's
 * context where a document would be run, and says how the call ends, like runDocument does.
 */
export type CallProgram = (ctx: CallContext) => Promise<RunOutcome>;

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
  /** When set, runs instead of fetching answer_url (answerUrl then only labels the call). */
  program?: CallProgram;
}
