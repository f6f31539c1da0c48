/**
 * The `switchboard` command table on commander (docs/cli.md). Why commander: no dependencies of its
 * own, a help page per (sub)command built from the same option declarations that parse the input,
 * "did you mean" for commands and options, choices and required options checked before any
 * command code runs, and an exit hook that lets us keep one exit-code convention.
 *
 * Conventions (docs/cli.md#conventions): human text on stdout by default, `--json` for scripts,
 * every error on stderr as `switchboard: ...`; exit 0 ok, 1 failure, 2 usage. Command modules are
 * loaded only when their command runs, so `--help` answers at once.
 */
import { createRequire } from 'node:module';
import { Command, Option } from 'commander';

const require = createRequire(import.meta.url);
export const CLI_VERSION: string = (require('../../package.json') as { version: string }).version;

/** Flags by their long name (`answer-url`), as the command modules read them; booleans are 'true'. */
export type Flags = Record<string, string | undefined>;
type Handler = (flags: Flags, positionals: string[]) => Promise<number>;

/** What the last action returned: the process's exit code. */
let exitCode = 0;

function flagsOf(cmd: Command): Flags {
  const values = cmd.opts();
  const flags: Flags = {};
  for (const o of cmd.options) {
    const v = values[o.attributeName()];
    if (v !== undefined && v !== false && o.long) flags[o.long.slice(2)] = v === true ? 'true' : String(v);
  }
  return flags;
}

/** The flags every command that talks to a running engine takes (docs/cli.md#reaching-the-engine). */
function clientOptions(cmd: Command, json = true): Command {
  cmd
    .option('--url <url>', 'the engine\'s base URL (default http://SWITCHBOARD_HOST:SWITCHBOARD_PORT)')
    .option('--host <host>', 'the engine\'s host (SWITCHBOARD_HOST, default 127.0.0.1)')
    .option('--port <port>', 'the engine\'s port (SWITCHBOARD_PORT, default 8080)')
    .option('--db <file>', 'the engine\'s database, to read its generated account (SWITCHBOARD_DB)')
    .option('--config <file>', 'the engine\'s config file (SWITCHBOARD_CONFIG)');
  if (json) cmd.option('--json', 'print the API\'s JSON answer, for scripts');
  return cmd;
}

function example(cmd: Command, ...lines: string[]): Command {
  return cmd.addHelpText('after', `\nExample${lines.length > 1 ? 's' : ''}:\n${lines.map((l) => `  $ ${l}`).join('\n')}`);
}

/** Runs `handler` with this command's flags and its arguments (variadic ones spread). */
function run(load: () => Promise<Handler>, prefix: string[] = []) {
  return async function (this: Command, ...args: unknown[]): Promise<void> {
    const positionals = (args.slice(0, this.registeredArguments.length) as Array<string | string[] | undefined>).flatMap((a) =>
      a === undefined ? [] : Array.isArray(a) ? a : [a],
    );
    const handler = await load();
    exitCode = await handler(flagsOf(this), [...prefix, ...positionals]);
  };
}

function group(parent: Command, name: string, summary: string, ...examples: string[]): Command {
  return example(parent.command(name).description(summary), ...examples);
}

/**
 * Every flag of serve can come from the environment instead (config/config.ts reads them; a test
 * checks this sentence against it).
 */
export const SERVE_ENVIRONMENT = 'SWITCHBOARD_CONFIG names a config file; each flag of serve also reads SWITCHBOARD_<FLAG>\n(--log-level: SWITCHBOARD_LOG_LEVEL), but --sim reads SWITCHBOARD_SIM_FILE. A flag wins over the environment.';

