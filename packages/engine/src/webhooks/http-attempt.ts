/**
 * One webhook attempt on the wire: sign, send, read, classify. It runs wherever the engine puts its
 * HTTP work: on the engine's thread, or on the webhook thread (http-thread.ts), which is why its
 * input is plain data (`WireRequest`) and its only link to the engine is the connector that opens
 * sockets to addresses the target policy checked.
 *
 * Transport (engine.md §1 "Webhook transport", plivo.md §2.1): POST sends the parameters as a
 * form-encoded body; GET appends them to the URL's own query. Every attempt is signed with a fresh
 * nonce (plivo.md §6.3) by the SDK's signing code, so the engine and apps share one implementation.
 * Network failures are results, never exceptions: the caller (outbox or synchronous fetch) decides
 * what a failure means for the call.
 */
import { performance } from 'node:perf_hooks';
import type { IncomingHttpHeaders } from 'node:http';
import { Agent, type Dispatcher, type buildConnector } from 'undici';
import { signatureHeaders } from '@switchboard/sdk/signature';
import type { Clock, Timer } from '../clock.ts';
import { formEncode } from './form-encode.ts';
import { TargetRefusedError } from './target-policy.ts';

export type HttpMethod = 'GET' | 'POST';

/**
 * Why an attempt got no usable response: connect (`ct`), read (`rt`), total budget (`tt`), the
 * target policy refused the URL or the address it resolved to (`refused`, never retried), or else.
 */
export type AttemptErrorKind = 'ct' | 'rt' | 'tt' | 'refused' | 'other';

export interface AttemptError {
  readonly kind: AttemptErrorKind;
  readonly message: string;
}

export interface AttemptResult {
  /** A 2xx status arrived and its body was read in full (up to the cap). */
  readonly ok: boolean;
  readonly statusCode?: number;
  /** Response text, at most `MAX_BODY_BYTES`; `bodyTruncated` says whether more was sent. */
  readonly body: string;
  readonly bodyTruncated: boolean;
  /** The first `maxResponseBytes` of the body: what the delivery log keeps (engine.md §3). */
  readonly storedBody: string;
  readonly contentType?: string;
  readonly latencyMs: number;
  readonly error?: AttemptError;
  /** The URL put on the wire (for GET, with the parameters in its query). */
  readonly requestUrl: string;
  /**
   * The headers put on the wire, as the JSON object the delivery log stores: made where the
   * attempt ran, so a result from the webhook thread crosses as one string, not an object of them.
   */
  readonly requestHeadersJson: string;
  /** From a `Retry-After` header (seconds or HTTP date), when the app sent one. */
  readonly retryAfterMs?: number;
}

/** Bodies beyond this are cut: an XML answer is at most 100 KB (plivo.md §2.1), so 1 MB is ample. */
export const MAX_BODY_BYTES = 1024 * 1024;

const CONNECT_ERROR_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ETIMEDOUT',
]);
const READ_ERROR_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'SWITCHBOARD_READ_TIMEOUT']);

/** Marks an abort caused by the total budget, so it is told apart from the caller's own abort. */
class TotalTimeout extends Error {
  override readonly name = 'TotalTimeout';
}

/** Our own `rt` timer fired: nothing arrived for `readTimeoutMs` after the request went out. */
class ReadTimeoutError extends Error {
  override readonly name = 'ReadTimeoutError';
  readonly code = 'SWITCHBOARD_READ_TIMEOUT';
}

function errorCodes(err: unknown): string[] {
  const codes: string[] = [];
  const visit = (e: unknown, depth: number) => {
    if (!e || typeof e !== 'object' || depth > 3) return;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    visit((e as { cause?: unknown }).cause, depth + 1);
    const inner = (e as { errors?: unknown }).errors;
    if (Array.isArray(inner)) inner.forEach((x) => visit(x, depth + 1));
  };
  visit(err, 0);
  return codes;
}

export function describe(err: unknown): string {
  if (err instanceof Error) {
    const codes = errorCodes(err);
    const msg = err.message || (err instanceof AggregateError ? err.errors.map(describe).join('; ') : err.name);
    return codes.length > 0 && !msg.includes(codes[0]!) ? `${codes[0]}: ${msg}` : msg;
  }
  return String(err);
}

/** Classifies a failed attempt by the fragment's vocabulary (plivo.md §2.1 `rp`). */
export function classifyError(err: unknown, budgetSpent: boolean): AttemptError {
  if (budgetSpent) return { kind: 'tt', message: 'total timeout (tt) spent before a response arrived' };
  if (err instanceof TargetRefusedError || errorCodes(err).includes('SB_URL_REFUSED')) return { kind: 'refused', message: describe(err) };
  if (err instanceof ReadTimeoutError) return { kind: 'rt', message: err.message };
  const codes = errorCodes(err);
  if (codes.some((c) => CONNECT_ERROR_CODES.has(c))) return { kind: 'ct', message: describe(err) };
  if (codes.some((c) => READ_ERROR_CODES.has(c))) return { kind: 'rt', message: describe(err) };
  return { kind: 'other', message: describe(err) };
}

