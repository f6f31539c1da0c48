/**
 * Switchboard's own registrar (RFC 3261 §10.3; docs/sip.md, "Registrar"; docs/endpoints.md): an
 * endpoint of the Endpoint API REGISTERs with its username and password (digest, §22.4, with
 * RFC 8760's SHA-256 beside MD5), and its bindings (Contact URIs) are kept in memory until they
 * expire on the engine's clock. `<User>` rings an endpoint's bindings; an INVITE from a binding's
 * address is trusted (access.ts) and runs the endpoint's application.
 *
 * Only HA1 values are known here (`username:realm:password` hashed), never a password. The nonce is
 * stateless: its issue time and an HMAC over it, so any REGISTER can be checked without a table,
 * and an old one is answered `stale=true` (RFC 7616 §3.3) rather than refused.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../clock.ts';
import { randomHex } from '../../util/ids.ts';
import { header, headers, type Header, type SipRequest } from './message.ts';
import type { EndpointDirectory } from './access.ts';
import { responseTo, type ServerTransaction } from './transactions.ts';
import type { Peer } from './transport.ts';
import { parseNameAddr, parseUri, unescapeUser } from './uri.ts';

/** The digest realm of every endpoint: HA1 values are stored for it, so it never changes. */
export const REALM = 'switchboard';

/** §10.2.1.1 / §10.3 step 7: the default when a REGISTER names no expiry, and the bounds we keep. */
export const REGISTRAR_LIMITS = { defaultExpires: 3600, minExpires: 60, maxExpires: 3600 } as const;

/** How long a nonce we handed out is taken (engine clock), before `stale=true` asks for a fresh one. */
const NONCE_TTL_MS = 300_000;
/** Bindings one endpoint may hold; a REGISTER that would pass it is refused (503 would invite retries). */
const MAX_BINDINGS = 10;

export interface EndpointSecrets {
  readonly username: string;
  readonly ha1Md5: string;
  readonly ha1Sha256: string;
}

/** The HA1 values of a password (stored instead of it): MD5 and SHA-256 of `username:realm:password`. */
export function endpointHa1(username: string, password: string): { ha1Md5: string; ha1Sha256: string } {
  const text = `${username}:${REALM}:${password}`;
  return { ha1Md5: createHash('md5').update(text, 'utf8').digest('hex'), ha1Sha256: createHash('sha256').update(text, 'utf8').digest('hex') };
}

export interface Binding {
  /** The Contact URI, as the phone sent it: the Request-URI of an INVITE to it. */
  readonly contact: string;
  readonly expiresAt: number;
  readonly callId: string;
  readonly cseq: number;
  /** Where the REGISTER came from (its transport, address and port). */
  readonly source: Peer;
  readonly userAgent?: string;
  readonly registeredAt: number;
}

export interface RegistrarOptions {
  readonly clock: Clock;
  /** The endpoint of a username, if there is one (kept in memory by the caller: asked on every REGISTER). */
  readonly lookup: (username: string) => EndpointSecrets | undefined;
  readonly limits?: Partial<typeof REGISTRAR_LIMITS>;
  /** The digest algorithms a 401 offers, preferred first (default MD5 only: see challenges()). */
  readonly algorithms?: readonly ('MD5' | 'SHA-256')[];
  /**
   * Whether the registrar takes REGISTERs now: while the engine has no endpoint there is nobody to
   * register and REGISTER stays 501 as before (default: always).
   */
  readonly active?: () => boolean;
  /** A binding was added, refreshed or removed. */
  readonly onChange?: (username: string) => void;
  readonly warn?: (msg: string, data?: Record<string, unknown>) => void;
}

type Algorithm = 'MD5' | 'SHA-256';

export class Registrar implements EndpointDirectory {
  private readonly bindingsOf = new Map<string, Binding[]>();
  private readonly secret = randomBytes(32);
  private readonly limits: typeof REGISTRAR_LIMITS;
  private readonly algorithms: readonly ('MD5' | 'SHA-256')[];
  /** For metrics and tests. */
  readonly counters = { registered: 0, challenged: 0, refused: 0 };

  constructor(private readonly opts: RegistrarOptions) {
    this.limits = { ...REGISTRAR_LIMITS, ...opts.limits };
    this.algorithms = opts.algorithms ?? ['MD5'];
  }

  /** Whether REGISTERs go to this registrar now (RegistrarOptions.active). */
  get active(): boolean {
    return this.opts.active?.() ?? true;
  }

