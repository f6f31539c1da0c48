/**
 * HTTP Basic authentication of the REST API: `Authorization: Basic base64(auth_id:auth_token)`
 * (plivo.md §1.1). Comparisons run over SHA-256 digests with `timingSafeEqual`, so neither the
 * content nor the length of the expected credentials leaks through response timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { authFailed } from './errors.ts';

export interface Credentials {
  authId: string;
  authToken: string;
}

export type AuthResult = 'ok' | 'missing' | 'bad';

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Constant-time string equality (for equal-length digests of any input). */
export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/**
 * `missing`: no header, or an empty one. `bad`: anything else that is not exactly the right
 * credentials — another scheme, malformed base64, no `:`, wrong auth_id or wrong auth_token.
 */
export function checkBasicAuth(header: string | undefined, creds: Credentials): AuthResult {
  if (header === undefined || header.trim() === '') return 'missing';
  const match = /^\s*basic\s+(\S+)\s*$/i.exec(header);
  const encoded = match?.[1];
  if (encoded === undefined || encoded.length % 4 !== 0 || !BASE64.test(encoded)) return 'bad';
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return 'bad';
  // Both halves are always compared, so a right id with a wrong token costs the same as neither.
  const idOk = safeEqual(decoded.slice(0, colon), creds.authId);
  const tokenOk = safeEqual(decoded.slice(colon + 1), creds.authToken);
  return idOk && tokenOk ? 'ok' : 'bad';
}

/** The `{auth_id}` of `/v1/Account/{auth_id}/...` must be the authenticated account's. */
export function pathAccountMatches(authIdFromPath: string, authId: string): boolean {
  return safeEqual(authIdFromPath, authId);
}

/**
 * The whole check a route needs: throws SB_AUTH_FAILED (401) unless the header carries the right
 * credentials and, when given, the path's auth_id is the same account.
 */
export function requireAuth(header: string | undefined, creds: Credentials, authIdFromPath?: string): void {
  const result = checkBasicAuth(header, creds);
  if (result !== 'ok') throw authFailed(result);
  if (authIdFromPath !== undefined && !pathAccountMatches(authIdFromPath, creds.authId)) throw authFailed('account');
}
