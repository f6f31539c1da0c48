// The Endpoint API (docs/endpoints.md) through the OFFICIAL plivo package and over raw HTTP, and
// <User> dialling of endpoints on the simulated network.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import plivo from 'plivo';
import { startHarness, AUTH_ID, AUTH_TOKEN, type Harness } from './support/harness.ts';
import { reroutePlivo, type Reroute } from './support/plivo-reroute.ts';
import { REALM } from '../src/network/sip/registrar.ts';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Plivo's suffix: the creation time as yyMMddHHmmss (UTC). */
function suffixAt(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:T]/g, '').slice(2, 14);
}

describe('Endpoint API', () => {
  let h: Harness;
  let reroute: Reroute;
  let client: plivo.Client;

  before(async () => {
    h = await startHarness();
    reroute = reroutePlivo(h.base);
    client = new plivo.Client(AUTH_ID, AUTH_TOKEN);
  });
  after(async () => {
    reroute.restore();
    await h.close();
  });

  test('the SDK creates, lists, gets, updates and deletes an endpoint in Plivo shapes', async () => {
    const app = await h.api('POST', 'Application/', { app_name: 'phones', answer_url: h.app.url('/answer') });
    assert.equal(app.status, 201);
    const release = h.engine.activity.begin();
    const createdAt = h.clock.now();
    let created: any;
    try {
      created = await client.endpoints.create('alice', 's3cret-pass', 'Alice desk', app.body.app_id);
    } finally {
      release();
    }
    assert.equal(created.username, `alice${suffixAt(createdAt)}`);
    assert.equal(created.alias, 'Alice desk');
    assert.equal(created.message, 'created');
    assert.match(created.endpointId, /^[1-9]\d{13}$/);
    assert.match(created.apiId, UUID_V4);
    const id = created.endpointId as string;

    const got: any = await client.endpoints.get(id);
    assert.equal(got.endpointId, id);
    assert.equal(got.username, created.username);
    assert.equal(got.alias, 'Alice desk');
    assert.equal(got.application, `/v1/Account/${AUTH_ID}/Application/${app.body.app_id}/`);
    assert.equal(got.resourceUri, `/v1/Account/${AUTH_ID}/Endpoint/${id}/`);
    assert.equal(got.sipRegistered, 'false');
    assert.equal(got.sipUri, `sip:${created.username}@switchboard.invalid`);
    assert.equal(got.subAccount, null);
    // A hash, never the password, and not the HA1 a phone could register with.
    const ha1 = createHash('md5').update(`${created.username}:${REALM}:s3cret-pass`).digest('hex');
    assert.match(got.password, /^[0-9a-f]{32}$/);
    assert.notEqual(got.password, ha1);
    assert.doesNotMatch(JSON.stringify(got), /s3cret-pass/);

    const list: any = await client.endpoints.list();
    assert.equal(list.length, 1);
    assert.equal(list.meta.totalCount, 1);
    assert.equal(list[0].username, created.username);
    assert.equal(list[0].constructor.name, 'ListAllEndpointResponse');

    const updated: any = await client.endpoints.update(id, { alias: 'Alice-new', password: 'other-pass' });
    assert.equal(updated.message, 'changed');
    const raw = await h.api('GET', `Endpoint/${id}/`);
    assert.equal(raw.status, 200);
    assert.equal(raw.body.alias, 'Alice-new');
    // The stored HA1 follows the new password (the registrar checks against it).
    const row = h.engine.endpoints.get(id)!;
    assert.equal(row.ha1_md5, createHash('md5').update(`${created.username}:${REALM}:other-pass`).digest('hex'));
    assert.equal(row.ha1_sha256, createHash('sha256').update(`${created.username}:${REALM}:other-pass`).digest('hex'));
    assert.doesNotMatch(JSON.stringify(row), /other-pass/);

    assert.equal(await client.endpoints.delete(id), true);
    const gone = await h.api('GET', `Endpoint/${id}/`);
    assert.equal(gone.status, 404);
    assert.equal(gone.body.code, 'SB_NOT_FOUND');
  });

  test('raw HTTP: status codes, required fields and Plivo error shape', async () => {
    const missing = await h.api('POST', 'Endpoint/', { username: 'bob', alias: 'Bob' });
    assert.equal(missing.status, 400);
    assert.equal(missing.body.code, 'SB_MISSING_PARAM');
    assert.match(missing.body.error, /^password/);
    assert.match(missing.body.api_id, UUID_V4);
    const short = await h.api('POST', 'Endpoint/', { username: 'bob', password: 'abc', alias: 'Bob' });
    assert.equal(short.status, 400);
    assert.match(short.body.error, /^password: must be 5 to 128 characters long/);
    const badName = await h.api('POST', 'Endpoint/', { username: 'bob smith', password: 'abcdef', alias: 'Bob' });
    assert.equal(badName.status, 400);
    assert.match(badName.body.error, /^username: only letters and digits/);
    const noApp = await h.api('POST', 'Endpoint/', { username: 'bob', password: 'abcdef', alias: 'Bob', app_id: 'nope' });
    assert.equal(noApp.status, 400);
    assert.match(noApp.body.error, /^app_id: no application nope/);

    const ok = await h.api('POST', 'Endpoint/', { username: 'bob', password: 'abcdef', alias: 'Bob' });
    assert.equal(ok.status, 201);
    assert.deepEqual(Object.keys(ok.body).sort(), ['alias', 'api_id', 'endpoint_id', 'message', 'username']);
    const upd = await h.api('POST', `Endpoint/${ok.body.endpoint_id}/`, { alias: 'Bobby' });
    assert.equal(upd.status, 202);
    assert.equal(upd.body.message, 'changed');
    const del = await h.api('DELETE', `Endpoint/${ok.body.endpoint_id}/`);
    assert.equal(del.status, 204);
    const again = await h.api('DELETE', `Endpoint/${ok.body.endpoint_id}/`);
    assert.equal(again.status, 404);
  });

  test('<User> rings an endpoint by its script on the simulated network', async () => {
    const ep = await h.api('POST', 'Endpoint/', { username: 'carol', password: 'abcdef', alias: 'Carol', script: 'ring 3s, answer, hangup after 4s' });
    assert.equal(ep.status, 201);
    const user = ep.body.username as string;
    h.app.on('/answer', () => `<Response><Dial action="${h.app.url('/action')}" callbackUrl="${h.app.url('/dialcb')}"><User>sip:${user}@anywhere.example</User></Dial></Response>`);
    h.app.on('/action', () => '<Response/>');
    await h.sim('15550001111', 'ring 1s, answer, hangup after 60s');
    const res = await h.call({ to: '15550001111' });
    assert.equal(res.status, 201);
    const [action] = await h.waitFor('/action');
    await h.settle();
    assert.equal(action!.params.DialStatus, 'completed');
    // Rang 3 s after the caller answered at 1 s, talked 4 s: the endpoint's script, not the default one.
    assert.equal(h.at(action!), 8);
    const hangups = h.app.requests('/dialcb').filter((r) => r.params.DialAction === 'hangup');
    assert.equal(hangups.length, 1);
    assert.equal(hangups[0]!.params.DialBLegTo, `sip:${user}@anywhere.example`);
    await h.api('DELETE', `Endpoint/${ep.body.endpoint_id}/`);
  });
});
