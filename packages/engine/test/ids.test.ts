/**
 * The ids the engine makes (util/ids.ts): CallUUID, RequestUUID, api_id... are lowercase UUID v4
 * (engine.md §1, "IDs"), never repeated, and every digit position takes every value.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newAuthId, newAuthToken, newId } from '../src/util/ids.ts';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test('newId: lowercase UUID v4 with its variant, unique, random in every free digit', () => {
  const N = 20_000;
  const seen = new Set<string>();
  // Per position, the digits met: a position stuck at one value (a table or pool fault) fails.
  const digits = Array.from({ length: 36 }, () => new Set<string>());
  for (let i = 0; i < N; i++) {
    const id = newId();
    assert.match(id, UUID_V4);
    seen.add(id);
    for (let p = 0; p < 36; p++) digits[p]!.add(id[p]!);
  }
  assert.equal(seen.size, N);
  digits.forEach((met, p) => {
    if ([8, 13, 18, 23].includes(p)) assert.deepEqual([...met], ['-']);
    else if (p === 14) assert.deepEqual([...met], ['4']);
    else if (p === 19) assert.deepEqual([...met].sort(), ['8', '9', 'a', 'b']);
    else assert.equal(met.size, 16, `position ${p}: ${[...met].sort().join('')}`);
  });
});

test('newId: each id is its own string, unchanged by the ids made after it', () => {
  const first = newId();
  const copy = `${first}`;
  for (let i = 0; i < 1_000; i++) newId();
  assert.equal(first, copy);
  assert.equal(first.length, 36);
});

test("newAuthId and newAuthToken: Plivo's shapes", () => {
  assert.match(newAuthId(), /^MA[A-Z0-9]{18}$/);
  assert.match(newAuthToken(), /^[a-zA-Z0-9]{40}$/);
});
