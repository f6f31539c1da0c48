/**
 * A leg someone places to us (RFC 3261 §13.3): 180 at once while the engine decides, a 2xx with an
 * SDP answer (the bridged peer's when the XML bridges at answer, ours with the discard port
 * otherwise) retransmitted until the ACK (§13.3.1.4), refusals with the status and Reason of the
 * cause (spec/sip.md §4, reverse), and the caller's CANCEL (§9.2) as ORIGINATOR_CANCEL.
 */
import type { Timer } from '../../clock.ts';
import { header, type Header, type SipRequest, type SipResponse } from './message.ts';
import { Dialog, dialogKey } from './dialog.ts';
import { isSdp, ownAnswer, ownOffer, restamp } from './sdp.ts';
import { reasonHeaderFor, statusForCause } from './sip-causes.ts';
import { SipLeg, ALLOW, type SipLegHost } from './sip-leg.ts';
import { responseTo, type ServerTransaction } from './transactions.ts';
import type { Peer } from './transport.ts';
import type { LegListener, NetworkLeg } from '../network.ts';
import { refusal } from './access.ts';
import { hasOption, REL100, ReliableProvisionals } from './reliable-provisionals.ts';
import { allowsUpdate, timerHeaders, uasTimer } from './session-timer.ts';
import { randomHex } from '../../util/ids.ts';

export class InboundLeg extends SipLeg {
  readonly direction = 'inbound' as const;
  private readonly localTag = randomHex(6);
  private answering = false;
  private acked = false;
  /** Our 2xx, resent until the ACK (§13.3.1.4). */
  private resending: Timer | undefined;
  /** A 183 gave the caller another leg's early media: our 2xx must repeat that answer. */
  private earlyAnswer: string | undefined;
  /** The engine took the call (subscribed to it): the caller hears ringing from then on. */
  private taken = false;
  /** The caller asked for (or offered) 100rel: our 18x go reliably (RFC 3262). */
  private readonly reliable: ReliableProvisionals | undefined;

  constructor(
    host: SipLegHost,
    id: string,
    from: string,
    to: string,
    callerName: string | undefined,
    hdrs: Readonly<Record<string, string>>,
    private readonly tx: ServerTransaction,
  ) {
    super(host, id, from, to, tx.source.transport, hdrs, callerName);
    const invite = tx.request;
    if (isSdp(header(invite, 'content-type'), invite.body)) this.remoteSdp = invite.body;
    this.dialog = Dialog.fromRequest(invite, this.localTag, tx.replyTo);
    host.bind(this, dialogKey(this.dialog.callId, this.localTag));
    tx.onCancel = () => this.onCancel();
    if (hasOption(invite, REL100, true)) this.reliable = new ReliableProvisionals(tx, host.clock, host.timers, () => this.prackTimeout());
  }

  /** A 1xx to the caller: reliably when it takes 100rel (RFC 3262 §3), else as it is. */
  private provisional(res: SipResponse): void {
    if (this.reliable) this.reliable.send(res);
    else this.tx.respond(res);
  }

  /** RFC 3262 §3: 64*T1 without the PRACK of a reliable 18x: the INVITE gets a 5xx and the call ends. */
  private prackTimeout(): void {
    if (this.ended || this.tx.finalSent) return;
    this.tx.respond(responseTo(this.invite, 500, [['reason', reasonHeaderFor('RECOVERY_ON_TIMER_EXPIRE')]], '', this.localTag, 'No PRACK'));
    this.endRemotely('timeout');
  }

  /** RFC 3262 §3: a PRACK for one of our reliable 18x. */
  protected override onPrack(req: SipRequest, tx: ServerTransaction): void {
    if (!this.reliable) return super.onPrack(req, tx);
    this.reliable.onPrack(req, tx, this.localTag);
  }

  /**
   * The engine subscribes when it takes the call (a number with an application): the caller rings
   * while the answer XML is fetched (Plivo's inbound calls ring first). A call it refuses without
   * taking gets no 180, so its refusal looks like a stranger's (access.ts).
   */
  override onEvent(listener: LegListener): void {
    super.onEvent(listener);
    if (this.taken || this.ended || this.tx.finalSent) return;
    this.taken = true;
    this.provisional(responseTo(this.invite, 180, [['contact', this.host.contact(this.transport)]], '', this.localTag));
    this.state = 'ringing';
  }

  protected get fallbackPeer(): Peer {
    return this.tx.replyTo;
  }

  private get invite(): SipRequest {
    return this.tx.request;
  }

