/**
 * The call timeline: every event of a call and its legs merged with every webhook attempt, in
 * time order — what happened, and what the app was told, in one list.
 */
import type { FastifyInstance } from 'fastify';
import { newId } from '../../util/ids.ts';
import { notFound } from '../errors.ts';
import { attemptEntry, eventEntry, type TimelineEntry } from '../delivery-views.ts';
import type { ApiContext } from '../api-context.ts';
import type { CallRow } from '../../store/store.ts';
import { cdrView } from '../views.ts';
import { canSee } from '../../accounts/ownership.ts';
import { CALL_DETAIL, TIMELINE_ATTEMPT, TIMELINE_EVENT } from '../openapi-schemas.ts';
import type { RouteSchema } from '../openapi.ts';

const TIMELINE: RouteSchema = {
  summary: "A call's events and webhook attempts, all legs, in time order (docs/delivery.md)",
  operationId: 'getTimeline',
  response: {
    200: {
      title: 'Timeline',
      type: 'object',
      required: ['api_id', 'call_uuid', 'legs', 'objects'],
      properties: {
        api_id: { type: 'string' },
        call_uuid: { type: 'string', description: 'The A leg' },
        legs: { type: 'array', items: CALL_DETAIL },
        objects: { type: 'array', items: { oneOf: [TIMELINE_EVENT, TIMELINE_ATTEMPT] } },
      },
    },
  },
};

export function timelineRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get<{ Params: { authId: string; callUuid: string } }>('/v1/Account/:authId/Call/:callUuid/Timeline/', { schema: TIMELINE }, async (req) => {
    const { callUuid, authId } = req.params;
    const call = await ctx.store.getCall(callUuid);
    if (!call || !canSee(req.account, call.account_id)) throw notFound('call', callUuid);
    // A timeline is about the whole call: asked for a B leg, show its A leg's.
    const root = call.parent_call_uuid ? ((await ctx.store.getCall(call.parent_call_uuid)) ?? call) : call;
    const legs: CallRow[] = [root];
    for (let offset = 0; ; offset += 1000) {
      const { rows } = await ctx.store.listCalls({ parent_call_uuid: root.call_uuid, limit: 1000, offset });
      legs.push(...rows.sort((a, b) => (a.dial_position ?? 0) - (b.dial_position ?? 0) || a.initiation_time - b.initiation_time));
      if (rows.length < 1000) break;
    }
    const entries: TimelineEntry[] = [];
    for (const leg of legs) {
      const role = leg.call_uuid === root.call_uuid ? 'A' : `B${leg.dial_position ?? ''}`;
      const events = await ctx.store.listEvents(leg.call_uuid);
      const idOfSeq = new Map(events.map((e) => [e.seq, e.id]));
      for (const e of events) entries.push(eventEntry(e, role));
      const deliveries = await ctx.store.listDeliveries(leg.call_uuid);
      const byId = new Map(deliveries.map((d) => [d.id, d]));
      for (const a of await ctx.store.listAttemptsFor([...byId.keys()])) {
        const d = byId.get(a.delivery_id)!;
        entries.push(attemptEntry(a, d, (d.event_seq !== null ? idOfSeq.get(d.event_seq) : undefined) ?? Number.MAX_SAFE_INTEGER / 2));
      }
    }
    // Time order; at one instant, recording order, each request right after the event that caused it.
    entries.sort((a, b) => a.at - b.at || a.order - b.order);
    return {
      api_id: newId(),
      call_uuid: root.call_uuid,
      legs: legs.map((l) => cdrView(l, authId)),
      objects: entries.map((e) => e.view),
    };
  });
}
