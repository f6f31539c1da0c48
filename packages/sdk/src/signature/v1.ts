// V1 signatures (`X-Plivo-Signature`, plivo.md §6.4): HMAC-SHA1 of the URL and the sorted form fields.
import { headerContains, hmacSha1Base64, requireToken } from './hmac.ts';
import { sortedFieldText, type SignatureParams } from './v3.ts';

/**
 * Computes a V1 signature (`X-Plivo-Signature`): base64 HMAC-SHA1 of the URL as given followed by
 * every `key + value`, keys sorted (a repeated field: each value, sorted) (plivo.md §6.4). For a
 * GET request the URL is the one requested, its query carrying the parameters, and `params` is
 * empty.
 *
 * @example
 * ```ts
 * computeV1Signature('http://foo.com/answer/',
 *   { CallUUID: '97ceeb52-58b6-11e1-86da-77300b68f8bb', Duration: '300' }, 'MAXXXXXXXXXXXXXXXXXX');
 * // 'EJEt0ELanhr8hjMPIJnLNLex0dE='
 * ```
 */
export function computeV1Signature(uri: string, params: SignatureParams, authToken: string): string {
  requireToken(authToken, 'authToken');
  return hmacSha1Base64(authToken, uri + (sortedFieldText(params) ?? ''));
}

/**
 * Verifies a V1 signature with a constant-time comparison.
 *
 * @example
 * ```ts
 * validateV1Signature('http://foo.com/answer/', { Duration: '300' }, 'MAXXXXXXXXXXXXXXXXXX', req.headers['x-plivo-signature']);
 * ```
 */
export function validateV1Signature(uri: string, params: SignatureParams, authToken: string, signature: string): boolean {
  if (typeof signature !== 'string' || signature.includes(',')) return false;
  return headerContains(signature, computeV1Signature(uri, params, authToken));
}
