/**
 * The engine's webhook sender: one attempt (`HttpSender.send`, the wire work in http-attempt.ts)
 * and the same-URL retries of Plivo's fragment policy (`sendWithPolicy`).
 */
import { performance } from 'node:perf_hooks';
import { RealClock, type Clock } from '../clock.ts';
import type { CallbackPolicy, RetryTrigger } from './callback-policy.ts';
import {
  AgentPool,
  describe,
  performAttempt,
  type AttemptEnv,
  type AttemptResult,
  type AttemptTokens,
  type HttpMethod,
  type WireRequest,
} from './http-attempt.ts';
import { openThreadClient, type ThreadClient } from './http-thread.ts';
import { TargetPolicy } from './target-policy.ts';

export {
  MAX_BODY_BYTES,
  classifyError,
  parseRetryAfter,
  withQuery,
  type AttemptError,
  type AttemptErrorKind,
  type AttemptResult,
  type HttpMethod,
} from './http-attempt.ts';

export interface SendRequest {
  /** The callback URL with its fragment already stripped (see `parseCallbackUrl`). */
  readonly url: string;
  readonly method: HttpMethod;
  readonly params: Readonly<Record<string, string>>;
  /** Extra headers such as `X-Switchboard-Event-Id` (engine.md §3). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly policy: CallbackPolicy;
  /** Aborting it ends the attempt with an `other` error. */
  readonly signal?: AbortSignal;
  /** Time left of the policy's total budget; defaults to `policy.totalTimeoutMs`. */
  readonly budgetMs?: number;
  /**
   * Which connections carry it: synchronous fetches (a call waits for them) never queue for a
   * socket behind notifications to the same host (outbox.ts). Default `notify`.
   */
  readonly pool?: 'sync' | 'notify';
  /** The subaccount whose call this is (null: the main account's); picks the tokens through `tokensFor`. */
  readonly account?: string | null;
}

export interface HttpSenderOptions {
  authToken: string;
  mainAuthToken: string;
  /**
   * The tokens of one account's webhooks, looked up on every attempt so a rotated token signs at
   * once (docs/accounts.md); without it every request is signed with `authToken` / `mainAuthToken`.
   */
  tokensFor?: (account: string | null) => { authToken: string; mainAuthToken: string };
  /** `Switchboard/<version>` (engine.md §1). */
  userAgent: string;
  /** How much of each response body `storedBody` keeps; default 65536 (engine.md §3). */
  maxResponseBytes?: number;
  /** Keep-alive connections per origin; default 16. */
  connections?: number;
  /** Times `rt` and `tt`; defaults to real time (these are I/O timeouts). undici's `ct` is wall time. */
  clock?: Clock;
  /** Decides which URLs and addresses may be fetched (target-policy.ts); defaults to the built-in rules. */
  targets?: TargetPolicy;
  /**
   * `thread`: the HTTP work runs on the webhook thread (http-thread.ts; `clock` is then real time
   * there); default `inline`, on the calling thread.
   */
  transport?: SenderTransport;
  /** The webhook thread could not start (why): attempts run on the calling thread from then on. */
  onThreadUnavailable?: (why: string) => void;
}

/** Anything that performs one attempt; `sendWithPolicy` needs nothing more. */
export interface WebhookSender {
  send(req: SendRequest): Promise<AttemptResult>;
}

/** How an `HttpSender` runs its attempts' HTTP work: on the engine's thread, or on the webhook thread. */
export type SenderTransport = 'inline' | 'thread';

/**
 * Sends webhook attempts over shared keep-alive undici Agents. What needs the engine (the account's
 * tokens, looked up per attempt; the target policy's verdict on the URL, and on every address a
 * host name resolves to) is decided here, on the engine's thread; the rest of the attempt (signing,
 * the request, reading the answer) runs where `transport` says (docs/performance.md, "The webhook
 * thread").
 */
export class HttpSender implements WebhookSender {
  private readonly targets: TargetPolicy;
  private readonly env: AttemptEnv;
  private readonly thread: ThreadClient | undefined;
  private closed = false;

