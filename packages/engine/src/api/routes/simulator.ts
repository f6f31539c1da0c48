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
import { NO_CONTENT, SIMULATOR_NUMBER } from '../openapi-schemas.ts';
import type { RouteSchema } from '../openapi.ts';

// The schemas document each route (api/openapi.ts); api/params/simulator.ts parses the bodies.
const SET_NUMBER: RouteSchema = {
  summary: "Script a number of the simulated network (engine.md §4): how it answers when called",
  operationId: 'setSimulatorNumber',
  body: {
    title: 'SimulatorNumberParams',
    type: 'object',
    required: ['number', 'script'],
    properties: {
      number: { type: 'string', description: 'A phone number (with or without +) or a sip: URI' },
      script: { type: 'string', description: "e.g. 'ring 2s, answer, hangup after 5s', 'busy', 'no-answer' (docs/simulated-network.md)" },
    },
    examples: [{ number: '+15550002', script: 'ring 2s, answer, hangup after 5s' }],
  },
  response: { 201: SIMULATOR_NUMBER },
};

const INBOUND_CALL: RouteSchema = {
  summary: 'Place a simulated inbound call: from calls to, behaving as the script says',
  operationId: 'placeInboundCall',
  body: {
    title: 'InboundCallParams',
    type: 'object',
    required: ['from', 'to'],
    properties: {
      from: { type: 'string' },
      to: { type: 'string' },
      script: { type: 'string', description: "The caller's behaviour, e.g. 'hangup after 20s'" },
    },
    examples: [{ from: '+15559990001', to: '+15553330001', script: 'hangup after 2s' }],
  },
  response: {
    201: {
      title: 'InboundCallResponse',
      type: 'object',
      required: ['api_id', 'message', 'leg_id'],
      properties: {
        api_id: { type: 'string' },
        message: { type: 'string' },
        leg_id: { type: 'string' },
        routing: { type: 'object', description: 'Where the call goes (the number, its application or flow), when the engine routes inbound calls' },
      },
    },
  },
};

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

  app.post(`${base}/Number/`, { schema: SET_NUMBER }, async (req, reply) => {
    const { number, script } = parseSimNumber(req.body);
    const row = await sim(req).numbers.set(number, script).catch(scriptError);
    return reply.code(201).send({ api_id: newId(), message: 'number configured', ...view(row) });
  });

  app.get(`${base}/Number/`, {
    schema: {
      summary: 'Every scripted number',
      operationId: 'listSimulatorNumbers',
      response: {
        200: {
          title: 'SimulatorNumberList',
          type: 'object',
          required: ['api_id', 'meta', 'objects'],
          properties: {
            api_id: { type: 'string' },
            meta: { type: 'object', required: ['total_count'], properties: { total_count: { type: 'integer' } } },
            objects: { type: 'array', items: SIMULATOR_NUMBER },
          },
        },
      },
    } as RouteSchema,
  }, async (req) => {
    const rows = await sim(req).numbers.list();
    return { api_id: newId(), meta: { total_count: rows.length }, objects: rows.map(view) };
  });

  app.get<{ Params: { number: string } }>(`${base}/Number/:number/`, { schema: { summary: 'One scripted number', operationId: 'getSimulatorNumber', response: { 200: SIMULATOR_NUMBER } } as RouteSchema }, async (req) => {
    const row = await sim(req).numbers.get(req.params.number);
    if (!row) throw notFound('simulator number', req.params.number);
    return { api_id: newId(), ...view(row) };
  });

  app.delete<{ Params: { number: string } }>(`${base}/Number/:number/`, { schema: { summary: "Remove a number's script", response: { 204: NO_CONTENT } } as RouteSchema }, async (req, reply) => {
    if (!(await sim(req).numbers.remove(req.params.number))) throw notFound('simulator number', req.params.number);
    return reply.code(204).send();
  });

  app.post(`${base}/Call/`, { schema: INBOUND_CALL }, async (req, reply) => {
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
