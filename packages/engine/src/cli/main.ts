/**
 * The `switchboard` command: the table in program.ts parses and dispatches; this file turns what
 * went wrong into one line on stderr and the exit code of docs/cli.md#conventions
 * (0 ok, 1 failure, 2 usage).
 */
import { CommanderError } from 'commander';
import { CliError, UsageError } from './args.ts';
import { runProgram } from './program.ts';

function exitCodeOf(err: unknown): number {
  if (err instanceof CommanderError) {
    // Help and version asked for are answers; commander has already printed every error.
    return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' ? 0 : 2;
  }
  const e = err as { name?: string; message?: string; stack?: string };
  if (err instanceof UsageError || e?.name === 'ConfigError' || e?.name === 'ScriptError') {
    console.error(`switchboard: ${e.message}`);
    return 2;
  }
  if (err instanceof CliError) {
    console.error(`switchboard: ${e.message}`);
    return 1;
  }
  // A bug, not a user's mistake: the stack helps whoever reports it.
  console.error(`switchboard: internal error: ${e?.stack ?? String(err)}`);
  return 1;
}

runProgram(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0) process.exitCode = code;
  },
  (err: unknown) => {
    process.exitCode = exitCodeOf(err);
  },
);
