import type { UnsupportedElement } from '../../xml/elements.ts';
import { NEXT, type ElementHandler } from '../context.ts';

/** Conference, Stream, MultiPartyCall, Message need media or services Switchboard does not have: skipped, with a warning on the call. */
export const unsupported: ElementHandler<UnsupportedElement> = async (el, ctx) => {
  ctx.warn(`<${el.name}> is not supported by Switchboard and was skipped (line ${el.pos.line}, column ${el.pos.column})`);
  return NEXT;
};
