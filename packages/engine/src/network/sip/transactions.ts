/**
 * The transaction layer (RFC 3261 §17): the four state machines with their timers on the engine's
 * Clock, matching of responses and requests to transactions (§17.1.3, §17.2.3), absorption of
 * retransmissions, and the ACK for a non-2xx final response built inside the INVITE client
 * transaction (§17.1.1.3). RFC 6026's Accepted state replaces "terminate on 2xx" on both INVITE
 * sides, so 2xx retransmissions and their ACKs reach the dialog layer instead of being misrouted.
 * Each request's transport is chosen here, before it goes out (§18.1.1: too large for UDP, TCP),
 * and a response finds its way back when the TCP connection it belongs to is gone (§18.2.2).
 */
import type { Clock, Timer } from '../../clock.ts';
import { cseqOf, detach, header, headers, response, reasonPhrase, type Header, type SipRequest, type SipResponse } from './message.ts';
import type { Peer, Transports } from './transport.ts';
import { parseVia } from './uri.ts';
import { serializeHead } from './serializer.ts';

export interface SipTimers {
  /** RTT estimate, 500 ms (§17.1.1.1). */
  readonly t1: number;
  /** Maximum retransmit interval for non-INVITE requests and INVITE responses, 4 s. */
  readonly t2: number;
  /** Maximum duration a message stays in the network, 5 s. */
  readonly t4: number;
}

export const DEFAULT_TIMERS: SipTimers = { t1: 500, t2: 4000, t4: 5000 };

export interface ClientTU {
  onResponse(res: SipResponse): void;
  /** Timer B or F fired: no final response (§17.1.1.2, §17.1.2.2). */
  onTimeout(): void;
  onTransportError(err: Error): void;
}

/** What the transaction user (the SIP core) hears about incoming requests. */
export interface CoreHandlers {
  onRequest(req: SipRequest, tx: ServerTransaction): void;
  /** An ACK for a 2xx (or one that matched no transaction): it belongs to a dialog (§13.3.1.4). */
  onAck(req: SipRequest, from: Peer): void;
  /** A CANCEL; `invite` is the INVITE server transaction it targets, if one is live (§9.2). */
  onCancel(req: SipRequest, tx: ServerTransaction, invite: ServerTransaction | undefined): void;
  /** A response no client transaction claims: 2xx retransmissions of a finished INVITE (§13.2.2.4). */
  onStrayResponse(res: SipResponse, from: Peer): void;
}

export function topBranch(msg: { readonly headers: readonly Header[] }): string | undefined {
  const via = header(msg, 'via');
  return via ? parseVia(via)?.params.get('branch') : undefined;
}

let branchCounter = 0;
/** A branch with the RFC 3261 magic cookie (§8.1.1.7), unique in space and time. */
export function newBranch(): string {
  branchCounter = (branchCounter + 1) % 1e9;
  // Flat: a leg keeps its INVITE's branch, and a template's result is a tree of its parts.
  return detach(`z9hG4bK${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}${branchCounter.toString(36)}`);
}

/**
 * §17.2.3: a request matches a server transaction by its top Via's branch, its sent-by and its
 * method (CANCEL and ACK by INVITE's); two clients that pick the same branch do not collide. A
 * branch without the magic cookie (RFC 2543 peers), or the bare cookie (RFC 4475 §3.2.1), falls
 * back to the older identifiers. The transport is part of either key: a retransmission comes on
 * the transport the request came on. Stricter than §17.2.3, the Call-ID and CSeq number are too
 * (a retransmission, its CANCEL and its ACK share them): peers that reuse a branch for new
 * requests, as RFC 4475's archive does, still get each request answered.
 */
function requestKey(req: SipRequest, method: string, from: Peer): string {
  const top = header(req, 'via');
  const via = top ? parseVia(top) : undefined;
  const branch = via?.params.get('branch');
  const sentBy = via ? `${via.host.toLowerCase()}:${via.port ?? ''}` : '';
  if (branch && branch.startsWith('z9hG4bK') && branch.length > 7) return `${from.transport}|${branch}|${sentBy}|${header(req, 'call-id')}|${cseqOf(req)?.seq}|${method}`;
  return `${from.transport}|${header(req, 'call-id')}|${cseqOf(req)?.seq}|${header(req, 'from')}|${sentBy}|${method}`;
}

