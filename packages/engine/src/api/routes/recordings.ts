/**
 * Recordings (docs/api.md "Recording"): Plivo's Recording API (list with its filters, get,
 * delete), the live-call `Call/{uuid}/Record/` (POST starts, DELETE stops; plivo.md §1.7) and the
 * files themselves at `/media/Recording/{id}.{mp3|wav}`, public as Plivo's media URLs are by
 * default: the id is a random UUID (docs/security.md).
 */
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { newId } from '../../util/ids.ts';
import { formatTime, parseFilterTime } from '../../util/time.ts';
import { canSee, scopeOf } from '../../accounts/ownership.ts';
import type { RecordingRow, RecordingFilter } from '../../store/recording-store.ts';
import type { Recordings } from '../../calls/recordings.ts';
import { CONTENT_TYPE } from '../../calls/recording-audio.ts';
import { recordApiCallbackParams } from '../../webhooks/params.ts';
import type { ApiContext } from '../api-context.ts';
import { conflict, invalidParam, notFound } from '../errors.ts';
import { asParams, int, method, optInt, optOneOf, optString, optUrl, show, type Params } from '../params/coerce.ts';
import { buildMeta, DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT, type Query } from '../params/list-calls.ts';
import { META, methodParam, NO_CONTENT, PAGING, urlParam } from '../openapi-schemas.ts';
import type { RouteSchema } from '../openapi.ts';

