/**
 * The one catalogue of REST API errors (STYLE.md §6). Each code is stable: clients and tests
 * branch on `code`, never on the message. `docs/errors.md` lists the same codes; a test fails when
 * the two disagree.
 *
 * On the wire an error keeps Plivo's shape — `{"api_id": "...", "error": "..."}` (plivo.md §1.2,
 * engine.md §1 "REST bodies") — and adds our `code` (and `param` when one parameter is at fault).
 */

import { StoreError } from '../store/store-error.ts';

/** Every API error code with its HTTP status and a one-line meaning (mirrored in docs/errors.md). */
export const API_ERRORS = {
  SB_MISSING_PARAM: { status: 400, summary: 'A required parameter is missing or empty.' },
  SB_INVALID_PARAM: { status: 400, summary: 'A parameter has a value Switchboard cannot accept.' },
  SB_INVALID_BODY: { status: 400, summary: 'The request body is not a JSON object or a form-encoded body.' },
  SB_BAD_REQUEST: { status: 400, summary: 'The request could not be read (bad URL, bad framing).' },
  SB_NOT_SUPPORTED: { status: 400, summary: 'A Plivo feature Switchboard does not offer was asked for.' },
  SB_URL_REFUSED: { status: 400, summary: 'A webhook URL is refused by the webhook target policy (link-local, metadata, the engine itself, --webhook-allow / --webhook-deny).' },
  SB_INVALID_FLOW: { status: 400, summary: 'A flow document failed validation; the message names each node and field at fault.' },
  SB_AUTH_FAILED: { status: 401, summary: 'HTTP Basic credentials are missing or wrong, or the path names another account.' },
  SB_FORBIDDEN: { status: 403, summary: 'The request is refused whatever the credentials (a browser request from another origin, a URL the target policy refuses).' },
  SB_NOT_FOUND: { status: 404, summary: 'No such resource (call, request, simulator number, route).' },
  SB_METHOD_NOT_ALLOWED: { status: 405, summary: 'The resource exists but not with this HTTP method.' },
  SB_CONFLICT: { status: 409, summary: 'The resource is in a state that does not allow the request.' },
  SB_BODY_TOO_LARGE: { status: 413, summary: 'The request body is over the size limit.' },
  SB_HEADERS_TOO_LARGE: { status: 431, summary: 'The request headers are over the size limit.' },
  SB_UNSUPPORTED_MEDIA_TYPE: { status: 415, summary: 'The body is neither JSON nor form-encoded.' },
  SB_RATE_LIMITED: { status: 429, summary: 'Too many requests; retry later.' },
  SB_INTERNAL: { status: 500, summary: 'Switchboard failed; the details are in its log, not in the answer.' },
  SB_SHUTTING_DOWN: { status: 503, summary: 'The engine is draining (SIGTERM) and takes no new calls; retry on another node.' },
  SB_STORE_UNAVAILABLE: { status: 503, summary: 'The database cannot write (disk full, I/O error); new calls are refused until it can.' },
  SB_OWNER_UNAVAILABLE: { status: 503, summary: 'The live call runs on another cluster node that is dead or unreachable; its takeover ends the call.' },
} as const satisfies Record<string, { status: number; summary: string }>;

export type ApiErrorCode = keyof typeof API_ERRORS;

export interface ApiErrorOptions {
  /** The request parameter at fault, when there is exactly one. */
  param?: string;
  cause?: unknown;
  /** For SB_RATE_LIMITED and the 503s: seconds to send as `Retry-After`. */
  retryAfter?: number;
  /** For SB_METHOD_NOT_ALLOWED: methods to send as `Allow`. */
  allow?: readonly string[];
}

/** An error a REST route answers with; `status` always comes from the catalogue. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly code: ApiErrorCode;
  readonly status: number;
  // `declare`: an option not given stays absent instead of an own property set to undefined.
  declare readonly param?: string;
  declare readonly retryAfter?: number;
  declare readonly allow?: readonly string[];

  constructor(code: ApiErrorCode, message: string, options: ApiErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = API_ERRORS[code].status;
    if (options.param !== undefined) this.param = options.param;
    if (options.retryAfter !== undefined) this.retryAfter = options.retryAfter;
    if (options.allow !== undefined) this.allow = options.allow;
  }
}

export function isApiError(value: unknown): value is ApiError {
  return value instanceof ApiError;
}

// ---- factories: the only way routes and parsers should spell a message ----

/** `from: required parameter is missing` */
export function missingParam(name: string): ApiError {
  return new ApiError('SB_MISSING_PARAM', `${name}: required parameter is missing`, { param: name });
}

