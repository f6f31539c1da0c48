/**
 * The `sip` network: a signalling-only back-to-back user agent behind the same interface as the
 * simulated one (DESIGN.md, "The network is an interface"). This file is the SIP core above the
 * transaction layer: it routes requests to legs by dialog (§12.2.2), turns new INVITEs into inbound
 * legs, answers OPTIONS (load balancers probe with it, spec/sip.md §5), CANCELs (§9.2) and
 * malformed requests (400, §21.4.1), and 481s what belongs to no dialog (§12.2.2). It also applies
 * the chosen trunk's rules to what goes on the wire: its caller-ID and dial rules, and its RFC 3263
 * target (resolver.ts). One network serves one listen address; sip-networks.ts joins several.
 */
import dgram from 'node:dgram';
import { isIP } from 'node:net';
import type { Clock } from '../../clock.ts';
import { newId, randomHex } from '../../util/ids.ts';
import { normalizeNumber } from '../../util/phone.ts';
import type { NetworkEndReason } from '../../domain/causes.ts';
import type { InboundHandler, Network, NetworkLeg, OriginateRequest } from '../network.ts';
import { FailedLeg } from '../failed-leg.ts';
import { dialogKey } from './dialog.ts';
import { detach, header, headers, type Header, type SipRequest, type SipResponse } from './message.ts';
import { InboundLeg } from './inbound-leg.ts';
import { OutboundLeg, type OutboundTarget } from './outbound-leg.ts';
import { ALLOW, type SipLeg, type SipLegHost } from './sip-leg.ts';
import { DEFAULT_TIMERS, responsePeer, responseTo, stampVia, TransactionLayer, type CoreHandlers, type ServerTransaction, type SipTimers } from './transactions.ts';
import { Transports, type Peer, type TransportName } from './transport.ts';
import { callerIdFor, dialedUser, listenKey, TrunkError, trunkFor, type ListenAddress, type SipTrunk } from './trunk.ts';
import { TrunkResolver } from './resolver.ts';
import { escapeUser, parseNameAddr, parseUri, unescapeUser } from './uri.ts';
import type { ParseResult } from './parser.ts';
import { refusal, SipAccess } from './access.ts';
import type { Registrar } from './registrar.ts';
import { DEFAULT_MIN_SE, uasTimer } from './session-timer.ts';

export interface SipNetworkOptions {
  readonly clock: Clock;
  readonly listen: ListenAddress;
  /** The trunks calls leave on from this address (a destination picks one by prefix). */
  readonly trunks: readonly SipTrunk[];
  /** Shared by the networks of several listen addresses; absent = one of our own (system DNS). */
  readonly resolver?: TrunkResolver;
  readonly timers?: Partial<SipTimers>;
  readonly userAgent?: string;
  /** UDP receive and send buffers, bytes (transport.ts: default 4 MiB). */
  readonly udpBufferSize?: number;
  /** Our smallest session-timer interval, seconds (RFC 4028 Min-SE); default 90. */
  readonly sessionMinSE?: number;
  /** Who may call in (access.ts); absent = this network's own trunks only. */
  readonly access?: SipAccess;
  readonly warn?: (msg: string, data?: Record<string, unknown>) => void;
}

export class SipNetwork implements Network {
  readonly transports: Transports;
  readonly layer: TransactionLayer;
  readonly timers: SipTimers;
  private readonly legs = new Map<string, SipLeg>();
  private discard: dgram.Socket | undefined;
  private inbound: InboundHandler | undefined;
  private readonly resolver: TrunkResolver;
  private readonly ownResolver: boolean;
  private closed = false;
  readonly host: SipLegHost;
  readonly access: SipAccess;
  /** Where REGISTERs go (registrar.ts, docs/endpoints.md); without one REGISTER is 501, a method we do not take. */
  registrar: Registrar | undefined;

