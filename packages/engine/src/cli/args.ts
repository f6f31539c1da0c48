/** The CLI's two kinds of error (docs/cli.md#conventions) and flag parsing for direct callers. */
import { parseArgs } from 'node:util';

/** The command was used wrongly: exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The command was right but could not be done (engine unreachable, refused, port in use): exit code 1. */
export class CliError extends Error {
  override name = 'CliError';
}

/** `--name value` and `--name=value` flags and positionals, for commands called with raw arguments. */
export function parseFlags(
  args: string[],
  names: readonly string[],
): { flags: Record<string, string | undefined>; positionals: string[] } {
  const options = Object.fromEntries(names.map((n) => [n, { type: 'string' as const }]));
  try {
    const { values, positionals } = parseArgs({ args, options, allowPositionals: true, strict: true });
    return { flags: values as Record<string, string | undefined>, positionals };
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}
