import type { HangupElement } from '../../xml/elements.ts';
import { NEXT, type ElementHandler } from '../context.ts';

/**
 * `<Hangup>` (plivo.md §4.2): `schedule` hangs up later while the document goes on (the reason is
 * then ignored, as Plivo does); `reason` rejects an unanswered call as busy or rejected.
 */
export const hangup: ElementHandler<HangupElement> = async (el, ctx) => {
  if (el.schedule !== undefined) {
    ctx.scheduleHangup(el.schedule);
    return NEXT;
  }
  if (!ctx.isAnswered() && el.reason === 'busy') return { type: 'end', reason: 'xml-busy' };
  if (!ctx.isAnswered() && el.reason === 'rejected') return { type: 'end', reason: 'xml-rejected' };
  return { type: 'end', reason: 'xml-hangup' };
};
