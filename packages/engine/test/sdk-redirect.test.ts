// `@switchboard/sdk/redirect` with the OFFICIAL `plivo` package, unchanged, in its own process:
// `node --require @switchboard/sdk/redirect` + SWITCHBOARD_URL, nothing else (plivo.md §7.3
// option 3). The engine is the in-process harness; the child is plain Plivo code
// (support/plivo-redirect-child.cjs) that prints one JSON line per step.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { cleanEnv } from './support/child-env.ts';
import { startHarness, AUTH_ID, AUTH_TOKEN, type Harness } from './support/harness.ts';

const ENGINE_DIR = fileURLToPath(new URL('../', import.meta.url));
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

interface ChildRun {
  code: number | null;
  steps: Array<Record<string, unknown>>;
  stderr: string;
}

/** Runs the child; `onLine` sees each step as it is printed (to release the held clock). */
function runChild(args: string[], env: Record<string, string>, onLine: (step: Record<string, unknown>) => void): Promise<ChildRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: ENGINE_DIR, env });
    const steps: ChildRun['steps'] = [];
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      let nl: number;
      while ((nl = stdout.indexOf('\n')) >= 0) {
        const line = stdout.slice(0, nl);
        stdout = stdout.slice(nl + 1);
        const step = JSON.parse(line) as Record<string, unknown>;
        steps.push(step);
        onLine(step);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('close', (code) => resolve({ code, steps, stderr }));
  });
}

describe('node --require @switchboard/sdk/redirect: the official plivo package, unchanged', () => {
  let h: Harness;

  before(async () => {
    h = await startHarness();
    await h.sim('15557000001', 'ring 1s, answer, hangup after 2s');
    await h.sim('15557000002', 'busy');
    await h.sim('15557000003', 'ring 1s, reject');
    await h.sim('15557000004', 'no-answer');
    await h.sim('15557000005', 'no-answer');
  });
  after(() => h.close());

  test('create (single and bulk), list, get, live calls, hangup, cancel, errors', async () => {
    h.app.on('/answer', '<Response><Wait length="3600"/></Response>');
    // A ringing call would ring out at once on the virtual clock: hold the clock from the ring
    // webhook until the child has ended the call (it prints `hangup` / `cancel` once it has).
    const holds: Array<() => void> = [];
    const releaseAll = () => {
      for (const release of holds.splice(0)) release();
    };
    h.app.on('/hold-ring', () => {
      holds.push(h.engine.activity.begin());
      return '<Response/>';
    });
    const env = cleanEnv({ SWITCHBOARD_URL: h.base, PLIVO_AUTH_ID: AUTH_ID, PLIVO_AUTH_TOKEN: AUTH_TOKEN, APP_URL: h.app.url('/').replace(/\/$/, '') });
    let run: ChildRun;
    try {
      run = await runChild(['--require', '@switchboard/sdk/redirect', 'test/support/plivo-redirect-child.cjs'], env, (line) => {
        if (line.step === 'hangup' || line.step === 'cancel') releaseAll();
      });
    } finally {
      releaseAll();
    }
    assert.equal(run.stderr, '');
    assert.equal(run.code, 0);
    const byStep = Object.fromEntries(run.steps.map(({ step, ...rest }) => [step as string, rest]));
    assert.deepEqual(Object.keys(byStep), ['create', 'bulk', 'list', 'get', 'live', 'hangup', 'cancel', 'error', 'done']);

    assert.equal(byStep.create!.message, 'call fired');
    assert.match(byStep.create!.requestUuid as string, UUID_V4);
    assert.equal(byStep.bulk!.message, 'calls fired');
    assert.equal((byStep.bulk!.requestUuid as string[]).length, 2);
    assert.deepEqual(byStep.list, {
      totalCount: 3,
      calls: ['15557000001 Normal Hangup', '15557000002 Busy Line', '15557000003 Rejected'],
    });
    assert.deepEqual(byStep.get, { callUuid: true, callDuration: 2, billDuration: 2, hangupCauseName: 'Normal Hangup' });
    assert.deepEqual({ ...byStep.live, requestUuid: undefined }, { requestUuid: undefined, callStatus: 'ringing', to: '15557000004', sameRequest: true });
    assert.deepEqual(byStep.hangup, { result: true });
    assert.equal(byStep.cancel!.response, 'PlivoGenericResponse');
    assert.deepEqual(byStep.error, { status: 404, message: 'call not found: 00000000-0000-4000-8000-000000000000' });

    // What the engine saw: every call the child placed reported to the app, and the two the
    // child ended were ended by the API.
    await h.settle();
    const hangups = h.app.requests('/hangup');
    assert.equal(hangups.length, 5);
    const byTo = Object.fromEntries(hangups.map((r) => [r.params.To, `${r.params.CallStatus} ${r.params.HangupSource}`]));
    assert.deepEqual(byTo['15557000004'], 'cancel API Request');
    assert.deepEqual(byTo['15557000005'], 'cancel API Request');
    assert.equal(hangups.find((r) => r.params.To === '15557000005')!.params.RequestUUID, byStep.cancel!.requestUuid);
  });

  test('without SWITCHBOARD_URL nothing is redirected, and a warning says so', async () => {
    const code = 'require("https"); const r = require("@switchboard/sdk/redirect"); console.log(JSON.stringify({ step: "t", target: r.target() ?? null }))';
    const run = await runChild(['--require', '@switchboard/sdk/redirect', '-e', code], cleanEnv({}), () => undefined);
    assert.equal(run.code, 0);
    assert.deepEqual(run.steps, [{ step: 't', target: null }]);
    assert.match(run.stderr, /SWITCHBOARD_URL is not set: requests to api\.plivo\.com are NOT redirected to Switchboard/);
  });

  test('a SWITCHBOARD_URL that is not http(s) stops the process before the app runs', async () => {
    const run = await runChild(['--require', '@switchboard/sdk/redirect', '-e', 'console.log("{}")'], cleanEnv({ SWITCHBOARD_URL: 'ftp://engine' }), () => undefined);
    assert.notEqual(run.code, 0);
    assert.deepEqual(run.steps, []);
    assert.match(run.stderr, /SWITCHBOARD_URL must be http: or https: \(got ftp:\)/);
  });
});
