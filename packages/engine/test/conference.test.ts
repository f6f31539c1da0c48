/**
 * `<Conference>` and the Conference API on the simulated network (docs/conference.md): rooms per
 * account, Plivo's callback and action parameters in each call's order, endConferenceOnExit, a
 * full room, a kicked member, a recorded conference, a voicemail after a Dial nobody answered,
 * and the official `plivo` package's `conferences.*`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import plivo from 'plivo';
import { AUTH_ID, AUTH_TOKEN, pick, startHarness, type Harness } from './support/harness.ts';
import { reroutePlivo } from './support/plivo-reroute.ts';
import type { CapturedRequest } from './support/app-server.ts';
import { silenceEndsAt } from '../src/interpreter/silence.ts';
import { parseScript } from '../src/network/simulated/index.ts';
import { formatStep } from '../src/network/simulated/script-format.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../src/store/open-store.ts';

/** Seconds of audio in a WAV file we serve (16 kB a second). */
function wavSeconds(body: Buffer): number {
  assert.equal(body.toString('ascii', 0, 4), 'RIFF');
  return body.readUInt32LE(40) / 16000;
}

async function download(url: string): Promise<{ status: number; body: Buffer }> {
  const res = await fetch(url);
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()) };
}

const CB_KEYS = ['ConferenceAction', 'ConferenceName', 'ConferenceUUID', 'ConferenceMemberID', 'CallUUID'] as const;

/** The callbacks one call got, as [action, member id]. */
function actionsOf(reqs: CapturedRequest[], callUuid: string): string[] {
  return reqs.filter((r) => r.params.CallUUID === callUuid).map((r) => `${r.params.ConferenceAction}:${r.params.ConferenceMemberID}`);
}