  /** A REGISTER outside a dialog (§10.3). Answers it on `tx`. */
  register(req: SipRequest, tx: ServerTransaction): void {
    const tag = randomHex(4);
    const reply = (status: number, extra: Header[] = [], reason?: string) => tx.respond(responseTo(req, status, extra, '', tag, reason));
    // Step 5: the address-of-record is the To URI; its user part is the endpoint's username.
    const aorUser = unescapeUser(parseUri(parseNameAddr(header(req, 'to') ?? '')?.uri ?? '')?.user ?? '');
    const endpoint = aorUser ? this.opts.lookup(aorUser) : undefined;
    // Step 6: the credentials must be the endpoint's own, and for this AOR. An unknown AOR is challenged
    // like a known one, so nobody can tell which usernames exist.
    const auth = this.check(req, endpoint);
    if (auth !== 'ok') {
      if (auth === 'bad') this.counters.refused++;
      this.counters.challenged++;
      return reply(401, this.challenges(auth === 'stale'));
    }
    const username = endpoint!.username;
    const callId = header(req, 'call-id') ?? '';
    const cseq = Number.parseInt(header(req, 'cseq') ?? '', 10);
    const contacts = headers(req, 'contact');
    const expiresHeader = parseExpires(header(req, 'expires'));
    const now = this.opts.clock.now();
    const current = this.live(username);
    // Step 6 (`*`): only alone and with Expires: 0; it removes every binding.
    if (contacts.some((c) => c.trim() === '*')) {
      if (contacts.length !== 1 || expiresHeader !== 0) return reply(400, [], 'Bad Request (Contact: * needs Expires: 0 and no other Contact)');
      if (current.some((b) => b.callId === callId && b.cseq >= cseq)) return reply(500, [], 'Server Internal Error (out of order REGISTER)');
      this.set(username, []);
      return reply(200, this.contactHeaders(username));
    }
    const next = [...current];
    for (const value of contacts) {
      const na = parseNameAddr(value);
      if (!na || !parseUri(na.uri)) return reply(400, [], 'Bad Request (Contact)');
      const asked = parseExpires(na.params.get('expires')) ?? expiresHeader ?? this.limits.defaultExpires;
      // Step 7: a non-zero expiry below our minimum is refused with the minimum (423).
      if (asked > 0 && asked < this.limits.minExpires) return reply(423, [['min-expires', String(this.limits.minExpires)]], 'Interval Too Brief');
      const i = next.findIndex((b) => sameContact(b.contact, na.uri));
      const old = i >= 0 ? next[i] : undefined;
      // Step 7: a binding refreshed by the same Call-ID takes only a higher CSeq.
      if (old && old.callId === callId && old.cseq >= cseq) return reply(500, [], 'Server Internal Error (out of order REGISTER)');
      if (i >= 0) next.splice(i, 1);
      if (asked === 0) continue;
      const ua = header(req, 'user-agent');
      next.push({
        contact: na.uri,
        expiresAt: now + Math.min(asked, this.limits.maxExpires) * 1000,
        callId,
        cseq,
        source: tx.source,
        ...(ua !== undefined ? { userAgent: ua.slice(0, 200) } : {}),
        registeredAt: now,
      });
    }
    if (next.length > MAX_BINDINGS) return reply(403, [], `Forbidden (at most ${MAX_BINDINGS} contacts per endpoint)`);
    if (contacts.length > 0) {
      this.set(username, next);
      this.counters.registered++;
    }
    // Step 8: the answer lists every current binding with what is left of its time.
    return reply(200, [...this.contactHeaders(username), ['date', new Date(now).toUTCString()]]);
  }

  /** An endpoint's bindings that have not expired, newest first. */
  live(username: string): Binding[] {
    const all = this.bindingsOf.get(username);
    if (!all) return [];
    const now = this.opts.clock.now();
    const alive = all.filter((b) => b.expiresAt > now);
    if (alive.length !== all.length) this.set(username, alive);
    return [...alive].sort((a, b) => b.registeredAt - a.registeredAt);
  }

  /** Forgets an endpoint's bindings (it was deleted, or its password changed). */
  forget(username: string): void {
    if (this.bindingsOf.has(username)) this.set(username, []);
  }

  /** access.ts: whether a live binding was registered from (or names) this address and port. */
  has(address: string, port: number): boolean {
    return this.endpointAt(address, port) !== undefined;
  }

  /** The username of the endpoint registered from (or with a Contact at) this address and port. */
  endpointAt(address: string, port: number): string | undefined {
    for (const username of this.bindingsOf.keys()) {
      for (const b of this.live(username)) {
        if (b.source.address === address && b.source.port === port) return username;
        const uri = parseUri(b.contact);
        if (uri && uri.host.replace(/^\[|\]$/g, '') === address && (uri.port ?? 5060) === port) return username;
      }
    }
    return undefined;
  }

  /**
   * An INVITE whose From names an endpoint but that does not come from one of that endpoint's
   * bindings claims somebody else's identity: the network refuses it, so that `from` of a call can
   * be trusted to run that endpoint's application.
   */
  spoofed(fromUser: string, source: Peer): boolean {
    if (!this.opts.lookup(fromUser)) return false;
    return this.endpointAt(source.address, source.port) !== fromUser;
  }

