/** The delivery log, replay, call timeline and live event feed (issue: status reports never lost). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { withHarness, AUTH_ID, AUTH_TOKEN, type Harness } from './support/harness.ts';

const withRig = (fn: (h: Harness) => Promise<void>, flags: Record<string, string> = {}) => withHarness(fn, { flags });

const A = '15551110001';
const B = '15552220001';

test('GET /Call/{uuid}/Webhook/ lists every request of a call with each attempt', async () => {
  await withRig(async (h) => {
    await h.sim(A, 'ring 1s, answer');
    await h.sim(B, 'busy');
    h.app.on('/answer', `<Response><Dial action="${h.app.url('/action')}"><Number>${B}</Number></Dial></Response>`);
    h.app.on('/hangup', [{ status: 500, body: 'boom' }, { status: 200 }]);
    await h.call({ to: A });
    await h.waitFor('/hangup', 2);
    await h.settle();
    const uuid = h.app.requests('/answer')[0]!.params.CallUUID!;
    const log = await h.api('GET', `Call/${uuid}/Webhook/`);
    assert.equal(log.status, 200);
    const rows = log.body.objects as any[];
    assert.deepEqual(
      rows.map((d) => [d.sequence, d.kind, d.event, d.method, d.synchronous, d.status, d.attempt_count]),
      [
        [1, 'ring', 'Ring', 'POST', false, 'delivered', 1],
        [2, 'answer', 'StartApp', 'POST', true, 'delivered', 1],
        [3, 'action', 'Redirect', 'POST', true, 'delivered', 1],
        [4, 'hangup', 'Hangup', 'POST', false, 'delivered', 2],
      ],
    );
    const hangup = rows[3];
    assert.equal(hangup.url, h.app.url('/hangup'));
    assert.equal(hangup.params.HangupCause, 'NORMAL_CLEARING');
    assert.equal(hangup.resource_uri, `/v1/Account/${AUTH_ID}/Webhook/${hangup.delivery_id}/`);
    const [first, second] = hangup.attempts;
    assert.deepEqual([first.attempt, first.status_code, first.response_excerpt, first.error], [1, 500, 'boom', null]);
    assert.deepEqual([second.attempt, second.status_code], [2, 200]);
    assert.equal(first.request_headers['X-Switchboard-Event-Id'], hangup.delivery_id);
    assert.equal(first.request_headers['X-Switchboard-Attempt'], '1');
    assert.equal(second.request_headers['X-Switchboard-Attempt'], '2');
    assert.ok(first.request_headers['X-Plivo-Signature-V3']);
    assert.equal(typeof first.latency_ms, 'number');
    assert.equal((await h.api('GET', 'Call/00000000-0000-4000-8000-000000000000/Webhook/')).status, 404);
  });
});

test('GET /Webhook/ filters by status and url with paging; dead deliveries replay with the same event id', async () => {
  await withRig(
    async (h) => {
      h.app.on('/down', { status: 503 });
      await h.sim(A, 'busy');
      for (let i = 0; i < 3; i++) await h.call({ to: A, hangup_url: h.app.url('/down') });
      await h.waitFor('/down', 3);
      await h.settle();
      const dead = await h.api('GET', 'Webhook/?status=dead&limit=2');
      assert.equal(dead.status, 200);
      assert.equal(dead.body.meta.total_count, 3);
      assert.equal(dead.body.objects.length, 2);
      assert.equal(dead.body.meta.next, `/v1/Account/${AUTH_ID}/Webhook/?status=dead&limit=2&offset=2`);
      assert.ok(dead.body.objects.every((d: any) => d.status === 'dead' && d.kind === 'hangup' && d.last_error === 'HTTP 503'));
      const byUrl = await h.api('GET', `Webhook/?url=${encodeURIComponent(h.app.url('/do') + '*')}`);
      assert.equal(byUrl.body.meta.total_count, 3);
      assert.equal((await h.api('GET', 'Webhook/?status=bogus')).status, 400);

      h.app.on('/down', { status: 200 });
      const one = dead.body.objects[0];
      const replay = await h.api('POST', `Webhook/${one.delivery_id}/Replay/`);
      assert.equal(replay.status, 202);
      await h.waitFor('/down', 4);
      await h.settle();
      const again = h.app.requests('/down').at(-1)!;
      assert.equal(again.headers['x-switchboard-event-id'], one.delivery_id);
      assert.equal(again.headers['x-switchboard-attempt'], '2');
      const shown = await h.api('GET', `Webhook/${one.delivery_id}/`);
      assert.deepEqual([shown.body.status, shown.body.attempt_count, shown.body.attempts.length], ['delivered', 2, 2]);

      const bulk = await h.api('POST', 'Webhook/Replay/', { status: 'dead' });
      assert.equal(bulk.status, 202);
      assert.equal(bulk.body.count, 2);
      await h.waitFor('/down', 6);
      await h.settle();
      assert.equal((await h.api('GET', 'Webhook/?status=dead')).body.meta.total_count, 0);
      assert.equal((await h.api('POST', 'Webhook/00000000-0000-4000-8000-000000000000/Replay/')).status, 404);
    },
    { 'webhook-retry-for': '0' },
  );
});

test('GET /Call/{uuid}/Timeline/ merges the legs\' events with every webhook attempt in order', async () => {
  await withRig(async (h) => {
    await h.sim(A, 'ring 1s, answer');
    await h.sim(B, 'ring 2s, answer, hangup after 3s');
    h.app.on('/answer', `<Response><Dial action="${h.app.url('/action')}" callbackUrl="${h.app.url('/cb')}"><Number>${B}</Number></Dial></Response>`);
    await h.call({ to: A });
    await h.waitFor('/hangup');
    await h.settle();
    const uuid = h.app.requests('/answer')[0]!.params.CallUUID!;
    const tl = await h.api('GET', `Call/${uuid}/Timeline/`);
    assert.equal(tl.status, 200);
    assert.equal(tl.body.legs.length, 2);
    const lines = (tl.body.objects as any[]).map((e) =>
      e.kind === 'event' ? `${(e.at - tl.body.objects[0].at) / 1000} ${e.leg} ${e.type}` : `${(e.at - tl.body.objects[0].at) / 1000} -> ${e.webhook} ${e.status_code}`,
    );
    assert.deepEqual(lines, [
      '0 A call.queued',
      '0 A leg.originated',
      '0 A leg.ringing',
      '0 -> ring 200',
      '1 A leg.answered',
      '1 A webhook.answer',
      '1 -> answer 200',
      '1 A dial.started',
      '1 B1 leg.originated',
      '1 B1 leg.ringing',
      '3 B1 leg.answered',
      '3 A dial.answer',
      '3 -> callback 200',
      '3 A dial.connected',
      '3 -> callback 200',
      '3 A dial.bridged',
      '6 B1 leg.ended',
      '6 A dial.hangup',
      '6 -> callback 200',
      '6 A dial.ended',
      '6 A webhook.action',
      '6 -> action 200',
      '6 A leg.ended',
      '6 -> hangup 200',
    ]);
    const bUuid = tl.body.legs[1].call_uuid;
    const fromB = await h.api('GET', `Call/${bUuid}/Timeline/`);
    assert.equal(fromB.body.call_uuid, uuid, 'a B leg shows its whole call');
  });
});

test('GET /Events/ streams call events and delivery outcomes as Server-Sent Events', async () => {
  await withRig(async (h) => {
    await h.sim(A, 'ring 1s, answer');
    h.app.on('/answer', '<Response><Hangup/></Response>');
    const auth = 'Basic ' + Buffer.from(`${AUTH_ID}:${AUTH_TOKEN}`).toString('base64');
    const res = await request(`${h.base}/v1/Account/${AUTH_ID}/Events/`, { headers: { authorization: auth } });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/event-stream/);
    const items: any[] = [];
    const done = (async () => {
      let buf = '';
      for await (const chunk of res.body) {
        buf += chunk.toString();
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const data = block.split('\n').find((l) => l.startsWith('data: '));
          if (data) items.push(JSON.parse(data.slice(6)));
          if (items.some((x) => x.kind === 'delivery' && x.webhook === 'hangup' && x.status === 'delivered')) return;
        }
      }
    })();
    const call = await h.call({ to: A });
    assert.equal(call.status, 201);
    await done;
    res.body.destroy();
    const events = items.filter((x) => x.kind === 'event').map((x) => x.type);
    assert.deepEqual(events, ['call.queued', 'leg.originated', 'leg.ringing', 'leg.answered', 'webhook.answer', 'leg.ended']);
    const hangupDelivered = items.find((x) => x.kind === 'delivery' && x.webhook === 'hangup' && x.status === 'delivered');
    assert.equal(hangupDelivered.attempts, 1);
    // The attempt's own item comes first: the row as the round found it, numbered with the attempt.
    const hangupAttempt = items.find((x) => x.kind === 'delivery' && x.webhook === 'hangup' && x.attempt !== undefined);
    assert.deepEqual(
      { status: hangupAttempt.status, attempts: hangupAttempt.attempts, attempt: hangupAttempt.attempt, status_code: hangupAttempt.status_code, error: hangupAttempt.error },
      { status: 'pending', attempts: 1, attempt: 1, status_code: 200, error: null },
    );
    assert.ok(items.indexOf(hangupAttempt) < items.indexOf(hangupDelivered));
    assert.ok(items.every((x) => x.call_uuid === items[0].call_uuid));
    assert.deepEqual(items.map((x) => x.id), [...items.map((x) => x.id)].sort((a, b) => a - b));
    assert.equal((await h.api('GET', 'Events/?kind=nope')).status, 400);
  });
});
