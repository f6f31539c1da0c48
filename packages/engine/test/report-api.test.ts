// Reports over real calls (docs/reports.md): the dial report agrees with GET /Call/ over the same
// range, the call list as CSV matches the JSON list, webhook health and /metrics hold exact values
// after a few calls, health endpoints, and bad report queries get Plivo-shaped errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { withHarness, type Harness } from './support/harness.ts';

const A_OK = '15551110001';
const A_BUSY = '15551110002';
const B_OK = '15552220001';
const B_BUSY = '15552220002';

/** Three calls: A answers and its Dial completes; A is busy; A answers and its Dial is busy. */
async function placeCalls(h: Harness): Promise<void> {
  await h.sim(A_OK, 'ring 1s, answer');
  await h.sim(A_BUSY, 'busy');
  await h.sim(B_OK, 'ring 2s, answer, hangup after 10s');
  await h.sim(B_BUSY, 'busy');
  const dial = (n: string) => `<Response><Dial action="${h.app.url('/action')}"><Number>${n}</Number></Dial></Response>`;
  h.app.on('/action', '<Response/>');
  let hangups = 0;
  for (const [to, b] of [[A_OK, B_OK], [A_BUSY, B_OK], [A_OK, B_BUSY]] as const) {
    h.app.on('/answer', dial(b));
    assert.equal((await h.call({ to })).status, 201);
    await h.waitFor('/hangup', ++hangups);
    await h.settle();
  }
}

async function text(h: Harness, path: string, auth = true): Promise<{ status: number; type: string; body: string }> {
  const headers: Record<string, string> = auth ? { authorization: 'Basic ' + Buffer.from('MATESTACCOUNT0000001:test-auth-token-0123456789').toString('base64') } : {};
  const res = await request(`${h.base}${path}`, { headers });
  return { status: res.statusCode, type: String(res.headers['content-type']), body: await res.body.text() };
}

