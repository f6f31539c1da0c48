/**
 * Dialog state (RFC 3261 §12): identifiers, route set, remote target and CSeq spaces, and building
 * in-dialog requests (§12.2.1.1). One dialog per leg: a B2BUA leg never keeps forked early dialogs
 * beyond the first 2xx (a late 2xx from another fork is ACKed and BYEd, spec/sip.md §1.6).
 */
import { detach, header, headers, type Header, type SipRequest, type SipResponse } from './message.ts';
import { newBranch } from './transactions.ts';
import type { Peer, TransportName } from './transport.ts';
import { parseNameAddr, parseUri } from './uri.ts';
import { isIP } from 'node:net';

export interface DialogInit {
  readonly callId: string;
  /** Our From (UAC) or To (UAS) header value without its tag. */
  readonly localAddr: string;
  readonly localTag: string;
  readonly remoteAddr: string;
  readonly remoteTag: string;
  readonly remoteTarget: string;
  /** In the order requests must visit them (§12.1.1 UAS: as received; §12.1.2 UAC: reversed). */
  readonly routeSet: readonly string[];
  readonly localSeq: number;
  /** Where to send when the target or first route names no reachable address. */
  readonly fallback: Peer;
}

const NO_ROUTES: readonly string[] = Object.freeze([]);

/** What a UAC dialog takes from its INVITE (§12.1.2): Call-ID, From, CSeq number, Request-URI. */
export interface SentInvite {
  readonly callId: string;
  readonly from: string;
  readonly seq: number;
  readonly uri: string;
}

export class Dialog {
  readonly callId: string;
  readonly localAddr: string;
  readonly localTag: string;
  readonly remoteAddr: string;
  remoteTag: string;
  remoteTarget: string;
  routeSet: readonly string[];
  localSeq: number;
  remoteSeq: number | undefined;
  private readonly fallback: Peer;

  constructor(init: DialogInit) {
    this.callId = init.callId;
    this.localAddr = init.localAddr;
    this.localTag = init.localTag;
    this.remoteAddr = init.remoteAddr;
    this.remoteTag = init.remoteTag;
    this.remoteTarget = init.remoteTarget;
    this.routeSet = init.routeSet.length === 0 ? NO_ROUTES : init.routeSet;
    this.localSeq = init.localSeq;
    this.fallback = init.fallback;
  }

  /** §12.1.2: a UAC dialog from a 2xx (or 1xx with a tag): Record-Route reversed, Contact as target. */
  static fromResponse(invite: SipRequest, res: SipResponse, localTag: string, fallback: Peer): Dialog {
    const sent: SentInvite = {
      callId: header(invite, 'call-id') ?? '',
      from: header(invite, 'from') ?? '',
      seq: Number(/^\s*(\d+)/.exec(header(invite, 'cseq') ?? '1')?.[1] ?? 1),
      uri: invite.uri,
    };
    return Dialog.answering(sent, res, localTag, fallback);
  }

  /**
   * The same from what a UAC keeps of its INVITE once the transaction let go of it. What comes
   * from the response is kept for the call's life: copies, not views of its head (`detach`).
   */
  static answering(invite: SentInvite, res: SipResponse, localTag: string, fallback: Peer): Dialog {
    const contact = contactUri(res);
    return new Dialog({
      callId: invite.callId,
      localAddr: detach(stripTag(invite.from)),
      localTag,
      remoteAddr: detach(stripTag(header(res, 'to') ?? '')),
      remoteTag: detach(parseNameAddr(header(res, 'to') ?? '')?.params.get('tag') ?? ''),
      remoteTarget: contact !== undefined ? detach(contact) : invite.uri,
      routeSet: headers(res, 'record-route').reverse().map(detach),
      localSeq: invite.seq,
      fallback,
    });
  }

  /** §12.1.1: a UAS dialog from the INVITE: Record-Route as received, Contact as target. */
  static fromRequest(invite: SipRequest, localTag: string, fallback: Peer): Dialog {
    // Kept for the call's life: copies, not views of the INVITE's head (`detach`).
    const contact = contactUri(invite);
    const d = new Dialog({
      callId: detach(header(invite, 'call-id') ?? ''),
      localAddr: detach(stripTag(header(invite, 'to') ?? '')),
      localTag,
      remoteAddr: detach(stripTag(header(invite, 'from') ?? '')),
      remoteTag: detach(parseNameAddr(header(invite, 'from') ?? '')?.params.get('tag') ?? ''),
      remoteTarget: contact !== undefined ? detach(contact) : `sip:${fallback.address}:${fallback.port}`,
      routeSet: headers(invite, 'record-route').map(detach),
      localSeq: 0,
      fallback,
    });
    d.remoteSeq = Number(/^\s*(\d+)/.exec(header(invite, 'cseq') ?? '0')?.[1] ?? 0);
    return d;
  }

  get key(): string {
    return dialogKey(this.callId, this.localTag);
  }

  /** Where in-dialog requests go: the first route (loose routing) or the remote target (§12.2.1.1, §8.1.2). */
  get peer(): Peer {
    const first = this.routeSet[0];
    const uriText = first !== undefined ? (parseNameAddr(first)?.uri ?? '') : this.remoteTarget;
    return peerForUri(uriText, this.fallback);
  }

  /**
   * A new in-dialog request. `seq` is given for ACK (the INVITE's number, §13.2.2.4); other methods
   * take the next local CSeq.
   */
  request(method: string, contact: string, via: string, extra: readonly Header[] = [], body = '', seq?: number): SipRequest {
    const cseq = seq ?? ++this.localSeq;
    const hdrs: Header[] = [['via', `${via};branch=${newBranch()}`], ['max-forwards', '70']];
    for (const r of this.routeSet) hdrs.push(['route', r]);
    hdrs.push(['from', `${this.localAddr};tag=${this.localTag}`], ['to', this.remoteTag ? `${this.remoteAddr};tag=${this.remoteTag}` : this.remoteAddr]);
    hdrs.push(['call-id', this.callId], ['cseq', `${cseq} ${method}`]);
    if (method === 'INVITE' || method === 'UPDATE') hdrs.push(['contact', contact]);
    hdrs.push(...extra);
    // Strict routing (§12.2.1.1) is long obsolete; every route set here is loose (lr), so R-URI = target.
    return { kind: 'request', method, uri: this.remoteTarget, headers: hdrs, body };
  }
}

export function dialogKey(callId: string, localTag: string): string {
  return `${callId}|${localTag}`;
}

export function stripTag(value: string): string {
  return value.replace(/;\s*tag=[^;]*/i, '').trim();
}

function contactUri(msg: SipRequest | SipResponse): string | undefined {
  const c = header(msg, 'contact');
  return c ? parseNameAddr(c)?.uri : undefined;
}

/** A URI's address when it names an IP literal; else the fallback (DNS names resolve to where the dialog began). */
export function peerForUri(uriText: string, fallback: Peer): Peer {
  const uri = parseUri(uriText);
  if (!uri) return fallback;
  const host = uri.host.replace(/^\[|\]$/g, '');
  if (!isIP(host)) return fallback;
  const t = uri.params.get('transport')?.toLowerCase();
  const transport: TransportName = t === 'tcp' ? 'tcp' : t === 'udp' ? 'udp' : fallback.transport;
  return { transport, address: host, port: uri.port ?? 5060 };
}