describe('<Conference>', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  test('two callers meet; the first leaves with endConferenceOnExit and the room ends for the second', async () => {
    await h.sim('15557700001', 'ring 1s, answer, hangup after 20s');
    await h.sim('15557700002', 'ring 1s, answer, hangup after 60s');
    h.app.on('/ans-a', () => `<Response><Conference endConferenceOnExit="true" callbackUrl="${h.app.url('/cb')}">Room 1</Conference></Response>`);
    h.app.on('/ans-b', () => `<Response><Conference callbackUrl="${h.app.url('/cb')}" action="${h.app.url('/act-b')}">Room 1</Conference><Speak>never</Speak></Response>`);
    h.app.on('/act-b', () => '<Response><Hangup/></Response>');
    const t0 = h.t();
    const a = await h.call({ to: '15557700001', answer_url: h.app.url('/ans-a'), hangup_url: h.app.url('/hup-a') });
    assert.equal(a.status, 201);
    const mid: Record<string, any> = {};
    h.runAt(t0 + 5, () => h.call({ to: '15557700002', answer_url: h.app.url('/ans-b'), hangup_url: h.app.url('/hup-b') }));
    h.runAt(t0 + 10, async () => {
      mid.get = await h.api('GET', 'Conference/Room%201/');
      mid.list = await h.api('GET', 'Conference/');
    });
    await h.waitFor('/hup-b');
    await h.settle();
    const [ansA] = h.app.requests('/ans-a');
    const [ansB] = h.app.requests('/ans-b');
    const uuidA = ansA!.params.CallUUID!;
    const uuidB = ansB!.params.CallUUID!;
    const cbs = h.app.requests('/cb');
    assert.equal(cbs.length, 4);
    const [enterA] = cbs.filter((r) => r.params.CallUUID === uuidA);
    const memberA = enterA!.params.ConferenceMemberID!;
    const memberB = String(Number(memberA) + 1);
    assert.deepEqual(actionsOf(cbs, uuidA), [`enter:${memberA}`, `exit:${memberA}`]);
    assert.deepEqual(actionsOf(cbs, uuidB), [`enter:${memberB}`, `exit:${memberB}`]);
    // Exactly Plivo's callback parameters; one ConferenceUUID for the room.
    const confUuid = enterA!.params.ConferenceUUID!;
    assert.match(confUuid, /^[0-9a-f-]{36}$/);
    assert.deepEqual(Object.keys(enterA!.params).sort(), [...CB_KEYS].sort());
    for (const cb of cbs) assert.deepEqual([cb.params.ConferenceName, cb.params.ConferenceUUID], ['Room 1', confUuid]);
    // When: A enters at 1 s, B at 6 s; A hangs up at 21 s and B leaves with it.
    assert.deepEqual(cbs.map((r) => Math.round(h.at(r) - t0)).sort((x, y) => x - y), [1, 6, 21, 21]);
    // B's action: the room and the member, with the call's parameters; its XML hangs B up.
    const [act] = h.app.requests('/act-b');
    assert.deepEqual(
      { n: act!.params.ConferenceName, u: act!.params.ConferenceUUID, m: act!.params.ConferenceMemberID, c: act!.params.CallUUID, e: act!.params.Event, r: act!.params.RecordUrl },
      { n: 'Room 1', u: confUuid, m: memberB, c: uuidB, e: 'Redirect', r: undefined },
    );
    // Each call's own order: answer, enter, exit, (action), hangup.
    const lane = (uuid: string) => h.app.requests().filter((r) => r.params.CallUUID === uuid && r.path !== '/ring').map((r) => r.path + (r.params.ConferenceAction ? `:${r.params.ConferenceAction}` : ''));
    assert.deepEqual(lane(uuidA), ['/ans-a', '/cb:enter', '/cb:exit', '/hup-a']);
    assert.deepEqual(lane(uuidB), ['/ans-b', '/cb:enter', '/cb:exit', '/act-b', '/hup-b']);
    const [hupA] = h.app.requests('/hup-a');
    const [hupB] = h.app.requests('/hup-b');
    assert.equal(hupA!.params.Duration, '20');
    assert.equal(hupB!.params.Duration, '15');
    // The API at 10 s: one room, two members, in the SDK's recorded shape.
    assert.equal(mid.get.status, 200);
    assert.deepEqual(
      { name: mid.get.body.conference_name, run: mid.get.body.conference_run_time, count: mid.get.body.conference_member_count },
      { name: 'Room 1', run: '9', count: '2' },
    );
    assert.deepEqual(mid.get.body.members.map((m: any) => [m.member_id, m.call_uuid, m.join_time, m.muted, m.deaf, m.direction]), [
      [memberA, uuidA, '9', false, false, 'outbound'],
      [memberB, uuidB, '4', false, false, 'outbound'],
    ]);
    assert.deepEqual(mid.list.body.conferences, ['Room 1']);
    // The room is gone; both CDRs name it.
    assert.equal((await h.api('GET', 'Conference/Room%201/')).status, 404);
    for (const uuid of [uuidA, uuidB]) assert.equal((await h.api('GET', `Call/${uuid}/`)).body.conference_uuid, confUuid);
  });

  test('a full room (maxMembers) refuses the second caller: no callbacks, a warning, the document goes on', async () => {
    await h.sim('15557700011', 'ring 1s, answer, hangup after 30s');
    await h.sim('15557700012', 'ring 1s, answer, hangup after 30s');
    h.app.on('/ans-full', () => `<Response><Conference maxMembers="1" callbackUrl="${h.app.url('/cb-full')}" action="${h.app.url('/act-full')}">Small</Conference><Speak>Sorry, the room is full</Speak></Response>`);
    const t0 = h.t();
    await h.call({ to: '15557700011', answer_url: h.app.url('/ans-full'), hangup_url: h.app.url('/hup-full-1') });
    h.runAt(t0 + 3, () => h.call({ to: '15557700012', answer_url: h.app.url('/ans-full'), hangup_url: h.app.url('/hup-full-2') }));
    await h.waitFor('/hup-full-2');
    const [second] = h.app.requests('/hup-full-2');
    const uuid2 = second!.params.CallUUID!;
    // Answered at 4 s, spoke for a while, hung up at the end of the document (4010), never in the room.
    assert.equal(second!.params.HangupCauseCode, '4010');
    assert.deepEqual(h.app.requests('/cb-full').map((r) => `${r.params.ConferenceAction}:${r.params.CallUUID}`).filter((s) => s.endsWith(uuid2)), []);
    assert.deepEqual(h.app.requests('/act-full').filter((r) => r.params.CallUUID === uuid2), []);
    const cdr = (await h.api('GET', `Call/${uuid2}/`)).body;
    assert.equal(cdr.conference_uuid, null);
    assert.ok(cdr.warnings.some((w: string) => w.includes('room "Small" is full (maxMembers 1)')), JSON.stringify(cdr.warnings));
    await h.settle();
    // The first member was alone the whole time and left when it hung up.
    const first = h.app.requests('/cb-full');
    assert.deepEqual(first.map((r) => r.params.ConferenceAction), ['enter', 'exit']);
  });

  test('a member kicked through the API leaves; its action runs; the other stays', async () => {
    await h.sim('15557700021', 'ring 1s, answer, hangup after 40s');
    await h.sim('15557700022', 'ring 1s, answer, hangup after 40s');
    h.app.on('/ans-kick', () => `<Response><Conference callbackUrl="${h.app.url('/cb-kick')}" action="${h.app.url('/act-kick')}" method="GET">Kick</Conference></Response>`);
    h.app.on('/act-kick', () => '<Response><Wait length="2"/></Response>');
    const t0 = h.t();
    await h.call({ to: '15557700021', answer_url: h.app.url('/ans-kick'), hangup_url: h.app.url('/hup-kick-1') });
    await h.call({ to: '15557700022', answer_url: h.app.url('/ans-kick'), hangup_url: h.app.url('/hup-kick-2') });
    const r: Record<string, any> = {};
    h.runAt(t0 + 10, async () => {
      const room = (await h.api('GET', 'Conference/Kick/')).body;
      r.victim = room.members[1];
      r.kick = await h.api('POST', `Conference/Kick/Member/${r.victim.member_id}/Kick/`);
      r.after = (await h.api('GET', 'Conference/Kick/')).body;
      r.missing = await h.api('POST', 'Conference/Kick/Member/999/Kick/');
      r.nowhere = await h.api('POST', 'Conference/Nowhere/Member/1/Kick/');
    });
    await h.waitFor('/hup-kick-2');
    assert.equal(r.kick.status, 202);
    assert.deepEqual(Object.keys(r.kick.body).sort(), ['api_id', 'member_id', 'message']);
    assert.equal(r.kick.body.message, 'kicked');
    assert.equal(r.kick.body.member_id, r.victim.member_id);
    assert.equal(r.after.conference_member_count, '1');
    assert.equal(r.missing.status, 404);
    assert.equal(r.nowhere.status, 404);
    const uuid2 = r.victim.call_uuid;
    assert.deepEqual(actionsOf(h.app.requests('/cb-kick'), uuid2), [`enter:${r.victim.member_id}`, `exit:${r.victim.member_id}`]);
    const [act] = h.app.requests('/act-kick');
    assert.equal(act!.method, 'GET');
    assert.equal(act!.params.ConferenceMemberID, r.victim.member_id);
    assert.equal(Math.round(h.at(act!) - t0), 10);
    // The action's Wait held the call 2 s more; then the document ended (4010).
    const [hup2] = h.app.requests('/hup-kick-2');
    assert.equal(Math.round(h.at(hup2!) - t0), 12);
    assert.equal(hup2!.params.HangupCauseCode, '4010');
    await h.settle();
    assert.equal(h.app.requests('/hup-kick-1')[0]!.params.Duration, '40');
  });

  test('a recorded conference: recording from the second member to the end, its callback and file', async () => {
    await h.sim('15557700031', 'ring 1s, answer, hangup after 20s');
    await h.sim('15557700032', 'ring 1s, answer, hangup after 60s');
    h.app.on('/ans-rec', () => `<Response><Conference record="true" recordFileFormat="wav" endConferenceOnExit="true" callbackUrl="${h.app.url('/cb-rec')}" action="${h.app.url('/act-rec')}" redirect="false">Recorded</Conference></Response>`);
    const t0 = h.t();
    await h.call({ to: '15557700031', answer_url: h.app.url('/ans-rec'), hangup_url: h.app.url('/hup-rec-1') });
    h.runAt(t0 + 5, () => h.call({ to: '15557700032', answer_url: h.app.url('/ans-rec'), hangup_url: h.app.url('/hup-rec-2') }));
    await h.waitFor('/hup-rec-2');
    await h.settle();
    const recs = h.app.requests('/cb-rec').filter((r) => r.params.ConferenceAction === 'record');
    assert.equal(recs.length, 1);
    const rec = recs[0]!;
    // Recorded from B's entry (6 s) to A's hangup (21 s), started by A (the first member with record="true").
    assert.equal(rec.params.RecordingDurationMs, '15000');
    assert.equal(rec.params.RecordingDuration, '15');
    assert.equal(rec.params.ConferenceName, 'Recorded');
    const [enterA] = h.app.requests('/cb-rec');
    assert.equal(rec.params.CallUUID, enterA!.params.CallUUID);
    assert.equal(rec.params.RecordUrl, `${h.base}/media/Recording/${rec.params.RecordingID}.wav`);
    const file = await download(rec.params.RecordUrl!);
    assert.equal(file.status, 200);
    assert.ok(Math.abs(wavSeconds(file.body) - 15) <= 0.1);
    // Both actions name the recording; it is a conference recording in the Recording API.
    const acts = h.app.requests('/act-rec');
    assert.equal(acts.length, 2);
    for (const a of acts) assert.deepEqual([a.params.RecordUrl, a.params.RecordingID], [rec.params.RecordUrl, rec.params.RecordingID]);
    const got = (await h.api('GET', `Recording/${rec.params.RecordingID}/`)).body;
    assert.deepEqual([got.recording_type, got.conference_name, got.recording_duration_ms], ['conference', 'Recorded', '15000.00000']);
  });

  test('a voicemail: the Dial is not answered, its action records the caller until 3 s of silence; RecordUrl is the recorded length', async () => {
    // The caller is silent 12 s, talks 8 s (13-21 s on the clock), then says nothing.
    await h.sim('15557700041', 'ring 1s, answer, silence 12s, talk 8s, hangup after 60s');
    await h.sim('15557700042', 'no-answer');
    h.app.on('/ans-vm', () => `<Response><Dial timeout="10" action="${h.app.url('/dial-vm')}"><Number>15557700042</Number></Dial></Response>`);
    h.app.on('/dial-vm', () => `<Response><Speak>Leave a message</Speak><Record fileFormat="wav" timeout="3" action="${h.app.url('/vm')}" redirect="false"/></Response>`);
    const t0 = h.t();
    await h.call({ to: '15557700041', answer_url: h.app.url('/ans-vm'), hangup_url: h.app.url('/hup-vm') });
    await h.waitFor('/hup-vm');
    await h.settle();
    const [dial] = h.app.requests('/dial-vm');
    assert.deepEqual([dial!.params.DialStatus, dial!.params.DialRingStatus], ['no-answer', 'true']);
    assert.equal(Math.round(h.at(dial!) - t0), 11);
    const [vm] = h.app.requests('/vm');
    // Recording from the end of the Speak (12 s and a little) to 3 s after the talking stopped (24 s).
    assert.equal(h.at(vm!) - t0, 24);
    assert.equal(Number(vm!.params.RecordingEndMs) - Number(vm!.params.RecordingStartMs), Number(vm!.params.RecordingDurationMs));
    const seconds = Number(vm!.params.RecordingDurationMs) / 1000;
    assert.ok(seconds > 11 && seconds < 12, `${seconds} s`);
    const file = await download(vm!.params.RecordUrl!);
    assert.ok(Math.abs(wavSeconds(file.body) - Number(vm!.params.RecordingDurationMs) / 1000) <= 0.1);
    assert.deepEqual(
      h.app.requests().filter((r) => r.params.CallUUID === dial!.params.CallUUID && r.path !== '/ring').map((r) => r.path),
      ['/ans-vm', '/dial-vm', '/vm', '/hup-vm'],
    );
    // redirect="false": the document went on and ended there (4010).
    const [hup] = h.app.requests('/hup-vm');
    assert.equal(hup!.params.HangupCauseCode, '4010');
    assert.equal(Math.round(h.at(hup!) - t0), 24);
  });

  test('a Dial\'s callee moved into a room (transfer legs=bleg), then the caller by the Dial\'s action: exact DialStatus and one hangup each', async () => {
    await h.sim('15557700061', 'ring 1s, answer, hangup after 30s');
    await h.sim('15557700062', 'ring 1s, answer');
    h.app.on('/ans-tr', () => `<Response><Dial action="${h.app.url('/dact-tr')}" callbackUrl="${h.app.url('/dcb-tr')}"><Number>15557700062</Number></Dial></Response>`);
    h.app.on('/dact-tr', () => `<Response><Conference endConferenceOnExit="true" callbackUrl="${h.app.url('/ccb-tr')}">Support</Conference></Response>`);
    h.app.on('/b-tr', () => `<Response><Conference callbackUrl="${h.app.url('/ccb-tr')}">Support</Conference></Response>`);
    const t0 = h.t();
    await h.call({ to: '15557700061', answer_url: h.app.url('/ans-tr'), hangup_url: h.app.url('/hup-tr') });
    const [answer] = await h.waitFor('/ans-tr');
    const aUuid = answer!.params.CallUUID!;
    let status = 0;
    h.runAt(t0 + 5, async () => {
      status = (await h.api('POST', `Call/${aUuid}/`, { legs: 'bleg', bleg_url: h.app.url('/b-tr') })).status;
    });
    await h.waitFor('/hup-tr');
    await h.settle();
    assert.equal(status, 202);
    const bUuid = h.app.requests('/dcb-tr')[0]!.params.DialBLegUUID!;
    const rel = (path: string) => h.app.requests(path).map((r) => `${r.params.DialAction ?? r.params.ConferenceAction ?? ''}@${Math.round(h.at(r) - t0)}`);
    assert.deepEqual(rel('/dcb-tr'), ['answer@2', 'connected@2']);
    const [dact] = h.app.requests('/dact-tr');
    assert.deepEqual(pick(dact!, ['DialStatus', 'DialALegUUID', 'DialBLegUUID', 'DialRingStatus']), { DialStatus: 'completed', DialALegUUID: aUuid, DialBLegUUID: bUuid, DialRingStatus: 'true' });
    assert.equal(Math.round(h.at(dact!) - t0), 5);
    // Both in the room from 5 s; A hangs up at 31 s and the room ends for B.
    const ccb = h.app.requests('/ccb-tr');
    assert.deepEqual(actionsOf(ccb, bUuid).map((x) => x.split(':')[0]), ['enter', 'exit']);
    assert.deepEqual(actionsOf(ccb, aUuid).map((x) => x.split(':')[0]), ['enter', 'exit']);
    assert.deepEqual(ccb.map((r) => Math.round(h.at(r) - t0)), [5, 5, 31, 31]);
    for (const uuid of [aUuid, bUuid]) {
      const ended = (await h.engine.store.listEvents(uuid)).filter((e) => e.type === 'leg.ended');
      assert.equal(ended.length, 1, uuid);
    }
    const a = (await h.api('GET', `Call/${aUuid}/`)).body;
    const b = (await h.api('GET', `Call/${bUuid}/`)).body;
    assert.deepEqual([a.hangup_cause_code, a.hangup_source, a.call_duration], [4000, 'Caller', 30]);
    assert.deepEqual([b.hangup_cause_code, b.hangup_source, b.call_duration], [4010, 'Plivo', 29]);
    assert.equal(a.conference_uuid, ccb[0]!.params.ConferenceUUID);
    assert.equal(b.conference_uuid, ccb[0]!.params.ConferenceUUID);
  });

  test('a caller moved into a room by transfer (legs=aleg) mid-Dial: the Dial ends cancel-free, the callee is hung up once', async () => {
    await h.sim('15557700071', 'ring 1s, answer, hangup after 30s');
    await h.sim('15557700072', 'ring 1s, answer');
    h.app.on('/ans-ta', () => `<Response><Dial action="${h.app.url('/dact-ta')}" callbackUrl="${h.app.url('/dcb-ta')}"><Number>15557700072</Number></Dial></Response>`);
    h.app.on('/a-ta', () => `<Response><Conference callbackUrl="${h.app.url('/ccb-ta')}">Waiting</Conference></Response>`);
    const t0 = h.t();
    await h.call({ to: '15557700071', answer_url: h.app.url('/ans-ta'), hangup_url: h.app.url('/hup-ta') });
    const [answer] = await h.waitFor('/ans-ta');
    const aUuid = answer!.params.CallUUID!;
    h.runAt(t0 + 5, () => h.api('POST', `Call/${aUuid}/`, { legs: 'aleg', aleg_url: h.app.url('/a-ta') }));
    await h.waitFor('/hup-ta');
    await h.settle();
    const bUuid = h.app.requests('/dcb-ta')[0]!.params.DialBLegUUID!;
    const rel = (path: string) => h.app.requests(path).map((r) => `${r.params.DialAction ?? r.params.ConferenceAction ?? ''}@${Math.round(h.at(r) - t0)}`);
    const dcb = rel('/dcb-ta');
    const [dact] = h.app.requests('/dact-ta');
    const ccb = rel('/ccb-ta');
    const facts = {
      dcb,
      dial: pick(dact!, ['DialStatus', 'DialBLegUUID', 'DialHangupCause']),
      ccb,
      b: await h.api('GET', `Call/${bUuid}/`).then((r) => [r.body.hangup_cause_code, r.body.hangup_source]),
      a: await h.api('GET', `Call/${aUuid}/`).then((r) => [r.body.hangup_cause_code, r.body.hangup_source, r.body.call_duration]),
    };
    assert.deepEqual(facts, {
      dcb: ['answer@2', 'connected@2', 'hangup@5'],
      dial: { DialStatus: 'completed', DialBLegUUID: bUuid, DialHangupCause: 'NORMAL_CLEARING' },
      ccb: ['enter@5', 'exit@31'],
      b: [4000, 'API Request'],
      a: [4000, 'Caller', 30],
    });
    for (const uuid of [aUuid, bUuid]) assert.equal((await h.engine.store.listEvents(uuid)).filter((e) => e.type === 'leg.ended').length, 1, uuid);
  });

  test('keys and sounds: digitsMatch, hangupOnStar, relayDTMF, floorEvent, waitSound and enterSound', async () => {
    await h.sim('15557700081', 'ring 1s, answer, digits 12 after 3s, digits * after 6s, hangup after 30s');
    await h.sim('15557700082', 'ring 1s, answer, hangup after 20s');
    h.app.on('/ans-k1', () =>
      `<Response><Conference startConferenceOnEnter="false" waitSound="${h.app.url('/wait-snd')}" enterSound="${h.app.url('/enter-snd')}" exitSound="beep:2" floorEvent="true" digitsMatch="12,99" hangupOnStar="true" callbackUrl="${h.app.url('/cb-k')}" action="${h.app.url('/act-k')}" redirect="false">Keys</Conference><Speak>after</Speak></Response>`);
    h.app.on('/ans-k2', () => `<Response><Conference floorEvent="true" callbackUrl="${h.app.url('/cb-k')}">Keys</Conference></Response>`);
    h.app.on('/wait-snd', () => '<Response><Play>https://example.com/hold.mp3</Play></Response>');
    h.app.on('/enter-snd', () => '<Response><Speak>welcome</Speak></Response>');
    const t0 = h.t();
    await h.call({ to: '15557700081', answer_url: h.app.url('/ans-k1'), hangup_url: h.app.url('/hup-k1') });
    h.runAt(t0 + 2, () => h.call({ to: '15557700082', answer_url: h.app.url('/ans-k2'), hangup_url: h.app.url('/hup-k2') }));
    await h.waitFor('/hup-k2');
    await h.settle();
    const [a1] = h.app.requests('/ans-k1');
    const [a2] = h.app.requests('/ans-k2');
    const u1 = a1!.params.CallUUID!;
    const u2 = a2!.params.CallUUID!;
    const lane = (uuid: string) =>
      h.app.requests().filter((r) => r.params.CallUUID === uuid && r.path !== '/ring').map((r) => `${r.path}${r.params.ConferenceAction ? `:${r.params.ConferenceAction}` : ''}@${Math.round(h.at(r) - t0)}`);
    // Member 1 waits (the room has not started): the floor is its own, waitSound and enterSound are fetched;
    // it presses 12 (a match) at 4 s and * at 7 s, which takes it out; the action is notified, the document goes on.
    // The sounds are fetched as the member enters, beside its callbacks (their order against the outbox's is not fixed).
    const sounds = (l: string[]) => l.filter((x) => x.includes('-snd'));
    assert.deepEqual(sounds(lane(u1)).sort(), ['/enter-snd@1', '/wait-snd@1']);
    assert.deepEqual(lane(u1).filter((x) => !x.includes('-snd')), ['/ans-k1@1', '/cb-k:enter@1', '/cb-k:floor@1', '/cb-k:digits@4', '/cb-k:exit@7', '/act-k@7', '/hup-k1@8']);
    const digits = h.app.requests('/cb-k').find((r) => r.params.ConferenceAction === 'digits')!;
    assert.equal(digits.params.ConferenceDigitsMatch, '12');
    assert.deepEqual(Object.keys(digits.params).sort(), ['CallUUID', 'ConferenceAction', 'ConferenceDigitsMatch', 'ConferenceMemberID', 'ConferenceName', 'ConferenceUUID']);
    assert.equal(h.app.requests('/wait-snd')[0]!.method, 'POST');
    // Member 2 starts the room at 3 s, hears member 1's keys (relayDTMF) and takes the floor when member 1 leaves.
    assert.deepEqual(lane(u2), ['/ans-k2@3', '/cb-k:enter@3', '/cb-k:floor@7', '/cb-k:exit@23', '/hup-k2@23']);
    const relayed = (await h.engine.store.listEvents(u2)).filter((e) => e.type === 'leg.digits-sent').map((e) => JSON.parse(e.data).digits);
    assert.deepEqual(relayed, ['1', '2']);
    // The `*` itself is not relayed: it took member 1 out.
    const timeline = (await h.engine.store.listEvents(u1)).filter((e) => e.type.startsWith('conference.')).map((e) => [e.type, JSON.parse(e.data).reason]);
    assert.deepEqual(timeline, [['conference.enter', undefined], ['conference.exit', 'star']]);
  });

  test('timeLimit ends the room after the last entry; stayAlone="false" ends it for the member left alone', async () => {
    for (const n of ['15557700091', '15557700092', '15557700093']) await h.sim(n, 'ring 1s, answer');
    await h.sim('15557700094', 'ring 1s, answer, hangup after 5s');
    h.app.on('/ans-tl', () => `<Response><Conference timeLimit="10" callbackUrl="${h.app.url('/cb-tl')}">Timed</Conference></Response>`);
    h.app.on('/ans-sa', () => `<Response><Conference stayAlone="false" callbackUrl="${h.app.url('/cb-sa')}">Lonely</Conference></Response>`);
    h.app.on('/ans-sa2', () => `<Response><Conference callbackUrl="${h.app.url('/cb-sa')}">Lonely</Conference></Response>`);
    const t0 = h.t();
    await h.call({ to: '15557700091', answer_url: h.app.url('/ans-tl'), hangup_url: h.app.url('/hup-tl-1') });
    await h.call({ to: '15557700093', answer_url: h.app.url('/ans-sa'), hangup_url: h.app.url('/hup-sa-1') });
    h.runAt(t0 + 2, async () => {
      await h.call({ to: '15557700092', answer_url: h.app.url('/ans-tl'), hangup_url: h.app.url('/hup-tl-2') });
      await h.call({ to: '15557700094', answer_url: h.app.url('/ans-sa2'), hangup_url: h.app.url('/hup-sa-2') });
    });
    for (const p of ['/hup-tl-1', '/hup-tl-2', '/hup-sa-1', '/hup-sa-2']) await h.waitFor(p);
    await h.settle();
    const when = (path: string) => h.app.requests(path).map((r) => `${r.params.ConferenceAction ?? r.params.HangupCauseCode}@${Math.round(h.at(r) - t0)}`);
    // Entries at 1 s and 3 s; the room ends 10 s after the last (13 s); both documents then end (4010).
    assert.deepEqual(when('/cb-tl'), ['enter@1', 'enter@3', 'exit@13', 'exit@13']);
    assert.deepEqual([...when('/hup-tl-1'), ...when('/hup-tl-2')], ['4010@13', '4010@13']);
    // The second member hangs up at 8 s: the first, with stayAlone="false", is left alone and leaves too.
    assert.deepEqual(when('/cb-sa'), ['enter@1', 'enter@3', 'exit@8', 'exit@8']);
    assert.deepEqual(when('/hup-sa-1'), ['4010@8']);
    assert.deepEqual(when('/hup-sa-2'), ['4000@8']);
    const [first] = h.app.requests('/hup-sa-1');
    const reasons = (await h.engine.store.listEvents(first!.params.CallUUID!)).filter((e) => e.type === 'conference.exit').map((e) => JSON.parse(e.data).reason);
    assert.deepEqual(reasons, ['alone']);
  });

  test('the official plivo package: conferences.* against a live room', async () => {
    await h.sim('15557700051', 'ring 1s, answer, hangup after 60s');
    await h.sim('15557700052', 'ring 1s, answer, hangup after 60s');
    h.app.on('/ans-sdk', () => `<Response><Conference callbackUrl="${h.app.url('/cb-sdk')}">SdkRoom</Conference></Response>`);
    const t0 = h.t();
    await h.call({ to: '15557700051', answer_url: h.app.url('/ans-sdk'), hangup_url: h.app.url('/hup-sdk-1') });
    await h.call({ to: '15557700052', answer_url: h.app.url('/ans-sdk'), hangup_url: h.app.url('/hup-sdk-2') });
    const r: Record<string, any> = {};
    h.runAt(t0 + 10, async () => {
      const reroute = reroutePlivo(h.base);
      try {
        const c = new plivo.Client(AUTH_ID, AUTH_TOKEN);
        r.list = await c.conferences.list();
        r.get = await c.conferences.get('SdkRoom');
        const [m1, m2] = r.get.members.map((m: any) => m.memberId);
        r.ids = [m1, m2];
        r.mute = await c.conferences.muteMember('SdkRoom', m1);
        r.deaf = await c.conferences.deafMember('SdkRoom', m2);
        r.muted = await c.conferences.get('SdkRoom');
        r.unmute = await c.conferences.unmuteMember('SdkRoom', m1);
        r.undeaf = await c.conferences.undeafMember('SdkRoom', m2);
        r.play = await c.conferences.playAudioToMember('SdkRoom', m1, 'https://example.com/a.mp3');
        r.stopPlay = await c.conferences.stopPlayingAudioToMember('SdkRoom', m1);
        r.speak = await c.conferences.speakTextToMember('SdkRoom', 'all', 'hello room', {});
        r.stopSpeak = await c.conferences.stopSpeakingTextToMember('SdkRoom', 'all');
        r.record = await c.conferences.record('SdkRoom', { fileFormat: 'wav' } as any);
        r.stopRecord = await c.conferences.stopRecording('SdkRoom');
        r.hangupMember = await c.conferences.hangupMember('SdkRoom', m2);
        r.hangup = await c.conferences.hangup('SdkRoom');
        r.hangupAll = await c.conferences.hangupAll();
        r.gone = await c.conferences.get('SdkRoom').catch((e: any) => e);
      } catch (err) {
        r.error = err;
      } finally {
        reroute.restore();
      }
    });
    await h.waitFor('/hup-sdk-1');
    await h.settle();
    assert.equal(r.error, undefined);
    assert.deepEqual(r.list.conferences, ['SdkRoom']);
    assert.equal(r.get.conferenceName, 'SdkRoom');
    assert.equal(r.get.conferenceMemberCount, '2');
    assert.equal(r.mute.message, 'muted');
    assert.equal(r.mute.memberId, r.ids[0]);
    assert.equal(r.deaf.message, 'deaf');
    assert.deepEqual(r.muted.members.map((m: any) => [m.muted, m.deaf]), [[true, false], [false, true]]);
    assert.equal(r.play.message, 'play queued into conference');
    assert.equal(r.stopPlay.message, 'playing in conference stopped');
    assert.equal(r.speak.message, 'speak queued into conference');
    assert.equal(r.speak.memberId, 'all');
    assert.equal(r.stopSpeak.message, 'speak stopped');
    assert.equal(r.record.message, 'conference recording started');
    assert.match(r.record.recordingId, /^[0-9a-f-]{36}$/);
    assert.ok(r.gone instanceof Error);
    // The hung-up member's call ended at 10 s by the API; the other left when the room was hung up and its document ended.
    const [h2] = h.app.requests('/hup-sdk-2');
    assert.equal(h2!.params.HangupCauseName, 'Normal Hangup');
    assert.equal(Math.round(h.at(h2!) - t0), 10);
    const [h1] = h.app.requests('/hup-sdk-1');
    assert.equal(h1!.params.HangupCauseCode, '4010');
    // The API recording is a conference recording of 0 s (started and stopped at once).
    const rec = (await h.api('GET', `Recording/${r.record.recordingId}/`)).body;
    assert.deepEqual([rec.recording_type, rec.conference_name], ['conference', 'SdkRoom']);
  });
});