  constructor(private readonly opts: SipNetworkOptions) {
    this.timers = { ...DEFAULT_TIMERS, ...opts.timers };
    this.ownResolver = opts.resolver === undefined;
    this.resolver = opts.resolver ?? new TrunkResolver({ clock: opts.clock, ...(opts.warn ? { warn: opts.warn } : {}) });
    this.access =
      opts.access ??
      new SipAccess({ clock: opts.clock, trunkAddresses: () => opts.trunks.flatMap((t) => this.resolver.addressesOf(t)), ...(opts.warn ? { warn: opts.warn } : {}) });
    this.transports = new Transports({ host: opts.listen.host, port: opts.listen.port, ...(opts.udpBufferSize ? { udpBufferSize: opts.udpBufferSize } : {}) });
    const core: CoreHandlers = {
      onRequest: (req, tx) => this.onRequest(req, tx),
      onAck: (req) => this.legForRequest(req)?.onAck(req),
      onCancel: (req, tx, invite) => this.onCancel(req, tx, invite),
      onStrayResponse: (res) => this.onStrayResponse(res),
    };
    this.layer = new TransactionLayer(this.transports, opts.clock, this.timers, core);
    const self = this;
    const ua = opts.userAgent ?? 'Switchboard';
    const warn = opts.warn ?? (() => {});
    this.host = {
      clock: opts.clock,
      layer: this.layer,
      timers: this.timers,
      get address() {
        return self.address;
      },
      get port() {
        return self.transports.port;
      },
      get discardPort() {
        return self.discard?.address().port ?? 9;
      },
      userAgent: ua,
      sessionMinSE: opts.sessionMinSE ?? DEFAULT_MIN_SE,
      via: (t) => `SIP/2.0/${t.toUpperCase()} ${self.hostPort};rport`,
      contact: (t, user) => `<sip:${user ? user + '@' : ''}${self.hostPort}${t === 'tcp' ? ';transport=tcp' : ''}>`,
      bind: (leg, key) => {
        // Kept while the leg lives: one flat string, not the template's tree (`detach`).
        const own = detach(key);
        this.legs.set(own, leg);
        leg.boundKey = own;
      },
      release: (leg) => {
        const key = leg.boundKey;
        if (key !== undefined && this.legs.get(key) === leg) this.legs.delete(key);
        leg.boundKey = undefined;
      },
      warn,
    };
  }

  /** The address we put in Via, Contact and SDP. */
  get address(): string {
    const h = this.opts.listen.host;
    return h === '0.0.0.0' || h === '::' ? '127.0.0.1' : h;
  }
  private get hostPort(): string {
    const a = this.address.includes(':') ? `[${this.address}]` : this.address;
    return `${a}:${this.transports.port}`;
  }
  get port(): number {
    return this.transports.port;
  }
  /** Legs not yet ended. */
  get liveLegs(): number {
    return this.legs.size;
  }

  /** Binds the listen address and resolves the trunks; on failure nothing stays bound. */
  async start(): Promise<void> {
    try {
      try {
        await this.bindAll();
      } catch (err) {
        // EADDRINUSE, EADDRNOTAVAIL: a setting to fix, said with the address it is about.
        throw new TrunkError(`cannot listen on ${listenKey(this.opts.listen)}: ${(err as Error).message}`);
      }
      await this.resolver.prepare(this.opts.trunks);
    } catch (err) {
      await this.close();
      throw err;
    }
  }

  private async bindAll(): Promise<void> {
    await this.transports.start({ onMessage: (m, from) => this.receive(m, from), onBadMessage: (r, from) => this.onBadMessage(r, from) });
    const discard = dgram.createSocket(this.address.includes(':') ? 'udp6' : 'udp4');
    await new Promise<void>((resolve, reject) => {
      discard.once('error', reject);
      discard.bind(0, this.address, () => resolve());
    });
    // The discard RTP port: media sent to a party nobody is bridged to ends here, unread.
    discard.on('message', () => {});
    discard.on('error', () => {});
    this.discard = discard;
  }

  onInbound(handler: InboundHandler): void {
    this.inbound = handler;
  }

  /** Whether calls on this trunk leave from this network's address. */
  servesTrunk(trunk: SipTrunk): boolean {
    return this.opts.trunks.includes(trunk);
  }

  /** Whether a destination has a route here (a trunk or a SIP URI). */
  routes(to: string): boolean {
    return to.startsWith('sip:') || trunkFor(this.opts.trunks, normalizeNumber(to)) !== undefined;
  }

