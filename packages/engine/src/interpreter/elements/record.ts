import type { RecordElement } from '../../xml/elements.ts';
import { recordActionParams, recordCallbackParams } from '../../webhooks/params.ts';
import { NEXT, type CallContext, type ElementHandler, type ElementResult, type WebhookRequest } from '../context.ts';
import type { FinishedRecording } from '../../domain/recording.ts';

/**
 * `<Record>` (plivo.md §4.2; docs/xml.md "Record").
 *
 * In the foreground (the default) the document waits while the caller speaks: the recording ends
 * at a key of `finishOnKey`, at `maxLength` seconds, after `timeout` seconds of silence, or when
 * the call ends. Silence is what the network says of the party (a simulated script's `talk` and
 * `silence` steps, interpreter/silence.ts); a party without them, and any SIP call (no media analysis
 * here), counts as talking throughout, so only the other ends apply. `playBeep` takes no time on
 * the clock. Then the `action` gets the
 * recording; with `redirect` (the default) its XML replaces the document, else the document goes
 * on. A caller who hangs up mid-recording still gets the action, as a notification (the recording
 * is what a voicemail app wants; plivoframework #28 was the complaint that it was lost).
 *
 * With `recordSession` (or `startOnDialAnswer`: from the moment a Dial's callee answers) the
 * recording runs in the background until the call ends or `maxLength`, and the document goes on at
 * once; as Plivo's staff say (plivo.md §4.2), the `action` is then requested at once, before the
 * file exists, so its RecordUrl names the file the recording will become and the durations are 0;
 * `callbackUrl` gets the finished recording.
 */
export const record: ElementHandler<RecordElement> = async (el, ctx) => {
  if (el.transcriptionType !== undefined || el.transcriptionUrl !== undefined) {
    ctx.warn(`Record: transcription is not supported by Switchboard; transcriptionType/transcriptionUrl ignored (line ${el.pos.line}, column ${el.pos.column})`);
  }
  const opts = { format: el.fileFormat, ...(el.callbackUrl ? { callbackUrl: el.callbackUrl, callbackMethod: el.callbackMethod } : {}) };
  if (el.recordSession || el.startOnDialAnswer) {
    const background = { ...opts, timeLimitS: el.maxLength };
    if (el.startOnDialAnswer && !el.recordSession) {
      ctx.onDialAnswer(() => void ctx.startRecording(background));
      return NEXT;
    }
    const rec = ctx.startRecording(background);
    if (!rec) return unavailable(el, ctx);
    if (!el.action) return NEXT;
    const pending: FinishedRecording = { id: rec.id, url: rec.url, format: el.fileFormat, startMs: rec.startMs, endMs: rec.startMs, durationMs: 0 };
    return action(el, ctx, pending, '');
  }

  // The callback is sent here rather than by the recording: the action goes first (it is what the
  // call waits on), the file-ready callback after it.
  const rec = ctx.startRecording({ format: el.fileFormat });
  if (!rec) return unavailable(el, ctx);
  const digits = await untilFinished(el, ctx);
  const done = await rec.stop();
  const ready = () => {
    if (el.callbackUrl) ctx.notify({ kind: 'record_callback', event: 'Record', url: el.callbackUrl, method: el.callbackMethod, params: recordCallbackParams(ctx.call(), done) });
  };
  if (!el.action) {
    ready();
    return NEXT;
  }
  const result = await action(el, ctx, done, digits, ready);
  return result;
};

/** Waits for a key of finishOnKey, maxLength, `timeout` of silence (or the call's end); answers the key, '' if none. */
async function untilFinished(el: RecordElement, ctx: CallContext): Promise<string> {
  const collector = ctx.collectDigits();
  const start = ctx.clock.now();
  const deadline = Math.min(start + el.maxLength * 1000, ctx.silenceEndsAt(start, el.timeout * 1000) ?? Infinity);
  try {
    for (;;) {
      const left = deadline - ctx.clock.now();
      if (left <= 0 || ctx.signal.aborted) return '';
      const key = await collector.next(left);
      if (key === undefined) return '';
      // Keys outside finishOnKey are part of the recording, not an end of it.
      if (el.finishOnKey.includes(key)) return key;
    }
  } finally {
    collector.close();
  }
}

async function action(el: RecordElement, ctx: CallContext, rec: FinishedRecording, digits: string, after: () => void = () => {}): Promise<ElementResult> {
  const req: WebhookRequest = { kind: 'action', event: 'Redirect', url: el.action!, method: el.method, params: recordActionParams(ctx.call(), rec, digits) };
  if (!el.redirect || ctx.signal.aborted) {
    ctx.notify(req);
    after();
    return NEXT;
  }
  const res = await ctx.fetchDocument(req);
  after();
  if (!res.ok) return { type: 'end', reason: 'action-failed' };
  return { type: 'goto', document: res.document, url: el.action! };
}

function unavailable(el: RecordElement, ctx: CallContext): ElementResult {
  ctx.warn(`Record: this engine keeps no recordings; skipped (line ${el.pos.line}, column ${el.pos.column})`);
  return NEXT;
}