describe('talk and silence in simulator scripts (Record\'s timeout)', () => {
  test('steps parse, format back, and are refused before answer', () => {
    const script = parseScript('ring 1s, answer, talk 5s, silence 2-4s, hangup after 30s');
    const steps = script.branches[0]!.steps;
    assert.deepEqual(steps.slice(2).map(formatStep), ['talk 5s', 'silence 2-4s', 'hangup after 30s']);
    assert.deepEqual(parseScript('talk 3s, silence 1s', 'caller').branches[0]!.steps.map(formatStep), ['talk 3s', 'silence 1s']);
    assert.throws(() => parseScript('talk 3s, answer'), /"talk" must come after "answer"/);
  });

  test('silenceEndsAt: silence counted from the recording\'s start, broken by talk, silent after the plan', () => {
    const plan = [
      { at: 0, talking: true },
      { at: 5000, talking: false },
      { at: 7000, talking: true },
      { at: 10_000, talking: false },
    ];
    // Answered at 1000: talks 1-6 s, silent 6-8 s, talks 8-11 s, then silent.
    assert.equal(silenceEndsAt(plan, 1000, 2000, 3000), 14_000);
    assert.equal(silenceEndsAt(plan, 1000, 2000, 2000), 8000);
    assert.equal(silenceEndsAt(plan, 1000, 6500, 1500), 8000);
    assert.equal(silenceEndsAt(plan, 1000, 12_000, 3000), 15_000);
    assert.equal(silenceEndsAt(undefined, 1000, 2000, 3000), undefined);
  });
});

