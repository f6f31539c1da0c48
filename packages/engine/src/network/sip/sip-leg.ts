/**
 * What both directions of a SIP leg share: events to the engine (asynchronous, in order, nothing
 * after the engine ended the leg), the dialog once established, in-dialog requests both ways (BYE,
 * re-INVITE, UPDATE, INFO), and bridging: each party must end up holding the other party's SDP, so
 * a leg whose party got some other description (our discard port, or an earlier peer) is
 * re-INVITEd, and a party's own offer (hold, resume, codec change) is relayed to its peer as a
 * B2BUA does (RFC 3261 §14, RFC 3264): the party's answer is the peer's answer.
 */
import type { Clock, Timer } from '../../clock.ts';
import type { NetworkEndReason } from '../../domain/causes.ts';
import type { LegEvent, LegListener, NetworkLeg } from '../network.ts';
import { Dialog } from './dialog.ts';
import { DigestSession, type Credentials } from './digest.ts';
import { cseqOf, detach, header, type Header, type SipMessage, type SipRequest, type SipResponse } from './message.ts';
import { answerDirections, mediaOf, restamp, newOrigin, isSdp, ownAnswer, type Origin } from './sdp.ts';
import { reasonForBye, reasonForResponse, reasonHeaderFor } from './sip-causes.ts';
import { cancelFor, responseTo, type ClientTransaction, type ClientTU, type ServerTransaction, type SipTimers, type TransactionLayer } from './transactions.ts';
import type { Peer, TransportName } from './transport.ts';
import { parseNameAddr } from './uri.ts';
import { SessionTimer, sessionExpiresOf, TIMER } from './session-timer.ts';
import { hasOption } from './reliable-provisionals.ts';

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
  /** Our smallest session interval, seconds (RFC 4028 Min-SE; 90 unless configured). */
  readonly sessionMinSE: number;
  via(transport: TransportName): string;
  contact(transport: TransportName, user?: string): string;
  /** Indexes the leg by its dialog so in-dialog requests find it. */
  bind(leg: SipLeg, dialogKey: string): void;
  /** The leg is over: drop it from every index. */
  release(leg: SipLeg): void;
  warn(msg: string, data?: Record<string, unknown>): void;
}

export type SipLegState = 'calling' | 'ringing' | 'early' | 'answered' | 'ended';

/** A party's offer (re-INVITE or UPDATE), from its arrival until its transaction is done for us. */
interface PartyOffer {
  readonly req: SipRequest;
  readonly tx: ServerTransaction;
  readonly seq: number;
  /** The party's SDP; absent for a late-offer re-INVITE (§14.1: the offer then comes from our 2xx). */
  readonly offer: string | undefined;
  /** The final response went out. */
  final: boolean;
  /** The ACK for our 2xx arrived (re-INVITE only). */
  acked: boolean;
  /** Late offer relayed: the peer's 2xx waits for its ACK, which must carry the party's answer. */
  answerPeer?: (answer: string | undefined) => void;
  /** Withdraws the re-INVITE relayed to the peer (CANCEL, §9.1) when the party cancels its own. */
  cancelPeer?: () => void;
  /** Our 2xx to a re-INVITE, resent until its ACK (§13.3.1.4). */
  resend?: Timer;
}

/** How a re-INVITE we send ends, for the one who sent it. */
interface ReinviteOutcome {
  /** A 2xx: `ack` must be called, with the answer when the re-INVITE had no offer. */
  answered(res: SipResponse, ack: (answer?: string) => void): void;
  /** A final non-2xx: the party keeps the session it had (§14.1). */
  refused(res: SipResponse): void;
  /** No final response at all (Timer B) or the transport failed. */
  failed(why: 'timeout' | 'transport'): void;
}

const NO_LISTENERS: readonly LegListener[] = Object.freeze([]);
const NO_TIMERS: readonly Timer[] = Object.freeze([]);
const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});

const IGNORE: ClientTU = { onResponse: () => {}, onTimeout: () => {}, onTransportError: () => {} };

/** Attempts of one in-dialog request: the first, one per challenging realm (a proxy and the far end), one stale retry. */
const MAX_ATTEMPTS = 4;

/** A TU that also hears which request each attempt sent (a re-INVITE's CANCEL and ACK follow the last). */
interface InDialogTU extends ClientTU {
  sent?(tx: ClientTransaction): void;
  /** False when a challenge should end the request instead (a re-INVITE being withdrawn). */
  mayRetry?(): boolean;
}

