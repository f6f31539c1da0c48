import type { SpeakElement } from '../../xml/elements.ts';
import { NEXT, type ElementHandler } from '../context.ts';
import { playMedia } from '../media-time.ts';

/** `<Speak>`: about 150 words a minute times `loop` (plivo.md §4.2). */
export const speak: ElementHandler<SpeakElement> = async (el, ctx) => {
  await playMedia(el, ctx);
  return NEXT;
};
