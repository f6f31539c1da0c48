// After a request's signature checks out, the middlewares parse its parameters into the typed
// webhook union (`@switchboard/sdk/webhooks`) and hang it on the request as `plivo`, so a handler
// reads `DialStatus` as a checked `DialStatus` instead of an untyped string.
import { parseWebhook, WebhookParseError, type Webhook } from '../webhooks/index.ts';

/**
 * A request the `plivoSignature` middleware has let through: its parameters, parsed.
 *
 * @example
 * ```ts
 * app.post('/action', plivoSignature({ authToken }), (req, res) => {
 *   const hook = (req as unknown as WithPlivo).plivo;
 * });
 * ```
 */
export interface WithPlivo {
  readonly plivo: Webhook;
}

/**
 * The typed parameters the middleware attached to `req` (Express) or `request` (Fastify). Narrow
 * with `kind`; pass `kind` to require one kind and get its type directly (an error names the kind
 * received otherwise, e.g. a GET to the action URL from a browser).
 *
 * @example
 * ```ts
 * const hook = webhookOf(req, 'dial-action');
 * console.log(hook.DialStatus, hook.DialALegUUID, hook.DialBLegUUID);
 * ```
 */
export function webhookOf(req: object): Webhook;
export function webhookOf<K extends Webhook['kind']>(req: object, kind: K): Extract<Webhook, { kind: K }>;
export function webhookOf(req: object, kind?: Webhook['kind']): Webhook {
  const hook = (req as Partial<WithPlivo>).plivo;
  if (hook === undefined) {
    throw new Error('webhookOf: no parsed webhook on this request; put plivoSignature() in front of the handler');
  }
  if (kind !== undefined && hook.kind !== kind) {
    throw new WebhookParseError('WEBHOOK_BAD_VALUE', 'Event', `expected a ${kind} webhook, got ${hook.kind} (Event=${hook.Event ?? 'none'})`);
  }
  return hook;
}

/** Outcome of {@link parseRequestWebhook}. */
export type ParsedRequest = { readonly ok: true; readonly webhook: Webhook } | { readonly ok: false; readonly reason: string };

/**
 * Parses a verified request's parameters: the form fields for POST, the query for GET (where
 * Plivo puts them).
 *
 * @example
 * ```ts
 * const parsed = parseRequestWebhook('GET', '/ring?Event=Ring&CallUUID=...', undefined);
 * ```
 */
export function parseRequestWebhook(method: string, path: string, body: unknown): ParsedRequest {
  const params = method.toUpperCase() === 'GET' ? queryParams(path) : body ?? {};
  try {
    return { ok: true, webhook: parseWebhook(params as Record<string, string>) };
  } catch (err) {
    if (err instanceof WebhookParseError) return { ok: false, reason: `invalid webhook parameters: ${err.message}` };
    throw err;
  }
}

// Repeated keys become arrays so that parseWebhook reports them instead of silently keeping one.
function queryParams(path: string): Record<string, string | string[]> {
  const at = path.indexOf('?');
  const out: Record<string, string | string[]> = {};
  if (at < 0) return out;
  for (const [key, value] of new URLSearchParams(path.slice(at + 1))) {
    const prev = out[key];
    out[key] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return out;
}
