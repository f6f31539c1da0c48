import type { DtmfElement } from '../../xml/elements.ts';
import { NEXT, type ElementHandler } from '../context.ts';

/** Time one key takes to play, and the `w` / `W` pauses (plivo.md §1.3, send_digits). */
const KEY_MS = 100;
const PAUSE_MS: Record<string, number> = { w: 500, W: 1000 };

export function digitsDurationMs(digits: string): number {
  let ms = 0;
  for (const ch of digits) ms += PAUSE_MS[ch] ?? KEY_MS;
  return ms;
}

/** `<DTMF>`: sends keys to the caller; with `async="false"` the document waits until they are played. */
export const dtmf: ElementHandler<DtmfElement> = async (el, ctx) => {
  ctx.sendDigits(el.digits);
  if (!el.async) await ctx.clock.sleep(digitsDurationMs(el.digits), ctx.signal);
  return NEXT;
};
