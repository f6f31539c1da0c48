/**
 * The outbox's retry schedule beyond Plivo's per-URL policy (engine.md §3): 1 s doubling to a cap
 * (10 min by default), for `retryForMs` in all (24 h by default); `Retry-After` is honoured when
 * longer, up to the same cap.
 */
export interface BackoffPolicy {
  minTimeoutMs: number;
  maxTimeoutMs: number;
  timeoutFactor: number;
  retryForMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = {
  minTimeoutMs: 1000,
  maxTimeoutMs: 600_000,
  timeoutFactor: 2,
  retryForMs: 24 * 3600_000,
};

/**
 * When the next try is due, or undefined when the delivery should be marked dead.
 * `round` is 1 for the first retry after the initial policy was spent.
 */
export function nextRetryAt(
  policy: BackoffPolicy,
  round: number,
  firstAttemptAt: number,
  now: number,
  retryAfterMs?: number,
): number | undefined {
  if (policy.retryForMs <= 0) return undefined;
  const exp = Math.min(policy.maxTimeoutMs, policy.minTimeoutMs * policy.timeoutFactor ** Math.max(0, round - 1));
  // Retry-After is honoured up to the cap: a huge value (99999999999 s) would otherwise overflow a
  // timer (past 2^31 ms Node fires at once) and turn into a hot retry loop (issue 13 item 9).
  const asked = Number.isFinite(retryAfterMs) ? Math.max(0, retryAfterMs!) : 0;
  const delay = Math.max(exp, Math.min(asked, policy.maxTimeoutMs));
  const at = now + delay;
  if (at - firstAttemptAt > policy.retryForMs) return undefined;
  return at;
}
