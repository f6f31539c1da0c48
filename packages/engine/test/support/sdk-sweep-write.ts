/**
 * `npm run docs:sdk-sweep`: runs the SDK sweep (sdk-sweep.ts) and writes its table into
 * docs/moving-from-plivo.md between the sweep markers (appending the section the first time).
 * The one place that writes the generated table; the test only compares.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { checkedInSection, renderSection, runSweep } from './sdk-sweep.ts';

const DOC = fileURLToPath(new URL('../../../../docs/moving-from-plivo.md', import.meta.url));

const section = renderSection(await runSweep());
const doc = readFileSync(DOC, 'utf8');
const old = checkedInSection(doc);
const next = old !== undefined
  ? doc.replace(old, section)
  : `${doc.trimEnd()}\n\n## What the official SDK gets: the sweep\n\nEvery voice-related method of the official \`plivo\` package, called through the redirect preload\nagainst a real engine (\`packages/engine/test/sdk-sweep.test.ts\`, which fails when this table is stale).\n\n${section}\n`;
writeFileSync(DOC, next);
console.log(`${DOC}: ${old === next ? 'unchanged' : 'written'}`);
