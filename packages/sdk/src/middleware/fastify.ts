/**
 * `@switchboard/sdk/fastify` — webhook signature checking as a Fastify hook. Typed against
 * minimal structural interfaces, so Fastify is not a dependency.
 *
 * @example
 * ```ts
 * import { plivoSignature } from '@switchboard/sdk/fastify';
 * app.addHook('preHandler', plivoSignature({ authToken }));
 * ```
 * @module
 */
import { parseRequestWebhook } from './typed-params.ts';
import { verifyPlivoRequest, type PlivoSignatureOptions } from './verify-request.ts';

export { verifyPlivoRequest, requestUrl, type PlivoSignatureOptions, type SignedRequest, type Verification } from './verify-request.ts';
export { parseRequestWebhook, webhookOf, type ParsedRequest, type WithPlivo } from './typed-params.ts';

/**
 * What the hook reads from a Fastify request.
 *
 * @example
 * ```ts
 * const req: FastifyLikeRequest = request; // a FastifyRequest fits
 * ```
 */
export interface FastifyLikeRequest {
  readonly method: string;
  /** Path and query as received. */
  readonly url: string;
  readonly protocol: string;
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  readonly body?: unknown;
}

/**
 * What the hook calls on a Fastify reply to refuse a request.
 *
 * @example
 * ```ts
 * const reply: FastifyLikeReply = fastifyReply;
 * ```
 */
export interface FastifyLikeReply {
  code(statusCode: number): FastifyLikeReply;
  type(contentType: string): FastifyLikeReply;
  send(payload?: string): unknown;
}

/**
 * The hook returned by {@link plivoSignature}.
 *
 * @example
 * ```ts
 * const hook: FastifyPlivoHook = plivoSignature({ authToken });
 * ```
 */
export type FastifyPlivoHook = (request: FastifyLikeRequest, reply: FastifyLikeReply) => Promise<unknown>;

/**
 * A Fastify `preHandler` (or `preValidation`) hook that lets through only requests carrying a
 * valid `X-Plivo-Signature-V3` (plivo.md §6.2) and answers the rest `403` with a short text
 * reason. A request let through carries its parameters, parsed, as `request.plivo`
 * ({@link webhookOf}). POST parameters come from the parsed form body (register `@fastify/formbody`), so the
 * hook must run after body parsing — not as `onRequest`.
 *
 * @example
 * ```ts
 * app.register(formbody);
 * app.post('/answer', { preHandler: plivoSignature({ authToken, publicUrl: 'https://app.example.com' }) }, handler);
 * ```
 */
export function plivoSignature(options: PlivoSignatureOptions): FastifyPlivoHook {
  return async (request, reply) => {
    const verdict = verifyPlivoRequest(
      { method: request.method, path: request.url, protocol: request.protocol, headers: request.headers, body: request.body },
      options,
    );
    if (!verdict.ok) {
      // Returning the reply tells Fastify the response is sent and the handler must not run.
      return reply.code(403).type('text/plain; charset=utf-8').send(`Forbidden: ${verdict.reason}\n`);
    }
    if (options.parse === false) return undefined;
    const parsed = parseRequestWebhook(request.method, request.url, request.body);
    if (!parsed.ok) return reply.code(400).type('text/plain; charset=utf-8').send(`Bad Request: ${parsed.reason}\n`);
    // Read back with webhookOf(request); Fastify allows adding a property to a request in a hook.
    (request as { plivo?: unknown }).plivo = parsed.webhook;
    return undefined;
  };
}
