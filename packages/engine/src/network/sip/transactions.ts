/**
 * The transaction layer (RFC 3261 §17): the four state machines with their timers on the engine's
 * Clock, matching of responses and requests to transactions (§17.1.3, §17.2.3), absorption of
 * retransmissions, and the ACK for a non-2xx final response built inside the INVITE client
 * transaction (§17.1.1.3). RFC 6026's Accepted state replaces "terminate on 2xx" on both INVITE
 * sides, so 2xx retransmissions and their ACKs reach the dialog layer instead of being misrouted.
 */
import type { Clock, Timer } from '../../clock.ts';
import { cseqOf, header, headers, response, reasonPhrase, type Header, type SipRequest, type SipResponse } from './message.ts';
import type { Peer, Transports } from './transport.ts';
import { parseVia } from './uri.ts';

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
  return `z9hG4bK${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}${branchCounter.toString(36)}`;
}

/** RFC 2543 peers may send no cookie branch: fall back to the dialog-ish identifiers (§17.2.3). */
function requestKey(req: SipRequest, method: string): string {
  const branch = topBranch(req);
  if (branch && branch.startsWith('z9hG4bK')) return `${branch}|${method}`;
  return `${header(req, 'call-id')}|${cseqOf(req)?.seq}|${header(req, 'from')}|${method}`;
}

