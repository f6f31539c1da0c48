/**
 * The bridge between a flow run and the call it drives. The call's session runs a CallProgram
 * (calls/call-setup.ts) instead of an answer_url; the program hands its CallContext to the flow
 * and waits until the flow lets go of the call or the call ends. The flow runs the XML its call
 * nodes stand for (call-xml.ts) through the interpreter's own runDocument, on a context that
 * observes each Dial's result, so nothing in calls/ or interpreter/ knows about flows.
 */
import type { CallContext } from '../interpreter/context.ts';
import { runDocument, type RunOutcome } from '../interpreter/run-document.ts';
import type { CallRow } from '../store/store.ts';
import type { DialResult } from '../domain/dial.ts';
import { parseResponse } from '../xml/index.ts';

const ABORTED: RunOutcome = Object.freeze({ type: 'aborted' });
const END_OF_FLOW: RunOutcome = Object.freeze({ type: 'end', reason: 'end-of-xml' });

export class FlowCallError extends Error {
  override readonly name = 'FlowCallError';
}

export class FlowCall {
  private inflight: Promise<unknown> | undefined;
  private released = false;
  private release!: (outcome: RunOutcome) => void;
  private readonly releasedWith = new Promise<RunOutcome>((r) => (this.release = r));

  constructor(private readonly ctx: CallContext) {}

  /** The call's CDR as it is now. */
  row(): CallRow {
    return this.ctx.call();
  }

  /** The call is up (or ringing) and still the flow's. */
  get live(): boolean {
    return !this.released && !this.ctx.signal.aborted;
  }

  /**
   * Runs one generated document on the call. Resolves with how it ended and, when it held a
   * Dial, the Dial's result — also when the caller hung up during the Dial (then `cancel`, or
   * `completed` if a callee had answered), which the flow still reports.
   */
  async run(xml: string): Promise<{ outcome: RunOutcome; dial?: DialResult }> {
    if (!this.live) return { outcome: ABORTED };
    const parsed = parseResponse(xml);
    // The flow writes this XML itself: failing to parse it is our bug, not the user's.
    if (!parsed.ok) throw new FlowCallError(`generated XML did not parse: ${parsed.error.message}`);
    let dial: DialResult | undefined;
    const observed: CallContext = Object.create(this.ctx, {
      dial: { value: async (el: Parameters<CallContext['dial']>[0]) => (dial = await this.ctx.dial(el)) },
    }) as CallContext;
    const work = runDocument(parsed.document, observed);
    this.inflight = work;
    try {
      const outcome = await work;
      // Anything but "the document ran out" ends the call (a Hangup node, a failure): let it go.
      if (outcome.type === 'end' && outcome.reason !== 'end-of-xml') this.finish(outcome);
      return { outcome, ...(dial && { dial }) };
    } finally {
      if (this.inflight === work) this.inflight = undefined;
    }
  }

  /** The flow is done with the call: the call ends this way (end-of-xml hangs up an answered call). */
  finish(outcome: RunOutcome = END_OF_FLOW): void {
    if (this.released) return;
    this.released = true;
    this.release(outcome);
  }

  /**
   * What the CallProgram awaits: the flow's release, or the call's end — in which case the
   * document running now (a Dial winding down its legs) finishes first, as a document would.
   */
  async settled(): Promise<RunOutcome> {
    const signal = this.ctx.signal;
    const ended = new Promise<RunOutcome>((resolve) => {
      if (signal.aborted) resolve(ABORTED);
      else signal.addEventListener('abort', () => resolve(ABORTED), { once: true });
    });
    const first = await Promise.race([this.releasedWith, ended]);
    if (first.type === 'aborted') {
      this.released = true;
      await this.inflight?.catch(() => undefined);
    }
    return first;
  }
}
