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
import { MESSAGE_RESPONSE, methodParam, NO_CONTENT, urlParam } from '../openapi-schemas.ts';
import type { RouteSchema } from '../openapi.ts';

// The schemas document each route (api/openapi.ts); the handlers parse with api/params/coerce.ts.
// The answers are the handlers' below, in the shapes of Plivo's recorded responses.
const ROOM_PARAMS = { type: 'object', properties: { name: { type: 'string', description: "The room's name, as <Conference> gave it" } } } as const;
const MEMBER_PARAMS = {
  type: 'object',
  properties: {
    ...ROOM_PARAMS.properties,
    memberId: { type: 'string', description: 'A member id, several separated by commas, or all' },
  },
} as const;
const CONFERENCE_MEMBER = {
  title: 'ConferenceMember',
  type: 'object',
  required: ['muted', 'member_id', 'deaf', 'from', 'to', 'caller_name', 'direction', 'call_uuid', 'join_time'],
  properties: {
    muted: { type: 'boolean' },
    member_id: { type: 'string' },
    deaf: { type: 'boolean' },
    from: { type: 'string', description: 'Digits only, or a sip: URI' },
    to: { type: 'string', description: 'Digits only, or a sip: URI' },
    caller_name: { type: 'string' },
    direction: { type: 'string', enum: ['inbound', 'outbound'] },
    call_uuid: { type: 'string' },
    join_time: { type: 'string', description: 'Seconds since the member entered' },
  },
} as const;
const CONFERENCE = {
  title: 'Conference',
  type: 'object',
  required: ['api_id', 'conference_name', 'conference_run_time', 'conference_member_count', 'members', 'conference_uuid'],
  properties: {
    api_id: { type: 'string' },
    conference_name: { type: 'string' },
    conference_run_time: { type: 'string', description: 'Seconds since the room opened' },
    conference_member_count: { type: 'string' },
    members: { type: 'array', items: CONFERENCE_MEMBER },
    conference_uuid: { type: 'string', description: "Switchboard's addition: the room's ConferenceUUID, as its callbacks name it" },
  },
} as const;
const MEMBER_RESPONSE = {
  title: 'ConferenceMemberResponse',
  type: 'object',
  required: ['message', 'member_id', 'api_id'],
  properties: { message: { type: 'string' }, member_id: { type: 'string', description: 'As the path gave it' }, api_id: { type: 'string' } },
} as const;
const LIST_CONFERENCES: RouteSchema = {
  summary: "The names of the account's live rooms",
  operationId: 'listConferences',
  response: {
    200: { title: 'ConferenceList', type: 'object', required: ['api_id', 'conferences'], properties: { api_id: { type: 'string' }, conferences: { type: 'array', items: { type: 'string' } } } },
  },
};
const HANGUP_ALL: RouteSchema = { summary: "End every live room of the account (its members' calls go on)", operationId: 'hangupAllConferences', response: { 200: MESSAGE_RESPONSE } };
const GET_CONFERENCE: RouteSchema = { summary: 'A live room and its members', operationId: 'getConference', params: ROOM_PARAMS, response: { 200: CONFERENCE } };
const HANGUP_CONFERENCE: RouteSchema = { summary: "End a live room (its members' calls go on)", operationId: 'hangupConference', params: ROOM_PARAMS, response: { 200: MESSAGE_RESPONSE } };
/** A member request: 202 (or 200, 204) as the handler answers it. */
const memberOp = (summary: string, operationId: string, status: 200 | 202 | 204, body?: object): RouteSchema => ({
  summary,
  operationId,
  params: MEMBER_PARAMS,
  ...(body ? { body } : {}),
  response: { [status]: status === 204 ? NO_CONTENT : MEMBER_RESPONSE },
});
const PLAY_BODY = {
  title: 'ConferencePlayParams',
  type: 'object',
  required: ['url'],
  properties: { url: { ...urlParam, description: 'The audio to play to the members' } },
  examples: [{ url: 'http://127.0.0.1:3000/hold-music.mp3' }],
} as const;
const SPEAK_BODY = {
  title: 'ConferenceSpeakParams',
  type: 'object',
  required: ['text'],
  properties: { text: { type: 'string', description: 'What to say to the members' } },
  examples: [{ text: 'The meeting ends in five minutes' }],
} as const;
const RECORD_CONFERENCE: RouteSchema = {
  summary: 'Record a live room; the callback_url gets the recording when it ends (a second start answers the running one)',
  operationId: 'recordConference',
  params: ROOM_PARAMS,
  body: {
    title: 'ConferenceRecordParams',
    type: 'object',
    properties: {
      file_format: { type: 'string', enum: ['mp3', 'wav'], default: 'mp3' },
      callback_url: urlParam,
      callback_method: methodParam,
    },
    examples: [{ file_format: 'wav' }],
  },
  response: {
    202: {
      title: 'ConferenceRecordResponse',
      type: 'object',
      required: ['api_id', 'message', 'recording_id', 'url'],
      properties: { api_id: { type: 'string' }, message: { type: 'string' }, recording_id: { type: 'string' }, url: { type: 'string' } },
    },
  },
};
const STOP_RECORDING: RouteSchema = { summary: "Stop a room's recording", operationId: 'stopRecordingConference', params: ROOM_PARAMS, response: { 204: NO_CONTENT } };

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

  app.get(`${base}/`, { schema: LIST_CONFERENCES }, async (req) => ({
    api_id: newId(),
    conferences: visible(rooms, req.account).map((r) => r.name),
  }));

  // Hang up every room the account sees (Plivo's "hang up all conferences").
  app.delete(`${base}/`, { schema: HANGUP_ALL }, async (req) => {
    for (const room of visible(rooms, req.account)) rooms.end(room, 'conference-ended');
    return { message: 'all conferences hung up', api_id: newId() };
  });

  app.get<{ Params: RoomParams }>(`${base}/:name/`, { schema: GET_CONFERENCE }, async (req) => ({ api_id: newId(), ...conferenceView(roomOf(rooms, req), now()) }));

  app.delete<{ Params: RoomParams }>(`${base}/:name/`, { schema: HANGUP_CONFERENCE }, async (req) => {
    rooms.end(roomOf(rooms, req), 'conference-ended');
    return { message: 'conference hung up', api_id: newId() };
  });

  // Hang up the member's call (the SDK's hangupMember).
  app.delete<{ Params: MemberParams }>(`${base}/:name/Member/:memberId/`, { schema: memberOp("Hang up the members' calls", 'hangupConferenceMember', 202) }, async (req, reply) => {
    const members = membersOf(rooms, req);
    for (const m of members) rooms.hangupMember(m);
    return answer(reply, 'hangup', req.params.memberId);
  });

  // Kick: out of the room, the call goes on with its document (action, or the next element).
  app.post<{ Params: MemberParams }>(`${base}/:name/Member/:memberId/Kick/`, { schema: memberOp('Kick members out of the room; their calls go on with their documents', 'kickConferenceMember', 202) }, async (req, reply) => {
    for (const m of membersOf(rooms, req)) rooms.depart(m, 'kicked');
    return answer(reply, 'kicked', req.params.memberId);
  });

  const toggle = (path: string, message: string, set: (m: ConferenceMember, on: boolean) => void) => {
    const what = path.toLowerCase();
    app.post<{ Params: MemberParams }>(`${base}/:name/Member/:memberId/${path}/`, { schema: memberOp(`${path} members`, `${what}ConferenceMember`, 202) }, async (req, reply) => {
      for (const m of membersOf(rooms, req)) set(m, true);
      return answer(reply, message, req.params.memberId);
    });
    app.delete<{ Params: MemberParams }>(`${base}/:name/Member/:memberId/${path}/`, { schema: memberOp(`Un${what} members`, `un${what}ConferenceMember`, 204) }, async (req, reply) => {
      for (const m of membersOf(rooms, req)) set(m, false);
      return reply.code(204).send();
    });
  };
  toggle('Mute', 'muted', (m, on) => (m.muted = on));
  toggle('Deaf', 'deaf', (m, on) => (m.deaf = on));

  // Play and Speak into the room for these members: on the simulated network only their state shows.
  app.post<{ Params: MemberParams }>(`${base}/:name/Member/:memberId/Play/`, { schema: memberOp('Play audio to members', 'playToConferenceMember', 202, PLAY_BODY) }, async (req, reply) => {
    reqString(asParams(req.body), 'url');
    const url = optUrl(asParams(req.body), 'url');
    for (const m of membersOf(rooms, req)) m.playing = url;
    return answer(reply, 'play queued into conference', req.params.memberId);
  });
  app.delete<{ Params: MemberParams }>(`${base}/:name/Member/:memberId/Play/`, { schema: memberOp('Stop playing to members', 'stopPlayToConferenceMember', 200) }, async (req, reply) => {
    for (const m of membersOf(rooms, req)) m.playing = undefined;
    return answer(reply, 'playing in conference stopped', req.params.memberId, 200);
  });
  app.post<{ Params: MemberParams }>(`${base}/:name/Member/:memberId/Speak/`, { schema: memberOp('Speak text to members', 'speakToConferenceMember', 202, SPEAK_BODY) }, async (req, reply) => {
    const text = reqString(asParams(req.body), 'text');
    for (const m of membersOf(rooms, req)) m.speaking = text;
    return answer(reply, 'speak queued into conference', req.params.memberId);
  });
  app.delete<{ Params: MemberParams }>(`${base}/:name/Member/:memberId/Speak/`, { schema: memberOp('Stop speaking to members', 'stopSpeakToConferenceMember', 200) }, async (req, reply) => {
    for (const m of membersOf(rooms, req)) m.speaking = undefined;
    return answer(reply, 'speak stopped', req.params.memberId, 200);
  });

  /** Record the room: 202 `{api_id, message, recording_id, url}`; the callback_url gets the recording when it ends. */
  app.post<{ Params: RoomParams }>(`${base}/:name/Record/`, { schema: RECORD_CONFERENCE }, async (req, reply) => {
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

  app.delete<{ Params: RoomParams }>(`${base}/:name/Record/`, { schema: STOP_RECORDING }, async (req, reply) => {
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
