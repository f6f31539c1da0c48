#!/usr/bin/env node
// Builds the dashboard when dist/ is missing or older than its sources, so `npm start` on a fresh
// clone (after `npm ci`) serves a current dashboard without a separate build step.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const built = join(root, 'dist', 'index.html');

function newest(path) {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(s.mtimeMs, ...readdirSync(path).map((f) => newest(join(path, f))));
}

const sources = ['src', 'index.html', 'vite.config.ts', 'package.json'].map((p) => join(root, p)).filter(existsSync);
const stale = !existsSync(built) || Math.max(...sources.map(newest)) > statSync(built).mtimeMs;
if (stale) {
  const { build } = await import('vite');
  console.error('building the dashboard (packages/dashboard/dist) ...');
  await build({ root, logLevel: 'warn' });
}
