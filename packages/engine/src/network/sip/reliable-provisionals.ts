/**
 * Reliable provisional responses (RFC 3262, "100rel"), both sides of them:
 *
 * - As UAS (an INVITE that `Require`s or `Supported`s 100rel): every 18x we send carries
 *   `Require: 100rel` and an `RSeq` (§3), one at a time (a second waits for the first's PRACK),
 *   resent T1 doubling until its PRACK and given up after 64*T1, when the INVITE gets a 5xx. A
 *   PRACK whose `RAck` matches gets 200, any other 481 (§3). A 2xx waits for the PRACK of a
 *   provisional that carried SDP (§3: its answer must be confirmed first).
 * - As UAC: a trunk's reliable 18x is PRACKed in its early dialog (`RAck: RSeq CSeq INVITE`, §7.2),
 *   once per RSeq and only in order (§4: a retransmission, or one that skips a number, is not).
 */
import type { Timer } from '../../clock.ts';
import { cseqOf, header, headers, type Header, type SipRequest, type SipResponse } from './message.ts';
import { responseTo, type ServerTransaction, type SipTimers } from './transactions.ts';
import type { Clock } from '../../clock.ts';

export const REL100 = '100rel';

/** Whether the message names the option tag in `Require` or (for `supported`) `Supported` too. */
export function hasOption(msg: { readonly headers: readonly Header[] }, tag: string, alsoSupported = false): boolean {
  const names = alsoSupported ? ['require', 'supported'] : ['require'];
  return names.some((n) => headers(msg, n).some((v) => v.trim().toLowerCase() === tag));
}

/** The RSeq of a reliable provisional response (§7.1), or undefined for an unreliable one. */
export function reliableRseq(res: SipResponse): number | undefined {
  if (res.status <= 100 || res.status >= 200 || !hasOption(res, REL100)) return undefined;
  const m = /^\s*(\d{1,10})\s*$/.exec(header(res, 'rseq') ?? '');
  return m ? Number(m[1]) : undefined;
}

interface Pending {
  readonly res: SipResponse;
  readonly rseq: number;
  readonly hasSdp: boolean;
}

/**
 * The UAS side for one INVITE server transaction. `send` takes a provisional response as the leg
 * would send it unreliably and sends it reliably (or queues it); `final` is told when the INVITE's
 * final response goes out.
 */
export class ReliableProvisionals {
  private rseq = 1 + Math.floor(Math.random() * 2 ** 30);
  private inFlight: Pending | undefined;
  private queue: Pending[] = [];
  private timers: Timer[] = [];
  /** Runs once no provisional with SDP waits for its PRACK (a 2xx waits for that, §3). */
  private whenConfirmed: (() => void) | undefined;
  private done = false;
  /** The INVITE's CSeq number, which a PRACK's RAck names (the transaction lets go of the INVITE with its final response). */
  private readonly inviteSeq: number | undefined;

  constructor(
    private readonly tx: ServerTransaction,
    private readonly clock: Clock,
    private readonly sipTimers: SipTimers,
    /** 64*T1 without a PRACK: the INVITE is to be refused with a 5xx (§3). */
    private readonly onGiveUp: () => void,
  ) {
    this.inviteSeq = cseqOf(tx.request)?.seq;
  }

  /** A 1xx (not 100) to send reliably: Require: 100rel and the next RSeq (§3). */
  send(res: SipResponse): void {
    if (this.done) return;
    const rseq = this.rseq++;
    const reliable: SipResponse = { ...res, headers: [...res.headers.filter(([k]) => k !== 'content-length'), ['require', REL100], ['rseq', String(rseq)]] };
    const p: Pending = { res: reliable, rseq, hasSdp: res.body.length > 0 };
    if (this.inFlight) this.queue.push(p);
    else this.transmit(p);
  }

  /** True while a provisional response with SDP waits for its PRACK: the 2xx must wait too. */
  get sdpUnconfirmed(): boolean {
    return [this.inFlight, ...this.queue].some((p) => p?.hasSdp);
  }

  /** Runs `fn` once no provisional with SDP is left unacknowledged (at once when none is). */
  afterConfirmed(fn: () => void): void {
    if (!this.sdpUnconfirmed) return fn();
    this.whenConfirmed = fn;
  }

  /** A PRACK for this INVITE (§3): 200 when its RAck names the response in flight, else 481. */
  onPrack(req: SipRequest, tx: ServerTransaction, toTag: string | undefined): void {
    const rack = /^\s*(\d+)\s+(\d+)\s+([A-Za-z]+)\s*$/.exec(header(req, 'rack') ?? '');
    const p = this.inFlight;
    if (!rack || !p || Number(rack[1]) !== p.rseq || Number(rack[2]) !== this.inviteSeq || rack[3]!.toUpperCase() !== 'INVITE') {
      tx.respond(responseTo(req, 481, [], '', toTag));
      return;
    }
    tx.respond(responseTo(req, 200, [], '', toTag));
    this.clearTimers();
    this.inFlight = undefined;
    const next = this.queue.shift();
    if (next && !this.done) this.transmit(next);
    if (!this.sdpUnconfirmed && this.whenConfirmed) {
      const fn = this.whenConfirmed;
      this.whenConfirmed = undefined;
      fn();
    }
  }

  /** The INVITE got its final response (or the leg ended): nothing more is sent or resent. */
  stop(): void {
    this.done = true;
    this.queue = [];
    this.whenConfirmed = undefined;
    this.clearTimers();
  }

  private transmit(p: Pending): void {
    this.inFlight = p;
    this.tx.respond(p.res);
    // §3: resent at T1, doubling (no T2 cap in RFC 3262), for 64*T1, whatever the transport.
    let interval = this.sipTimers.t1;
    const resend = () => {
      if (this.done || this.inFlight !== p || this.tx.finalSent) return;
      this.tx.respond(p.res);
      interval *= 2;
      this.timers.push(this.clock.setTimer(interval, resend));
    };
    this.timers.push(this.clock.setTimer(interval, resend));
    this.timers.push(
      this.clock.setTimer(64 * this.sipTimers.t1, () => {
        if (this.done || this.inFlight !== p) return;
        this.stop();
        this.onGiveUp();
      }),
    );
  }

  private clearTimers(): void {
    for (const t of this.timers) t.cancel();
    this.timers = [];
  }
}