/**
 * §18.2.1 and RFC 3581 §4: the server transport notes on the top Via where the request really came
 * from: `received` when the sent-by is not that address, and the source port in an empty `rport`.
 * Every response copies the Via, so a NATed phone learns its public address and gets its answers.
 */
export function stampVia<T extends { readonly headers: readonly Header[] }>(req: T, from: Peer): T {
  const i = req.headers.findIndex(([k]) => k === 'via');
  if (i < 0) return req;
  const value = req.headers[i]![1];
  const via = parseVia(value);
  if (!via) return req;
  let v = value;
  if (via.params.has('rport') && via.params.get('rport') === '') v = v.replace(/;\s*rport(?=\s*(;|$))/i, `;rport=${from.port}`);
  if (via.host.replace(/^\[|\]$/g, '').toLowerCase() !== from.address.toLowerCase() && !via.params.has('received')) v += `;received=${from.address}`;
  if (v === value) return req;
  const hdrs = [...req.headers];
  hdrs[i] = ['via', v];
  return { ...req, headers: hdrs };
}

/** Where responses to a request go (§18.2.2 and RFC 3581): the source for TCP and rport, else Via. */
export function responsePeer(req: SipRequest, source: Peer): Peer {
  if (source.transport === 'tcp') return source;
  const via = parseVia(header(req, 'via') ?? '');
  if (!via) return source;
  const rport = via.params.get('rport');
  return { transport: 'udp', address: source.address, port: rport !== undefined ? source.port : (via.port ?? 5060) };
}

/**
 * §18.2.2: when the connection a TCP request came on is gone, its responses go on a new one to the
 * address it came from (what `received` says) and the port its Via's sent-by names (5060 without one).
 */
function reconnectPeer(req: SipRequest, source: Peer): Peer {
  const via = parseVia(header(req, 'via') ?? '');
  return { transport: 'tcp', address: via?.params.get('received') ?? source.address, port: via?.port ?? 5060 };
}

/** RFC 3261 §18.1.1: the path MTU is unknown, so a request larger than this does not go over UDP. */
export const UDP_MAX_REQUEST = 1300;

/** A request as it goes on the wire, where it goes, and the UDP way back when TCP was chosen for its size. */
interface Route {
  readonly request: SipRequest;
  readonly peer: Peer;
  readonly fallback?: Route;
}

/**
 * The transport a request goes on, chosen before it is written: the peer's, except that a request
 * too large for UDP goes over TCP to the same address and port (§18.1.1). The top Via and our
 * Contact then name the transport actually used (§18.1.1: "the value in the top Via MUST be
 * changed"); the UDP form is kept to fall back to when the TCP connection fails, as §18.1.1 allows.
 */
export function routeRequest(req: SipRequest, peer: Peer): Route {
  if (peer.transport === 'udp' && wireSize(req) > UDP_MAX_REQUEST) {
    return { request: onTransport(req, 'tcp'), peer: { ...peer, transport: 'tcp' }, fallback: { request: onTransport(req, 'udp'), peer } };
  }
  return { request: onTransport(req, peer.transport), peer };
}

/** The request with its top Via and Contact naming `transport`; the same object when they already do. */
function onTransport(req: SipRequest, transport: Peer['transport']): SipRequest {
  const proto = transport.toUpperCase();
  let changed = false;
  let viaDone = false;
  let contactDone = false;
  const hdrs = req.headers.map((h): Header => {
    const [name, value] = h;
    if (name === 'via' && !viaDone) {
      viaDone = true;
      const v = value.replace(/^(\s*SIP\s*\/\s*2\.0\s*\/\s*)[A-Za-z]+/i, `$1${proto}`);
      if (v !== value) changed = true;
      return v === value ? h : [name, v];
    }
    if (name === 'contact' && !contactDone) {
      contactDone = true;
      const m = /^([^<]*<)([^>]*)(>.*)$/.exec(value);
      if (!m) return h;
      const v = `${m[1]}${m[2]!.replace(/;transport=[^;]*/gi, '')}${transport === 'udp' ? '' : `;transport=${transport}`}${m[3]}`;
      if (v !== value) changed = true;
      return v === value ? h : [name, v];
    }
    return h;
  });
  return changed ? { ...req, headers: hdrs } : req;
}

