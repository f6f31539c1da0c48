/** `switchboard sink`: a webhook receiver that prints what it gets (STYLE.md §9). */
import { parseFlags, UsageError } from './args.ts';
import { runSink } from './sink.ts';

export async function sinkCommand(args: string[]): Promise<number> {
  const { flags } = parseFlags(args, ['host', 'port', 'auth-token', 'respond']);
  const port = flags.port === undefined ? 9090 : Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port: not a port: "${flags.port}"`);
  const sink = await runSink({
    host: flags.host ?? '127.0.0.1',
    port,
    authToken: flags['auth-token'] ?? process.env.SWITCHBOARD_AUTH_TOKEN,
    respond: flags.respond,
    log: (line) => console.log(line),
  });
  console.log(`switchboard sink listening on http://${flags.host ?? '127.0.0.1'}:${sink.port}/`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await sink.close();
  return 0;
}
