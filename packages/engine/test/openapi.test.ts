/**
 * The OpenAPI document (docs/api.md "OpenAPI"): `GET /v1/openapi.json` is a valid OpenAPI 3.1
 * document (checked by a real validator), it holds exactly the routes of the router's own table, and
 * a real request to every operation, generated from the document itself, gets an answer whose status
 * is documented and whose body validates (Ajv, JSON Schema 2020-12) against the documented schema.
 * Every success answer the document describes is seen at least once, so a schema that drifts from
 * the route's answer fails here.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { AUTH_ID, AUTH_TOKEN, startHarness, type Harness } from './support/harness.ts';
import { openApiPath } from '../src/api/openapi.ts';
import { API_TYPES_FILE, renderApiTypes } from './support/openapi-types.ts';

type Json = Record<string, any>;
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
const AUTH = `Basic ${Buffer.from(`${AUTH_ID}:${AUTH_TOKEN}`).toString('base64')}`;
/** Where the document's examples point their webhook URLs; the test's app server stands in. */
const EXAMPLE_APP = 'http://127.0.0.1:3000';

describe('the OpenAPI document', () => {
  let h: Harness;
  let doc: Json;
  let ajv: InstanceType<typeof Ajv2020>;

  before(async () => {
    h = await startHarness();
    const res = await fetch(`${h.base}/v1/openapi.json`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    doc = (await res.json()) as Json;
    ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
    // `#/components/schemas/X` inside the document -> `components#/$defs/X` for Ajv.
    const rewrite = (s: unknown) => JSON.parse(JSON.stringify(s).replaceAll('"#/components/schemas/', '"components#/$defs/'));
    ajv.addSchema({ $id: 'components', $defs: rewrite(doc.components.schemas) });
    (ajv as unknown as { rewrite: typeof rewrite }).rewrite = rewrite;
  });
  after(() => h.close());

  const validator = (schema: unknown) => ajv.compile((ajv as unknown as { rewrite: (s: unknown) => Json }).rewrite(schema));

  test('is public, and valid OpenAPI 3.1 by @seriousme/openapi-schema-validator', async () => {
    const v = new Validator();
    const result = await v.validate(doc);
    assert.deepEqual(result.errors ?? [], []);
    assert.equal(result.valid, true);
    assert.equal(v.version, '3.1');
    assert.equal(doc.openapi, '3.1.0');
    assert.match(doc.info.version, /^\d+\.\d+\.\d+/);
    assert.deepEqual(doc.components.securitySchemes.basicAuth, { type: 'http', scheme: 'basic', description: 'HTTP Basic: the auth_id as user name, the auth_token as password.' });
  });

  test("holds exactly the router table's routes, each with its access as security", () => {
    const table = h.engine.server.routeTable.routes;
    const expected = table.map((r) => `${r.method} ${openApiPath(r.url).path}`).sort();
    const documented: string[] = [];
    for (const [path, item] of Object.entries(doc.paths as Record<string, Json>)) {
      for (const m of METHODS) if (item[m]) documented.push(`${m.toUpperCase()} ${path}`);
    }
    assert.deepEqual(documented.sort(), [...new Set(expected)].sort());
    for (const r of table) {
      const op = doc.paths[openApiPath(r.url).path][r.method.toLowerCase()];
      const want = r.access === 'public' ? [] : r.access === 'metrics' ? [{}, { basicAuth: [] }] : [{ basicAuth: [] }];
      assert.deepEqual(op.security, want, `${r.method} ${r.url}`);
    }
    // The document describes itself, and the error shape is the catalogue's.
    assert.ok(doc.paths['/v1/openapi.json'].get);
    assert.equal(doc.components.responses.Error.content['application/json'].schema.$ref, '#/components/schemas/Error');
  });

  test("the clients' generated types are the document's (else: npm run openapi:types)", async () => {
    const want = await renderApiTypes(doc);
    assert.ok(want.includes('readonly CallDetail: {'), 'the named shapes are generated');
    assert.equal(readFileSync(API_TYPES_FILE, 'utf8'), want, `${API_TYPES_FILE} is stale: run npm run openapi:types`);
  });

  test('a real request to every operation gets a documented status and a body that validates', { timeout: 120_000 }, async () => {
    // Fixtures, named by path parameter: an ended call with a Dial (a CDR, deliveries, a timeline)...
    await h.sim('15550002', 'ring 1s, answer, hangup after 2s');
    h.app.on('/answer', '<Response><Dial><Number>15550002</Number></Dial></Response>');
    const made = await h.call({ to: '15550001' });
    assert.equal(made.status, 201);
    await h.waitFor('/hangup');
    await h.settle();
    const ended = (await h.api('GET', 'Call/')).body.objects.find((c: Json) => c.parent_call_uuid === null).call_uuid as string;
    const deliveryId = (await h.api('GET', 'Webhook/')).body.objects[0].delivery_id as string;

    // ...an application, a number of the account, a subaccount, an endpoint...
    const appId = (await h.api('POST', 'Application/', { app_name: 'fixture', answer_url: h.app.url('/answer') })).body.app_id as string;
    assert.equal((await h.api('POST', 'PhoneNumber/15550002/', {})).status, 201);
    const subId = (await h.api('POST', 'Subaccount/', { name: 'fixture' })).body.auth_id as string;
    const endpointId = (await h.api('POST', 'Endpoint/', { username: 'fixture', password: 'fixture-pass', alias: 'Fixture' })).body.endpoint_id as string;

    // ...and live calls, a new one for each request that changes or ends one: the clock stands still
    // from its answer until that request is answered.
    const holds: Array<() => void> = [];
    h.app.on('/live', () => {
      holds.push(h.engine.activity.begin());
      return '<Response><Wait length="3600"/></Response>';
    });
    await h.sim('15550009', 'answer');
    let lives = 0;
    const liveCall = async () => {
      const res = await h.call({ to: '15550009', answer_url: h.app.url('/live') });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      await h.waitFor('/live', ++lives);
      const uuid = h.app.requests('/live')[lives - 1]!.params.CallUUID!;
      return { uuid, request: res.body.request_uuid as string };
    };

    // ...and a recording (of a live call, stopped).
    const recordingId = await (async () => {
      const live = await liveCall();
      assert.equal((await h.api('POST', `Call/${live.uuid}/Record/`, { file_format: 'wav' })).status, 202);
      assert.equal((await h.api('DELETE', `Call/${live.uuid}/Record/`)).status, 204);
      for (const release of holds.splice(0)) release();
      await h.settle();
      return (await h.api('GET', 'Recording/')).body.objects[0].recording_id as string;
    })();

    // ...and live rooms of two members each (<Conference> on the simulated network), a new one for
    // each request that names one: a request may end its room or its members.
    let rooms = 0;
    let room = { name: '', members: [] as string[] };
    const liveRoom = async () => {
      const n = ++rooms;
      const name = `room-${n}`;
      h.app.on(`/room-${n}`, () => {
        holds.push(h.engine.activity.begin());
        return `<Response><Conference callbackUrl="${h.app.url(`/room-${n}-cb`)}">${name}</Conference></Response>`;
      });
      for (let i = 0; i < 2; i++) assert.equal((await h.call({ to: '15550009', answer_url: h.app.url(`/room-${n}`) })).status, 201);
      const enters = await h.waitFor(`/room-${n}-cb`, 2);
      assert.deepEqual(enters.map((r) => [r.params.ConferenceAction, r.params.ConferenceName]), [['enter', name], ['enter', name]]);
      room = { name, members: enters.map((r) => r.params.ConferenceMemberID!) };
      return name;
    };

    // ...a flow the run API starts, with one run, and a throw-away flow for each request that changes one.
    const callbackFlow = JSON.parse(readFileSync(new URL('../../../examples/flows/callback-request.json', import.meta.url), 'utf8'));
    const flowId = (await h.api('POST', 'Flow/', callbackFlow)).body.flow_id as string;
    const run = await fetch(`${h.base}/v1/account/${AUTH_ID}/phlo/${flowId}`, { method: 'POST', headers: { authorization: AUTH, 'content-type': 'application/json' }, body: JSON.stringify({ customer: '+15557770001' }) });
    assert.equal(run.status, 201, await run.text());
    await h.settle();
    const runId = (await h.api('GET', `Flow/${flowId}/Run/`)).body.objects[0].run_id as string;
    const newFlow = async () => (await h.api('POST', 'Flow/', { ...callbackFlow, name: 'throw-away' })).body.flow_id as string;

    const fixture = async (name: string, method: string): Promise<string> => {
      const reads = method === 'GET' || method === 'HEAD';
      switch (name) {
        case 'authId': return AUTH_ID;
        case 'callUuid': return reads ? ended : (await liveCall()).uuid;
        case 'requestUuid': return (await liveCall()).request;
        case 'deliveryId': return deliveryId;
        case 'number': return '15550002';
        case 'appId': return appId;
        case 'subId': return subId;
        case 'endpointId': return endpointId;
        case 'recordingId': return recordingId;
        case 'flowId': return reads ? flowId : await newFlow();
        case 'phloId': return flowId;
        case 'runId': return runId;
        case 'file': return `${recordingId}.wav`;
        case 'name': return await liveRoom();
        case 'memberId': return room.members[0]!;
        default: return 'x1';
      }
    };

    const ops: { method: string; path: string; op: Json }[] = [];
    for (const [path, item] of Object.entries(doc.paths as Record<string, Json>)) {
      for (const m of METHODS) if (item[m]) ops.push({ method: m.toUpperCase(), path, op: item[m] });
    }
    // Reads first, then writes, then deletions (which end the fixtures they name).
    const rank = (m: string) => (m === 'GET' || m === 'HEAD' ? 0 : m === 'DELETE' ? 2 : 1);
    ops.sort((a, b) => rank(a.method) - rank(b.method));

    const seen = new Set<string>();
    const problems: string[] = [];
    try {
      for (const { method, path, op } of ops) {
        let target = path;
        // The account's rooms: one is live while they are listed or hung up.
        if (path === '/v1/Account/{authId}/Conference/') await liveRoom();
        for (const p of (op.parameters ?? []).filter((p: Json) => p.in === 'path')) target = target.replace(`{${p.name}}`, encodeURIComponent(await fixture(p.name, method)));
        const example = op.requestBody?.content['application/json'].schema;
        const resolved = example?.$ref ? doc.components.schemas[example.$ref.split('/').pop()] : example;
        const body = resolved?.examples?.[0];
        const query = new URLSearchParams();
        for (const p of (op.parameters ?? []).filter((p: Json) => p.in === 'query' && p.required)) query.set(p.name, String(p.schema.examples[0]));
        if ([...query].length > 0) target += `?${query}`;
        const abort = new AbortController();
        const res = await fetch(`${h.base}${target}`, {
          method,
          signal: AbortSignal.any([abort.signal, AbortSignal.timeout(15_000)]),
          headers: { authorization: AUTH, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
          ...(body !== undefined ? { body: JSON.stringify(body).replaceAll(EXAMPLE_APP, h.app.url('').replace(/\/$/, '')) } : {}),
        });
        const type = (res.headers.get('content-type') ?? '').split(';')[0]!;
        // A stream (the live feed) stays open: its first bytes are enough.
        const text = type === 'text/event-stream' && res.body ? (await res.body.getReader().read(), abort.abort(), '') : await res.text();
        for (const release of holds.splice(0)) release();
        const status = String(res.status);
        const documented = op.responses[status] ?? op.responses[`${status[0]}XX`];
        const where = `${method} ${path} -> ${status}`;
        if (documented === undefined && status.startsWith('2')) {
          problems.push(`${where}: success status not documented (${Object.keys(op.responses).join(', ')})`);
          continue;
        }
        const response = documented ?? doc.components.responses.Error;
        const schema = response.$ref ? doc.components.responses.Error.content['application/json'].schema : response.content?.['application/json']?.schema;
        if (op.responses[status]) seen.add(`${method} ${path} ${status}`);
        if (method !== 'HEAD' && status !== '204' && response.content && !response.content[type]) problems.push(`${where}: answered ${type}, documented ${Object.keys(response.content).join(', ')}`);
        if (schema === undefined || method === 'HEAD' || type !== 'application/json') continue;
        const validate = validator(schema);
        if (!validate(JSON.parse(text))) problems.push(`${where}: ${ajv.errorsText(validate.errors)} in ${text.slice(0, 300)}`);
      }
    } finally {
      for (const release of holds.splice(0)) release();
    }
    assert.deepEqual(problems, []);

    // Every documented success with a body, and every 204, was answered at least once: the document
    // describes answers that happen (a 404 from a missing fixture would only validate as an Error).
    const described: string[] = [];
    for (const { method, path, op } of ops) {
      // A file of any type (the dashboard's) has no shape to drift from.
      for (const [code, r] of Object.entries<Json>(op.responses)) if (/^2\d\d$/.test(code) && method !== 'HEAD' && (r.content || code === '204')) described.push(`${method} ${path} ${code}`);
    }
    assert.deepEqual(described.filter((d) => !seen.has(d)), []);
  });
});
