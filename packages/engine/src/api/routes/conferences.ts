/**
 * The Conference API (docs/conference.md; Plivo's Conference API reference, the SDK's
 * `conferences.*`): live rooms of the caller's account by name, their members, and what can be
 * done to them. Answers have the shapes of Plivo's recorded responses (the SDK's fixtures):
 * `{api_id, conferences: [names]}`, `{conference_name, conference_run_time, conference_member_count,
 * members: [...]}`, `{message, member_id, api_id}`. A member id is one id, a comma-separated list,
 * or `all`, as Plivo takes it.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { newId } from '../../util/ids.ts';
import { canSee, scopeOf } from '../../accounts/ownership.ts';
import type { ConferenceMember, ConferenceRoom, Conferences } from '../../calls/conference-rooms.ts';
import { conferenceRecordApiCallbackParams } from '../../webhooks/params.ts';
import type { ApiContext } from '../api-context.ts';
import { conflict, notFound } from '../errors.ts';
import { asParams, method, optOneOf, optUrl, reqString } from '../params/coerce.ts';

type RoomParams = { authId: string; name: string };
type MemberParams = RoomParams & { memberId: string };
type Account = Parameters<typeof canSee>[0];

/** One member as Plivo's conference get lists it; `join_time` is the seconds since it entered. */
function memberView(m: ConferenceMember, now: number): Record<string, unknown> {
  const row = m.call.row();
  return {
    muted: m.muted,
    member_id: m.id,
    deaf: m.deaf,
    from: row.from_number.replace(/^\+/, ''),
    to: row.to_number.replace(/^\+/, ''),
    caller_name: row.caller_name,
    direction: row.direction,
    call_uuid: row.call_uuid,
    join_time: String(Math.floor((now - m.joinedAt) / 1000)),
  };
}

export function conferenceView(room: ConferenceRoom, now: number): Record<string, unknown> {
  return {
    conference_name: room.name,
    conference_run_time: String(Math.floor((now - room.createdAt) / 1000)),
    conference_member_count: String(room.members.size),
    members: room.list().map((m) => memberView(m, now)),
    // Switchboard's addition: the room's identity, as its callbacks name it.
    conference_uuid: room.uuid,
  };
}

