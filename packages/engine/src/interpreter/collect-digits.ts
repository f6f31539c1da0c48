/**
 * Shared by GetDigits and GetInput: reads keys from the caller while (and after) a prompt plays.
 * A key pressed during the prompt counts (barge-in), which on the clock is the same as waiting
 * for the first key for the prompt's length plus the timeout.
 */
import type { MediaElement } from '../xml/elements.ts';
import type { CallContext } from './context.ts';
import { onceMs } from './media-time.ts';

export interface CollectRules {
  firstTimeoutMs: number;
  nextTimeoutMs: number;
  finishOnKey: string;
  numDigits: number;
  validDigits?: string;
  /** Hard cap on the whole collection (GetInput's executionTimeout). */
  totalMs?: number;
}

export type Collected = { readonly digits: string; readonly invalid: boolean };

export function promptMs(children: readonly MediaElement[], ctx: CallContext): number {
  let ms = 0;
  for (const c of children) ms += onceMs(c, ctx.media) * (c.kind === 'Wait' ? 1 : Math.max(1, c.loop));
  return ms;
}

export async function collectDigits(ctx: CallContext, prompt: readonly MediaElement[], rules: CollectRules): Promise<Collected> {
  const collector = ctx.collectDigits();
  const started = ctx.clock.now();
  let digits = '';
  try {
    let timeout = promptMs(prompt, ctx) + rules.firstTimeoutMs;
    for (;;) {
      if (rules.totalMs !== undefined) timeout = Math.min(timeout, rules.totalMs - (ctx.clock.now() - started));
      if (timeout <= 0) break;
      const key = await collector.next(timeout);
      if (key === undefined) break;
      if (rules.finishOnKey !== '' && rules.finishOnKey.includes(key)) break;
      if (rules.validDigits !== undefined && !rules.validDigits.includes(key)) return { digits, invalid: true };
      digits += key;
      if (digits.length >= rules.numDigits) break;
      timeout = rules.nextTimeoutMs;
    }
  } finally {
    collector.close();
  }
  return { digits, invalid: false };
}
