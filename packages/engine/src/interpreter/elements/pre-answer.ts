import type { PreAnswerElement } from '../../xml/elements.ts';
import { NEXT, type ElementHandler } from '../context.ts';
import { handlerFor } from '../element-factory.ts';

/** `<PreAnswer>`: its children run in early media, before the call is answered. */
export const preAnswer: ElementHandler<PreAnswerElement> = async (el, ctx) => {
  for (const child of el.children) {
    const result = await handlerFor(child)(child, ctx);
    if (result.type !== 'next') return result;
  }
  return NEXT;
};
