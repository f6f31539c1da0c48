/**
 * HTTP Basic authentication of the REST API: `Authorization: Basic base64(auth_id:auth_token)`
 * (plivo.md §1.1), against every account the engine knows (the main account and its subaccounts).
 * Comparisons run over SHA-256 digests with `timingSafeEqual`, so neither the content nor the length
 * of the expected token leaks through response timing; an unknown auth_id costs the same compare.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { authFailed } from './errors.ts';
import type { AccountLookup, Credentials, Principal } from '../accounts/principal.ts';

/** The one account of an engine without subaccounts (and of tests that build a server by hand). */
export function singleAccount(creds: Credentials): AccountLookup {
  const principal: Principal = { authId: creds.authId, authToken: creds.authToken };
  return { find: (authId) => (authId === creds.authId ? principal : undefined) };
}

export type AuthResult = 'ok' | 'missing' | 'bad';

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
/** Compared against when the auth_id is unknown, so that case takes as long as a wrong token. */
const NOBODY = 'no-such-account-token';

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * The digests of the expected side (auth ids and tokens the engine knows: few, asked for on every
 * request), kept so each request hashes only what it was given. Bounded; cleared when full.
 */
const knownDigests = new Map<string, Buffer>();

function knownDigest(value: string): Buffer {
  let d = knownDigests.get(value);
  if (d === undefined) {
    if (knownDigests.size >= 1024) knownDigests.clear();
    knownDigests.set(value, (d = digest(value)));
  }
  return d;
}

/** Constant-time string equality (for equal-length digests of any input); `expected` is the engine's own value. */
export function safeEqual(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), knownDigest(expected));
}

/** The `auth_id` and `auth_token` of a Basic header, or why there are none. */
export function readBasicAuth(header: string | undefined): Credentials | 'missing' | 'bad' {
  if (header === undefined || header.trim() === '') return 'missing';
  const match = /^\s*basic\s+(\S+)\s*$/i.exec(header);
  const encoded = match?.[1];
  if (encoded === undefined || encoded.length % 4 !== 0 || !BASE64.test(encoded)) return 'bad';
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return 'bad';
  return { authId: decoded.slice(0, colon), authToken: decoded.slice(colon + 1) };
}

/**
 * The account a Basic header proves, or why it proves none. `missing`: no header, or an empty one.
 * `bad`: anything else that is not exactly an account's credentials — another scheme, malformed
 * base64, no `:`, unknown auth_id or wrong auth_token.
 */
export function authenticate(header: string | undefined, accounts: AccountLookup): Principal | 'missing' | 'bad' {
  const given = readBasicAuth(header);
  if (typeof given === 'string') return given;
  const account = accounts.find(given.authId);
  const tokenOk = safeEqual(given.authToken, account?.authToken ?? NOBODY);
  return account !== undefined && tokenOk ? account : 'bad';
}

/** One account's check (kept for callers that hold a single pair of credentials). */
export function checkBasicAuth(header: string | undefined, creds: Credentials): AuthResult {
  const result = authenticate(header, singleAccount(creds));
  return typeof result === 'string' ? result : 'ok';
}

/** The `{auth_id}` of `/v1/Account/{auth_id}/...` must be the authenticated account's. */
export function pathAccountMatches(authIdFromPath: string, authId: string): boolean {
  return safeEqual(authIdFromPath, authId);
}

/**
 * The whole check of one pair of credentials: throws SB_AUTH_FAILED (401) unless the header carries
 * them and, when given, the path's auth_id is the same account.
 */
export function requireAuth(header: string | undefined, creds: Credentials, authIdFromPath?: string): void {
  const result = checkBasicAuth(header, creds);
  if (result !== 'ok') throw authFailed(result);
  if (authIdFromPath !== undefined && !pathAccountMatches(authIdFromPath, creds.authId)) throw authFailed('account');
}