  /**
   * Answers on the next microtask: the engine answers then bridges in one turn when a Dial connects
   * an unanswered caller, and the 200 should then carry the peer's SDP, not ours.
   */
  answer(sdp?: string): void {
    if (this.ended || this.silenced || this.answering) return;
    this.answering = true;
    queueMicrotask(() => this.send200(sdp));
  }

  /**
   * A 183 with the other leg's early SDP (spec/sip.md §1.6). Only the first early leg is heard: a
   * caller holds one answer until the 2xx, which repeats it; a different winner comes by re-INVITE.
   */
  earlyMedia(from: NetworkLeg): void {
    if (this.ended || this.silenced || this.answering || this.tx.finalSent || this.earlyAnswer !== undefined) return;
    if (!(from instanceof SipLeg) || !from.remoteSdp) return;
    this.earlyAnswer = this.sending(restamp(from.remoteSdp, this.host.address, this.origin));
    const hdrs: Header[] = [['contact', this.host.contact(this.transport)], ['content-type', 'application/sdp']];
    this.provisional(responseTo(this.invite, 183, hdrs, this.earlyAnswer, this.localTag));
  }

  private send200(given?: string): void {
    if (this.ended || this.tx.finalSent) return;
    // RFC 3262 §3: an answer sent in a reliable 18x is confirmed by its PRACK before the 2xx.
    if (this.reliable?.sdpUnconfirmed) return this.reliable.afterConfirmed(() => this.send200(given));
    this.reliable?.stop();
    const peerSdp = this.peerLeg?.remoteSdp;
    const body = this.earlyAnswer ?? this.sending(
      peerSdp
        ? restamp(peerSdp, this.host.address, this.origin)
        : given
          ? restamp(given, this.host.address, this.origin)
          : this.remoteSdp
            ? ownAnswer(this.remoteSdp, this.host.address, this.host.discardPort, this.origin)
            : ownOffer(this.host.address, this.host.discardPort, this.origin),
    );
    const hdrs: Header[] = [['contact', this.host.contact(this.transport)], ['allow', ALLOW], ['user-agent', this.host.userAgent], ['content-type', 'application/sdp']];
    // RFC 4028 §9: the caller asked for a session timer (sip-network.ts refused one below our minimum).
    const timer = uasTimer(this.invite, this.host.sessionMinSE);
    if (timer.kind === 'timer') hdrs.push(...timerHeaders(timer.interval, timer.refresher, timer.require));
    this.partyAllowsUpdate = allowsUpdate(this.invite);
    // The transaction lets go of the INVITE with its final response.
    this.tx.respond(responseTo(this.invite, 200, hdrs, body, this.localTag));
    this.state = 'answered';
    this.emit({ type: 'answered' });
    this.resending = this.resendUntilAck(this.tx);
    if (timer.kind === 'timer') this.startSession(timer.interval, timer.refresher === 'uas', timer.require);
  }

  override onAck(req: SipRequest): void {
    if (this.onReinviteAck(req) || this.acked) return;
    this.acked = true;
    this.resending?.cancel();
    this.resending = undefined;
    // Late offer (§13.2.1): the INVITE had no SDP, our 2xx made the offer, the ACK carries the answer.
    if (isSdp(header(req, 'content-type'), req.body)) {
      this.remoteSdp = req.body;
      this.peerLeg?.syncMedia();
    }
    // The 2xx repeated an early answer that is not the bridged peer's: re-INVITE now the INVITE is done.
    if (this.earlyAnswer !== undefined) this.syncMedia();
  }

  reject(cause: string): void {
    if (this.ended) return;
    if (this.state === 'answered') {
      this.hangup(cause);
      return;
    }
    this.silenced = true;
    this.refuse(cause);
    this.finish();
  }

  hangup(cause: string): void {
    if (this.ended) return;
    if (this.state !== 'answered' && !this.tx.finalSent) {
      this.reject(cause);
      return;
    }
    this.silenced = true;
    this.sendBye(cause);
    this.finish();
  }

  private refuse(cause: string): void {
    this.reliable?.stop();
    if (this.tx.finalSent) return;
    // No application for the number: the same answer as an untrusted source gets (no enumeration).
    if (!this.taken && cause === 'UNALLOCATED_NUMBER') return this.tx.respond(refusal(this.invite, this.localTag));
    this.tx.respond(responseTo(this.invite, statusForCause(cause), [['reason', reasonHeaderFor(cause)]], '', this.localTag));
  }

  /** §9.2: the CANCEL got its 200 from the network; the INVITE gets 487 and the caller is gone. */
  private onCancel(): void {
    this.reliable?.stop();
    if (this.ended || this.tx.finalSent) return;
    this.tx.respond(responseTo(this.invite, 487, [], '', this.localTag));
    this.endRemotely('originator-cancel');
  }
}
