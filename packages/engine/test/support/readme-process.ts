/**
 * What the README's sections start, run from the repository's root as a reader would: a command
 * whose output is watched until it says it is ready, and the free TCP port to give it.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** The test runner's environment without any SWITCHBOARD_ setting, as on a reader's machine. */
const BASE_ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SWITCHBOARD_')));

export function freeTcpPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface Started {
  /** SIGTERM, then resolves once it exited. */
  kill: () => Promise<void>;
  /** Its stdout and stderr so far. */
  output: () => string;
}

/** `node <args>` in the repository's root; resolves once its output matches `ready`, rejects if it exits first. */
export function startNode(args: string[], env: Record<string, string>, ready: RegExp): Promise<Started> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...BASE_ENV, ...env } });
    let out = '';
    const closed = new Promise<void>((r) => child.on('close', () => r()));
    const onData = (d: Buffer) => {
      out += d;
      if (ready.test(out)) resolve({ kill: async () => void (child.kill('SIGTERM'), await closed), output: () => out });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void closed.then(() => reject(new Error(`exited early: ${out}`)));
  });
}
