/**
 * Subaccounts (docs/accounts.md; issue 13 item 3): Plivo's Subaccount API driven by the official
 * `plivo` package, ownership of calls, numbers, applications, flows and deliveries (a subaccount
 * sees only its own, the main account sees all, another's is a 404), webhooks signed with the
 * owner's token, disabling and token rotation without a restart.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import plivo from 'plivo';
import { withHarness, AUTH_ID, AUTH_TOKEN, type Harness } from './support/harness.ts';
import { apiClient, type ApiCall } from './support/api-client.ts';
import { reroutePlivo } from './support/plivo-reroute.ts';
import type { CapturedRequest } from './support/app-server.ts';

const basic = (id: string, token: string) => 'Basic ' + Buffer.from(`${id}:${token}`).toString('base64');

interface Sub {
  authId: string;
  authToken: string;
  api: ApiCall;
}

async function createSub(h: Harness, name: string): Promise<Sub> {
  const res = await h.api('POST', 'Subaccount/', { name, enabled: true });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return { authId: res.body.auth_id, authToken: res.body.auth_token, api: apiClient(h.base, res.body.auth_id, res.body.auth_token) };
}

/** V3 and Ma-V3 of one webhook, judged by the official validator. */
function signedWith(req: CapturedRequest, token: string, mainToken: string): { v3: boolean; ma: boolean } {
  const method = req.method === 'GET' ? 'GET' : 'POST';
  const form = method === 'POST' ? { ...req.params } : {};
  const nonce = req.headers['x-plivo-signature-v3-nonce']!;
  return {
    v3: plivo.validateV3Signature(method, req.url, nonce, token, req.headers['x-plivo-signature-v3']!, form) === true,
    ma: plivo.validateV3Signature(method, req.url, nonce, mainToken, req.headers['x-plivo-signature-ma-v3']!, form) === true,
  };
}

/** Opens the live feed as `auth` and collects its data items until `stop` is called. */
async function follow(h: Harness, authId: string, auth: string): Promise<{ items: any[]; stop: () => void }> {
  const res = await request(`${h.base}/v1/Account/${authId}/Events/`, { headers: { authorization: auth } });
  assert.equal(res.statusCode, 200);
  const items: any[] = [];
  void (async () => {
    let buf = '';
    try {
      for await (const chunk of res.body) {
        buf += chunk.toString();
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const data = buf.slice(0, i).split('\n').find((l) => l.startsWith('data: '));
          buf = buf.slice(i + 2);
          if (data) items.push(JSON.parse(data.slice(6)));
        }
      }
    } catch {
      // destroyed by stop()
    }
  })();
  return { items, stop: () => res.body.destroy() };
}

test('the official plivo package drives the Subaccount API: create, get, list, update, delete', async () => {
  await withHarness(async (h) => {
    const reroute = reroutePlivo(h.base);
    try {
      const client = new plivo.Client(AUTH_ID, AUTH_TOKEN);
      const created = await client.subaccounts.create('Wayne Enterprises', true);
      assert.match(created.authId, /^SA[A-Z0-9]{18}$/);
      assert.match(created.authToken, /^[A-Za-z0-9]{40}$/);
      assert.equal(created.message, 'created');
      const second = await client.subaccounts.create('Stark Industries', false);

      const got = await client.subaccounts.get(created.authId);
      const today = new Date(h.clock.now()).toISOString().slice(0, 10);
      assert.deepEqual(
        { account: got.account, authId: got.authId, authToken: got.authToken, created: got.created, enabled: got.enabled, modified: got.modified, name: got.name, resourceUri: got.resourceUri },
        {
          account: `/v1/Account/${AUTH_ID}/`,
          authId: created.authId,
          authToken: created.authToken,
          created: today,
          enabled: true,
          modified: null,
          name: 'Wayne Enterprises',
          resourceUri: `/v1/Account/${AUTH_ID}/Subaccount/${created.authId}/`,
        },
      );

      const listed: any = await client.subaccounts.list({ limit: 1, offset: 0 });
      assert.equal(listed.length, 1);
      assert.equal(listed[0].authId, second.authId, 'most recently created first');
      assert.equal(listed.meta.totalCount, 2);
      assert.equal(listed.meta.next, `/v1/Account/${AUTH_ID}/Subaccount/?limit=1&offset=1`);

      const updated = await client.subaccounts.update(second.authId, 'Stark Ltd', true);
      assert.equal(updated.message, 'changed');
      const after = await client.subaccounts.get(second.authId);
      assert.deepEqual([after.name, after.enabled, after.modified], ['Stark Ltd', true, today]);

      // The subaccount signs in on its own; it cannot manage subaccounts.
      const sub = new plivo.Client(second.authId, second.authToken);
      await assert.rejects(sub.subaccounts.list({}), (err: Error) => /status code 403/.test(err.message));
      const refused = await h.api('GET', `/v1/Account/${second.authId}/Subaccount/`, undefined, basic(second.authId, second.authToken));
      assert.deepEqual([refused.status, refused.body.error], [403, 'forbidden: only the main account manages subaccounts']);

      assert.equal(await client.subaccounts.delete(created.authId, true), true);
      await assert.rejects(client.subaccounts.get(created.authId), (err: Error) => /subaccount not found/.test(err.message));
      const gone = await h.api('GET', `/v1/Account/${created.authId}/Call/`, undefined, basic(created.authId, created.authToken));
      assert.equal(gone.status, 401, 'a deleted subaccount cannot sign in');
    } finally {
      reroute.restore();
    }
    const bad = await h.api('POST', 'Subaccount/', { enabled: true });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error, /name/);
  });
});

