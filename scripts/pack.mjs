#!/usr/bin/env node
/**
 * Builds the publishable packages and packs them with `npm pack`:
 *
 *   node scripts/pack.mjs --out DIR     (npm run pack -- --out DIR)
 *
 * prints the path of each tarball, one a line: @switchboard/sdk, @switchboard/engine,
 * @switchboard/testkit.
 *
 * Why a staging folder and not `prepack` in place: in the repository every package's `exports`
 * point at its TypeScript sources, so the tests, `npm run switchboard` and every child process they
 * spawn run the sources under tsx with no build step and no extra `--conditions` flag. The published
 * manifest must point at JavaScript instead. So each package is compiled (tsc, one compiler for the
 * code and its declarations) into a temporary folder, given a manifest whose exports are derived
 * from the repository's (`./src/a/b.ts` -> `./dist/a/b.js` + `.d.ts`), and packed from there:
 * nothing is written into the repository, and the repository's manifest stays the one truth about
 * what is exported. `npm pack` run inside a package folder refuses (its `prepack`) and points here.
 *
 * The SDK ships ESM and CommonJS (dist/esm, dist/cjs) because apps of the `plivo` era `require` it;
 * the engine and the test kit ship ESM only (they are started by the bin or imported by tests).
 * The engine carries the dashboard's built files in dashboard/, found by its bin.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const NPM_CLI = process.env.npm_execpath;

const { values } = parseArgs({ options: { out: { type: 'string' }, keep: { type: 'boolean' }, refuse: { type: 'boolean' } } });
if (values.refuse) {
  // `npm pack` inside packages/sdk or packages/engine: their manifests point at TypeScript sources.
  console.error('Pack the Switchboard packages with `npm run pack -- --out DIR` (scripts/pack.mjs): it builds them first.');
  process.exit(1);
}
if (!values.out) {
  console.error('usage: node scripts/pack.mjs --out DIR');
  process.exit(2);
}
const out = resolve(values.out);
mkdirSync(out, { recursive: true });
const stage = mkdtempSync(join(tmpdir(), 'switchboard-pack-'));

function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

function run(cmd, args, cwd = ROOT) {
  return execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
}

function tsc(project, outDir, extra = []) {
  run(process.execPath, [TSC, '-p', join(ROOT, project), '--outDir', outDir, ...extra]);
}

/** `./src/a/b.ts` -> the built file of `kind` ('esm' | 'cjs'), with `ext` ('.js' | '.d.ts'). */
function built(source, dir, ext) {
  if (!source.startsWith('./src/')) throw new Error(`exports must point into ./src/: ${source}`);
  const rest = source.slice('./src/'.length);
  if (rest.endsWith('.cjs')) return `./${dir}/${rest}`;
  return `./${dir}/${rest.replace(/\.ts$/, ext)}`;
}

/** The published manifest: the repository's, with built exports and no development fields. */
function publishedManifest(pkg, exportsMap, extra = {}) {
  const { scripts: _s, devDependencies: _d, private: _p, ...rest } = pkg;
  return { ...rest, exports: exportsMap, ...extra };
}

function npmPack(dir) {
  const args = ['pack', dir, '--pack-destination', out, '--json'];
  const json = NPM_CLI ? run(process.execPath, [NPM_CLI, ...args]) : run('npm', args);
  const [info] = JSON.parse(json);
  return join(out, info.filename);
}

function packSdk() {
  const src = join(ROOT, 'packages/sdk');
  const pkg = readJson(join(src, 'package.json'));
  const dest = join(stage, 'sdk');
  tsc('packages/sdk/tsconfig.build.json', join(dest, 'dist/esm'));
  tsc('packages/sdk/tsconfig.cjs.json', join(dest, 'dist/cjs'));
  // dist/cjs/*.js are CommonJS inside a "type": "module" package.
  writeFileSync(join(dest, 'dist/cjs/package.json'), '{ "type": "commonjs" }\n');
  const exportsMap = {};
  for (const [name, source] of Object.entries(pkg.exports)) {
    if (source.endsWith('.cjs')) {
      // A CommonJS file as it is (the preload): `require` and `import` both load it.
      cpSync(join(src, source), join(dest, built(source, 'dist', '')));
      exportsMap[name] = built(source, 'dist', '');
      continue;
    }
    exportsMap[name] = {
      import: { types: built(source, 'dist/esm', '.d.ts'), default: built(source, 'dist/esm', '.js') },
      require: { types: built(source, 'dist/cjs', '.d.ts'), default: built(source, 'dist/cjs', '.js') },
    };
  }
  const manifest = publishedManifest(pkg, exportsMap, {
    main: './dist/cjs/index.js',
    types: './dist/cjs/index.d.ts',
    files: ['dist'],
  });
  writeFileSync(join(dest, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
  copyDocs(src, dest);
  return npmPack(dest);
}

function packEngine() {
  const src = join(ROOT, 'packages/engine');
  const pkg = readJson(join(src, 'package.json'));
  const dest = join(stage, 'engine');
  // Type-checked by `npm run typecheck`; the build only emits (twice as fast on a busy machine).
  tsc('packages/engine/tsconfig.build.json', join(dest, 'dist'), ['--noCheck']);
  cpSync(join(src, 'bin'), join(dest, 'bin'), { recursive: true });
  // The dashboard, built fresh into the package (its bin points the engine at it).
  run(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--outDir', join(dest, 'dashboard'), '--emptyOutDir', '--logLevel', 'warn'], join(ROOT, 'packages/dashboard'));
  const exportsMap = {};
  for (const [name, source] of Object.entries(pkg.exports ?? {})) {
    exportsMap[name] = source.startsWith('./src/') ? { types: built(source, 'dist', '.d.ts'), default: built(source, 'dist', '.js') } : source;
  }
  const manifest = publishedManifest(pkg, exportsMap, { files: ['dist', 'bin', 'dashboard'] });
  writeFileSync(join(dest, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
  copyDocs(src, dest);
  return npmPack(dest);
}

function packTestkit() {
  const src = join(ROOT, 'packages/testkit');
  if (!existsSync(src)) return null;
  const pkg = readJson(join(src, 'package.json'));
  const dest = join(stage, 'testkit');
  tsc('packages/testkit/tsconfig.build.json', join(dest, 'dist'), ['--noCheck']);
  const exportsMap = {};
  for (const [name, source] of Object.entries(pkg.exports)) {
    exportsMap[name] = { types: built(source, 'dist', '.d.ts'), default: built(source, 'dist', '.js') };
  }
  writeFileSync(join(dest, 'package.json'), JSON.stringify(publishedManifest(pkg, exportsMap, { files: ['dist'] }), null, 2) + '\n');
  copyDocs(src, dest);
  return npmPack(dest);
}

function copyDocs(src, dest) {
  for (const f of ['README.md', 'LICENSE']) if (existsSync(join(src, f))) cpSync(join(src, f), join(dest, f));
}

try {
  for (const tarball of [packSdk(), packEngine(), packTestkit()]) if (tarball) console.log(tarball);
} finally {
  if (!values.keep) rmSync(stage, { recursive: true, force: true });
}
