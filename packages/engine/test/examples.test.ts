/**
 * The two examples, run as their READMEs say: a freshly started `switchboard serve` (real clock,
 * own SQLite file), the example in its own process, and the API calls the README shows.
 *
 * - examples/dial-status-express: the seed's app in TypeScript with @switchboard/sdk + Express.
 * - examples/plivo-sdk-app: plain JavaScript with the official `plivo` package, unchanged, its
 *   API calls sent to the engine by `node --require @switchboard/sdk/redirect`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SwitchboardClient } from '@switchboard/sdk/client';
import { signatureHeaders } from '@switchboard/sdk/signature';
import { cleanEnv } from './support/child-env.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const AUTH_ID = 'MAEXAMPLE00000000001';
const AUTH_TOKEN = 'example-auth-token-0123456789';
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

interface Proc {
  output(): string;
  /** Resolves when the output matches `re` (or rejects when the process exits first). */
  waitFor(re: RegExp, ms?: number): Promise<RegExpExecArray>;
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

function start(args: string[], env: Record<string, string>, cwd = ROOT): Proc {
  const child: ChildProcess = spawn(process.execPath, args, { cwd, env });
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (d: Buffer) => {
    out += d.toString();
    for (const l of listeners) l();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return {
    output: () => out,
    exited,
    waitFor(re, ms = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = re.exec(out);
          if (m) {
            listeners.delete(check);
            clearTimeout(timer);
            resolve(m);
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`timed out waiting for ${re} in:\n${out}`));
        }, ms);
        listeners.add(check);
        void exited.then(() => {
          if (listeners.has(check)) {
            listeners.delete(check);
            clearTimeout(timer);
            reject(new Error(`exited before ${re}:\n${out}`));
          }
        });
        check();
      });
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** `switchboard serve` as the README starts it, on a free port with its own database. */
async function startEngine(dir: string): Promise<{ proc: Proc; url: string; sb: SwitchboardClient }> {
  const proc = start(
    ['--import', 'tsx', 'packages/engine/src/cli/main.ts', 'serve', '--port', '0', '--db', join(dir, 'sb.db'), '--log-level', 'info'],
    cleanEnv({ SWITCHBOARD_AUTH_ID: AUTH_ID, SWITCHBOARD_AUTH_TOKEN: AUTH_TOKEN }),
  );
  // Generous: tsx compiles the whole engine at start, which takes a while on a busy machine.
  const [, url] = await proc.waitFor(/"url":"(http:\/\/127\.0\.0\.1:\d+)".*switchboard is serving/, 60_000);
  return { proc, url: url!, sb: new SwitchboardClient({ url: url!, authId: AUTH_ID, authToken: AUTH_TOKEN }) };
}

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const v = await read();
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

