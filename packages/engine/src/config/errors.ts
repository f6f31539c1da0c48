/** A bad setting: the CLI prints the message and exits 2. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}