/** The bytes `serialize` writes for a message, without writing them. */
function wireSize(msg: SipRequest): number {
  let n = Buffer.byteLength(`${msg.method} ${msg.uri} SIP/2.0\r\n`);
  for (const [name, value] of msg.headers) if (name !== 'content-length') n += name.length + 4 + Buffer.byteLength(value);
  const body = Buffer.byteLength(msg.body);
  return n + `Content-Length: ${body}\r\n\r\n`.length + body;
}

/** A response to `req` with its Via, From, To, Call-ID and CSeq copied (§8.2.6.2). */
export function responseTo(req: SipRequest, status: number, extra: readonly Header[] = [], body = '', toTag?: string, reason = reasonPhrase(status)): SipResponse {
  const hdrs: Header[] = [];
  for (const v of headers(req, 'via')) hdrs.push(['via', v]);
  hdrs.push(['from', header(req, 'from') ?? '']);
  let to = header(req, 'to') ?? '';
  if (toTag && !/;\s*tag=/i.test(to) && status > 100) to += `;tag=${toTag}`;
  hdrs.push(['to', to]);
  hdrs.push(['call-id', header(req, 'call-id') ?? '']);
  hdrs.push(['cseq', header(req, 'cseq') ?? '']);
  return response(status, reason, [...hdrs, ...extra], body);
}

type ClientState = 'calling' | 'trying' | 'proceeding' | 'accepted' | 'completed' | 'terminated';

export class ClientTransaction {
  state: ClientState;
  /** Pending timers, made when the first is set (an Accepted transaction has none: `linger`). */
  private timers: Timer[] | undefined;
  private ack: SipRequest | undefined;
  readonly isInvite: boolean;
  readonly method: string;
  /** How the request goes, until a final response: then only where it went is kept. */
  private route: Route | undefined;
  private to: Peer;

  constructor(
    private readonly layer: TransactionLayer,
    route: Route,
    private readonly tu: ClientTU,
    readonly key: string,
  ) {
    this.route = route;
    this.to = route.peer;
    this.method = route.request.method;
    this.isInvite = route.request.method === 'INVITE';
    this.state = this.isInvite ? 'calling' : 'trying';
  }

  /**
   * The request as it went on the wire: a CANCEL copies its Via (§9.1). Released with the final
   * response (an answered call's INVITE transaction lives on in Accepted, and its leg holds it):
   * whoever needs it afterwards takes what it needs when the request is sent.
   */
  get request(): SipRequest {
    if (!this.route) throw new Error(`the ${this.method} of a client transaction that got its final response is no longer kept`);
    return this.route.request;
  }
  /** Where and how it went: a CANCEL goes the same way (§9.1). */
  get peer(): Peer {
    return this.to;
  }

  start(): void {
    const { t1 } = this.layer.timers;
    this.transmit();
    if (this.peer.transport === 'udp') this.retransmitOverUdp();
    // Timer B / Timer F: 64*T1 without a final response.
    this.after(64 * t1, () => {
      if (this.state === 'calling' || this.state === 'trying' || this.state === 'proceeding') {
        this.terminate();
        this.tu.onTimeout();
      }
    });
  }