  /**
   * Places a leg: to a `sip:` URI with an address directly, else on `trunk` (chosen by the caller,
   * sip-networks.ts) or the trunk the destination's prefix picks. A leg the trunk's rules or DNS
   * rule out ends before any INVITE, as the carrier would end it: a caller ID it does not accept is
   * its 403 (`refused`), a name that does not resolve is no route (spec/sip.md §4, `no-route`).
   */
  originate(req: OriginateRequest, trunk?: SipTrunk): NetworkLeg {
    if (this.closed) throw new Error('the SIP network is closed');
    const id = newId();
    const route = this.routeFor(req, trunk);
    if ('fail' in route) {
      this.host.warn(route.fail, { leg: id, to: req.to, from: req.from });
      return new FailedLeg(req, route.reason, id);
    }
    const leg = new OutboundLeg(this.host, {
      id,
      from: route.from,
      to: req.to,
      ...(req.callerName !== undefined ? { callerName: req.callerName } : {}),
      headers: req.headers ?? {},
      ...(req.offer !== undefined ? { offer: req.offer } : {}),
      target: route.target,
    });
    queueMicrotask(() => {
      if (!this.closed) leg.start();
    });
    return leg;
  }

  private routeFor(req: OriginateRequest, chosen: SipTrunk | undefined): { from: string; target: OutboundTarget } | { fail: string; reason: NetworkEndReason } {
    const from = normalizeNumber(req.from);
    const to = req.to;
    const direct = directPeer(to);
    if (direct) return { from, target: { uri: to, peers: [direct] } };
    const digits = destinationDigits(to);
    const trunk = chosen ?? trunkFor(this.opts.trunks, digits);
    if (!trunk) throw new Error(`no SIP trunk routes ${to}`);
    const callerId = callerIdFor(trunk, from);
    if (callerId === undefined) return { fail: `caller ID ${from} is not allowed on SIP trunk "${trunk.name}" and the trunk has no default caller ID`, reason: 'refused' };
    // Every address of the trunk's name, in the order RFC 3263 §4.3 tries them.
    const peers = this.resolver.peers(trunk);
    if (peers.length === 0) return { fail: `SIP trunk "${trunk.name}": ${trunk.host} does not resolve`, reason: 'no-route' };
    const hostPart = trunk.host.includes(':') ? `[${trunk.host}]` : trunk.host;
    return {
      from: callerId,
      target: {
        uri: `sip:${escapeUser(dialedUser(trunk, digits))}@${hostPart}${trunk.port !== undefined ? `:${trunk.port}` : ''}${trunk.transport === 'tcp' ? ';transport=tcp' : ''}`,
        peers,
        ...(trunk.username !== undefined ? { credentials: { username: trunk.username, password: trunk.password ?? '' } } : {}),
      },
    };
  }

