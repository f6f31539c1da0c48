/**
 * Digest authentication towards trunks (RFC 3261 §22.2-22.4 with RFC 2617 and RFC 8760: MD5,
 * SHA-256 and SHA-512/256, their -sess forms, qop=auth and auth-int). A 401 carries WWW-Authenticate
 * and is answered with Authorization; a 407 carries Proxy-Authenticate and is answered with
 * Proxy-Authorization.
 */
import { createHash } from 'node:crypto';
import { randomHex } from '../../util/ids.ts';
import { headers, type Header, type SipResponse } from './message.ts';

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

export type DigestAlgorithm = 'MD5' | 'MD5-sess' | 'SHA-256' | 'SHA-256-sess' | 'SHA-512-256' | 'SHA-512-256-sess';

const HASHES: Readonly<Record<string, string>> = { MD5: 'md5', 'SHA-256': 'sha256', 'SHA-512-256': 'sha512-256' };

export interface Challenge {
  readonly realm: string;
  readonly nonce: string;
  readonly opaque?: string;
  readonly algorithm: DigestAlgorithm;
  /** The quality of protection we answer with: `auth` whenever offered, `auth-int` only when it is all there is. */
  readonly qop?: 'auth' | 'auth-int';
  /** RFC 2617 §3.2.1: the credentials were right, only the nonce was old; retrying is expected. */
  readonly stale: boolean;
}

/** `name=value` / `name="quoted \" value"` pairs of an auth header after its scheme. */
function authParams(text: string): Map<string, string> {
  const params = new Map<string, string>();
  const re = /([A-Za-z0-9_.!%*+`'~-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,"]*))/g;
  for (let p = re.exec(text); p; p = re.exec(text)) {
    const name = p[1]!.toLowerCase();
    if (!params.has(name)) params.set(name, p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : (p[3] ?? ''));
  }
  return params;
}

/** Parses `Digest realm="x", nonce="y", qop="auth,auth-int", algorithm=MD5`; undefined if we cannot answer it. */
export function parseChallenge(value: string | undefined): Challenge | undefined {
  if (!value) return undefined;
  const m = /^\s*Digest\s+(.*)$/is.exec(value);
  if (!m) return undefined;
  const params = authParams(m[1]!);
  const realm = params.get('realm');
  const nonce = params.get('nonce');
  if (realm === undefined || !nonce) return undefined;
  const alg = canonicalAlgorithm(params.get('algorithm') ?? 'MD5');
  if (!alg) return undefined;
  let qop: Challenge['qop'];
  const offered = params.get('qop');
  if (offered !== undefined) {
    const qops = offered.split(',').map((q) => q.trim().toLowerCase());
    // A server that names qop values we do not know cannot accept an answer without one.
    qop = qops.includes('auth') ? 'auth' : qops.includes('auth-int') ? 'auth-int' : undefined;
    if (!qop) return undefined;
  }
  const opaque = params.get('opaque');
  return { realm, nonce, algorithm: alg, ...(opaque !== undefined ? { opaque } : {}), ...(qop ? { qop } : {}), stale: params.get('stale')?.toLowerCase() === 'true' };
}

function canonicalAlgorithm(text: string): DigestAlgorithm | undefined {
  const upper = text.trim().toUpperCase().replace('SHA-512/256', 'SHA-512-256');
  const sess = upper.endsWith('-SESS');
  const base = sess ? upper.slice(0, -5) : upper;
  if (!(base in HASHES)) return undefined;
  return `${base}${sess ? '-sess' : ''}` as DigestAlgorithm;
}

/**
 * The challenges to answer from a 401/407's header values: per realm, the topmost one whose
 * algorithm we support (RFC 8760 §2.4 lists a server's preferred algorithm first).
 */
export function pickChallenges(values: readonly string[]): Challenge[] {
  const byRealm = new Map<string, Challenge>();
  for (const v of values) {
    const ch = parseChallenge(v);
    if (ch && !byRealm.has(ch.realm)) byRealm.set(ch.realm, ch);
  }
  return [...byRealm.values()];
}

function hasher(alg: DigestAlgorithm): (text: string) => string {
  const name = HASHES[alg.replace(/-sess$/, '')]!;
  return (text) => createHash(name).update(text, 'utf8').digest('hex');
}

const quote = (s: string) => `"${s.replace(/(["\\])/g, '\\$1')}"`;

/**
 * The Authorization / Proxy-Authorization value for one request. `uri` is the Request-URI verbatim
 * (the digest-uri must equal it), `nc` how many times this nonce has been used including this
 * time (RFC 2617 §3.2.2), `cnonce` injectable for tests, `body` hashed for qop=auth-int.
 */