  receive(res: SipResponse): void {
    const { t1, t4 } = this.layer.timers;
    const reliable = this.peer.transport !== 'udp';
    if (this.state === 'terminated') return;
    if (res.status < 200) {
      if (this.state === 'calling' || this.state === 'trying' || this.state === 'proceeding') {
        this.state = 'proceeding';
        this.tu.onResponse(res);
      }
      return;
    }
    if (this.isInvite && res.status < 300) {
      // RFC 6026 §7.2: Accepted, Timer M = 64*T1; every 2xx (retransmissions and forks) goes to the TU.
      if (this.state !== 'accepted') {
        this.clearTimers();
        this.state = 'accepted';
        this.route = undefined;
        // Timer M, on the layer's queue of transactions waiting out 64*T1.
        this.layer.linger(this);
      }
      this.tu.onResponse(res);
      return;
    }
    if (this.state === 'completed' || this.state === 'accepted') {
      // A retransmitted final response: resend the ACK (§17.1.1.2), tell nobody.
      if (this.ack) this.layer.transports.send(this.ack, this.peer);
      return;
    }
    this.clearTimers();
    this.state = 'completed';
    if (this.isInvite) {
      this.ack = ackFor(this.request, res);
      this.route = undefined;
      this.layer.transports.send(this.ack, this.peer);
      // Timer D: 32 s on UDP to absorb retransmissions; 0 on TCP.
      this.after(reliable ? 0 : Math.max(32_000, 64 * t1), () => this.terminate());
    } else {
      this.route = undefined;
      // Timer K: T4 on UDP.
      this.after(reliable ? 0 : t4, () => this.terminate());
    }
    this.tu.onResponse(res);
  }

  terminate(): void {
    if (this.state === 'terminated') return;
    this.state = 'terminated';
    this.clearTimers();
    this.layer.forgetClient(this);
  }

  /** Timer A (INVITE, doubling without cap) / Timer E (non-INVITE, doubling up to T2). */
  private retransmitOverUdp(): void {
    const { t1, t2 } = this.layer.timers;
    let interval = t1;
    const retransmit = () => {
      if (this.state !== 'calling' && this.state !== 'trying' && !(this.state === 'proceeding' && !this.isInvite)) return;
      this.transmit();
      interval = this.isInvite ? interval * 2 : Math.min(interval * 2, t2);
      if (this.state === 'proceeding') interval = t2;
      this.after(interval, retransmit);
    };
    this.after(interval, retransmit);
  }

  private transmit(): void {
    const sent = this.route;
    if (!sent) return;
    this.layer.transports.send(sent.request, sent.peer, (err) => {
      if (this.state === 'terminated' || this.state === 'completed' || this.state === 'accepted' || this.route !== sent) return;
      if (sent.fallback && (this.state === 'calling' || this.state === 'trying')) {
        // §18.1.1: TCP was our choice, not the peer's; a peer without TCP still gets the request over UDP.
        this.route = sent.fallback;
        this.to = sent.fallback.peer;
        this.transmit();
        this.retransmitOverUdp();
        return;
      }
      this.terminate();
      this.tu.onTransportError(err);
    });
  }

  private after(ms: number, fn: () => void): void {
    (this.timers ??= []).push(this.layer.clock.setTimer(ms, fn));
  }

  private clearTimers(): void {
    if (!this.timers) return;
    for (const t of this.timers) t.cancel();
    this.timers = undefined;
  }
}

/** §17.1.1.3: the ACK for a non-2xx final response, part of the INVITE transaction. */
export function ackFor(invite: SipRequest, res: SipResponse): SipRequest {
  const hdrs: Header[] = [['via', header(invite, 'via') ?? '']];
  for (const r of headers(invite, 'route')) hdrs.push(['route', r]);
  hdrs.push(['max-forwards', '70'], ['from', header(invite, 'from') ?? ''], ['to', header(res, 'to') ?? ''], ['call-id', header(invite, 'call-id') ?? '']);
  hdrs.push(['cseq', `${cseqOf(invite)?.seq ?? 1} ACK`]);
  return { kind: 'request', method: 'ACK', uri: invite.uri, headers: hdrs, body: '' };
}

/** §9.1: CANCEL copies the INVITE's Request-URI, top Via, Call-ID, From, To, Route and CSeq number. */
export function cancelFor(invite: SipRequest, extra: readonly Header[] = []): SipRequest {
  const hdrs: Header[] = [['via', header(invite, 'via') ?? '']];
  for (const r of headers(invite, 'route')) hdrs.push(['route', r]);
  hdrs.push(['max-forwards', '70'], ['from', header(invite, 'from') ?? ''], ['to', header(invite, 'to') ?? ''], ['call-id', header(invite, 'call-id') ?? '']);
  hdrs.push(['cseq', `${cseqOf(invite)?.seq ?? 1} CANCEL`], ...extra);
  return { kind: 'request', method: 'CANCEL', uri: invite.uri, headers: hdrs, body: '' };
}

