/**
 * A leg we place: INVITE to a trunk (RFC 3261 §13.2), provisional responses as ringing / early
 * media, the 2xx ACKed end to end (§13.2.2.4), a final failure mapped through the cause table
 * (spec/sip.md §4), digest auth once per challenge (§22.2), and CANCEL (§9.1) when the engine gives
 * up: only after a provisional response, and a 2xx that crosses our CANCEL is ACKed then BYEd.
 */
import type { Header, SipRequest, SipResponse } from './message.ts';
import { cseqOf, header, headers } from './message.ts';
import { Dialog, dialogKey } from './dialog.ts';
import { authorization, pickChallenges, type Challenge, type Credentials } from './digest.ts';
import { isSdp, ownOffer, restamp } from './sdp.ts';
import { reasonForResponse, reasonHeaderFor } from './sip-causes.ts';
import { SipLeg, ALLOW, type SipLegHost } from './sip-leg.ts';
import { cancelFor, newBranch, type ClientTransaction } from './transactions.ts';
import type { Peer } from './transport.ts';
import { escapeUser, quoteDisplay } from './uri.ts';
import { randomBytes } from 'node:crypto';

export interface OutboundTarget {
  /** Request-URI, e.g. `sip:15550001@10.0.0.1:5060`. */
  readonly uri: string;
  /** Where the INVITE is sent. */
  readonly peer: Peer;
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

/** INVITEs one leg may send: the first, one per challenging realm (a proxy and the far end), one stale retry. */
const MAX_INVITES = 4;

export class OutboundLeg extends SipLeg {
  readonly direction = 'outbound' as const;
  private invite!: SipRequest;
  private tx: ClientTransaction | undefined;
  private readonly localTag = randomBytes(6).toString('hex');
  private readonly callId = `${randomBytes(12).toString('hex')}@switchboard`;
  private seq = 1;
  private provisional = false;
  /** The cause the engine ended the leg with, while a CANCEL waits for a provisional response. */
  private cancelCause: string | undefined;
  private cancelled = false;
  /** Challenges answered, by response header and realm; every INVITE after the first carries them all (§22.3). */
  private readonly answered = new Map<string, { challenge: Challenge; header: 'authorization' | 'proxy-authorization'; uses: number; staleRetried: boolean }>();
  /** The credentials on the current INVITE, repeated on its 2xx ACK (§13.2.2.4). */
  private authHeaders: Header[] = [];

  constructor(
    host: SipLegHost,
    private readonly init: OutboundInit,
  ) {
    super(host, init.id, init.from, init.to, init.target.peer.transport, init.headers, init.callerName);
  }

  protected get fallbackPeer(): Peer {
    return this.init.target.peer;
  }

  /** Sends the INVITE; the leg's events follow. */
  start(): void {
    const offer = this.init.offer ? restamp(this.init.offer, this.host.address, this.origin) : ownOffer(this.host.address, this.host.discardPort, this.origin);
    this.sending(offer);
    this.host.bind(this, dialogKey(this.callId, this.localTag));
    this.sendInvite();
  }

  private sendInvite(): void {
    const { target } = this.init;
    const display = this.init.callerName ? `${quoteDisplay(this.init.callerName)} ` : '';
    const fromUser = escapeUser(this.init.from.startsWith('sip:') ? (/^sips?:([^@]+)@/.exec(this.init.from)?.[1] ?? 'anonymous') : this.init.from);
    const hdrs: Header[] = [
      ['via', `${this.host.via(this.transport)};branch=${newBranch()}`],
      ['max-forwards', '70'],
      ['from', `${display}<sip:${fromUser}@${this.host.address}>;tag=${this.localTag}`],
      ['to', `<${target.uri}>`],
      ['call-id', this.callId],
      ['cseq', `${this.seq} INVITE`],
      ['contact', this.host.contact(this.transport, fromUser)],
      ['allow', ALLOW],
      ['user-agent', this.host.userAgent],
      ...this.authHeaders,
      ...Object.entries(this.init.headers).map(([k, v]) => [k.toLowerCase(), v] as Header),
      ['content-type', 'application/sdp'],
    ];
    this.invite = { kind: 'request', method: 'INVITE', uri: target.uri, headers: hdrs, body: this.lastSent ?? '' };
    this.tx = this.host.layer.sendRequest(this.invite, target.peer, {
      onResponse: (res) => this.onResponse(res),
      onTimeout: () => this.endRemotely('timeout'),
      onTransportError: () => this.endRemotely('out-of-order'),
    });
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
    const cancel = cancelFor(this.invite, [['reason', reasonHeaderFor(this.cancelCause)]]);
    this.host.layer.sendRequest(cancel, this.init.target.peer, { onResponse: () => {}, onTimeout: () => {}, onTransportError: () => {} });
    // If the far end never sends its 487, Timer B ends the INVITE transaction; the leg is already over for the engine.
    this.after(64 * this.host.timers.t1, () => this.finish());
  }