/** RFC 4180 reader, enough for the tests: quoted fields, doubled quotes, CRLF lines. */
function parseCsv(s: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quoted) {
      if (c === '"' && s[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(field), (field = '');
    else if (c === '\r' && s[i + 1] === '\n') row.push(field), rows.push(row), (row = []), (field = ''), i++;
    else field += c;
  }
  return rows;
}

const count = <T>(xs: T[], key: (x: T) => string) => xs.reduce<Record<string, number>>((m, x) => ((m[key(x)] = (m[key(x)] ?? 0) + 1), m), {});

test('the dial report agrees with GET /Call/ over the same range', async () => {
  await withHarness(async (h) => {
    await placeCalls(h);
    const list = await h.api('GET', 'Call/?limit=20');
    assert.equal(list.status, 200);
    const cdrs = list.body.objects as any[];
    const aLegs = cdrs.filter((c) => c.parent_call_uuid === null);
    const bLegs = cdrs.filter((c) => c.parent_call_uuid !== null);
    assert.equal(aLegs.length, 3);
    assert.equal(bLegs.length, 2);

    const all = await h.api('GET', 'Report/Dial/?since=24h&group_by=day');
    assert.equal(all.status, 200, JSON.stringify(all.body));
    assert.equal(all.body.total.attempts, 5); // 3 API calls + 2 Dials
    assert.deepEqual(all.body.total.dial_status, { completed: 3, busy: 2, 'no-answer': 0, timeout: 0, failed: 0, cancel: 0 });
    assert.equal(all.body.total.asr, 0.6);
    assert.equal(all.body.total.ner, 1);

    // API calls: one attempt per A leg; statuses, causes and talk time straight from the CDRs.
    const calls = (await h.api('GET', 'Report/Dial/?since=24h&kind=call')).body.total;
    assert.equal(calls.attempts, aLegs.length);
    assert.deepEqual(Object.fromEntries(Object.entries(calls.call_status).filter(([, n]) => n !== 0)), count(aLegs, (c) => c.call_status));
    const answeredA = aLegs.filter((c) => c.answer_time !== null);
    assert.equal(calls.answered, answeredA.length);
    assert.equal(calls.acd_s, Math.round((answeredA.reduce((s, c) => s + c.call_duration, 0) / answeredA.length) * 100) / 100);
    assert.deepEqual(
      count(calls.hangup_causes.flatMap((c: any) => Array(c.count).fill(c)), (c: any) => `${c.hangup_cause}/${c.hangup_cause_code}/${c.hangup_source}`),
      count(aLegs, (c) => `${c.hangup_cause}/${c.hangup_cause_code}/${c.hangup_source}`),
    );
    assert.deepEqual(calls.ring_to_answer_ms, { p50: 1000, p95: 1000 }); // 'ring 1s, answer'

    // Dials: one attempt per parent of B legs; the answered B leg's talk time is the ACD.
    const dials = (await h.api('GET', 'Report/Dial/?since=24h&kind=dial')).body.total;
    assert.equal(dials.attempts, new Set(bLegs.map((b) => b.parent_call_uuid)).size);
    assert.deepEqual(Object.fromEntries(Object.entries(dials.dial_status).filter(([, n]) => n !== 0)), count(bLegs, (b) => b.call_status));
    const answeredB = bLegs.filter((b) => b.answer_time !== null);
    assert.equal(dials.acd_s, answeredB[0].call_duration);
    assert.equal(dials.acd_s, 10);
    assert.deepEqual(dials.ring_to_answer_ms, { p50: 2000, p95: 2000 }); // 'ring 2s, answer'

    // By destination: each number dialled, with the CDR count of legs to it.
    const byDest = (await h.api('GET', 'Report/Dial/?since=24h&group_by=destination')).body.groups as any[];
    assert.deepEqual(
      Object.fromEntries(byDest.map((g) => [g.group, g.attempts])),
      count(cdrs, (c) => c.to_number.replace(/^\+/, '')),
    );

    // The same report as CSV: a header, one line per group, the total.
    const csv = await text(h, `/v1/Account/MATESTACCOUNT0000001/Report/Dial/?since=24h&group_by=destination&format=csv`);
    assert.equal(csv.status, 200);
    assert.match(csv.type, /^text\/csv/);
    const rows = parseCsv(csv.body);
    assert.equal(rows[0]![0], 'group');
    assert.equal(rows.length, 1 + byDest.length + 1);
    assert.deepEqual(rows.at(-1)!.slice(0, 3), ['total', '5', '3']);
  });
});

test('GET /Call/?format=csv streams the same CDRs as the JSON list, in order', async () => {
  await withHarness(async (h) => {
    await placeCalls(h);
    const json = (await h.api('GET', 'Call/?limit=20')).body.objects as any[];
    const csv = await text(h, '/v1/Account/MATESTACCOUNT0000001/Call/?format=csv');
    assert.equal(csv.status, 200);
    assert.match(csv.type, /^text\/csv/);
    const [header, ...rows] = parseCsv(csv.body);
    assert.equal(rows.length, json.length);
    const col = (name: string) => header!.indexOf(name);
    assert.deepEqual(rows.map((r) => r[col('call_uuid')]), json.map((c) => c.call_uuid));
    assert.deepEqual(rows.map((r) => r[col('hangup_cause_code')]), json.map((c) => String(c.hangup_cause_code)));
    assert.deepEqual(rows.map((r) => r[col('parent_call_uuid')]), json.map((c) => c.parent_call_uuid ?? ''));
    // Filters and limit/offset apply as in the JSON list; limit may exceed 20 for CSV.
    const one = parseCsv((await text(h, '/v1/Account/MATESTACCOUNT0000001/Call/?format=csv&limit=1&offset=1')).body);
    assert.deepEqual(one.slice(1).map((r) => r[0]), [json[1].call_uuid]);
    const busy = parseCsv((await text(h, `/v1/Account/MATESTACCOUNT0000001/Call/?format=csv&to_number=${A_BUSY}`)).body);
    assert.equal(busy.length, 2);
    // Past one page of the JSON list (20) and several pages of the export's reads (1000): every row, in order.
    const base = (await h.engine.store.getCall(json[0].call_uuid))!;
    for (let i = 0; i < 2100; i++) {
      await h.engine.store.insertCall({ ...base, call_uuid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, initiation_time: base.initiation_time - 1000 - (i % 700) * 1000, parent_call_uuid: null, request_uuid: `r${i}`, from_number: i === 7 ? '1555,"quoted"' : base.from_number });
    }
    const everything = parseCsv((await text(h, '/v1/Account/MATESTACCOUNT0000001/Call/?format=csv')).body).slice(1);
    assert.equal(everything.length, json.length + 2100);
    const total = (await h.api('GET', 'Call/?limit=1')).body.meta.total_count;
    assert.equal(everything.length, total);
    const sorted = [...everything].sort((x, y) => (x[col('initiation_time')]! > y[col('initiation_time')]! ? -1 : x[col('initiation_time')]! < y[col('initiation_time')]! ? 1 : x[0]! < y[0]! ? -1 : 1));
    assert.deepEqual(everything.map((r) => r[0]), sorted.map((r) => r[0]));
    assert.equal(new Set(everything.map((r) => r[0])).size, everything.length);
    assert.ok(everything.some((r) => r[col('from_number')] === '1555,"quoted"')); // quoted, doubled quotes, read back whole
    assert.equal(parseCsv((await text(h, '/v1/Account/MATESTACCOUNT0000001/Call/?format=csv&limit=1500')).body).length, 1501);
    // Live calls are not CDRs: asked together, that is an error in Plivo's shape.
    const bad = await h.api('GET', 'Call/?format=csv&status=live');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.code, 'SB_INVALID_PARAM');
    assert.equal(typeof bad.body.api_id, 'string');
  });
});

