/**
 * Value formats of Plivo's recorded answers, compared field by field (issue 16.5). The answers are
 * read from the OFFICIAL `plivo` package itself: its `dist/rest/request-test.js` is the table of
 * Plivo's responses its own tests run against (a function of method, path and parameters). For
 * each row, every key of Plivo's answer must be in ours, with the same type and, for strings, the
 * same format: bare digits vs `+digits`, `2014-03-23 14:49:39.722551` vs `2015-07-26
 * 15:45:02+05:30`, a date, a 5-decimal rate, a UUID. Where Plivo's value is null, any value goes.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { startHarness, AUTH_ID, type Harness } from './support/harness.ts';

const require = createRequire(import.meta.url);
type Answer = { body: Record<string, unknown> };
const plivoRecorded = (require('plivo/dist/rest/request-test.js') as {
  Request: (c: object) => (method: string, action: string, params?: object) => Promise<Answer>;
}).Request({ authId: AUTH_ID, authToken: 'x', url: 'http://127.0.0.1:9' });

/** The format class of a value: what "the same format" means, one name per shape Plivo uses. */
export function formatOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value !== 'string') return typeof value;
  const shapes: ReadonlyArray<[string, RegExp]> = [
    ['datetime+offset', /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d[+-]\d\d:\d\d$/],
    ['datetime.micros', /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/],
    ['datetime.micros+offset', /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}[+-]\d\d:\d\d$/],
    ['date', /^\d{4}-\d\d-\d\d$/],
    ['rate', /^\d+\.\d{5}$/],
    ['+digits', /^\+\d+$/],
    ['digits', /^\d+$/],
    // A UUID, or an id Plivo's examples write in its place ("aaa-deeiei3-dfddd", "sample-phlo-id").
    ['id', /^[0-9a-z]+(-[0-9a-z]+){2,}$/i],
    ['path', /^\/v1\//],
    ['empty', /^$/],
  ];
  return shapes.find(([, re]) => re.test(value))?.[0] ?? 'text';
}

/** Keys of Plivo's answer that are missing in ours or differ in format, as `key: plivo -> ours`. */
export function differences(plivo: Record<string, unknown>, ours: Record<string, unknown>, allowNull: readonly string[] = []): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(plivo)) {
    if (!Object.hasOwn(ours, key)) {
      out.push(`${key}: missing`);
      continue;
    }
    if (value === null || ((ours[key] === null || ours[key] === '') && allowNull.includes(key))) continue;
    const [p, o] = [formatOf(value), formatOf(ours[key])];
    if (p !== o) out.push(`${key}: ${p} (${JSON.stringify(value)}) -> ${o} (${JSON.stringify(ours[key])})`);
  }
  return out;
}

interface Row {
  readonly name: string;
  /** Plivo's recorded answer: method, path, parameters as the SDK's test table keys them. */
  readonly plivo: [string, string, object?];
  /** Ours: the same request against the engine, given the ids the set-up made. */
  readonly ours: (h: Harness, ids: Ids) => Promise<{ status: number; body: any }>;
  /** Compare this part of both answers (e.g. the first listed object). */
  readonly part?: (body: any) => Record<string, unknown>;
  /** Keys where our null (or "") is right and Plivo's example merely shows a value. */
  readonly allowNull?: readonly string[];
  /** Keys not compared, each with its reason beside the row. */
  readonly exempt?: readonly string[];
}

interface Ids {
  live: string;
  ended: string;
  app: string;
  flow: string;
  number: string;
}

const first = (body: any) => body.objects[0] as Record<string, unknown>;
// Unanswered: no answer time; no carrier network or STIR on a self-hosted engine (Plivo's own CDRs
// show "" for an unsigned call's attestation).
const CDR_NULLABLE = ['answer_time', 'voice_network_group', 'stir_attestation'];
const PAGING = ['next', 'previous'];

