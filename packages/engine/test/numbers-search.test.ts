/**
 * The rest of the voice API the official SDK calls (issue 16.5), driven by the OFFICIAL `plivo`
 * package through support/plivo-reroute.ts: number search over the simulated inventory (plivo.md
 * §1.8, docs/numbers.md), buying from it, add-own-number, PHLO get and run at the PhloClient's
 * paths (§8), and the live-call list's filters (§1.5, §1.6).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import plivo from 'plivo';
import { startHarness, AUTH_ID, AUTH_TOKEN, type Harness } from './support/harness.ts';
import { reroutePlivo, type Reroute } from './support/plivo-reroute.ts';

let h: Harness;
let reroute: Reroute;
let client: any;

before(async () => {
  h = await startHarness();
  reroute = reroutePlivo(h.base);
  client = new plivo.Client(AUTH_ID, AUTH_TOKEN);
});

after(async () => {
  reroute.restore();
  await h.close();
});

async function rejection(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  return assert.fail('expected the SDK call to reject');
}

describe('number search: the simulated inventory', () => {
  test('numbers.search(US, local, pattern 415): the seeded numbers, Plivo\'s fields, paging with the filters', async () => {
    const page = await client.numbers.search('US', { type: 'local', pattern: '415', limit: 2 });
    assert.deepEqual(page.map((n: any) => n.number), ['14151224077', '14152316578']);
    assert.deepEqual(page.meta, {
      limit: 2,
      next: `/v1/Account/${AUTH_ID}/PhoneNumber/?type=local&pattern=415&country_iso=US&limit=2&offset=2`,
      offset: 0,
      previous: null,
      totalCount: 25,
    });
    const first = page[0];
    assert.deepEqual(
      // The SDK hands the fields over camelCased.
      { number: first.number, prefix: first.prefix, city: first.city, country: first.country, region: first.region, rate_center: first.rateCenter, lata: first.lata, type: first.type, sub_type: first.subType, monthly_rental_rate: first.monthlyRentalRate, setup_rate: first.setupRate, sms_enabled: first.smsEnabled, voice_enabled: first.voiceEnabled, restriction: first.restriction, resource_uri: first.resourceUri },
      { number: '14151224077', prefix: '415', city: 'San Francisco', country: 'UNITED STATES', region: 'California, UNITED STATES', rate_center: 'SNFC CNTRL', lata: 722, type: 'fixed', sub_type: 'local', monthly_rental_rate: '0.50000', setup_rate: '0.00000', sms_enabled: true, voice_enabled: true, restriction: null, resource_uri: `/v1/Account/${AUTH_ID}/PhoneNumber/14151224077/` },
    );
    // The same search on the second page continues where the first stopped.
    const next = await client.numbers.search('US', { type: 'local', pattern: '415', limit: 2, offset: 2 });
    assert.deepEqual(next.map((n: any) => n.number), ['14152377376', (await h.api('GET', 'PhoneNumber/?country_iso=US&pattern=415&offset=3&limit=1')).body.objects[0].number]);
  });

  test('filters: services, region (case-insensitive), a * wildcard, type; counts are fixed by the seed', async () => {
    const count = async (qs: string) => {
      const res = await h.api('GET', `PhoneNumber/?${qs}`);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body.meta.total_count as number;
    };
    assert.equal(await count('country_iso=US'), 175);
    assert.equal(await count('country_iso=us&type=local&pattern=415&services=sms'), 22);
    assert.equal(await count('country_iso=US&pattern=415&services=voice,sms,mms'), 22);
    assert.equal(await count('country_iso=US&region=texas'), 25);
    assert.equal(await count('country_iso=US&region=San%20Antonio'), 25);
    assert.equal(await count('country_iso=US&pattern=41*5'), 5);
    assert.equal(await count('country_iso=US&type=tollfree'), 50);
    assert.equal(await count('country_iso=US&type=mobile'), 0);
    assert.equal(await count('country_iso=US&type=national'), 0);
    assert.equal(await count('country_iso=FR'), 0);
    const gb = await client.numbers.search('GB', { type: 'mobile', limit: 2 });
    assert.deepEqual(gb.map((n: any) => [n.number, n.type, n.region, n.smsEnabled]), [
      ['447700115790', 'mobile', 'UNITED KINGDOM', true],
      ['447700150888', 'mobile', 'UNITED KINGDOM', true],
    ]);
  });

  test('bad searches answer 400 naming the parameter', async () => {
    const cases: Array<[string, string]> = [
      ['', 'country_iso: required parameter is missing'],
      ['country_iso=USA', 'country_iso: must be an ISO 3166-1 alpha-2 code like US (got "USA")'],
      ['country_iso=US&type=premium', 'type: must be one of local, fixed, tollfree, mobile, national, any (got "premium")'],
      ['country_iso=US&pattern=41a', 'pattern: must be digits, with * for any one digit (got "41a")'],
      ['country_iso=US&services=fax', 'services: must be voice, sms or mms, comma-separated (got "fax")'],
      ['country_iso=US&limit=21', 'limit: must be between 1 and 20 (got 21)'],
    ];
    for (const [qs, error] of cases) {
      const res = await h.api('GET', `PhoneNumber/?${qs}`);
      assert.deepEqual([res.status, res.body.error], [400, error], qs);
    }
  });

  test('buying an inventory number: it leaves the search and the Number shows the inventory\'s region and type', async () => {
    const bought = await client.numbers.buy('14151224077');
    assert.deepEqual([bought.message, bought.status, bought.numbers], ['created', 'fulfilled', [{ number: '14151224077', status: 'Success' }]]);
    const page = await client.numbers.search('US', { pattern: '415', limit: 1 });
    assert.equal(page[0].number, '14152316578');
    assert.equal(page.meta.totalCount, 24);
    const n = await client.numbers.get('14151224077');
    assert.deepEqual(
      [n.number, n.numberType, n.region, n.country, n.city, n.monthlyRentalRate, n.smsEnabled, n.voiceEnabled, n.carrier],
      ['14151224077', 'local', 'California, UNITED STATES', 'UNITED STATES', 'San Francisco', '0.50000', true, true, 'Switchboard'],
    );
    await client.numbers.unrent('14151224077');
    assert.equal((await client.numbers.search('US', { pattern: '415', limit: 1 }))[0].number, '14151224077');
  });
});

describe('add-own-number: POST Number/', () => {
  test('numbers.addOwnNumber: each number added with its carrier, region, type and application', async () => {
    const app = await h.api('POST', 'Application/', { app_name: 'own', answer_url: h.app.url('/answer') });
    assert.match(app.body.app_id, /^[1-9]\d{16}$/);
    const res = await client.numbers.addOwnNumber('+15553330021,15553330022', 'carrier-7', 'Lisbon', { numberType: 'tollfree', appId: app.body.app_id });
    assert.equal(res.message, 'changed');
    const wire = reroute.requests.at(-1)!;
    assert.deepEqual([wire.method, wire.path], ['POST', `/v1/Account/${AUTH_ID}/Number/`]);
    for (const number of ['15553330021', '15553330022']) {
      const n = await client.numbers.get(number);
      assert.deepEqual(
        [n.number, n.carrier, n.region, n.numberType, n.appId, n.application, n.subAccount, n.subAccountName],
        [number, 'carrier-7', 'Lisbon', 'tollfree', app.body.app_id, `/v1/Account/${AUTH_ID}/Application/${app.body.app_id}/`, null, null],
      );
    }
  });

  test('to a subaccount (main account only); required parameters and a bad subaccount answer 400', async () => {
    const sub = await h.api('POST', 'Subaccount/', { name: 'Marketing', enabled: true });
    const ok = await h.api('POST', 'Number/', { numbers: '15553330031', carrier: 'c', region: 'r', subaccount: sub.body.auth_id });
    assert.deepEqual([ok.status, ok.body.message], [202, 'changed']);
    const got = await h.api('GET', 'Number/15553330031/');
    assert.deepEqual([got.body.sub_account, got.body.sub_account_name], [sub.body.auth_id, 'Marketing']);
    // The subaccount sees it as its own and cannot hand numbers to anyone.
    const asSub = await h.api('POST', `/v1/Account/${sub.body.auth_id}/Number/`, { numbers: '15553330032', carrier: 'c', region: 'r', subaccount: sub.body.auth_id },
      'Basic ' + Buffer.from(`${sub.body.auth_id}:${sub.body.auth_token}`).toString('base64'));
    assert.deepEqual([asSub.status, asSub.body.error], [400, 'subaccount: only the main account can add numbers to a subaccount']);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ carrier: 'c', region: 'r' }, 'numbers: required parameter is missing'],
      [{ numbers: '15553330033', region: 'r' }, 'carrier: required parameter is missing'],
      [{ numbers: '15553330033', carrier: 'c' }, 'region: required parameter is missing'],
      [{ numbers: '1555abc', carrier: 'c', region: 'r' }, 'numbers: each must be a phone number (got "1555abc")'],
      [{ numbers: '15553330033', carrier: 'c', region: 'r', subaccount: 'SANOSUCHACCOUNT00000' }, 'subaccount: no subaccount has this auth_id (SANOSUCHACCOUNT00000)'],
      [{ numbers: '15553330033', carrier: 'c', region: 'r', app_id: '99999999999999999' }, 'app_id: no application or flow has this id (99999999999999999)'],
    ];
    for (const [body, error] of cases) {
      const res = await h.api('POST', 'Number/', body);
      assert.deepEqual([res.status, res.body.error], [400, error], JSON.stringify(body));
    }
    assert.equal((await h.api('GET', 'Number/15553330033/')).status, 404, 'nothing half-added');
  });
});

describe('PHLO at the PhloClient\'s paths', () => {
  test('phlo(id).run() with no payload runs the flow and answers its phlo_run_id; phlo.get reads it', async () => {
    const flow = await h.api('POST', 'Flow/', { name: 'static run', nodes: [{ name: 'Start', type: 'start', transitions: { api_request: 'Bye' } }, { name: 'Bye', type: 'hangup' }] });
    assert.equal(flow.status, 201, JSON.stringify(flow.body));
    const phloClient = new (plivo as any).PhloClient(AUTH_ID, AUTH_TOKEN, {});
    const run = await phloClient.phlo(flow.body.flow_id).run();
    assert.equal(run.phloId, flow.body.flow_id);
    assert.match(run.apiId, /^[0-9a-f-]{36}$/);
    const wire = reroute.requests.at(-1)!;
    assert.deepEqual([wire.method, wire.path], ['POST', `/v1/account/${AUTH_ID}/phlo/${flow.body.flow_id}`]);
    // The run id is the flow run's id: its trace is there.
    const traced = await h.api('GET', `Flow/${flow.body.flow_id}/Run/${run.apiId}/`);
    assert.deepEqual([traced.status, traced.body.trigger, traced.body.payload], [200, 'api_request', {}]);
    const got = await phloClient.phlo.get(flow.body.flow_id);
    assert.deepEqual([got.phloId, got.name], [flow.body.flow_id, 'static run']);
    assert.match(got.createdOn, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}000\+00:00$/);
    const missing = await rejection(phloClient.phlo('00000000-0000-4000-8000-000000000009').run());
    assert.equal(missing.status, 404);
  });
});

describe('the live-call list honours to_number, from_number and call_direction', () => {
  test('listLiveCalls with each filter, with and without +', async () => {
    const release = h.engine.activity.begin();
    try {
      h.app.on('/hold', '<Response><Wait length="3600"/></Response>');
      await h.sim('15557100001', 'answer');
      await h.sim('15557100002', 'answer');
      await h.call({ to: '15557100001', from: '+15550000001', answer_url: h.app.url('/hold') });
      await h.call({ to: '15557100002', from: '+15550000002', answer_url: h.app.url('/hold') });
      await h.app.waitFor((r, all) => all.filter((x) => x.path === '/hold').length >= 2, 10_000);
      const live = async (params: Record<string, string>) => [...(await client.calls.listLiveCalls(params))].map((c: any) => c.callUuid as string).sort();
      const all = await live({});
      assert.equal(all.length, 2);
      const byTo = async (to: string) => {
        const res = await h.api('GET', `Call/?status=live&to_number=${encodeURIComponent(to)}`);
        return res.body.calls as string[];
      };
      const [callA] = await byTo('15557100001');
      const [callB] = await byTo('+15557100002');
      assert.ok(callA && callB && callA !== callB);
      assert.deepEqual(await live({ toNumber: '+15557100001' }), [callA]);
      assert.deepEqual(await live({ fromNumber: '15550000002' }), [callB]);
      assert.deepEqual(await live({ fromNumber: '+15550000002', toNumber: '15557100001' }), []);
      assert.deepEqual(await live({ callDirection: 'outbound' }), [callA, callB].sort());
      assert.deepEqual(await live({ callDirection: 'inbound' }), []);
      const wire = reroute.requests.at(-1)!;
      assert.equal(wire.path, `/v1/Account/${AUTH_ID}/Call/?call_direction=inbound&status=live`);
      const bad = await h.api('GET', 'Call/?status=live&call_direction=sideways');
      assert.equal(bad.status, 400);
    } finally {
      release();
      await h.api('DELETE', 'Call/');
      await h.settle();
    }
  });
});
