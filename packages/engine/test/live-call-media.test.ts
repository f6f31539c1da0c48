/**
 * Live-call Play, Speak and DTMF (plivo.md §1.7) on the simulated network: Plivo's answers, timed
 * like their XML counterparts on the timeline, and keys that reach the far party's script
 * (`on KEYS hangup`, `on KEYS digits REPLY`). Also through the official `plivo` package.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import plivo from 'plivo';
import { AUTH_ID, AUTH_TOKEN, startHarness, type Harness } from './support/harness.ts';
import { reroutePlivo } from './support/plivo-reroute.ts';

const DIAL = (to: string) => `<Response><Dial action="ACTION" callbackUrl="CALLBACK" digitsMatchBLeg="9"><Number>${to}</Number></Dial></Response>`;

/** The call's timeline rows of the media API, as `second type leg detail`. */
async function mediaLines(h: Harness, uuid: string, legNames: Record<string, string>): Promise<string[]> {
  const res = await h.api('GET', `Call/${uuid}/Timeline/`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const entries = (res.body.timeline ?? res.body.objects ?? res.body.entries ?? res.body.events) as Array<any>;
  assert.ok(Array.isArray(entries), `timeline shape: ${Object.keys(res.body).join(',')}`);
  return entries
    .filter((e) => typeof e.type === 'string' && (e.type.startsWith('media.') || e.type === 'leg.digits-sent'))
    .map((e) => {
      const d = e.data ?? {};
      const what = d.digits ?? d.kind;
      return `${h.at({ at: e.at } as never)} ${e.type} ${legNames[e.leg_uuid ?? e.call_uuid] ?? '?'} ${what}${d.reason ? ` ${d.reason}` : ''}`;
    });
}

describe('live-call Play / Speak / DTMF', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  test('on a bridged call: both legs play, a speech is stopped, keys make the callee hang up', async () => {
    await h.sim('15557770001', 'ring 1s, answer, hangup after 60s');
    await h.sim('15557770002', 'ring 1s, answer, on 5# hangup, on 1 digits 9');
    h.app.on('/answer', () => DIAL('15557770002').replace('ACTION', h.app.url('/action')).replace('CALLBACK', h.app.url('/callback')));
    const made = await h.call({ to: '15557770001' });
    assert.equal(made.status, 201);
    const [answer] = await h.waitFor('/answer');
    const a = answer!.params.CallUUID!;
    let b = '';
    const answers: Record<string, unknown> = {};
    h.runAt(5, async () => {
      const live = await h.api('GET', `Call/?status=live`);
      b = (live.body.calls as string[]).find((u) => u !== a)!;
      answers.play = await h.api('POST', `Call/${a}/Play/`, { urls: 'http://127.0.0.1:1/a.mp3,http://127.0.0.1:1/b.mp3', legs: 'both', length: '8' });
    });
    h.runAt(6, async () => {
      answers.speak = await h.api('POST', `Call/${b}/Speak/`, { text: 'one two three four five six seven', voice: 'MAN' });
    });
    h.runAt(7, async () => {
      answers.stopSpeak = await h.api('DELETE', `Call/${b}/Speak/`);
      answers.reply = await h.api('POST', `Call/${a}/DTMF/`, { digits: '1', legs: 'bleg' });
    });
    h.runAt(20, async () => {
      answers.dtmf = await h.api('POST', `Call/${a}/DTMF/`, { digits: '5w#', legs: 'bleg' });
    });
    const [action] = await h.waitFor('/action');
    assert.deepEqual(answers.play, { status: 202, body: { api_id: (answers.play as any).body.api_id, message: 'play started' } });
    assert.equal((answers.speak as any).status, 202);
    assert.equal((answers.speak as any).body.message, 'speak started');
    assert.equal((answers.stopSpeak as any).status, 204);
    assert.equal((answers.dtmf as any).status, 202);
    assert.equal((answers.dtmf as any).body.message, 'digits sent');
    // The callee hung up when it heard 5#: at 20 s, a normal clearing by the callee.
    assert.equal(h.at(action!), 20);
    assert.equal(action!.params.DialStatus, 'completed');
    assert.equal(action!.params.DialHangupCause, 'NORMAL_CLEARING');
    await h.settle();
    const names = { [a]: 'A', [b]: 'B' };
    assert.deepEqual(await mediaLines(h, a, names), [
      '5 media.started A play',
      '5 media.started B play',
      '6 media.started B speak',
      '7 media.stopped B speak api',
      '7 leg.digits-sent B 1',
      // Two URLs of the default 5 s each, cut by length=8.
      '13 media.ended A play',
      '13 media.ended B play',
      '20 leg.digits-sent B 5w#',
    ]);
    // The callee's `on 1 digits 9` pressed 9 back at once, which the Dial's digitsMatchBLeg reports.
    const digits = h.app.requests('/callback').filter((r) => r.params.DialAction === 'digits');
    assert.deepEqual(
      digits.map((r) => [h.at(r), r.params.DialDigitsMatch, r.params.DialDigitsPressedBy, r.params.DialBLegUUID]),
      [[7, '9', 'BLeg', b]],
    );
  });

  test('refusals: unknown call, unanswered call, no bridged leg, bad bodies', async () => {
    await h.sim('15557770011', 'no-answer');
    await h.sim('15557770012', 'ring 1s, answer, hangup after 30s');
    h.app.on('/answer-wait', () => '<Response><Wait length="20"/></Response>');
    await h.call({ to: '15557770011', answer_url: h.app.url('/answer-wait') });
    await h.call({ to: '15557770012', answer_url: h.app.url('/answer-wait') });
    await h.waitFor('/answer-wait');
    const results: Record<string, any> = {};
    h.runAt(h.t() + 1, async () => {
      const live = (await h.api('GET', 'Call/?status=live')).body.calls as string[];
      const rows = await Promise.all(live.map((u) => h.api('GET', `Call/${u}/?status=live`)));
      const ringing = rows.find((r) => r.body.call_status === 'ringing')!.body.call_uuid;
      const up = rows.find((r) => r.body.call_status === 'in-progress')!.body.call_uuid;
      results.unknown = await h.api('POST', 'Call/00000000-0000-4000-8000-000000000000/Play/', { urls: 'http://127.0.0.1:1/a.mp3' });
      results.ringing = await h.api('POST', `Call/${ringing}/Speak/`, { text: 'hello' });
      results.noBridge = await h.api('POST', `Call/${up}/DTMF/`, { digits: '1', legs: 'bleg' });
      results.noUrls = await h.api('POST', `Call/${up}/Play/`, {});
      results.badUrl = await h.api('POST', `Call/${up}/Play/`, { urls: 'ftp://x/a.mp3' });
      results.badDigits = await h.api('POST', `Call/${up}/DTMF/`, { digits: '12x' });
      results.badLegs = await h.api('POST', `Call/${up}/Speak/`, { text: 'hi', legs: 'cleg' });
      results.stopIdle = await h.api('DELETE', `Call/${up}/Play/`);
      for (const u of live) await h.api('DELETE', `Call/${u}/`);
    });
    await h.settle();
    assert.equal(results.unknown.status, 404);
    assert.equal(results.unknown.body.code, 'SB_NOT_FOUND');
    assert.equal(results.ringing.status, 409);
    assert.match(results.ringing.body.error, /not answered yet/);
    assert.equal(results.noBridge.status, 409);
    assert.match(results.noBridge.body.error, /no bridged leg for legs=bleg/);
    assert.deepEqual([results.noUrls.status, results.noUrls.body.code, results.noUrls.body.param], [400, 'SB_MISSING_PARAM', 'urls']);
    assert.deepEqual([results.badUrl.status, results.badUrl.body.param], [400, 'urls']);
    assert.deepEqual([results.badDigits.status, results.badDigits.body.param], [400, 'digits']);
    assert.deepEqual([results.badLegs.status, results.badLegs.body.param], [400, 'legs']);
    assert.equal(results.stopIdle.status, 204);
  });

  test('the official plivo package: playMusic, stopPlayingMusic, speakText, stopSpeakingText, sendDigits', async () => {
    await h.sim('15557770021', 'ring 1s, answer, hangup after 60s');
    h.app.on('/answer-sdk', () => '<Response><Wait length="50"/></Response>');
    await h.call({ to: '15557770021', answer_url: h.app.url('/answer-sdk') });
    const [answer] = await h.waitFor('/answer-sdk');
    const uuid = answer!.params.CallUUID!;
    const results: Record<string, any> = {};
    h.runAt(h.t() + 2, async () => {
      const reroute = reroutePlivo(h.base);
      try {
        const client = new plivo.Client(AUTH_ID, AUTH_TOKEN);
        results.play = await client.calls.playMusic(uuid, 'http://127.0.0.1:1/music.mp3', { loop: true });
        results.stopPlay = await client.calls.stopPlayingMusic(uuid);
        results.speak = await client.calls.speakText(uuid, 'Hello from the API', {});
        results.stopSpeak = await client.calls.stopSpeakingText(uuid);
        results.digits = await client.calls.sendDigits(uuid, '123', {});
      } finally {
        reroute.restore();
      }
      await h.api('DELETE', `Call/${uuid}/`);
    });
    await h.settle();
    assert.equal(results.play.message, 'play started');
    assert.equal(results.speak.message, 'speak started');
    assert.equal(results.digits.message, 'digits sent');
    assert.match(String(results.play.apiId), /^[0-9a-f-]{36}$/);
  });
});
