/**
 * A leg we place: INVITE to a trunk (RFC 3261 §13.2), provisional responses as ringing / early
 * media, the 2xx ACKed end to end (§13.2.2.4), a final failure mapped through the cause table
 * (spec/sip.md §4), digest auth once per challenge (§22.2), the next server of the trunk's name
 * when one fails (RFC 3263 §4.3), and CANCEL (§9.1) when the engine gives up: only after a
 * provisional response, and a 2xx that crosses our CANCEL is ACKed then BYEd.
 */
import type { NetworkEndReason } from '../../domain/causes.ts';
import type { Header, SipRequest, SipResponse } from './message.ts';
import { cseqOf, detach, header, headers } from './message.ts';
import { Dialog, dialogKey, type SentInvite } from './dialog.ts';
import type { Credentials, DigestRequest } from './digest.ts';
import { isSdp, ownOffer, restamp } from './sdp.ts';
import { reasonForResponse, reasonHeaderFor } from './sip-causes.ts';
import { SipLeg, ALLOW, type SipLegHost } from './sip-leg.ts';
import { cancelFor, newBranch, topBranch, type ClientTransaction, type ClientTU } from './transactions.ts';
import type { Peer } from './transport.ts';
import { escapeUser, parseNameAddr, parseUri, quoteDisplay } from './uri.ts';
import { REL100, reliableRseq } from './reliable-provisionals.ts';
import { allowsUpdate, TIMER, uacTimer } from './session-timer.ts';
import { isIP } from 'node:net';
import { randomHex } from '../../util/ids.ts';

export interface OutboundTarget {
  /** Request-URI, e.g. `sip:15550001@10.0.0.1:5060`. */
  readonly uri: string;
  /** Where the INVITE may go, in the order to try them (RFC 3263 §4.3); at least one. */
  readonly peers: readonly Peer[];
  readonly credentials?: Credentials;
}

export interface OutboundInit {
  readonly id: string;
  readonly from: string;
  readonly to: string;
  readonly callerName?: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly offer?: string;
  readonly target: OutboundTarget;
}

/** INVITEs one server may get: the first, one per challenging realm (a proxy and the far end), one stale retry. */
const MAX_INVITES = 4;
/** 3xx redirects one leg follows; past them, or back to a URI already tried, it is a loop (EXCHANGE_ROUTING_ERROR). */
export const MAX_REDIRECTS = 3;

export class OutboundLeg extends SipLeg implements ClientTU {
  readonly direction = 'outbound' as const;
  private tx: ClientTransaction | undefined;
  private readonly localTag = randomHex(6);
  private readonly callId = detach(`${randomHex(12)}@switchboard`);
  private seq = 1;
  /** Our From (the same on every INVITE of the leg) and the current INVITE's branch: the transaction lets go of the INVITE once answered. */
  private fromValue = '';
  private inviteBranch = '';
  /** The current server sent a provisional response other than 100 to the current INVITE. */
  private provisional = false;
  /** The cause the engine ended the leg with, while a CANCEL waits for a provisional response. */
  private cancelCause: string | undefined;
  private cancelled = false;
  /** Which of the target's peers the INVITE goes to now, and how many INVITEs it got. */
  private peerIndex = 0;
  private invitesHere = 0;
  /** The INVITE's challenges: every INVITE after the first carries credentials for them all (§22.3). */
  private readonly auth: DigestRequest;
  /** The credentials on the current INVITE, repeated on its 2xx ACK (§13.2.2.4). */
  private authHeaders: Header[] = [];
  /** Where the INVITE goes now: the trunk's target, or the Contact of a 3xx (§8.1.3.4). */
  private target: OutboundTarget;
  private redirects = 0;
  /** URIs the INVITE went to (lower-cased): a redirect back to one is a loop. */
  private tried: readonly string[];
  /**
   * RFC 3262 §4: per early dialog (the 18x's To tag), the dialog PRACKs go in and the last RSeq
   * PRACKed. The 2xx's dialog continues its CSeq space (§12.2.1.1: PRACK used some numbers).
   */
  private early: Map<string, { dialog: Dialog; rseq: number }> | undefined;

  constructor(
    host: SipLegHost,
    private readonly init: OutboundInit,
  ) {
    super(host, init.id, init.from, init.to, init.target.peers[0]!.transport, init.headers, init.callerName, init.target.credentials);
    this.auth = this.digest.request();
    this.target = init.target;
    this.tried = [init.target.uri.toLowerCase()];
  }

  /** The server the INVITE goes to now. */
  private get peer(): Peer {
    return this.target.peers[this.peerIndex]!;
  }

