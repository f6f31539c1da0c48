/**
 * Session timers (RFC 4028): what an INVITE or its 2xx asks for (`Session-Expires`, `Min-SE`,
 * the `timer` option tag), the answer we give as UAS (§9: 422 below our minimum, else the interval
 * and who refreshes), and the timer a leg runs once answered: the refresher refreshes at half the
 * interval (§10), the other side ends the session when no refresh came by the interval minus
 * min(32 s, interval/3) (§10).
 */
import type { Clock, Timer } from '../../clock.ts';
import { header, headers, type Header, type SipRequest, type SipResponse } from './message.ts';
import { hasOption } from './reliable-provisionals.ts';

export const TIMER = 'timer';
/** RFC 4028 §4: Min-SE is never below 90 s; our default minimum is that. */
export const DEFAULT_MIN_SE = 90;

export type Refresher = 'uac' | 'uas';

export interface SessionExpires {
  readonly interval: number;
  readonly refresher: Refresher | undefined;
}

/** `Session-Expires: 1800;refresher=uac` (or `x:`), undefined when absent or unreadable. */
export function sessionExpiresOf(msg: { readonly headers: readonly Header[] }): SessionExpires | undefined {
  const m = /^\s*(\d{1,9})\s*(;.*)?$/.exec(header(msg, 'session-expires') ?? '');
  if (!m) return undefined;
  const r = /;\s*refresher\s*=\s*(uac|uas)\b/i.exec(m[2] ?? '')?.[1]?.toLowerCase();
  return { interval: Number(m[1]), refresher: r === 'uac' || r === 'uas' ? r : undefined };
}

function minSEOf(msg: { readonly headers: readonly Header[] }): number {
  const m = /^\s*(\d{1,9})/.exec(header(msg, 'min-se') ?? '');
  return m ? Number(m[1]) : 0;
}

/** The answer to an initial INVITE as UAS (§9). */
export type UasTimer =
  | { readonly kind: 'none' }
  | { readonly kind: 'reject'; readonly minSE: number }
  | { readonly kind: 'timer'; readonly interval: number; readonly refresher: Refresher; readonly require: boolean };

/**
 * §9: no Session-Expires, no timer (we do not impose one). Below our minimum: 422 when the caller
 * supports `timer` (it can retry), else the interval is raised to the minimum (§9 allows it). The
 * refresher is the caller's choice, else the caller when it supports timers, else us.
 */
export function uasTimer(invite: SipRequest, minSE: number): UasTimer {
  const se = sessionExpiresOf(invite);
  if (!se) return { kind: 'none' };
  const supports = hasOption(invite, TIMER, true);
  const floor = Math.max(minSE, minSEOf(invite));
  if (se.interval < minSE && supports) return { kind: 'reject', minSE };
  const interval = Math.max(se.interval, floor);
  return { kind: 'timer', interval, refresher: se.refresher ?? (supports ? 'uac' : 'uas'), require: supports };
}

/** Headers for a 2xx (or a refresh's 2xx) that confirms a timer (§9: Require: timer when the caller supports it). */
export function timerHeaders(interval: number, refresher: Refresher, require: boolean): Header[] {
  return [['session-expires', `${interval};refresher=${refresher}`], ...(require ? [['require', TIMER] as Header] : [])];
}

/** §7.2: the timer a UAC learns from the 2xx to its INVITE (none when the 2xx names none). */
export function uacTimer(res: SipResponse): { interval: number; weRefresh: boolean } | undefined {
  const se = sessionExpiresOf(res);
  if (!se) return undefined;
  // §7.2: a 2xx without a refresher... the UAS chose; absent, the UAC refreshes.
  return { interval: se.interval, weRefresh: (se.refresher ?? 'uac') === 'uac' };
}

/** Whether the party said it takes UPDATE (Allow), so a refresh need not be a re-INVITE (§7.4 / §9). */
export function allowsUpdate(msg: { readonly headers: readonly Header[] }): boolean {
  return headers(msg, 'allow').some((m) => m.trim().toUpperCase() === 'UPDATE');
}

/** One leg's running session timer. */
export class SessionTimer {
  private timer: Timer | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly on: { refresh(): void; expire(): void },
  ) {}

  /** (Re)starts the interval: we refresh at half of it, or it expires at interval - min(32, interval/3) (§10). */
  start(interval: number, weRefresh: boolean): void {
    this.stop();
    const s = weRefresh ? interval / 2 : interval - Math.min(32, interval / 3);
    this.timer = this.clock.setTimer(Math.max(1, Math.round(s * 1000)), () => (weRefresh ? this.on.refresh() : this.on.expire()));
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }
}
