/**
 * Generated from the CLI's own command table (src/cli/program.ts): every command and subcommand
 * answers `--help` with exit code 0, its usage line, its flags and an example (docs/cli.md).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { buildProgram, commandPaths, runProgram, CLI_VERSION } from '../src/cli/program.ts';
import { cleanEnv } from './support/child-env.ts';

const BIN = fileURLToPath(new URL('../bin/switchboard.js', import.meta.url));

function switchboard(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: cleanEnv(env) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs `args` through the command table in this process, its output captured. */
async function inProcess(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const program = buildProgram();
  let stdout = '';
  let stderr = '';
  const capture = (cmd: Command): void => {
    cmd.configureOutput({ writeOut: (s) => (stdout += s), writeErr: (s) => (stderr += s) });
    cmd.commands.forEach(capture);
  };
  capture(program);
  try {
    return { code: await runProgram(args, program), stdout, stderr };
  } catch (err) {
    return { code: err instanceof CommanderError && err.code === 'commander.helpDisplayed' ? 0 : 2, stdout, stderr };
  }
}

test('every command of the table answers --help with exit 0, its usage, flags and an example', async () => {
  const paths = [[], ...commandPaths()];
  assert.ok(paths.length >= 30, `${paths.length} commands`);
  const failures: string[] = [];
  for (const path of paths) {
    const r = await inProcess([...path, '--help']);
    const name = ['switchboard', ...path].join(' ');
    if (r.code !== 0) failures.push(`${name}: exit ${r.code} ${r.stderr}`);
    else if (!r.stdout.startsWith(`Usage: ${name} `)) failures.push(`${name}: ${r.stdout.split('\n')[0]}`);
    else if (!/\nExamples?:\n {2}\$ switchboard /.test(r.stdout)) failures.push(`${name}: no example`);
    else if (!r.stdout.includes('  -h, --help ')) failures.push(`${name}: no flags`);
    else if (r.stderr !== '') failures.push(`${name}: stderr ${r.stderr}`);
  }
  assert.deepEqual(failures, []);
  // And as a process, the way a user runs it.
  for (const path of [['serve'], ['apps', 'create'], ['flows', 'trace']]) {
    const r = await switchboard([...path, '--help']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^Usage: switchboard ${path.join(' ')} `));
  }
});

test('--version prints the package version; usage errors exit 2 with one message on stderr', async () => {
  assert.deepEqual(await switchboard(['--version']), { code: 0, stdout: `${CLI_VERSION}\n`, stderr: '' });
  assert.equal(CLI_VERSION, '0.1.0');
  assert.deepEqual(await switchboard(['serv']), { code: 2, stdout: '', stderr: "switchboard: unknown command 'serv'\n(Did you mean serve?)\n(add --help for usage)\n" });
  assert.deepEqual(await switchboard(['serve', '--prot', '8080']), { code: 2, stdout: '', stderr: "switchboard: unknown option '--prot'\n(Did you mean --port?)\n(add --help for usage)\n" });
  assert.deepEqual(await switchboard(['tail', '--kind', 'foo']), {
    code: 2,
    stdout: '',
    stderr: "switchboard: option '--kind <kind>' argument 'foo' is invalid. Allowed choices are event, delivery.\n(add --help for usage)\n",
  });
  assert.deepEqual(await switchboard(['apps', 'create', 'Dial status']), {
    code: 2,
    stdout: '',
    stderr: "switchboard: required option '--answer-url <url>' not specified\n(add --help for usage)\n",
  });
  assert.deepEqual(await switchboard(['numbers', 'show']), { code: 2, stdout: '', stderr: "switchboard: missing required argument 'number'\n(add --help for usage)\n" });
  const bare = await switchboard([]);
  assert.equal(bare.code, 2);
  assert.match(bare.stderr, /^Usage: switchboard \[options\] \[command\]\n/);
});

test('serve takes every flag the config reads (src/config/config.ts), and no other', () => {
  const source = readFileSync(fileURLToPath(new URL('../src/config/config.ts', import.meta.url)), 'utf8');
  const read = new Set([...source.matchAll(/\b(?:pick|intOf|durationOf|source|targetList|bool)\('([a-z-]+)'/g)].map((m) => m[1]!));
  read.add('config'); // read by serve itself
  const serve = buildProgram().commands.find((c) => c.name() === 'serve')!;
  const declared = serve.options.map((o) => o.long!.slice(2)).filter((n) => n !== 'help');
  assert.deepEqual([...declared].sort(), [...read].sort());
});

test('every flag of serve reads SWITCHBOARD_<FLAG> from the environment, as the help says (--sim: SWITCHBOARD_SIM_FILE)', () => {
  const source = readFileSync(fileURLToPath(new URL('../src/config/config.ts', import.meta.url)), 'utf8');
  const read = new Map([...source.matchAll(/\(\s*'([a-z-]+)',\s*'(SWITCHBOARD_[A-Z_]+)'/g)].map((m) => [m[1]!, m[2]!]));
  const serve = buildProgram().commands.find((c) => c.name() === 'serve')!;
  const flags = serve.options.map((o) => o.long!.slice(2)).filter((f) => f !== 'config' && f !== 'help');
  const expected = new Map(flags.map((f) => [f, f === 'sim' ? 'SWITCHBOARD_SIM_FILE' : `SWITCHBOARD_${f.toUpperCase().replace(/-/g, '_')}`]));
  assert.deepEqual(new Map([...read].sort()), new Map([...expected].sort()));
});