/** Where responses to a request go (§18.2.2 and RFC 3581): the source for TCP and rport, else Via. */
export function responsePeer(req: SipRequest, source: Peer): Peer {
  if (source.transport === 'tcp') return source;
  const via = parseVia(header(req, 'via') ?? '');
  if (!via) return source;
  const rport = via.params.get('rport');
  return { transport: 'udp', address: source.address, port: rport !== undefined ? source.port : (via.port ?? 5060) };
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
  private timers: Timer[] = [];
  private ack: SipRequest | undefined;
  readonly isInvite: boolean;

  constructor(
    private readonly layer: TransactionLayer,
    readonly request: SipRequest,
    readonly peer: Peer,
    private readonly tu: ClientTU,
    readonly key: string,
  ) {
    this.isInvite = request.method === 'INVITE';
    this.state = this.isInvite ? 'calling' : 'trying';
  }

  start(): void {
    const { t1, t2 } = this.layer.timers;
    this.transmit();
    const reliable = this.peer.transport !== 'udp';
    if (!reliable) {
      // Timer A (INVITE, doubling without cap) / Timer E (non-INVITE, doubling up to T2).
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
        this.after(64 * t1, () => this.terminate());
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
      this.layer.transports.send(this.ack, this.peer);
      // Timer D: 32 s on UDP to absorb retransmissions; 0 on TCP.
      this.after(reliable ? 0 : Math.max(32_000, 64 * t1), () => this.terminate());
    } else {
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

  private transmit(): void {
    this.layer.transports.send(this.request, this.peer, (err) => {
      if (this.state === 'terminated' || this.state === 'completed' || this.state === 'accepted') return;
      this.terminate();
      this.tu.onTransportError(err);
    });
  }

  private after(ms: number, fn: () => void): void {
    this.timers.push(this.layer.clock.setTimer(ms, fn));
  }

  private clearTimers(): void {
    for (const t of this.timers) t.cancel();
    this.timers = [];
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
  private last: SipResponse | undefined;
  private timers: Timer[] = [];
  readonly isInvite: boolean;
  readonly replyTo: Peer;
  /** Set by the TU: called when a CANCEL for this INVITE arrives. */
  onCancel: (() => void) | undefined;
  /** Timer H fired: no ACK for our final response (§17.2.1). */
  onAckTimeout: (() => void) | undefined;

  constructor(
    private readonly layer: TransactionLayer,
    readonly request: SipRequest,
    readonly source: Peer,
    readonly key: string,
  ) {
    this.isInvite = request.method === 'INVITE';
    this.state = this.isInvite ? 'proceeding' : 'trying';
    this.replyTo = responsePeer(request, source);
  }

  get finalSent(): boolean {
    return this.last !== undefined && this.last.status >= 200;
  }

  respond(res: SipResponse): void {
    const { t1, t2, t4 } = this.layer.timers;
    const reliable = this.source.transport !== 'udp';
    if (this.state === 'terminated' || this.state === 'completed' || this.state === 'confirmed' || this.state === 'accepted') return;
    this.last = res;
    this.layer.transports.send(res, this.replyTo);
    if (res.status < 200) {
      if (!this.isInvite) this.state = 'proceeding';
      return;
    }
    if (!this.isInvite) {
      this.state = 'completed';
      // Timer J: 64*T1 on UDP, absorbing request retransmissions.
      this.after(reliable ? 0 : 64 * t1, () => this.terminate());
      return;
    }
    if (res.status < 300) {
      // RFC 6026 §8.7: Accepted, Timer L; the dialog layer retransmits the 2xx (§13.3.1.4).
      this.state = 'accepted';
      this.after(64 * t1, () => this.terminate());
      return;
    }
    this.state = 'completed';
    if (!reliable) {
      // Timer G: resend the final response until the ACK, T1 doubling up to T2.
      let interval = t1;
      const resend = () => {
        if (this.state !== 'completed' || !this.last) return;
        this.layer.transports.send(this.last, this.replyTo);
        interval = Math.min(interval * 2, t2);
        this.after(interval, resend);
      };
      this.after(interval, resend);
    }
    // Timer H: give up waiting for the ACK.
    this.after(64 * t1, () => {
      if (this.state !== 'completed') return;
      this.terminate();
      this.onAckTimeout?.();
    });
    void t4;
  }

  /** A retransmission of our request arrived: resend the last response (§17.2.1, §17.2.2). */
  retransmitted(): void {
    if (this.last && this.state !== 'terminated' && this.state !== 'confirmed') this.layer.transports.send(this.last, this.replyTo);
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
  }

  private after(ms: number, fn: () => void): void {
    this.timers.push(this.layer.clock.setTimer(ms, fn));
  }

  private clearTimers(): void {
    for (const t of this.timers) t.cancel();
    this.timers = [];
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

  get size(): { clients: number; servers: number } {
    return { clients: this.clients.size, servers: this.servers.size };
  }

  /** Starts a client transaction; the request's top Via must carry a fresh branch. */
  sendRequest(req: SipRequest, peer: Peer, tu: ClientTU): ClientTransaction {
    const key = `${topBranch(req)}|${req.method}`;
    const tx = new ClientTransaction(this, req, peer, tu, key);
    this.clients.set(key, tx);
    tx.start();
    return tx;
  }

  /** Stateless sends: ACK for a 2xx and its retransmissions (§13.2.2.4), 2xx retransmissions. */
  sendStateless(msg: SipRequest | SipResponse, peer: Peer): void {
    this.transports.send(msg, peer);
  }

  receiveResponse(res: SipResponse, from: Peer): void {
    const cseq = cseqOf(res);
    const tx = cseq && this.clients.get(`${topBranch(res)}|${cseq.method}`);
    if (tx) tx.receive(res);
    else this.core.onStrayResponse(res, from);
  }

  receiveRequest(req: SipRequest, from: Peer): void {
    if (req.method === 'ACK') {
      const invite = this.servers.get(requestKey(req, 'INVITE'));
      if (invite && (invite.state === 'completed' || invite.state === 'confirmed')) invite.acked();
      else this.core.onAck(req, from);
      return;
    }
    const key = requestKey(req, req.method);
    const existing = this.servers.get(key);
    if (existing) {
      existing.retransmitted();
      return;
    }
    const tx = new ServerTransaction(this, req, from, key);
    this.servers.set(key, tx);
    if (req.method === 'CANCEL') {
      const invite = this.servers.get(requestKey(req, 'INVITE'));
      this.core.onCancel(req, tx, invite && invite.state !== 'terminated' ? invite : undefined);
      return;
    }
    // §17.2.1: an INVITE server transaction answers 100 at once, so the client stops Timer A.
    if (tx.isInvite) tx.respond(responseTo(req, 100));
    this.core.onRequest(req, tx);
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
  }
}
