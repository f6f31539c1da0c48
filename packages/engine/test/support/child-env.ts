/**
 * The test process's environment without anything that would change where a child process's
 * requests go or which account it uses (engine settings, Plivo credentials, proxies, preloads).
 */
export function cleanEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !/^(SWITCHBOARD_|PLIVO_|NODE_OPTIONS$)|_proxy$/i.test(k)) env[k] = v;
  }
  return { ...env, ...extra };
}
