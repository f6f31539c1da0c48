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

test('a bad configuration stops serve with a clear message and exit code 2', async () => {
  const r = await run(['serve', '--port', '99999']);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, 'switchboard: --port: must be between 0 and 65535, got 99999\n');
  const s = await run(['serve', '--port', '0', '--sim', '/nonexistent/sim.json']);
  assert.equal(s.code, 2);
  assert.match(s.stderr, /^switchboard: --sim: cannot read \/nonexistent\/sim\.json: ENOENT/);
});

test('an unknown command prints the usage and exits 2', async () => {
  const r = await run(['frobnicate']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^switchboard: unknown command "frobnicate"\n\nswitchboard — a self-hosted/);
});
