// Preloaded by the test scripts: every fast-check property runs from one fixed seed, so a run
// replays exactly (STYLE: deterministic tests). FC_SEED=<n> explores other seeds; a failure prints
// the seed and path to replay it.
import fc from 'fast-check';

const seed = Number(process.env.FC_SEED ?? 20261124);
fc.configureGlobal({ seed: Number.isInteger(seed) ? seed : 20261124 });
