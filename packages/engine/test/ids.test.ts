/**
 * The ids the engine makes (util/ids.ts): CallUUID, RequestUUID, api_id... are lowercase UUID v4
 * (engine.md §1, "IDs"), never repeated, and every digit position takes every value. A webhook
 * delivery's id is a UUID v7, in time order (the store's own key: docs/performance.md).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newAccountId, newAuthId, newAuthToken, newId, newTimeOrderedId, randomHex } from '../src/util/ids.ts';

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

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test('newTimeOrderedId: UUID v7, its first 48 bits the time in ms, random in every other free digit', () => {
  const N = 20_000;
  const seen = new Set<string>();
  const digits = Array.from({ length: 36 }, () => new Set<string>());
  const ms = 0x0123_4567_89ab;
  for (let i = 0; i < N; i++) {
    const id = newTimeOrderedId(ms);
    assert.match(id, UUID_V7);
    assert.equal(id.slice(0, 13), '01234567-89ab');
    seen.add(id);
    for (let p = 14; p < 36; p++) digits[p]!.add(id[p]!);
  }
  assert.equal(seen.size, N);
  for (let p = 14; p < 36; p++) {
    if (p === 18 || p === 23) continue;
    if (p === 14) assert.deepEqual([...digits[p]!], ['7']);
    else if (p === 19) assert.deepEqual([...digits[p]!].sort(), ['8', '9', 'a', 'b']);
    else assert.equal(digits[p]!.size, 16, `position ${p}`);
  }
});

test('newTimeOrderedId: ids of later milliseconds sort after earlier ones, as text', () => {
  // Across a carry of every byte of the time, and at the ends of its 48-bit range.
  const times = [0, 1, 0xff, 0x100, 0xffff, 0x1_0000, 0xff_ffff, 0x100_0000, 0xffff_ffff, 0x1_0000_0000, Date.now(), 2 ** 48 - 1];
  const ids = times.map((t) => newTimeOrderedId(t));
  assert.deepEqual([...ids].sort(), ids);
  assert.equal(ids[0]!.slice(0, 13), '00000000-0000');
  assert.equal(ids.at(-1)!.slice(0, 13), 'ffffffff-ffff');
  const now = Date.now();
  assert.equal(parseInt(newTimeOrderedId().replace('-', '').slice(0, 12), 16) >= now, true);
});

test("newAuthId, newAccountId and newAuthToken: Plivo's shapes", () => {
  assert.match(newAuthId(), /^MA[A-Z0-9]{18}$/);
  assert.match(newAuthToken(), /^[a-zA-Z0-9]{40}$/);
  // Every character of the 36 about as often (36,000 drawn: 1,000 each expected, deviation 32).
  const counts = new Map<string, number>();
  for (let i = 0; i < 2_000; i++) {
    const id = newAccountId(i % 2 === 0 ? 'MA' : 'SA');
    assert.match(id, i % 2 === 0 ? /^MA[A-Z0-9]{18}$/ : /^SA[A-Z0-9]{18}$/);
    for (const c of id.slice(2)) counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  assert.equal(counts.size, 36);
  for (const [c, n] of counts) assert.ok(Math.abs(n - 1_000) < 200, `${c}: ${n}`);
});

test('randomHex: 1 to 16 bytes as lowercase hex, unique, every digit position takes every value', () => {
  for (const bytes of [1, 6, 12, 16]) {
    const N = bytes === 1 ? 2_000 : 20_000;
    const seen = new Set<string>();
    const digits = Array.from({ length: 2 * bytes }, () => new Set<string>());
    for (let i = 0; i < N; i++) {
      const hex = randomHex(bytes);
      assert.match(hex, new RegExp(`^[0-9a-f]{${2 * bytes}}$`));
      seen.add(hex);
      for (let p = 0; p < hex.length; p++) digits[p]!.add(hex[p]!);
    }
    // One byte has 256 values: 2,000 draws meet nearly all of them; more bytes never repeat.
    if (bytes === 1) assert.ok(seen.size > 240, `${seen.size} of 256`);
    else assert.equal(seen.size, N);
    digits.forEach((met, p) => assert.equal(met.size, 16, `${bytes} bytes, position ${p}`));
  }
  for (const bad of [0, 17, 1.5, Number.NaN]) assert.throws(() => randomHex(bad), RangeError);
});
