/**
 * Reports (Switchboard's own API, docs/reports.md): the dial report as JSON or streamed CSV, and
 * webhook health. Both read the report store, which exists when the engine runs on SQLite.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isMain } from '../../accounts/ownership.ts';
import { newId } from '../../util/ids.ts';
import { buildDialReport } from '../../reports/dial-report.ts';
import { webhookHealth } from '../../reports/webhook-health.ts';
import { csvStream } from '../../reports/csv.ts';
import { REPORT_CSV_HEADER, reportCsvBatches, reportCsvValues } from '../../reports/report-csv.ts';
import { parseDialReport, parseRange } from '../params/report.ts';
import { forbidden, notSupported } from '../errors.ts';
import type { ApiContext } from '../api-context.ts';
import type { RouteSchema } from '../openapi.ts';

// The schemas document each route (api/openapi.ts); api/params/report.ts parses the queries.
const RANGE = {
  start: { type: 'string', description: 'YYYY-MM-DD[ HH:MM[:SS]], UTC' },
  end: { type: 'string', description: 'YYYY-MM-DD[ HH:MM[:SS]], UTC' },
  since: { type: 'string', description: 'A duration back from now, e.g. 24h or 7d' },
} as const;
const DIAL_REPORT: RouteSchema = {
  summary: 'The dial report: outcomes of Dial attempts by hour, day, number or cause (docs/reports.md); format=csv streams CSV',
  operationId: 'getDialReport',
  querystring: {
    type: 'object',
    properties: { ...RANGE, group_by: { type: 'string' }, kind: { type: 'string' }, format: { type: 'string', enum: ['json', 'csv'] } },
  },
  response: {
    200: {
      content: {
        'application/json': {
          schema: {
            title: 'DialReport',
            type: 'object',
            required: ['api_id', 'start', 'end', 'group_by', 'kind', 'groups', 'total'],
            properties: {
              api_id: { type: 'string' }, start: { type: 'string' }, end: { type: 'string' }, group_by: { type: 'string' }, kind: { type: 'string' },
              groups: { type: 'array', items: { type: 'object' } },
              total: { type: 'object' },
            },
          },
        },
        'text/csv': { schema: { type: 'string' } },
      },
    },
  },
};
const WEBHOOK_HEALTH: RouteSchema = {
  summary: 'Webhook health per host: deliveries, failures, latency (docs/reports.md)',
  operationId: 'getWebhookHealth',
  querystring: { type: 'object', properties: RANGE },
  response: {
    200: {
      title: 'WebhookHealth',
      type: 'object',
      required: ['api_id', 'start', 'end', 'hosts'],
      properties: { api_id: { type: 'string' }, start: { type: 'string' }, end: { type: 'string' }, hosts: { type: 'array', items: { type: 'object' } } },
    },
  },
};

export function sendCsv(reply: FastifyReply, filename: string, body: NodeJS.ReadableStream): FastifyReply {
  return reply
    .header('content-type', 'text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${filename}"`)
    .send(body);
}

export function reportRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const base = '/v1/Account/:authId/Report';
  // Reports are rolled up engine-wide, not per owner: the main account's only (docs/accounts.md).
  const store = (req: FastifyRequest) => {
    if (!isMain(req.account)) throw forbidden('reports are the main account\'s (they are rolled up across every account)');
    if (!ctx.reports) throw notSupported('Report', 'reports need the SQLite store');
    return ctx.reports;
  };

  app.get(`${base}/Dial/`, { schema: DIAL_REPORT }, async (req, reply) => {
    const query = parseDialReport(req.query, ctx.clock.now());
    const report = await buildDialReport(store(req), query);
    if (query.format === 'csv') return sendCsv(reply, 'dial-report.csv', csvStream(REPORT_CSV_HEADER, reportCsvBatches(report), reportCsvValues));
    return { api_id: newId(), ...report };
  });

  app.get(`${base}/Webhook/`, { schema: WEBHOOK_HEALTH }, async (req) => {
    const { start, end } = parseRange(req.query, ctx.clock.now());
    return { api_id: newId(), ...(await webhookHealth(store(req), start, end)) };
  });
}
