/** What a number answers with: the application an inbound call runs (docs/numbers.md). */
import type { Method } from '../xml/elements.ts';
import type { CallProgram } from '../interpreter/run-document.ts';

export interface InboundApp {
  answerUrl: string;
  answerMethod: Method;
  fallbackUrl?: string;
  fallbackMethod?: Method;
  hangupUrl?: string;
  hangupMethod?: Method;
  /** A flow attached to the number: runs instead of answerUrl (which then only labels the call). */
  program?: CallProgram;
  /** The number's owner: the inbound call is that account's (docs/accounts.md); absent = the main account. */
  account?: string | null;
}

/** Decides which application answers an inbound call to `to`; undefined = nobody: the call is rejected. */
export type InboundRouter = (to: string, from: string) => Promise<InboundApp | undefined>;
