/** Flag parsing shared by the commands: `--name value`, `--name=value`, positionals. */
import { parseArgs } from 'node:util';

export class UsageError extends Error {
  override name = 'UsageError';
}

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