export function buildProgram(): Command {
  const program = new Command('switchboard')
    .description('Switchboard: a self-hosted, Plivo-compatible call-control engine (docs/cli.md)')
    .version(CLI_VERSION, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help for a command')
    .showSuggestionAfterError(true)
    .showHelpAfterError('(add --help for usage)')
    .configureOutput({ outputError: (str, write) => write(str.replace(/^error: /, 'switchboard: ')) })
    .exitOverride();
  example(program, 'switchboard serve', 'switchboard sim add +15550001 "ring 2s, busy"', 'switchboard serve --help');
  program.addHelpText('after', `
Environment: ${SERVE_ENVIRONMENT}
Exit codes: 0 ok, 1 failure, 2 usage. Docs: docs/cli.md.`);

  const serve = example(
    program
      .command('serve')
      .description('run the engine: the Plivo-compatible API, the simulated network (and SIP), the dashboard')
      .option('--config <file>', 'a JSON config file (SWITCHBOARD_CONFIG)')
      .option('--host <host>', 'address to listen on (default 127.0.0.1)')
      .option('--port <port>', 'port, 0 for a free one (default 8080)')
      .option('--db <file>', 'SQLite file (default ./data/switchboard.db)')
      .option('--auth-id <id>', 'the account\'s auth ID (generated when unset)')
      .option('--auth-token <token>', 'the account\'s auth token')
      .option('--sim <file>', 'simulated numbers, JSON { "+15550001": "ring 2s, answer" }')
      .option('--seed <n>', 'seed of the simulated network\'s randomness (default 1)')
      .option('--default-script <script>', 'behaviour of numbers with no script (default "ring 1s, answer, hangup after 30s")')
      .option('--network-timeout <duration>', 'how long a `timeout` number stays silent (default 32s)')
      .option('--play-length <duration>', 'how long one pass of <Play> lasts (default 5s)')
      .option('--billing-increment <seconds>', 'BillDuration rounds up to it (default 60)')
      .option('--webhook-retry-for <duration>', 'how long a notification is retried; 0 = never (default 24h)')
      .option('--webhook-concurrency <n>', 'requests in flight to one host (default 32)')
      .option('--inbound-answer-url <url>', 'answer_url for inbound calls to numbers the account does not have')
      .option('--log-level <level>', 'silent, error, warn, info, debug or trace (default info)')
      .option('--grace <duration>', 'on SIGTERM/SIGINT, how long live calls may go on (default 30s)')
      .option('--sip-listen <addresses>', 'SIP listen addresses, HOST:PORT[,HOST:PORT...]')
      .option('--sip-trunk <uris>', 'SIP trunks, sip:HOST[:PORT][;transport=tcp], comma separated')
      .option('--sip-accept-from <cidrs>', 'networks SIP INVITEs are taken from, CIDRs comma separated')
      .option('--webhook-allow <list>', 'CIDRs / host names webhooks may reach, comma separated (docs/security.md)')
      .option('--webhook-deny <list>', 'CIDRs / host names webhooks never reach; deny wins over allow')
      .option('--webhook-thread <on|off>', 'send webhooks from a thread of their own (default on)')
      .option('--sqlite-thread <on|off>', 'commit SQLite writes on a thread of their own (default on with 4 or more cores)')
      .option('--commit-interval <duration>', 'SQLite: least time between group commits, e.g. 2ms: less CPU under load for that much latency (default 0)')
      .option('--trust-proxy <setting>', 'which proxies\' X-Forwarded-For to trust (docs/security.md)')
      .option('--cps-limit <n>', 'calls per second the account may place; 0 = no limit')
      .option('--auth-fail-limit <n>', 'failed logins from one address before it is blocked for a while')
      .option('--auth-fail-window <duration>', 'the window of --auth-fail-limit')
      .option('--sse-limit <n>', 'live event streams open at once')
      .option('--metrics-auth', '/metrics needs an account\'s credentials (docs/security.md)')
      .option('--node-id <id>', 'this node\'s id (SWITCHBOARD_NODE_ID; default node-1, in a cluster <hostname>:<port>)')
      .option('--advertise-url <url>', 'where other nodes reach this one, e.g. http://10.0.0.5:8080 (default the bound address)')
      .option('--node-lease <duration>', 'a node silent this long is dead and taken over (default 10s)')
      .option('--cluster-secret <secret>', 'shared by the nodes of one PostgreSQL database: turns the cluster on (docs/scaling.md)'),
    'switchboard serve --port 8080 --sim sim.json',
    'switchboard serve --port 0 --db /tmp/sb.db --log-level warn',
  );
  serve.action(run(async () => (await import('./serve.ts')).serveCommand));

  const sim = group(program, 'sim', 'script the simulated numbers of a running engine (docs/simulated-network.md)', 'switchboard sim add +15550001 "ring 2s, answer"', 'switchboard sim list');
  example(clientOptions(sim.command('add').description('give a number a script').argument('<number>').argument('<script...>', 'the script, e.g. "ring 2s, answer, hangup after 10s"')), 'switchboard sim add +15550001 "ring 2s, busy"').action(
    run(async () => (await import('./sim.ts')).simCommand, ['add']),
  );
  example(clientOptions(sim.command('list').description('list the simulated numbers')), 'switchboard sim list').action(run(async () => (await import('./sim.ts')).simCommand, ['list']));
  example(clientOptions(sim.command('remove').description('remove a number\'s script').argument('<number>')), 'switchboard sim remove +15550001').action(
    run(async () => (await import('./sim.ts')).simCommand, ['remove']),
  );

  example(
    program
      .command('sink')
      .description('a webhook receiver that prints every request it gets (for debugging an app)')
      .option('--host <host>', 'address to listen on (default 127.0.0.1)')
      .option('--port <port>', 'port, 0 for a free one (default 9090)')
      .option('--auth-token <token>', 'check X-Plivo-Signature-V3 with it (SWITCHBOARD_AUTH_TOKEN)')
      .option('--respond <xml|file>', 'the XML to answer with (default <Response/>)'),
    'switchboard sink --port 9090 --respond "<Response><Hangup/></Response>"',
  ).action(run(async () => (await import('./sink-command.ts')).sinkCommand));

  example(
    clientOptions(program.command('tail').description('follow call events and webhook outcomes as they happen'), false)
      .option('--call <uuid>', 'only this call')
      .addOption(new Option('--kind <kind>', 'only call events or only webhook deliveries').choices(['event', 'delivery']))
      .option('--json', 'one JSON object a line'),
    'switchboard tail --kind delivery',
  ).action(run(async () => (await import('./tail.ts')).tailCommand));

  const webhooks = group(program, 'webhooks', 'the webhook delivery log of a running engine (docs/webhooks.md)', 'switchboard webhooks list --status dead', 'switchboard webhooks replay --status dead');
  example(
    clientOptions(webhooks.command('list').description('list deliveries, newest first'))
      .addOption(new Option('--status <status>', 'only this status').choices(['pending', 'delivered', 'failed', 'dead']))
      .option('--match <url*>', 'only URLs matching (* is a wildcard)')
      .option('--call <uuid>', 'only this call')
      .option('--kind <kind>', 'only this webhook kind (answer, hangup, action, ...)')
      .option('--limit <n>', 'how many (default 20)'),
    'switchboard webhooks list --status dead',
  ).action(run(async () => (await import('./webhooks.ts')).webhooksCommand, ['list']));
  example(clientOptions(webhooks.command('show').description('one delivery with every attempt').argument('<delivery_id>')), 'switchboard webhooks show 2f1c...').action(
    run(async () => (await import('./webhooks.ts')).webhooksCommand, ['show']),
  );
  example(
    clientOptions(webhooks.command('replay').description('send again (same event id, fresh signature): one delivery, or all that match').argument('[delivery_id]'))
      .addOption(new Option('--status <status>', 'replay deliveries with this status (default dead)').choices(['pending', 'delivered', 'failed', 'dead']))
      .option('--match <url*>', 'only URLs matching')
      .option('--call <uuid>', 'only this call'),
    'switchboard webhooks replay --status dead --match "https://app.example/*"',
  ).action(run(async () => (await import('./webhooks.ts')).webhooksCommand, ['replay']));

  const apps = group(program, 'apps', 'applications (answer, hangup and fallback URLs) of a running engine (docs/numbers.md)', 'switchboard apps create "Dial status" --answer-url http://127.0.0.1:3000/answer', 'switchboard apps list');
  const appUrls = (cmd: Command, required: boolean) =>
    (required ? cmd.requiredOption('--answer-url <url>', 'where the engine fetches the call\'s XML') : cmd.option('--answer-url <url>', 'where the engine fetches the call\'s XML'))
      .addOption(new Option('--answer-method <method>', 'GET or POST').choices(['GET', 'POST']))
      .option('--hangup-url <url>', 'where the hangup report goes')
      .addOption(new Option('--hangup-method <method>', 'GET or POST').choices(['GET', 'POST']))
      .option('--fallback-url <url>', 'fetched when answer_url fails')
      .addOption(new Option('--fallback-method <method>', 'GET or POST').choices(['GET', 'POST']))
      .option('--default', 'make it the default_number_app');
  example(appUrls(clientOptions(apps.command('create').description('create an application; prints its app_id').argument('<name...>')), true), 'switchboard apps create "Dial status" --answer-url http://127.0.0.1:3000/answer --default').action(
    run(async () => (await import('./apps.ts')).appsCommand, ['create']),
  );
  example(clientOptions(apps.command('list').description('list applications')), 'switchboard apps list').action(run(async () => (await import('./apps.ts')).appsCommand, ['list']));
  example(clientOptions(apps.command('show').description('one application').argument('<app_id>')), 'switchboard apps show 12345678').action(run(async () => (await import('./apps.ts')).appsCommand, ['show']));
  example(appUrls(clientOptions(apps.command('update').description('change an application').argument('<app_id>')), false).option('--name <name>', 'a new name'), 'switchboard apps update 12345678 --hangup-url http://127.0.0.1:3000/hangup').action(
    run(async () => (await import('./apps.ts')).appsCommand, ['update']),
  );
  example(clientOptions(apps.command('delete').description('delete an application').argument('<app_id>')), 'switchboard apps delete 12345678').action(run(async () => (await import('./apps.ts')).appsCommand, ['delete']));

  const numbers = group(program, 'numbers', 'the account\'s numbers and what answers them (docs/numbers.md)', 'switchboard numbers add +15553330001 --app 12345678', 'switchboard numbers list');
  const target = (cmd: Command) => cmd.option('--app <app_id>', 'answer with this application').option('--flow <flow_id>', 'answer with this flow').option('--alias <alias>', 'a label');
  example(target(clientOptions(numbers.command('add').description('add a number').argument('<number>'))).option('--type <type>', 'local, mobile, tollfree, ...'), 'switchboard numbers add +15553330001 --app 12345678').action(
    run(async () => (await import('./numbers.ts')).numbersCommand, ['add']),
  );
  example(clientOptions(numbers.command('list').description('list numbers')).option('--startswith <prefix>', 'only numbers starting so').option('--alias <alias>', 'only this alias'), 'switchboard numbers list --startswith 1555').action(
    run(async () => (await import('./numbers.ts')).numbersCommand, ['list']),
  );
  example(clientOptions(numbers.command('show').description('one number').argument('<number>')), 'switchboard numbers show +15553330001').action(run(async () => (await import('./numbers.ts')).numbersCommand, ['show']));
  example(target(clientOptions(numbers.command('update').description('attach an application or flow, or detach').argument('<number>'))).option('--detach', 'answer with the default_number_app'), 'switchboard numbers update +15553330001 --flow 7f3e...').action(
    run(async () => (await import('./numbers.ts')).numbersCommand, ['update']),
  );
  example(clientOptions(numbers.command('remove').description('remove a number').argument('<number>')), 'switchboard numbers remove +15553330001').action(run(async () => (await import('./numbers.ts')).numbersCommand, ['remove']));

  const flows = group(program, 'flows', 'PHLO-style flows of a running engine (docs/flows.md)', 'switchboard flows import examples/flows/dial-status.json', 'switchboard flows trace FLOW_ID');
  example(clientOptions(flows.command('import').description('import a flow from JSON; prints its flow_id').argument('<file>')).option('--replace <flow_id>', 'replace this flow instead of adding one'), 'switchboard flows import examples/flows/dial-status.json').action(
    run(async () => (await import('./flows.ts')).flowsCommand, ['import']),
  );
  example(clientOptions(flows.command('list').description('list flows')), 'switchboard flows list').action(run(async () => (await import('./flows.ts')).flowsCommand, ['list']));
  example(clientOptions(flows.command('run').description('run a flow through its API trigger; prints the run id').argument('<flow_id>').argument('[key=value...]', 'the payload')), 'switchboard flows run 7f3e... to=+15550001').action(
    run(async () => (await import('./flows.ts')).flowsCommand, ['run']),
  );
  example(clientOptions(flows.command('trace').description('the steps of a run (the latest when RUN_ID is left out)').argument('<flow_id>').argument('[run_id]')), 'switchboard flows trace 7f3e...').action(
    run(async () => (await import('./flows.ts')).flowsCommand, ['trace']),
  );

  example(
    clientOptions(program.command('report').description('the dial report (or webhook health) of a running engine (docs/reports.md)'))
      .option('--since <duration>', 'the last N hours/days, e.g. 24h (default 24h)')
      .option('--start <time>', 'from (ISO time)')
      .option('--end <time>', 'to (ISO time)')
      .addOption(new Option('--group-by <group>', 'rows by (default day)').choices(['hour', 'day', 'destination', 'caller_id', 'application']))
      .addOption(new Option('--kind <kind>', 'only API calls or only Dials').choices(['call', 'dial']))
      .option('--csv', 'the CSV the API streams')
      .option('--webhooks', 'webhook health per host instead'),
    'switchboard report --since 7d --group-by destination',
  ).action(run(async () => (await import('./report.ts')).reportCommand));

  example(
    program
      .command('migrate')
      .description('bring a database up to this engine\'s schema (serve also does it at start)')
      .option('--db <file|url>', 'SQLite file or postgres:// URL (SWITCHBOARD_DB)')
      .option('--json', 'one JSON object: database, applied, version'),
    'switchboard migrate --db postgres://switchboard@db.internal/switchboard',
  ).action(run(async () => (await import('./migrate.ts')).migrateCommand));

  example(
    program
      .command('copy-data')
      .description('copy a SQLite database into an empty PostgreSQL one, with a count check (docs/storage.md)')
      .requiredOption('--from <file>', 'the SQLite database file (no engine may be serving it)')
      .requiredOption('--to <url>', 'the postgres:// URL of an empty database (migrated first)')
      .option('--batch <n>', 'rows per INSERT (default 1000)')
      .option('--json', 'no progress; one JSON object: tables with source and target counts, rows, ok'),
    'switchboard copy-data --from ./data/switchboard.db --to postgres://switchboard@db.internal/switchboard',
  ).action(run(async () => (await import('./copy-data.ts')).copyDataCommand));

  example(
    program
      .command('generate')
      .description('fill a database with realistic simulated traffic (for trying reports)')
      .requiredOption('--calls <n>', 'how many calls')
      .option('--db <file>', 'SQLite file (SWITCHBOARD_DB)')
      .option('--days <n>', 'spread over the last N days (default 7)')
      .option('--seed <n>', 'randomness seed (default: a fresh one)')
      .option('--batch <n>', 'calls per transaction (default 5000)'),
    'switchboard generate --calls 100000 --db /tmp/sb.db',
  ).action(run(async () => (await import('./generate.ts')).generate));

  return program;
}

/** Every command path with an action (`['apps', 'create']`, ...), for tests and docs. */
export function commandPaths(cmd: Command = buildProgram(), prefix: string[] = []): string[][] {
  return cmd.commands.flatMap((c) => {
    const path = [...prefix, c.name()];
    return c.commands.length > 0 ? [path, ...commandPaths(c, path)] : [path];
  });
}

/** Parses `argv` and runs the command; resolves with the exit code. Errors the caller handles. */
export async function runProgram(argv: string[], program = buildProgram()): Promise<number> {
  exitCode = 0;
  await program.parseAsync(argv, { from: 'user' });
  return exitCode;
}
