// Splits a webhook URL the way Plivo's signers do (plivo.md §6.2 step 1-2). We do not use WHATWG
// `new URL()`: it lowercases the host, drops default ports and re-encodes the path, and any of
// those would change the signed bytes. Plivo keeps the URL as the user wrote it.
import { parse as parseQuery } from 'node:querystring';
import { SignatureInputError } from './errors.ts';

/**
 * A URL split into the pieces the V2/V3 algorithms sign.
 *
 * @example
 * ```ts
 * const u: SigningUrl = splitSigningUrl('https://e.com/a?x=1#f'); // { base: 'https://e.com/a', query: Map { 'x' => ['1'] } }
 * ```
 */
export interface SigningUrl {
  /** `scheme://host[:port]/path` — no user info, query or fragment. */
  readonly base: string;
  /** The URL's own query, percent-decoded (`+` is a space), key -> values in order of appearance; a fresh map per call. */
  readonly query: Map<string, string[]>;
}

// scheme "://" authority path? ("?" query)? ("#" fragment)? — the scheme is optional (http assumed).
const URL_PATTERN = /^(?:([A-Za-z][A-Za-z0-9+\-]*):\/\/)?([^/?#]*)([^?#]*)(?:\?([^#]*))?(?:#.*)?$/s;

/**
 * Splits a URL into its signed base and decoded query (plivo.md §6.2 steps 1-2).
 *
 * @example
 * ```ts
 * splitSigningUrl('example.com:8443/a/?b=2#ct=1').base; // 'http://example.com:8443/a/'
 * ```
 */
export function splitSigningUrl(url: string, parameter = 'url'): SigningUrl {
  if (typeof url !== 'string') {
    throw new SignatureInputError('SIGNATURE_BAD_URL', parameter, `${parameter} must be a string, got ${typeof url}`);
  }
  const match = URL_PATTERN.exec(url);
  const authority = match?.[2] ?? '';
  // User info never reaches the signature (plivo.md §6.2 step 1: scheme + host[:port] + path).
  const hostPort = authority.slice(authority.lastIndexOf('@') + 1);
  if (!match || hostPort === '') {
    throw new SignatureInputError('SIGNATURE_BAD_URL', parameter, `${parameter} has no host: ${JSON.stringify(url)}`);
  }
  const scheme = match[1] ?? 'http';
  // Leading/trailing blanks of the path are dropped by the Plivo SDK's URL builder, and a path
  // without a leading slash gets one; an empty path adds nothing (no trailing slash invented).
  const rawPath = (match[3] ?? '').trim();
  const path = rawPath === '' || rawPath.startsWith('/') ? rawPath : `/${rawPath}`;
  return { base: `${scheme}://${hostPort}${path}`, query: decodeQuery(match[4] ?? '') };
}

/**
 * Percent-decodes a query string with the same rules as Plivo's Node SDK (node:querystring).
 *
 * @example
 * ```ts
 * decodeQuery('a=1&a=2&b=x+y'); // Map { 'a' => ['1', '2'], 'b' => ['x y'] }
 * ```
 */
export function decodeQuery(query: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (query === '') return out;
  const parsed = parseQuery(query, '&', '=', { maxKeys: 0 });
  for (const [key, value] of Object.entries(parsed)) {
    out.set(key, value === undefined ? [] : Array.isArray(value) ? [...value] : [value]);
  }
  return out;
}
