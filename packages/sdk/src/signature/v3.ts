// V3 webhook signatures, byte-compatible with Plivo (plivo.md §6.2). This is the single
// implementation: the engine signs with it and apps verify with it.
import { SignatureInputError } from './errors.ts';
import { headerContains, hmacSha256Base64, requireToken } from './hmac.ts';
import { splitSigningUrl, type SigningUrl } from './url-base.ts';

/**
 * HTTP methods a V3 signature can cover. Plivo only sends webhooks with GET or POST.
 *
 * @example
 * ```ts
 * const method: SignedMethod = 'POST';
 * ```
 */
export type SignedMethod = 'GET' | 'POST';

/**
 * Webhook parameters as signed: form fields for POST, extra query fields for GET. A repeated
 * field is an array of its values.
 *
 * @example
 * ```ts
 * const params: SignatureParams = { CallUUID: 'abc', Tag: ['x', 'y'] };
 * ```
 */
export type SignatureParams = Readonly<Record<string, string | readonly string[]>>;

/**
 * What {@link computeV3Signature} and {@link v3SignedString} need.
 *
 * @example
 * ```ts
 * const input: V3SignatureInput = {
 *   method: 'POST', url: 'https://example.com/answer/', params: { CallUUID: 'abc' },
 *   nonce: '12345', authToken: 'my_auth_token',
 * };
 * ```
 */
export interface V3SignatureInput {
  readonly method: SignedMethod;
  /** The URL exactly as configured; a `#fragment` is dropped, the query is kept. */
  readonly url: string;
  /** POST: the decoded form fields. GET: fields merged into the URL's query (usually empty). */
  readonly params?: SignatureParams | undefined;
  readonly nonce: string;
  readonly authToken: string;
}

/**
 * Returns the exact string that V3 signs (`<url part>.<nonce>`), for debugging a mismatch.
 *
 * @example
 * ```ts
 * v3SignedString({ method: 'POST', url: 'https://example.com/answer?a=1', params: { B: '2' }, nonce: '7', authToken: 't' });
 * // 'https://example.com/answer?a=1.B2.7'
 * ```
 */
export function v3SignedString(input: V3SignatureInput): string {
  const method = normaliseMethod(input.method);
  const params = input.params ?? {};
  return v3SignedStringOf(method, splitSigningUrl(input.url), params, method === 'POST' ? sortedFieldText(params) : undefined, input.nonce);
}

/**
 * {@link v3SignedString} from parts the caller already has: the URL split (its query map is
 * used up) and, for POST, the form fields' {@link sortedFieldText}. Internal: `signatureHeaders`
 * computes them once for V3, V2 and V1.
 */
export function v3SignedStringOf(method: SignedMethod, url: SigningUrl, params: SignatureParams, body: string | undefined, nonce: string): string {
  const { base, query } = url;
  let signed = base;
  if (method === 'GET') {
    // §6.2 step 3: callback params join the URL's own query; values append, nothing is overridden.
    for (const [key, values] of copyParams(params)) query.set(key, [...(query.get(key) ?? []), ...values]);
    const qs = sortedQueryString(query);
    if (qs !== '') signed += `?${qs}`;
  } else {
    // §6.2 step 4: "?" whenever there is a query or a body, "." only between the two.
    const qs = sortedQueryString(query);
    const hasBody = body !== undefined;
    if (qs !== '' || hasBody) signed += `?${qs}`;
    if (qs !== '' && hasBody) signed += '.';
    if (hasBody) signed += body;
  }
  return `${signed}.${nonce}`;
}

/**
 * Computes the `X-Plivo-Signature-V3` value: base64 HMAC-SHA256 of {@link v3SignedString},
 * keyed with the auth token (plivo.md §6.2 step 5).
 *
 * @example
 * ```ts
 * computeV3Signature({
 *   method: 'POST', url: 'https://example.com/answer', nonce: '12345', authToken: 'my_auth_token',
 * }); // '0yCSTcpk0g5MyH+eKhYi02RUlMZ/VPnJKABuBXoajUc='
 * ```
 */
export function computeV3Signature(input: V3SignatureInput): string {
  requireToken(input.authToken, 'authToken');
  return hmacSha256Base64(input.authToken, v3SignedString(input));
}

/**
 * Verifies a V3 signature header. Same argument order as `plivo.validateV3Signature`; the header
 * may hold several comma-separated signatures and is valid if any matches. Comparison is
 * constant-time. Throws {@link SignatureInputError} only for unsignable input (bad method, URL
 * without host, empty token); a wrong or malformed signature yields `false`.
 *
 * @example
 * ```ts
 * const ok = validateV3Signature('POST', 'https://example.com/answer/', req.headers['x-plivo-signature-v3-nonce'],
 *   process.env.PLIVO_AUTH_TOKEN!, req.headers['x-plivo-signature-v3'], req.body);
 * ```
 */
