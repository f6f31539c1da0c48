/**
 * The dashboard's browser tests' rig: a real `switchboard serve` child process (real clock) on a
 * fresh database, a webhook app, the dashboard built if stale, and Debian's chromium with one page
 * in a fixed zone and locale; plus the page helpers the tests share.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startServe, type ServeProcess } from './serve-process.ts';
import { startAppServer, type AppServer } from './app-server.ts';
import { buildDashboard, haveChromium, launchChromium } from './browser.ts';

export const AUTH_ID = 'MADASHBOARD000000001';
export const AUTH_TOKEN = 'dashboard-test-token-0123456789abcdef0123';
export const WIDE = { width: 1280, height: 800 };
/** The viewer's zone: fixed, and without daylight saving, so a test can write local times itself. */
export const ZONE = 'Asia/Kolkata';
const ZONE_OFFSET_MS = 5.5 * 3_600_000;
/**
 * Where screenshots go: a temporary folder, removed when the test process ends, so running the tests
 * never rewrites the repository's tracked docs/img/ nor leaves folders behind. To refresh the
 * README's images: SWITCHBOARD_SCREENSHOT_DIR=docs/img (from the root).
 */
let img: string | undefined;
function imgDir(): string {
  if (img !== undefined) return img;
  if (process.env.SWITCHBOARD_SCREENSHOT_DIR) return (img = resolve(process.env.SWITCHBOARD_SCREENSHOT_DIR));
  const dir = mkdtempSync(join(tmpdir(), 'sb-screenshots-'));
  // A temporary folder is the test's own: it goes when the test process ends.
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return (img = dir);
}

/** For `describe(..., { skip })`: under CI a missing chromium fails rather than skips. */
export const skipWithoutChromium: string | false = haveChromium() ? false : process.env.CI ? false : 'chromium is not installed (apt-get install -y chromium)';

export interface DashboardRig {
  readonly serve: ServeProcess;
  readonly app: AppServer;
  readonly browser: Browser;
  readonly context: BrowserContext;
  readonly page: Page;
  /** Uncaught errors in the page so far. */
  readonly pageErrors: string[];
  close(): Promise<void>;
}

export async function startDashboardRig(o: { seed?: number } = {}): Promise<DashboardRig> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-dash-'));
  buildDashboard();
  const browser = await launchChromium();
  const app = await startAppServer();
  const serve = await startServe({ db: join(dir, 'sb.db'), authId: AUTH_ID, authToken: AUTH_TOKEN, seed: o.seed ?? 1 });
  const context = await browser.newContext({ viewport: WIDE, timezoneId: ZONE, locale: 'en-US' });
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  return {
    serve,
    app,
    browser,
    context,
    page,
    pageErrors,
    async close() {
      await browser.close();
      await serve.kill('SIGTERM');
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Signs in through the form and waits for the Live page it lands on. */
export async function signIn(rig: DashboardRig): Promise<void> {
  const { page } = rig;
  await page.goto(rig.serve.base + '/');
  await page.getByLabel('Auth ID').fill(AUTH_ID);
  await page.getByLabel('Auth token').fill(AUTH_TOKEN);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Live calls' }).waitFor();
}

export function nav(page: Page, name: string): Promise<void> {
  return page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();
}

/** The top of the page, at most `height` px of it (a long timeline would make a huge image), into the screenshot folder. */
export async function shot(page: Page, name: string, height = 800): Promise<void> {
  await page.evaluate(() => window.scrollTo(0, 0));
  const width = page.viewportSize()!.width;
  await page.screenshot({ path: shotPath(name), fullPage: height > 800, clip: { x: 0, y: 0, width, height } });
}

export function shotPath(name: string): string {
  return join(imgDir(), `dashboard-${name}.png`);
}

/** Nothing on the page is wider than the window (readable on a narrow screen). */
export async function assertNoHorizontalScroll(page: Page, what: string): Promise<void> {
  const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
  assert.ok(scroll <= width + 1, `${what}: page is ${scroll}px wide in a ${width}px window`);
}

/** A `datetime-local` input's value for `ms` as a viewer in ZONE types it. */
export function zoneInput(ms: number): string {
  return new Date(ms + ZONE_OFFSET_MS).toISOString().slice(0, 16);
}
