/**
 * How long simulated media takes on the clock: there is no audio on the simulated network, but a
 * Speak or Play still holds the call for as long as a caller would hear it.
 */
import type { MediaElement } from '../xml/elements.ts';
import type { CallContext, MediaSettings } from './context.ts';

/** About `wordsPerMinute` words a minute, at least one second per non-empty text. */
export function speakMs(text: string, media: MediaSettings): number {
  const words = text.trim().split(/\s+/).filter(Boolean).length;
  if (words === 0) return 0;
  return Math.max(1000, Math.round((words / media.speakWordsPerMinute) * 60_000));
}

/** One pass of a media element, in ms. */
export function onceMs(el: MediaElement, media: MediaSettings): number {
  switch (el.kind) {
    case 'Speak':
      return speakMs(el.text, media);
    case 'Play':
      return media.playMs;
    case 'Wait':
      return el.silence ? Math.min(el.minSilence, el.length * 1000) : el.length * 1000;
  }
}

/** Plays a media element on the clock; `loop` 0 holds until the call ends. */
export async function playMedia(el: MediaElement, ctx: CallContext): Promise<void> {
  const once = onceMs(el, ctx.media);
  if (el.kind !== 'Wait' && el.loop === 0) {
    await new Promise<void>((_, reject) => {
      if (ctx.signal.aborted) reject(ctx.signal.reason);
      ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true });
    });
    return;
  }
  const loops = el.kind === 'Wait' ? 1 : el.loop;
  const total = once * loops;
  if (total > 0) await ctx.clock.sleep(total, ctx.signal);
}