  protected get fallbackPeer(): Peer {
    return this.peer;
  }

  /** Sends the INVITE; the leg's events follow. */
  start(): void {
    const offer = this.init.offer ? restamp(this.init.offer, this.host.address, this.origin) : ownOffer(this.host.address, this.host.discardPort, this.origin);
    this.sending(offer);
    this.host.bind(this, dialogKey(this.callId, this.localTag));
    this.sendInvite();
  }

  private sendInvite(): void {
    const { target } = this;
    const display = this.init.callerName ? `${quoteDisplay(this.init.callerName)} ` : '';
    const fromUser = escapeUser(this.init.from.startsWith('sip:') ? (/^sips?:([^@]+)@/.exec(this.init.from)?.[1] ?? 'anonymous') : this.init.from);
    this.inviteBranch = newBranch();
    this.fromValue = detach(`${display}<sip:${fromUser}@${this.host.address}>;tag=${this.localTag}`);
    const hdrs: Header[] = [
      ['via', `${this.host.via(this.transport)};branch=${this.inviteBranch}`],
      ['max-forwards', '70'],
      ['from', this.fromValue],
      ['to', `<${target.uri}>`],
      ['call-id', this.callId],
      ['cseq', `${this.seq} INVITE`],
      ['contact', this.host.contact(this.transport, fromUser)],
      ['allow', ALLOW],
      // RFC 3262 §4: the trunk may send reliable 18x, which we PRACK; RFC 4028 §7.1: it may ask for a session timer.
      ['supported', REL100],
      ['supported', TIMER],
      ['user-agent', this.host.userAgent],
      ...this.authHeaders,
      ...Object.entries(this.init.headers).map(([k, v]) => [k.toLowerCase(), v] as Header),
      ['content-type', 'application/sdp'],
    ];
    this.invitesHere++;
    // A new INVITE transaction: its reliable 18x start their own RSeq spaces (RFC 3262 §4).
    this.early = undefined;
    // The leg is the INVITE transaction's user: no closures for an Accepted transaction to keep.
    this.tx = this.host.layer.sendRequest({ kind: 'request', method: 'INVITE', uri: target.uri, headers: hdrs, body: this.lastSent ?? '' }, this.peer, this);
  }

  /** @internal The INVITE transaction's Timer B (ClientTU): a server that sent 180 or 183 took the call, its silence afterwards is the call's timeout. */
  onTimeout(): void {
    this.serverFailed('timeout', !this.provisional);
  }

  /** @internal The INVITE could not be sent (ClientTU). */
  onTransportError(): void {
    this.serverFailed('out-of-order', true);
  }

  /** The INVITE as it went on the wire (its Via may name TCP, §18.1.1): the CANCEL copies it, until a final response. */
  private get invite(): SipRequest {
    return this.tx!.request;
  }

  /** What a dialog takes from the current INVITE (§12.1.2), without the INVITE. */
  private get sent(): SentInvite {
    return { callId: this.callId, from: this.fromValue, seq: this.seq, uri: this.target.uri };
  }

  /**
   * RFC 3263 §4.3: a server that never answered (Timer B), could not be reached (TCP refused) or
   * is unavailable (503) failed, not the call. While the engine still wants the leg, the same
   * INVITE goes to the next server: a new transaction (new branch) of the same request, so the
   * same CSeq and credentials. When none is left, the last failure ends the leg.
   */
  private serverFailed(reason: NetworkEndReason, tryNext: boolean): void {
    if (this.ended) return;
    if (this.cancelCause !== undefined) {
      this.finish();
      return;
    }
    const next = this.target.peers[this.peerIndex + 1];
    if (!tryNext || !next) {
      this.endRemotely(reason);
      return;
    }
    this.host.warn('SIP server failed; trying the next one', { leg: this.id, failed: `${this.peer.address}:${this.peer.port}`, reason, next: `${next.address}:${next.port}` });
    this.peerIndex++;
    this.invitesHere = 0;
    this.provisional = false;
    this.auth.newServer();
    this.sendInvite();
  }

  answer(): void {
    // Outbound legs are answered by the far end.
  }

  reject(cause: string): void {
    this.hangup(cause);
  }

  hangup(cause: string): void {
    if (this.ended || this.silenced) return;
    this.silenced = true;
    if (this.state === 'answered') {
      this.sendBye(cause);
      this.finish();
      return;
    }
    this.cancelCause = cause;
    // §9.1: no CANCEL before a provisional response; it goes out when one arrives.
    if (this.provisional) this.sendCancel();
  }

