/** `switchboard serve`: the engine and its API on the real clock. */
import { readFile } from 'node:fs/promises';
import { RealClock } from '../clock.ts';
import { loadConfig, readConfigFile, ConfigError } from '../config/config.ts';
import { Engine } from '../engine.ts';
import { TrunkError } from '../network/sip/trunk.ts';
import type { Flags } from './program.ts';
import { CliError } from './args.ts';
import { StoreError } from '../store/store-error.ts';


/** Reads `--sim FILE`: `{ "+15550001": "ring 2s, answer" }`. */
async function loadSimFile(path: string): Promise<Record<string, string>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`--sim: cannot read ${path}: ${(err as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`--sim: ${path} is not JSON: ${(err as Error).message}`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new ConfigError(`--sim: ${path} must hold an object of number -> script`);
  }
  for (const [k, v] of Object.entries(data)) {
    if (typeof v !== 'string') throw new ConfigError(`--sim: the script of ${k} must be a string`);
  }
  return data as Record<string, string>;
}

/** Its flags are declared in program.ts (the command table). */
export async function serveCommand(flags: Flags): Promise<number> {
  const configPath = flags.config ?? (process.env.SWITCHBOARD_CONFIG || undefined);
  const file = configPath === undefined ? undefined : await readConfigFile(configPath);
  const config = loadConfig(flags, process.env, file);
  const graceMs = config.graceMs;
  const sims = config.simFile ? await loadSimFile(config.simFile) : {};

  let engine: Engine;
  try {
    engine = new Engine({ config, clock: new RealClock() });
  } catch (err) {
    if (err instanceof TrunkError) throw new ConfigError(err.message);
    // Another engine serves this file: one line naming it and its PID, exit 1 (docs/storage.md).
    if (err instanceof StoreError && err.code === 'locked') throw new CliError(err.message);
    throw err;
  }
  try {
    await engine.start();
  } catch (err) {
    await engine.stop().catch(() => {});
    // A trunk that does not resolve at start is a setting to fix, not a crash (docs/sip.md).
    if (err instanceof TrunkError) throw new ConfigError(err.message);
    throw err;
  }
  for (const [number, script] of Object.entries(sims)) {
    try {
      await engine.simNumbers.set(number, script);
    } catch (err) {
      await engine.stop();
      throw new ConfigError(`--sim: ${number}: ${(err as Error).message}`);
    }
  }
  const port = await engine.listen();
  // Handlers first: a signal sent the moment the engine says it serves must drain it, not kill it.
  const stopped = onStopSignals(engine, graceMs);
  // A cluster node past its lease may have been taken over: it exits at once, writing nothing more
  // (docs/scaling.md, "Leases and fencing"); its supervisor starts it again under a new epoch.
  void engine.fenced.then((why) => {
    process.stderr.write(`switchboard: node ${config.nodeId} is fenced (${why}); exiting\n`);
    process.exit(1);
  });
  const { authId, authToken } = engine.credentials;
  const url = `http://${config.host}:${port}`;
  engine.log.info({ url, db: config.dbPath, simulated_numbers: Object.keys(sims).length }, 'switchboard is serving');
  if (!config.authId) {
    // The generated development pair: printed so a user can configure their client right away.
    process.stdout.write(
      `\nSwitchboard ${url}\n  export SWITCHBOARD_AUTH_ID=${authId}\n  export SWITCHBOARD_AUTH_TOKEN=${authToken}\n\n`,
    );
  }

  await stopped;
  return 0;
}

/**
 * The first SIGTERM/SIGINT drains (docs/cli.md, "Stopping"): the process exits as soon as its live
 * calls have ended, or at the end of --grace. A second signal ends the grace at once.
 */
function onStopSignals(engine: Engine, graceMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) {
        engine.log.warn({ signal, live_calls: engine.registry.size }, 'second signal: closing the live calls now');
        engine.endGrace();
        return;
      }
      stopping = true;
      engine.log.info({ signal, live_calls: engine.registry.size, grace_ms: graceMs }, 'shutting down');
      engine.stop(graceMs).then(
        () => {
          engine.log.info({}, 'stopped');
          resolve();
        },
        (err) => {
          engine.log.error({ err }, 'shutdown failed');
          resolve();
        },
      );
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  });
}