/** `Retry-After` as delay-seconds or an HTTP date (RFC 9110 §10.2.3); undefined when unreadable. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/** For GET: the parameters appended to the URL's own query, which is kept as configured. */
export function withQuery(url: string, params: Readonly<Record<string, string>>): string {
  const query = formEncode(params);
  if (query === '') return url;
  const sep = !url.includes('?') ? '?' : url.endsWith('?') || url.endsWith('&') ? '' : '&';
  return url + sep + query;
}

/** What an attempt reads of its URL. */
interface ParsedUrl {
  readonly protocol: string;
  readonly origin: string;
  /** Path and query, as undici takes them. */
  readonly path: string;
}

/** Kept for the few URLs an app's webhooks use (a POST's URL is the same every time); a GET's carries its parameters and is not kept. */
const PARSED = new Map<string, ParsedUrl>();
const MAX_PARSED = 1024;

/** `new URL(url)`'s parts, or its TypeError for a URL that is not one; kept for the next attempt when `keep`. */
function parsedUrl(url: string, keep: boolean): ParsedUrl {
  let parsed = PARSED.get(url);
  if (parsed) return parsed;
  const u = new URL(url);
  parsed = { protocol: u.protocol, origin: u.origin, path: u.pathname + u.search };
  if (!keep) return parsed;
  if (PARSED.size >= MAX_PARSED) PARSED.clear();
  PARSED.set(url, parsed);
  return parsed;
}

/** Cuts UTF-8 bytes at `max` without splitting a character. */
function utf8Prefix(buf: Buffer, max: number): string {
  if (buf.length <= max) return buf.toString('utf8');
  let end = max;
  while (end > 0 && (buf[end]! & 0xc0) === 0x80) end--;
  return buf.subarray(0, end).toString('utf8');
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

interface Exchange {
  readonly statusCode: number;
  readonly headers: IncomingHttpHeaders;
  readonly raw: Buffer;
  readonly truncated: boolean;
}

interface ExchangeOptions {
  readonly method: HttpMethod;
  readonly headers: Record<string, string>;
  readonly body: string | undefined;
  readonly readTimeoutMs: number;
  readonly stop: AttemptStop;
  readonly clock: Clock;
}

/**
 * How an attempt is ended early: by its budget (`tt`) or by its caller. One listener, the
 * exchange's, so a plain object does: an AbortController and its signal's listener set, per
 * attempt, were 4% of the webhook thread (docs/performance.md).
 */
class AttemptStop {
  aborted = false;
  reason: unknown;
  /** The status line's code once it arrived (0 before): a failure after it still reports it. */
  statusCode = 0;
  /** The caller's own abort pulled it (an `other` failure, not the budget's `tt`). */
  callerAborted = false;
  private listener: Exchanging | undefined;

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.listener?.stopped();
  }

  /** The one listener, told once when the attempt is stopped (undefined: none). */
  listen(x: Exchanging | undefined): void {
    this.listener = x;
  }
}

/**
 * One request/response through undici's dispatch API. undici's own headers/body timeouts run on
 * coarse timers (about 1 s granularity), too loose for Plivo's `rt` of 100 ms and up, so `rt` is
 * also timed here: from when the request is on a connected socket (connect time belongs to `ct`),
 * restarted by the status line and by every body chunk ("first byte and between packets",
 * plivo.md §2.1). undici's timeouts stay as a backstop.
 */
function exchange(agent: Agent, url: ParsedUrl, o: ExchangeOptions): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const x = new Exchanging(o, resolve, reject);
    if (o.stop.aborted) return x.stopped();
    o.stop.listen(x);
    try {
      agent.dispatch(
        {
          origin: url.origin,
          path: url.path,
          method: o.method,
          headers: o.headers,
          body: o.body ?? null,
          headersTimeout: o.readTimeoutMs,
          bodyTimeout: o.readTimeoutMs,
        },
        x,
      );
    } catch (err) {
      x.finish(err);
    }
  });
}

/**
 * The handler of one exchange: its methods are the class's, not closures made per attempt, since
 * every attempt on the webhook thread runs through them (docs/performance.md).
 */
class Exchanging implements Dispatcher.DispatchHandler {
  private settled = false;
  private controller: Dispatcher.DispatchController | undefined;
  private readTimer: Timer | undefined;
  /** When something last arrived: the read timer, armed once, looks at it when it fires. */
  private lastRead = 0;
  private headers: IncomingHttpHeaders = {};
  private readonly chunks: Buffer[] = [];
  private size = 0;

