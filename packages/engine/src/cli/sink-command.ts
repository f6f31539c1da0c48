/** `switchboard sink`: a webhook receiver that prints what it gets (STYLE.md §9). */
import { CliError, UsageError } from './args.ts';
import type { Flags } from './program.ts';
import { runSink } from './sink.ts';

export async function sinkCommand(flags: Flags): Promise<number> {
  const port = flags.port === undefined ? 9090 : Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port: not a port: "${flags.port}"`);
  const host = flags.host ?? '127.0.0.1';
  const sink = await runSink({
    host,
    port,
    authToken: flags['auth-token'] ?? process.env.SWITCHBOARD_AUTH_TOKEN,
    respond: flags.respond,
    log: (line) => console.log(line),
  }).catch((err: NodeJS.ErrnoException) => {
    // The README's steps share ports: say which one and what to do, not a stack trace.
    if (err.code === 'EADDRINUSE') throw new CliError(`port ${port} on ${host} is already in use: stop what listens there or pick another --port`);
    if (err.code === 'EACCES' || err.code === 'EADDRNOTAVAIL') throw new CliError(`cannot listen on ${host}:${port}: ${err.code}`);
    throw err;
  });
  console.log(`switchboard sink listening on http://${flags.host ?? '127.0.0.1'}:${sink.port}/`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await sink.close();
  return 0;
}
