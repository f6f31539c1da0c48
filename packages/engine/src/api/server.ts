/**
 * The HTTP server: Plivo-compatible REST under `/v1/Account/{auth_id}/` and the engine's own
 * endpoints. Every path answers with and without its trailing slash (engine.md §1); every answer
 * carries `api_id`; every error has Plivo's shape plus our `code` (api/errors.ts).
 */
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import formbody from '@fastify/formbody';
import { newId } from '../util/ids.ts';
import { withTargetPolicy } from '../webhooks/target-policy.ts';
import { singleAccount } from './auth.ts';
import type { AccountLookup } from '../accounts/principal.ts';
import { badRequest, errorHeaders, headersTooLarge, methodNotAllowed, notFound, toApiError, toPlivoBody } from './errors.ts';
import { checkOrigin, FrontDoor, type FrontDoorOptions } from './front-door.ts';
import { RouteTable } from './route-table.ts';
import { documentingCompilers, HEALTH_SCHEMA, openApiRoutes } from './openapi.ts';
import type { ApiContext } from './api-context.ts';
import { callRoutes } from './routes/calls.ts';
import { callMediaRoutes } from './routes/call-media.ts';
import { notSupportedRoutes } from './routes/not-supported.ts';
import { accountRoutes } from './routes/account.ts';
import { simulatorRoutes } from './routes/simulator.ts';
import { webhookRoutes } from './routes/webhooks.ts';
import { timelineRoutes } from './routes/timeline.ts';
import { eventRoutes } from './routes/events.ts';
import { applicationRoutes } from './routes/applications.ts';
import { numberRoutes } from './routes/numbers.ts';
import { flowRoutes } from './routes/flows.ts';
import { reportRoutes } from './routes/reports.ts';
import { opsRoutes } from './routes/ops.ts';
import { dashboardRoutes } from './routes/dashboard.ts';
import { subaccountRoutes } from './routes/subaccounts.ts';
import { endpointRoutes } from './routes/endpoints.ts';
import { recordingRoutes } from './routes/recordings.ts';
import { conferenceRoutes } from './routes/conferences.ts';

export interface BuildOptions {
  /** Logs each request's failures; the engine passes its pino logger. */
  logError?: (err: unknown, msg: string) => void;
  /** Every account that may sign in (default: the context's one pair of credentials). */
  accounts?: AccountLookup;
  /** The front door's limits and its failure report (default: config's defaults, nothing reported). */
  frontDoor?: Partial<Omit<FrontDoorOptions, 'accounts'>>;
  /** Fastify's trustProxy: which proxies may name the client in X-Forwarded-For. */
  trustProxy?: string;
}

/** A built server and the table of the routes it answers (docs/security.md: the route walk). */
export type SwitchboardServer = FastifyInstance & { readonly routeTable: RouteTable };

/** Header limit of the HTTP parser; a longer head is answered 431 in Plivo's shape. */
const MAX_HEADER_BYTES = 16 * 1024;

/**
 * Headers on every answer: no sniffing, no framing, no referrer; the dashboard's pages may load only
 * their own scripts and styles and talk only to this origin.
 */
const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
} as const;

