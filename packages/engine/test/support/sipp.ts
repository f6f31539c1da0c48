/**
 * Runs sipp (Debian `sip-tester`) as a real SIP peer for tests: one process per scenario, on a
 * free loopback port, bounded by `-m` and `-timeout`, with its message trace kept in a temp dir so
 * a failing test can print what went over the wire. Processes are killed by PID, never by name.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import dgram from 'node:dgram';
import { mkdtempSync, readdirSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
/** The shared scenarios (spec/sip.md §2.1) and our own (test/sipp/). */
export const SHARED_SIPP = resolve(here, '../../../../../shared/sipp');
export const OWN_SIPP = resolve(here, '../sipp');

export function scenario(name: string): string {
  const own = join(OWN_SIPP, name);
  return existsSync(own) ? own : join(SHARED_SIPP, name);
}

const taken = new Set<number>();

/** A UDP port nobody uses right now (bind to 0, read, close); never handed out twice in one process. */
export async function freePort(): Promise<number> {
  for (;;) {
    const s = dgram.createSocket('udp4');
    const port = await new Promise<number>((res, rej) => {
      s.once('error', rej);
      s.bind(0, '127.0.0.1', () => res(s.address().port));
    });
    await new Promise<void>((r) => s.close(() => r()));
    // The engine listens on TCP and UDP at one port: a free UDP port can still be a TCP port some
    // outgoing connection holds, so check the TCP side too.
    if (!taken.has(port) && (await tcpFree(port))) {
      taken.add(port);
      return port;
    }
  }
}

function udpBind(port: number): Promise<dgram.Socket | undefined> {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    s.once('error', () => resolve(undefined));
    s.bind(port, '127.0.0.1', () => resolve(s));
  });
}

/**
 * The first of `count` consecutive free UDP ports: sipp's media takes -mp and the three after it
 * (audio RTP and RTCP, video RTP and RTCP), and a neighbour another process holds makes it exit.
 */
export async function freePortRange(count: number): Promise<number> {
  for (;;) {
    const first = await udpBind(0);
    const base = first!.address().port;
    const held = [first!];
    for (let i = 1; i < count && base + i < 65536; i++) {
      const s = await udpBind(base + i);
      if (!s) break;
      held.push(s);
    }
    await Promise.all(held.map((s) => new Promise<void>((r) => s.close(() => r()))));
    const ports = Array.from({ length: count }, (_, i) => base + i);
    if (held.length === count && ports.every((p) => !taken.has(p))) {
      for (const p of ports) taken.add(p);
      return base;
    }
  }
}

function tcpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

export interface SippRun {
  readonly port: number;
  readonly dir: string;
  /** Resolves with sipp's exit code (0 = every call succeeded). */
  readonly exit: Promise<number>;
  /** The message trace and errors, for assertion messages. */
  log(): string;
  kill(): void;
}

export interface SippOptions {
  /** File name under test/sipp/ or shared/sipp/. */
  readonly scenario: string;
  /** UAC: the engine's `host:port`. Absent for a UAS. */
  readonly remote?: string;
  readonly calls?: number;
  /** `-s`: the Request-URI user (the number dialled). */
  readonly service?: string;
  /** `-d`: the length of each `<pause/>`, ms. */
  readonly pauseMs?: number;
  readonly timeoutS?: number;
  /** `-t u1` (default) or `-t t1`: one TCP connection, `[transport]` reads `TCP`. */
  readonly transport?: 'udp' | 'tcp';
  /** `-key NAME VALUE`: the scenario's `[NAME]` keywords. */
  readonly keys?: Readonly<Record<string, string>>;
  readonly extra?: readonly string[];
  /** `-i`: the address sipp sends from (default 127.0.0.1; any 127.0.0.0/8 address works on lo). */
  readonly localIp?: string;
}

/** Whether sipp has bound its UDP socket, or (TCP) its listen socket is in LISTEN (state 0A). */
function listening(port: number, transport: 'udp' | 'tcp'): boolean {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  try {
    const table = readFileSync(`/proc/net/${transport}`, 'utf8');
    return transport === 'udp' ? table.includes(`:${hex} `) : table.split('\n').some((l) => l.includes(`:${hex} 00000000:0000 0A `));
  } catch {
    return true;
  }
}

/** sipp's trace folders, read by log() until the test file ends; removed then. */
const traceDirs = new Set<string>();
process.once('exit', () => {
  for (const dir of traceDirs) rmSync(dir, { recursive: true, force: true });
});

export async function startSipp(o: SippOptions): Promise<SippRun> {
  const port = await freePort();
  const mediaPort = await freePortRange(4);
  const dir = mkdtempSync(join(tmpdir(), 'sb-sipp-'));
  traceDirs.add(dir);
  const args = [
    ...(o.remote ? [o.remote] : []),
    '-sf', scenario(o.scenario),
    '-i', o.localIp ?? '127.0.0.1', '-p', String(port), '-mp', String(mediaPort),
    '-m', String(o.calls ?? 1),
    '-timeout', `${o.timeoutS ?? 30}s`,
    '-nostdin', '-trace_err', '-trace_msg',
    ...(o.service ? ['-s', o.service] : []),
    ...(o.pauseMs !== undefined ? ['-d', String(o.pauseMs)] : []),
    ...(o.transport === 'tcp' ? ['-t', 't1'] : []),
    ...Object.entries(o.keys ?? {}).flatMap(([k, v]) => ['-key', k, v]),
    ...(o.extra ?? []),
  ];
  const child: ChildProcess = spawn('sipp', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  // sipp's -timeout does not end a call stuck in a <recv> (seen with 3.6.1): such a run would keep
  // sipp, and the test, alive for ever. Past the timeout and a grace period it is killed and fails.
  const deadline = setTimeout(() => {
    if (child.exitCode !== null || child.signalCode !== null || !child.pid) return;
    stderr += `\nkilled: still running ${(o.timeoutS ?? 30) + 15} s after start\n`;
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {
      // It exited in the meantime.
    }
  }, ((o.timeoutS ?? 30) + 15) * 1000);
  deadline.unref();
  const exit = new Promise<number>((res) =>
    child.on('exit', (code, signal) => {
      clearTimeout(deadline);
      res(code ?? (signal ? 128 : 1));
    }),
  );
  // A UAS must be bound before the engine sends to it.
  if (!o.remote) {
    for (let i = 0; i < 100 && !listening(port, o.transport ?? 'udp'); i++) await new Promise((r) => setTimeout(r, 20));
  }
  return {
    port,
    dir,
    exit,
    log: () => {
      const files = readdirSync(dir).filter((f) => f.endsWith('.log'));
      return [`sipp ${args.join(' ')}`, stderr, ...files.map((f) => `--- ${f}\n${readFileSync(join(dir, f), 'utf8').slice(-6000)}`)].join('\n');
    },
    kill: () => {
      if (child.exitCode !== null || child.signalCode !== null || !child.pid) return;
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // It exited between the check and the kill.
      }
    },
  };
}

/** Waits for sipp to exit and fails with its trace when it did not succeed. */
export async function expectSippOk(run: SippRun, label = 'sipp'): Promise<void> {
  const code = await run.exit;
  if (code !== 0) throw new Error(`${label} exited ${code}\n${run.log()}`);
}
