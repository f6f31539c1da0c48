#!/usr/bin/env node
// The `switchboard` command. An installed package runs its compiled JavaScript (dist/, built by
// scripts/pack.mjs) and serves the dashboard shipped beside it; in the repository, where there is
// no dist/, it runs the TypeScript sources through tsx.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const built = new URL('../dist/cli/main.js', import.meta.url);
if (existsSync(fileURLToPath(built))) {
  const dashboard = fileURLToPath(new URL('../dashboard/', import.meta.url));
  if (!process.env.SWITCHBOARD_DASHBOARD_DIR && existsSync(dashboard)) process.env.SWITCHBOARD_DASHBOARD_DIR = dashboard;
  await import(built.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
