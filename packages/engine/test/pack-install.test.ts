/**
 * The packages as a user gets them (issue 19): `npm pack` (scripts/pack.mjs), the tarballs
 * installed into an empty folder, and used from plain Node without TypeScript: `require` and
 * `import` of @switchboard/sdk, and `npx switchboard serve` placing a call whose webhooks an app
 * checks with the official `plivo` package. Nothing is written into the repository.
 *
 * better-sqlite3's native build is the one install step not repeated here by default (it compiles
 * C++ for minutes on a busy machine): the app pins the repository's own better-sqlite3 version and
 * reuses its compiled addon. SWITCHBOARD_PACK_BUILD_NATIVE=1 lets npm build it as a user's install does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startAppServer, verifySignature } from './support/app-server.ts';
import { apiClient } from './support/api-client.ts';
import { cleanEnv } from './support/child-env.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const run = promisify(execFile);
const AUTH_ID = 'MAPACKINSTALL0000001';
const AUTH_TOKEN = 'pack-install-token-0123456789';

test('packed tarballs install into an empty folder and run from plain Node', { timeout: 900_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-pack-'));
  const env = cleanEnv({ npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' });
  try {
    const packed = await run(process.execPath, [join(ROOT, 'scripts/pack.mjs'), '--out', join(dir, 'tarballs')], { cwd: ROOT, env, maxBuffer: 1 << 24 });
    const tarballs = packed.stdout.trim().split('\n');
    assert.deepEqual(
      tarballs.map((t) => t.slice(join(dir, 'tarballs').length + 1)),
      ['switchboard-sdk-0.1.0.tgz', 'switchboard-engine-0.1.0.tgz', 'switchboard-testkit-0.1.0.tgz'],
    );

    const app = join(dir, 'app');
    const sqlite = JSON.parse(readFileSync(join(ROOT, 'node_modules/better-sqlite3/package.json'), 'utf8')) as { version: string };
    const buildNative = process.env.SWITCHBOARD_PACK_BUILD_NATIVE === '1';
    const manifest = {
      name: 'an-app',
      version: '1.0.0',
      private: true,
      // npm 11 runs a dependency's install script only when the project allows it (docs/install.md).
      allowScripts: { 'better-sqlite3': buildNative },
      ...(buildNative ? {} : { overrides: { 'better-sqlite3': sqlite.version } }),
    };
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify(manifest, null, 2));
    await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', ...tarballs], { cwd: app, env, maxBuffer: 1 << 24 });
    if (!buildNative) {
      cpSync(join(ROOT, 'node_modules/better-sqlite3/build'), join(app, 'node_modules/better-sqlite3/build'), { recursive: true });
    }

    // The SDK from CommonJS and from ESM, root entry and subpaths, with no TypeScript loader.
    const cjs = await run(
      process.execPath,
      ['-e', `const sdk = require('@switchboard/sdk'); const { Response } = require('@switchboard/sdk/xml');
const r = new Response(); r.addDial({ action: 'https://app.example/action' }).addNumber('15551230001');
console.log(r.toXML()); console.log(typeof sdk.validateV3Signature, typeof sdk.express.plivoSignature, sdk.Response === Response);`],
      { cwd: app, env },
    );
    assert.equal(cjs.stdout, '<Response><Dial action="https://app.example/action"><Number>15551230001</Number></Dial></Response>\nfunction function true\n');
    const esm = await run(
      process.execPath,
      ['--input-type=module', '-e', `import { Response } from '@switchboard/sdk'; import { parseWebhook } from '@switchboard/sdk/webhooks';
import { signatureHeaders } from '@switchboard/sdk/signature';
console.log(new Response().addHangup({ reason: 'busy' }).toXML(), typeof parseWebhook, typeof signatureHeaders);`],
      { cwd: app, env },
    );
    assert.equal(esm.stdout, '<Response><Hangup reason="busy"/></Response> function function\n');

    // The test kit from plain JavaScript: a busy Dial on the virtual clock, its exact time.
    const kit = await run(
      process.execPath,
      ['--input-type=module', '-e', `import { startSwitchboard } from '@switchboard/testkit';
const sb = await startSwitchboard({ numbers: { '+15550002': 'ring 7s, busy' } });
const base = await sb.serve((req, res) => { req.resume(); req.on('end', () => { res.writeHead(200, { 'content-type': 'text/xml' });
  res.end(req.url.startsWith('/answer') ? '<Response><Dial action="' + base + '/action"><Number>+15550002</Number></Dial></Response>' : '<Response/>'); }); });
const call = await sb.call({ to: '+15550001', answer_url: base + '/answer' });
const action = await sb.webhook('action', { DialStatus: 'busy' }, { call: call.uuid });
const answer = await sb.webhook('answer', {}, { call: call.uuid });
console.log(action.params.DialHangupCause, action.at - answer.at);
await sb.close();`],
      { cwd: app, env },
    );
    assert.equal(kit.stdout, 'USER_BUSY 7000\n');

    const version = await run('npx', ['--no-install', 'switchboard', '--version'], { cwd: app, env });
    assert.equal(version.stdout, '0.1.0\n');

    // `npx switchboard serve` places a call: a Dial to a busy number, reported to the app. Its
    // SQLite writer thread forced on, so the compiled worker modules (that one and the webhook
    // thread's) are loaded from the installed package whatever the machine's core count.
    const hook = await startAppServer();
    hook.on('/answer', `<Response><Dial action="${hook.url('/action')}"><Number>15550002</Number></Dial></Response>`);
    const child = spawn('npx', ['--no-install', 'switchboard', 'serve', '--port', '0', '--host', '127.0.0.1', '--db', join(dir, 'sb.db'), '--log-level', 'info', '--sqlite-thread', 'on'], {
      cwd: app,
      env: { ...env, SWITCHBOARD_AUTH_ID: AUTH_ID, SWITCHBOARD_AUTH_TOKEN: AUTH_TOKEN },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: npx does not pass a signal on to the engine it started, so the
      // whole group is stopped at the end, or the engine outlives the test (and holds it open).
      detached: true,
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let out = '';
    try {
      const port = await new Promise<number>((resolve, reject) => {
        const onData = (d: Buffer) => {
          out += d.toString();
          const m = /"msg":"switchboard is serving"[^\n]*"url":"http:\/\/127\.0\.0\.1:(\d+)"|"url":"http:\/\/127\.0\.0\.1:(\d+)"[^\n]*"msg":"switchboard is serving"/.exec(out);
          if (m) resolve(Number(m[1] ?? m[2]));
        };
        child.stdout!.on('data', onData);
        child.stderr!.on('data', onData);
        void exited.then((code) => reject(new Error(`serve exited (${code}): ${out}`)));
      });
      const api = apiClient(`http://127.0.0.1:${port}`, AUTH_ID, AUTH_TOKEN);
      assert.equal((await api('POST', 'Simulator/Number/', { number: '15550002', script: 'ring 100ms, busy' })).status, 201);
      const placed = await api('POST', 'Call/', { from: '15550000000', to: '15550001', answer_url: hook.url('/answer'), hangup_url: hook.url('/hangup') });
      assert.equal(placed.status, 201, JSON.stringify(placed.body));
      const action = await hook.waitFor((r) => r.path === '/action', 20_000);
      assert.equal(action.params.DialStatus, 'busy');
      assert.equal(action.params.DialHangupCause, 'USER_BUSY');
      assert.ok(verifySignature(action, AUTH_TOKEN), 'the installed engine signs as Plivo does');
      await hook.waitFor((r) => r.path === '/hangup', 20_000);
      assert.doesNotMatch(out, /webhook thread cannot start|SQLite writer thread is not available/, 'both threads loaded from the package');

      // The dashboard shipped inside the engine package is served at `/`.
      const page = await api('GET', '/', undefined, null);
      assert.equal(page.status, 200);
      assert.match(String(page.body), /<div id="root">/);
    } finally {
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        // the group has already gone
      }
      await exited;
      await hook.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
