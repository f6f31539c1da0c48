/**
 * Live-call media (plivo.md §1.7): `Call/{uuid}/Play/` and `Speak/` (POST starts, DELETE stops) and
 * `DTMF/` (POST), on the given call (`legs=aleg`), the leg bridged to it (`bleg`) or both. Answers
 * as Plivo does: 202 `play started` / `speak started` / `digits sent`, 204 on stop.
 */
import type { FastifyInstance } from 'fastify';
import { newId } from '../../util/ids.ts';
import { conflict, notFound } from '../errors.ts';
import { parseDigits, parsePlay, parseSpeak } from '../params/live-media.ts';
import type { ApiContext } from '../api-context.ts';
import type { LiveMedia, MediaLegs } from '../../calls/live-media.ts';
import type { LegRunner } from '../../calls/leg-runner.ts';
import { MESSAGE_RESPONSE, NO_CONTENT } from '../openapi-schemas.ts';
import type { RouteSchema } from '../openapi.ts';

type CallParams = { authId: string; callUuid: string };

// The schemas document each route (api/openapi.ts); api/params/live-media.ts parses the bodies.
const legs = { type: 'string', enum: ['aleg', 'bleg', 'both'], default: 'aleg' } as const;
const BODIES = {
  Play: {
    title: 'PlayParams',
    type: 'object',
    required: ['urls'],
    properties: { urls: { type: 'string', description: 'Audio URLs, comma-separated' }, legs, length: { type: 'integer', minimum: 1 }, loop: { type: 'boolean' }, mix: { type: 'boolean' } },
    examples: [{ urls: 'http://127.0.0.1:3000/hold.mp3' }],
  },
  Speak: {
    title: 'SpeakParams',
    type: 'object',
    required: ['text'],
    properties: { text: { type: 'string' }, voice: { type: 'string', enum: ['MAN', 'WOMAN'] }, language: { type: 'string' }, legs, loop: { type: 'boolean' }, mix: { type: 'boolean' } },
    examples: [{ text: 'Please hold' }],
  },
} as const;
const ACCEPTED = { 202: MESSAGE_RESPONSE } as const;

interface Target {
  media: LiveMedia;
  /** The call named in the path. */
  self: LegRunner;
  /** The leg bridged to it, if any. */
  other: LegRunner | undefined;
}

/** The live call and its bridged peer: an A leg's peer is its Dial's callee, a B leg's is its caller. */
function target(ctx: ApiContext, uuid: string): Target {
  const session = ctx.calls.session(uuid);
  if (session && !session.leg.ended) return { media: session.liveMedia, self: session.leg, other: session.bridgedBLeg() };
  const live = ctx.registry.get(uuid);
  const parentUuid = live?.leg.row.parent_call_uuid;
  const parent = parentUuid ? ctx.calls.session(parentUuid) : undefined;
  if (!live || live.leg.ended || !parent) throw notFound('live call', uuid);
  return { media: parent.liveMedia, self: live.leg, other: parent.bridgedBLeg() === live.leg ? parent.leg : undefined };
}

function legsOf(t: Target, legs: MediaLegs, uuid: string): LegRunner[] {
  if (!t.self.answered) throw conflict(`call ${uuid}: not answered yet; media plays only on an answered call`);
  if (legs === 'aleg') return [t.self];
  if (!t.other) throw conflict(`call ${uuid}: no bridged leg for legs=${legs}`);
  return legs === 'bleg' ? [t.other] : [t.self, t.other];
}

export function callMediaRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const base = '/v1/Account/:authId/Call/:callUuid';

  for (const [path, kind, parse, message] of [
    ['Play', 'play', parsePlay, 'play started'],
    ['Speak', 'speak', parseSpeak, 'speak started'],
  ] as const) {
    app.post<{ Params: CallParams }>(`${base}/${path}/`, { schema: { summary: `${path} on a live call (plivo.md §1.7)`, body: BODIES[path], response: ACCEPTED } as RouteSchema }, async (req, reply) => {
      const media = parse(req.body);
      const t = target(ctx, req.params.callUuid);
      t.media.start(media, legsOf(t, media.legs, req.params.callUuid));
      return reply.code(202).send({ api_id: newId(), message });
    });

    app.delete<{ Params: CallParams }>(`${base}/${path}/`, { schema: { summary: `Stop ${kind} on a live call`, response: { 204: NO_CONTENT } } as RouteSchema }, async (req, reply) => {
      const t = target(ctx, req.params.callUuid);
      // Stopping what is not playing is not an error: the call is as the client wants it.
      for (const leg of [t.self, t.other]) if (leg) t.media.stop(kind, leg);
      return reply.code(204).send();
    });
  }

  app.post<{ Params: CallParams }>(`${base}/DTMF/`, {
    schema: {
      summary: 'Send DTMF digits on a live call',
      body: { title: 'DtmfParams', type: 'object', required: ['digits'], properties: { digits: { type: 'string' }, legs }, examples: [{ digits: '123#' }] },
      response: ACCEPTED,
    } as RouteSchema,
  }, async (req, reply) => {
    const { digits, legs } = parseDigits(req.body);
    const t = target(ctx, req.params.callUuid);
    t.media.sendDigits(digits, legsOf(t, legs, req.params.callUuid));
    return reply.code(202).send({ api_id: newId(), message: 'digits sent' });
  });
}
