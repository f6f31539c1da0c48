/** What a <Dial> came to: the data its action URL and callbacks report (plivo.md §3.3). */
import type { DialStatus } from './causes.ts';

export interface DialResult {
  status: DialStatus;
  rang: boolean;
  hangupCause: string;
  bLegUuid: string;
}