type ServerState = 'trying' | 'proceeding' | 'accepted' | 'completed' | 'confirmed' | 'terminated';

export class ServerTransaction {
  state: ServerState;
  /** The request, until the final response goes out: nothing after it reads more than is kept below. */
  private req: SipRequest | undefined;
  /**
   * The last response, to resend: parsed while it may still change or Timer G resends it (a
   * provisional, a non-2xx to an INVITE), else its wire text before the body, and the body (the
   * SDP string the leg keeps anyway). An answered call keeps its INVITE server transaction (Timer
   * L, and its leg holds it for the whole call): a flat string of the 2xx's head costs less than
   * the parsed response and the request whose strings it shares.
   */
  private last: SipResponse | undefined;
  private lastHead: string | undefined;
  private lastBody = '';
  private lastStatus = 0;
  /** Pending timers, made when the first is set (an Accepted transaction has none: `linger`). */
  private timers: Timer[] | undefined;
  readonly isInvite: boolean;
  readonly method: string;
  readonly replyTo: Peer;
  /** §18.2.2, for a TCP request: where its responses go once its connection is gone. */
  private readonly reconnect: Peer | undefined;
  /** Set by the TU: called when a CANCEL for this INVITE arrives. */
  onCancel: (() => void) | undefined;
  /** Timer H fired: no ACK for our final response (§17.2.1). */
  onAckTimeout: (() => void) | undefined;

  constructor(
    private readonly layer: TransactionLayer,
    request: SipRequest,
    readonly source: Peer,
    readonly key: string,
  ) {
    this.req = request;
    this.method = request.method;
    this.isInvite = request.method === 'INVITE';
    this.state = this.isInvite ? 'proceeding' : 'trying';
    this.replyTo = responsePeer(request, source);
    if (source.transport === 'tcp') this.reconnect = reconnectPeer(request, source);
  }

  /**
   * The request. Released with the final response (whoever answers reads it before): a live
   * call's INVITE would otherwise be kept, with the datagram its strings are cut from, as long as
   * the call.
   */
  get request(): SipRequest {
    if (!this.req) throw new Error(`the ${this.method} of a server transaction that sent its final response is no longer kept`);
    return this.req;
  }

  get finalSent(): boolean {
    return this.lastStatus >= 200;
  }

  /** The wire text of the final response when it is a 2xx to an INVITE (the dialog layer resends it, §13.3.1.4). */
  get finalWire(): string | undefined {
    return this.isInvite && this.lastStatus >= 200 && this.lastStatus < 300 && this.lastHead !== undefined ? this.lastHead + this.lastBody : undefined;
  }

  respond(res: SipResponse): void {
    const { t1, t2 } = this.layer.timers;
    const reliable = this.source.transport !== 'udp';
    if (this.state === 'terminated' || this.state === 'completed' || this.state === 'confirmed' || this.state === 'accepted') return;
    this.lastStatus = res.status;
    if (res.status < 200 || (this.isInvite && res.status >= 300)) {
      this.last = res;
      this.reply(res);
    } else {
      this.last = undefined;
      // Flat: as built it is a tree of some fifty strings (a head of 500 bytes kept as 2 KiB).
      this.lastHead = detach(serializeHead(res));
      this.lastBody = res.body;
      this.reply(this.lastHead + res.body);
    }
    if (res.status < 200) {
      if (!this.isInvite) this.state = 'proceeding';
      return;
    }
    this.req = undefined;
    // A CANCEL after the final response gets 481 without asking the TU (sip-network.ts), so the TU's
    // handler is dropped here: the transaction outlives its leg by Timer L or J (32 s) and must not keep
    // the leg and its call alive that long. onAckTimeout is only for a non-2xx INVITE's Timer H.
    this.onCancel = undefined;
    if (!this.isInvite || res.status < 300) this.onAckTimeout = undefined;
    if (!this.isInvite) {
      this.state = 'completed';
      // Timer J: 64*T1 on UDP (the layer's queue), absorbing request retransmissions.
      if (reliable) this.after(0, () => this.terminate());
      else this.layer.linger(this);
      return;
    }
    if (res.status < 300) {
      // RFC 6026 §8.7: Accepted, Timer L (the layer's queue); the dialog layer retransmits the 2xx (§13.3.1.4).
      this.state = 'accepted';
      this.layer.linger(this);
      return;
    }
    this.state = 'completed';
    if (!reliable) {
      // Timer G: resend the final response until the ACK, T1 doubling up to T2.
      let interval = t1;
      const resend = () => {
        if (this.state !== 'completed' || !this.last) return;
        this.reply(this.last);
        interval = Math.min(interval * 2, t2);
        this.after(interval, resend);
      };
      this.after(interval, resend);
    }
    // Timer H: give up waiting for the ACK.
    this.after(64 * t1, () => {
      if (this.state !== 'completed') return;
      const timedOut = this.onAckTimeout;
      this.terminate();
      timedOut?.();
    });
  }