export function validateV3Signature(
  method: SignedMethod,
  uri: string,
  nonce: string,
  authToken: string,
  signatureHeader: string,
  params: SignatureParams = {},
): boolean {
  if (typeof nonce !== 'string' || typeof signatureHeader !== 'string') return false;
  const expected = computeV3Signature({ method, url: uri, nonce, authToken, params });
  return headerContains(signatureHeader, expected);
}

/** GET or POST, in any case, as upper case; anything else is refused (Plivo signs no other). */
export function normaliseMethod(method: unknown): SignedMethod {
  const upper = typeof method === 'string' ? method.toUpperCase() : '';
  if (upper === 'GET' || upper === 'POST') return upper;
  throw new SignatureInputError(
    'SIGNATURE_BAD_METHOD',
    'method',
    `method must be GET or POST (Plivo signs no other), got ${JSON.stringify(method)}`,
  );
}

/**
 * Every form field as key + value, keys sorted and a key's values sorted, the way V3 signs a POST
 * body and V1 its fields (plivo.md §6.2 step 4, §6.4); undefined when there is no field. Checked
 * as `copyParams` checks, without copying: the engine signs every webhook with it.
 *
 * @example
 * ```ts
 * sortedFieldText({ To: '1', From: ['b', 'a'] }); // 'FromaFrombTo1'
 * ```
 */
export function sortedFieldText(params: SignatureParams): string | undefined {
  const keys = Object.keys(params);
  if (keys.length === 0) return undefined;
  keys.sort();
  let text = '';
  for (const key of keys) {
    const value = params[key];
    if (typeof value === 'string') {
      text += key + value;
      continue;
    }
    for (const v of sortedValues(key, value)) text += key + v;
  }
  return text;
}

function sortedValues(key: string, value: unknown): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw new SignatureInputError('SIGNATURE_BAD_PARAM', `params.${key}`, `params.${key} must be a string or an array of strings`);
  }
  return [...(value as string[])].sort();
}

function copyParams(params: SignatureParams): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [key, value] of Object.entries(params)) {
    const values = typeof value === 'string' ? [value] : Array.isArray(value) ? [...(value as string[])] : null;
    if (values === null || values.some((v) => typeof v !== 'string')) {
      throw new SignatureInputError('SIGNATURE_BAD_PARAM', `params.${key}`, `params.${key} must be a string or an array of strings`);
    }
    out.set(key, values);
  }
  return out;
}

// Keys sorted, then each key's values sorted, in JavaScript's default (UTF-16 code unit) order,
// rendered key=value without percent-encoding (§6.2 step 3).
function sortedQueryString(query: ReadonlyMap<string, readonly string[]>): string {
  const parts: string[] = [];
  for (const key of [...query.keys()].sort()) {
    for (const value of [...(query.get(key) ?? [])].sort()) parts.push(`${key}=${value}`);
  }
  return parts.join('&');
}

/**
 * The names for the V3 pair, over one input object: `signV3` is
 * {@link computeV3Signature}.
 *
 * @example
 * ```ts
 * const sig = signV3({ method: 'POST', url: 'https://example.com/answer', nonce: '12345', authToken: 'my_auth_token' });
 * // '0yCSTcpk0g5MyH+eKhYi02RUlMZ/VPnJKABuBXoajUc='
 * ```
 */
export const signV3: (input: V3SignatureInput) => string = computeV3Signature;

/**
 * What {@link verifyV3} checks: the signed input plus the received `X-Plivo-Signature-V3` header.
 *
 * @example
 * ```ts
 * const input: V3VerifyInput = { method: 'GET', url: 'https://e.com/a?x=1', nonce: '1', authToken: 't', signature: 'abc=' };
 * ```
 */
export interface V3VerifyInput extends V3SignatureInput {
  /** The header as received; may hold several comma-separated signatures. */
  readonly signature: string;
}

/**
 * {@link validateV3Signature} taking one object instead of six positional arguments.
 *
 * @example
 * ```ts
 * verifyV3({ method: 'POST', url: 'https://example.com/answer', nonce: '12345', authToken: 'my_auth_token',
 *   signature: '0yCSTcpk0g5MyH+eKhYi02RUlMZ/VPnJKABuBXoajUc=' }); // true
 * ```
 */
export function verifyV3(input: V3VerifyInput): boolean {
  return validateV3Signature(input.method, input.url, input.nonce, input.authToken, input.signature, input.params ?? {});
}
