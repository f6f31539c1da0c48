/**
 * The live event feed as Server-Sent Events: `GET /v1/Account/{id}/Events/?call_uuid=&kind=event|delivery`.
 * Each item is `id: <n>`, `event: <kind>`, `data: <json>`; a comment line every 15 s keeps proxies from
 * closing an idle stream.
 */
import type { FastifyInstance } from 'fastify';
import { RealClock, type Timer } from '../../clock.ts';
import { invalidParam, rateLimited } from '../errors.ts';
import { formatTime } from '../../util/time.ts';
import type { ApiContext } from '../api-context.ts';
import type { FeedItem } from '../../events/live-feed.ts';
import { scopeOf } from '../../accounts/ownership.ts';
import type { RouteSchema } from '../openapi.ts';

/** Keep-alives are about the TCP connection, so they run on real time whatever clock the calls use. */
const wallClock = new RealClock();
const HEARTBEAT_MS = 15_000;

const FEED: RouteSchema = {
  summary: 'The live feed of events and webhook deliveries, as Server-Sent Events (docs/delivery.md)',
  operationId: 'followEvents',
  querystring: {
    type: 'object',
    properties: { call_uuid: { type: 'string', description: 'Only this call' }, kind: { type: 'string', enum: ['event', 'delivery'] } },
  },
  response: {
    200: {
      description: 'A stream of `id:`, `event:` (event or delivery) and `data:` (a JSON object) items, with a comment line every 15 s',
      content: { 'text/event-stream': { schema: { type: 'string' } } },
    },
  },
};

export function eventRoutes(app: FastifyInstance, ctx: ApiContext): void {
  /** Open streams per account: one account cannot hold every socket of the engine. */
  const open = new Map<string, number>();
  app.get<{ Querystring: { call_uuid?: string; kind?: string } }>('/v1/Account/:authId/Events/', { schema: FEED }, async (req, reply) => {
    const { call_uuid: callUuid, kind } = req.query;
    if (kind !== undefined && kind !== 'event' && kind !== 'delivery') throw invalidParam('kind', `must be event or delivery, got "${kind}"`);
    const account = req.account?.authId ?? '';
    const limit = ctx.limits?.sseLimit ?? Infinity;
    if ((open.get(account) ?? 0) >= limit) throw rateLimited(5, `live feed: the account already holds ${limit} open streams`);
    // HEAD asks only for what a GET would answer: the headers, then done (a stream never ends).
    if (req.method === 'HEAD') return reply.code(200).headers({ 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' }).send();
    open.set(account, (open.get(account) ?? 0) + 1);
    reply.hijack();
    // A stream stays open for as long as the client wants: it must not count as work in flight.
    (req as unknown as { endActivity?: () => void }).endActivity?.();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write(`: switchboard live feed${callUuid ? ` for call ${callUuid}` : ''}\n\n`);
    const send = (item: FeedItem) => {
      const payload = { id: item.id, kind: item.kind, time: formatTime(item.at), at: item.at, call_uuid: item.call_uuid, ...item.data };
      res.write(`id: ${item.id}\nevent: ${item.kind}\ndata: ${JSON.stringify(payload)}\n\n`);
    };
    // A subaccount follows its own calls only (docs/accounts.md); the main account follows every call.
    const scope = scopeOf(req.account);
    const unsubscribe = ctx.feed.subscribe({ callUuid, kinds: kind ? new Set([kind as FeedItem['kind']]) : undefined, ...(scope !== undefined ? { account: scope } : {}) }, send, () => res.end());
    let heartbeat: Timer;
    const beat = () => {
      res.write(': keep-alive\n\n');
      heartbeat = wallClock.setTimer(HEARTBEAT_MS, beat);
    };
    heartbeat = wallClock.setTimer(HEARTBEAT_MS, beat);
    req.raw.on('close', () => {
      const left = (open.get(account) ?? 1) - 1;
      if (left > 0) open.set(account, left);
      else open.delete(account);
      unsubscribe();
      heartbeat.cancel();
    });
  });
}
