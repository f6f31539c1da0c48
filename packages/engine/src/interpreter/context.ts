/**
 * What the interpreter may ask of a call. The CallSession implements it; elements never touch the
 * store, the network or the outbox directly, so each element file reads as Plivo's rule for it.
 */
import type { Clock } from '../clock.ts';
import type { EndReason } from '../domain/causes.ts';
import type { CallEventType, DeliveryKind } from '../domain/events.ts';
import type { CallRow } from '../store/store.ts';
import type { DialElement, MediaDocument, Method, ResponseDocument } from '../xml/elements.ts';
import type { Params, WebhookEvent } from '../webhooks/params.ts';
import type { DialResult } from '../domain/dial.ts';
import type { ActiveRecording } from '../domain/recording.ts';
import type { ConferenceRooms, MemberCall } from './conference-port.ts';

export type ElementResult =
  | { readonly type: 'next' }
  /** The rest of the document is replaced by the XML fetched from `url` (Redirect, actions). */
  | { readonly type: 'goto'; readonly document: ResponseDocument; readonly url: string }
  /** The call ends here, for this reason. */
  | { readonly type: 'end'; readonly reason: EndReason };

export interface WebhookRequest {
  /** What the request is for (stored with the delivery). */
  readonly kind: DeliveryKind;
  readonly event: WebhookEvent;
  readonly url: string;
  readonly method: Method;
  readonly params: Params;
}

export type FetchDocumentResult =
  | { readonly ok: true; readonly document: ResponseDocument }
  | { readonly ok: false; readonly failure: 'http' | 'xml'; readonly error: string };

/** Digits the caller presses, from the moment it was opened until closed. */
export interface DigitCollector {
  /** The next key, or undefined after `timeoutMs` (or when the call ends). */
  next(timeoutMs: number): Promise<string | undefined>;
  close(): void;
}

export interface MediaSettings {
  readonly playMs: number;
  readonly speakWordsPerMinute: number;
}

export interface CallContext {
  /** Aborted when the call ends: every wait must honour it. */
  readonly signal: AbortSignal;
  readonly clock: Clock;
  readonly media: MediaSettings;
  /** The A leg's CDR as it is now. */
  call(): CallRow;
  isAnswered(): boolean;
  /** Inbound calls answer before the first element that needs an answered call. */
  ensureAnswered(): void;
  /** A synchronous request whose XML drives the call. */
  fetchDocument(req: WebhookRequest): Promise<FetchDocumentResult>;
  /** A fetch of a media document (Dial confirmSound / dialMusic): only Play, Speak and Wait are kept. */
  fetchMedia(req: WebhookRequest): Promise<{ ok: true; document: MediaDocument } | { ok: false; error: string }>;
  /** A notification: through the outbox, in order, response ignored. */
  notify(req: WebhookRequest): void;
  /** Recorded on the call (its `warnings`), logged, shown in the dashboard. */
  warn(message: string): void;
  collectDigits(): DigitCollector;
  sendDigits(digits: string): void;
  scheduleHangup(seconds: number): void;
  /**
   * Starts recording the call (Record, docs/xml.md); with `callbackUrl` the recording-ready
   * notification goes there once its file is stored. Undefined when the engine keeps no recordings.
   */
  startRecording(opts: RecordingRequest): ActiveRecording | undefined;
  /** Calls `fn` once, when a Dial of this call next bridges a callee (Record's startOnDialAnswer). */
  onDialAnswer(fn: () => void): void;
  /** The engine's conference rooms (Conference); undefined when it runs none. */
  readonly conferences: ConferenceRooms | undefined;
  /** This call as a conference member sees it. */
  asMember(): MemberCall;
  /** When `timeoutMs` of the party's silence, counted from `fromMs`, will have passed (Record's timeout); undefined: never (it talks throughout). */
  silenceEndsAt(fromMs: number, timeoutMs: number): number | undefined;
  /** Keys the caller presses from now until the returned function is called (Conference's digitsMatch, hangupOnStar). */
  onDigits(listener: (digits: string) => void): () => void;
  /** An entry on the call's timeline (conference.enter / conference.exit), no webhook. */
  event(type: CallEventType, data: Record<string, unknown>): void;
  /** Runs a Dial to its end; never rejects (a call that ends mid-dial gives `cancel` or the bridged result). */
  dial(element: DialElement): Promise<DialResult>;
}

export interface RecordingRequest {
  readonly format: 'mp3' | 'wav';
  readonly timeLimitS?: number;
  readonly callbackUrl?: string;
  readonly callbackMethod?: Method;
}

export type ElementHandler<E> = (element: E, ctx: CallContext) => Promise<ElementResult>;

export const NEXT: ElementResult = Object.freeze({ type: 'next' });
