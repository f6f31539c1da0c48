/**
 * The SDK sweep (issue 16.7): every voice-related method of the official `plivo` package, through
 * `@switchboard/sdk/redirect`, against a real engine (support/sdk-sweep.ts). The table in
 * docs/moving-from-plivo.md is generated from this run; the test fails when the checked-in table
 * is stale, and never writes it (`npm run docs:sdk-sweep` does).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { checkedInSection, renderSection, runSweep } from './support/sdk-sweep.ts';

const DOC = fileURLToPath(new URL('../../../docs/moving-from-plivo.md', import.meta.url));

test('the SDK sweep table in docs/moving-from-plivo.md is what the official SDK gets today', async () => {
  const rows = await runSweep();
  // The sweep reached the engine: the core call methods work, whatever else does.
  for (const m of ['calls.create', 'calls.get', 'calls.list', 'calls.listLiveCalls', 'calls.getLiveCall', 'calls.hangup', 'calls.cancel']) {
    assert.equal(rows.find((r) => r.method === m)?.verdict, 'works', `${m}: ${JSON.stringify(rows.find((r) => r.method === m))}`);
  }
  // Nothing aimed at Plivo escaped: call feedback (stats.plivo.com) reached the engine and got its answer.
  assert.doesNotMatch(rows.find((r) => r.method === 'callFeedback.create')?.detail ?? '', /ENOTFOUND|ECONNREFUSED|EAI_AGAIN|SWITCHBOARD_PLIVO_HOST_REFUSED/);
  const section = renderSection(rows);
  assert.equal(checkedInSection(readFileSync(DOC, 'utf8')), section,
    'docs/moving-from-plivo.md is stale: run `npm run docs:sdk-sweep` (node --import tsx packages/engine/test/support/sdk-sweep-write.ts)');
});