export abstract class SipLeg implements NetworkLeg {
  abstract readonly direction: 'inbound' | 'outbound';
  readonly headers: Readonly<Record<string, string>>;
  state: SipLegState = 'calling';
  dialog: Dialog | undefined;
  /** The SDP this leg's party last sent us. */
  remoteSdp: string | undefined;
  /** @internal The key its network indexes it by (SipLegHost.bind), kept on the leg rather than in a second map. */
  boundKey: string | undefined;
  /** What we last sent this party, origin line aside: worked out when compared (a held call need not keep a second copy of its SDP). */
  protected get sentMedia(): string {
    return mediaOf(this.lastSent);
  }
  protected readonly origin: Origin = newOrigin();
  protected peerLeg: SipLeg | undefined;
  /** Set once the engine ended the leg (or the far end did): no more events. */
  protected silenced = false;
  /** Replaced, never changed in place (an array pushed to once keeps room for 17). */
  private listeners: readonly LegListener[] = NO_LISTENERS;
  /** endRemotely is ending the leg: an `ended` event follows finish(), and the listeners must hear it. */
  private endedEventDue = false;
  /** A re-INVITE of ours to this party is in progress (§14.1: one INVITE transaction at a time). */
  private reinviting = false;
  /** syncMedia was asked for while an offer was in progress: it runs when none is. */
  private reinvitePending = false;
  /** The party's own offer in progress. */
  private incoming: PartyOffer | undefined;
  /** The peer's offer our re-INVITE to this party carries: the peer waits on it. */
  private relaying: { readonly from: SipLeg; readonly offer: PartyOffer } | undefined;
  private digitQueue: string[] = [];
  private digitBusy = false;
  /** Replaced, never changed in place (an array pushed to once keeps room for 17). */
  protected timers: readonly Timer[] = NO_TIMERS;
  /** Credentials and the challenges seen, for every request of ours this party challenges. */
  protected readonly digest: DigestSession;
  /** RFC 4028: the session's interval once a timer was agreed, and who refreshes. */
  protected session: { interval: number; weRefresh: boolean; require: boolean } | undefined;
  private sessionTimer: SessionTimer | undefined;
  /** The party's Allow lists UPDATE: a refresh is an UPDATE, else a re-INVITE (RFC 4028 §9). */
  protected partyAllowsUpdate = false;

  constructor(
    protected readonly host: SipLegHost,
    readonly id: string,
    readonly from: string,
    readonly to: string,
    readonly transport: TransportName,
    hdrs: Readonly<Record<string, string>>,
    readonly callerName?: string,
    credentials?: Credentials,
  ) {
    this.headers = Object.keys(hdrs).length === 0 ? NO_HEADERS : Object.freeze({ ...hdrs });
    this.digest = new DigestSession(credentials);
  }

  abstract answer(sdp?: string): void;
  abstract reject(cause: string): void;
  abstract hangup(cause: string): void;
  /** The peer that sent the INVITE or was sent it: where out-of-dialog answers go. */
  protected abstract get fallbackPeer(): Peer;

  onEvent(listener: LegListener): void {
    this.listeners = [...this.listeners, listener];
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
    this.endedEventDue = !silenced;
    this.finish();
    if (!silenced) this.emit({ type: 'ended', reason });
  }

  /** Ends the leg without telling the engine (the engine asked, or the network closes). */
  finish(): void {
    if (this.state === 'ended') return;
    this.state = 'ended';
    this.silenced = true;
    for (const t of this.timers) t.cancel();
    this.timers = NO_TIMERS;
    this.sessionTimer?.stop();
    if (this.peerLeg?.peerLeg === this) this.peerLeg.peerLeg = undefined;
    this.peerLeg = undefined;
    // §15.1.2: requests still pending on a dialog that ends get a final response (after the
    // unbridging, so that nobody is re-INVITEd towards a party that is gone).
    const st = this.incoming;
    if (st) {
      this.refuseOffer(st, 487);
      st.answerPeer?.(undefined);
      this.incoming = undefined;
    }
    const relayed = this.relaying;
    this.relaying = undefined;
    if (relayed) relayed.from.refuseOffer(relayed.offer, 500);
    this.host.release(this);
    // The engine hears nothing more from an ended leg, but its transactions keep the leg for up to
    // 64*T1 (RFC 6026's Accepted state: 2xx retransmissions are still ACKed). The engine's listeners
    // hold the whole call (runner, session, journal): let go of them once the events already queued
    // are delivered, so an ended call is not kept 32 s by its SIP timers. An `ended` event still to
    // come lets go itself, after its delivery.
    if (!this.endedEventDue) queueMicrotask(() => (this.listeners = NO_LISTENERS));
  }

