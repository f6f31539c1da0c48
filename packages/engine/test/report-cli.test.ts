// `switchboard generate` and `switchboard report` (docs/reports.md): generated traffic is
// consistent with its own rollups, and the report renders as aligned tables with a DialStatus bar.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateTraffic, generateCommand } from '../src/cli/generate.ts';
import { renderReport } from '../src/cli/report.ts';
import { bar, renderTable } from '../src/cli/table.ts';
import { UsageError } from '../src/cli/args.ts';
import { SqliteStore } from '../src/store/sqlite-store.ts';
import { buildDialReport } from '../src/reports/dial-report.ts';

const UNTIL = Date.UTC(2026, 0, 8);

test('generated traffic: rows, and rollups equal to a rebuild from those rows', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-gen-'));
  try {
    const dbPath = join(dir, 'g.db');
    const progress: number[] = [];
    await generateTraffic({ dbPath, calls: 1200, days: 2, seed: 7, batch: 500, until: UNTIL, onProgress: (d) => progress.push(d) });
    assert.deepEqual(progress, [500, 1000, 1200]);
    const store = new SqliteStore(dbPath);
    await store.migrate();
    const reports = store.resources.reports;
    const range = { start: UNTIL - 2 * 86_400_000, end: UNTIL };
    const generated = (await buildDialReport(reports, { ...range, groupBy: 'destination' }));
    const { rows } = await store.listCalls({ limit: 1, offset: 0, ended_only: true });
    assert.equal(rows.length, 1);
    const calls = (await buildDialReport(reports, { ...range, groupBy: 'day', kind: 'call' }));
    assert.equal(calls.total.attempts, 1200); // one API call attempt per generated call
    assert.ok(calls.total.asr! > 0.8 && calls.total.asr! < 0.97, `ASR ${calls.total.asr}`);
    const dials = (await buildDialReport(reports, { ...range, groupBy: 'day', kind: 'dial' })).total;
    assert.equal(dials.attempts, calls.total.answered); // every answered call dials once
    assert.ok(dials.dial_status.completed! > dials.dial_status.busy!);
    assert.equal(await reports.rebuildRollups(), 1200);
    assert.deepEqual((await buildDialReport(reports, { ...range, groupBy: 'destination' })), generated);
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('generate refuses bad flags with a usage error', async () => {
  await assert.rejects(generateCommand([]), UsageError);
  await assert.rejects(generateCommand(['--calls', '0']), /--calls must be a whole number/);
  await assert.rejects(generateCommand(['--calls', 'many']), UsageError);
});

test('report renders aligned tables and a DialStatus bar chart', () => {
  const group = {
    group: '2026-01-05', attempts: 4, answered: 2, asr: 0.5, ner: 0.75, acd_s: 12.5,
    dial_status: { completed: 2, busy: 1, 'no-answer': 0, timeout: 0, failed: 1, cancel: 0 },
    call_status: { completed: 3, busy: 0, 'no-answer': 0, timeout: 0, failed: 1, cancel: 0 },
    hangup_causes: [{ hangup_cause: 'NORMAL_CLEARING', hangup_cause_code: 4000, hangup_cause_name: 'Normal Hangup', hangup_source: 'Callee', count: 2 }],
    pdd_ms: { p50: 1200, p95: 3400 }, ring_to_answer_ms: { p50: null, p95: null },
  };
  const out = renderReport({ start: '2026-01-05 00:00:00+00:00', end: '2026-01-06 00:00:00+00:00', group_by: 'day', kind: 'all', groups: [group], total: { ...group, group: 'total' } });
  const lines = out.split('\n');
  assert.equal(lines[0], 'Dial report 2026-01-05 00:00:00+00:00 .. 2026-01-06 00:00:00+00:00, by day (API calls and Dials)');
  assert.equal(lines[2], 'day         attempts  answered    ASR    NER  ACD s  PDD p50/p95 ms  ring p50/p95 ms');
  assert.equal(lines[3], '2026-01-05         4         2  50.0%  75.0%   12.5       1200/3400              -/-');
  assert.ok(lines.includes('completed      2  50.0%  ' + '█'.repeat(15)), out);
  assert.ok(lines.includes('failed         1  25.0%  ' + '█'.repeat(7) + '▌'), out);
  assert.ok(lines.includes('timeout        0   0.0%'), out);
  assert.equal(bar(0, 10), '');
  assert.equal(bar(1, 0), '');
  assert.equal(renderTable([{ a: 'x', n: 10 }], [{ title: 'name', value: (r) => r.a }, { title: 'n', value: (r) => r.n }]), 'name   n\nx     10');
});
