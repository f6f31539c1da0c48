/**
 * The HTTP server: Plivo-compatible REST under `/v1/Account/{auth_id}/` and the engine's own
 * endpoints. Every path answers with and without its trailing slash (engine.md §1); every answer
 * carries `api_id`; every error has Plivo's shape plus our `code` (api/errors.ts).
 */
import Fastify, { type FastifyInstance } from 'fastify';
import formbody from '@fastify/formbody';
import { newId } from '../util/ids.ts';
import { requireAuth } from './auth.ts';
import { errorHeaders, notFound, toApiError, toPlivoBody } from './errors.ts';
import type { ApiContext } from './api-context.ts';
import { callRoutes } from './routes/calls.ts';
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

export interface BuildOptions {
  /** Logs each request's failures; the engine passes its pino logger. */
  logError?: (err: unknown, msg: string) => void;
}

export async function buildServer(ctx: ApiContext, opts: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 500 },
    bodyLimit: 2 * 1024 * 1024,
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

  app.addHook('onRequest', async (req) => {
    const end = ctx.activity.begin();
    (req as unknown as { endActivity: () => void }).endActivity = end;
    if (req.url.startsWith('/v1/')) {
      // `/v1/account/` (lowercase) is Plivo's PHLO run path (plivo.md §8).
      const match = /^\/v1\/[Aa]ccount\/([^/?]+)/.exec(req.url);
      requireAuth(req.headers.authorization, ctx.credentials, match ? decodeURIComponent(match[1]!) : undefined);
    }
  });
  app.addHook('onResponse', async (req) => {
    (req as unknown as { endActivity?: () => void }).endActivity?.();
  });
  app.addHook('onRequestAbort', async (req) => {
    (req as unknown as { endActivity?: () => void }).endActivity?.();
  });

  app.setErrorHandler((err, req, reply) => {
    const apiErr = toApiError(err, { contentType: req.headers['content-type'] });
    if (apiErr.status >= 500) opts.logError?.(err, `${req.method} ${req.url} failed`);
    void reply.code(apiErr.status).headers(errorHeaders(apiErr)).send(toPlivoBody(apiErr, newId()));
  });
  app.setNotFoundHandler((req, reply) => {
    const err = notFound('resource', `${req.method} ${req.url.split('?')[0]}`);
    void reply.code(404).send(toPlivoBody(err, newId()));
  });

  ctx.metrics?.instrument(app);
  app.get('/health', async () => ({ status: 'ok', version: ctx.version, live_calls: ctx.calls.live }));

  await app.register(async (scope) => {
    callRoutes(scope, ctx);
    simulatorRoutes(scope, ctx);
    webhookRoutes(scope, ctx);
    timelineRoutes(scope, ctx);
    eventRoutes(scope, ctx);
    applicationRoutes(scope, ctx);
    numberRoutes(scope, ctx);
    flowRoutes(scope, ctx);
    reportRoutes(scope, ctx);
    opsRoutes(scope, ctx);
    dashboardRoutes(scope);
  });
  return app;
}
