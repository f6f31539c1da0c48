/**
 * Fixed-window counters per key (a client address, an account): at most `limit` hits in each
 * `windowMs`. Used for failed authentications per address and for calls per second per account
 * (docs/security.md). The table of keys is bounded, so a flood of addresses cannot grow it.
 */
export interface WindowLimiterOptions {
  limit: number;
  windowMs: number;
  now: () => number;
  /** Keys remembered at once; past it, expired windows are swept and then the oldest dropped. */
  maxKeys?: number;
}

interface Window {
  start: number;
  count: number;
}

export class WindowLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly opts: WindowLimiterOptions) {}

  get limit(): number {
    return this.opts.limit;
  }

  /** Milliseconds until `key` may go on (0: now), without counting anything. */
  blockedFor(key: string): number {
    const w = this.current(key);
    return w && w.count >= this.opts.limit ? w.start + this.opts.windowMs - this.opts.now() : 0;
  }

  /**
   * Counts `n` hits for `key` if they fit in its window and answers 0; otherwise counts nothing
   * and answers the milliseconds until the window ends.
   */
  take(key: string, n = 1): number {
    const now = this.opts.now();
    let w = this.current(key);
    if (!w) {
      this.makeRoom(now);
      w = { start: now, count: 0 };
      this.windows.set(key, w);
    }
    if (w.count + n > this.opts.limit) return Math.max(1, w.start + this.opts.windowMs - now);
    w.count += n;
    return 0;
  }

  /** Counts one hit whatever the window holds (a failure that already happened). */
  record(key: string): void {
    const now = this.opts.now();
    const w = this.current(key);
    if (w) w.count++;
    else {
      this.makeRoom(now);
      this.windows.set(key, { start: now, count: 1 });
    }
  }

  private current(key: string): Window | undefined {
    const w = this.windows.get(key);
    if (w && this.opts.now() - w.start >= this.opts.windowMs) {
      this.windows.delete(key);
      return undefined;
    }
    return w;
  }

  private makeRoom(now: number): void {
    const max = this.opts.maxKeys ?? 10_000;
    if (this.windows.size < max) return;
    for (const [key, w] of this.windows) if (now - w.start >= this.opts.windowMs) this.windows.delete(key);
    // Still full: forget the oldest windows (Map keeps insertion order).
    for (const key of this.windows.keys()) {
      if (this.windows.size < max) break;
      this.windows.delete(key);
    }
  }
}

/** Whole seconds for `Retry-After`, never 0. */
export function retryAfterSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}
