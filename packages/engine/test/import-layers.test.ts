/**
 * Arrows one way (issue 18 item 3): every `import`/`export ... from './...'` in src/ goes to the same
 * layer or a lower one, and no two folders import each other, even through others.
 *
 * Layers, lowest first (a file's layer is its top folder under src/, or its name for files at the root):
 *   0  domain                      the call vocabulary: causes, statuses, dial result, recordings
 *   1  util, clock.ts              helpers with no knowledge of calls
 *   2  store, xml, network, events storage, the XML model, the networks, the live feed
 *   3  webhooks                    parameters and delivery (reads store rows)
 *   4  config                      settings (names network, store and webhooks options)
 *   5  interpreter                 runs a document against a CallContext
 *   6  flows                       programs that run instead of a document
 *   7  numbers, reports, accounts  what a number answers with, reports and metrics, subaccounts
 *   8  calls                       sessions, legs, dials, the registry: the runners
 *   9  api                         the REST server
 *   10 cluster                     forwarding between nodes (drives the api server)
 *   11 engine.ts                   wires it all
 *   12 cli, index.ts               entry points
 * Type-only imports count: a type is an arrow too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');

export const LAYERS: Readonly<Record<string, number>> = {
  domain: 0,
  util: 1, 'clock.ts': 1,
  store: 2, xml: 2, network: 2, events: 2,
  webhooks: 3,
  config: 4,
  interpreter: 5,
  flows: 6,
  numbers: 7, reports: 7, accounts: 7,
  calls: 8,
  api: 9,
  cluster: 10,
  'engine.ts': 11,
  cli: 12, 'index.ts': 12,
};

/** Arrows that still run up, each with why it stays (file -> imported file, both relative to src/). */
export const EXCEPTIONS: ReadonlyArray<{ from: string; to: string; reason: string }> = [
  // None today. Add one as { from: 'folder/file.ts', to: 'folder/file.ts', reason: 'why it cannot go yet' }.
];

export interface ImportEdge { from: string; to: string }

function listTs(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...listTs(path));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** Relative module specifiers of `import ... from '...'`, `export ... from '...'` and `import('...')`. */
export function importsOf(source: string): string[] {
  const text = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const specs: string[] = [];
  const re = /(?:^|[\s;])(?:import|export)\s[^;'"]*?from\s*['"]([^'"]+)['"]|(?:^|[\s;])import\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm;
  for (const m of text.matchAll(re)) {
    const spec = m[1] ?? m[2] ?? m[3]!;
    if (spec.startsWith('.')) specs.push(spec);
  }
  return specs;
}

export function edgesOf(srcDir: string): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const file of listTs(srcDir)) {
    const from = relative(srcDir, file).split(sep).join('/');
    for (const spec of importsOf(readFileSync(file, 'utf8'))) {
      const to = relative(srcDir, normalize(join(dirname(file), spec))).split(sep).join('/');
      edges.push({ from, to });
    }
  }
  return edges;
}

export function unitOf(path: string): string {
  return path.split('/')[0]!;
}

/** Arrows from a lower layer to a higher one, exceptions removed; and files in no known layer. */
export function upwardArrows(edges: readonly ImportEdge[], exceptions = EXCEPTIONS): string[] {
  const problems: string[] = [];
  for (const { from, to } of edges) {
    const a = LAYERS[unitOf(from)];
    const b = LAYERS[unitOf(to)];
    if (a === undefined) { problems.push(`${from}: its folder has no layer (add it to LAYERS)`); continue; }
    if (b === undefined) { problems.push(`${from} -> ${to}: the target's folder has no layer (add it to LAYERS)`); continue; }
    if (b > a && !exceptions.some((e) => e.from === from && e.to === to)) problems.push(`${from} (${unitOf(from)}, layer ${a}) -> ${to} (${unitOf(to)}, layer ${b})`);
  }
  return [...new Set(problems)];
}

/** Cycles in the folder graph (each as `a -> b -> ... -> a`), exceptions included: a listed arrow may not close a circle. */
export function folderCycles(edges: readonly ImportEdge[]): string[] {
  const graph = new Map<string, Set<string>>();
  for (const { from, to } of edges) {
    const a = unitOf(from), b = unitOf(to);
    if (a === b) continue;
    if (!graph.has(a)) graph.set(a, new Set());
    graph.get(a)!.add(b);
  }
  const cycles = new Set<string>();
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string): void => {
    state.set(n, 'open');
    stack.push(n);
    for (const m of graph.get(n) ?? []) {
      if (state.get(m) === 'open') {
        const loop = stack.slice(stack.indexOf(m));
        // One spelling per circle: start it at its smallest name.
        const i = loop.indexOf([...loop].sort()[0]!);
        const turned = [...loop.slice(i), ...loop.slice(0, i)];
        cycles.add([...turned, turned[0]].join(' -> '));
      } else if (!state.has(m)) visit(m);
    }
    stack.pop();
    state.set(n, 'done');
  };
  for (const n of [...graph.keys()].sort()) if (!state.has(n)) visit(n);
  return [...cycles];
}

test('no file imports from a higher layer (except the listed ones)', () => {
  const edges = edgesOf(SRC);
  assert.ok(edges.length > 300, `parsed ${edges.length} imports: the parser missed most of them`);
  assert.deepEqual(upwardArrows(edges), []);
});

test('no import cycles between folders', () => {
  assert.deepEqual(folderCycles(edgesOf(SRC)), []);
});

test('every listed exception is still needed', () => {
  const edges = edgesOf(SRC);
  for (const e of EXCEPTIONS) assert.ok(edges.some((x) => x.from === e.from && x.to === e.to), `${e.from} -> ${e.to} no longer imported: drop it from EXCEPTIONS`);
});

test('the checks fail on a bad arrow and on a circle', () => {
  const edges = edgesOf(SRC);
  const bad = [...edges, { from: 'network/sip/sip-causes.ts', to: 'calls/registry.ts' }];
  assert.deepEqual(upwardArrows(bad), ['network/sip/sip-causes.ts (network, layer 2) -> calls/registry.ts (calls, layer 8)']);
  assert.ok(folderCycles(bad).some((c) => c.includes('calls') && c.includes('network')), 'calls <-> network circle not seen');
  assert.deepEqual(importsOf("import type { A } from '../calls/x.ts';\nexport { B } from './b.ts';\nimport './side.ts';\nconst m = await import('../y.ts');\nimport z from 'node:fs';"), ['../calls/x.ts', './b.ts', './side.ts', '../y.ts']);
});
