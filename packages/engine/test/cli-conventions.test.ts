/**
 * The CLI's conventions against a real `switchboard serve` (docs/cli.md#conventions): `--json`
 * for scripts, failures exit 1 with one line naming what failed (the engine and account refused,
 * a flow not found, a port in use), never a stack trace.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServe } from './support/serve-process.ts';
import { cleanEnv } from './support/child-env.ts';

const BIN = fileURLToPath(new URL('../bin/switchboard.js', import.meta.url));
const AUTH_ID = 'MACLICONVENTIONS0001';
const AUTH_TOKEN = 'cli-conventions-token-0123456789';

function switchboard(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: cleanEnv(env) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('--json, a refused account, an unknown flow: one output convention, exit 1 for failures', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-cli-conv-'));
  const served = await startServe({ db: join(dir, 'sb.db'), authId: AUTH_ID, authToken: AUTH_TOKEN, seed: 1 });
  const env = { SWITCHBOARD_AUTH_ID: AUTH_ID, SWITCHBOARD_AUTH_TOKEN: AUTH_TOKEN, SWITCHBOARD_PORT: String(served.port), SWITCHBOARD_HOST: '127.0.0.1' };
  try {
    const added = await switchboard(['sim', 'add', '+15550001', 'ring 2s, busy'], env);
    assert.deepEqual(added, { code: 0, stdout: '15550001\tring 2s, busy\n', stderr: '' });
    const listed = await switchboard(['sim', 'list', '--json'], env);
    assert.equal(listed.code, 0, listed.stderr);
    const body = JSON.parse(listed.stdout) as { objects: Array<{ number: string; script: string }> };
    assert.deepEqual(body.objects.map((o) => [o.number, o.script]), [['15550001', 'ring 2s, busy']]);

    const refused = await switchboard(['apps', 'list'], { ...env, SWITCHBOARD_AUTH_TOKEN: 'wrong-token-0123456789' });
    assert.equal(refused.code, 1);
    assert.equal(
      refused.stderr,
      `switchboard: the engine at http://127.0.0.1:${served.port} refused account ${AUTH_ID} (HTTP 401, credentials from SWITCHBOARD_AUTH_ID/SWITCHBOARD_AUTH_TOKEN): ` +
        'set SWITCHBOARD_AUTH_ID and SWITCHBOARD_AUTH_TOKEN to the account the engine printed at start, or --db to its database\n',
    );

    const trace = await switchboard(['flows', 'trace', 'no-such-flow'], env);
    assert.equal(trace.code, 1);
    assert.match(trace.stderr, /^switchboard: .*not found.*\n$/i);
    assert.doesNotMatch(trace.stderr, /no runs/);

    const unreachable = await switchboard(['sim', 'list'], { ...env, SWITCHBOARD_PORT: '1' });
    assert.equal(unreachable.code, 1);
    assert.match(unreachable.stderr, /^switchboard: cannot reach the engine at http:\/\/127\.0\.0\.1:1: .*\(is `switchboard serve` running there\?\)\n$/);
  } finally {
    await served.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sink on a port in use says so, without a stack trace, and exits 1', async () => {
  const taken = createServer();
  await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
  const port = (taken.address() as { port: number }).port;
  try {
    const r = await switchboard(['sink', '--port', String(port)], {});
    assert.deepEqual(r, { code: 1, stdout: '', stderr: `switchboard: port ${port} on 127.0.0.1 is already in use: stop what listens there or pick another --port\n` });
  } finally {
    taken.close();
  }
});
