import type { GetInputElement } from '../../xml/elements.ts';
import { NEXT, type ElementHandler } from '../context.ts';
import { collectDigits, promptMs } from '../collect-digits.ts';
import { digitsAction } from './get-digits.ts';

/** How long `digitEndTimeout="auto"` waits between keys. */
const AUTO_DIGIT_END_MS = 5000;

/**
 * `<GetInput>`: DTMF input only — speech needs media analysis Switchboard does not have. A
 * speech-only GetInput is skipped with a warning; `dtmf speech` listens for keys.
 */
export const getInput: ElementHandler<GetInputElement> = async (el, ctx) => {
  if (el.inputType === 'speech') {
    ctx.warn('GetInput: speech input is not supported by Switchboard; element skipped');
    return NEXT;
  }
  if (el.inputType === 'dtmf speech') ctx.warn('GetInput: speech input is not supported; listening for keys only');
  const nextMs = el.digitEndTimeout === 'auto' ? AUTO_DIGIT_END_MS : el.digitEndTimeout * 1000;
  const got = await collectDigits(ctx, el.children, {
    firstTimeoutMs: el.executionTimeout * 1000,
    nextTimeoutMs: nextMs,
    finishOnKey: el.finishOnKey,
    numDigits: el.numDigits,
    // executionTimeout caps the whole collection, counted from the end of the prompt.
    totalMs: promptMs(el.children, ctx) + el.executionTimeout * 1000,
  });
  if (got.digits === '') return NEXT;
  return digitsAction(ctx, el.action, el.method, el.redirect, got.digits, 'dtmf');
};
