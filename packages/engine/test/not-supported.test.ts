/**
 * Every Plivo resource Switchboard lacks says so (SB_NOT_SUPPORTED naming it), on every method and
 * below the resource too; generated from the table, so a new row is covered without editing this.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { NOT_SUPPORTED } from '../src/api/routes/not-supported.ts';
import { startHarness, type Harness } from './support/harness.ts';

describe('features Switchboard does not offer', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  test('answer 400 SB_NOT_SUPPORTED naming the feature, on each method, for the resource and below it', async () => {
    for (const row of NOT_SUPPORTED) {
      const path = row.path.replace(/:[A-Za-z]+/g, 'x1');
      for (const [method, suffix] of [['GET', '/'], ['POST', '/'], ['GET', '/abc/'], ['DELETE', '/abc/Member/1/']] as const) {
        const res = await h.api(method, `${path}${suffix}`, method === 'POST' ? { a: '1' } : undefined);
        assert.equal(res.status, 400, `${method} ${path}${suffix}`);
        assert.deepEqual(
          { code: res.body.code, param: res.body.param, error: res.body.error },
          { code: 'SB_NOT_SUPPORTED', param: row.feature, error: `${row.feature}: not supported by Switchboard (${row.why})` },
        );
      }
    }
  });

  test('an unknown resource is still a 404, and a known one with a wrong method a 405', async () => {
    assert.equal((await h.api('GET', 'NoSuchThing/')).status, 404);
    const res = await h.api('DELETE', 'Simulator/Call/');
    assert.equal(res.status, 405);
    assert.equal(res.body.code, 'SB_METHOD_NOT_ALLOWED');
  });
});
