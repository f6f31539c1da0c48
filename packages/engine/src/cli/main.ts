/**
 * The `switchboard` command: serve, sim, sink. Each command lives in its own file; this one only
 * dispatches and turns a bad invocation into a clear message and exit code 2.
 */
import { serveCommand } from './serve.ts';
import { simCommand } from './sim.ts';
import { sinkCommand } from './sink-command.ts';
import { tailCommand } from './tail.ts';
import { webhooksCommand } from './webhooks.ts';
import { appsCommand } from './apps.ts';
import { numbersCommand } from './numbers.ts';
import { flowsCommand } from './flows.ts';
import { reportCommand } from './report.ts';
import { generateCommand } from './generate.ts';
import { UsageError } from './args.ts';

const USAGE = `switchboard — a self-hosted, Plivo-compatible call-control engine

Usage:
  switchboard serve [--config FILE] [--host H] [--port P] [--db FILE] [--sim FILE] [--seed N]
                    [--log-level L] [--webhook-retry-for DUR] [--inbound-answer-url URL] [--grace DUR]
                    [--sip-listen HOST:PORT] [--sip-trunk sip:HOST:PORT[;transport=tcp]]
                    [--sip-accept-from CIDR[,CIDR...]]
  switchboard sim add NUMBER SCRIPT     configure a simulated number on a running engine
  switchboard sim list                  list simulated numbers
  switchboard sim remove NUMBER         remove one
  switchboard sink [--port P] [--auth-token T] [--respond XML|FILE]
                                        print every webhook it receives (for debugging an app)
  switchboard tail [--call UUID] [--kind event|delivery] [--json]
                                        follow call events and webhook outcomes as they happen
  switchboard webhooks list [--status pending|delivered|failed|dead] [--match URL*] [--call UUID]
  switchboard webhooks show DELIVERY_ID every attempt of one webhook
  switchboard webhooks replay DELIVERY_ID | replay [--status dead] [--match URL*]
                                        send again (same event id, fresh signature)
  switchboard apps create NAME --answer-url URL [--hangup-url URL] [--fallback-url URL] [--default]
  switchboard apps list | show ID | update ID [...] | delete ID
  switchboard numbers add NUMBER [--app APP_ID | --flow FLOW_ID] [--alias A]
  switchboard numbers list | show NUMBER | update NUMBER [--app ID | --flow ID | --detach] | remove NUMBER
  switchboard flows import FILE.json [--replace FLOW_ID]
  switchboard flows list | run FLOW_ID [key=value ...] | trace FLOW_ID [RUN_ID]
  switchboard report [--since 24h | --start T --end T] [--group-by hour|day|destination|caller_id|application]
                     [--kind call|dial] [--csv] [--webhooks]
                                        the dial report (or webhook health) of a running engine
  switchboard generate --calls N [--db FILE] [--days 7] [--seed 1]
                                        fill a database with realistic simulated traffic

Environment: SWITCHBOARD_CONFIG, SWITCHBOARD_HOST, SWITCHBOARD_PORT, SWITCHBOARD_DB,
SWITCHBOARD_AUTH_ID, SWITCHBOARD_AUTH_TOKEN, SWITCHBOARD_SIM_FILE, SWITCHBOARD_LOG_LEVEL,
SWITCHBOARD_SIP_LISTEN, SWITCHBOARD_SIP_TRUNK. See docs/cli.md.`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      return serveCommand(rest);
    case 'sim':
      return simCommand(rest);
    case 'sink':
      return sinkCommand(rest);
    case 'tail':
      return tailCommand(rest);
    case 'webhooks':
      return webhooksCommand(rest);
    case 'apps':
      return appsCommand(rest);
    case 'numbers':
      return numbersCommand(rest);
    case 'flows':
      return flowsCommand(rest);
    case 'report':
      return reportCommand(rest);
    case 'generate':
      return generateCommand(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      console.log(USAGE);
      return command === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0) process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
      console.error(`switchboard: ${err.message}\n\n${USAGE}`);
      process.exitCode = 2;
      return;
    }
    const e = err as { name?: string; message?: string };
    if (e?.name === 'ConfigError' || e?.name === 'ScriptError') {
      console.error(`switchboard: ${e.message}`);
      process.exitCode = 2;
      return;
    }
    console.error(err);
    process.exitCode = 1;
  },
);
