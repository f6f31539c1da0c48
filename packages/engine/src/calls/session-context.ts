/**
 * The interpreter's view of a call (`CallContext`), implemented over a CallSession: fetching XML
 * with Plivo's fallback rule, notifications through the outbox, digits, Dial. What changes the call
 * (answering it, a scheduled hangup, a Dial's inputs) goes to the call machine through the session.
 */
import type { Clock } from '../clock.ts';
import type { CallEventType } from '../domain/events.ts';
import type {
  CallContext,
  DigitCollector,
  FetchDocumentResult,
  MediaSettings,
  RecordingRequest,
  WebhookRequest,
} from '../interpreter/context.ts';
import type { CallRow } from '../store/store.ts';
import type { DialElement, MediaDocument } from '../xml/elements.ts';
import { parseResponse, parseMediaDocument } from '../xml/index.ts';
import { callParams, recordCallbackParams } from '../webhooks/params.ts';
import type { DialResult } from '../domain/dial.ts';
import type { ActiveRecording } from '../domain/recording.ts';
import type { FetchResult } from '../webhooks/outbox.ts';
import { newTimeOrderedId } from '../util/ids.ts';
import type { EndReason } from '../domain/causes.ts';
import type { CallSession } from './call-session.ts';
import { DialRun } from './dial-runner.ts';
import type { SessionHost } from './session-host.ts';
import type { Conferences } from './conference-rooms.ts';
import type { MemberCall } from '../interpreter/conference-port.ts';
import { silenceEndsAt } from '../interpreter/silence.ts';

export class SessionContext implements CallContext {
  readonly clock: Clock;
  readonly media: MediaSettings;
  readonly signal: AbortSignal;

  constructor(private readonly session: CallSession) {
    this.clock = session.deps.clock;
    this.media = session.deps.media;
    this.signal = session.appSignal;
  }

  call(): CallRow {
    return this.session.leg.row;
  }

  isAnswered(): boolean {
    return this.session.leg.answered;
  }

  ensureAnswered(): void {
    this.session.answer();
  }

  /** The answer_url, then the fallback_url when it cannot produce valid XML (plivo.md §1.3, scenarios S13-S14). */
  async fetchAnswer(): Promise<{ ok: true; document: import('../xml/elements.ts').ResponseDocument } | { ok: false; reason: EndReason }> {
    const { setup } = this.session;
    const params = callParams(this.call(), 'StartApp');
    const first = await this.fetchDocument({ kind: 'answer', event: 'StartApp', url: setup.answerUrl, method: setup.answerMethod, params });
    if (first.ok) return first;
    if (this.signal.aborted) return { ok: false, reason: 'answer-url-failed' };
    if (!setup.fallbackUrl) return { ok: false, reason: first.failure === 'xml' ? 'invalid-xml' : 'answer-url-failed' };
    const second = await this.fetchDocument({
      kind: 'fallback',
      event: 'StartApp',
      url: setup.fallbackUrl,
      method: setup.fallbackMethod,
      params: callParams(this.call(), 'StartApp'),
    });
    if (second.ok) return second;
    return { ok: false, reason: second.failure === 'xml' || first.failure === 'xml' ? 'invalid-xml' : 'answer-url-failed' };
  }

  async fetchDocument(req: WebhookRequest): Promise<FetchDocumentResult> {
    const res = await this.request(req);
    if (!res.ok) {
      const error = `${req.kind} ${req.url}: ${res.error ?? 'request failed'}`;
      this.session.recordError(error);
      return { ok: false, failure: 'http', error };
    }
    const parsed = parseResponse(res.body);
    if (!parsed.ok) {
      const error = `${req.kind} ${req.url}: invalid XML: ${parsed.error.message}`;
      this.session.recordError(error);
      return { ok: false, failure: 'xml', error };
    }
    for (const w of parsed.warnings) this.warn(`${req.kind} ${req.url}: ${w}`);
    return { ok: true, document: parsed.document };
  }

  async fetchMedia(req: WebhookRequest): Promise<{ ok: true; document: MediaDocument } | { ok: false; error: string }> {
    const res = await this.request(req);
    if (!res.ok) return { ok: false, error: res.error ?? 'request failed' };
    const parsed = parseMediaDocument(res.body);
    if (!parsed.ok) return { ok: false, error: `invalid XML: ${parsed.error.message}` };
    for (const w of parsed.warnings) this.warn(`${req.kind} ${req.url}: ${w}`);
    return { ok: true, document: parsed.document };
  }

  notify(req: WebhookRequest): void {
    const row = this.call();
    this.session.journal.record({
      callUuid: row.call_uuid,
      at: this.clock.now(),
      type: `webhook.${req.kind}`,
      deliveries: [this.session.delivery(req.kind, req.event, req.url, req.method, req.params)],
    });
  }

  warn(message: string): void {
    this.session.warn(this.session.uuid, message);
  }

