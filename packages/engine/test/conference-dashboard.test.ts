/**
 * The dashboard's Conferences page and a call page's recordings, in chromium against a real
 * `switchboard serve` (real clock): two calls meet in a room, the page lists both members, Mute
 * and Kick act through the Conference API; a recorded call's page plays its WAV in the browser.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { nav, signIn, skipWithoutChromium, startDashboardRig, type DashboardRig } from './support/dashboard-rig.ts';
import { waitUntil } from './support/delivery-log.ts';

/** Answers at once and stays up until the engine hangs up. */
const MEMBER_A = '+15557100001';
const MEMBER_B = '+15557100002';
const RECORDED = '+15557100003';

describe('dashboard in chromium: live conferences and a recording played on the call page', { skip: skipWithoutChromium, timeout: 120_000 }, () => {
  let rig: DashboardRig;
  let page: Page;
  const api = (method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown) => rig.serve.api(method, path, body);
  const ok = async (method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown) => {
    const res = await api(method, path, body);
    assert.ok(res.status < 300, `${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };

  before(async () => {
    rig = await startDashboardRig();
    page = rig.page;
    for (const n of [MEMBER_A, MEMBER_B]) await ok('POST', 'Simulator/Number/', { number: n, script: 'answer' });
    await ok('POST', 'Simulator/Number/', { number: RECORDED, script: 'answer, hangup after 30s' });
    rig.app.on('/room', '<Response><Conference>Lobby</Conference></Response>');
    rig.app.on('/record', '<Response><Record fileFormat="wav" maxLength="2"/><Hangup/></Response>');
    await signIn(rig);
  });
  after(async () => {
    await rig?.close();
  });

  test('the Conferences page lists the room and its members; Mute and Kick work', async () => {
    for (const to of [MEMBER_A, MEMBER_B]) await ok('POST', 'Call/', { from: '+15556100001', to, answer_url: rig.app.url('/room') });
    const room = await waitUntil('both members are in the room', async () => {
      const r = await api('GET', 'Conference/Lobby/');
      return r.status === 200 && r.body.members.length === 2 ? r.body : undefined;
    });
    const [a, b] = room.members as Array<{ member_id: string; call_uuid: string }>;
    await nav(page, 'Conferences');
    await page.getByRole('heading', { name: 'Conferences', level: 1 }).waitFor();
    const card = page.locator('article.conference[data-conference="Lobby"]');
    await card.getByText('2 in the room').waitFor({ timeout: 10_000 });
    assert.deepEqual(await card.locator('tbody th').allTextContents(), [a!.member_id, b!.member_id]);
    assert.equal(await card.getByRole('link', { name: `+15556100001 → ${MEMBER_A}` }).getAttribute('href'), `/calls/${a!.call_uuid}`);

    await card.getByRole('button', { name: `Mute member ${a!.member_id}` }).click();
    await card.getByRole('button', { name: `Unmute member ${a!.member_id}` }).waitFor({ timeout: 10_000 });
    const muted = await ok('GET', 'Conference/Lobby/');
    assert.deepEqual(muted.members.map((m: { muted: boolean }) => m.muted), [true, false]);

    await card.getByRole('button', { name: `Kick member ${b!.member_id}` }).click();
    await card.getByText('1 in the room').waitFor({ timeout: 10_000 });
    const left = await ok('GET', 'Conference/Lobby/');
    assert.deepEqual(left.members.map((m: { member_id: string }) => m.member_id), [a!.member_id]);
    // The kicked call's document ended after the room: its CDR names the room.
    const cdr = await waitUntil('the kicked call ended', async () => {
      const r = await api('GET', `Call/${b!.call_uuid}/`);
      return r.status === 200 && r.body.end_time ? r.body : undefined;
    });
    assert.equal(cdr.conference_uuid, room.conference_uuid);
    assert.deepEqual(rig.pageErrors, []);
  });

  test('a recorded call: its page plays the recording (2 s of WAV) in the browser', async () => {
    const made = await ok('POST', 'Call/', { from: '+15556100002', to: RECORDED, answer_url: rig.app.url('/record') });
    const rec = await waitUntil('the recording is stored', async () => {
      const list = await api('GET', 'Recording/');
      return (list.body.objects as Array<{ call_uuid: string; recording_url: string; recording_id: string }>).find((r) => r.call_uuid && r.recording_url) && list.body.objects[0];
    });
    assert.ok(made.request_uuid);
    await page.goto(`${rig.serve.base}/calls/${rec.call_uuid}`);
    const audio = page.getByLabel(`Recording ${rec.recording_id}`);
    await audio.waitFor({ timeout: 10_000 });
    assert.equal(await audio.getAttribute('src'), rec.recording_url);
    // The browser fetches and decodes the file: its duration is the recorded length.
    const seconds = await audio.evaluate(
      (el: HTMLAudioElement) =>
        new Promise<number>((resolve, reject) => {
          if (el.readyState >= 1) return resolve(el.duration);
          el.addEventListener('loadedmetadata', () => resolve(el.duration), { once: true });
          el.addEventListener('error', () => reject(new Error(`audio error ${el.error?.code}`)), { once: true });
          el.load();
        }),
    );
    assert.ok(Math.abs(seconds - 2) <= 0.1, `${seconds} s`);
    // It plays: the element starts and its clock moves.
    const played = await audio.evaluate(async (el: HTMLAudioElement) => {
      el.muted = true;
      await el.play();
      await new Promise((r) => setTimeout(r, 300));
      el.pause();
      return el.currentTime;
    });
    assert.ok(played > 0, `currentTime ${played}`);
    assert.deepEqual(rig.pageErrors, []);
  });
});