export function authorization(ch: Challenge, creds: Credentials, method: string, uri: string, nc = 1, cnonce = randomHex(12), body = ''): string {
  const H = hasher(ch.algorithm);
  const ncText = nc.toString(16).padStart(8, '0');
  let ha1 = H(`${creds.username}:${ch.realm}:${creds.password}`);
  if (ch.algorithm.endsWith('-sess')) ha1 = H(`${ha1}:${ch.nonce}:${cnonce}`);
  const ha2 = ch.qop === 'auth-int' ? H(`${method}:${uri}:${H(body)}`) : H(`${method}:${uri}`);
  // Without qop (RFC 2069 style) there is no cnonce, so a -sess algorithm needs one anyway: it is sent.
  const resp = ch.qop ? H(`${ha1}:${ch.nonce}:${ncText}:${cnonce}:${ch.qop}:${ha2}`) : H(`${ha1}:${ch.nonce}:${ha2}`);
  const parts = [`username=${quote(creds.username)}`, `realm=${quote(ch.realm)}`, `nonce=${quote(ch.nonce)}`, `uri=${quote(uri)}`, `response="${resp}"`, `algorithm=${ch.algorithm}`];
  if (ch.opaque !== undefined) parts.push(`opaque=${quote(ch.opaque)}`);
  if (ch.qop) parts.push(`qop=${ch.qop}`, `nc=${ncText}`, `cnonce=${quote(cnonce)}`);
  else if (ch.algorithm.endsWith('-sess')) parts.push(`cnonce=${quote(cnonce)}`);
  return 'Digest ' + parts.join(', ');
}

type AuthHeader = 'authorization' | 'proxy-authorization';

/** A realm's latest challenge and how often its nonce has been used (the nonce count, RFC 2617 §3.2.2). */
interface RealmState {
  challenge: Challenge;
  readonly header: AuthHeader;
  uses: number;
}

/**
 * A leg's digest memory (§22): its credentials and, per realm, the latest challenge. Every request
 * the leg sends that gets challenged (the INVITE, a BYE, a re-INVITE, an INFO) runs one
 * `DigestRequest` on it, so a nonce a server hands out twice keeps counting up.
 */
export class DigestSession {
  /** Made at the first challenge: most legs never see one. */
  private realms: Map<string, RealmState> | undefined;

  constructor(readonly credentials?: Credentials) {}

  /** A new request's challenge rounds. */
  request(): DigestRequest {
    return new DigestRequest(this);
  }

  /** @internal Records a challenge; a fresh nonce starts its count again. */
  remember(ch: Challenge, header: AuthHeader): string {
    const key = `${header} ${ch.realm}`;
    const realms = (this.realms ??= new Map());
    const prev = realms.get(key);
    if (prev && prev.challenge.nonce === ch.nonce) prev.challenge = ch;
    else realms.set(key, { challenge: ch, header, uses: 0 });
    return key;
  }

  /** @internal The credentials value for one realm on one request. */
  answer(key: string, method: string, uri: string, body: string): Header {
    const r = this.realms!.get(key)!;
    return [r.header, authorization(r.challenge, this.credentials!, method, uri, ++r.uses, undefined, body)];
  }
}

/**
 * One request and its authenticated retries (§22.2, §22.3). Each retry carries credentials for
 * every realm challenged so far (a proxy's 407, then the far end's 401). A realm that challenges
 * again after we answered it refused our credentials; only `stale=true` (a nonce that expired,
 * RFC 2617 §3.2.1) earns that realm one more try.
 */
export class DigestRequest {
  /** The realms this request answers, and whether they were answered at the current server (made at the first challenge). */
  private realms: Map<string, { answeredHere: boolean; staleRetried: boolean }> | undefined;

  constructor(private readonly session: DigestSession) {}

  /** Takes a 401/407: true when the request should go again with `headers()`. */
  challenged(res: SipResponse): boolean {
    if (!this.session.credentials || (res.status !== 401 && res.status !== 407)) return false;
    const name: AuthHeader = res.status === 401 ? 'authorization' : 'proxy-authorization';
    const challenges = pickChallenges(headers(res, res.status === 401 ? 'www-authenticate' : 'proxy-authenticate'));
    if (challenges.length === 0) return false;
    for (const ch of challenges) {
      const prev = this.realms?.get(`${name} ${ch.realm}`);
      if (prev?.answeredHere && !(ch.stale && !prev.staleRetried)) return false;
    }
    const realms = (this.realms ??= new Map());
    for (const ch of challenges) {
      const key = this.session.remember(ch, name);
      const prev = realms.get(key);
      realms.set(key, { answeredHere: true, staleRetried: prev?.answeredHere ?? false });
    }
    return true;
  }

  /**
   * RFC 3263 §4.3: the request goes to another server of the same name; it carries the same
   * credentials, and each realm may be answered there once more.
   */
  newServer(): void {
    for (const r of this.realms?.values() ?? []) {
      r.answeredHere = false;
      r.staleRetried = false;
    }
  }

  /** The Authorization / Proxy-Authorization headers for the next attempt (the digest-uri is the Request-URI). */
  headers(method: string, uri: string, body: string): Header[] {
    return this.realms ? [...this.realms.keys()].map((key) => this.session.answer(key, method, uri, body)) : [];
  }
}