  collectDigits(): DigitCollector {
    const queue: string[] = [];
    let waiter: ((key: string | undefined) => void) | undefined;
    const off = this.session.onDigits((digits) => {
      for (const key of digits) {
        if (waiter) {
          const w = waiter;
          waiter = undefined;
          w(key);
        } else queue.push(key);
      }
    });
    const clock = this.clock;
    const signal = this.signal;
    return {
      next(timeoutMs: number): Promise<string | undefined> {
        const queued = queue.shift();
        if (queued !== undefined) return Promise.resolve(queued);
        if (signal.aborted) return Promise.resolve(undefined);
        return new Promise((resolve) => {
          const timer = clock.setTimer(timeoutMs, () => {
            waiter = undefined;
            resolve(undefined);
          });
          const onAbort = () => {
            timer.cancel();
            waiter = undefined;
            resolve(undefined);
          };
          signal.addEventListener('abort', onAbort, { once: true });
          waiter = (key) => {
            timer.cancel();
            signal.removeEventListener('abort', onAbort);
            resolve(key);
          };
        });
      },
      close(): void {
        off();
        waiter = undefined;
      },
    };
  }

  sendDigits(digits: string): void {
    this.session.sendDigits(digits);
  }

  scheduleHangup(seconds: number): void {
    this.session.scheduleHangup(seconds * 1000);
  }

  startRecording(opts: RecordingRequest): ActiveRecording | undefined {
    const recordings = this.session.deps.recordings;
    if (!recordings) return undefined;
    const { callbackUrl, callbackMethod } = opts;
    return recordings.start(this.call(), {
      format: opts.format,
      ...(opts.timeLimitS !== undefined ? { timeLimitS: opts.timeLimitS } : {}),
      onDone: (rec) => {
        // notify(), not a fetch: the recording-ready callback expects no XML, and it goes out even after the call ended.
        if (callbackUrl) this.notify({ kind: 'record_callback', event: 'Record', url: callbackUrl, method: callbackMethod ?? 'POST', params: recordCallbackParams(this.call(), rec) });
      },
    });
  }

  onDialAnswer(fn: () => void): void {
    // The Dial reports its bridge as a `dial.bridged` event of this call (dial-runner.ts).
    const off = this.session.deps.feed.subscribe({ callUuid: this.call().parent_call_uuid ?? this.call().call_uuid }, (item) => {
      if (item.data.type === 'dial.bridged' && item.data.leg_uuid === this.session.uuid) {
        off();
        fn();
      }
    });
    this.signal.addEventListener('abort', () => off(), { once: true });
  }

  get conferences(): Conferences | undefined {
    return this.session.deps.conferences;
  }

  asMember(): MemberCall {
    const session = this.session;
    return {
      uuid: session.uuid,
      row: () => session.leg.row,
      sendDigits: (digits) => session.sendDigits(digits),
      hangup: () => session.endNow('api-hangup', 'API Request'),
    };
  }

  silenceEndsAt(fromMs: number, timeoutMs: number): number | undefined {
    const { leg } = this.session;
    return silenceEndsAt(leg.network?.speech, leg.row.answer_time ?? fromMs, fromMs, timeoutMs);
  }

  onDigits(listener: (digits: string) => void): () => void {
    return this.session.onDigits(listener);
  }

  event(type: CallEventType, data: Record<string, unknown>): void {
    this.session.journal.record({ callUuid: this.session.uuid, at: this.clock.now(), type, data });
  }

  dial(element: DialElement): Promise<DialResult> {
    const session = this.session;
    const host: SessionHost = {
      clock: this.clock,
      store: session.deps.store,
      network: session.deps.network,
      registry: session.deps.registry,
      journal: session.journal,
      billingIncrementS: session.deps.billingIncrementS,
      media: this.media,
      warn: (uuid, message) => session.warn(uuid, message),
      fetchMedia: (req) => this.fetchMedia(req),
    };
    // The Dial's state lives in the call machine (call-machine.ts): the session is its port.
    const run = new DialRun(element, { host, aLeg: session.leg, signal: this.signal, call: session });
    session.activeDial = run;
    return run.run().finally(() => {
      if (session.activeDial === run) session.activeDial = undefined;
    });
  }

  /** A synchronous request in the call's lane; gives up at once when the call ends meanwhile. */
  private async request(req: WebhookRequest): Promise<FetchResult> {
    if (this.signal.aborted) return { ok: false, body: '', error: 'call ended', attempts: 0 };
    const row = this.call();
    const pending = this.session.journal.fetch({
      callUuid: row.call_uuid,
      at: this.clock.now(),
      type: `webhook.${req.kind}`,
      deliveries: [{ id: newTimeOrderedId(), kind: req.kind, event: req.event, url: req.url, method: req.method, params: req.params, synchronous: true }],
    });
    return await new Promise<FetchResult>((resolve) => new RequestWait(this.signal, resolve).await(pending));
  }
}

/**
 * A synchronous request's wait: its answer, or the call's end. An object of a class, not the
 * closures it replaces, made twice a call (docs/performance.md).
 */
class RequestWait {
  constructor(
    private readonly signal: AbortSignal,
    private readonly resolve: (r: FetchResult) => void,
  ) {}

  await(pending: Promise<FetchResult>): void {
    this.signal.addEventListener('abort', this, { once: true });
    pending.then((r) => {
      this.signal.removeEventListener('abort', this);
      this.resolve(r);
    });
  }

  /** The call ended first (an EventListener object: `handleEvent`). */
  handleEvent(): void {
    this.resolve({ ok: false, body: '', error: 'call ended', attempts: 0 });
  }
}