test('two subaccounts cannot read, list, hang up, replay or follow each other; the main account sees both', async () => {
  await withHarness(async (h) => {
    const [a, b] = [await createSub(h, 'alpha'), await createSub(h, 'beta')];
    const A_NUM = '15551110001';
    const B_NUM = '15552220001';
    await h.sim(A_NUM, 'ring 1s, answer, hangup after 60s');
    await h.sim(B_NUM, 'ring 1s, answer, hangup after 60s');
    h.app.on('/answer', '<Response><Wait length="120"/></Response>');

    // Each subaccount's own application, number and flow.
    const appA = await a.api('POST', 'Application/', { app_name: 'alpha-app', answer_url: h.app.url('/answer') });
    const appB = await b.api('POST', 'Application/', { app_name: 'beta-app', answer_url: h.app.url('/answer') });
    assert.equal(appA.status, 201);
    assert.equal((await a.api('POST', 'PhoneNumber/15553330001/', { app_id: appA.body.app_id })).status, 201);
    assert.equal((await b.api('POST', 'PhoneNumber/15553330002/', { app_id: appB.body.app_id })).status, 201);
    // Another's number cannot be taken, nor another's application attached.
    assert.equal((await b.api('POST', 'PhoneNumber/15553330001/', {})).status, 409);
    assert.equal((await b.api('POST', 'PhoneNumber/15553330002/', { app_id: appA.body.app_id })).status, 400);

    const feedA = await follow(h, a.authId, basic(a.authId, a.authToken));
    const feedB = await follow(h, b.authId, basic(b.authId, b.authToken));
    const common = { from: '+15550000000', answer_url: h.app.url('/answer'), hangup_url: h.app.url('/hangup') };
    const callA = await a.api('POST', 'Call/', { ...common, to: A_NUM });
    const callB = await b.api('POST', 'Call/', { ...common, to: B_NUM });
    assert.equal(callA.status, 201);
    // At virtual second 5 both calls are live, and the clock is held while the checks run.
    const live = new Promise<unknown>((resolve) =>
      h.runAt(5, async () => {
        try {
          const answers = h.app.requests('/answer');
          assert.equal(answers.length, 2);
          const uuidOf = (to: string) => answers.find((r) => r.params.To === to)!.params.CallUUID!;
          const [ua, ub] = [uuidOf(A_NUM), uuidOf(B_NUM)];
          // Live: each sees its own call only; the main account sees both.
          assert.deepEqual((await a.api('GET', 'Call/?status=live')).body.calls, [ua]);
          assert.deepEqual((await b.api('GET', 'Call/?status=live')).body.calls, [ub]);
          assert.deepEqual([...(await h.api('GET', 'Call/?status=live')).body.calls].sort(), [ua, ub].sort());
          assert.equal((await b.api('GET', `Call/${ua}/?status=live`)).status, 404);
          assert.equal((await b.api('POST', `Call/${ua}/`, { legs: 'aleg', aleg_url: h.app.url('/answer') })).status, 404);
          assert.equal((await b.api('DELETE', `Call/${ua}/`)).status, 404);
          // B's hang-up-all ends B's call, not A's.
          assert.equal((await b.api('DELETE', 'Call/')).status, 204);
          assert.deepEqual((await a.api('GET', 'Call/?status=live')).body.calls, [ua]);
          assert.deepEqual((await b.api('GET', 'Call/?status=live')).body.calls, []);
          assert.equal((await a.api('DELETE', `Call/${ua}/`)).status, 204);
          resolve([ua, ub]);
        } catch (err) {
          resolve(err);
        }
      }),
    );
    const outcome = await live;
    if (outcome instanceof Error) throw outcome;
    const [ua, ub] = outcome as [string, string];
    await h.waitFor('/hangup', 2);
    assert.deepEqual(h.app.requests('/hangup').map((r) => [r.params.CallUUID, r.params.HangupCause]), [[ub, 'NORMAL_CLEARING'], [ua, 'NORMAL_CLEARING']]);
    await h.settle();

    // CDRs, timeline, delivery log, replay.
    const cdrsA = (await a.api('GET', 'Call/')).body;
    assert.deepEqual(cdrsA.objects.map((c: any) => c.call_uuid), [ua]);
    assert.equal(cdrsA.meta.total_count, 1);
    assert.deepEqual((await b.api('GET', 'Call/')).body.objects.map((c: any) => c.call_uuid), [ub]);
    assert.equal((await h.api('GET', 'Call/')).body.meta.total_count, 2);
    for (const path of [`Call/${ua}/`, `Call/${ua}/Timeline/`, `Call/${ua}/Webhook/`]) {
      assert.equal((await b.api('GET', path)).status, 404, path);
      assert.equal((await a.api('GET', path)).status, 200, path);
      assert.equal((await h.api('GET', path)).status, 200, path);
    }
    const logA = (await a.api('GET', 'Webhook/')).body.objects as any[];
    const logB = (await b.api('GET', 'Webhook/')).body.objects as any[];
    assert.deepEqual([...new Set(logA.map((d) => d.call_uuid))], [ua]);
    assert.deepEqual([...new Set(logB.map((d) => d.call_uuid))], [ub]);
    assert.equal((await h.api('GET', 'Webhook/')).body.meta.total_count, logA.length + logB.length);
    const deliveryA = logA[0].delivery_id;
    assert.equal((await b.api('GET', `Webhook/${deliveryA}/`)).status, 404);
    assert.equal((await b.api('POST', `Webhook/${deliveryA}/Replay/`)).status, 404);
    const bulk = await b.api('POST', 'Webhook/Replay/', { status: 'delivered' });
    assert.equal(bulk.status, 202);
    assert.ok(bulk.body.delivery_ids.every((id: string) => logB.some((d) => d.delivery_id === id)));
    assert.equal(bulk.body.count, logB.length);

    // The live feed: each stream carried its own call only.
    feedA.stop();
    feedB.stop();
    assert.ok(feedA.items.length > 0 && feedB.items.length > 0);
    assert.deepEqual([...new Set(feedA.items.map((x) => x.call_uuid))], [ua]);
    assert.deepEqual([...new Set(feedB.items.map((x) => x.call_uuid))], [ub]);

    // Applications, numbers and flows.
    assert.deepEqual((await a.api('GET', 'Application/')).body.objects.map((x: any) => x.app_id), [appA.body.app_id]);
    assert.equal((await b.api('GET', `Application/${appA.body.app_id}/`)).status, 404);
    assert.equal((await b.api('DELETE', `Application/${appA.body.app_id}/`)).status, 404);
    assert.equal((await h.api('GET', 'Application/')).body.meta.total_count, 2);
    assert.deepEqual((await b.api('GET', 'Number/')).body.objects.map((x: any) => [x.number, x.sub_account]), [['15553330002', b.authId]]);
    assert.equal((await b.api('GET', 'Number/15553330001/')).status, 404);
    assert.equal((await h.api('GET', 'Number/')).body.meta.total_count, 2);

    // Engine-wide APIs are the main account's.
    assert.equal((await a.api('GET', 'Simulator/Number/')).status, 403);
    assert.equal((await a.api('GET', 'Report/Dial/')).status, 403);
    assert.equal((await a.api('GET', 'Subaccount/')).status, 403);
  });
});