  private set(username: string, bindings: Binding[]): void {
    if (bindings.length === 0) this.bindingsOf.delete(username);
    else this.bindingsOf.set(username, bindings);
    this.opts.onChange?.(username);
  }

  private contactHeaders(username: string): Header[] {
    const now = this.opts.clock.now();
    return this.live(username).map((b) => ['contact', `<${b.contact}>;expires=${Math.max(0, Math.ceil((b.expiresAt - now) / 1000))}`] as const);
  }

  /**
   * One challenge per offered algorithm, in order of preference (RFC 8760 §2.4). MD5 alone by
   * default: real phones fail on anything else in a 401 (baresip 1.0's libre refuses the whole 401
   * when one challenge names an algorithm it lacks; sipp reads only the first). A REGISTER that
   * answers with SHA-256 is checked all the same, against the SHA-256 HA1.
   */
  private challenges(stale: boolean): Header[] {
    const nonce = this.nonce();
    const s = stale ? ', stale=true' : '';
    return this.algorithms.map((alg) => ['www-authenticate', `Digest realm="${REALM}", nonce="${nonce}", qop="auth", algorithm=${alg}${s}`] as const);
  }

  private nonce(): string {
    const t = this.opts.clock.now().toString(36);
    return `${t}.${this.mac(t)}`;
  }

  private mac(t: string): string {
    return createHmac('sha256', this.secret).update(t).digest('base64url').slice(0, 22);
  }

  /** `ok`, `stale` (right credentials, old nonce) or `bad` / `none` (challenge again). */
  private check(req: SipRequest, endpoint: EndpointSecrets | undefined): 'ok' | 'stale' | 'bad' | 'none' {
    const values = headers(req, 'authorization');
    if (values.length === 0) return 'none';
    for (const value of values) {
      const p = digestParams(value);
      if (!p || p.get('realm') !== REALM) continue;
      if (!endpoint || p.get('username') !== endpoint.username) return 'bad';
      const alg = (p.get('algorithm') ?? 'MD5').toUpperCase();
      if (alg !== 'MD5' && alg !== 'SHA-256') return 'bad';
      const nonce = p.get('nonce') ?? '';
      const dot = nonce.indexOf('.');
      if (dot < 0 || !safeEqual(nonce.slice(dot + 1), this.mac(nonce.slice(0, dot)))) return 'bad';
      if (!safeEqual(p.get('response') ?? '', expectedResponse(p, alg as Algorithm, endpoint, req.method))) return 'bad';
      const issued = Number.parseInt(nonce.slice(0, dot), 36);
      const age = this.opts.clock.now() - issued;
      return age >= 0 && age <= NONCE_TTL_MS ? 'ok' : 'stale';
    }
    return 'none';
  }
}

/** The response a client holding the password would send (RFC 2617 §3.2.2.1, RFC 7616 §3.4.1). */
function expectedResponse(p: Map<string, string>, alg: Algorithm, e: EndpointSecrets, method: string): string {
  const H = (s: string) => createHash(alg === 'MD5' ? 'md5' : 'sha256').update(s, 'utf8').digest('hex');
  const ha1 = alg === 'MD5' ? e.ha1Md5 : e.ha1Sha256;
  const ha2 = H(`${method}:${p.get('uri') ?? ''}`);
  const qop = p.get('qop');
  if (qop === undefined) return H(`${ha1}:${p.get('nonce')}:${ha2}`);
  if (qop !== 'auth') return '';
  return H(`${ha1}:${p.get('nonce')}:${p.get('nc') ?? ''}:${p.get('cnonce') ?? ''}:auth:${ha2}`);
}

/** `Digest name="value", name=value` after the scheme; undefined for another scheme. */
function digestParams(value: string): Map<string, string> | undefined {
  const m = /^\s*Digest\s+(.*)$/is.exec(value);
  if (!m) return undefined;
  const params = new Map<string, string>();
  const re = /([A-Za-z0-9_.!%*+`'~-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,"]*))/g;
  for (let p = re.exec(m[1]!); p; p = re.exec(m[1]!)) {
    const name = p[1]!.toLowerCase();
    if (!params.has(name)) params.set(name, p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : (p[3] ?? ''));
  }
  return params;
}

function parseExpires(text: string | undefined): number | undefined {
  if (text === undefined || !/^\s*\d{1,10}\s*$/.test(text)) return undefined;
  return Number(text.trim());
}

/** §19.1.4 in short: the same scheme, user, host and port (parameters aside) are the same contact. */
function sameContact(a: string, b: string): boolean {
  const x = parseUri(a);
  const y = parseUri(b);
  if (!x || !y) return a === b;
  return x.scheme === y.scheme && x.user === y.user && x.host.toLowerCase() === y.host.toLowerCase() && (x.port ?? 5060) === (y.port ?? 5060);
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