  /** A retransmission of our request arrived: resend the last response (§17.2.1, §17.2.2). */
  retransmitted(): void {
    if (this.state === 'terminated' || this.state === 'confirmed') return;
    if (this.lastHead !== undefined) this.reply(this.lastHead + this.lastBody);
    else if (this.last) this.reply(this.last);
  }

  /** §18.2.2: on the request's own connection while it is open, else on a new one to its Via. */
  private reply(res: SipResponse | string): void {
    const to = this.reconnect && !this.layer.transports.isOpen(this.source) ? this.reconnect : this.replyTo;
    this.layer.transports.send(res, to);
  }

  /** The ACK for our non-2xx final response (§17.2.1): Confirmed, then Timer I. */
  acked(): void {
    if (this.state !== 'completed') return;
    this.clearTimers();
    this.state = 'confirmed';
    this.after(this.source.transport !== 'udp' ? 0 : this.layer.timers.t4, () => this.terminate());
  }

  terminate(): void {
    if (this.state === 'terminated') return;
    this.state = 'terminated';
    this.clearTimers();
    this.layer.forgetServer(this);
    this.last = undefined;
    this.lastHead = undefined;
    this.lastBody = '';
    this.onCancel = undefined;
    this.onAckTimeout = undefined;
  }

  private after(ms: number, fn: () => void): void {
    (this.timers ??= []).push(this.layer.clock.setTimer(ms, fn));
  }

  private clearTimers(): void {
    if (!this.timers) return;
    for (const t of this.timers) t.cancel();
    this.timers = undefined;
  }
}

export class TransactionLayer {
  private readonly clients = new Map<string, ClientTransaction>();
  private readonly servers = new Map<string, ServerTransaction>();

  constructor(
    readonly transports: Transports,
    readonly clock: Clock,
    readonly timers: SipTimers,
    private readonly core: CoreHandlers,
  ) {}

  /**
   * Transactions that only wait out 64*T1 before they end (RFC 6026's Timers L and M, Timer J on
   * UDP). The delay is the same for all, so they queue in deadline order under one clock timer
   * for the head instead of a timer each: an answered call keeps two of them for 32 s.
   */
  private lingerAt: number[] = [];
  private lingerTx: (ClientTransaction | ServerTransaction | undefined)[] = [];
  private lingerHead = 0;
  private lingerTimer: Timer | undefined;

  /** @internal Ends `tx` 64*T1 from now (its state says why: Accepted, or Completed over UDP). */
  linger(tx: ClientTransaction | ServerTransaction): void {
    this.lingerAt.push(this.clock.now() + 64 * this.timers.t1);
    this.lingerTx.push(tx);
    if (!this.lingerTimer) this.armLinger();
  }

  private armLinger(): void {
    const at = this.lingerAt[this.lingerHead];
    this.lingerTimer = at === undefined ? undefined : this.clock.setTimer(at - this.clock.now(), () => this.endLingering());
  }