// One engine for both examples: starting `serve` under tsx takes seconds. Each example is started
// fresh against it, as its README does.
let dir: string;
let engine: Awaited<ReturnType<typeof startEngine>>;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sb-examples-'));
  engine = await startEngine(dir);
});
after(async () => {
  await engine?.proc.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('examples/dial-status-express (README: engine + `npm start` + one call)', () => {
  let app: Proc;
  let appUrl: string;

  before(async () => {
    const port = await freePort();
    appUrl = `http://127.0.0.1:${port}`;
    app = start(['--import', 'tsx', 'src/server.ts'], cleanEnv({ PORT: String(port), PLIVO_AUTH_TOKEN: AUTH_TOKEN }), join(ROOT, 'examples/dial-status-express'));
    await app.waitFor(/Node app is running on port \d+/);
  });
  after(() => app?.stop());

  const records = async () => (await (await fetch(`${appUrl}/dialstatus/records`)).json()) as Array<Record<string, unknown>>;

  test('an answered Dial: DialStatus completed with both legs recorded, the call goes on with the action XML', async () => {
    await engine.sb.simulator.numbers.set({ number: '+15671234567', script: 'ring 1s, answer, hangup after 1s' });
    const placed = await engine.sb.calls.create({ from: '+15550000000', to: '+15550001', answer_url: `${appUrl}/dialstatus/` });
    const [record] = await until(records, (r) => r.length === 1, 'the action request');
    await until(() => engine.sb.calls.listLive(), (l) => l.calls.length === 0, 'the call to end');
    const { objects } = await engine.sb.calls.list();
    const aLeg = objects.find((c) => c.parent_call_uuid === null)!;
    const bLeg = objects.find((c) => c.parent_call_uuid !== null)!;
    assert.equal(aLeg.request_uuid, placed.request_uuid);
    assert.deepEqual(record, {
      DialStatus: 'completed',
      DialALegUUID: aLeg.call_uuid,
      DialBLegUUID: bLeg.call_uuid,
      DialHangupCause: 'NORMAL_CLEARING',
      DialRingStatus: true,
    });
    assert.equal(bLeg.parent_call_uuid, aLeg.call_uuid);
    assert.equal(bLeg.to_number, '15671234567');
    // The action answered valid XML: the A leg ran it to its end, not into an XML error.
    assert.deepEqual([aLeg.hangup_cause_name, aLeg.error], ['End Of XML Instructions', null]);
    assert.match(app.output(), new RegExp(`DialStatus : completed Aleg UUID : ${aLeg.call_uuid} Bleg UUID : ${bLeg.call_uuid}`));
  });

  test('a busy number: DialStatus busy, no B leg UUID, the app hangs up', async () => {
    await engine.sb.simulator.numbers.set({ number: '+15671234567', script: 'busy' });
    const placed = await engine.sb.calls.create({ from: '+15550000000', to: '+15550001', answer_url: `${appUrl}/dialstatus/` });
    const [, record] = await until(records, (r) => r.length === 2, 'the second action request');
    await until(() => engine.sb.calls.listLive(), (l) => l.calls.length === 0, 'the call to end');
    const aLeg = (await engine.sb.calls.list()).objects.find((c) => c.request_uuid === placed.request_uuid)!;
    assert.deepEqual(record, {
      DialStatus: 'busy',
      DialALegUUID: aLeg.call_uuid,
      DialBLegUUID: '',
      DialHangupCause: 'USER_BUSY',
      DialRingStatus: false,
    });
    // `<Hangup/>` from the action XML ended the call.
    assert.deepEqual([aLeg.hangup_source, aLeg.error], ['Answer XML', null]);
  });

  test('a request without a valid signature gets 403 and is not recorded', async () => {
    const body = new URLSearchParams({ DialStatus: 'completed', DialALegUUID: 'x', CallUUID: 'x' }).toString();
    const unsigned = await fetch(`${appUrl}/dialstatus/action/`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    assert.deepEqual([unsigned.status, await unsigned.text()], [403, 'Forbidden: missing X-Plivo-Signature-V3\n']);
    const forged = signatureHeaders({ method: 'POST', url: `${appUrl}/dialstatus/action/`, params: Object.fromEntries(new URLSearchParams(body)), authToken: 'not-the-token' });
    const wrong = await fetch(`${appUrl}/dialstatus/action/`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...forged }, body });
    assert.equal(wrong.status, 403);
    await wrong.body?.cancel();
    assert.equal((await records()).length, 2);
  });
});

describe('examples/plivo-sdk-app (README: engine + app.js + make-call.js, through the preload)', () => {
  let app: Proc;
  let appUrl: string;
  const cwd = join(ROOT, 'examples/plivo-sdk-app');

  before(async () => {
    const port = await freePort();
    appUrl = `http://127.0.0.1:${port}`;
    app = start(['--require', '@switchboard/sdk/redirect', 'app.js'], cleanEnv({ PORT: String(port), PLIVO_AUTH_TOKEN: AUTH_TOKEN, SWITCHBOARD_URL: engine.url }), cwd);
    await app.waitFor(/Node app is running on port \d+/);
  });
  after(() => app?.stop());

  test('make-call.js places the call with plivo.Client, app.js dials and records the outcome', async () => {
    await engine.sb.simulator.numbers.set({ number: '+15671234567', script: 'ring 1s, answer, hangup after 1s' });
    const env = cleanEnv({
      SWITCHBOARD_URL: engine.url,
      PLIVO_AUTH_ID: AUTH_ID,
      PLIVO_AUTH_TOKEN: AUTH_TOKEN,
      ANSWER_URL: `${appUrl}/dialstatus/`,
    });
    const caller = start(['--require', '@switchboard/sdk/redirect', 'make-call.js'], env, cwd);
    assert.equal(await caller.exited, 0, caller.output());
    // Newest first: the call make-call.js placed, and the B leg its Dial placed.
    const { objects } = await engine.sb.calls.list();
    const aLeg = objects.find((c) => c.parent_call_uuid === null)!;
    const bLeg = objects.find((c) => c.parent_call_uuid === aLeg.call_uuid)!;
    assert.match(aLeg.request_uuid!, UUID_V4);
    assert.deepEqual(caller.output().trim().split('\n'), [
      `created: call fired request_uuid=${aLeg.request_uuid}`,
      `A leg: ${aLeg.call_uuid} COMPLETED duration=${aLeg.call_duration}s cause=End Of XML Instructions`,
      `B leg: ${bLeg.call_uuid} to 15671234567 duration=1s cause=Normal Hangup`,
    ]);
    assert.match(app.output(), new RegExp(`DialStatus : completed Aleg UUID : ${aLeg.call_uuid} Bleg UUID : ${bLeg.call_uuid}\\n`));
  });

  test("app.js refuses an action request whose signature does not check out", async () => {
    const res = await fetch(`${appUrl}/dialstatus/action/`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'DialStatus=completed' });
    assert.deepEqual([res.status, await res.text()], [403, 'invalid signature']);
  });
});

describe('examples/dial-status-express/test: the app tested with @switchboard/testkit under three runners', () => {
  const cwd = join(ROOT, 'examples/dial-status-express');
  const runners: Array<[string, string[], RegExp]> = [
    ['node:test', ['run', 'test'], /^# pass 3$/m],
    ['Vitest', ['run', 'test:vitest'], /Tests +3 passed \(3\)/],
    ['Jest', ['run', 'test:jest'], /^Tests: +3 passed, 3 total$/m],
  ];
  for (const [name, args, passed] of runners) {
    test(`${name}: busy, no-answer and completed pass`, { timeout: 240_000 }, async () => {
      // NO_COLOR: plain text to match; CI: no watch mode, no interactive output.
      // NODE_TEST_CONTEXT unset: a node:test child would otherwise report to this runner, not print TAP.
      const { NODE_TEST_CONTEXT: _ctx, ...env } = cleanEnv({ NO_COLOR: '1', FORCE_COLOR: '0', CI: 'true' });
      const child = spawn('npm', args, { cwd, env });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      assert.equal(code, 0, out);
      assert.match(out, passed);
    });
  }
});
