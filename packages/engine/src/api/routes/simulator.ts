/** The Simulator API (engine.md §4): scripted numbers and inbound test calls. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isMain } from '../../accounts/ownership.ts';
import { newId } from '../../util/ids.ts';
import { ScriptError, validateScript } from '../../network/simulated/index.ts';
import { parseSimCall, parseSimNumber } from '../params/simulator.ts';
import { ApiError, forbidden, invalidParam, notFound } from '../errors.ts';
import type { ApiContext } from '../api-context.ts';
import { formatTime } from '../../util/time.ts';
import type { SimNumberRow } from '../../store/store.ts';
import { decisionView } from '../../numbers/inbound-router.ts';

function view(row: SimNumberRow): Record<string, unknown> {
  return { number: row.number, script: row.script, created_at: formatTime(row.created_at), updated_at: formatTime(row.updated_at) };
}

function scriptError(err: unknown): never {
  if (err instanceof ScriptError) throw invalidParam('script', err.message);
  throw err;
}

export function simulatorRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const base = '/v1/Account/:authId/Simulator';
  // The simulated network is engine-wide (every account's calls meet its numbers): the main account's to configure (docs/accounts.md).
  const sim = (req: FastifyRequest) => {
    if (!isMain(req.account)) throw forbidden('the Simulator API is the main account\'s (the simulated network is engine-wide)');
    if (!ctx.simulator) throw new ApiError('SB_NOT_SUPPORTED', 'Simulator: not available (the engine runs on a SIP network)');
    return ctx.simulator;
  };

  app.post(`${base}/Number/`, async (req, reply) => {
    const { number, script } = parseSimNumber(req.body);
    const row = await sim(req).numbers.set(number, script).catch(scriptError);
    return reply.code(201).send({ api_id: newId(), message: 'number configured', ...view(row) });
  });

  app.get(`${base}/Number/`, async (req) => {
    const rows = await sim(req).numbers.list();
    return { api_id: newId(), meta: { total_count: rows.length }, objects: rows.map(view) };
  });

  app.get<{ Params: { number: string } }>(`${base}/Number/:number/`, async (req) => {
    const row = await sim(req).numbers.get(req.params.number);
    if (!row) throw notFound('simulator number', req.params.number);
    return { api_id: newId(), ...view(row) };
  });

  app.delete<{ Params: { number: string } }>(`${base}/Number/:number/`, async (req, reply) => {
    if (!(await sim(req).numbers.remove(req.params.number))) throw notFound('simulator number', req.params.number);
    return reply.code(204).send();
  });

  app.post(`${base}/Call/`, async (req, reply) => {
    sim(req);
    const call = parseSimCall(req.body);
    if (call.script !== undefined) {
      try {
        validateScript(call.script, 'caller');
      } catch (err) {
        scriptError(err);
      }
    }
    // Where the call will go (numbers/inbound-router.ts), so a rejected call says why at once.
    const routing = ctx.apps.routesInbound ? decisionView(await ctx.apps.routing.decide(call.to)) : undefined;
    const leg = sim(req).network.placeInbound({ from: call.from, to: call.to, script: call.script });
    return reply.code(201).send({ api_id: newId(), message: 'call placed', leg_id: leg.id, ...(routing && { routing }) });
  });
}
