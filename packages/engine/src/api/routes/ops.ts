/**
 * Operations endpoints without authentication (public routes; `--metrics-auth` closes /metrics): Prometheus
 * `/metrics`, liveness `/healthz` (the process answers) and readiness `/readyz` (the store answers
 * and can write, and the engine takes calls: not while draining). docs/reports.md, "Metrics and health".
 */
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../api-context.ts';
import type { RouteSchema } from '../openapi.ts';

// The schemas document each route (api/openapi.ts).
const METRICS: RouteSchema = {
  summary: "Prometheus metrics (docs/reports.md); open unless --metrics-auth",
  tags: ['Engine'],
  response: {
    200: { description: 'The Prometheus text exposition', content: { 'text/plain': { schema: { type: 'string' } } } },
    404: { description: 'Metrics are off', content: { 'text/plain': { schema: { type: 'string' } } } },
  },
};
const HEALTHZ: RouteSchema = {
  summary: 'Liveness: the process answers',
  tags: ['Engine'],
  response: { 200: { type: 'object', required: ['status'], properties: { status: { type: 'string', const: 'ok' } } } },
};
const READY = {
  title: 'Readiness',
  type: 'object',
  required: ['status', 'checks'],
  properties: {
    status: { type: 'string', enum: ['ready', 'not ready'] },
    checks: { type: 'object', required: ['store', 'calls'], properties: { store: { type: 'string' }, calls: { type: 'string' } }, additionalProperties: { type: 'string' } },
  },
} as const;
const READYZ: RouteSchema = {
  summary: 'Readiness: the store answers and can write, and the engine takes calls (not while draining)',
  tags: ['Engine'],
  response: { 200: READY, 503: { description: 'Not ready; checks says why', ...READY } },
};

export function opsRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get('/metrics', { config: { access: 'metrics' }, schema: METRICS }, async (_req, reply) => {
    if (!ctx.metrics) return reply.code(404).type('text/plain').send('metrics are off\n');
    const { contentType, body } = await ctx.metrics.exposition();
    return reply.type(contentType).send(body);
  });

  app.get('/healthz', { config: { access: 'public' }, schema: HEALTHZ }, async () => ({ status: 'ok' }));

  app.get('/readyz', { config: { access: 'public' }, schema: READYZ }, async (_req, reply) => {
    const checks: Record<string, string> = {};
    try {
      checks.store = ctx.reports ? ((await ctx.reports.ping()) ? 'ok' : 'failing') : 'ok';
    } catch (err) {
      checks.store = `failing: ${(err as Error).message}`;
    }
    // Reads may still work on a full disk; a store that cannot write takes no calls (docs/storage.md).
    const writes = ctx.store.writeState?.();
    if (checks.store === 'ok' && writes && !writes.ok) checks.store = `${writes.error.message} (${writes.held} writes held in memory)`;
    checks.calls = ctx.calls.isAccepting ? 'ok' : 'shutting down';
    const ready = Object.values(checks).every((v) => v === 'ok');
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks });
  });
}
