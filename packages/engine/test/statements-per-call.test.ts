/**
 * SQL statements per simulated dial call (issue 14 item 5; docs/performance.md, "Statements per call
 * and PostgreSQL"): the bench's flow — POST Call/ -> ring -> answer (a Dial) -> B answers and hangs
 * up -> action -> hangup, four webhooks — counted on the harness's store (SQLite, or PostgreSQL
 * under SWITCHBOARD_TEST_PG), BEGIN and COMMIT included, deferred writes included (flushed before
 * counting). The count is exact, so a change that adds
 * or removes a statement on the call's path fails here and says which (the failure lists every
 * statement in order, one transaction a line).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { withHarness } from './support/harness.ts';
import { TEST_PG } from './support/test-db.ts';
import { formatCounts, statementDelta, sumCounts } from '../src/store/statement-counter.ts';

const A = '15550100001';
const B = '15550100002';

/**
 * What one call costs, by kind (docs/performance.md has the breakdown, one transaction a line). The
 * store defers the records whose loss in a crash breaks no promise and writes them with the next
 * write that must be durable (store/deferred-writes.ts), so a lone call makes four writes after
 * its row: the first notification (ring), the A leg's answer (what its hangup report and bill rest
 * on), the A leg's end (hangup notification, rollup) and the hangup's outcome. On PostgreSQL each
 * write is one statement (a WITH chain), the rollup's included. On SQLite each, the call's row too,
 * is one transaction of one multi-row INSERT a table for new rows and one UPDATE a stored row it
 * changed, for which a lone call pays BEGIN and COMMIT (under load the group commit shares them
 * between calls); the A leg's end notes the call as pending, and its rollup is written later with
 * those of hundreds of other calls (store/rollups-behind.ts), so it is not the call's.
 */
const EXPECTED: Record<'sqlite' | 'postgres', Record<string, number>> = {
  sqlite: {
    begin: 5,
    commit: 5,
    'insert calls': 2,
    'update calls': 3,
    'insert deliveries': 2,
    'update deliveries': 2,
    'insert delivery_attempts': 2,
    'insert events': 3,
    'insert report_rollups_pending': 1,
  },
  postgres: {
    'insert calls': 1,
    'with insert deliveries': 1,
    'with insert delivery_attempts': 1,
    'with insert events': 1,
    'with insert report_rollups': 1,
  },
};
/** The ceiling (issue 14 item 5). */
const CEILING = 15;
/** Transaction control: a round trip on PostgreSQL, a step of the VM on SQLite, counted like any other. */
const CONTROL = new Set(['begin', 'commit', 'rollback', 'savepoint', 'release']);
const which = TEST_PG ? 'postgres' : 'sqlite';

/** Runs the bench's flow once and answers the statements it sent, and a description of them. */
async function countOneCall(): Promise<{ used: Record<string, number>; breakdown: string }> {
  let out: { used: Record<string, number>; breakdown: string } | undefined;
  await withHarness(async (h) => {
    await h.sim(A, 'ring, answer');
    await h.sim(B, 'answer, hangup after 1ms');
    h.app.on('/answer', `<Response><Dial action="${h.app.url('/action')}"><Number>${B}</Number></Dial></Response>`);
    h.app.on('/action', '<Response/>');
    const store = h.engine.store;
    // The statements in the order sent, for the failure message: each transaction on a line.
    const sequence: string[] = [];
    const counter = store.statements;
    const add = counter.add.bind(counter);
    counter.add = (kind: string, n = 1) => {
      for (let i = 0; i < n; i++) sequence.push(kind);
      add(kind, n);
    };
    // Nothing else runs on the engine now: every statement from here on is the call's.
    const before = store.statements.snapshot();
    const res = await h.call({ to: A });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    await h.waitFor('/hangup');
    await h.settle();
    // What the store deferred (deferred-writes.ts) is part of the call: written now, and counted.
    await store.flush();
    const used = statementDelta(before, store.statements.snapshot());
    // The flow ran as the bench's does: four webhooks, in this order.
    assert.deepEqual(h.app.requests().map((r) => r.path), ['/ring', '/answer', '/action', '/hangup']);
    // The same counter is the metric: the scrape reports what the store counted.
    const metrics = await request(`${h.base}/metrics`);
    const exposition = await metrics.body.text();
    const line = exposition.split('\n').find((l) => l.startsWith('switchboard_store_statements_total{kind="insert calls"}'));
    assert.equal(line, `switchboard_store_statements_total{kind="insert calls"} ${store.statements.snapshot()['insert calls']}`);
    const breakdown = `${which}: ${sumCounts(used)} statements (${formatCounts(used)}), in order:\n  ${sequence.join(' | ').replace(/(commit|rollback) \| /g, '$1\n  ')}`;
    if (process.env.SB_STATEMENTS) console.log(breakdown);
    out = { used, breakdown };
  });
  return out!;
}

test('one simulated dial call sends exactly these SQL statements', async () => {
  const { used, breakdown } = await countOneCall();
  assert.deepEqual(used, EXPECTED[which], `the statements of one call changed on ${breakdown}`);
});

/**
 * The ceiling. On PostgreSQL every statement counts (5): each is a round trip to the server. On
 * SQLite, where a statement is a call into the library and not a round trip, a lone call's five
 * transactions add a BEGIN and a COMMIT each (10 of its 25), which under load the group commit shares
 * between calls (the bench: docs/performance.md): what is held to the ceiling there is the data
 * statements (15), and the total is the exact count asserted above.
 */
test(`one simulated dial call sends at most ${CEILING} SQL statements (on SQLite, data statements)`, async () => {
  const { used, breakdown } = await countOneCall();
  const counted = which === 'postgres' ? used : Object.fromEntries(Object.entries(used).filter(([kind]) => !CONTROL.has(kind)));
  assert.ok(sumCounts(counted) <= CEILING, `more than ${CEILING} statements per call on ${breakdown}`);
});
