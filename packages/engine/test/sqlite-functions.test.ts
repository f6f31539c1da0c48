/**
 * The SQL functions the SQLite store registers (sqlite-connection.ts) answer exactly what the SQL
 * they replace answered: `sb_sum_counts` against SQLite's json_each / group by / json_group_object,
 * text for text, on generated count maps.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { openSqlite } from '../src/store/sqlite-connection.ts';

const BUILT_IN = `select coalesce(json_group_object(s.k, s.n), '{}') as v from (
  select u.key as k, sum(u.value) as n from (
    select key, value from json_each(?) union all select key, value from json_each(?)
  ) u group by u.key) s`;

test('sb_sum_counts: the same text as the built-in JSON sum, for any two count maps', () => {
  const db = openSqlite(':memory:');
  try {
    const builtIn = db.prepare(BUILT_IN);
    const ours = db.prepare('select sb_sum_counts(?, ?) as v');
    // Keys as the rollups have them: statuses, causes, histogram bins ("87", "1200"), and others.
    const key = fc.oneof(fc.constantFrom('completed', 'busy', 'no-answer', 'NORMAL_CLEARING', '87', '100', '1200', '9', 'Z', 'a'), fc.string({ minLength: 1, maxLength: 6 }));
    const counts = fc.dictionary(key, fc.integer({ min: 0, max: 1e9 }), { maxKeys: 8 }).map((o) => JSON.stringify(o));
    fc.assert(
      fc.property(counts, counts, (a, b) => {
        assert.equal((ours.get(a, b) as { v: string }).v, (builtIn.get(a, b) as { v: string }).v);
      }),
      { numRuns: 500 },
    );
    assert.equal((ours.get('{}', '{}') as { v: string }).v, '{}');
  } finally {
    db.close();
  }
});

test('sb_sum_counts: a row summed again and again (its own last answer fed back, as a rollup row is) stays the built-in text', () => {
  const db = openSqlite(':memory:');
  try {
    const builtIn = db.prepare(BUILT_IN);
    const ours = db.prepare('select sb_sum_counts(?, ?) as v');
    // Few keys, so most steps add to keys the row has (the path that keeps the row's key order).
    const key = fc.constantFrom('completed', 'busy', '87', '1200', '9', 'Z', 'a', 'é');
    const counts = fc.dictionary(key, fc.integer({ min: 0, max: 1000 }), { maxKeys: 3 }).map((o) => JSON.stringify(o));
    fc.assert(
      fc.property(fc.array(counts, { minLength: 1, maxLength: 30 }), (adds) => {
        let mine = '{}';
        let theirs = '{}';
        for (const add of adds) {
          mine = (ours.get(mine, add) as { v: string }).v;
          theirs = (builtIn.get(theirs, add) as { v: string }).v;
          assert.equal(mine, theirs);
        }
      }),
      { numRuns: 300 },
    );
  } finally {
    db.close();
  }
});