  /** Where a trunk's INVITEs go now (`address:port`, as last resolved); undefined for an unknown trunk. */
  trunkTargets(name: string): string[] | undefined {
    const trunk = this.opts.trunks.find((t) => t.name === name);
    return trunk && this.resolver.targetsOf(trunk);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const leg of [...this.legs.values()]) leg.finish();
    this.legs.clear();
    this.layer.clear();
    if (this.ownResolver) this.resolver.close();
    await this.transports.close();
    const discard = this.discard;
    this.discard = undefined;
    await new Promise<void>((r) => (discard ? discard.close(() => r()) : r()));
  }

  private receive(message: SipRequest | SipResponse, from: Peer): void {
    if (this.closed) return;
    if (message.kind === 'response') {
      this.layer.receiveResponse(message, from);
      return;
    }
    const msg = stampVia(message, from);
    const verdict = this.access.judge(msg, from.address, from.port);
    if (verdict === 'drop') return;
    if (verdict === 'refuse') {
      // Stateless, as a proxy refuses strangers (§16.3 note; Kamailio sl_send_reply): the same 100
      // and 403 an unknown number gets, and nothing kept. A retransmission gets them again.
      const to = responsePeer(msg, from);
      this.transports.send(responseTo(msg, 100), to);
      this.transports.send(refusal(msg, randomHex(4)), to);
      return;
    }
    this.layer.receiveRequest(msg, from);
  }

  private legForRequest(req: SipRequest): SipLeg | undefined {
    const tag = parseNameAddr(header(req, 'to') ?? '')?.params.get('tag');
    return tag ? this.legs.get(dialogKey(header(req, 'call-id') ?? '', tag)) : undefined;
  }

  /**
   * A request the transaction layer did not absorb, checked in the order of §8.2: the method
   * (501), the Request-URI's scheme (416), `Require` (420); then to its dialog or, outside one,
   * by method. Max-Forwards 0 only stops an INVITE: the engine would place calls for it (a loop),
   * while anything else ends here, at the endpoint (RFC 4475 §3.3.11).
   */
  private onRequest(req: SipRequest, tx: ServerTransaction): void {
    // §10.3: a REGISTER outside a dialog is the registrar's.
    if (req.method === 'REGISTER' && this.registrar?.active && !/;\s*tag\s*=/i.test(header(req, 'to') ?? '')) return this.registrar.register(req, tx);
    if (!METHODS.has(req.method)) return tx.respond(responseTo(req, 501, [['allow', ALLOW]], '', randomHex(4)));
    if (!/^(sips?|tel):/i.test(req.uri)) return tx.respond(responseTo(req, 416, [], '', randomHex(4)));
    const unsupported = headers(req, 'require').filter((o) => !SUPPORTED.has(o.toLowerCase()));
    if (unsupported.length > 0) return tx.respond(responseTo(req, 420, [['unsupported', unsupported.join(', ')]], '', randomHex(4)));
    const toTag = parseNameAddr(header(req, 'to') ?? '')?.params.get('tag');
    if (toTag) {
      const leg = this.legForRequest(req);
      if (leg) leg.onInDialogRequest(req, tx);
      else tx.respond(responseTo(req, 481));
      return;
    }
    switch (req.method) {
      case 'INVITE':
        if (/^\s*0+\s*$/.test(header(req, 'max-forwards') ?? '')) return tx.respond(responseTo(req, 483, [], '', randomHex(4)));
        return this.onInvite(req, tx);
      case 'OPTIONS':
        return tx.respond(responseTo(req, 200, [['allow', ALLOW], ['accept', 'application/sdp'], ['user-agent', this.host.userAgent]], '', randomHex(4)));
      case 'BYE':
        return tx.respond(responseTo(req, 481));
      default:
        return tx.respond(responseTo(req, 501, [['allow', ALLOW]], '', randomHex(4)));
    }
  }

  private onInvite(req: SipRequest, tx: ServerTransaction): void {
    const tag = randomHex(4);
    // §8.2.3: a body we cannot read (415, saying what we take), and §8.2.2.2 / RFC 4475 §3.3.15:
    // an INVITE whose Accept rules out SDP cannot get an answer from us (406).
    const type = (header(req, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (req.body.length > 0 && type !== 'application/sdp') return tx.respond(responseTo(req, 415, [['accept', 'application/sdp']], '', tag));
    const encoding = (header(req, 'content-encoding') ?? 'identity').trim().toLowerCase();
    if (encoding !== 'identity') return tx.respond(responseTo(req, 415, [['accept-encoding', 'identity']], '', tag));
    const accept = header(req, 'accept');
    if (accept !== undefined && accept.trim() !== '' && !/(^|,)\s*(application\/sdp|application\/\*|\*\/\*)\s*(;|,|$)/i.test(accept)) {
      return tx.respond(responseTo(req, 406, [['accept', 'application/sdp']], '', tag));
    }
    // RFC 4028 §9: a session interval below our minimum, from a caller that can retry, gets 422.
    const timer = uasTimer(req, this.host.sessionMinSE);
    if (timer.kind === 'reject') return tx.respond(responseTo(req, 422, [['min-se', String(timer.minSE)]], '', tag));
    const handler = this.inbound;
    if (!handler) return tx.respond(responseTo(req, 503, [], '', tag));
    const fromNa = parseNameAddr(header(req, 'from') ?? '');
    const fromUri = fromNa ? parseUri(fromNa.uri) : undefined;
    const rUri = parseUri(req.uri);
    const toUri = parseUri(parseNameAddr(header(req, 'to') ?? '')?.uri ?? '');
    // A malformed %-escape is a malformed request (§25.1 escaped): 400, and the transaction ends.
    const to = unescapeUser(rUri?.user ?? toUri?.user ?? req.uri);
    const from = unescapeUser(fromUri?.user ?? fromNa?.uri ?? 'anonymous');
    if (to === undefined || from === undefined) return tx.respond(responseTo(req, 400, [], '', tag, 'Bad Request (malformed escape)'));
    const custom: Record<string, string> = {};
    // The engine keeps these for the call's life: copies, not views of the INVITE's head (`detach`).
    for (const [k, v] of req.headers) if (k.startsWith('x-ph-')) custom[`X-PH-${k.slice(5)}`] = detach(v);
    // A From naming an endpoint must come from that endpoint's registration: its call runs the endpoint's application.
    if (this.registrar?.spoofed(from, tx.source)) return tx.respond(refusal(req, tag));
    const leg = new InboundLeg(this.host, newId(), from, to, fromNa?.display === undefined ? undefined : detach(fromNa.display), custom, tx);
    tx.onAckTimeout = () => leg.finish();
    try {
      handler(leg);
    } catch (err) {
      this.host.warn('the inbound handler threw', { err: String(err) });
      leg.reject('NORMAL_TEMPORARY_FAILURE');
    }
  }

  private onCancel(req: SipRequest, tx: ServerTransaction, invite: ServerTransaction | undefined): void {
    if (!invite || invite.finalSent) return tx.respond(responseTo(req, 481));
    tx.respond(responseTo(req, 200));
    invite.onCancel?.();
  }

  private onStrayResponse(res: SipResponse): void {
    const tag = parseNameAddr(header(res, 'from') ?? '')?.params.get('tag');
    if (!tag) return;
    this.legs.get(dialogKey(header(res, 'call-id') ?? '', tag))?.onStrayResponse(res);
  }

  /** §21.4.1: a request we cannot read gets 400 when its Via says where to send it; anything else is dropped. */
  private onBadMessage(result: Extract<ParseResult, { ok: false }>, from: Peer): void {
    const r = result.request;
    if (!r || r.method === 'ACK' || !r.headers.some(([k]) => k === 'via')) return;
    const req: SipRequest = stampVia({ kind: 'request', method: r.method, uri: r.uri, headers: r.headers, body: '' }, from);
    // Garbage counts against an untrusted source's flood limit like any request.
    if (this.access.judge({ ...req, method: 'OPTIONS' }, from.address, from.port) === 'drop') return;
    const status = result.status ?? 400;
    const res = responseTo(req, status, [], '', randomHex(4), status === 400 ? `Bad Request (${result.error})`.slice(0, 100) : undefined);
    this.transports.send(res, responsePeer(req, from));
  }
}

/** Methods the engine takes (§8.2.1: any other gets 501); CANCEL and ACK are the transaction layer's. */
const METHODS = new Set(['INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS', 'INFO', 'UPDATE', 'PRACK']);
/** Option tags a request may `Require` of us (§8.2.2.3: any other gets 420): RFC 3262's and RFC 4028's. */
const SUPPORTED = new Set<string>(['100rel', 'timer']);

/** A `sip:` URI whose host is an address goes there directly, whatever the trunks say. */
export function directPeer(to: string): Peer | undefined {
  const uri = to.startsWith('sip:') ? parseUri(to) : undefined;
  if (!uri || !isIP(uri.host.replace(/^\[|\]$/g, ''))) return undefined;
  const t = uri.params.get('transport')?.toLowerCase() === 'tcp' ? 'tcp' : 'udp';
  return { transport: t, address: uri.host.replace(/^\[|\]$/g, ''), port: uri.port ?? 5060 };
}

/** The digits a trunk is chosen by: the number, or a `sip:` URI's user part. */
export function destinationDigits(to: string): string {
  return (to.startsWith('sip:') ? parseUri(to)?.user : undefined) ?? normalizeNumber(to);
}

export type { TransportName, Header };