  constructor(
    private readonly o: ExchangeOptions,
    private readonly resolve: (x: Exchange) => void,
    private readonly reject: (err: unknown) => void,
  ) {}

  finish(err: unknown, truncated = false): void {
    if (this.settled) return;
    this.settled = true;
    this.readTimer?.cancel();
    this.o.stop.listen(undefined);
    if (err !== undefined) this.reject(err);
    else this.resolve({ statusCode: this.o.stop.statusCode, headers: this.headers, raw: Buffer.concat(this.chunks, this.size), truncated });
  }

  /** The attempt's stop was pulled (its budget, its caller). */
  stopped(): void {
    const reason: unknown = this.o.stop.reason;
    this.end(reason instanceof Error ? reason : new Error(`aborted: ${String(reason)}`));
  }

  private end(reason: Error): void {
    this.finish(reason);
    this.controller?.abort(reason);
  }

  // One timer, not one per chunk: when it fires it stops the attempt if nothing arrived for `rt`,
  // or waits out what is left of `rt` since the last arrival.
  private armReadTimer(ms: number): void {
    this.readTimer = this.o.clock.setTimer(ms, () => {
      const idle = this.o.clock.now() - this.lastRead;
      if (idle >= this.o.readTimeoutMs) this.end(new ReadTimeoutError(`read timeout: nothing received for rt=${this.o.readTimeoutMs} ms`));
      else this.armReadTimer(this.o.readTimeoutMs - idle);
    });
  }

  private readSomething(): void {
    this.lastRead = this.o.clock.now();
    if (this.readTimer === undefined) this.armReadTimer(this.o.readTimeoutMs);
  }

  onRequestStart(c: Dispatcher.DispatchController): void {
    this.controller = c;
    // Aborted while connecting: the connection finishes in the background; drop the request.
    if (this.settled) c.abort(new Error('the attempt already ended'));
    else this.readSomething();
  }

  onResponseStart(_c: Dispatcher.DispatchController, status: number, h: IncomingHttpHeaders): void {
    this.readSomething();
    if (status < 200) return; // 1xx: the real answer is still to come
    this.o.stop.statusCode = status;
    this.headers = h;
  }

  onResponseData(c: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.settled) return;
    this.readSomething();
    if (this.size + chunk.length > MAX_BODY_BYTES) {
      this.chunks.push(chunk.subarray(0, MAX_BODY_BYTES - this.size));
      this.size = MAX_BODY_BYTES;
      this.finish(undefined, true);
      c.abort(new Error(`response body over ${MAX_BODY_BYTES} bytes; the rest is not read`));
      return;
    }
    this.chunks.push(chunk);
    this.size += chunk.length;
  }

  onResponseEnd(): void {
    this.finish(undefined);
  }

  onResponseError(_c: Dispatcher.DispatchController, err: Error): void {
    this.finish(err);
  }
}

/** The signing tokens of one attempt, or why they could not be had (the attempt then fails as `other`). */
export type AttemptTokens = { readonly authToken: string; readonly mainAuthToken: string } | { readonly error: string };

/**
 * One attempt as plain data, so it can cross to the webhook thread: what `HttpSender.send` was
 * asked, with what only the engine's thread knows already decided (the tokens, the URL check).
 */
export interface WireRequest {
  /** The callback URL with its fragment already stripped. */
  readonly url: string;
  readonly method: HttpMethod;
  readonly params: Readonly<Record<string, string>>;
  readonly headers?: Readonly<Record<string, string>> | undefined;
  readonly tokens: AttemptTokens;
  /** The target policy's verdict on `url` as written (undefined: allowed). */
  readonly refused?: string | undefined;
  readonly connectTimeoutMs: number;
  readonly readTimeoutMs: number;
  /** The time this attempt may take: what is left of the policy's `tt`. */
  readonly budgetMs: number;
  readonly pool: 'sync' | 'notify';
}

/** What an attempt needs from the thread it runs on. */
export interface AttemptEnv {
  readonly agents: AgentPool;
  readonly userAgent: string;
  /** How much of each response body `storedBody` keeps. */
  readonly maxStored: number;
  /** Times `rt` and `tt`. */
  readonly clock: Clock;
}

/**
 * Shared keep-alive undici Agents. undici takes the connect timeout per Agent, not per request, so
 * there is one Agent per pool and distinct `ct` in use (few in practice).
 */
export class AgentPool {
  private readonly agents = new Map<string, Agent>();

  constructor(
    private readonly connections: number,
    /** Opens sockets only to checked addresses (target-policy.ts `checkedConnector`). */
    private readonly connector: (connectTimeoutMs: number) => buildConnector.connector,
  ) {}

