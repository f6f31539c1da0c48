/**
 * Time is injected (DESIGN.md, "Time is injected"): every timer in the engine goes through a Clock.
 * `RealClock` is what `serve` uses; `VirtualClock` lets tests run a 45-second ring timeout in
 * milliseconds. This is the only file that may call `setTimeout`.
 */

export interface Timer {
  cancel(): void;
}

export interface TimerOptions {
  /**
   * A timer that is no reason for time to pass (a store's bound on deferred writes): a virtual
   * clock fires it once time has passed its moment for another reason, and never jumps to it.
   */
  background?: boolean;
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Runs `fn` once after `ms` milliseconds of this clock's time. */
  setTimer(ms: number, fn: () => void, options?: TimerOptions): Timer;
  /** Resolves after `ms`; rejects with the signal's reason if it aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

function sleepWith(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      timer.cancel();
      reject(signal!.reason);
    };
    const timer = clock.setTimer(ms, () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Runs `fn` every `ms` of the clock's time until the returned timer is cancelled; the next turn
 * is set only after this one ran, so a slow turn delays the rest rather than piling them up.
 */
export function every(clock: Clock, ms: number, fn: () => void): Timer {
  let current: Timer;
  let stopped = false;
  const turn = () => {
    if (stopped) return;
    current = clock.setTimer(ms, turn);
    fn();
  };
  current = clock.setTimer(ms, turn);
  return {
    cancel: () => {
      stopped = true;
      current.cancel();
    },
  };
}

/** A `setTimeout` handle as a Timer: a method, not a closure per timer (a live call holds several). */
class RealTimer implements Timer {
  constructor(private readonly handle: ReturnType<typeof setTimeout>) {}
  cancel(): void {
    clearTimeout(this.handle);
  }
}

export class RealClock implements Clock {
  now(): number {
    return Date.now();
  }
  setTimer(ms: number, fn: () => void): Timer {
    return new RealTimer(setTimeout(fn, Math.max(0, ms)));
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepWith(this, ms, signal);
  }
}

interface Pending {
  at: number;
  order: number;
  fn: () => void;
  cancelled: boolean;
  background: boolean;
}

/**
 * Virtual time. Nothing moves until `advance`, `runNext` or the auto-runner moves it.
 * The auto-runner (`autoRun(isIdle)`) jumps to the next timer only when the engine says it is
 * idle (no request in flight, no queued work), so virtual times stay exact while real I/O takes
 * the time it takes.
 */
export class VirtualClock implements Clock {
  private current: number;
  private timers: Pending[] = [];
  private order = 0;
  private running = false;

  constructor(start = Date.UTC(2026, 0, 1, 0, 0, 0)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimer(ms: number, fn: () => void, options?: TimerOptions): Timer {
    const entry: Pending = { at: this.current + Math.max(0, ms), order: this.order++, fn, cancelled: false, background: options?.background === true };
    this.timers.push(entry);
    return {
      cancel: () => {
        entry.cancelled = true;
      },
    };
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepWith(this, ms, signal);
  }

  /** Time of the next live timer, if any (background timers are no reason to move: not counted). */
  nextAt(): number | undefined {
    this.timers = this.timers.filter((t) => !t.cancelled);
    let min: number | undefined;
    for (const t of this.timers) if (!t.background && (min === undefined || t.at < min)) min = t.at;
    return min;
  }

  /** Fires every timer due at the earliest pending time; returns false when none is pending. */
  runNext(): boolean {
    const at = this.nextAt();
    if (at === undefined) return false;
    if (at > this.current) this.current = at;
    const due = this.timers.filter((t) => t.at <= this.current).sort((a, b) => a.at - b.at || a.order - b.order);
    this.timers = this.timers.filter((t) => t.at > this.current);
    for (const t of due) if (!t.cancelled) t.fn();
    return true;
  }

  /** Moves time forward by `ms`, firing timers in order. */
  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      const at = this.nextAt();
      if (at === undefined || at > target) break;
      this.runNext();
    }
    this.current = target;
    this.fireDue();
  }

  /** Fires the timers whose moment has come (background ones that time passed without jumping to them). */
  private fireDue(): void {
    const due = this.timers.filter((t) => t.at <= this.current).sort((a, b) => a.at - b.at || a.order - b.order);
    if (due.length === 0) return;
    this.timers = this.timers.filter((t) => t.at > this.current);
    for (const t of due) if (!t.cancelled) t.fn();
  }

  /**
   * Starts moving time by itself: whenever `isIdle()` holds for a few turns of the event loop,
   * jumps to the next timer. Returns a function that stops it.
   */
  autoRun(isIdle: () => boolean, quietTurns = 3): () => void {
    this.running = true;
    let quiet = 0;
    const turn = () => {
      if (!this.running) return;
      if (isIdle() && this.nextAt() !== undefined) {
        quiet++;
        if (quiet >= quietTurns) {
          quiet = 0;
          this.runNext();
        }
      } else {
        quiet = 0;
      }
      setImmediate(turn);
    };
    setImmediate(turn);
    return () => {
      this.running = false;
    };
  }
}