  private sendCancel(): void {
    if (this.cancelled || this.cancelCause === undefined) return;
    this.cancelled = true;
    // §9.1: the CANCEL goes where and how the INVITE went.
    const cancel = cancelFor(this.invite, [['reason', reasonHeaderFor(this.cancelCause)]]);
    this.host.layer.sendRequest(cancel, this.tx!.peer, { onResponse: () => {}, onTimeout: () => {}, onTransportError: () => {} });
    // If the far end never sends its 487, Timer B ends the INVITE transaction; the leg is already over for the engine.
    this.after(64 * this.host.timers.t1, () => this.finish());
  }

  /** @internal A response to our INVITE (ClientTU). */
  onResponse(res: SipResponse): void {
    if (this.ended) return;
    if (res.status < 200) {
      if (res.status === 100) return;
      // RFC 3262 §4: a reliable 18x is PRACKed once, in order; a retransmission or one out of order is not processed.
      if (reliableRseq(res) !== undefined && !this.prack(res)) return;
      this.provisional = true;
      if (this.cancelCause !== undefined) {
        this.sendCancel();
        return;
      }
      if (this.silenced) return;
      const early = res.status === 183 || (isSdp(header(res, 'content-type'), res.body) && res.status !== 180);
      if (isSdp(header(res, 'content-type'), res.body)) this.remoteSdp = res.body;
      if (early && this.state !== 'early') {
        this.state = 'early';
        this.emit({ type: 'early-media' });
      } else if (!early && this.state === 'calling') {
        this.state = 'ringing';
        this.emit({ type: 'ringing' });
      }
      return;
    }
    if (res.status < 300) {
      this.on2xx(res);
      return;
    }
    if (this.cancelCause === undefined && this.retryWithCredentials(res)) return;
    if (this.cancelCause === undefined && res.status >= 300 && res.status < 400 && this.followRedirect(res)) return;
    if (this.cancelCause !== undefined) {
      this.finish();
      return;
    }
    const reason = reasonForResponse(res.status, header(res, 'reason'));
    if (res.status === 503) this.serverFailed(reason, true);
    else this.endRemotely(reason);
  }

  /**
   * RFC 3262 §4/§7.2: PRACKs a reliable 18x in its early dialog (`RAck: RSeq CSeq INVITE`). False
   * for a retransmission (RSeq already PRACKed) or one out of order, which go no further.
   */
  private prack(res: SipResponse): boolean {
    const rseq = reliableRseq(res)!;
    const toTag = parseNameAddr(header(res, 'to') ?? '')?.params.get('tag');
    if (!toTag) return true;
    const early = (this.early ??= new Map());
    let e = early.get(toTag);
    if (e && rseq !== e.rseq + 1) return false;
    if (!e) {
      e = { dialog: Dialog.answering(this.sent, res, this.localTag, this.peer), rseq };
      early.set(toTag, e);
    }
    e.rseq = rseq;
    const cseq = this.seq;
    const req = e.dialog.request('PRACK', this.host.contact(this.transport), this.host.via(this.transport), [['rack', `${rseq} ${cseq} INVITE`], ...this.authHeaders]);
    this.host.layer.sendRequest(req, e.dialog.peer, { onResponse: () => {}, onTimeout: () => {}, onTransportError: () => {} });
    return true;
  }

  /**
   * §22.2/§22.3: answers a 401/407 with a new INVITE (same Call-ID, next CSeq) carrying credentials
   * for every realm challenged so far (`DigestRequest` says when a realm refused them). Bounded per
   * server, so no peer can keep us looping.
   */
  private retryWithCredentials(res: SipResponse): boolean {
    if (this.invitesHere >= MAX_INVITES || !this.auth.challenged(res)) return false;
    this.seq++;
    // A provisional response to the challenged INVITE says nothing about the new transaction (§9.1).
    this.provisional = false;
    this.authHeaders = this.auth.headers('INVITE', this.target.uri, this.lastSent ?? '');
    this.sendInvite();
    return true;
  }