  private endLingering(): void {
    const now = this.clock.now();
    while (this.lingerHead < this.lingerAt.length && this.lingerAt[this.lingerHead]! <= now) {
      const tx = this.lingerTx[this.lingerHead];
      this.lingerTx[this.lingerHead] = undefined;
      this.lingerHead++;
      tx?.terminate();
    }
    if (this.lingerHead === this.lingerAt.length) {
      this.lingerAt = [];
      this.lingerTx = [];
      this.lingerHead = 0;
    } else if (this.lingerHead >= 1024 && this.lingerHead * 2 >= this.lingerAt.length) {
      this.lingerAt = this.lingerAt.slice(this.lingerHead);
      this.lingerTx = this.lingerTx.slice(this.lingerHead);
      this.lingerHead = 0;
    }
    this.armLinger();
  }

  get size(): { clients: number; servers: number } {
    return { clients: this.clients.size, servers: this.servers.size };
  }

  /**
   * Starts a client transaction; the request's top Via must carry a fresh branch. The transport is
   * chosen here (`routeRequest`): the transaction's `request` and `peer` are what went on the wire.
   */
  sendRequest(req: SipRequest, peer: Peer, tu: ClientTU): ClientTransaction {
    const key = detach(`${topBranch(req)}|${req.method}`);
    const tx = new ClientTransaction(this, routeRequest(req, peer), tu, key);
    this.clients.set(key, tx);
    tx.start();
    return tx;
  }

  /** Stateless sends: ACK for a 2xx and its retransmissions (§13.2.2.4), 2xx retransmissions (as wire text). */
  sendStateless(msg: SipRequest | SipResponse | string, peer: Peer): void {
    if (typeof msg === 'string' || msg.kind === 'response') {
      this.transports.send(msg, peer);
      return;
    }
    const route = routeRequest(msg, peer);
    const fallback = route.fallback;
    this.transports.send(route.request, route.peer, fallback ? () => this.transports.send(fallback.request, fallback.peer) : undefined);
  }

  receiveResponse(res: SipResponse, from: Peer): void {
    const cseq = cseqOf(res);
    const tx = cseq && this.clients.get(`${topBranch(res)}|${cseq.method}`);
    if (tx) tx.receive(res);
    else this.core.onStrayResponse(res, from);
  }

  receiveRequest(req: SipRequest, from: Peer): void {
    if (req.method === 'ACK') {
      const invite = this.servers.get(requestKey(req, 'INVITE', from));
      if (invite && (invite.state === 'completed' || invite.state === 'confirmed')) invite.acked();
      else this.core.onAck(req, from);
      return;
    }
    const key = requestKey(req, req.method, from);
    const existing = this.servers.get(key);
    if (existing) {
      existing.retransmitted();
      return;
    }
    const tx = new ServerTransaction(this, req, from, detach(key));
    this.servers.set(key, tx);
    if (req.method === 'CANCEL') {
      const invite = this.servers.get(requestKey(req, 'INVITE', from));
      this.core.onCancel(req, tx, invite && invite.state !== 'terminated' ? invite : undefined);
      return;
    }
    // §17.2.1: an INVITE server transaction answers 100 at once, so the client stops Timer A.
    if (tx.isInvite) tx.respond(responseTo(req, 100));
    try {
      this.core.onRequest(req, tx);
    } catch {
      // Whatever went wrong above, no request is left without a final answer (issue 20): 500, and
      // Timer H or J then frees the transaction.
      if (!tx.finalSent) tx.respond(responseTo(req, 500, [], '', undefined));
    }
  }

  /** Server transactions still owing a final response (the engine is deciding), for tests and diagnostics. */
  unanswered(): ServerTransaction[] {
    return [...this.servers.values()].filter((t) => !t.finalSent && t.state !== 'terminated');
  }

  forgetClient(tx: ClientTransaction): void {
    if (this.clients.get(tx.key) === tx) this.clients.delete(tx.key);
  }
  forgetServer(tx: ServerTransaction): void {
    if (this.servers.get(tx.key) === tx) this.servers.delete(tx.key);
  }

  /** Cancels every timer (shutdown). */
  clear(): void {
    for (const tx of [...this.clients.values()]) tx.terminate();
    for (const tx of [...this.servers.values()]) tx.terminate();
    this.lingerTimer?.cancel();
    this.lingerTimer = undefined;
    this.lingerAt = [];
    this.lingerTx = [];
    this.lingerHead = 0;
  }
}
