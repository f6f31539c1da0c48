/**
 * Runs a document against a call, element by element (DESIGN.md, "How a call flows" step 3).
 * Returns how the call should end when the document is done with it; a `goto` (Redirect, an
 * action with redirect="true") replaces the rest of the document with the fetched one.
 */
import type { ResponseDocument, Element } from '../xml/elements.ts';
import type { EndReason } from '../domain/causes.ts';
import type { CallContext } from './context.ts';
import { handlerFor, needsAnsweredCall } from './element-factory.ts';

/**
 * A call driven by code instead of an answer_url (a flow, docs/flows.md): it gets the call's
 * context where a document would be run, and says how the call ends, like runDocument does.
 */
export type CallProgram = (ctx: CallContext) => Promise<RunOutcome>;

/** A loop guard: an app whose XML redirects to itself forever still ends (plivo.md §9, "Redirect loops"). */
const MAX_DOCUMENTS = 1000;

export type RunOutcome = { readonly type: 'end'; readonly reason: EndReason } | { readonly type: 'aborted' };

export async function runDocument(first: ResponseDocument, ctx: CallContext): Promise<RunOutcome> {
  let children: readonly Element[] = first.children;
  let documents = 1;
  let i = 0;
  try {
    while (i < children.length) {
      if (ctx.signal.aborted) return { type: 'aborted' };
      const element = children[i]!;
      if (needsAnsweredCall(element)) ctx.ensureAnswered();
      const result = await handlerFor(element)(element, ctx);
      if (ctx.signal.aborted) return { type: 'aborted' };
      if (result.type === 'end') return result;
      if (result.type === 'goto') {
        if (++documents > MAX_DOCUMENTS) {
          ctx.warn(`more than ${MAX_DOCUMENTS} documents in one call: stopping (a Redirect loop?)`);
          return { type: 'end', reason: 'action-failed' };
        }
        children = result.document.children;
        i = 0;
        continue;
      }
      i++;
    }
  } catch (err) {
    if (ctx.signal.aborted) return { type: 'aborted' };
    throw err;
  }
  return { type: 'end', reason: 'end-of-xml' };
}