test("a subaccount's webhooks are signed with its token (Ma with the main token); disabling refuses it at once; tokens rotate without a restart", async () => {
  await withHarness(async (h) => {
    const a = await createSub(h, 'alpha');
    const NUM = '15551110001';
    await h.sim(NUM, 'ring 1s, answer, hangup after 2s');
    h.app.on('/answer', '<Response><Wait length="10"/></Response>');
    const place = (api: ApiCall) => api('POST', 'Call/', { from: '+15550000000', to: NUM, answer_url: h.app.url('/answer'), hangup_url: h.app.url('/hangup') });

    assert.equal((await place(a.api)).status, 201);
    await h.waitFor('/hangup', 1);
    await h.settle();
    for (const req of h.app.requests()) {
      assert.deepEqual(signedWith(req, a.authToken, AUTH_TOKEN), { v3: true, ma: true }, req.path);
      assert.deepEqual(signedWith(req, AUTH_TOKEN, AUTH_TOKEN).v3, false, 'not with the main token');
    }

    // Rotation of the subaccount's token by the main account: the old token fails at once.
    const rotated = await h.api('POST', `Subaccount/${a.authId}/`, { rotate_token: true });
    assert.equal(rotated.status, 202);
    const newToken: string = rotated.body.auth_token;
    assert.notEqual(newToken, a.authToken);
    assert.equal((await a.api('GET', 'Call/')).status, 401);
    const a2 = apiClient(h.base, a.authId, newToken);
    assert.equal((await a2('GET', 'Call/')).status, 200);
    assert.equal((await place(a2)).status, 201);
    await h.waitFor('/hangup', 2);
    await h.settle();
    const second = h.app.requests().slice(-2);
    for (const req of second) assert.deepEqual(signedWith(req, newToken, AUTH_TOKEN), { v3: true, ma: true }, `after rotation: ${req.path}`);

    // A subaccount rotates its own token on its Account resource.
    const own = await a2('POST', `/v1/Account/${a.authId}/`, { rotate_token: true });
    assert.equal(own.status, 202);
    assert.equal((await a2('GET', 'Call/')).status, 401);
    const a3 = apiClient(h.base, a.authId, own.body.auth_token);

    // Disabled: refused at once; enabled again: admitted.
    assert.equal((await h.api('POST', `Subaccount/${a.authId}/`, { name: 'alpha', enabled: false })).status, 202);
    assert.equal((await a3('GET', 'Call/')).status, 401);
    assert.equal((await h.api('POST', `Subaccount/${a.authId}/`, { name: 'alpha', enabled: true })).status, 202);
    assert.equal((await a3('GET', 'Call/')).status, 200);

    // The main account's own token: the old one fails at once, Ma signatures use the new one.
    const main = await h.api('POST', `/v1/Account/${AUTH_ID}/`, { rotate_token: true });
    assert.equal(main.status, 202);
    const mainToken: string = main.body.auth_token;
    assert.equal((await h.api('GET', 'Call/')).status, 401);
    const m = apiClient(h.base, AUTH_ID, mainToken);
    assert.equal((await m('GET', 'Call/')).status, 200);
    assert.equal((await place(a3)).status, 201);
    await h.waitFor('/hangup', 3);
    await h.settle();
    const third = h.app.requests().slice(-2);
    for (const req of third) assert.deepEqual(signedWith(req, own.body.auth_token, mainToken), { v3: true, ma: true }, `after main rotation: ${req.path}`);
    // Without rotate_token the Account update changes details only (routes/account.ts): the token stays.
    const renamed = await m('POST', `/v1/Account/${AUTH_ID}/`, { name: 'x' });
    assert.deepEqual([renamed.status, renamed.body.auth_token], [202, undefined]);
    assert.equal((await m('GET', 'Call/')).status, 200);
  });
});
