/**
 * `@switchboard/sdk/express` — webhook signature checking for Express and plain `node:http`
 * servers. Typed against minimal structural interfaces, so Express is not a dependency.
 *
 * @example
 * ```ts
 * import { plivoSignature } from '@switchboard/sdk/express';
 * app.post('/answer', express.urlencoded({ extended: false }), plivoSignature({ authToken }), handler);
 * ```
 * @module
 */
import { parseRequestWebhook } from './typed-params.ts';
import { verifyPlivoRequest, type PlivoSignatureOptions } from './verify-request.ts';

export { verifyPlivoRequest, requestUrl, type PlivoSignatureOptions, type SignedRequest, type Verification } from './verify-request.ts';
export { parseRequestWebhook, webhookOf, type ParsedRequest, type WithPlivo } from './typed-params.ts';

/**
 * The request shape the middleware reads: an Express `Request` or a `node:http`
 * `IncomingMessage`. When `body` is undefined the middleware reads and parses the form body
 * itself and stores it on `req.body`.
 *
 * @example
 * ```ts
 * http.createServer((req, res) => plivoSignature({ authToken })(req as ExpressLikeRequest, res, () => app(req, res)));
 * ```
 */
export interface ExpressLikeRequest extends AsyncIterable<unknown> {
  readonly method?: string | undefined;
  /** Express: the path before any router mounting stripped it. */
  readonly originalUrl?: string | undefined;
  readonly url?: string | undefined;
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** Express sets `http`/`https` (honouring `trust proxy`). */
  readonly protocol?: string | undefined;
  /** A TLS socket has `encrypted: true`; used when `protocol` is absent (plain `node:http`). */
  readonly socket?: object | undefined;
  body?: unknown;
}

/**
 * The response shape the middleware writes a 403 to: Express `Response` or `ServerResponse`.
 *
 * @example
 * ```ts
 * const res: ExpressLikeResponse = serverResponse;
 * ```
 */
export interface ExpressLikeResponse {
  statusCode: number;
  setHeader(name: string, value: string): unknown;
  end(body?: string): unknown;
}

/**
 * The middleware function returned by {@link plivoSignature}.
 *
 * @example
 * ```ts
 * const check: ExpressMiddleware = plivoSignature({ authToken });
 * ```
 */
export type ExpressMiddleware = (req: ExpressLikeRequest, res: ExpressLikeResponse, next: (err?: unknown) => void) => void;

/** Form bodies above this are refused rather than buffered without bound. */
const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Express-style middleware that lets through only requests carrying a valid
 * `X-Plivo-Signature-V3` (plivo.md §6.2) and answers the rest `403` with a short text reason.
 * A request let through carries its parameters, parsed, as `req.plivo` ({@link webhookOf}).
 * POST parameters come from `req.body` (any urlencoded parser) or, when absent, from the body,
 * which is then read and parsed here; GET parameters are in the URL.
 *
 * @example
 * ```ts
 * app.use('/plivo', express.urlencoded({ extended: false }), plivoSignature({
 *   authToken: process.env.PLIVO_AUTH_TOKEN!, publicUrl: 'https://app.example.com',
 * }), (req, res) => {
 *   const hook = webhookOf(req, 'dial-action');
 *   res.type('text/xml').send(hook.DialStatus === 'completed' ? '<Response/>' : '<Response><Hangup/></Response>');
 * });
 * ```
 */
export function plivoSignature(options: PlivoSignatureOptions): ExpressMiddleware {
  return (req, res, next) => {
    void check(req, res, options).then(
      (ok) => (ok ? next() : undefined),
      (err: unknown) => next(err),
    );
  };
}

async function check(req: ExpressLikeRequest, res: ExpressLikeResponse, options: PlivoSignatureOptions): Promise<boolean> {
  const method = (req.method ?? 'GET').toUpperCase();
  if (method === 'POST' && req.body === undefined) {
    const form = await readForm(req);
    if (form === undefined) return deny(res, 'request body too large');
    req.body = form;
    // body-parser skips requests flagged `_body`; without it a parser placed after us would wait
    // forever on the stream we already drained.
    (req as { _body?: boolean })._body = true;
  }
  const path = req.originalUrl ?? req.url ?? '/';
  const verdict = verifyPlivoRequest(
    {
      method,
      path,
      protocol: req.protocol ?? (isEncrypted(req.socket) ? 'https' : 'http'),
      headers: req.headers,
      body: method === 'POST' ? req.body : undefined,
    },
    options,
  );
  if (!verdict.ok) return deny(res, verdict.reason);
  if (options.parse === false) return true;
  const parsed = parseRequestWebhook(method, path, req.body);
  if (!parsed.ok) return deny(res, parsed.reason, 400);
  (req as { plivo?: unknown }).plivo = parsed.webhook;
  return true;
}

function isEncrypted(socket: object | undefined): boolean {
  return socket !== undefined && 'encrypted' in socket && socket.encrypted === true;
}

function deny(res: ExpressLikeResponse, reason: string, status: 400 | 403 = 403): false {
  res.statusCode = status;
  res.setHeader('content-type', 'text/plain; charset=utf-8');
  res.end(`${status === 403 ? 'Forbidden' : 'Bad Request'}: ${reason}\n`);
  return false;
}

// Reads an application/x-www-form-urlencoded body into strings (arrays for repeated keys).
async function readForm(req: ExpressLikeRequest): Promise<Record<string, string | string[]> | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk as Uint8Array);
    size += buf.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(buf);
  }
  const form: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(Buffer.concat(chunks).toString('utf8'))) {
    const prev = form[key];
    form[key] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return form;
}