  agentFor(pool: 'sync' | 'notify', connectTimeoutMs: number): Agent {
    const key = `${pool}:${connectTimeoutMs}`;
    let agent = this.agents.get(key);
    if (!agent) {
      agent = new Agent({ connections: this.connections, keepAliveTimeout: 10_000, connect: this.connector(connectTimeoutMs) });
      this.agents.set(key, agent);
    }
    return agent;
  }

  async close(): Promise<void> {
    const agents = [...this.agents.values()];
    this.agents.clear();
    await Promise.all(agents.map((a) => a.close()));
  }
}

/**
 * One attempt. Resolves for every outcome. `signal` is the caller's own abort (an `other`
 * failure); the budget's end is `tt`.
 */
export async function performAttempt(env: AttemptEnv, req: WireRequest, signal?: AbortSignal): Promise<AttemptResult> {
  const isGet = req.method === 'GET';
  const requestUrl = isGet ? withQuery(req.url, req.params) : req.url;
  const body = isGet ? undefined : formEncode(req.params);

  const requestHeaders: Record<string, string> = { ...(req.headers ?? {}), 'User-Agent': env.userAgent };
  if (!isGet) requestHeaders['Content-Type'] = 'application/x-www-form-urlencoded';
  const started = performance.now();

  try {
    if ('error' in req.tokens) throw new Error(req.tokens.error);
    // plivo.md §6.3: sign the URL as configured (no fragment) with the decoded parameters.
    Object.assign(
      requestHeaders,
      signatureHeaders({
        method: req.method,
        url: req.url,
        params: req.params, // read only: the signing code copies what it sorts
        authToken: req.tokens.authToken,
        mainAuthToken: req.tokens.mainAuthToken,
      }),
    );
  } catch (err) {
    return failedAttempt({ kind: 'other', message: `cannot sign the request: ${describe(err)}` }, 0, started, requestUrl, requestHeaders);
  }

  // One stop for both ends: the budget (tt) and the caller's abort.
  const stop = new AttemptStop();
  let onCallerAbort: (() => void) | undefined;
  if (signal) {
    onCallerAbort = () => {
      stop.callerAborted = true;
      stop.abort(signal.reason);
    };
    if (signal.aborted) onCallerAbort();
    else signal.addEventListener('abort', onCallerAbort, { once: true });
  }
  const timer = env.clock.setTimer(Math.max(1, req.budgetMs), () => stop.abort(new TotalTimeout('tt')));

  try {
    const target = parsedUrl(requestUrl, !isGet);
    if (target.protocol !== 'http:' && target.protocol !== 'https:') {
      throw new Error(`unsupported URL scheme "${target.protocol}" in ${requestUrl}; use http: or https:`);
    }
    // The URL as configured (its length is the app's; GET parameters are ours), before any socket.
    if (req.refused !== undefined) throw new TargetRefusedError(`refused by the webhook target policy: ${req.refused}`);
    const res = await exchange(env.agents.agentFor(req.pool, req.connectTimeoutMs), target, {
      method: req.method,
      headers: requestHeaders,
      body,
      readTimeoutMs: req.readTimeoutMs,
      stop,
      clock: env.clock,
    });
    const contentType = headerValue(res.headers['content-type']);
    const retryAfterMs = parseRetryAfter(headerValue(res.headers['retry-after']), Date.now());
    const text = utf8Prefix(res.raw, MAX_BODY_BYTES);
    return {
      ok: res.statusCode >= 200 && res.statusCode < 300,
      statusCode: res.statusCode,
      body: text,
      bodyTruncated: res.truncated,
      // The same string when the cap keeps it whole (a webhook's answer almost always).
      storedBody: res.raw.length <= env.maxStored ? text : utf8Prefix(res.raw, env.maxStored),
      ...(contentType !== undefined ? { contentType } : {}),
      latencyMs: performance.now() - started,
      requestUrl,
      requestHeadersJson: JSON.stringify(requestHeaders),
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    };
  } catch (err) {
    return failedAttempt(classifyError(err, stop.aborted && !stop.callerAborted), stop.statusCode, started, requestUrl, requestHeaders);
  } finally {
    timer.cancel();
    if (onCallerAbort) signal!.removeEventListener('abort', onCallerAbort);
  }
}

/** An attempt that got no usable response (`statusCode` 0: no status line arrived). */
function failedAttempt(error: AttemptError, statusCode: number, started: number, requestUrl: string, requestHeaders: Record<string, string>): AttemptResult {
  return {
    ok: false,
    ...(statusCode !== 0 ? { statusCode } : {}),
    body: '',
    bodyTruncated: false,
    storedBody: '',
    latencyMs: performance.now() - started,
    error,
    requestUrl,
    requestHeadersJson: JSON.stringify(requestHeaders),
  };
}
