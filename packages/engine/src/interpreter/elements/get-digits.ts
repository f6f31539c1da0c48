import type { GetDigitsElement } from '../../xml/elements.ts';
import { digitsActionParams } from '../../webhooks/params.ts';
import { NEXT, type ElementHandler, type ElementResult } from '../context.ts';
import type { CallContext } from '../context.ts';
import { collectDigits } from '../collect-digits.ts';

/**
 * `<GetDigits>` (plivo.md §4.2): plays its children and collects keys from the caller's side. With
 * digits, the action gets `Digits`; with `redirect` its XML replaces the document. Without input
 * after every retry, the document goes on with the next element.
 */
export const getDigits: ElementHandler<GetDigitsElement> = async (el, ctx) => {
  for (let attempt = 0; attempt < Math.max(1, el.retries); attempt++) {
    const got = await collectDigits(ctx, el.children, {
      firstTimeoutMs: el.timeout * 1000,
      nextTimeoutMs: el.digitTimeout * 1000,
      finishOnKey: el.finishOnKey,
      numDigits: el.numDigits,
      validDigits: el.validDigits,
    });
    if (got.invalid) {
      if (el.invalidDigitsSound) ctx.warn('GetDigits: invalid key pressed; invalidDigitsSound is not played on the simulated network');
      continue;
    }
    if (got.digits !== '') return digitsAction(ctx, el.action, el.method, el.redirect, got.digits);
  }
  return NEXT;
};

/** Shared with GetInput: the action request once input was collected. */
export async function digitsAction(
  ctx: CallContext,
  action: string | undefined,
  method: 'GET' | 'POST',
  redirect: boolean,
  digits: string,
  inputType?: string,
): Promise<ElementResult> {
  if (!action) return NEXT;
  const params = digitsActionParams(ctx.call(), digits, inputType);
  if (!redirect) {
    ctx.notify({ kind: 'digits', event: 'Redirect', url: action, method, params });
    return NEXT;
  }
  const res = await ctx.fetchDocument({ kind: 'digits', event: 'Redirect', url: action, method, params });
  if (!res.ok) return { type: 'end', reason: 'action-failed' };
  return { type: 'goto', document: res.document, url: action };
}
