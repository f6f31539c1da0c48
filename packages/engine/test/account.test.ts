/**
 * The Account resource (GET / POST `/v1/Account/{auth_id}/`) in Plivo's shape, through the
 * official `plivo` package too (which asks at `/v1/Account/{auth_id}//`).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import plivo from 'plivo';
import { AUTH_ID, AUTH_TOKEN, startHarness, type Harness } from './support/harness.ts';
import { reroutePlivo } from './support/plivo-reroute.ts';
import { apiClient } from './support/api-client.ts';

describe('the Account resource', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  test('details in Plivo\'s fields; name, city, address, state and timezone kept', async () => {
    const before = await h.api('GET', '');
    assert.equal(before.status, 200);
    const { api_id, timezone, ...rest } = before.body;
    assert.match(api_id, /^[0-9a-f-]{36}$/);
    assert.equal(typeof timezone, 'string');
    assert.deepEqual(rest, {
      account_type: 'standard', address: '', auth_id: AUTH_ID, auto_recharge: false, billing_mode: 'postpaid',
      cash_credits: '0.00000', city: '', name: '', resource_uri: `/v1/Account/${AUTH_ID}/`, state: '',
    });
    const changed = await h.api('POST', '', { name: 'Switchboard QA', city: 'Lisbon', address: '1 Rua Augusta', state: 'Lisboa', timezone: 'Europe/Lisbon' });
    assert.equal(changed.status, 202);
    assert.equal(changed.body.message, 'changed');
    assert.equal(changed.body.auth_token, undefined);
    const after = await h.api('GET', '');
    assert.deepEqual([after.body.name, after.body.city, after.body.address, after.body.state, after.body.timezone], ['Switchboard QA', 'Lisbon', '1 Rua Augusta', 'Lisboa', 'Europe/Lisbon']);
    const bad = await h.api('POST', '', { timezone: 'Mars/Olympus' });
    assert.deepEqual([bad.status, bad.body.param], [400, 'timezone']);
  });

  test('the official package: accounts.get and accounts.update', async () => {
    const reroute = reroutePlivo(h.base);
    try {
      const client = new plivo.Client(AUTH_ID, AUTH_TOKEN);
      const account = (await client.accounts.get()) as unknown as Record<string, unknown>;
      assert.equal(account.resourceUri, `/v1/Account/${AUTH_ID}/`);
      assert.equal(account.accountType, 'standard');
      const updated = (await client.accounts.update({ name: 'Via SDK', city: 'Porto', address: 'Rua 2' })) as unknown as Record<string, unknown>;
      assert.equal(updated.message, 'changed');
    } finally {
      reroute.restore();
    }
    assert.equal((await h.api('GET', '')).body.name, 'Via SDK');
  });

  test('a subaccount sees itself; only its name can change', async () => {
    const made = await h.api('POST', 'Subaccount/', { name: 'Team A', enabled: true });
    assert.equal(made.status, 201);
    const sub = apiClient(h.base, made.body.auth_id, made.body.auth_token);
    const mine = await sub('GET', '');
    assert.deepEqual([mine.status, mine.body.auth_id, mine.body.name], [200, made.body.auth_id, 'Team A']);
    assert.equal((await sub('POST', '', { name: 'Team B' })).status, 202);
    assert.equal((await sub('GET', '')).body.name, 'Team B');
    const refused = await sub('POST', '', { city: 'Faro' });
    assert.deepEqual([refused.status, refused.body.param], [400, 'city']);
  });
});
