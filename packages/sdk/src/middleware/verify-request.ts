// The framework-free core of both middlewares: rebuild the URL Plivo (or Switchboard) signed,
// collect the signed parameters and check `X-Plivo-Signature-V3` (plivo.md §6.2, §6.3).
import { validateV3Signature, type SignatureParams } from '../signature/index.ts';

/**
 * Options of the `plivoSignature` middlewares.
 *
 * @example
 * ```ts
 * const options: PlivoSignatureOptions = { authToken: process.env.PLIVO_AUTH_TOKEN!, publicUrl: 'https://app.example.com' };
 * ```
 */
export interface PlivoSignatureOptions {
  /** The auth token the webhooks are signed with; several are tried in turn (token rotation). */
  readonly authToken: string | readonly string[];
  /**
   * The public origin (and optional path prefix) the webhook URLs were configured with, e.g.
   * `https://app.example.com` or `https://example.com/voice` behind a proxy that strips `/voice`.
   * The request path and query are appended. Without it the URL is rebuilt from the request's
   * protocol and `Host` header, which is wrong behind a TLS-terminating proxy.
   */
  readonly publicUrl?: string | undefined;
  /**
   * Parse the parameters of a verified request into the typed webhook union and attach them as
   * `req.plivo` (read them with `webhookOf(req)`). Parameters that do not form a valid webhook
   * are answered `400` with the reason. Default `true`; `false` only verifies.
   */
  readonly parse?: boolean | undefined;
}

/**
 * The parts of an incoming request that verification needs.
 *
 * @example
 * ```ts
 * const req: SignedRequest = { method: 'POST', path: '/answer?x=1', protocol: 'https', headers, body: { CallUUID: 'abc' } };
 * ```
 */
export interface SignedRequest {
  readonly method: string;
  /** Path and query as received (`/answer?x=1`). */
  readonly path: string;
  readonly protocol: string;
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** Parsed form fields for POST; ignored for GET (the query is part of the URL). */
  readonly body: unknown;
}

/**
 * Outcome of {@link verifyPlivoRequest}: either valid, or a short reason fit for a 403 body.
 *
 * @example
 * ```ts
 * const v: Verification = { ok: false, reason: 'invalid X-Plivo-Signature-V3' };
 * ```
 */
export type Verification = { readonly ok: true; readonly url: string } | { readonly ok: false; readonly reason: string };

/**
 * Checks a request's V3 signature. Never throws: unsignable input is reported as a reason.
 *
 * @example
 * ```ts
 * const v = verifyPlivoRequest({ method: 'GET', path: req.url, protocol: 'http', headers: req.headers, body: undefined },
 *   { authToken: 'my_auth_token' });
 * if (!v.ok) console.warn(v.reason);
 * ```
 */
export function verifyPlivoRequest(req: SignedRequest, options: PlivoSignatureOptions): Verification {
  const signature = header(req.headers, 'x-plivo-signature-v3');
  const nonce = header(req.headers, 'x-plivo-signature-v3-nonce');
  if (signature === undefined) return { ok: false, reason: 'missing X-Plivo-Signature-V3' };
  if (nonce === undefined) return { ok: false, reason: 'missing X-Plivo-Signature-V3-Nonce' };
  const method = req.method.toUpperCase();
  if (method !== 'GET' && method !== 'POST') return { ok: false, reason: `cannot verify a ${method} request` };
  const url = requestUrl(req, options.publicUrl);
  if (url === undefined) return { ok: false, reason: 'no Host header to rebuild the URL from' };
  const params = method === 'POST' ? formParams(req.body) : {};
  if (params === undefined) return { ok: false, reason: 'request body is not form fields' };
  const tokens = typeof options.authToken === 'string' ? [options.authToken] : options.authToken;
  try {
    for (const token of tokens) {
      if (validateV3Signature(method, url, nonce, token, signature, params)) return { ok: true, url };
    }
  } catch {
    // A URL or token the signer cannot use (e.g. empty token): report, do not crash the request.
    return { ok: false, reason: 'request cannot be verified' };
  }
  return { ok: false, reason: 'invalid X-Plivo-Signature-V3' };
}

/**
 * The absolute URL a request was signed for: `publicUrl` + path, or protocol + Host + path.
 *
 * @example
 * ```ts
 * requestUrl({ method: 'POST', path: '/answer', protocol: 'http', headers: { host: 'a.test:8080' }, body: {} });
 * // 'http://a.test:8080/answer'
 * ```
 */
export function requestUrl(req: SignedRequest, publicUrl?: string): string | undefined {
  const path = req.path.startsWith('/') ? req.path : `/${req.path}`;
  if (publicUrl !== undefined) return publicUrl.replace(/\/+$/, '') + path;
  const host = header(req.headers, 'host');
  if (host === undefined || host === '') return undefined;
  return `${req.protocol}://${host}${path}`;
}

function header(headers: SignedRequest['headers'], name: string): string | undefined {
  const value = headers[name];
  if (value === undefined) return undefined;
  // A repeated header arrives as a list; Plivo's format for several signatures is a comma list.
  return typeof value === 'string' ? value : value.join(',');
}

// Form fields as body parsers deliver them: strings, or arrays of strings for repeated keys.
function formParams(body: unknown): SignatureParams | undefined {
  if (body === undefined || body === null || body === '') return {};
  if (typeof body !== 'object' || Array.isArray(body)) return undefined;
  const out: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(body)) {
    if (typeof value === 'string') out[key] = value;
    else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) out[key] = value as string[];
    else return undefined;
  }
  return out;
}
