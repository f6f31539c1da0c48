import type { DialElement } from '../../xml/elements.ts';
import { dialActionParams } from '../../webhooks/params.ts';
import { NEXT, type ElementHandler, type WebhookRequest } from '../context.ts';

/**
 * `<Dial>` (plivo.md §3.3): the call places the B legs and reports; this element decides what the
 * document does with the result. With `action` and `redirect="true"` the action's XML replaces the
 * rest of the document (a failed fetch ends the call, engine.md §2 5020); with `redirect="false"`
 * the action is notified and the document goes on; without `action` it goes on. If the caller is
 * gone by then, the action is still reported, as a notification.
 */
export const dial: ElementHandler<DialElement> = async (el, ctx) => {
  const result = await ctx.dial(el);
  if (!el.action) return NEXT;
  const req: WebhookRequest = { kind: 'action', event: 'Redirect', url: el.action, method: el.method, params: dialActionParams(ctx.call(), result) };
  if (!el.redirect || ctx.signal.aborted) {
    ctx.notify(req);
    return NEXT;
  }
  const res = await ctx.fetchDocument(req);
  if (!res.ok) return { type: 'end', reason: 'action-failed' };
  return { type: 'goto', document: res.document, url: el.action };
};