  private onResponse(res: SipResponse): void {
    if (this.ended) return;
    if (res.status < 200) {
      if (res.status === 100) return;
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
    if ((res.status === 401 || res.status === 407) && this.cancelCause === undefined && this.retryWithCredentials(res)) return;
    if (this.cancelCause !== undefined) {
      this.finish();
      return;
    }
    this.endRemotely(reasonForResponse(res.status, header(res, 'reason')));
  }

  /**
   * §22.2/§22.3: answers a 401/407 with a new INVITE (same Call-ID, next CSeq) carrying credentials
   * for every realm challenged so far. A realm that challenges again after we answered it refused
   * our credentials, and the call fails with the response; only `stale=true` (a nonce that expired,
   * RFC 2617 §3.2.1) earns that realm one more try. Bounded, so no peer can keep us looping.
   */
  private retryWithCredentials(res: SipResponse): boolean {
    const creds = this.init.target.credentials;
    if (!creds || this.seq >= MAX_INVITES) return false;
    const name = res.status === 401 ? 'authorization' : 'proxy-authorization';
    const challenges = pickChallenges(headers(res, res.status === 401 ? 'www-authenticate' : 'proxy-authenticate'));
    if (challenges.length === 0) return false;
    for (const ch of challenges) {
      const prev = this.answered.get(`${name} ${ch.realm}`);
      if (prev && !(ch.stale && !prev.staleRetried)) return false;
    }
    for (const ch of challenges) {
      const key = `${name} ${ch.realm}`;
      this.answered.set(key, { challenge: ch, header: name, uses: 0, staleRetried: this.answered.has(key) });
    }
    this.seq++;
    // A provisional response to the challenged INVITE says nothing about the new transaction (§9.1).
    this.provisional = false;
    const body = this.lastSent ?? '';
    this.authHeaders = [...this.answered.values()].map((a) => [a.header, authorization(a.challenge, creds, 'INVITE', this.init.target.uri, ++a.uses, undefined, body)] as Header);
    this.sendInvite();
    return true;
  }

  private on2xx(res: SipResponse): void {
    const dialog = Dialog.fromResponse(this.invite, res, this.localTag, this.init.target.peer);
    const ack = (d: Dialog) => d.request('ACK', this.host.contact(this.transport), this.host.via(this.transport), this.authHeaders, '', this.seq);
    if (this.dialog && this.dialog.remoteTag === dialog.remoteTag) {
      // A retransmitted 2xx: our ACK was lost (§13.2.2.4).
      this.host.layer.sendStateless(ack(this.dialog), this.dialog.peer);
      return;
    }
    if (this.dialog || this.cancelCause !== undefined) {
      // A 2xx from a second fork, or one that crossed our CANCEL: ACK it, then BYE it (§15, spec/sip.md §1.6).
      this.host.layer.sendStateless(ack(dialog), dialog.peer);
      const bye = dialog.request('BYE', this.host.contact(this.transport), this.host.via(this.transport), [['reason', reasonHeaderFor(this.cancelCause ?? 'NORMAL_CLEARING')]]);
      this.host.layer.sendRequest(bye, dialog.peer, { onResponse: () => {}, onTimeout: () => {}, onTransportError: () => {} });
      if (!this.dialog) this.finish();
      return;
    }
    this.dialog = dialog;
    this.host.layer.sendStateless(ack(dialog), dialog.peer);
    if (isSdp(header(res, 'content-type'), res.body)) this.remoteSdp = res.body;
    this.state = 'answered';
    this.emit({ type: 'answered' });
    // The engine may have bridged us while we rang: the peer learns our party's media now.
    this.peerLeg?.syncMedia();
  }

  /** A 2xx after the INVITE transaction ended (Timer M past): still ACK it. */
  override onStrayResponse(res: SipResponse): void {
    // Only our initial INVITE's 2xx: a late 2xx to a re-INVITE (another CSeq) is the re-INVITE's business.
    const cseq = cseqOf(res);
    if (res.status >= 200 && res.status < 300 && cseq?.method === 'INVITE' && cseq.seq === this.seq) this.on2xx(res);
  }

  /** For tests and diagnostics. */
  get inviteTransaction(): ClientTransaction | undefined {
    return this.tx;
  }
}