/** The recordings folder: `recordings/` beside a SQLite file, `./data/recordings` for PostgreSQL. */
export function recordingsDir(dbPath: string): string {
  if (/^postgres(ql)?:\/\//.test(dbPath) || dbPath === ':memory:') return join('data', 'recordings');
  return join(dirname(dbPath), 'recordings');
}

/** Plivo's Recording object (its API reference and the SDK's RetrieveRecordingResponse). */
export function recordingView(r: RecordingRow, authId: string, recordings: Recordings): Record<string, unknown> {
  const durationMs = r.recording_end_ms - r.recording_start_ms;
  return {
    add_time: addTime(r.add_time),
    call_uuid: r.call_uuid,
    conference_name: r.conference_name,
    from_number: r.from_number.replace(/^\+/, ''),
    to_number: r.to_number.replace(/^\+/, ''),
    // Plivo writes these as decimals with five places ("345100.00000").
    recording_duration_ms: durationMs.toFixed(5),
    recording_start_ms: r.recording_start_ms.toFixed(5),
    recording_end_ms: r.recording_end_ms.toFixed(5),
    recording_format: r.recording_format,
    recording_id: r.recording_id,
    recording_type: r.recording_type,
    recording_url: recordings.urlOf(r.recording_id, r.recording_format),
    resource_uri: `/v1/Account/${authId}/Recording/${r.recording_id}/`,
    // Storage costs nothing here; the rounding is Plivo's (to the minute, at least one).
    rounded_recording_duration: Math.max(60, Math.ceil(durationMs / 60_000) * 60),
    recording_storage_duration: 1,
    recording_storage_rate: '0.00000',
    monthly_recording_storage_amount: '0.00000',
  };
}

type RecParams = { authId: string; recordingId: string };

// The schemas document each route (api/openapi.ts); the handlers parse with api/params/coerce.ts.
const RECORDING = {
  title: 'Recording',
  type: 'object',
  required: ['add_time', 'call_uuid', 'recording_id', 'recording_format', 'recording_url', 'recording_duration_ms', 'resource_uri'],
  properties: {
    api_id: { type: 'string' },
    add_time: { type: 'string', description: 'YYYY-MM-DD HH:MM:SS.ffffff+00:00' },
    call_uuid: { type: 'string' },
    conference_name: { type: ['string', 'null'] },
    from_number: { type: 'string' },
    to_number: { type: 'string' },
    recording_duration_ms: { type: 'string', description: 'Milliseconds, with five decimals' },
    recording_start_ms: { type: 'string' },
    recording_end_ms: { type: 'string' },
    recording_format: { type: 'string', enum: ['mp3', 'wav'] },
    recording_id: { type: 'string' },
    recording_type: { type: 'string' },
    recording_url: { type: 'string', description: 'GET /media/Recording/{id}.{format}, public' },
    resource_uri: { type: 'string' },
    rounded_recording_duration: { type: 'integer' },
    recording_storage_duration: { type: 'integer' },
    recording_storage_rate: { type: 'string' },
    monthly_recording_storage_amount: { type: 'string' },
  },
} as const;
const timeFilter = { type: 'string', description: 'YYYY-MM-DD HH:MM[:SS[.ffffff]], UTC' } as const;
const LIST_RECORDINGS: RouteSchema = {
  summary: "The account's recordings, newest first",
  operationId: 'listRecordings',
  querystring: {
    type: 'object',
    properties: {
      call_uuid: { type: 'string' },
      ...Object.fromEntries(['', '__gt', '__gte', '__lt', '__lte'].map((op) => [`add_time${op}`, timeFilter])),
      ...PAGING,
    },
  },
  response: {
    200: { title: 'RecordingList', type: 'object', required: ['api_id', 'meta', 'objects'], properties: { api_id: { type: 'string' }, meta: META, objects: { type: 'array', items: RECORDING } } },
  },
};
const START_RECORDING: RouteSchema = {
  summary: 'Record a live call (plivo.md §1.7)',
  operationId: 'recordCall',
  body: {
    title: 'RecordParams',
    type: 'object',
    properties: {
      time_limit: { type: 'integer', minimum: 1, maximum: 86400, default: 60 },
      file_format: { type: 'string', enum: ['mp3', 'wav'], default: 'mp3' },
      callback_url: urlParam,
      callback_method: methodParam,
      transcription_type: { type: 'string', description: 'Accepted; nothing is transcribed' },
      transcription_url: urlParam,
    },
    examples: [{ time_limit: 30, file_format: 'wav' }],
  },
  response: {
    202: {
      type: 'object',
      required: ['api_id', 'message', 'recording_id', 'url'],
      properties: { api_id: { type: 'string' }, message: { type: 'string' }, recording_id: { type: 'string' }, url: { type: 'string' } },
    },
  },
};
const STOP_RECORDING: RouteSchema = {
  summary: "Stop a call's recordings (all, or the one whose URL is given)",
  body: { type: 'object', properties: { URL: { type: 'string', description: 'The recording to stop (its url)' } } },
  response: { 204: NO_CONTENT },
};
const MEDIA: RouteSchema = {
  summary: "A recording's audio: its RecordUrl, public as Plivo's media URLs are (docs/security.md)",
  tags: ['Recording'],
  params: { type: 'object', properties: { file: { type: 'string', pattern: '^[0-9a-f-]{36}\\.(mp3|wav)$', description: '{recording_id}.{mp3|wav}' } } },
  response: {
    200: { description: 'The audio file', content: { 'audio/mpeg': { schema: { type: 'string', contentEncoding: 'binary' } }, 'audio/wav': { schema: { type: 'string', contentEncoding: 'binary' } } } },
  },
};
type CallParams = { authId: string; callUuid: string };

export function recordingRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const recordings = ctx.recordings;
  if (!recordings) return;
  const base = '/v1/Account/:authId/Recording';

  app.get<{ Params: { authId: string }; Querystring: Query }>(`${base}/`, { schema: LIST_RECORDINGS }, async (req) => {
    const q = req.query as Params;
    const limit = int(q, 'limit', DEFAULT_LIST_LIMIT, { min: 1, max: MAX_LIST_LIMIT });
    const offset = int(q, 'offset', 0, { min: 0 });
    const f: RecordingFilter = { limit, offset, addTime: addTimeFilter(q) };
    const account = scopeOf(req.account);
    if (account !== undefined) f.account = account;
    const callUuid = optString(q, 'call_uuid');
    if (callUuid !== undefined) f.callUuid = callUuid;
    const { rows, total } = await recordings.list(f);
    return {
      api_id: newId(),
      meta: buildMeta({ authId: req.params.authId, query: req.query, limit, offset, totalCount: total, resource: 'Recording' }),
      objects: rows.map((r) => recordingView(r, req.params.authId, recordings)),
    };
  });

  const mine = async (req: { params: RecParams; account?: Parameters<typeof canSee>[0] }): Promise<RecordingRow> => {
    const row = await recordings.get(req.params.recordingId);
    if (!row || !canSee(req.account, row.account_id)) throw notFound('recording', req.params.recordingId);
    return row;
  };

  app.get<{ Params: RecParams }>(`${base}/:recordingId/`, { schema: { summary: 'One recording', operationId: 'getRecording', response: { 200: RECORDING } } as RouteSchema }, async (req) => ({ api_id: newId(), ...recordingView(await mine(req), req.params.authId, recordings) }));

  app.delete<{ Params: RecParams }>(`${base}/:recordingId/`, { schema: { summary: 'Delete a recording and its file', response: { 204: NO_CONTENT } } as RouteSchema }, async (req, reply) => {
    await recordings.delete(await mine(req));
    return reply.code(204).send();
  });

  // The file behind a RecordUrl. Public: whoever holds the URL may play it, as with Plivo's media URLs.
  app.get<{ Params: { file: string } }>('/media/Recording/:file', { config: { access: 'public' }, schema: MEDIA }, async (req, reply) => {
    const m = /^([0-9a-f-]{36})\.(mp3|wav)$/.exec(req.params.file);
    const body = m ? recordings.file(m[1]!, m[2]!) : undefined;
    if (!m || !body) throw notFound('recording file', req.params.file);
    return reply.header('content-type', CONTENT_TYPE[m[2] as 'mp3' | 'wav']).header('cache-control', 'private, max-age=3600').send(body);
  });

  const callBase = '/v1/Account/:authId/Call/:callUuid/Record';

  /** Start: 202 `{url, message: 'call recording started', recording_id, api_id}` (plivo.md §1.7). */
  app.post<{ Params: CallParams }>(`${callBase}/`, { schema: START_RECORDING }, async (req, reply) => {
    const p = asParams(req.body);
    const timeLimit = optInt(p, 'time_limit', { min: 1, max: 86_400 }) ?? 60;
    const format = optOneOf(p, 'file_format', ['mp3', 'wav'] as const) ?? 'mp3';
    const callbackUrl = optUrl(p, 'callback_url');
    const callbackMethod = method(p, 'callback_method');
    if (optString(p, 'transcription_type') !== undefined || optUrl(p, 'transcription_url') !== undefined) {
      // Accepted as Plivo accepts it; there is no transcription here (docs/api.md).
    }
    const session = ctx.calls.session(req.params.callUuid);
    if (!session || session.leg.ended || !canSee(req.account, session.row.account_id)) throw notFound('live call', req.params.callUuid);
    if (!session.leg.answered) throw conflict(`call ${req.params.callUuid}: not answered yet; only an answered call can be recorded`);
    const apiId = newId();
    const rec = recordings.start(session.row, {
      format,
      timeLimitS: timeLimit,
      onDone: (done) => {
        if (!callbackUrl) return;
        const uuid = session.uuid;
        session.journal.record({
          callUuid: uuid,
          at: done.endMs,
          type: 'webhook.record_callback',
          deliveries: [session.delivery('record_callback', 'Record', callbackUrl, callbackMethod, recordApiCallbackParams(uuid, apiId, done))],
        });
      },
    });
    session.journal.record({ callUuid: session.uuid, at: ctx.clock.now(), type: 'recording.started', data: { recording_id: rec.id, format, time_limit: timeLimit } });
    return reply.code(202).send({ url: rec.url, message: 'call recording started', recording_id: rec.id, api_id: apiId });
  });

  /** Stop: every recording of the call, or the one whose `URL` is given; 204. */
  app.delete<{ Params: CallParams }>(`${callBase}/`, { schema: STOP_RECORDING }, async (req, reply) => {
    const p = asParams(req.body);
    const url = optString(p, 'URL') ?? optString(p, 'url');
    const session = ctx.calls.session(req.params.callUuid);
    if (!session || session.leg.ended || !canSee(req.account, session.row.account_id)) throw notFound('live call', req.params.callUuid);
    const running = recordings.running(session.uuid).filter((r) => url === undefined || r.url === url);
    await Promise.all(running.map((r) => r.stop()));
    return reply.code(204).send();
  });
}

