/**
 * `<Record>` and recordings on the simulated network (docs/xml.md "Record", docs/api.md
 * "Recording"): a recording's length is the caller's behaviour (hangup, a finishOnKey key,
 * maxLength), the action and callbackUrl carry Plivo's parameters, RecordUrl downloads a file of
 * the recorded length, and the Recording API and live-call Record work, also through `plivo`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import plivo from 'plivo';
import { AUTH_ID, AUTH_TOKEN, startHarness, type Harness } from './support/harness.ts';
import { reroutePlivo } from './support/plivo-reroute.ts';
import { MP3_FRAME_MS } from '../src/calls/recording-audio.ts';

/** Seconds of audio in a file we serve: WAV from its data size, MP3 from its frame count. */
function seconds(body: Buffer, format: 'wav' | 'mp3'): number {
  if (format === 'wav') {
    assert.equal(body.toString('ascii', 0, 4), 'RIFF');
    assert.equal(body.toString('ascii', 8, 12), 'WAVE');
    return body.readUInt32LE(40) / 16000;
  }
  assert.equal(body[0], 0xff);
  assert.equal(body[1], 0xfb);
  assert.equal(body.length % 144, 0);
  return ((body.length / 144) * MP3_FRAME_MS) / 1000;
}

async function download(url: string): Promise<{ status: number; type: string | null; body: Buffer }> {
  const res = await fetch(url);
  return { status: res.status, type: res.headers.get('content-type'), body: Buffer.from(await res.arrayBuffer()) };
}

const REC_KEYS = ['RecordingDuration', 'RecordingDurationMs', 'Digits', 'Event', 'CallStatus'] as const;

