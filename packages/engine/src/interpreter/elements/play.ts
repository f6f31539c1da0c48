import type { PlayElement } from '../../xml/elements.ts';
import { NEXT, type ElementHandler } from '../context.ts';
import { playMedia } from '../media-time.ts';

/** `<Play>`: the configured default length times `loop`; the audio itself is simulated. */
export const play: ElementHandler<PlayElement> = async (el, ctx) => {
  await playMedia(el, ctx);
  return NEXT;
};