  constructor(private readonly opts: HttpSenderOptions) {
    this.targets = opts.targets ?? new TargetPolicy();
    const maxStored = opts.maxResponseBytes ?? 65536;
    const connections = opts.connections ?? 16;
    // Inline, or the thread's fallback when it cannot start (its agents open no socket until used).
    const agents = new AgentPool(connections, (timeout) => this.targets.connector({ timeout }));
    this.env = { agents, userAgent: opts.userAgent, maxStored, clock: opts.clock ?? new RealClock() };
    if (opts.transport === 'thread') {
      this.thread = openThreadClient({
        connections,
        maxStored,
        userAgent: opts.userAgent,
        resolve: (host, port) => this.targets.resolve(host, port),
        inline: (wire, signal) => performAttempt(this.env, wire, signal),
        ...(opts.onThreadUnavailable ? { unavailable: opts.onThreadUnavailable } : {}),
      });
    }
  }

  /**
   * One attempt. Resolves for every outcome; rejects only if the sender is closed. Not `async`: the
   * promise is the attempt's own, not one more wrapped around it for every webhook.
   */
  send(req: SendRequest): Promise<AttemptResult> {
    if (this.closed) return Promise.reject(new Error('HttpSender.send: the sender is closed'));
    let tokens: AttemptTokens;
    try {
      const t = this.opts.tokensFor?.(req.account ?? null) ?? this.opts;
      // The two strings alone: the request crosses to the webhook thread, which clones plain data only.
      tokens = { authToken: t.authToken, mainAuthToken: t.mainAuthToken };
    } catch (err) {
      tokens = { error: describe(err) };
    }
    const wire: WireRequest = {
      url: req.url,
      method: req.method,
      params: req.params,
      headers: req.headers,
      tokens,
      refused: this.targets.checkUrl(req.url),
      connectTimeoutMs: req.policy.connectTimeoutMs,
      readTimeoutMs: req.policy.readTimeoutMs,
      budgetMs: Math.max(1, Math.min(req.budgetMs ?? req.policy.totalTimeoutMs, req.policy.totalTimeoutMs)),
      pool: req.pool ?? 'notify',
    };
    return this.thread ? this.thread.send(wire, req.signal) : performAttempt(this.env, wire, req.signal);
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([this.thread?.close(), this.env.agents.close()]);
  }
}

/** Whether the fragment policy retries this failure on the same URL (plivo.md §2.1 `rp`). */
export function isRetryable(result: AttemptResult, retryOn: ReadonlySet<RetryTrigger>): boolean {
  if (result.ok) return false;
  if (result.error) return (result.error.kind === 'ct' || result.error.kind === 'rt') && retryOn.has(result.error.kind);
  const s = result.statusCode ?? 0;
  if (s >= 400 && s < 500) return retryOn.has('4xx');
  if (s >= 500 && s < 600) return retryOn.has('5xx');
  return false;
}

/**
 * The first attempt plus up to `policy.retries` more, each at once (Plivo does not wait between
 * them), while the failure matches `policy.retryOn` and `policy.totalTimeoutMs` is not spent.
 * `onAttempt` sees every attempt (1-based) before the next starts, e.g. to store it.
 */
export async function sendWithPolicy(
  sender: WebhookSender,
  req: Omit<SendRequest, 'budgetMs'>,
  onAttempt?: (n: number, r: AttemptResult) => void | Promise<void>,
): Promise<{ final: AttemptResult; attempts: number }> {
  const { policy } = req;
  const started = performance.now();
  let attempts = 0;
  for (;;) {
    const remaining = policy.totalTimeoutMs - (performance.now() - started);
    attempts++;
    const result = await sender.send({ ...req, budgetMs: Math.max(1, remaining) });
    await onAttempt?.(attempts, result);
    const more =
      attempts <= policy.retries &&
      isRetryable(result, policy.retryOn) &&
      !(req.signal?.aborted ?? false) &&
      performance.now() - started < policy.totalTimeoutMs;
    if (!more) return { final: result, attempts };
  }
}