describe('<Record>', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  test('a voicemail: the caller hangs up after 12 s; action, callback and hangup in order, the WAV is 12 s long', async () => {
    await h.sim('15558880001', 'ring 1s, answer, hangup after 12s');
    h.app.on('/answer', () => `<Response><Record action="${h.app.url('/vm-action')}" fileFormat="wav" maxLength="60" callbackUrl="${h.app.url('/vm-ready')}"/></Response>`);
    const made = await h.call({ to: '15558880001' });
    assert.equal(made.status, 201);
    await h.settle();
    const paths = h.app.requests().map((r) => r.path).filter((p) => p !== '/ring');
    assert.deepEqual(paths, ['/answer', '/vm-action', '/vm-ready', '/hangup']);
    const [action] = h.app.requests('/vm-action');
    const [ready] = h.app.requests('/vm-ready');
    assert.equal(h.at(action!), 13);
    assert.deepEqual({ ...Object.fromEntries(REC_KEYS.map((k) => [k, action!.params[k]])) }, {
      RecordingDuration: '12', RecordingDurationMs: '12000', Digits: '', Event: 'Redirect', CallStatus: 'completed',
    });
    const start = Number(action!.params.RecordingStartMs);
    assert.equal(Number(action!.params.RecordingEndMs) - start, 12000);
    assert.match(action!.params.RecordingID!, /^[0-9a-f-]{36}$/);
    assert.equal(action!.params.RecordUrl, `${h.base}/media/Recording/${action!.params.RecordingID}.wav`);
    for (const k of ['RecordUrl', 'RecordingID', 'RecordingDuration', 'RecordingDurationMs', 'RecordingStartMs', 'RecordingEndMs', 'CallUUID']) {
      assert.equal(ready!.params[k], action!.params[k], k);
    }
    assert.equal(ready!.params.Event, 'Record');
    const file = await download(action!.params.RecordUrl!);
    assert.equal(file.status, 200);
    assert.equal(file.type, 'audio/wav');
    assert.ok(Math.abs(seconds(file.body, 'wav') - 12) <= 0.1, `${seconds(file.body, 'wav')} s`);
  });

  test('finishOnKey ends it at the key (Digits=#); redirect runs the action\'s XML; the MP3 is 8 s long', async () => {
    await h.sim('15558880002', 'ring 1s, answer, digits 5# after 8s, hangup after 60s');
    h.app.on('/answer-key', () => `<Response><Record action="${h.app.url('/key-action')}" finishOnKey="#"/><Speak>never</Speak></Response>`);
    h.app.on('/key-action', () => '<Response><Hangup/></Response>');
    const t0 = h.t();
    await h.call({ to: '15558880002', answer_url: h.app.url('/answer-key'), hangup_url: h.app.url('/hangup-key') });
    const [hangup] = await h.waitFor('/hangup-key');
    const [action] = h.app.requests('/key-action');
    assert.equal(Math.round(h.at(action!) - t0), 9);
    assert.equal(action!.params.Digits, '#');
    assert.equal(action!.params.RecordingDurationMs, '8000');
    assert.equal(hangup!.params.HangupCauseName, 'Normal Hangup');
    const file = await download(action!.params.RecordUrl!);
    assert.equal(file.type, 'audio/mpeg');
    assert.ok(Math.abs(seconds(file.body, 'mp3') - 8) <= 0.1);
  });

  test('maxLength ends it; redirect="false" notifies the action and the document goes on', async () => {
    await h.sim('15558880003', 'ring 1s, answer, hangup after 60s');
    h.app.on('/answer-max', () => `<Response><Record action="${h.app.url('/max-action')}" redirect="false" maxLength="5"/><Hangup/></Response>`);
    await h.call({ to: '15558880003', answer_url: h.app.url('/answer-max'), hangup_url: h.app.url('/hangup-max') });
    const [hangup] = await h.waitFor('/hangup-max');
    const [action] = h.app.requests('/max-action');
    assert.equal(action!.params.RecordingDuration, '5');
    assert.equal(action!.params.Digits, '');
    assert.equal(hangup!.params.Duration, '5');
  });

  test('Recording API and live-call Record through the official plivo package', async () => {
    await h.sim('15558880004', 'ring 1s, answer, hangup after 60s');
    h.app.on('/answer-api', () => '<Response><Wait length="50"/></Response>');
    await h.call({ to: '15558880004', answer_url: h.app.url('/answer-api') });
    const [answer] = await h.waitFor('/answer-api');
    const uuid = answer!.params.CallUUID!;
    const r: Record<string, any> = {};
    const t0 = h.t();
    h.runAt(t0 + 2, async () => {
      r.raw = await h.api('POST', `Call/${uuid}/Record/`, { file_format: 'wav', callback_url: h.app.url('/api-rec'), time_limit: '3' });
      const reroute = reroutePlivo(h.base);
      try {
        const client = new plivo.Client(AUTH_ID, AUTH_TOKEN);
        r.sdk = await client.calls.record(uuid, {});
      } finally {
        reroute.restore();
      }
    });
    h.runAt(t0 + 10, async () => {
      const reroute = reroutePlivo(h.base);
      try {
        const client = new plivo.Client(AUTH_ID, AUTH_TOKEN);
        r.stop = await client.calls.stopRecording(uuid, {});
        r.list = await client.recordings.list({ call_uuid: uuid });
        r.get = await client.recordings.get(r.sdk.recordingId);
        r.del = await client.recordings.delete(r.raw.body.recording_id);
        r.after = await client.recordings.list({ call_uuid: uuid });
      } finally {
        reroute.restore();
      }
      await h.api('DELETE', `Call/${uuid}/`);
    });
    await h.settle();
    assert.equal(r.raw.status, 202);
    assert.deepEqual(Object.keys(r.raw.body).sort(), ['api_id', 'message', 'recording_id', 'url']);
    assert.equal(r.raw.body.message, 'call recording started');
    assert.equal(r.raw.body.url, `${h.base}/media/Recording/${r.raw.body.recording_id}.wav`);
    assert.equal(r.sdk.message, 'call recording started');
    // time_limit=3 stopped the first; the callback has the API's snake_case parameters.
    const [cb] = h.app.requests('/api-rec');
    assert.equal(Math.round(h.at(cb!) - t0), 5);
    assert.deepEqual(
      { api_id: cb!.params.api_id, call_uuid: cb!.params.call_uuid, recording_id: cb!.params.recording_id, record_url: cb!.params.record_url, recording_duration: cb!.params.recording_duration, recording_duration_ms: cb!.params.recording_duration_ms },
      { api_id: r.raw.body.api_id, call_uuid: uuid, recording_id: r.raw.body.recording_id, record_url: r.raw.body.url, recording_duration: '3', recording_duration_ms: '3000' },
    );
    assert.ok(r.stop);
    assert.equal(r.list.length, 2);
    assert.equal(r.list.meta.total_count ?? r.list.meta.totalCount, 2);
    // Stopped by the API at +10 s: 8 s of MP3 (the default format).
    assert.equal(r.get.recordingFormat, 'mp3');
    assert.equal(r.get.recordingDurationMs, '8000.00000');
    assert.equal(r.get.callUuid, uuid);
    assert.equal(r.get.recordingType, 'normal');
    assert.equal(r.del, true);
    assert.equal(r.after.length, 1);
    assert.equal((await download(r.raw.body.url)).status, 404);
    assert.equal((await h.api('GET', `Recording/${r.raw.body.recording_id}/`)).status, 404);
    // Not a live call any more.
    assert.equal((await h.api('POST', `Call/${uuid}/Record/`, {})).status, 404);
  });
});