/** `answer_url: must be an absolute http(s) URL` */
export function invalidParam(name: string, why: string): ApiError {
  return new ApiError('SB_INVALID_PARAM', `${name}: ${why}`, { param: name });
}

/** `request body: must be a JSON object or a form-encoded body (got an array)` */
export function invalidBody(why: string, cause?: unknown): ApiError {
  return new ApiError('SB_INVALID_BODY', `request body: ${why}`, { cause });
}

export function badRequest(why: string, cause?: unknown): ApiError {
  return new ApiError('SB_BAD_REQUEST', `bad request: ${why}`, { cause });
}

/** `machine_detection: not supported by Switchboard (no media analysis)` */
export function notSupported(name: string, why: string): ApiError {
  return new ApiError('SB_NOT_SUPPORTED', `${name}: not supported by Switchboard (${why})`, { param: name });
}

/** `answer_url: refused by the webhook target policy: 169.254.169.254 is a link-local / cloud metadata address` */
export function urlRefused(name: string, why: string): ApiError {
  return new ApiError('SB_URL_REFUSED', `${name}: refused by the webhook target policy: ${why}`, { param: name });
}

/** `flow: Call_Forward.ring_timeout: must be ...; Report.url: is required` — every problem, each naming its node and field. */
export function invalidFlow(problems: readonly string[]): ApiError {
  return new ApiError('SB_INVALID_FLOW', `flow: ${problems.join('; ')}`);
}

export type AuthFailure = 'missing' | 'bad' | 'account';

const AUTH_MESSAGES: Record<AuthFailure, string> = {
  missing: 'authentication required: send HTTP Basic credentials (auth_id:auth_token)',
  bad: 'authentication failed: wrong auth_id or auth_token',
  account: 'authentication failed: the auth_id in the path is not the authenticated account',
};

export function authFailed(reason: AuthFailure): ApiError {
  return new ApiError('SB_AUTH_FAILED', AUTH_MESSAGES[reason], reason === 'account' ? { param: 'auth_id' } : {});
}

/** `forbidden: a POST from origin https://evil.example (...)` */
export function forbidden(why: string): ApiError {
  return new ApiError('SB_FORBIDDEN', `forbidden: ${why}`);
}

export function headersTooLarge(): ApiError {
  return new ApiError('SB_HEADERS_TOO_LARGE', 'request headers: too large');
}

/** `call not found: 5f0c...` */
export function notFound(what: string, id: string): ApiError {
  return new ApiError('SB_NOT_FOUND', `${what} not found: ${id}`);
}

/** `method PUT not allowed on /v1/Account/MA.../Call/ (allowed: GET, POST)` */
export function methodNotAllowed(method: string, path: string, allow: readonly string[]): ApiError {
  const allowed = allow.length > 0 ? ` (allowed: ${allow.join(', ')})` : '';
  return new ApiError('SB_METHOD_NOT_ALLOWED', `method ${method} not allowed on ${path}${allowed}`, { allow });
}

/** `call 5f0c...: already ended` */
export function conflict(why: string): ApiError {
  return new ApiError('SB_CONFLICT', why);
}

export function bodyTooLarge(limitBytes?: number): ApiError {
  const limit = limitBytes === undefined ? '' : ` (limit ${limitBytes} bytes)`;
  return new ApiError('SB_BODY_TOO_LARGE', `request body: too large${limit}`);
}

export function unsupportedMediaType(contentType: string | undefined): ApiError {
  const got = contentType ? `got ${contentType}` : 'no Content-Type';
  return new ApiError(
    'SB_UNSUPPORTED_MEDIA_TYPE',
    `request body: send application/json or application/x-www-form-urlencoded (${got})`,
  );
}

export function rateLimited(retryAfterSeconds: number, what?: string): ApiError {
  return new ApiError('SB_RATE_LIMITED', `too many requests${what ? ` (${what})` : ''}: retry after ${retryAfterSeconds} s`, {
    retryAfter: retryAfterSeconds,
  });
}

