// Legacy V2 and V1 signatures (plivo.md §6.4), kept for apps still checking old headers.
import { createHmac } from 'node:crypto';
import { headerContains, hmacSha256Base64, requireToken } from './hmac.ts';
import { splitSigningUrl } from './url-base.ts';

/**
 * Computes a V2 signature: base64 HMAC-SHA256 of `scheme://host[:port]/path` (query and fragment
 * removed) followed directly by the nonce — no dot, no slash (plivo.md §6.4).
 *
 * @example
 * ```ts
 * computeV2Signature('https://answer.url', '12345', 'my_auth_token');
 * // 'ehV3IKhLysWBxC1sy8INm0qGoQYdYsHwuoKjsX7FsXc='
 * ```
 */
export function computeV2Signature(uri: string, nonce: string, authToken: string): string {
  requireToken(authToken, 'authToken');
  return hmacSha256Base64(authToken, splitSigningUrl(uri, 'uri').base + nonce);
}

/**
 * Verifies a V2 signature (`X-Plivo-Signature-V2`). Same argument order as
 * `plivo.validateSignature`. Constant-time comparison.
 *
 * @example
 * ```ts
 * validateV2Signature('https://answer.url', '12345', 'ehV3IKhLysWBxC1sy8INm0qGoQYdYsHwuoKjsX7FsXc=', 'my_auth_token'); // true
 * ```
 */
export function validateV2Signature(uri: string, nonce: string, signature: string, authToken: string): boolean {
  if (typeof nonce !== 'string' || typeof signature !== 'string') return false;
  // Plivo's V2 header carries one signature; a comma would never match a base64 value anyway.
  return !signature.includes(',') && headerContains(signature, computeV2Signature(uri, nonce, authToken));
}

/**
 * Computes a V1 signature (`X-Plivo-Signature`): base64 HMAC-SHA1 of the URL as given followed by
 * every `key + value`, keys sorted (plivo.md §6.4).
 *
 * @example
 * ```ts
 * computeV1Signature('http://foo.com/answer/',
 *   { CallUUID: '97ceeb52-58b6-11e1-86da-77300b68f8bb', Duration: '300' }, 'MAXXXXXXXXXXXXXXXXXX');
 * // 'EJEt0ELanhr8hjMPIJnLNLex0dE='
 * ```
 */
export function computeV1Signature(uri: string, params: Readonly<Record<string, string>>, authToken: string): string {
  requireToken(authToken, 'authToken');
  let message = uri;
  for (const key of Object.keys(params).sort()) message += key + params[key];
  return createHmac('sha1', Buffer.from(authToken, 'utf8')).update(message, 'utf8').digest('base64');
}

/**
 * Verifies a V1 signature with a constant-time comparison.
 *
 * @example
 * ```ts
 * validateV1Signature('http://foo.com/answer/', { Duration: '300' }, 'MAXXXXXXXXXXXXXXXXXX', req.headers['x-plivo-signature']);
 * ```
 */
export function validateV1Signature(
  uri: string,
  params: Readonly<Record<string, string>>,
  authToken: string,
  signature: string,
): boolean {
  if (typeof signature !== 'string' || signature.includes(',')) return false;
  return headerContains(signature, computeV1Signature(uri, params, authToken));
}
