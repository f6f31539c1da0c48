/**
 * The hot path's caches (docs/performance.md, "Hot path"): each answers exactly what the uncached
 * code answered, and forgets what it must.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseResponse } from '../src/xml/parse-response.ts';
import { TargetPolicy, currentTargetPolicy, withTargetPolicy } from '../src/webhooks/target-policy.ts';
import { sipHeaderParams } from '../src/webhooks/params.ts';
import type { CallRow } from '../src/store/store.ts';
import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler, sql } from 'kysely';
import fc from 'fast-check';
import { EXACT_ROWS, QueryTemplate, RowsTemplate, pieceOf } from '../src/store/query-template.ts';
import { SqlAppStore } from '../src/store/sql-app-store.ts';
import type { SqlDb } from '../src/store/sql-db.ts';

describe('parseResponse keeps documents by text', () => {
  const xml = '<Response><Speak voice="WOMAN" bogus="1">hi</Speak><Hangup/></Response>';

  test('a second parse is the same frozen tree, with its own copy of the warnings', () => {
    const first = parseResponse(xml);
    assert.ok(first.ok);
    assert.equal(first.warnings.length, 1);
    first.warnings.push('changed by a caller');
    const second = parseResponse(xml);
    assert.ok(second.ok);
    assert.deepEqual(second.warnings, first.warnings.slice(0, 1));
    assert.equal(second.document, first.document);
    assert.ok(Object.isFrozen(second.document));
  });

  test('a failure is answered again, not kept', () => {
    const bad = '<Response><Nope/></Response>';
    const a = parseResponse(bad);
    const b = parseResponse(bad);
    assert.equal(a.ok, false);
    assert.equal(b.ok, false);
    assert.notEqual(a, b);
  });
});

describe('TargetPolicy.checkUrl keeps decisions per URL', () => {
  test('addSelf forgets them: a URL allowed before is refused once it is the engine itself', () => {
    const p = new TargetPolicy();
    assert.equal(p.checkUrl('http://127.0.0.1:9100/answer'), undefined);
    assert.equal(p.checkUrl('http://127.0.0.1:9100/answer'), undefined);
    p.addSelf('127.0.0.1', 9100);
    assert.equal(p.checkUrl('http://127.0.0.1:9100/answer'), "127.0.0.1:9100 is the engine's own listen address");
  });

  test('a refusal is answered the same the second time', () => {
    const p = new TargetPolicy();
    const why = p.checkUrl('http://169.254.169.254/latest');
    assert.ok(why);
    assert.equal(p.checkUrl('http://169.254.169.254/latest'), why);
  });
});

describe('withTargetPolicy', () => {
  test('sets the current policy for the synchronous call and restores the outer one', () => {
    const outer = currentTargetPolicy();
    const a = new TargetPolicy();
    const b = new TargetPolicy();
    withTargetPolicy(a, () => {
      assert.equal(currentTargetPolicy(), a);
      withTargetPolicy(b, () => assert.equal(currentTargetPolicy(), b));
      assert.equal(currentTargetPolicy(), a);
    });
    assert.equal(currentTargetPolicy(), outer);
    assert.throws(() => withTargetPolicy(a, () => { throw new Error('x'); }));
    assert.equal(currentTargetPolicy(), outer);
  });
});

describe('sipHeaderParams parses calls.params once per text', () => {
  test('every answer is a fresh object with the same headers', () => {
    const row = { params: JSON.stringify({ sipHeaders: { 'X-PH-Team': 'blue' } }) } as unknown as CallRow;
    const a = sipHeaderParams(row);
    a['X-PH-Team'] = 'changed';
    assert.deepEqual(sipHeaderParams(row), { 'X-PH-Team': 'blue' });
    assert.deepEqual(sipHeaderParams({ params: '{}' } as unknown as CallRow), {});
  });
});

describe('RowsTemplate binds what Kysely compiles', () => {
  const dialects = {
    sqlite: new Kysely<any>({ dialect: { createAdapter: () => new SqliteAdapter(), createDriver: () => new DummyDriver(), createIntrospector: (db) => new SqliteIntrospector(db), createQueryCompiler: () => new SqliteQueryCompiler() } }),
    postgres: new Kysely<any>({ dialect: { createAdapter: () => new PostgresAdapter(), createDriver: () => new DummyDriver(), createIntrospector: (db) => new PostgresIntrospector(db), createQueryCompiler: () => new PostgresQueryCompiler() } }),
  };
  const value = fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.constant(undefined));
  // Mostly rows of one shape (the flush's case); sometimes a row with other columns (compiled as it is).
  const rows = fc.array(fc.record({ a: value, b: value, c: value }, { requiredKeys: [] }), { minLength: 1, maxLength: 6 });
  for (const [name, k] of Object.entries(dialects)) {
    test(`${name}: the same SQL and parameters for any rows, upsert or plain insert`, () => {
      const build = (r: Record<string, unknown>[]) =>
        k.insertInto('t').values(r).onConflict((oc) => oc.column('a').doUpdateSet({ b: sql.ref('excluded.b'), c: sql.ref('excluded.c') }));
      const template = new RowsTemplate(build);
      fc.assert(
        fc.property(rows, (rs) => {
          if (rs.every((r) => Object.keys(r).length === 0)) return; // no columns: not a statement
          const want = build(rs).compile();
          const got = template.bind(rs);
          assert.equal(got.sql, want.sql);
          assert.deepEqual(got.parameters, want.parameters);
        }),
        { numRuns: 300 },
      );
    });
  }

  test('the generated readers take any column or placeholder name as it is written (quotes, backslashes, newlines)', () => {
    const odd = ['a', 'we"ird', 'back\\slash', 'new\nline', "it's", '\u2028'];
    for (const [name, k] of Object.entries(dialects)) {
      const build = (r: Record<string, unknown>[]) => k.insertInto('t').values(r);
      const rs = [0, 1, 2].map((i) => Object.fromEntries(odd.map((c, j) => [c, `${i}:${j}`])));
      assert.deepEqual(new RowsTemplate(build).bind(rs).parameters, build(rs).compile().parameters, name);
      const q = new QueryTemplate(odd, (p) => k.selectFrom('t').selectAll().where((eb) => eb.and(odd.map((c) => eb(c, '=', p[c])))).limit(7));
      const values = Object.fromEntries(odd.map((c, j) => [c, `v${j}`]));
      assert.deepEqual(q.bind(values).parameters, [...odd.map((_, j) => `v${j}`), 7], name);
    }
  });

  test('sqlite: any row count costs two compiles per set of columns (one and two rows); PostgreSQL one per count (and the two-row probe)', () => {
    for (const [name, k] of Object.entries(dialects)) {
      let compiles = 0;
      const template = new RowsTemplate((r: Record<string, unknown>[]) => {
        compiles++;
        return k.insertInto('t').values(r).onConflict((oc) => oc.column('a').doNothing());
      });
      for (let n = 1; n <= 40; n++) template.bind(Array.from({ length: n }, (_, i) => ({ a: i, b: `${i}` })));
      assert.equal(compiles, name === 'sqlite' ? 2 : 41, name);
    }
  });
});

describe('pieceOf splits a large flush into power-of-two statements (SQLite)', () => {
  test('the pieces cover the rows exactly: up to EXACT_ROWS one piece, else powers of two within the cap, largest first', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5_000 }), fc.constantFrom(16, 64, 128, 256), (n, max) => {
        const pieces: number[] = [];
        for (let left = n; left > 0; left -= pieces[pieces.length - 1]!) pieces.push(pieceOf(left, max));
        assert.equal(pieces.reduce((a, b) => a + b, 0), n);
        const last = pieces[pieces.length - 1]!;
        for (const p of pieces.slice(0, -1)) assert.ok(p <= max && p >= EXACT_ROWS && (p & (p - 1)) === 0, `${p} of ${n} (max ${max})`);
        assert.ok(last <= EXACT_ROWS || (last & (last - 1)) === 0);
        assert.deepEqual(pieces, [...pieces].sort((a, b) => b - a));
        if (n <= EXACT_ROWS) assert.deepEqual(pieces, [n]);
      }),
    );
  });

  test('every flush size from 1 to 1,000 rows uses 19 texts at most (128 rows a statement at most)', () => {
    const texts = new Set<number>();
    for (let n = 1; n <= 1_000; n++) for (let left = n; left > 0; ) {
      const p = pieceOf(left, 128);
      texts.add(p);
      left -= p;
    }
    assert.deepEqual([...texts].sort((a, b) => a - b), [...Array.from({ length: EXACT_ROWS }, (_, i) => i + 1), 32, 64, 128]);
  });
});

describe("an inbound call's lookups are compiled once", () => {
  test('getNumber and getApplication send the same SQL every time, built when the store is', async () => {
    const k = new Kysely<any>({ dialect: { createAdapter: () => new SqliteAdapter(), createDriver: () => new DummyDriver(), createIntrospector: (db) => new SqliteIntrospector(db), createQueryCompiler: () => new SqliteQueryCompiler() } });
    let built = 0;
    const counted = new Proxy(k, {
      get: (target, prop) => {
        if (prop === 'selectFrom') built++;
        const value = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const sent: Array<{ sql: string; parameters: readonly unknown[] }> = [];
    const db = { kysely: counted, dialect: 'sqlite', first: async (_what: string, q: { sql: string; parameters: readonly unknown[] }) => (sent.push({ sql: q.sql, parameters: q.parameters }), undefined) } as unknown as SqlDb;
    const store = new SqlAppStore(db);
    const atStart = built;
    for (const n of ['15550001', '15550002']) await store.getNumber(n);
    await store.getApplication('app-1');
    assert.equal(built, atStart, 'no query built per lookup');
    assert.deepEqual(sent, [
      { sql: k.selectFrom('phone_numbers').selectAll().where('number', '=', '15550001').compile().sql, parameters: ['15550001'] },
      { sql: k.selectFrom('phone_numbers').selectAll().where('number', '=', '15550002').compile().sql, parameters: ['15550002'] },
      { sql: k.selectFrom('applications').selectAll().where('app_id', '=', 'app-1').compile().sql, parameters: ['app-1'] },
    ]);
  });
});
