/** The output convention every command shares (docs/cli.md#conventions). */
import type { Flags } from './program.ts';

/** Prints an API error answer on stderr and gives the exit code 1. */
export function fail(body: Record<string, unknown>): number {
  console.error(`switchboard: ${String(body.error ?? JSON.stringify(body))}`);
  return 1;
}

/** With `--json`, the API's answer as one JSON line; otherwise the human text `human` prints. */
export function emit(flags: Flags, body: unknown, human: () => void): number {
  if (flags.json !== undefined) console.log(JSON.stringify(body));
  else human();
  return 0;
}