const BOUNDS = [
  ['', '='],
  ['__gt', '>'],
  ['__gte', '>='],
  ['__lt', '<'],
  ['__lte', '<='],
  ['_gt', '>'],
  ['_gte', '>='],
  ['_lt', '<'],
  ['_lte', '<='],
] as const;

/** `add_time`, `add_time__gt` ... (and the SDK's collapsed `add_time_gt`), as the call list reads end_time. */
function addTimeFilter(q: Params): NonNullable<RecordingFilter['addTime']> {
  const out: NonNullable<RecordingFilter['addTime']> = [];
  for (const [suffix, op] of BOUNDS) {
    const name = `add_time${suffix}`;
    const s = optString(q, name);
    if (s === undefined) continue;
    const ms = parseFilterTime(s);
    if (ms === undefined) throw invalidParam(name, `must be a UTC time like YYYY-MM-DD HH:MM[:SS[.ffffff]] (got ${show(s)})`);
    out.push({ op, ms });
  }
  return out;
}

/** Plivo's `add_time` has microseconds (`2020-08-05 16:15:15.852059+05:30`); the clock counts ms. */
function addTime(ms: number): string {
  const micros = String(((ms % 1000) + 1000) % 1000).padStart(3, '0') + '000';
  return formatTime(ms).replace('+00:00', `.${micros}+00:00`);
}