describe('conference rows across a restart', () => {
  test('rooms an engine left open in its SQLite file are closed (engine-restart) when it starts again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-conf-'));
    try {
      const file = join(dir, 'sb.db');
      const store = openStore(file);
      await store.migrate();
      const rooms = store.resources.conferences;
      await rooms.createRoom({ conference_uuid: 'c0ffee00-0000-4000-8000-000000000001', account_id: null, conference_name: 'Left open', created_at: 1000, ended_at: null, end_reason: null });
      await rooms.addMember({ conference_uuid: 'c0ffee00-0000-4000-8000-000000000001', member_id: '1', call_uuid: 'call-1', joined_at: 1000, left_at: null, leave_reason: null });
      await rooms.addMember({ conference_uuid: 'c0ffee00-0000-4000-8000-000000000001', member_id: '2', call_uuid: 'call-2', joined_at: 2000, left_at: 3000, leave_reason: 'hangup' });
      await store.close();
      const h = await startHarness({ dbPath: file });
      try {
        const members = await h.engine.store.resources.conferences.members('c0ffee00-0000-4000-8000-000000000001');
        assert.deepEqual(members.map((m) => [m.member_id, m.leave_reason, m.left_at === null]), [['1', 'engine-restart', false], ['2', 'hangup', false]]);
        assert.equal(members[1]!.left_at, 3000);
        assert.equal(await h.engine.store.resources.conferences.closeOpen(h.clock.now(), 'again'), 0);
        // The CDR lookup still finds the room of each call.
        assert.deepEqual([...(await h.engine.store.resources.conferences.conferenceOf(['call-1', 'call-2', 'call-3']))], [
          ['call-1', 'c0ffee00-0000-4000-8000-000000000001'],
          ['call-2', 'c0ffee00-0000-4000-8000-000000000001'],
        ]);
      } finally {
        await h.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
