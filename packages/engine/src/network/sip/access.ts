/**
 * Who may call the engine over SIP (DESIGN.md, "Deny by default"; docs/security.md, "SIP"). A new
 * INVITE is taken only from a trusted source: the address of a configured trunk (its resolved
 * addresses, any port: carriers send from pools of ports), a network listed in `sip.acceptFrom`,
 * or a registered endpoint (the `endpoints` hook, for the Endpoints work). Anyone else gets the
 * one refusal, 403 Forbidden, sent statelessly (no transaction, no leg, no call, no CDR, no
 * webhook), which is also what an unknown number gets, so nobody can tell a number that exists
 * from one that does not (no enumeration).
 *
 * Floods: every request from an untrusted source spends a token from that source's bucket; past
 * it the requests are dropped without an answer, as Kamailio's pike module does for untrusted
 * peers: answering a flood doubles it, and a 403 to a spoofed source reflects it onto a victim.
 * Trusted sources are not limited here (their calls are the engine's work). Lines about refused
 * sources are logged at most once per source per LOG_EVERY_MS, with the count since the last one.
 */
import { BlockList, isIP } from 'node:net';
import type { Clock } from '../../clock.ts';
import type { SipRequest, SipResponse } from './message.ts';
import { responseTo } from './transactions.ts';

export class AccessError extends Error {
  override name = 'AccessError';
}

/** Registered endpoints: whether one is registered from this address and port. */
export interface EndpointDirectory {
  has(address: string, port: number): boolean;
}

export interface FloodLimit {
  /** Requests per second an untrusted source may send, on average. */
  readonly perSecond: number;
  /** How many it may send at once. */
  readonly burst: number;
}

export const DEFAULT_FLOOD_LIMIT: FloodLimit = { perSecond: 10, burst: 20 };
/** One log line per refused source per minute at most. */
export const LOG_EVERY_MS = 60_000;
/** Sources remembered at once; the least recently seen is forgotten first (spoofed floods). */
const MAX_SOURCES = 10_000;

export interface SipAccessOptions {
  readonly clock: Clock;
  /** CIDRs (`10.0.0.0/8`, `2001:db8::/32`) or single addresses. */
  readonly acceptFrom?: readonly string[];
  /** The trunks' addresses now (DNS answers change): asked on each untrusted-looking request. */
  readonly trunkAddresses?: () => Iterable<string>;
  readonly endpoints?: EndpointDirectory;
  readonly flood?: FloodLimit;
  readonly warn?: (msg: string, data?: Record<string, unknown>) => void;
}

interface Source {
  tokens: number;
  at: number;
  /** Requests refused or dropped since the last log line, and when that line was written. */
  unlogged: number;
  loggedAt: number;
}

/** `10.0.0.0/8`, `192.0.2.7`, `2001:db8::/32`: the address and the prefix length. */
export function parseCidr(text: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } {
  const t = text.trim();
  const slash = t.indexOf('/');
  const address = (slash < 0 ? t : t.slice(0, slash)).replace(/^\[|\]$/g, '');
  const v = isIP(address);
  if (v === 0) throw new AccessError(`not an address or CIDR: "${text}"`);
  const max = v === 4 ? 32 : 128;
  const prefixText = slash < 0 ? String(max) : t.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > max) throw new AccessError(`prefix length must be 0-${max} in "${text}"`);
  return { address, prefix: Number(prefixText), family: v === 4 ? 'ipv4' : 'ipv6' };
}

