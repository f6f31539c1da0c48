/**
 * Options for a worker started from CommonJS source (`eval: true`). A worker inherits the process's
 * `execArgv`, and under `node --input-type=module -e ...` that makes its source an ES module, where
 * `require` does not exist: the flag is left out, so the source runs as the CommonJS it is.
 */
export function evalWorkerExecArgv(execArgv: readonly string[] = process.execArgv): string[] {
  const out: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i]!;
    if (arg.startsWith('--input-type=')) continue;
    if (arg === '--input-type') {
      i++; // and its value
      continue;
    }
    out.push(arg);
  }
  return out;
}
