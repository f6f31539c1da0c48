// What the engine attaches to every webhook (plivo.md §6, §6.3).
import { randomInt } from 'node:crypto';
import { computeV3Signature, type SignatureParams, type SignedMethod } from './v3.ts';

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
  for (let i = 0; i < 20; i++) nonce += String(randomInt(10));
  return nonce;
}

/**
 * The three signature headers of a voice webhook.
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
  /** The (sub)account token, used for `X-Plivo-Signature-V3`. */
  readonly authToken: string;
  /** The main account token for `X-Plivo-Signature-Ma-V3`; defaults to `authToken` (no subaccount). */
  readonly mainAuthToken?: string | undefined;
  /** Fixed nonce, for tests and replays; a fresh {@link newNonce} otherwise. */
  readonly nonce?: string | undefined;
}

/**
 * Builds the signature headers the engine sends with a webhook: V3 with the (sub)account token
 * and Ma-V3 with the main account token, both over the same nonce (plivo.md §6).
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
  const common = { method: input.method, url: input.url, params: input.params, nonce };
  return {
    'X-Plivo-Signature-V3': computeV3Signature({ ...common, authToken: input.authToken }),
    'X-Plivo-Signature-V3-Nonce': nonce,
    'X-Plivo-Signature-Ma-V3': computeV3Signature({ ...common, authToken: input.mainAuthToken ?? input.authToken }),
  };
}