/** Seconds a client is told to wait (`Retry-After`) before trying a draining or full engine again. */
const UNAVAILABLE_RETRY_AFTER_S = 5;

/** `Switchboard is shutting down and takes no new calls` — 503 so a client or balancer retries elsewhere. */
export function shuttingDown(): ApiError {
  return new ApiError('SB_SHUTTING_DOWN', 'Switchboard is shutting down and takes no new calls', { retryAfter: UNAVAILABLE_RETRY_AFTER_S });
}

/** `the database cannot write: database or disk is full` — the store says why (docs/storage.md). */
export function storeUnavailable(cause: StoreError): ApiError {
  return new ApiError('SB_STORE_UNAVAILABLE', cause.message, { cause, retryAfter: UNAVAILABLE_RETRY_AFTER_S });
}

/**
 * A live call's control reached a node that does not run it, and the node that does is dead or
 * cannot be reached (docs/scaling.md): a survivor's takeover ends the call within a lease.
 */
export function ownerUnavailable(callUuid: string, node: string, cause?: unknown): ApiError {
  return new ApiError('SB_OWNER_UNAVAILABLE', `call ${callUuid}: runs on node ${node}, which is not answering; it will be ended by the node that takes it over`, {
    retryAfter: UNAVAILABLE_RETRY_AFTER_S,
    ...(cause !== undefined ? { cause } : {}),
  });
}

/** The message never carries the cause: internals stay in the log. */
export function internalError(cause?: unknown): ApiError {
  return new ApiError('SB_INTERNAL', 'internal error', { cause });
}

// ---- to the wire ----

/** The JSON body of an error answer: Plivo's `api_id` and `error`, plus our `code` and `param`. */
export interface PlivoErrorBody {
  api_id: string;
  error: string;
  code: ApiErrorCode;
  param?: string;
}

export function toPlivoBody(err: ApiError, apiId: string): PlivoErrorBody {
  const body: PlivoErrorBody = { api_id: apiId, error: err.message, code: err.code };
  if (err.param !== undefined) body.param = err.param;
  return body;
}

/** Headers an error answer should carry besides the body (`Retry-After`, `Allow`). */
export function errorHeaders(err: ApiError): Record<string, string> {
  const headers: Record<string, string> = {};
  if (err.retryAfter !== undefined) headers['retry-after'] = String(err.retryAfter);
  if (err.allow !== undefined && err.allow.length > 0) headers['allow'] = err.allow.join(', ');
  return headers;
}

/**
 * Turns anything a route or Fastify throws into an ApiError, so every answer has the same shape.
 * Fastify's own errors carry `code` (FST_ERR_...) and `statusCode`; anything without a 4xx status is
 * an internal error whose details must not reach the client. Pass the request's Content-Type so
 * a 415 can say what was sent (Fastify's error does not carry it).
 */
export function toApiError(err: unknown, request: { contentType?: string | undefined } = {}): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof StoreError && err.code === 'unavailable') return storeUnavailable(err);
  const e = (typeof err === 'object' && err !== null ? err : {}) as {
    code?: unknown;
    statusCode?: unknown;
    message?: unknown;
  };
  const code = typeof e.code === 'string' ? e.code : '';
  const status = typeof e.statusCode === 'number' ? e.statusCode : 0;
  const message = typeof e.message === 'string' ? e.message : String(err);
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE' || status === 413) return new ApiError('SB_BODY_TOO_LARGE', 'request body: too large', { cause: err });
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || status === 415) return unsupportedMediaType(request.contentType);
  if (code.startsWith('FST_ERR_CTP_') && status === 400) return invalidBody(message, err);
  // A JSON body the parser rejected (syntax, or a forbidden __proto__ key) surfaces as a 400 SyntaxError.
  if (err instanceof SyntaxError && status === 400) return invalidBody(`not valid JSON (${message})`, err);
  if (status === 404) return new ApiError('SB_NOT_FOUND', message, { cause: err });
  if (status === 405) return new ApiError('SB_METHOD_NOT_ALLOWED', message, { cause: err });
  if (status === 429) return new ApiError('SB_RATE_LIMITED', message, { cause: err });
  if (status >= 400 && status < 500) return badRequest(message, err);
  return internalError(err);
}
