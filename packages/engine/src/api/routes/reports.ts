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

  app.get(`${base}/Dial/`, async (req, reply) => {
    const query = parseDialReport(req.query, ctx.clock.now());
    const report = await buildDialReport(store(req), query);
    if (query.format === 'csv') return sendCsv(reply, 'dial-report.csv', csvStream(REPORT_CSV_HEADER, reportCsvBatches(report), reportCsvValues));
    return { api_id: newId(), ...report };
  });

  app.get(`${base}/Webhook/`, async (req) => {
    const { start, end } = parseRange(req.query, ctx.clock.now());
    return { api_id: newId(), ...(await webhookHealth(store(req), start, end)) };
  });
}
