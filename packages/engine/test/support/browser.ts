/**
 * Headless Debian `chromium` driven by `playwright-core` (never a downloaded browser: STYLE.md stack
 * notes), and the dashboard built from packages/dashboard when its dist/ is missing or stale.
 */
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ENSURE_BUILT = fileURLToPath(new URL('../../../dashboard/scripts/ensure-built.mjs', import.meta.url));

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export function haveChromium(): boolean {
  return existsSync(CHROMIUM);
}

export function buildDashboard(): void {
  const r = spawnSync(process.execPath, [ENSURE_BUILT], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`dashboard build failed: ${r.stderr}${r.stdout}`);
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, timeout: 30_000 });
}
