// V2 signatures (`X-Plivo-Signature-V2`, plivo.md §6.4): the URL without its query, then the nonce.
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
 * Verifies a V2 signature (`X-Plivo-Signature-V2`, or `X-Plivo-Signature-Ma-V2` with the main
 * account's token). Same argument order as `plivo.validateSignature`. Constant-time comparison.
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