const ROWS: readonly Row[] = [
  { name: 'live call', plivo: ['GET', 'Call/6653422-91b6-4716-9fad-9463daaeeec2', { status: 'live' }], ours: (h, i) => h.api('GET', `Call/${i.live}?status=live`), allowNull: ['stir_attestation'] },
  { name: 'live call list', plivo: ['GET', 'Call/', { status: 'live' }], ours: (h) => h.api('GET', 'Call/?status=live') },
  { name: 'CDR', plivo: ['GET', 'Call/aaa-deeiei3-dfddd/'], ours: (h, i) => h.api('GET', `Call/${i.ended}/`), allowNull: CDR_NULLABLE },
  { name: 'CDR list', plivo: ['GET', 'Call/'], ours: (h) => h.api('GET', 'Call/'), part: first, allowNull: CDR_NULLABLE },
  { name: 'CDR list meta', plivo: ['GET', 'Call/'], ours: (h) => h.api('GET', 'Call/'), part: (b) => b.meta, allowNull: PAGING },
  { name: 'make call', plivo: ['POST', 'Call/'], ours: (h) => h.call({ to: '15557000009', answer_url: h.app.url('/hold') }) },
  { name: 'transfer', plivo: ['POST', 'Call/aaa-deeiei3-dfddd/'], ours: (h, i) => h.api('POST', `Call/${i.live}/`, { legs: 'aleg', aleg_url: h.app.url('/hold') }) },
  // Plivo's example echoes the `+` its request path had; its listed numbers are bare digits, as ours.
  { name: 'number', plivo: ['GET', 'Number/+919999999990/'], ours: (h, i) => h.api('GET', `Number/${i.number}/`), exempt: ['number'] },
  { name: 'number list', plivo: ['GET', 'Number/'], ours: (h) => h.api('GET', 'Number/?limit=3'), part: first },
  { name: 'number list meta', plivo: ['GET', 'Number/'], ours: (h) => h.api('GET', 'Number/?limit=3'), part: (b) => b.meta, allowNull: PAGING },
  { name: 'number update', plivo: ['POST', 'Number/+919999999990/'], ours: (h, i) => h.api('POST', `Number/${i.number}/`, { alias: 'Main line' }) },
  { name: 'add own number', plivo: ['POST', 'Number/'], ours: (h) => h.api('POST', 'Number/', { numbers: '15553330077', carrier: 'c1', region: 'US' }) },
  { name: 'number search', plivo: ['GET', 'PhoneNumber/'], ours: (h) => h.api('GET', 'PhoneNumber/?country_iso=US&type=local'), part: first },
  { name: 'buy', plivo: ['POST', 'PhoneNumber/+919999999990/'], ours: (h) => h.api('POST', 'PhoneNumber/14155550123/', {}) },
  { name: 'application', plivo: ['GET', 'Application/1/'], ours: (h, i) => h.api('GET', `Application/${i.app}/`) },
  { name: 'application create', plivo: ['POST', 'Application/'], ours: (h) => h.api('POST', 'Application/', { app_name: 'fixture-2', answer_url: h.app.url('/hold') }) },
  { name: 'PHLO', plivo: ['GET', 'phlo/sample-phlo-id/'], ours: (h, i) => h.api('GET', `/v1/account/${AUTH_ID}/phlo/${i.flow}`) },
  { name: 'PHLO run', plivo: ['POST', 'account/x/phlo/sample-phlo-id'], ours: (h, i) => h.api('POST', `/v1/account/${AUTH_ID}/phlo/${i.flow}`) },
];

let h: Harness;
let ids: Ids;
let release: () => void;

before(async () => {
  h = await startHarness();
  release = h.engine.activity.begin();
  h.app.on('/hold', '<Response><Wait length="3600"/></Response>');
  h.app.on('/short', '<Response><Wait length="2"/></Response>');
  await h.sim('15557000001', 'answer');
  await h.sim('15557000009', 'answer');
  const sub = await h.api('POST', 'Subaccount/', { name: 'Marketing', enabled: true });
  assert.equal(sub.status, 201, JSON.stringify(sub.body));
  const app = await h.api('POST', 'Application/', { app_name: 'fixture', answer_url: h.app.url('/hold'), hangup_url: h.app.url('/hangup') });
  const flow = await h.api('POST', 'Flow/', { name: 'run me', nodes: [{ name: 'Start', type: 'start', transitions: { api_request: 'Bye' } }, { name: 'Bye', type: 'hangup' }] });
  assert.equal(flow.status, 201, JSON.stringify(flow.body));
  // A number on the subaccount: Plivo's example has a sub_account and its name.
  const own = await h.api('POST', 'Number/', { numbers: '14155550100', carrier: 'carrier-1', region: 'California, UNITED STATES', app_id: app.body.app_id, subaccount: sub.body.auth_id });
  assert.equal(own.status, 202, JSON.stringify(own.body));
  // One call ended (the CDR), one live.
  release();
  await h.call({ to: '15557000001', answer_url: h.app.url('/short') });
  await h.settle();
  release = h.engine.activity.begin();
  await h.call({ to: '15557000001', answer_url: h.app.url('/hold') });
  await h.app.waitFor((_r, all) => all.filter((r) => r.path === '/hold').length >= 1, 10_000);
  const live = await h.api('GET', 'Call/?status=live');
  const ended = await h.api('GET', 'Call/');
  ids = { live: live.body.calls[0], ended: ended.body.objects[0].call_uuid, app: app.body.app_id, flow: flow.body.flow_id, number: '14155550100' };
});

after(async () => {
  release();
  await h.close();
});

for (const row of ROWS) {
  test(`Plivo's recorded answer, ${row.name}: every key present, same type and format`, async () => {
    const [method, action, params] = row.plivo;
    const recorded = (await plivoRecorded(method, action, params ?? {})).body;
    const res = await row.ours(h, ids);
    assert.ok(res.status >= 200 && res.status < 300, `${res.status} ${JSON.stringify(res.body)}`);
    const part = row.part ?? ((b: any) => b);
    // `id` in Plivo's CDR example is the SDK's own test key (its idField), not a field of the call.
    const { id: _id, ...plivo } = part(recorded);
    for (const key of row.exempt ?? []) delete plivo[key];
    assert.deepEqual(differences(plivo, part(res.body), row.allowNull), []);
  });
}

test('the format classes tell Plivo\'s shapes apart', () => {
  assert.deepEqual(
    ['2014-03-23 14:49:39.722551', '2015-07-26 15:45:02+05:30', '2018-11-14 04:41:31.827796+00:00', '2014-02-14', '0.80000', '+14158572518', '14153268174'].map(formatOf),
    ['datetime.micros', 'datetime+offset', 'datetime.micros+offset', 'date', 'rate', '+digits', 'digits'],
  );
  assert.deepEqual(differences({ a: '14153268174', b: null, c: 1 }, { a: '+14153268174', b: 'x', c: '1' }), [
    'a: digits ("14153268174") -> +digits ("+14153268174")',
    'c: number (1) -> digits ("1")',
  ]);
});
