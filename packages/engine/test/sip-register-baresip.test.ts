/**
 * A real phone (Debian's baresip, headless, auto-answer, loopback only, its config in a temp dir)
 * registers as an endpoint with its username and password and is rung by `<User>`: the Dial
 * completes with baresip's answer (docs/endpoints.md). Skipped only when baresip is not installed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSipRig } from './support/sip-rig.ts';
import { freePort } from './support/sipp.ts';

const HAS_BARESIP = spawnSync('baresip', ['-h'], { stdio: 'ignore' }).error === undefined;
const PASSWORD = 'baresip-pass-9';

interface Phone {
  readonly output: () => string;
  stop(): Promise<void>;
}

/** baresip with one account on the engine's registrar; answers every call at once. */
async function startBaresip(username: string, registrar: string): Promise<Phone> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-baresip-'));
  const port = await freePort();
  writeFileSync(
    join(dir, 'config'),
    [
      'poll_method epoll',
      `sip_listen 127.0.0.1:${port}`,
      'sip_transports udp',
      'net_interface 127.0.0.1',
      'audio_player aubridge,sb',
      'audio_alert aubridge,sb',
      'audio_source aubridge,sb',
      'module_path /usr/lib/baresip/modules',
      'module g711.so',
      'module aubridge.so',
      'module_app account.so',
      'module_app menu.so',
      '',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'accounts'), `<sip:${username}@${registrar};transport=udp>;auth_pass=${PASSWORD};answermode=auto;regint=120\n`);
  // -t: baresip quits on its own should the test die before stopping it.
  const child: ChildProcess = spawn('baresip', ['-f', dir, '-s', '-t', '90'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return {
    output: () => out.slice(-8000),
    async stop() {
      if (child.exitCode === null && child.signalCode === null && child.pid) process.kill(child.pid, 'SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000).unref())]);
      if (child.exitCode === null && child.signalCode === null && child.pid) process.kill(child.pid, 'SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls a condition the engine exposes no event for (a REGISTER arriving from another process). */
async function until(what: string, ok: () => boolean, ms: number, detail: () => string): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${detail()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('a registered baresip endpoint is rung by <User> and answers; the Dial completes', { skip: !HAS_BARESIP && 'baresip is not installed' }, async () => {
  const rig = await startSipRig({ flags: { 'sip-accept-from': '', 'inbound-answer-url': undefined } });
  let phone: Phone | undefined;
  try {
    const ep = await rig.api('POST', 'Endpoint/', { username: 'baresip', password: PASSWORD, alias: 'softphone' });
    assert.equal(ep.status, 201);
    const username = ep.body.username as string;
    phone = await startBaresip(username, rig.sipAddress);
    const p = phone;
    await until('baresip to register', () => rig.engine.registrar!.live(username).length > 0, 15_000, () => p.output());
    const view = await rig.api('GET', `Endpoint/${ep.body.endpoint_id}/`);
    assert.equal(view.body.sip_registered, 'true');
    assert.match(view.body.sip_user_agent, /baresip/);

    rig.app.on('/answer', `<Response><Dial action="${rig.app.url('/action')}" callbackUrl="${rig.app.url('/dialcb')}"><User>${view.body.sip_uri}</User></Dial></Response>`);
    rig.app.on('/action', '<Response/>');
    rig.app.on('/dialcb', '');
    await rig.api('POST', 'Simulator/Number/', { number: '15550003333', script: 'answer, hangup after 3s' });
    const call = await rig.api('POST', 'Call/', { from: '15550009999', to: '15550003333', answer_url: rig.app.url('/answer') });
    assert.equal(call.status, 201);
    const [action] = await rig.waitFor('/action', 1, 30_000).catch((err) => assert.fail(`${String(err)}\n${p.output()}`));
    assert.equal(action!.params.DialStatus, 'completed', p.output());
    const events = rig.app.requests('/dialcb').map((r) => r.params.DialAction);
    assert.deepEqual(events, ['answer', 'connected', 'hangup']);
    await rig.settle();
  } finally {
    await phone?.stop();
    await rig.close();
  }
});
