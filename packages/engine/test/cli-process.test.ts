/** The `switchboard` command as a user runs it: real processes, real signals (STYLE.md §12). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const BASE_ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SWITCHBOARD_')));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { env: { ...BASE_ENV, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

interface Served {
  child: ChildProcess;
  port: number;
  authId: string;
  authToken: string;
  output: () => string;
  exited: Promise<number | null>;
}

function serve(args: string[]): Promise<Served> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve', '--port', '0', '--log-level', 'info', ...args], { env: BASE_ENV });
    let out = '';
    const exited = new Promise<number | null>((r) => child.on('close', r));
    child.stdout.on('data', (d) => {
      out += d;
      const url = /Switchboard http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      const id = /SWITCHBOARD_AUTH_ID=(\w+)/.exec(out);
      const token = /SWITCHBOARD_AUTH_TOKEN=(\w+)/.exec(out);
      if (url && id && token) resolve({ child, port: Number(url[1]), authId: id[1]!, authToken: token[1]!, output: () => out, exited });
    });
    child.stderr.on('data', (d) => (out += d));
    void exited.then((code) => reject(new Error(`serve exited early (${code}): ${out}`)));
  });
}

test('serve generates an account once, takes sim numbers from the CLI, and stops cleanly on SIGTERM', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-cli-'));
  const db = join(dir, 'sb.db');
  const simFile = join(dir, 'sim.json');
  writeFileSync(simFile, JSON.stringify({ '+15550001': 'ring 2s, answer' }));
  try {
    const first = await serve(['--db', db, '--sim', simFile]);
    assert.match(first.authId, /^MA[A-Z0-9]{18}$/);
    assert.equal(first.authToken.length, 40);
    const env = { SWITCHBOARD_PORT: String(first.port) };

    const listed = await run(['sim', 'list', '--db', db], env);
    assert.equal(listed.code, 0, listed.stderr);
    assert.equal(listed.stdout, '15550001\tring 2s, answer\n');

    const added = await run(['sim', 'add', '+15550002', 'ring 1s, busy', '--db', db], env);
    assert.equal(added.code, 0, added.stderr);
    assert.equal(added.stdout, '15550002\tring 1s, busy\n');

    const bad = await run(['sim', 'add', '+15550003', 'ring xs', '--db', db], env);
    assert.equal(bad.code, 1);
    assert.equal(bad.stderr, 'switchboard: script: expected a duration after "ring" at column 6: "ring xs"\n');

    const removed = await run(['sim', 'remove', '15550001', '--db', db], env);
    assert.equal(removed.code, 0, removed.stderr);
    assert.equal((await run(['sim', 'list', '--db', db], env)).stdout, '15550002\tring 1s, busy\n');

    first.child.kill('SIGTERM');
    assert.equal(await first.exited, 0);
    assert.match(first.output(), /"msg":"shutting down"/);

    const second = await serve(['--db', db]);
    assert.deepEqual([second.authId, second.authToken], [first.authId, first.authToken], 'the generated account is kept');
    second.child.kill('SIGINT');
    assert.equal(await second.exited, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the client commands find the engine\'s database through SWITCHBOARD_CONFIG', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-cli-'));
  const configFile = join(dir, 'switchboard.json');
  writeFileSync(join(dir, 'sim.json'), JSON.stringify({ '+15550001': 'ring 2s, answer' }));
  writeFileSync(configFile, JSON.stringify({ db: join(dir, 'from-config.db'), sim: join(dir, 'sim.json') }));
  try {
    const served = await serve(['--config', configFile]);
    // No --db: the generated account is read from the database the file names.
    const listed = await run(['sim', 'list'], { SWITCHBOARD_PORT: String(served.port), SWITCHBOARD_CONFIG: configFile });
    assert.equal(listed.code, 0, listed.stderr);
    assert.equal(listed.stdout, '15550001\tring 2s, answer\n');
    served.child.kill('SIGTERM');
    assert.equal(await served.exited, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a bad configuration stops serve with a clear message and exit code 2', async () => {
  const r = await run(['serve', '--port', '99999']);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, 'switchboard: --port: must be between 0 and 65535, got 99999\n');
  const s = await run(['serve', '--port', '0', '--sim', '/nonexistent/sim.json']);
  assert.equal(s.code, 2);
  assert.match(s.stderr, /^switchboard: --sim: cannot read \/nonexistent\/sim\.json: ENOENT/);
});

test('an unknown command says so and exits 2', async () => {
  const r = await run(['frobnicate']);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, "switchboard: unknown command 'frobnicate'\n(add --help for usage)\n");
});

test('tail follows a call as it happens; webhooks list, show and replay a dead report', async () => {
  const { CaptureServer } = await import('../src/webhooks/capture.ts');
  const dir = mkdtempSync(join(tmpdir(), 'sb-cli-'));
  const db = join(dir, 'sb.db');
  const app = await new CaptureServer({}).listen();
  app.on('/answer', '<Response><Hangup/></Response>');
  app.on('/hangup', { status: 503 });
  const engine = await serve(['--db', db, '--webhook-retry-for', '0', '--default-script', 'ring 100ms, answer']);
  const env = { SWITCHBOARD_PORT: String(engine.port) };
  const tail = spawn(process.execPath, ['--import', 'tsx', MAIN, 'tail', '--db', db], { env: { ...BASE_ENV, ...env } });
  let tailed = '';
  tail.stdout.on('data', (d) => (tailed += d));
  const tailClosed = new Promise((r) => tail.on('close', r));
  try {
    const { request } = await import('undici');
    const auth = 'Basic ' + Buffer.from(`${engine.authId}:${engine.authToken}`).toString('base64');
    // The feed only carries what happens after tail connects: wait for its connection to show.
    for (let i = 0; i < 100; i++) {
      const health = await request(`http://127.0.0.1:${engine.port}/health`);
      await health.body.dump();
      if ((await run(['webhooks', 'list', '--db', db], env)).code === 0 && i > 2) break;
    }
    const res = await request(`http://127.0.0.1:${engine.port}/v1/Account/${engine.authId}/Call/`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify({ from: '15550000000', to: '15550001', answer_url: app.url('/answer'), hangup_url: app.url('/hangup') }),
    });
    assert.equal(res.statusCode, 201);
    await res.body.dump();
    await app.waitFor((r) => r.path === '/hangup', 10_000);
    for (let i = 0; i < 100 && !/webhook #2 hangup .* dead: HTTP 503/.test(tailed); i++) await new Promise((r) => setTimeout(r, 50));
    const lines = tailed.trim().split('\n').map((l) => l.replace(/^\d\d:\d\d:\d\d [0-9a-f]{8} /, ''));
    assert.deepEqual(lines.filter((l) => !l.startsWith('webhook #')).map((l) => l.split(' ')[0]), ['call.queued', 'leg.originated', 'leg.ringing', 'leg.answered', 'webhook.answer', 'leg.ended']);
    assert.ok(lines.some((l) => /^webhook #1 answer http:\/\/127\.0\.0\.1:\d+\/answer attempt 1: 200 \(\d+ ms\)$/.test(l)), tailed);
    assert.ok(lines.some((l) => /^webhook #2 hangup http:\/\/127\.0\.0\.1:\d+\/hangup dead: HTTP 503$/.test(l)), tailed);

    const listed = await run(['webhooks', 'list', '--status', 'dead', '--db', db], env);
    assert.equal(listed.code, 0, listed.stderr);
    const [row, count] = listed.stdout.trim().split('\n');
    assert.match(row!, /^[0-9a-f-]{36}  \d{4}-\d\d-\d\d \d\d:\d\d:\d\d  dead       1x  hangup   POST http:\/\/127\.0\.0\.1:\d+\/hangup  \(HTTP 503\)$/);
    assert.equal(count, '1 of 1');
    const id = row!.slice(0, 36);

    const shown = await run(['webhooks', 'show', id, '--db', db], env);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /^hangup Hangup POST http:\/\/127\.0\.0\.1:\d+\/hangup\ncall [0-9a-f-]{36}  sequence 2  status dead\n/);
    assert.match(shown.stdout, /\n  HangupCause=NORMAL_CLEARING\n/);
    assert.match(shown.stdout, /\nattempt 1  \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\+00:00  503  \d+ ms\n$/);

    app.on('/hangup', { status: 200 });
    const replayed = await run(['webhooks', 'replay', '--db', db], env);
    assert.equal(replayed.code, 0, replayed.stderr);
    assert.equal(replayed.stdout, '1 delivery replayed\n');
    const again = await app.waitFor((_r, all) => all.filter((r) => r.path === '/hangup').length === 2, 10_000);
    assert.equal(again.headers['x-switchboard-event-id'], id);
    assert.equal(again.headers['x-switchboard-attempt'], '2');
    const missing = await run(['webhooks', 'show', '00000000-0000-4000-8000-000000000000', '--db', db], env);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, 'switchboard: webhook delivery not found: 00000000-0000-4000-8000-000000000000\n');
  } finally {
    tail.kill('SIGTERM');
    await tailClosed;
    engine.child.kill('SIGTERM');
    await engine.exited;
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('SIGTERM drains: a live call may finish within --grace; one that outlasts it is closed with 8010 and reported', async () => {
  const { CaptureServer } = await import('../src/webhooks/capture.ts');
  const { request } = await import('undici');
  const dir = mkdtempSync(join(tmpdir(), 'sb-cli-'));
  const app = await new CaptureServer({}).listen();
  app.on('/short', '<Response><Wait length="1"/></Response>');
  app.on('/long', '<Response><Wait length="3600"/></Response>');
  const engine = await serve(['--db', join(dir, 'sb.db'), '--grace', '3s', '--default-script', 'answer']);
  try {
    const auth = 'Basic ' + Buffer.from(`${engine.authId}:${engine.authToken}`).toString('base64');
    const place = async (doc: string) => {
      const res = await request(`http://127.0.0.1:${engine.port}/v1/Account/${engine.authId}/Call/`, {
        method: 'POST',
        headers: { authorization: auth, 'content-type': 'application/json' },
        body: JSON.stringify({ from: '15550000000', to: '15550001', answer_url: app.url(doc), hangup_url: app.url('/hangup') }),
      });
      assert.equal(res.statusCode, 201);
      await res.body.dump();
    };
    await place('/short');
    await place('/long');
    await app.waitFor((_r, all) => all.filter((r) => r.path === '/short' || r.path === '/long').length === 2, 10_000);
    engine.child.kill('SIGTERM');
    for (let i = 0; i < 200 && !/"msg":"shutting down"/.test(engine.output()); i++) await new Promise((r) => setTimeout(r, 10));
    // While draining, new calls are refused.
    const refused = await request(`http://127.0.0.1:${engine.port}/v1/Account/${engine.authId}/Call/`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify({ from: '15550000000', to: '15550001', answer_url: app.url('/short') }),
    }).then(
      async (r) => (await r.body.dump(), r.statusCode),
      () => 'closed',
    );
    assert.ok(refused === 'closed' || refused === 409 || refused === 503, `a new call during shutdown got ${refused}`);
    assert.equal(await engine.exited, 0);
    const hangups = app.requests('/hangup');
    assert.equal(hangups.length, 2, 'both calls were reported before the engine exited');
    const byCode = Object.fromEntries(hangups.map((h) => [h.params.HangupCauseCode, h.params]));
    assert.deepEqual(Object.keys(byCode).sort(), ['4010', '8010']);
    assert.equal(byCode['8010']!.HangupCauseName, 'Engine Restart');
    assert.equal(byCode['8010']!.HangupSource, 'Error');
    assert.equal(byCode['8010']!.CallStatus, 'completed');
  } finally {
    engine.child.kill('SIGKILL');
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
