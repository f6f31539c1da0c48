/**
 * The README's "Real calls over SIP" section, as written: a sipp carrier behind `--sip-trunk`, the
 * engine started with `--sip-listen`, the Quickstart's app, an outbound call that goes to the trunk
 * (step 3) and an inbound call from a sipp caller to a number with an application (step 4). What the
 * app prints must be what the README shows, and both sipp runs must end with their call successful
 * (the inbound step once ended "Failed call": its caller hung up on a timer and met the engine's BYE).
 * Ports are free ones instead of the README's 8080 / 5060 / 5080 / 5070 / 3000; everything else is
 * the README's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, freeTcpPort, startNode } from './support/readme-process.ts';
import { expectSippOk, freePort as freeUdpPort, startSipp } from './support/sipp.ts';


/** The README's SIP section: its shell commands and the app output blocks it shows, in order. */
function readmeSection(): { text: string; appBlocks: string[][] } {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const text = readme.slice(readme.indexOf('## Real calls over SIP'), readme.indexOf('\n## ', readme.indexOf('## Real calls over SIP') + 5));
  const blocks = [...text.matchAll(/^ *```[a-z]*\n([\s\S]*?)^ *```/gm)].map((m) => m[1]!.split('\n').map((l) => l.trim()).filter(Boolean));
  return { text, appBlocks: blocks.filter((b) => b.every((l) => l.startsWith('/'))) };
}

const normal = (lines: string[]) => lines.map((l) => l.replace(/\s+/g, ' ').replace(/ Duration=\d+$/, ' Duration=N'));

async function until(what: string, check: () => boolean, ms = 20_000): Promise<void> {
  for (let waited = 0; !check(); waited += 50) {
    if (waited > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test("README 'Real calls over SIP' as written: the trunk call and the sipp caller both succeed, and the app prints what the README shows", { timeout: 120_000 }, async () => {
  const { text, appBlocks } = readmeSection();
  // The commands the test runs are the README's.
  assert.match(text, /sipp -sf packages\/engine\/test\/sipp\/uas-ring-answer\.xml -i 127\.0\.0\.1 -p 5080 -d 2000 -m 1 -nostdin/);
  assert.match(text, /npm start -- --sip-listen 127\.0\.0\.1:5060 --sip-trunk sip:127\.0\.0\.1:5080/);
  assert.match(text, /sipp 127\.0\.0\.1:5060 -sf packages\/engine\/test\/sipp\/uac-invite-wait-bye\.xml -i 127\.0\.0\.1 -p 5070 -s 15553330001 -m 1 -nostdin/);
  assert.equal(appBlocks.length, 2, 'the README shows the app output of steps 3 and 4');

  const dir = mkdtempSync(join(tmpdir(), 'sb-readme-sip-'));
  // 1. The carrier.
  const carrier = await startSipp({ scenario: 'uas-ring-answer.xml', pauseMs: 2000, timeoutS: 60 });
  const [httpPort, sipPort, appPort] = [await freeTcpPort(), await freeUdpPort(), await freeTcpPort()];
  // 2. The engine with a trunk to it, and the Quickstart's app.
  const engine = await startNode(
    ['--import', 'tsx', 'packages/engine/src/cli/main.ts', 'serve', '--port', String(httpPort), '--db', join(dir, 'sb.db'),
      '--sip-listen', `127.0.0.1:${sipPort}`, '--sip-trunk', `sip:127.0.0.1:${carrier.port}`],
    {},
    /SWITCHBOARD_AUTH_TOKEN=\w+/,
  );
  const app = await startNode(['examples/quickstart-app.mjs'], { PORT: String(appPort) }, /app listening/);
  let caller: Awaited<ReturnType<typeof startSipp>> | undefined;
  try {
    const authId = /SWITCHBOARD_AUTH_ID=(\w+)/.exec(engine.output())![1]!;
    const authToken = /SWITCHBOARD_AUTH_TOKEN=(\w+)/.exec(engine.output())![1]!;
    const api = `http://127.0.0.1:${httpPort}/v1/Account/${authId}`;
    const form = { authorization: 'Basic ' + Buffer.from(`${authId}:${authToken}`).toString('base64'), 'content-type': 'application/x-www-form-urlencoded' };
    const post = async (path: string, body: Record<string, string>) => {
      const res = await fetch(`${api}${path}`, { method: 'POST', headers: form, body: new URLSearchParams(body) });
      return { status: res.status, text: await res.text() };
    };
    const appUrl = `http://127.0.0.1:${appPort}`;
    // What the previous sections left: the Dial's number scripted busy.
    assert.equal((await post('/Simulator/Number/', { number: '+15550002', script: 'ring 2s, busy' })).status, 201);

    // 3. A call to an unscripted number goes to the trunk.
    const call = await post('/Call/', { from: '+15550000000', to: '+15550001', answer_url: `${appUrl}/answer`, ring_url: `${appUrl}/ring`, hangup_url: `${appUrl}/hangup` });
    assert.equal(call.status, 201, call.text);
    await until('the /hangup of the trunk call', () => /\/hangup/.test(app.output()));
    await expectSippOk(carrier, 'the carrier');
    const lines = () => app.output().trim().split('\n').slice(1);
    assert.deepEqual(normal(lines()), normal(appBlocks[0]!));

    // 4. An inbound call: the README's application, its sed for app_id, the number, the sipp caller.
    const created = await post('/Application/', { app_name: 'demo', answer_url: `${appUrl}/answer` });
    assert.equal(created.status, 201, created.text);
    const appId = created.text.replace(/.*"app_id": *"([^"]*)".*/s, '$1');
    assert.match(appId, /^\d+$/, `the README's sed finds the app_id in ${created.text}`);
    assert.equal((await post('/PhoneNumber/15553330001/', { app_id: appId })).status, 201);
    const before = lines().length;
    caller = await startSipp({ scenario: 'uac-invite-wait-bye.xml', remote: `127.0.0.1:${sipPort}`, service: '15553330001', timeoutS: 60 });
    await expectSippOk(caller, 'the caller');
    await until('the inbound call\'s /action', () => lines().length >= before + appBlocks[1]!.length);
    assert.deepEqual(normal(lines().slice(before)), normal(appBlocks[1]!));
  } finally {
    carrier.kill();
    caller?.kill();
    await app.kill();
    await engine.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});