export function conferenceRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const rooms = ctx.conferences;
  if (!rooms) return;
  const base = '/v1/Account/:authId/Conference';
  const now = () => ctx.clock.now();

  app.get(`${base}/`, async (req) => ({
    api_id: newId(),
    conferences: visible(rooms, req.account).map((r) => r.name),
  }));

  // Hang up every room the account sees (Plivo's "hang up all conferences").
  app.delete(`${base}/`, async (req) => {
    for (const room of visible(rooms, req.account)) rooms.end(room, 'conference-ended');
    return { message: 'all conferences hung up', api_id: newId() };
  });

  app.get<{ Params: RoomParams }>(`${base}/:name/`, async (req) => ({ api_id: newId(), ...conferenceView(roomOf(rooms, req), now()) }));

  app.delete<{ Params: RoomParams }>(`${base}/:name/`, async (req) => {
    rooms.end(roomOf(rooms, req), 'conference-ended');
    return { message: 'conference hung up', api_id: newId() };
  });

  // Hang up the member's call (the SDK's hangupMember).
  app.delete<{ Params: MemberParams }>(`${base}/:name/Member/:memberId/`, async (req, reply) => {
    const members = membersOf(rooms, req);
    for (const m of members) rooms.hangupMember(m);
    return answer(reply, 'hangup', req.params.memberId);
  });

  // Kick: out of the room, the call goes on with its document (action, or the next element).
  app.post<{ Params: MemberParams }>(`${base}/:name/Member/:memberId/Kick/`, async (req, reply) => {
    for (const m of membersOf(rooms, req)) rooms.depart(m, 'kicked');
    return answer(reply, 'kicked', req.params.memberId);
  });

  const toggle = (path: string, message: string, set: (m: ConferenceMember, on: boolean) => void) => {
    app.post<{ Params: MemberParams }>(`${base}/:name/Member/:memberId/${path}/`, async (req, reply) => {
      for (const m of membersOf(rooms, req)) set(m, true);
      return answer(reply, message, req.params.memberId);
    });
    app.delete<{ Params: MemberParams }>(`${base}/:name/Member/:memberId/${path}/`, async (req, reply) => {
      for (const m of membersOf(rooms, req)) set(m, false);
      return reply.code(204).send();
    });
  };
  toggle('Mute', 'muted', (m, on) => (m.muted = on));
  toggle('Deaf', 'deaf', (m, on) => (m.deaf = on));

  // Play and Speak into the room for these members: on the simulated network only their state shows.
  app.post<{ Params: MemberParams }>(`${base}/:name/Member/:memberId/Play/`, async (req, reply) => {
    reqString(asParams(req.body), 'url');
    const url = optUrl(asParams(req.body), 'url');
    for (const m of membersOf(rooms, req)) m.playing = url;
    return answer(reply, 'play queued into conference', req.params.memberId);
  });
  app.delete<{ Params: MemberParams }>(`${base}/:name/Member/:memberId/Play/`, async (req, reply) => {
    for (const m of membersOf(rooms, req)) m.playing = undefined;
    return answer(reply, 'playing in conference stopped', req.params.memberId, 200);
  });
  app.post<{ Params: MemberParams }>(`${base}/:name/Member/:memberId/Speak/`, async (req, reply) => {
    const text = reqString(asParams(req.body), 'text');
    for (const m of membersOf(rooms, req)) m.speaking = text;
    return answer(reply, 'speak queued into conference', req.params.memberId);
  });
  app.delete<{ Params: MemberParams }>(`${base}/:name/Member/:memberId/Speak/`, async (req, reply) => {
    for (const m of membersOf(rooms, req)) m.speaking = undefined;
    return answer(reply, 'speak stopped', req.params.memberId, 200);
  });

  /** Record the room: 202 `{api_id, message, recording_id, url}`; the callback_url gets the recording when it ends. */
  app.post<{ Params: RoomParams }>(`${base}/:name/Record/`, async (req, reply) => {
    const p = asParams(req.body);
    const format = optOneOf(p, 'file_format', ['mp3', 'wav'] as const) ?? 'mp3';
    const callbackUrl = optUrl(p, 'callback_url');
    const callbackMethod = method(p, 'callback_method');
    const room = roomOf(rooms, req);
    const recordings = ctx.recordings;
    if (!recordings) throw conflict('this engine keeps no recordings');
    // A second start while the room is being recorded answers the recording that runs.
    if (room.recording) return reply.code(202).send({ api_id: newId(), message: 'conference recording started', recording_id: room.recording.id, url: room.recording.url });
    const [first] = room.list();
    const session = first && ctx.calls.session(first.call.uuid);
    const apiId = newId();
    const rec = recordings.start(first!.call.row(), {
      format,
      conference: { uuid: room.uuid, name: room.name },
      onDone: (done) => {
        if (!callbackUrl || !session) return;
        session.journal.record({
          callUuid: session.uuid,
          at: done.endMs,
          type: 'webhook.conference_record_callback',
          deliveries: [session.delivery('conference_record_callback', 'Conference', callbackUrl, callbackMethod, conferenceRecordApiCallbackParams(apiId, room.name, done))],
        });
      },
    });
    room.recording = rec;
    return reply.code(202).send({ api_id: apiId, message: 'conference recording started', recording_id: rec.id, url: rec.url });
  });

  app.delete<{ Params: RoomParams }>(`${base}/:name/Record/`, async (req, reply) => {
    const room = roomOf(rooms, req);
    await room.recording?.stop();
    return reply.code(204).send();
  });
}

function visible(rooms: Conferences, account: Account): ConferenceRoom[] {
  const scope = scopeOf(account);
  return rooms.all().filter((r) => scope === undefined || r.accountId === scope);
}

function roomOf(rooms: Conferences, req: { params: RoomParams; account?: Account }): ConferenceRoom {
  const room = rooms.room(scopeOf(req.account) ?? null, req.params.name);
  if (!room || !canSee(req.account, room.accountId)) throw notFound('conference', req.params.name);
  return room;
}

/** `all`, one id, or ids separated by commas; an id that is not in the room is a 404. */
function membersOf(rooms: Conferences, req: { params: MemberParams; account?: Account }): ConferenceMember[] {
  const room = roomOf(rooms, req);
  const wanted = req.params.memberId.trim();
  if (wanted === 'all') return room.list();
  const out: ConferenceMember[] = [];
  for (const id of wanted.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = room.members.get(id);
    if (!m) throw notFound('conference member', `${id} in ${room.name}`);
    out.push(m);
  }
  if (out.length === 0) throw notFound('conference member', wanted);
  return out;
}

function answer(reply: FastifyReply, message: string, memberId: string, status = 202): FastifyReply {
  return reply.code(status).send({ message, member_id: memberId, api_id: newId() });
}