/** `::ffff:10.0.0.1` (an IPv4 peer on a dual-stack socket) is 10.0.0.1. */
function plain(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

export class SipAccess {
  private readonly networks = new BlockList();
  private readonly sources = new Map<string, Source>();
  private readonly inside = new Map<string, boolean>();
  private readonly flood: FloodLimit;
  /** For metrics and tests. */
  readonly counters = { refused: 0, dropped: 0 };
  endpoints: EndpointDirectory | undefined;

  constructor(private readonly opts: SipAccessOptions) {
    for (const c of opts.acceptFrom ?? []) {
      const { address, prefix, family } = parseCidr(c);
      this.networks.addSubnet(address, prefix, family);
    }
    this.flood = opts.flood ?? DEFAULT_FLOOD_LIMIT;
    this.endpoints = opts.endpoints;
  }

  /** Whether requests from this source are trusted: a trunk, a listed network or a registered endpoint. */
  trusts(address: string, port: number): boolean {
    const a = plain(address);
    if (this.inNetworks(a)) return true;
    for (const t of this.opts.trunkAddresses?.() ?? []) if (plain(t) === a) return true;
    return this.endpoints?.has(a, port) ?? false;
  }

  /**
   * Whether an address is in `acceptFrom`. The networks are fixed at construction, so the answer is
   * kept per address: BlockList.check builds a SocketAddress per call, and every request asks.
   * Bounded like `sources` (a spoofed flood brings new addresses): past it the table starts again.
   */
  private inNetworks(a: string): boolean {
    let inside = this.inside.get(a);
    if (inside === undefined) {
      inside = this.networks.check(a, isIP(a) === 6 ? 'ipv6' : 'ipv4');
      if (this.inside.size >= MAX_SOURCES) this.inside.clear();
      this.inside.set(a, inside);
    }
    return inside;
  }

  /**
   * What to do with a request from a source: `pass` it on, `refuse` it (a new INVITE from an
   * untrusted source) or `drop` it (an untrusted source over its flood limit).
   */
  judge(req: SipRequest, address: string, port: number): 'pass' | 'refuse' | 'drop' {
    if (this.trusts(address, port)) return 'pass';
    const a = plain(address);
    if (!this.take(a)) {
      this.counters.dropped++;
      this.note(a, 'SIP requests from an untrusted source dropped (over its flood limit)', req);
      return 'drop';
    }
    // An INVITE outside a dialog starts a call; in-dialog requests find their dialog or get 481.
    if (req.method === 'INVITE' && !/;\s*tag\s*=/i.test(toHeader(req))) {
      this.counters.refused++;
      this.note(a, 'SIP INVITE refused: the source is not a trunk, an accepted network or a registered endpoint', req);
      return 'refuse';
    }
    return 'pass';
  }

  /** Token bucket per source (perSecond refill, burst capacity). */
  private take(address: string): boolean {
    const now = this.opts.clock.now();
    let s = this.sources.get(address);
    if (s) this.sources.delete(address);
    else {
      if (this.sources.size >= MAX_SOURCES) this.sources.delete(this.sources.keys().next().value!);
      s = { tokens: this.flood.burst, at: now, unlogged: 0, loggedAt: -Infinity };
    }
    // Re-inserted: the map's order is the order sources were last seen in.
    this.sources.set(address, s);
    s.tokens = Math.min(this.flood.burst, s.tokens + ((now - s.at) / 1000) * this.flood.perSecond);
    s.at = now;
    if (s.tokens < 1) return false;
    s.tokens -= 1;
    return true;
  }

  /** One line per source per LOG_EVERY_MS, counting what it stands for. */
  private note(address: string, msg: string, req: SipRequest): void {
    const s = this.sources.get(address);
    if (!s) return;
    s.unlogged++;
    const now = this.opts.clock.now();
    if (now - s.loggedAt < LOG_EVERY_MS) return;
    this.opts.warn?.(msg, { source: address, requests: s.unlogged, method: req.method, ruri: req.uri.slice(0, 120), userAgent: userAgentOf(req) });
    s.unlogged = 0;
    s.loggedAt = now;
  }
}

/**
 * The one refusal: to a new INVITE from an untrusted source, and to one for a number nobody
 * answers (InboundLeg), so the two cannot be told apart. No Reason header: a Q.850 cause would
 * say which it was.
 */
export function refusal(req: SipRequest, toTag: string): SipResponse {
  return responseTo(req, 403, [], '', toTag, 'Forbidden');
}

function toHeader(req: SipRequest): string {
  for (const [k, v] of req.headers) if (k === 'to') return v;
  return '';
}

function userAgentOf(req: SipRequest): string | undefined {
  for (const [k, v] of req.headers) if (k === 'user-agent') return v.slice(0, 80);
  return undefined;
}