  protected emit(event: LegEvent): void {
    queueMicrotask(() => {
      for (const l of this.listeners) {
        try {
          l(event);
        } catch (err) {
          this.host.warn('a leg listener threw', { err: String(err), leg: this.id });
        }
      }
      // The last event of a leg the far end ended (see finish).
      if (event.type === 'ended') this.listeners = NO_LISTENERS;
    });
  }

  /** A timer of the leg's, cancelled when the leg ends; it lets go of itself once it fired. */
  protected after(ms: number, fn: () => void): Timer {
    const t: Timer = this.host.clock.setTimer(ms, () => {
      this.untrack(t);
      fn();
    });
    this.timers = [...this.timers, t];
    return t;
  }

  private untrack(t: Timer): void {
    if (this.timers.includes(t)) this.timers = this.timers.length === 1 ? NO_TIMERS : this.timers.filter((x) => x !== t);
  }

  /** Sends BYE with the cause as a Reason header (RFC 3326); the leg may be forgotten at once, a challenge is still answered. */
  protected sendBye(cause: string): void {
    if (!this.dialog) return;
    this.sendInDialog('BYE', [['reason', reasonHeaderFor(cause)], ['user-agent', this.host.userAgent]], '', IGNORE);
  }

  /**
   * An in-dialog request of ours (§12.2.1.1). A 401/407 is answered as the INVITE's is (§22.2,
   * `DigestRequest`): the request again in a new transaction with the next CSeq (§8.1.3.5) and
   * credentials for every realm challenged so far; a realm that challenges again, or a party we
   * have no credentials for, and the TU gets the challenge as the final response.
   */
  private sendInDialog(method: string, extra: readonly Header[], body: string, tu: InDialogTU): void {
    const d = this.dialog!;
    const auth = this.digest.request();
    const contact = this.host.contact(this.transport);
    const via = this.host.via(this.transport);
    let credentials: Header[] = [];
    let attempts = 0;
    const send = () => {
      attempts++;
      const req = d.request(method, contact, via, [...extra, ...credentials], body);
      const tx = this.host.layer.sendRequest(req, d.peer, {
        onResponse: (res) => {
          if ((res.status === 401 || res.status === 407) && attempts < MAX_ATTEMPTS && tu.mayRetry?.() !== false && auth.challenged(res)) {
            // The digest-uri is the next attempt's Request-URI: the dialog's remote target.
            credentials = auth.headers(method, d.remoteTarget, body);
            send();
            return;
          }
          tu.onResponse(res);
        },
        onTimeout: () => tu.onTimeout(),
        onTransportError: (err) => tu.onTransportError(err),
      });
      tu.sent?.(tx);
    };
    send();
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
    if (this.session && (req.method === 'INVITE' || req.method === 'UPDATE')) this.watchRefresh(req, tx);
    switch (req.method) {
      case 'BYE': {
        tx.respond(responseTo(req, 200, [], '', tag));
        this.endRemotely(reasonForBye(header(req, 'reason')));
        return;
      }
      case 'INVITE':
        this.onOffer(req, tx);
        return;
      case 'UPDATE':
        // RFC 3311: an UPDATE without a body only refreshes the target; with SDP it is an offer.
        if (sdpOf(req) !== undefined) {
          this.onOffer(req, tx);
          return;
        }
        if (d) refreshTarget(d, req);
        tx.respond(responseTo(req, 200, [['contact', this.host.contact(this.transport)], ['allow', ALLOW]], '', tag));
        return;
      case 'INFO': {
        tx.respond(responseTo(req, 200, [], '', tag));
        const m = /Signal\s*=\s*([0-9*#A-D])/i.exec(req.body);
        if (!m || !/dtmf/i.test(header(req, 'content-type') ?? '')) return;
        const key = m[1]!.toUpperCase();
        if (!this.silenced) this.emit({ type: 'digits', digits: key });
        // Bridged, the key reaches the other party too, as RFC 4733 events in the media would: a
        // phone that sends DTMF only as INFO can drive an IVR behind the trunk.
        const peer = this.peerLeg;
        if (peer && peer.state === 'answered' && this.state === 'answered') peer.sendDigits(key);
        return;
      }
      case 'OPTIONS':
        tx.respond(responseTo(req, 200, [['allow', ALLOW]], '', tag));
        return;
      case 'PRACK':
        this.onPrack(req, tx);
        return;
      default:
        tx.respond(responseTo(req, 501, [['allow', ALLOW]], '', tag));
    }
  }

  /**
   * RFC 4028 §9/§10: a party's re-INVITE or UPDATE is a session refresh. Its 2xx restates the
   * interval (theirs when they name one at least our minimum) and restarts the timer.
   */
  private watchRefresh(req: SipRequest, tx: ServerTransaction): void {
    const s = this.session!;
    const respond = tx.respond.bind(tx);
    tx.respond = (res: SipResponse) => {
      if (res.status < 200 || res.status >= 300 || this.ended) return respond(res);
      const asked = sessionExpiresOf(req);
      const interval = asked ? Math.max(asked.interval, this.host.sessionMinSE) : s.interval;
      // The party sent the refresh: it is the UAC of this request, and refreshes unless it says otherwise.
      const weRefresh = asked?.refresher === 'uas';
      const hdrs: Header[] = [['session-expires', `${interval};refresher=${weRefresh ? 'uas' : 'uac'}`]];
      if (asked && hasOption(req, TIMER, true)) hdrs.push(['require', TIMER]);
      respond({ ...res, headers: [...res.headers.filter(([k]) => k !== 'session-expires' && k !== 'content-length'), ...hdrs] });
      this.startSession(interval, weRefresh, s.require);
    };
  }

  /** Starts (or restarts) the session timer once the session is up (RFC 4028 §10). */
  protected startSession(interval: number, weRefresh: boolean, require: boolean): void {
    if (this.ended) return;
    this.session = { interval, weRefresh, require };
    this.sessionTimer ??= new SessionTimer(this.host.clock, { refresh: () => this.refreshSession(), expire: () => this.sessionExpired() });
    this.sessionTimer.start(interval, weRefresh);
  }

  /** RFC 4028 §10: no refresh came in time: BYE, and the call ends as a timeout. */
  private sessionExpired(): void {
    if (this.ended) return;
    this.host.warn('SIP session expired without a refresh (RFC 4028); ending the leg', { leg: this.id, interval: this.session?.interval });
    this.sendBye('RECOVERY_ON_TIMER_EXPIRE');
    this.endRemotely('timeout');
  }

  /**
   * RFC 4028 §7.4/§10: we refresh at half the interval: an UPDATE without a body when the party
   * takes UPDATE, else a re-INVITE with the description it already has. Its 2xx may change the
   * interval; a 408/481 or no answer means the session is gone.
   */
  private refreshSession(): void {
    const s = this.session;
    if (!s || this.ended || this.state !== 'answered' || !this.dialog) return;
    const extra: Header[] = [['session-expires', `${s.interval};refresher=uac`], ['min-se', String(this.host.sessionMinSE)], ['supported', TIMER]];
    const answered = (res: SipResponse) => {
      const se = sessionExpiresOf(res);
      this.startSession(se?.interval ?? s.interval, (se?.refresher ?? 'uac') === 'uac', s.require);
    };
    const lost = () => {
      if (this.ended) return;
      this.sendBye('RECOVERY_ON_TIMER_EXPIRE');
      this.endRemotely('timeout');
    };
    const refused = (res: SipResponse) => {
      if (res.status === 408 || res.status === 481) return lost();
      // Anything else (491 glare, 500 ...): the session is still there; try again in a while.
      this.startSession(s.interval, true, s.require);
    };
    if (this.partyAllowsUpdate) {
      this.sendInDialog('UPDATE', extra, '', {
        onResponse: (res) => {
          if (res.status < 200) return;
          if (res.status < 300) answered(res);
          else refused(res);
        },
        onTimeout: lost,
        onTransportError: lost,
      });
      return;
    }
    const sdp = this.peerLeg?.remoteSdp ?? this.lastSent;
    if (this.reinviting || this.incoming || sdp === undefined) {
      // An offer in progress refreshes the session itself when it succeeds; look again soon.
      this.startSession(s.interval, true, s.require);
      return;
    }
    this.sendReinvite(sdp, {
      answered: (res, ack) => {
        const got = sdpOf(res);
        if (got !== undefined) this.remoteSdp = got;
        ack();
        answered(res);
      },
      refused,
      failed: lost,
    }, extra);
  }

  /** RFC 3262 §3: a PRACK that matches no reliable provisional response of ours gets 481. */
  protected onPrack(req: SipRequest, tx: ServerTransaction): void {
    tx.respond(responseTo(req, 481, [], '', this.dialog?.localTag));
  }

  /**
   * The party's own offer: a re-INVITE (with SDP, or without for a late offer) or an UPDATE with
   * SDP. Bridged to an answered peer, it is relayed: the peer is re-INVITEd with it (a re-INVITE
   * whatever the party used, since every UA takes one and UPDATE support is optional), and the
   * party's request waits for the peer's answer or refusal. Otherwise the party gets back what we
   * last sent it. Offers that cross are refused (§14.2, RFC 3311 §5.2): 500 with Retry-After while
   * the party's previous offer is unanswered, 491 while one of ours is pending on this leg or on
   * the peer, or the peer's own offer is still in progress.
   */
  private onOffer(req: SipRequest, tx: ServerTransaction): void {
    const tag = this.dialog?.localTag;
    const peer = this.peerLeg;
    if (this.incoming || (this.state !== 'answered' && this.direction === 'inbound')) {
      tx.respond(responseTo(req, 500, [['retry-after', String(1 + Math.floor(Math.random() * 3))]], '', tag));
      return;
    }
    if (this.reinviting || this.state !== 'answered' || peer?.reinviting || peer?.incoming) {
      tx.respond(responseTo(req, 491, [], '', tag));
      return;
    }
    const st: PartyOffer = { req, tx, seq: cseqOf(req)?.seq ?? 0, offer: sdpOf(req), final: false, acked: false };
    this.incoming = st;
    if (req.method === 'INVITE') tx.onCancel = () => this.onOfferCancelled(st);
    if (peer && peer.state === 'answered' && peer.dialog) this.relay(st, peer);
    else this.answerLocally(st);
  }

  /**
   * Nobody answered to relay to (the party hears our <Speak>, say): the party gets what we last
   * sent it, with the directions its offer calls for (RFC 3264 §6.1: a hold gets recvonly).
   */
  private answerLocally(st: PartyOffer): void {
    if (st.offer !== undefined) this.remoteSdp = st.offer;
    const sdp = this.peerLeg?.remoteSdp ?? this.lastSent;
    this.acceptOffer(st, sdp ? this.describe(st.offer !== undefined ? answerDirections(sdp, st.offer) : sdp) : '');
    this.peerLeg?.syncMedia();
  }

  /**
   * The B2BUA relay. Nothing changes for either party until the peer answers: then the peer holds
   * the party's offer, the party gets the peer's answer, and both `remoteSdp`s move together. A
   * refusal reaches the party with the peer's status and both keep their sessions. A peer that
   * does not answer, or answers 408/481, has lost its dialog (§12.2.1.2, §14.1) and its leg ends;
   * the party gets 500, not 408, because its own dialog with us lives on (a Dial's action URL, say).
   */
  private relay(st: PartyOffer, peer: SipLeg): void {
    peer.relaying = { from: this, offer: st };
    const release = () => {
      if (peer.relaying?.offer === st) peer.relaying = undefined;
    };
    const out = peer.sendReinvite(st.offer, {
      answered: (res, ack) => {
        release();
        const sdp = sdpOf(res);
        if (st.offer !== undefined) {
          if (sdp !== undefined) peer.remoteSdp = sdp;
          if (st.final) {
            // The party withdrew its offer (CANCEL, or it left) after the peer took it: put the peer back.
            ack();
            peer.syncMedia();
            return;
          }
          this.remoteSdp = st.offer;
          ack();
          const answer = sdp ?? peer.remoteSdp;
          this.acceptOffer(st, answer ? this.describe(answer) : '');
          return;
        }
        // Late offer: the peer's 2xx carries its offer; its ACK must carry the party's answer.
        const peerOffer = sdp ?? peer.remoteSdp ?? '';
        if (sdp !== undefined) peer.remoteSdp = sdp;
        const ackWith = (answer: string | undefined) => ack(peer.describe(answer ?? ownAnswer(peerOffer, this.host.address, this.host.discardPort, peer.origin)));
        if (st.final) {
          ackWith(undefined);
          peer.syncMedia();
          return;
        }
        st.answerPeer = (answer) => {
          st.answerPeer = undefined;
          if (answer !== undefined) this.remoteSdp = answer;
          ackWith(answer);
          // Without the party's answer the peer got ours (the discard port): give it the party's media again.
          if (answer === undefined) peer.syncMedia();
        };
        this.acceptOffer(st, peerOffer ? this.describe(peerOffer) : '');
      },
      refused: (res) => {
        release();
        if (res.status === 408 || res.status === 481) {
          this.refuseOffer(st, 500);
          peer.dialogLost(res.status === 408 ? 'timeout' : 481);
          return;
        }
        const pass = res.headers.filter(([k]) => k === 'retry-after' || k === 'warning' || k === 'reason');
        this.refuseOffer(st, res.status, pass, res.reason);
      },
      failed: (why) => {
        release();
        this.refuseOffer(st, 500);
        peer.dialogLost(why);
      },
    });
    st.cancelPeer = out.cancel;
  }

  /** §9.2: the party CANCELled its re-INVITE (the CANCEL got its 200 from the network). */
  private onOfferCancelled(st: PartyOffer): void {
    if (st.final) return;
    this.refuseOffer(st, 487);
    st.cancelPeer?.();
  }

  /** 200 to the party's offer; a re-INVITE's 2xx is resent until the ACK (§13.3.1.4), an UPDATE is done. */
  private acceptOffer(st: PartyOffer, body: string): void {
    if (st.final) return;
    st.final = true;
    const hdrs: Header[] = [['contact', this.host.contact(this.transport)], ['allow', ALLOW], ['user-agent', this.host.userAgent]];
    if (body) hdrs.push(['content-type', 'application/sdp']);
    const ok = responseTo(st.req, 200, hdrs, body, this.dialog?.localTag);
    st.tx.respond(ok);
    if (this.dialog) refreshTarget(this.dialog, st.req);
    if (st.req.method !== 'INVITE') {
      this.offerDone(st);
      return;
    }
    st.resend = this.resendUntilAck(st.tx, () => {
      st.answerPeer?.(undefined);
      this.offerDone(st);
    });
  }

  /**
   * §13.3.1.4: the UAS core resends a 2xx to an INVITE (the wire text its transaction kept), T1
   * doubling up to T2, until the ACK (over UDP; TCP is reliable); with no ACK by 64*T1 the dialog
   * is over: `giveUp`, then BYE. One timer at a time; whoever sees the ACK cancels the returned
   * timer, so an answered call keeps neither the 2xx nor a timer for it.
   */
  protected resendUntilAck(tx: ServerTransaction, giveUp?: () => void): Timer {
    const { t1, t2 } = this.host.timers;
    const clock = this.host.clock;
    const wire = tx.source.transport === 'udp' ? tx.finalWire : undefined;
    const to = tx.replyTo;
    const deadline = clock.now() + 64 * t1;
    let interval = t1;
    let timer: Timer | undefined;
    /** The timer armed is the deadline's, not a resend's. */
    let last = false;
    const handle: Timer = {
      cancel: () => {
        timer?.cancel();
        timer = undefined;
        this.untrack(handle);
      },
    };
    const arm = () => {
      const now = clock.now();
      last = wire === undefined || now + interval >= deadline;
      timer = clock.setTimer((last ? deadline : now + interval) - now, fire);
    };
    const fire = () => {
      timer = undefined;
      if (this.ended) return;
      if (last) {
        this.untrack(handle);
        giveUp?.();
        this.sendBye('RECOVERY_ON_TIMER_EXPIRE');
        this.endRemotely('timeout');
        return;
      }
      this.host.layer.sendStateless(wire!, to);
      interval = Math.min(interval * 2, t2);
      arm();
    };
    arm();
    this.timers = [...this.timers, handle];
    return handle;
  }

  private refuseOffer(st: PartyOffer, status: number, extra: readonly Header[] = [], reason?: string): void {
    if (st.final) return;
    st.final = true;
    st.tx.respond(responseTo(st.req, status, extra, '', this.dialog?.localTag, reason));
    this.offerDone(st);
  }

  private offerDone(st: PartyOffer): void {
    if (this.incoming !== st) return;
    this.incoming = undefined;
    this.flushPending();
  }

  /**
   * The ACK for our 2xx to the party's re-INVITE (a new transaction, so the network hands it to
   * the leg). After a late offer it carries the party's answer. False: not such an ACK.
   */
  protected onReinviteAck(req: SipRequest): boolean {
    const st = this.incoming;
    if (!st || !st.final || st.acked || st.req.method !== 'INVITE' || cseqOf(req)?.seq !== st.seq) return false;
    st.acked = true;
    st.resend?.cancel();
    st.resend = undefined;
    const answer = sdpOf(req);
    if (st.answerPeer) st.answerPeer(answer);
    else if (st.offer === undefined && answer !== undefined) this.remoteSdp = answer;
    this.offerDone(st);
    if (st.offer === undefined && answer !== undefined) this.peerLeg?.syncMedia();
    return true;
  }

  protected lastSent: string | undefined;

  /** Records what we are about to send this party. */
  protected sending(sdp: string): string {
    this.lastSent = sdp;
    return sdp;
  }

  /** Another party's SDP, re-stamped for this party; the version grows only when the media changes (RFC 3264 §8). */
  private describe(sdp: string): string {
    if (mediaOf(sdp) !== this.sentMedia) this.origin.version++;
    return this.sending(restamp(sdp, this.host.address, this.origin));
  }

  /** After a bridge or a peer's change: re-INVITE our party when it does not hold the peer's media. */
  syncMedia(): void {
    const peer = this.peerLeg;
    if (!peer || this.state !== 'answered' || !this.dialog || !peer.remoteSdp) return;
    if (mediaOf(peer.remoteSdp) === this.sentMedia) return;
    if (this.reinviting || this.incoming) {
      this.reinvitePending = true;
      return;
    }
    this.reinvite(peer.remoteSdp);
  }

  private flushPending(): void {
    if (!this.reinvitePending || this.reinviting || this.incoming) return;
    this.reinvitePending = false;
    this.syncMedia();
  }

  /** Our own re-INVITE: the party gets the peer's current description. */
  private reinvite(peerSdp: string): void {
    this.sendReinvite(peerSdp, {
      answered: (res, ack) => {
        const sdp = sdpOf(res);
        const changed = sdp !== undefined && mediaOf(sdp) !== mediaOf(this.remoteSdp);
        if (sdp !== undefined) this.remoteSdp = sdp;
        ack();
        if (changed) this.peerLeg?.syncMedia();
      },
      refused: (res) => {
        if (res.status === 408 || res.status === 481) {
          this.dialogLost(res.status === 408 ? 'timeout' : 481);
          return;
        }
        this.host.warn('re-INVITE refused', { status: res.status, leg: this.id });
        // §14.1: after a glare, try again later: 2.1-4 s when we chose the Call-ID, up to 2 s otherwise.
        if (res.status === 491) this.after(this.direction === 'outbound' ? 2100 + Math.random() * 1900 : Math.random() * 2000, () => this.syncMedia());
      },
      failed: (why) => this.dialogLost(why),
    });
  }

  /**
   * A re-INVITE to this party, with an offer (re-stamped for it) or without one (late offer). What
   * we sent counts only once the party accepts it; a refusal leaves the party's session as it was.
   */
  private sendReinvite(offer: string | undefined, on: ReinviteOutcome, more: readonly Header[] = []): { cancel: () => void } {
    const d = this.dialog!;
    const before = this.lastSent;
    const body = offer !== undefined ? this.describe(offer) : '';
    const extra: Header[] = [['allow', ALLOW], ['user-agent', this.host.userAgent], ...more];
    if (body) extra.push(['content-type', 'application/sdp']);
    const contact = this.host.contact(this.transport);
    const via = this.host.via(this.transport);
    /** The last attempt: a challenge makes a new one (next CSeq, credentials). */
    let tx: ClientTransaction | undefined;
    /** What the 2xx's ACK copies from that attempt (§13.2.2.4), taken as it is sent: the transaction lets go of its request with the 2xx. */
    let sentSeq: number | undefined;
    let sentAuth: Header[] = [];
    this.reinviting = true;
    let over = false;
    let settled = false;
    let provisional = false;
    let cancelWanted = false;
    let cancelSent = false;
    let ack: SipRequest | undefined;
    const done = () => {
      if (over) return;
      over = true;
      this.reinviting = false;
      this.flushPending();
    };
    const restore = () => {
      this.lastSent = before;
    };
    const sendCancel = () => {
      if (cancelSent || !tx) return;
      cancelSent = true;
      // §9.1: the CANCEL copies the INVITE as it went, and goes the same way.
      this.host.layer.sendRequest(cancelFor(tx.request), tx.peer, IGNORE);
    };
    const sendAck = (answer?: string) => {
      if (ack || !tx) return;
      // §13.2.2.4: the ACK for a 2xx is end to end, a new transaction with the INVITE's CSeq number and credentials.
      const hdrs: Header[] = [...sentAuth];
      if (answer) hdrs.push(['content-type', 'application/sdp']);
      ack = d.request('ACK', contact, via, hdrs, answer ?? '', sentSeq);
      this.host.layer.sendStateless(ack, d.peer);
      done();
    };
    const fail = (why: 'timeout' | 'transport') => {
      if (settled) return;
      settled = true;
      restore();
      done();
      on.failed(why);
    };
    this.sendInDialog('INVITE', extra, body, {
      sent: (t) => {
        tx = t;
        sentSeq = cseqOf(t.request)?.seq;
        sentAuth = t.request.headers.filter(([k]) => k === 'authorization' || k === 'proxy-authorization');
        // A provisional response to the challenged attempt says nothing about the new one (§9.1).
        provisional = false;
      },
      mayRetry: () => !cancelWanted,
      onResponse: (res) => {
        if (res.status < 200) {
          provisional = true;
          if (cancelWanted && !settled) sendCancel();
          return;
        }
        if (res.status < 300) {
          if (settled) {
            // A retransmitted 2xx: our ACK was lost (or, late offer, is still waiting for its answer).
            if (ack) this.host.layer.sendStateless(ack, d.peer);
            return;
          }
          settled = true;
          refreshTarget(d, res);
          on.answered(res, sendAck);
          return;
        }
        if (settled) return;
        settled = true;
        restore();
        done();
        on.refused(res);
      },
      onTimeout: () => fail('timeout'),
      onTransportError: () => fail('transport'),
    });
    return {
      cancel: () => {
        if (settled) return;
        cancelWanted = true;
        // §9.1: no CANCEL before a provisional response; it goes out when one arrives.
        if (provisional) sendCancel();
      },
    };
  }

  /** §12.2.1.2, §14.1: a re-INVITE answered 408 or 481, or not at all, ends the dialog. */
  private dialogLost(why: 'timeout' | 'transport' | 481): void {
    if (this.ended) return;
    if (why === 'timeout') {
      this.sendBye('RECOVERY_ON_TIMER_EXPIRE');
      this.endRemotely('timeout');
    } else if (why === 'transport') this.endRemotely('out-of-order');
    else this.endRemotely(reasonForResponse(481));
  }

  private pumpDigits(): void {
    if (this.digitBusy || !this.dialog || this.state !== 'answered' || this.ended) return;
    const key = this.digitQueue.shift();
    if (key === undefined) return;
    this.digitBusy = true;
    const next = () => {
      this.digitBusy = false;
      this.pumpDigits();
    };
    this.sendInDialog('INFO', [['content-type', 'application/dtmf-relay']], `Signal=${key}\r\nDuration=160\r\n`, { onResponse: (r) => r.status >= 200 && next(), onTimeout: next, onTransportError: next });
  }

  /** 2xx retransmissions of an INVITE already answered by the far end (§13.2.2.4) land here. */
  onStrayResponse(_res: SipResponse): void {}

  /** An ACK inside the dialog: for our 2xx to the INVITE (inbound legs) or to a party's re-INVITE. */
  onAck(req: SipRequest): void {
    this.onReinviteAck(req);
  }
}

function sdpOf(msg: SipMessage): string | undefined {
  return isSdp(header(msg, 'content-type'), msg.body) ? msg.body : undefined;
}

/** §12.2.1.2, §12.2.2: a target refresh request or its 2xx carries the new remote target. */
function refreshTarget(d: Dialog, msg: SipMessage): void {
  const contact = header(msg, 'contact');
  const uri = contact ? parseNameAddr(contact)?.uri : undefined;
  if (uri && uri !== d.remoteTarget) d.remoteTarget = detach(uri);
}

export const ALLOW = 'INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, PRACK';
