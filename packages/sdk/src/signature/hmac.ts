// Shared primitives of the signature versions: keyed hashing and constant-time header matching.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { SignatureInputError } from './errors.ts';

/**
 * True if any comma-separated entry of `header` equals `expected`. Every entry is compared in
 * constant time, and the loop does not stop at a match.
 *
 * @example
 * ```ts
 * headerContains('x,abc=', 'abc='); // true
 * ```
 */
export function headerContains(header: string, expected: string): boolean {
  const want = Buffer.from(expected, 'utf8');
  let matched = false;
  for (const entry of header.split(',')) {
    const got = Buffer.from(entry.trim(), 'utf8');
    // Lengths are public (a base64 SHA-256 is always 44 chars); only equal-length bytes are compared.
    if (got.length === want.length && timingSafeEqual(got, want)) matched = true;
  }
  return matched;
}

/**
 * base64 HMAC-SHA256 of a UTF-8 message under a UTF-8 key.
 *
 * @example
 * ```ts
 * hmacSha256Base64('my_auth_token', 'https://example.com/answer.12345');
 * ```
 */
export function hmacSha256Base64(key: string, message: string): string {
  // A string key is taken as UTF-8, as a Buffer of it would be.
  return createHmac('sha256', key).update(message, 'utf8').digest('base64');
}

/**
 * base64 HMAC-SHA1 of a UTF-8 message under a UTF-8 key (V1).
 *
 * @example
 * ```ts
 * hmacSha1Base64('my_auth_token', 'https://example.com/answerCallUUIDabc');
 * ```
 */
export function hmacSha1Base64(key: string, message: string): string {
  return createHmac('sha1', key).update(message, 'utf8').digest('base64');
}

/**
 * Asserts an auth token is a non-empty string, naming the parameter otherwise.
 *
 * @example
 * ```ts
 * requireToken(input.authToken, 'authToken');
 * ```
 */
export function requireToken(token: unknown, parameter: string): asserts token is string {
  if (typeof token !== 'string' || token === '') {
    throw new SignatureInputError('SIGNATURE_MISSING_TOKEN', parameter, `${parameter} must be a non-empty string`);
  }
}