test('webhook health and /metrics hold exact values after a few calls', async () => {
  await withHarness(async (h) => {
    await placeCalls(h);
    const health = await h.api('GET', 'Report/Webhook/?since=24h');
    assert.equal(health.status, 200);
    const host = new URL(h.app.url('/')).host;
    // ring + answer + action + hangup for each answered call, hangup alone for the busy one.
    assert.deepEqual(health.body.hosts.map((x: any) => ({ ...x, latency_ms: undefined })), [
      { host, requests: 9, succeeded: 9, success_rate: 1, retries: 0, dead: 0, latency_ms: undefined },
    ]);

    const m = await text(h, '/metrics', false);
    assert.equal(m.status, 200);
    assert.match(m.type, /^text\/plain/);
    const lines = new Set(m.body.split('\n'));
    for (const line of [
      'switchboard_calls_ended_total{leg="a",status="completed"} 2',
      'switchboard_calls_ended_total{leg="a",status="busy"} 1',
      'switchboard_calls_ended_total{leg="b",status="completed"} 1',
      'switchboard_calls_ended_total{leg="b",status="busy"} 1',
      'switchboard_dials_total{status="completed"} 1',
      'switchboard_dials_total{status="busy"} 1',
      'switchboard_hangups_total{leg="a",cause="NORMAL_CLEARING",code="4010",source="Plivo"} 2',
      'switchboard_hangups_total{leg="a",cause="USER_BUSY",code="3000",source="Callee"} 1',
      'switchboard_hangups_total{leg="b",cause="NORMAL_CLEARING",code="4000",source="Callee"} 1',
      'switchboard_hangups_total{leg="b",cause="USER_BUSY",code="3000",source="Callee"} 1',
      'switchboard_live_calls{leg="a"} 0',
      'switchboard_live_calls{leg="b"} 0',
      'switchboard_outbox_depth 0',
      'switchboard_webhook_attempts_total{webhook="ring",outcome="success"} 2',
      'switchboard_webhook_attempts_total{webhook="answer",outcome="success"} 2',
      'switchboard_webhook_attempts_total{webhook="action",outcome="success"} 2',
      'switchboard_webhook_attempts_total{webhook="hangup",outcome="success"} 3',
      'switchboard_webhook_request_duration_seconds_count{webhook="hangup"} 3',
      'switchboard_api_requests_total{method="POST",route="/v1/Account/:authId/Call/",status_code="201"} 3',
      'switchboard_api_requests_total{method="POST",route="/v1/Account/:authId/Simulator/Number/",status_code="201"} 4',
    ]) {
      assert.ok(lines.has(line), `missing: ${line}`);
    }
    assert.ok(!m.body.includes('switchboard_webhook_failures_total{'), 'no failure was counted');
  });
});

test('health endpoints answer without credentials', async () => {
  await withHarness(async (h) => {
    assert.deepEqual(JSON.parse((await text(h, '/healthz', false)).body), { status: 'ok' });
    const ready = await text(h, '/readyz', false);
    assert.equal(ready.status, 200);
    assert.deepEqual(JSON.parse(ready.body), { status: 'ready', checks: { store: 'ok', calls: 'ok' } });
    h.engine.calls.stopAccepting();
    const draining = await text(h, '/readyz', false);
    assert.equal(draining.status, 503);
    assert.equal(JSON.parse(draining.body).checks.calls, 'shutting down');
  });
});

test('bad report queries are answered with Plivo-shaped errors', async () => {
  await withHarness(async (h) => {
    const cases: Array<[string, number, string, string]> = [
      ['Report/Dial/?group_by=week', 400, 'SB_INVALID_PARAM', 'group_by'],
      ['Report/Dial/?group_by=flow_node', 400, 'SB_NOT_SUPPORTED', 'group_by'],
      ['Report/Dial/?start=yesterday', 400, 'SB_INVALID_PARAM', 'start'],
      ['Report/Dial/?start=2026-01-02&end=2026-01-01', 400, 'SB_INVALID_PARAM', 'start'],
      ['Report/Dial/?since=-5h', 400, 'SB_INVALID_PARAM', 'since'],
      ['Report/Dial/?since=2h&start=2026-01-01', 400, 'SB_INVALID_PARAM', 'since'],
      ['Report/Dial/?kind=sms', 400, 'SB_INVALID_PARAM', 'kind'],
      ['Report/Dial/?format=xml', 400, 'SB_INVALID_PARAM', 'format'],
      ['Report/Webhook/?end=soon', 400, 'SB_INVALID_PARAM', 'end'],
    ];
    for (const [path, status, code, param] of cases) {
      const res = await h.api('GET', path);
      assert.equal(res.status, status, path);
      assert.equal(res.body.code, code, path);
      assert.equal(res.body.param, param, path);
      assert.match(res.body.error, new RegExp(`^${param}: `), path);
      assert.equal(typeof res.body.api_id, 'string');
    }
    assert.equal((await h.api('GET', 'Report/Dial/', undefined, null)).status, 401);
    // An empty range is a report of zeros, not an error.
    const empty = await h.api('GET', 'Report/Dial/?start=2020-01-01&end=2020-01-02&group_by=hour');
    assert.equal(empty.status, 200);
    assert.deepEqual([empty.body.groups, empty.body.total.attempts, empty.body.total.asr], [[], 0, null]);
  });
});