  /**
   * §8.1.3.4: a 3xx names where the callee is now (Contact, highest q first); the INVITE goes
   * there as a new transaction (next CSeq, same Call-ID and From tag), to the address a `sip:` URI
   * names, or, for a host name, the trunk's own servers. At most MAX_REDIRECTS times, never back
   * to a URI already tried: a loop ends the leg as EXCHANGE_ROUTING_ERROR. A 3xx with no usable
   * Contact ends it through the cause table. False: the response is not followed.
   */
  private followRedirect(res: SipResponse): boolean {
    const contacts = headers(res, 'contact')
      .map((c) => parseNameAddr(c))
      .filter((c): c is NonNullable<typeof c> => c !== undefined && /^sips?:/i.test(c.uri) && parseUri(c.uri) !== undefined)
      .sort((a, b) => Number(b.params.get('q') ?? 1) - Number(a.params.get('q') ?? 1));
    if (contacts.length === 0) return false;
    const next = contacts.find((c) => !this.tried.includes(c.uri.toLowerCase()));
    if (!next || this.redirects >= MAX_REDIRECTS) {
      this.host.warn('SIP redirect loop or too many redirects; ending the leg', { leg: this.id, status: res.status, contact: contacts[0]!.uri, redirects: this.redirects });
      this.endRemotely('routing-error');
      return true;
    }
    this.redirects++;
    this.tried = [...this.tried, next.uri.toLowerCase()];
    const direct = directPeerOf(next.uri);
    this.target = { ...this.target, uri: next.uri, peers: direct ? [direct] : this.target.peers };
    this.peerIndex = 0;
    this.invitesHere = 0;
    this.provisional = false;
    this.seq++;
    this.auth.newServer();
    this.authHeaders = [];
    this.sendInvite();
    return true;
  }

  /** `abandoned`: the 2xx answers an INVITE to a server we had given up on (RFC 3263 §4.3). */
  private on2xx(res: SipResponse, abandoned = false): void {
    const dialog = Dialog.answering(this.sent, res, this.localTag, this.peer);
    const ack = (d: Dialog) => d.request('ACK', this.host.contact(this.transport), this.host.via(this.transport), this.authHeaders, '', this.seq);
    if (!abandoned && this.dialog && this.dialog.remoteTag === dialog.remoteTag) {
      // A retransmitted 2xx: our ACK was lost (§13.2.2.4).
      this.host.layer.sendStateless(ack(this.dialog), this.dialog.peer);
      return;
    }
    if (abandoned || this.dialog || this.cancelCause !== undefined) {
      // A 2xx from a second fork, a server we left, or one that crossed our CANCEL: ACK it, then BYE it (§15, spec/sip.md §1.6).
      this.host.layer.sendStateless(ack(dialog), dialog.peer);
      const bye = dialog.request('BYE', this.host.contact(this.transport), this.host.via(this.transport), [['reason', reasonHeaderFor(this.cancelCause ?? 'NORMAL_CLEARING')]]);
      this.host.layer.sendRequest(bye, dialog.peer, { onResponse: () => {}, onTimeout: () => {}, onTransportError: () => {} });
      if (!this.dialog && !abandoned) this.finish();
      return;
    }
    this.dialog = dialog;
    const early = this.early?.get(dialog.remoteTag);
    this.early = undefined;
    if (early) dialog.localSeq = Math.max(dialog.localSeq, early.dialog.localSeq);
    this.host.layer.sendStateless(ack(dialog), dialog.peer);
    if (isSdp(header(res, 'content-type'), res.body)) this.remoteSdp = res.body;
    this.state = 'answered';
    this.emit({ type: 'answered' });
    // RFC 4028 §7.2: the trunk's 2xx sets the session interval and who refreshes.
    this.partyAllowsUpdate = allowsUpdate(res);
    const timer = uacTimer(res);
    if (timer) this.startSession(timer.interval, timer.weRefresh, true);
    // The engine may have bridged us while we rang: the peer learns our party's media now.
    this.peerLeg?.syncMedia();
  }

  /** A 2xx after the INVITE transaction ended (Timer M past): still ACK it. */
  override onStrayResponse(res: SipResponse): void {
    // Only our initial INVITE's 2xx: a late 2xx to a re-INVITE (another CSeq) is the re-INVITE's business.
    const cseq = cseqOf(res);
    if (res.status >= 200 && res.status < 300 && cseq?.method === 'INVITE' && cseq.seq === this.seq) this.on2xx(res, topBranch(res) !== this.inviteBranch);
  }

  /** For tests and diagnostics. */
  get inviteTransaction(): ClientTransaction | undefined {
    return this.tx;
  }
}

/** A `sip:` URI naming an IP address: where to send, on the transport it names (UDP by default). */
function directPeerOf(uri: string): Peer | undefined {
  const u = parseUri(uri);
  const host = u?.host.replace(/^\[|\]$/g, '');
  if (!u || !host || !isIP(host)) return undefined;
  return { transport: u.params.get('transport')?.toLowerCase() === 'tcp' ? 'tcp' : 'udp', address: host, port: u.port ?? 5060 };
}
