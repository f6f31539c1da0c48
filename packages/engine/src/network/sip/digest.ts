/**
 * Digest authentication towards trunks (RFC 3261 §22.2-22.4 with RFC 2617 and RFC 8760: MD5 and
 * SHA-256, qop=auth). A 401 carries WWW-Authenticate and is answered with Authorization; a 407
 * carries Proxy-Authenticate and is answered with Proxy-Authorization.
 */
import { createHash, randomBytes } from 'node:crypto';

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

export interface Challenge {
  readonly realm: string;
  readonly nonce: string;
  readonly opaque?: string;
  readonly algorithm: 'MD5' | 'SHA-256';
  readonly qop?: 'auth';
}

/** Parses `Digest realm="x", nonce="y", qop="auth,auth-int", algorithm=MD5`; undefined if unusable. */
export function parseChallenge(value: string | undefined): Challenge | undefined {
  if (!value) return undefined;
  const m = /^\s*Digest\s+(.*)$/is.exec(value);
  if (!m) return undefined;
  const params = new Map<string, string>();
  const re = /([A-Za-z-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g;
  for (let p = re.exec(m[1]!); p; p = re.exec(m[1]!)) params.set(p[1]!.toLowerCase(), p[2] ?? p[3] ?? '');
  const realm = params.get('realm');
  const nonce = params.get('nonce');
  if (realm === undefined || !nonce) return undefined;
  const alg = (params.get('algorithm') ?? 'MD5').toUpperCase();
  if (alg !== 'MD5' && alg !== 'SHA-256') return undefined;
  const qops = (params.get('qop') ?? '').split(',').map((q) => q.trim().toLowerCase());
  const opaque = params.get('opaque');
  return { realm, nonce, algorithm: alg, ...(opaque !== undefined ? { opaque } : {}), ...(qops.includes('auth') ? { qop: 'auth' as const } : {}) };
}

function h(alg: Challenge['algorithm'], text: string): string {
  return createHash(alg === 'MD5' ? 'md5' : 'sha256').update(text).digest('hex');
}

/** The Authorization / Proxy-Authorization value for one request. `cnonce` is injectable for tests. */
export function authorization(ch: Challenge, creds: Credentials, method: string, uri: string, nc = 1, cnonce = randomBytes(8).toString('hex')): string {
  const ha1 = h(ch.algorithm, `${creds.username}:${ch.realm}:${creds.password}`);
  const ha2 = h(ch.algorithm, `${method}:${uri}`);
  const ncText = nc.toString(16).padStart(8, '0');
  const resp = ch.qop ? h(ch.algorithm, `${ha1}:${ch.nonce}:${ncText}:${cnonce}:auth:${ha2}`) : h(ch.algorithm, `${ha1}:${ch.nonce}:${ha2}`);
  const parts = [`username="${creds.username}"`, `realm="${ch.realm}"`, `nonce="${ch.nonce}"`, `uri="${uri}"`, `response="${resp}"`, `algorithm=${ch.algorithm}`];
  if (ch.opaque !== undefined) parts.push(`opaque="${ch.opaque}"`);
  if (ch.qop) parts.push('qop=auth', `nc=${ncText}`, `cnonce="${cnonce}"`);
  return 'Digest ' + parts.join(', ');
}
