/**
 * The README's quickstart, as written: `npm start`'s engine, the example app, two curl-style requests,
 * and the reports the README says the app prints.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeTcpPort, startNode } from './support/readme-process.ts';
import { request } from 'undici';


test('README quickstart: a call with a Dial reports ring, answer, callbacks, DialStatus and hangup', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-qs-'));
  const [enginePort, appPort] = [await freeTcpPort(), await freeTcpPort()];
  const engine = await startNode(
    ['--import', 'tsx', 'packages/engine/src/cli/main.ts', 'serve', '--port', String(enginePort), '--db', join(dir, 'sb.db')],
    {},
    /SWITCHBOARD_AUTH_TOKEN=\w+/,
  );
  const app = await startNode(['examples/quickstart-app.mjs'], { PORT: String(appPort) }, /app listening/);
  try {
    const authId = /SWITCHBOARD_AUTH_ID=(\w+)/.exec(engine.output())![1]!;
    const authToken = /SWITCHBOARD_AUTH_TOKEN=(\w+)/.exec(engine.output())![1]!;
    const api = `http://127.0.0.1:${enginePort}/v1/Account/${authId}`;
    const auth = 'Basic ' + Buffer.from(`${authId}:${authToken}`).toString('base64');
    const form = { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' };
    const appUrl = `http://127.0.0.1:${appPort}`;
    const sim = await request(`${api}/Simulator/Number/`, { method: 'POST', headers: form, body: 'number=%2B15550002&script=ring+2s%2C+answer%2C+hangup+after+1s' });
    assert.equal(sim.statusCode, 201, await sim.body.text());
    await sim.body.dump();
    const body = new URLSearchParams({
      from: '+15550000000',
      to: '+15550001',
      answer_url: `${appUrl}/answer`,
      ring_url: `${appUrl}/ring`,
      hangup_url: `${appUrl}/hangup`,
    }).toString();
    const call = await request(`${api}/Call/`, { method: 'POST', headers: form, body });
    assert.equal(call.statusCode, 201);
    assert.equal(((await call.body.json()) as { message: string }).message, 'call fired');
    // Real time here: ring 1 s + ring 2 s + 1 s of conversation + a short goodbye.
    for (let i = 0; i < 200 && !/\/hangup/.test(app.output()); i++) await new Promise((r) => setTimeout(r, 50));
    // Duration is real seconds here; its exact value is not the quickstart's point.
    const lines = app.output().trim().split('\n').slice(1).map((l) => l.replace(/\s+/g, ' ').replace(/ Duration=\d+$/, ' Duration=N'));
    assert.deepEqual(lines, [
      '/ring Event=Ring CallStatus=ringing',
      '/answer Event=StartApp CallStatus=in-progress',
      '/callback Event=DialAnswer CallStatus=in-progress DialAction=answer',
      '/callback Event=DialConnected CallStatus=in-progress DialAction=connected',
      '/callback Event=DialHangup CallStatus=in-progress DialAction=hangup',
      '/action Event=Redirect CallStatus=in-progress DialStatus=completed DialRingStatus=true DialHangupCause=NORMAL_CLEARING',
      '/hangup Event=Hangup CallStatus=completed HangupCause=NORMAL_CLEARING HangupCauseCode=4010 Duration=N',
    ]);
  } finally {
    await app.kill();
    await engine.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("README quickstart: script='no-answer' gives DialStatus=no-answer (the Dial's 20 s timeout, before the caller's 30 s)", async () => {
  const { startSwitchboard } = await import('@switchboard/testkit');
  // The engine's own default script for the caller, as `npm start` has it.
  const sb = await startSwitchboard({ clock: 'virtual', defaultScript: 'ring 1s, answer, hangup after 30s', numbers: { '+15550002': 'no-answer' } });
  const appPort = await freeTcpPort();
  const app = await startNode(['examples/quickstart-app.mjs'], { PORT: String(appPort) }, /app listening/);
  try {
    const appUrl = `http://127.0.0.1:${appPort}`;
    const call = await sb.call({ from: '+15550000000', to: '+15550001', answer_url: `${appUrl}/answer`, hangup_url: `${appUrl}/hangup` });
    const action = await sb.webhook('action', {}, { call: call.uuid, timeoutMs: 20_000 });
    assert.equal(action.params.DialStatus, 'no-answer');
    assert.equal(action.params.DialHangupCause, 'NO_ANSWER');
    const answer = await sb.webhook('answer', {}, { call: call.uuid });
    assert.equal(action.at - answer.at, 20_000);
  } finally {
    await app.kill();
    await sb.close();
  }
});