export async function buildServer(ctx: ApiContext, opts: BuildOptions = {}): Promise<SwitchboardServer> {
  const app = Fastify({
    logger: false,
    // The official SDK asks for its Account at `/v1/Account/{auth_id}//`.
    routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true, maxParamLength: 500 },
    bodyLimit: 2 * 1024 * 1024,
    http: { maxHeaderSize: MAX_HEADER_BYTES },
    ...(opts.trustProxy !== undefined ? { trustProxy: trustProxyValue(opts.trustProxy) } : {}),
    // Errors the HTTP parser meets before there is a request (headers too large, bad framing) still
    // answer in Plivo's shape.
    // A path the router cannot decode never reaches a route or a hook: answer it here, in Plivo's shape.
    frameworkErrors: (err, _req, reply) => {
      const apiErr = toApiError(err);
      void (reply as FastifyReply).code(apiErr.status).headers({ ...SECURITY_HEADERS, ...errorHeaders(apiErr) }).send(toPlivoBody(apiErr, newId()));
    },
    clientErrorHandler: (err, socket) => {
      const e = err as { code?: string };
      const apiErr =
        e.code === 'HPE_HEADER_OVERFLOW'
          ? headersTooLarge()
          : badRequest('the HTTP request could not be parsed');
      const body = JSON.stringify(toPlivoBody(apiErr, newId()));
      if (socket.writable) {
        socket.end(
          `HTTP/1.1 ${apiErr.status} ${apiErr.status === 431 ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
            `content-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
        );
      } else socket.destroy();
    },
  });
  const routeTable = new RouteTable();
  routeTable.collect(app);
  const targets = ctx.targets;
  if (targets) {
    // Every handler reads its URL parameters under the engine's target policy (webhooks/target-policy.ts).
    app.addHook('onRoute', (opts) => {
      const handler = opts.handler;
      opts.handler = function (this: FastifyInstance, req, reply) {
        return withTargetPolicy(targets, () => handler.call(this, req, reply));
      };
    });
  }
  documentingCompilers(app);
  const door = new FrontDoor({
    accounts: opts.accounts ?? singleAccount(ctx.credentials),
    failLimit: 10,
    failWindowMs: 60_000,
    metricsAuth: false,
    now: () => Date.now(),
    ...opts.frontDoor,
  });

  // Plivo's SDK sends `Content-Type: application/json` with an empty body on GET and `{}` on DELETE.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body).trim();
    if (text === '') return done(null, {});
    try {
      done(null, JSON.parse(text));
    } catch (err) {
      (err as { statusCode?: number }).statusCode = 400;
      done(err as Error, undefined);
    }
  });
  await app.register(formbody);

  // Callback-style hooks: synchronous work, so no promise per hook per request.
  app.addHook('onRequest', (req, reply, done) => {
    const end = ctx.activity.begin();
    (req as unknown as { endActivity: () => void }).endActivity = end;
    void reply.headers(SECURITY_HEADERS);
    // Decided on the matched route (its config and its decoded `:authId`), never on the raw URL.
    // No route matched: the not-found handler decides, with the same check.
    if (req.routeOptions.url === undefined) return done();
    const access = req.routeOptions.config.access ?? 'account';
    if (!door.needsAccount(access)) return done();
    let refused: Error | undefined;
    try {
      req.account = door.admit(req, (req.params as { authId?: string } | undefined)?.authId);
      refused = checkOrigin(req);
    } catch (err) {
      return done(err as Error);
    }
    done(refused);
  });
  app.addHook('onResponse', (req, _reply, done) => {
    (req as unknown as { endActivity?: () => void }).endActivity?.();
    done();
  });
  app.addHook('onRequestAbort', (req, done) => {
    (req as unknown as { endActivity?: () => void }).endActivity?.();
    done();
  });

  app.setErrorHandler((err, req, reply) => {
    const apiErr = toApiError(err, { contentType: req.headers['content-type'] });
    if (apiErr.status >= 500) opts.logError?.(err, `${req.method} ${req.url} failed`);
    void reply.code(apiErr.status).headers(errorHeaders(apiErr)).send(toPlivoBody(apiErr, newId()));
  });
  app.setNotFoundHandler((req) => {
    // Deny by default: what exists on this path, and with which methods, is told only to an account.
    door.admit(req, undefined);
    const path = req.url.split('?')[0]!;
    let decoded = path;
    try {
      decoded = decodeURIComponent(path);
    } catch {
      // An undecodable path matches no route.
    }
    const allow = routeTable.allowedMethods(decoded);
    if (allow.length > 0) throw methodNotAllowed(req.method, path, allow);
    throw notFound('resource', `${req.method} ${path}`);
  });

  ctx.metrics?.instrument(app);
  app.get('/health', { config: { access: 'public' }, schema: HEALTH_SCHEMA }, async () => ({ status: 'ok', version: ctx.version, live_calls: ctx.calls.live }));
  openApiRoutes(app, () => routeTable.routes, ctx.version);

  await app.register(async (scope) => {
    callRoutes(scope, ctx);
    callMediaRoutes(scope, ctx);
    notSupportedRoutes(scope);
    accountRoutes(scope, ctx);
    simulatorRoutes(scope, ctx);
    webhookRoutes(scope, ctx);
    timelineRoutes(scope, ctx);
    eventRoutes(scope, ctx);
    applicationRoutes(scope, ctx);
    numberRoutes(scope, ctx);
    endpointRoutes(scope, ctx);
    recordingRoutes(scope, ctx);
    conferenceRoutes(scope, ctx);
    flowRoutes(scope, ctx);
    reportRoutes(scope, ctx);
    subaccountRoutes(scope, ctx);
    opsRoutes(scope, ctx);
    dashboardRoutes(scope, (req) => door.admit(req, undefined));
  });
  return Object.assign(app, { routeTable }) as SwitchboardServer;
}

/** `--trust-proxy`: `true`, a hop count, or a list of addresses / CIDRs. */
function trustProxyValue(text: string): boolean | string[] | ((address: string, hop: number) => boolean) {
  const t = text.trim();
  if (t === 'true') return true;
  if (t === 'false' || t === '') return false;
  if (/^\d+$/.test(t)) {
    const hops = Number(t);
    return (_address, hop) => hop < hops;
  }
  return t.split(',').map((s) => s.trim()).filter(Boolean);
}
