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
