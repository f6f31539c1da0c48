// What the engine attaches to every webhook (plivo.md §6, §6.3, §6.4): every signature Plivo sends,
// so an app that checks V1, V2 or V3 (issue 16.2) accepts Switchboard's requests unchanged.
import { randomFillSync } from 'node:crypto';
import { hmacSha1Base64, hmacSha256Base64, requireToken } from './hmac.ts';
import { splitSigningUrl } from './url-base.ts';
import { normaliseMethod, sortedFieldText, v3SignedStringOf, type SignatureParams, type SignedMethod } from './v3.ts';

/**
 * A fresh nonce: 20 random decimal digits, like Plivo's (`05429567804466091622`, plivo.md §6.3).
 *
 * @example
 * ```ts
 * newNonce(); // e.g. '05429567804466091622'
 * ```
 */
export function newNonce(): string {
  let nonce = '';
  while (nonce.length < 20) {
    if (poolAt === pool.length) {
      randomFillSync(pool);
      poolAt = 0;
    }
    const byte = pool[poolAt++]!;
    // 250 = 25 * 10: the bytes below it give each digit the same chance; the rest are skipped.
    if (byte < 250) nonce += DIGITS[byte % 10];
  }
  return nonce;
}

const DIGITS = '0123456789';
/** Random bytes drawn a page at a time: every webhook takes two nonces, 40 digits. */
const pool = Buffer.alloc(4096);
let poolAt = pool.length;

/**
 * The signature headers of a webhook: V3 and V2, each with its nonce and its main-account (`Ma`)
 * twin, and V1.
 *
 * @example
 * ```ts
 * const h: PlivoSignatureHeaders = signatureHeaders({ method: 'GET', url, authToken });
 * h['X-Plivo-Signature-V3-Nonce'];
 * ```
 */
export interface PlivoSignatureHeaders {
  readonly 'X-Plivo-Signature-V3': string;
  readonly 'X-Plivo-Signature-V3-Nonce': string;
  readonly 'X-Plivo-Signature-Ma-V3': string;
  readonly 'X-Plivo-Signature-V2': string;
  readonly 'X-Plivo-Signature-V2-Nonce': string;
  readonly 'X-Plivo-Signature-Ma-V2': string;
  readonly 'X-Plivo-Signature': string;
}

/**
 * Input of {@link signatureHeaders}.
 *
 * @example
 * ```ts
 * const input: SignatureHeadersInput = { method: 'POST', url: 'https://app/answer', params: { CallUUID: 'abc' }, authToken: 't' };
 * ```
 */
export interface SignatureHeadersInput {
  readonly method: SignedMethod;
  /** The URL the request goes to (for GET, including the query that carries the params). */
  readonly url: string;
  /** POST form fields; for GET leave empty when they are already in `url`. */
  readonly params?: SignatureParams | undefined;
  /**
   * The URL as requested, for V1 (which signs it as the app sees it): for GET, `url` with the
   * parameters in its query. Defaults to `url` for POST and to `url` plus the form-encoded
   * `params` for GET.
   */
  readonly requestUrl?: string | undefined;
  /** The (sub)account token, used for V3, V2 and V1. */
  readonly authToken: string;
  /** The main account token for the `Ma` headers (V3 and V2); defaults to `authToken` (no subaccount). */
  readonly mainAuthToken?: string | undefined;
  /** Fixed nonce, for tests and replays; a fresh {@link newNonce} otherwise. */
  readonly nonce?: string | undefined;
}

/**
 * Builds the signature headers the engine sends with a webhook: V3 and V2 with the (sub)account
 * token and their `Ma` twins with the main account token, each version over its own nonce, and
 * V1 (plivo.md §6, §6.4).
 *
 * @example
 * ```ts
 * const headers = signatureHeaders({
 *   method: 'POST', url: 'https://app.example.com/answer', params: form,
 *   authToken: account.authToken, mainAuthToken: mainAccount.authToken,
 * });
 * await request(url, { method: 'POST', headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' }, body });
 * ```
 */
export function signatureHeaders(input: SignatureHeadersInput): PlivoSignatureHeaders {
  const nonce = input.nonce ?? newNonce();
  const v2Nonce = input.nonce ?? newNonce();
  const mainToken = input.mainAuthToken ?? input.authToken;
  requireToken(input.authToken, 'authToken');
  requireToken(mainToken, 'mainAuthToken');
  const method = normaliseMethod(input.method);
  const params = input.params ?? {};
  // What the three versions share is computed once: the URL split (V3, V2) and, for POST, the
  // sorted form fields (V3, V1). A webhook is signed on the hot path of every delivery.
  const url = splitSigningUrl(input.url);
  const base = url.base;
  const fields = method === 'POST' ? sortedFieldText(params) : undefined;
  const v3Text = v3SignedStringOf(method, url, params, fields, nonce);
  const v3 = hmacSha256Base64(input.authToken, v3Text);
  const v2 = hmacSha256Base64(input.authToken, base + v2Nonce);
  // The main account's own webhooks are signed with one token: each twin is then the same HMAC of
  // the same string, computed once.
  const same = mainToken === input.authToken;
  return {
    'X-Plivo-Signature-V3': v3,
    'X-Plivo-Signature-V3-Nonce': nonce,
    'X-Plivo-Signature-Ma-V3': same ? v3 : hmacSha256Base64(mainToken, v3Text),
    'X-Plivo-Signature-V2': v2,
    'X-Plivo-Signature-V2-Nonce': v2Nonce,
    'X-Plivo-Signature-Ma-V2': same ? v2 : hmacSha256Base64(mainToken, base + v2Nonce),
    'X-Plivo-Signature': hmacSha1Base64(input.authToken, v1SignedString(input, method, params, fields)),
  };
}

/** V1 signs what the app sees: the URL requested (no fragment) and, for POST, the form fields. */
function v1SignedString(input: SignatureHeadersInput, method: SignedMethod, params: SignatureParams, fields: string | undefined): string {
  const isGet = method === 'GET';
  const requested = input.requestUrl ?? (isGet ? appendQuery(input.url, params) : input.url);
  const hash = requested.indexOf('#');
  return (hash === -1 ? requested : requested.slice(0, hash)) + (fields ?? '');
}

function appendQuery(url: string, params: SignatureParams): string {
  const hash = url.indexOf('#');
  const bare = hash === -1 ? url : url.slice(0, hash);
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    for (const v of typeof value === 'string' ? [value] : value) query.append(key, v);
  }
  const qs = query.toString();
  if (qs === '') return bare;
  return bare + (!bare.includes('?') ? '?' : bare.endsWith('?') || bare.endsWith('&') ? '' : '&') + qs;
}
