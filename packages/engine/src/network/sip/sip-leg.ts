/**
 * What both directions of a SIP leg share: events to the engine (asynchronous, in order, nothing
 * after the engine ended the leg), the dialog once established, in-dialog requests both ways (BYE,
 * re-INVITE, INFO), and bridging: each party must end up holding the other party's SDP, so a leg
 * whose party got some other description (our discard port, or an earlier peer) is re-INVITEd.
 */
import type { Clock, Timer } from '../../clock.ts';
import type { NetworkEndReason } from '../../calls/hangup-causes.ts';
import type { LegEvent, LegListener, NetworkLeg } from '../network.ts';
import { Dialog } from './dialog.ts';
import { cseqOf, header, type Header, type SipRequest, type SipResponse } from './message.ts';
import { mediaOf, restamp, newOrigin, isSdp, type Origin } from './sdp.ts';
import { reasonForBye, reasonHeaderFor } from './sip-causes.ts';
import { responseTo, type ServerTransaction, type SipTimers, type TransactionLayer } from './transactions.ts';
import type { Peer, TransportName } from './transport.ts';

/** What a leg needs from its network. */
export interface SipLegHost {
  readonly clock: Clock;
  readonly layer: TransactionLayer;
  readonly timers: SipTimers;
  /** Our address for Via, Contact and SDP. */
  readonly address: string;
  readonly port: number;
  /** The RTP port that swallows media when a party has nobody to talk to yet. */
  readonly discardPort: number;
  readonly userAgent: string;
  via(transport: TransportName): string;
  contact(transport: TransportName, user?: string): string;
  /** Indexes the leg by its dialog so in-dialog requests find it. */
  bind(leg: SipLeg, dialogKey: string): void;
  /** The leg is over: drop it from every index. */
  release(leg: SipLeg): void;
  warn(msg: string, data?: Record<string, unknown>): void;
}

export type SipLegState = 'calling' | 'ringing' | 'early' | 'answered' | 'ended';

export abstract class SipLeg implements NetworkLeg {
  abstract readonly direction: 'inbound' | 'outbound';
  readonly headers: Readonly<Record<string, string>>;
  state: SipLegState = 'calling';
  dialog: Dialog | undefined;
  /** The SDP this leg's party last sent us. */
  remoteSdp: string | undefined;
  /** What we last sent this party, origin line aside. */
  protected sentMedia = '';
  protected readonly origin: Origin = newOrigin();
  protected peerLeg: SipLeg | undefined;
  /** Set once the engine ended the leg (or the far end did): no more events. */
  protected silenced = false;
  private readonly listeners: LegListener[] = [];
  private reinviting = false;
  private reinvitePending = false;
  private digitQueue: string[] = [];
  private digitBusy = false;
  protected timers: Timer[] = [];

  constructor(
    protected readonly host: SipLegHost,
    readonly id: string,
    readonly from: string,
    readonly to: string,
    readonly transport: TransportName,
    hdrs: Readonly<Record<string, string>>,
    readonly callerName?: string,
  ) {
    this.headers = Object.freeze({ ...hdrs });
  }

  abstract answer(sdp?: string): void;
  abstract reject(cause: string): void;
  abstract hangup(cause: string): void;
  /** The peer that sent the INVITE or was sent it: where out-of-dialog answers go. */
  protected abstract get fallbackPeer(): Peer;

  onEvent(listener: LegListener): void {
    this.listeners.push(listener);
  }

  get ended(): boolean {
    return this.state === 'ended';
  }

  bridge(other: NetworkLeg): void {
    if (!(other instanceof SipLeg) || this.ended) return;
    this.peerLeg = other;
    other.peerLeg = this;
    this.syncMedia();
    other.syncMedia();
  }

