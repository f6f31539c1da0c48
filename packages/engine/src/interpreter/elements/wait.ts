import type { WaitElement } from '../../xml/elements.ts';
import { NEXT, type ElementHandler } from '../context.ts';
import { playMedia } from '../media-time.ts';

/**
 * `<Wait>`: `length` seconds. With `silence="true"` the wait ends once `minSilence` of silence is
 * heard; the simulated network is always silent, so that is `minSilence` (capped by `length`).
 */
export const wait: ElementHandler<WaitElement> = async (el, ctx) => {
  await playMedia(el, ctx);
  return NEXT;
};
