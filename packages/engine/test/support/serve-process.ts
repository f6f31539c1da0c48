/**
 * `switchboard serve` as a child process, the way a user runs it (STYLE.md §12): started on port 0,
 * found through its "switchboard is serving" log line, stopped by signal to its own PID.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { RealClock } from '../../src/clock.ts';
import { apiClient } from './api-client.ts';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
/** The child sees only the settings a test gives it, never the caller's SWITCHBOARD_*. */
const BASE_ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SWITCHBOARD_')));

export interface ServeOptions {
  db: string;
  authId: string;
  authToken: string;
  seed: number;
  extraArgs?: readonly string[];
  /** How long start-up may take (loading TypeScript on a busy machine is slow). */
  startTimeoutMs?: number;
}

export interface ServeProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly port: number;
  readonly base: string;
  /** JSON log lines so far (stdout), parsed; anything else is kept in `output()`. */
  logs(): Array<Record<string, unknown>>;
  output(): string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends `signal` to this child's PID and waits for it to exit. */
  kill(signal: NodeJS.Signals): Promise<void>;
  api(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<{ status: number; body: any }>;
}

export function startServe(o: ServeOptions): Promise<ServeProcess> {
  const args = [
    '--import', 'tsx', MAIN, 'serve',
    '--port', '0', '--host', '127.0.0.1', '--db', o.db, '--seed', String(o.seed),
    // info, not warn: with a configured account, the "serving" line is the only place the bound port shows.
    '--log-level', 'info',
    ...(o.extraArgs ?? []),
  ];
  const child = spawn(process.execPath, args, {
    env: { ...BASE_ENV, SWITCHBOARD_AUTH_ID: o.authId, SWITCHBOARD_AUTH_TOKEN: o.authToken },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid!;
  let out = '';
  let lines: Array<Record<string, unknown>> = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );

  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      timer.cancel();
      child.kill('SIGKILL');
      reject(new Error(`serve ${why}: ${out}`));
    };
    const limit = o.startTimeoutMs ?? 60_000;
    const timer = new RealClock().setTimer(limit, () => fail(`did not start within ${limit} ms`));
    void exited.then(({ code, signal }) => fail(`exited during start-up (${code ?? signal})`));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      lines = out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => {
          try {
            return JSON.parse(l) as Record<string, unknown>;
          } catch {
            return {}; // a line still being written
          }
        });
      const serving = lines.find((l) => l.msg === 'switchboard is serving');
      if (settled || !serving) return;
      const port = Number(/:(\d+)$/.exec(String(serving.url))?.[1]);
      settled = true;
      timer.cancel();
      const base = `http://127.0.0.1:${port}`;
      resolve({
        child,
        pid,
        port,
        base,
        logs: () => lines,
        output: () => out,
        exited,
        async kill(signal) {
          if (child.exitCode === null && child.signalCode === null) process.kill(pid, signal);
          await exited;
        },
        api: apiClient(base, o.authId, o.authToken),
      });
    });
  });
}