  /** DTMF as SIP INFO application/dtmf-relay, one key per request, in order (signalling-only: no RFC 4733 RTP). */
  sendDigits(digits: string): void {
    if (this.ended || this.silenced) return;
    for (const d of digits.replace(/@\d+$/, '')) if (/[0-9*#A-D]/i.test(d)) this.digitQueue.push(d.toUpperCase());
    this.pumpDigits();
  }

  /** Ends the leg by the far end's doing: one `ended` event, then silence. */
  protected endRemotely(reason: NetworkEndReason): void {
    if (this.ended) return;
    const silenced = this.silenced;
    this.finish();
    if (!silenced) this.emit({ type: 'ended', reason });
  }

  /** Ends the leg without telling the engine (the engine asked, or the network closes). */
  finish(): void {
    if (this.state === 'ended') return;
    this.state = 'ended';
    this.silenced = true;
    for (const t of this.timers) t.cancel();
    this.timers = [];
    if (this.peerLeg?.peerLeg === this) this.peerLeg.peerLeg = undefined;
    this.peerLeg = undefined;
    this.host.release(this);
  }

  protected emit(event: LegEvent): void {
    queueMicrotask(() => {
      for (const l of [...this.listeners]) {
        try {
          l(event);
        } catch (err) {
          this.host.warn('a leg listener threw', { err: String(err), leg: this.id });
        }
      }
    });
  }

  protected after(ms: number, fn: () => void): void {
    this.timers.push(this.host.clock.setTimer(ms, fn));
  }

  /** Sends BYE with the cause as a Reason header (RFC 3326) and forgets the leg. */
  protected sendBye(cause: string): void {
    const d = this.dialog;
    if (!d) return;
    const bye = d.request('BYE', this.host.contact(this.transport), this.host.via(this.transport), [['reason', reasonHeaderFor(cause)], ['user-agent', this.host.userAgent]]);
    this.host.layer.sendRequest(bye, d.peer, { onResponse: () => {}, onTimeout: () => {}, onTransportError: () => {} });
  }

  /** A request inside this leg's dialog (§12.2.2). */
  onInDialogRequest(req: SipRequest, tx: ServerTransaction): void {
    const d = this.dialog;
    const seq = cseqOf(req)?.seq ?? 0;
    if (d && d.remoteSeq !== undefined && seq < d.remoteSeq && req.method !== 'ACK') {
      tx.respond(responseTo(req, 500, [], '', d.localTag, 'Out of order CSeq'));
      return;
    }
    if (d) d.remoteSeq = seq;
    const tag = d?.localTag;
    switch (req.method) {
      case 'BYE': {
        tx.respond(responseTo(req, 200, [], '', tag));
        this.endRemotely(reasonForBye(header(req, 'reason')));
        return;
      }
      case 'INVITE':
        this.onReinvite(req, tx);
        return;
      case 'INFO': {
        tx.respond(responseTo(req, 200, [], '', tag));
        const m = /Signal\s*=\s*([0-9*#A-D])/i.exec(req.body);
        if (m && /dtmf/i.test(header(req, 'content-type') ?? '') && !this.silenced) this.emit({ type: 'digits', digits: m[1]!.toUpperCase() });
        return;
      }
      case 'OPTIONS':
      case 'UPDATE':
        tx.respond(responseTo(req, 200, [['allow', ALLOW]], '', tag));
        return;
      default:
        tx.respond(responseTo(req, 501, [['allow', ALLOW]], '', tag));
    }
  }

  /**
   * A re-INVITE from the party (hold, codec change). The new description is remembered, and when
   * the leg is bridged the peer is re-INVITEd with it; the party gets back what we last sent it.
   * A glare (our own re-INVITE pending) gets 491 (§14.2).
   */
  private onReinvite(req: SipRequest, tx: ServerTransaction): void {
    if (this.reinviting) {
      tx.respond(responseTo(req, 491, [], '', this.dialog?.localTag));
      return;
    }
    if (isSdp(header(req, 'content-type'), req.body)) this.remoteSdp = req.body;
    const answer = this.peerLeg?.remoteSdp ?? this.lastSent;
    const body = answer ? restamp(answer, this.host.address, this.origin) : '';
    const hdrs: Header[] = [['contact', this.host.contact(this.transport)]];
    if (body) hdrs.push(['content-type', 'application/sdp']);
    tx.respond(responseTo(req, 200, hdrs, body, this.dialog?.localTag));
    this.peerLeg?.syncMedia();
  }

  protected lastSent: string | undefined;

  /** Records what we are about to send this party. */
  protected sending(sdp: string): string {
    this.lastSent = sdp;
    this.sentMedia = mediaOf(sdp);
    return sdp;
  }

  /** After a bridge or a peer's change: re-INVITE our party when it does not hold the peer's media. */
  syncMedia(): void {
    const peer = this.peerLeg;
    if (!peer || this.state !== 'answered' || !this.dialog || !peer.remoteSdp) return;
    if (mediaOf(peer.remoteSdp) === this.sentMedia) return;
    if (this.reinviting) {
      this.reinvitePending = true;
      return;
    }
    this.reinvite(peer.remoteSdp);
  }

  private reinvite(peerSdp: string): void {
    const d = this.dialog!;
    this.origin.version++;
    const body = this.sending(restamp(peerSdp, this.host.address, this.origin));
    const req = d.request('INVITE', this.host.contact(this.transport), this.host.via(this.transport), [['content-type', 'application/sdp'], ['user-agent', this.host.userAgent]], body);
    const seq = d.localSeq;
    this.reinviting = true;
    const done = () => {
      this.reinviting = false;
      if (this.reinvitePending) {
        this.reinvitePending = false;
        this.syncMedia();
      }
    };
    this.host.layer.sendRequest(req, d.peer, {
      onResponse: (res: SipResponse) => {
        if (res.status < 200) return;
        if (res.status < 300) {
          // §13.2.2.4: the ACK for a 2xx is end to end, a new transaction with the INVITE's CSeq number.
          this.host.layer.sendStateless(d.request('ACK', this.host.contact(this.transport), this.host.via(this.transport), [], '', seq), d.peer);
          const changed = isSdp(header(res, 'content-type'), res.body) && mediaOf(res.body) !== mediaOf(this.remoteSdp);
          if (isSdp(header(res, 'content-type'), res.body)) this.remoteSdp = res.body;
          done();
          if (changed) this.peerLeg?.syncMedia();
          return;
        }
        // 488/491/...: the party keeps what it had; the call goes on (§14.1).
        this.host.warn('re-INVITE refused', { status: res.status, leg: this.id });
        done();
      },
      onTimeout: () => {
        // §14.1: a re-INVITE that gets no answer ends the dialog.
        done();
        if (!this.ended) {
          this.sendBye('RECOVERY_ON_TIMER_EXPIRE');
          this.endRemotely('timeout');
        }
      },
      onTransportError: () => {
        done();
        this.endRemotely('out-of-order');
      },
    });
  }

  private pumpDigits(): void {
    const d = this.dialog;
    if (this.digitBusy || !d || this.state !== 'answered' || this.ended) return;
    const key = this.digitQueue.shift();
    if (key === undefined) return;
    this.digitBusy = true;
    const req = d.request('INFO', this.host.contact(this.transport), this.host.via(this.transport), [['content-type', 'application/dtmf-relay']], `Signal=${key}\r\nDuration=160\r\n`);
    const next = () => {
      this.digitBusy = false;
      this.pumpDigits();
    };
    this.host.layer.sendRequest(req, d.peer, { onResponse: (r) => r.status >= 200 && next(), onTimeout: next, onTransportError: next });
  }

  /** 2xx retransmissions of an INVITE already answered by the far end (§13.2.2.4) land here. */
  onStrayResponse(_res: SipResponse): void {}

  /** An ACK inside the dialog (inbound legs: the ACK for our 2xx). */
  onAck(_req: SipRequest): void {}
}

export const ALLOW = 'INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE';
