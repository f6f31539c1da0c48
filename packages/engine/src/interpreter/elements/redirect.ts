import type { RedirectElement } from '../../xml/elements.ts';
import { callParams } from '../../webhooks/params.ts';
import type { ElementHandler } from '../context.ts';

/** `<Redirect>`: the XML at the URL replaces the rest of the document; a failed fetch ends the call (engine.md §2, 5020). */
export const redirect: ElementHandler<RedirectElement> = async (el, ctx) => {
  const res = await ctx.fetchDocument({
    kind: 'redirect',
    event: 'Redirect',
    url: el.url,
    method: el.method,
    params: callParams(ctx.call(), 'Redirect'),
  });
  if (!res.ok) return { type: 'end', reason: 'action-failed' };
  return { type: 'goto', document: res.document, url: el.url };
};
