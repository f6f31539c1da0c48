/** `switchboard apps|numbers|flows` as a user runs them, against a real `switchboard serve` (STYLE.md §12). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServe } from './support/serve-process.ts';
import { startAppServer } from './support/app-server.ts';

const MAIN = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const BASE_ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SWITCHBOARD_')));
const AUTH_ID = 'MACLIFLOWS0000000001';
const AUTH_TOKEN = 'cli-flows-token-0123456789';

function cli(port: number, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const env = { ...BASE_ENV, SWITCHBOARD_AUTH_ID: AUTH_ID, SWITCHBOARD_AUTH_TOKEN: AUTH_TOKEN, SWITCHBOARD_PORT: String(port), SWITCHBOARD_HOST: '127.0.0.1' };
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('apps, numbers and flows commands: create, attach, import (with errors by node and field), run, trace', { timeout: 240_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-cli-flows-'));
  const app = await startAppServer();
  const served = await startServe({ db: join(dir, 'sb.db'), authId: AUTH_ID, authToken: AUTH_TOKEN, seed: 1 });
  try {
    const port = served.port;
    const created = await cli(port, ['apps', 'create', 'Dial', 'Status', '--answer-url', app.url('/answer'), '--default']);
    assert.equal(created.code, 0, created.stderr);
    const appId = created.stdout.trim();

    assert.equal((await cli(port, ['numbers', 'add', '+15553330001', '--app', appId, '--alias', 'main'])).code, 0);
    assert.equal((await cli(port, ['numbers', 'update', '15553330001', '--detach'])).code, 0);
    assert.equal((await cli(port, ['numbers', 'list'])).stdout, `15553330001\t(default_number_app)\tmain\n`);

    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ name: 'b', nodes: [{ name: 'Start', type: 'start', transitions: { api_request: 'Ping' } }, { name: 'Ping', type: 'http_request', ring_timeout: 3 }] }));
    const refused = await cli(port, ['flows', 'import', bad]);
    assert.equal(refused.code, 1);
    assert.equal(refused.stderr, 'switchboard: flow:\n  Ping.url: is required\n');

    const good = join(dir, 'ping.json');
    writeFileSync(
      good,
      JSON.stringify({
        name: 'ping',
        nodes: [
          { name: 'Start', type: 'start', payload: { who: 'nobody' }, transitions: { api_request: 'Ping' } },
          { name: 'Ping', type: 'http_request', method: 'POST', url: app.url('/ping'), body: { type: 'form', data: { who: '{{Start.http.params.who}}' } } },
        ],
      }),
    );
    const imported = await cli(port, ['flows', 'import', good]);
    assert.equal(imported.code, 0, imported.stderr);
    const flowId = imported.stdout.trim();
    const ran = await cli(port, ['flows', 'run', flowId, 'who=alice']);
    assert.equal(ran.code, 0, ran.stderr);
    const runId = ran.stdout.trim();
    const [ping] = await app.waitFor((r) => r.path === '/ping', 10_000).then(() => app.requests('/ping'));
    assert.equal(ping!.params.who, 'alice');
    let traced = '';
    for (let i = 0; i < 50 && !traced.includes('completed'); i++) {
      traced = (await cli(port, ['flows', 'trace', flowId])).stdout;
      if (!traced.includes('completed')) await new Promise((r) => setTimeout(r, 100));
    }
    const lines = traced.trim().split('\n');
    assert.equal(lines[0], `run ${runId}  api_request  completed`);
    assert.match(lines[1]!, /^\d\d:\d\d:\d\d  Start +api_request +-> Ping +\d+ ms  request_type=http$/);
    assert.match(lines[2]!, /^\d\d:\d\d:\d\d  Ping +success +-> end +\d+ ms  status_code=200 content_type=text\/xml response=/);
    const undeclared = await cli(port, ['flows', 'run', flowId, 'otp=1']);
    assert.equal(undeclared.stderr, 'switchboard: otp: is not a payload key the Start node declares (declared: who)\n');
  } finally {
    await served.kill('SIGTERM');
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
