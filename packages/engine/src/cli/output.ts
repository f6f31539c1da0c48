/** Small helpers the resource commands (apps, numbers, flows) share. */

/** Prints an API error answer and gives the exit code 1. */
export function fail(body: Record<string, unknown>): number {
  console.error(`switchboard: ${String(body.error ?? 'request failed')}`);
  return 1;
}

/** `--default` alone means `--default=true` (parseFlags only knows flags with values). */
export function withBooleanFlags(args: string[], names: readonly string[]): string[] {
  return args.map((a, i) => {
    const name = a.startsWith('--') ? a.slice(2) : '';
    const next = args[i + 1];
    const hasValue = next !== undefined && (next === 'true' || next === 'false');
    return names.includes(name) && !hasValue ? `${a}=true` : a;
  });
}
