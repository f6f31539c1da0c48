/**
 * Source for a worker started with `eval: true`, written as CommonJS (`require`). A worker inherits
 * the process's flags, and under `node --input-type=module -e ...` that makes eval'd source an ES
 * module, where `require` does not exist. Passing the worker an `execArgv` without that flag is no
 * way out: a worker refuses per-process flags such as `--expose-gc` when they are given to it
 * explicitly. So the body runs inside a dynamic `import()`, which both kinds of source allow, with
 * `require` made for it.
 */
export function commonJsWorkerSource(body: string): string {
  return `import('node:module').then(({ createRequire }) => {
  const require = createRequire(process.cwd() + '/');
${body}
});
`;
}

/**
 * Starts a module of this package as a worker: in the repository a TypeScript file, loaded through
 * tsx as the engine is (bin/switchboard.js); in the installed package its compiled .js. The same
 * few CommonJS lines start either; a module that fails to load posts `{ t: 'fatal', message }`.
 * `name` is the module's file name without extension, beside `importMetaUrl`.
 */
export function moduleWorkerBoot(importMetaUrl: string, name: string): { source: string; entry: { entry: string; tsx?: string } } {
  const typescript = importMetaUrl.endsWith('.ts');
  const entry = new URL(`./${name}${typescript ? '.ts' : '.js'}`, importMetaUrl).href;
  return { source: MODULE_BOOT, entry: typescript ? { entry, tsx: import.meta.resolve('tsx/esm/api') } : { entry } };
}

const MODULE_BOOT = commonJsWorkerSource(`
  const { workerData, parentPort } = require('node:worker_threads');
  (async () => {
    if (workerData.tsx) (await import(workerData.tsx)).register();
    await import(workerData.entry);
  })().catch((err) => parentPort.postMessage({ t: 'fatal', message: String((err && err.stack) || err) }));
`);
