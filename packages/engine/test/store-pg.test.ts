/**
 * PostgreSQL under concurrent writers (issue 14; docs/storage.md, "Concurrency"): two stores on
 * one database stand for two engine nodes writing the same call at once. Runs with
 * SWITCHBOARD_TEST_PG (scripts/pg-cluster.sh start); skipped without it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PgStore } from '../src/store/pg-store.ts';
import { callRow } from './support/call-rows.ts';
import { TEST_PG, freshTestDb } from './support/test-db.ts';

const skip = TEST_PG ? false : 'needs SWITCHBOARD_TEST_PG (scripts/pg-cluster.sh start)';

test('two nodes recording one call at once: event and delivery seqs run 1..n without a gap or a collision', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-pg-'));
  const db = await freshTestDb(dir);
  const a = new PgStore(db.db);
  const b = new PgStore(db.db);
  try {
    await a.migrate();
    const uuid = 'c0000000-0000-4000-8000-000000000001';
    await a.insertCall(callRow({ call_uuid: uuid, account_id: null }));
    const N = 40;
    const results = await Promise.all(
      Array.from({ length: N }, (_, i) =>
        (i % 2 === 0 ? a : b).record({
          callUuid: uuid,
          at: 1_000 + i,
          type: 'test.event',
          data: { i },
          patch: { caller_name: `n${i}` },
          deliveries: [{ id: `d0000000-0000-4000-8000-${String(i).padStart(12, '0')}`, kind: 'callback', event: 'Test', url: 'http://127.0.0.1:9/cb', method: 'POST', params: { i: String(i) }, synchronous: false }],
        }),
      ),
    );
    const eventSeqs = results.map((r) => r.seq).sort((x, y) => x - y);
    assert.deepEqual(eventSeqs, Array.from({ length: N }, (_, i) => i + 1));
    const deliveries = await a.listDeliveries(uuid);
    assert.deepEqual(deliveries.map((d) => d.seq), Array.from({ length: N }, (_, i) => i + 1));
    // Each delivery names the event whose transaction wrote it.
    const events = await b.listEvents(uuid);
    const seqOfEvent = new Map(events.map((e) => [JSON.parse(e.data).i as number, e.seq]));
    for (const d of deliveries) assert.equal(d.event_seq, seqOfEvent.get(Number(JSON.parse(d.params).i)));
  } finally {
    await a.close();
    await b.close();
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  }
});
