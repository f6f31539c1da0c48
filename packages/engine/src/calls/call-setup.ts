/** The URLs and limits one A leg runs with (from Make-a-Call, or a number's application). */
import type { Method } from '../xml/elements.ts';

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
}
