/** scenarios.md S10-S14, S16-S19: the A leg, its webhooks and its limits, end to end. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withHarness, pick, AUTH_TOKEN, type Harness } from './support/harness.ts';

const withRig = (fn: (h: Harness) => Promise<void>) => withHarness(fn);

const A = '15551110001';

test('S1-lite: answered call runs its XML and reports ring, answer, hangup', async () => {
  await withRig(async (h) => {
    await h.sim(A, 'ring 1s, answer');
    h.app.on('/answer', '<Response><Speak>hello there</Speak></Response>');
    const res = await h.call({ to: A });
    assert.equal(res.status, 201);
    assert.equal(res.body.message, 'call fired');
    const [hangup] = await h.waitFor('/hangup');
    const paths = h.app.requests().map((r) => `${r.path}@${h.at(r)}`);
    assert.deepEqual(paths, ['/ring@0', '/answer@1', '/hangup@2']);
    const answer = h.app.requests('/answer')[0]!;
    assert.deepEqual(pick(answer, ['Event', 'CallStatus', 'Direction', 'From', 'To', 'RequestUUID', 'ALegRequestUUID']), {
      Event: 'StartApp',
      CallStatus: 'in-progress',
      Direction: 'outbound',
      From: '15550000000',
      To: A,
      RequestUUID: res.body.request_uuid,
      ALegRequestUUID: res.body.request_uuid,
    });
    assert.equal(answer.params.ALegUUID, answer.params.CallUUID);
    assert.deepEqual(pick(hangup!, ['CallStatus', 'HangupCause', 'HangupCauseCode', 'HangupCauseName', 'HangupSource', 'Duration', 'BillDuration']), {
      CallStatus: 'completed',
      HangupCause: 'NORMAL_CLEARING',
      HangupCauseCode: '4010',
      HangupCauseName: 'End Of XML Instructions',
      HangupSource: 'Plivo',
      Duration: '1',
      BillDuration: '60',
    });
    assert.equal(h.app.assertAllSigned({ authToken: AUTH_TOKEN, mainAuthToken: AUTH_TOKEN }), 3);
  });
});

function seq(h: Harness): string[] {
  return h.app.requests().map((r) => `${r.path}@${h.at(r)}`);
}

async function run(h: Harness, aScript: string, params: Record<string, unknown> = {}): Promise<void> {
  await h.sim(A, aScript);
  const res = await h.call({ to: A, ...params });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  await h.waitFor('/hangup');
  await h.settle();
}

const HANGUP_KEYS = ['CallStatus', 'HangupCause', 'HangupCauseCode', 'HangupCauseName', 'HangupSource', 'Duration', 'BillDuration', 'AnswerTime'];

test('S10 A leg busy', async () => {
  await withRig(async (h) => {
    await run(h, 'busy');
    assert.deepEqual(seq(h), ['/hangup@0']);
    assert.deepEqual(pick(h.app.requests('/hangup')[0]!, HANGUP_KEYS), {
      CallStatus: 'busy',
      HangupCause: 'USER_BUSY',
      HangupCauseCode: '3000',
      HangupCauseName: 'Busy Line',
      HangupSource: 'Callee',
      Duration: '0',
      BillDuration: '0',
      AnswerTime: '',
    });
  });
});

test('S11 A leg no-answer with ring_timeout', async () => {
  await withRig(async (h) => {
    await run(h, 'no-answer', { ring_timeout: 10 });
    assert.deepEqual(seq(h), ['/ring@0', '/hangup@10']);
    assert.deepEqual(pick(h.app.requests('/hangup')[0]!, ['CallStatus', 'HangupCause', 'HangupCauseCode', 'HangupSource']), {
      CallStatus: 'no-answer',
      HangupCause: 'NO_ANSWER',
      HangupCauseCode: '3020',
      HangupSource: 'Plivo',
    });
  });
});

test('S12 A leg failed', async () => {
  await withRig(async (h) => {
    await run(h, 'fail');
    assert.deepEqual(seq(h), ['/hangup@0']);
    assert.deepEqual(pick(h.app.requests('/hangup')[0]!, ['CallStatus', 'HangupCause', 'HangupCauseCode']), {
      CallStatus: 'failed',
      HangupCause: 'NORMAL_TEMPORARY_FAILURE',
      HangupCauseCode: '8000',
    });
  });
});

test('S12 A leg timeout after the network timeout', async () => {
  await withRig(async (h) => {
    await run(h, 'timeout');
    assert.deepEqual(seq(h), ['/hangup@32']);
    assert.deepEqual(pick(h.app.requests('/hangup')[0]!, ['CallStatus', 'HangupCause', 'HangupCauseCode', 'HangupSource']), {
      CallStatus: 'timeout',
      HangupCause: 'RECOVERY_ON_TIMER_EXPIRE',
      HangupCauseCode: '6000',
      HangupSource: 'Carrier',
    });
  });
});

test('S13 answer_url fails twice, fallback_url serves', async () => {
  await withRig(async (h) => {
    h.app.on('/answer', { status: 500 });
    h.app.on('/fallback', '<Response><Wait length="2"/></Response>');
    await run(h, 'ring 1s, answer', { fallback_url: h.app.url('/fallback'), answer_url: h.app.url('/answer') });
    assert.deepEqual(seq(h), ['/ring@0', '/answer@1', '/answer@1', '/fallback@1', '/hangup@3']);
    const [a1, a2] = h.app.requests('/answer');
    const fb = h.app.requests('/fallback')[0]!;
    assert.equal(a1!.headers['x-switchboard-event-id'], a2!.headers['x-switchboard-event-id']);
    assert.deepEqual([a1!.headers['x-switchboard-attempt'], a2!.headers['x-switchboard-attempt']], ['1', '2']);
    assert.deepEqual(pick(fb, ['Event', 'CallStatus', 'CallUUID']), { Event: 'StartApp', CallStatus: 'in-progress', CallUUID: a1!.params.CallUUID });
    assert.equal(h.app.requests('/hangup')[0]!.params.HangupCauseCode, '4010');
  });
});

test('S13 answer_url#rc=0 is tried exactly once; fallback failing too ends with 5000', async () => {
  await withRig(async (h) => {
    h.app.on('/answer', { status: 500 });
    h.app.on('/fallback', { status: 503 });
    await run(h, 'ring 1s, answer', { answer_url: h.app.url('/answer') + '#rc=0', fallback_url: h.app.url('/fallback') });
    // The fallback keeps the default policy: one retry.
    assert.deepEqual(seq(h), ['/ring@0', '/answer@1', '/fallback@1', '/fallback@1', '/hangup@1']);
    assert.deepEqual(pick(h.app.requests('/hangup')[0]!, ['CallStatus', 'HangupCause', 'HangupCauseCode', 'HangupCauseName', 'HangupSource']), {
      CallStatus: 'completed',
      HangupCause: 'NORMAL_TEMPORARY_FAILURE',
      HangupCauseCode: '5000',
      HangupCauseName: 'Answer URL Failed',
      HangupSource: 'Error',
    });
  });
});

test('S14 invalid XML goes to the fallback; without one the call ends with 5010 and the error is stored', async () => {
  await withRig(async (h) => {
    h.app.on('/answer', '<Response><Dial>');
    h.app.on('/fallback', '<Response/>');
    await run(h, 'ring 1s, answer', { fallback_url: h.app.url('/fallback') });
    assert.deepEqual(seq(h), ['/ring@0', '/answer@1', '/fallback@1', '/hangup@1']);
    assert.equal(h.app.requests('/hangup')[0]!.params.HangupCauseCode, '4010');
  });
  await withRig(async (h) => {
    h.app.on('/answer', '<Response><Dial>');
    await run(h, 'ring 1s, answer');
    const hangup = h.app.requests('/hangup')[0]!;
    assert.deepEqual(pick(hangup, ['HangupCauseCode', 'HangupCauseName', 'HangupSource']), {
      HangupCauseCode: '5010',
      HangupCauseName: 'Invalid Answer XML',
      HangupSource: 'Error',
    });
    const cdr = await h.api('GET', `Call/${hangup.params.CallUUID}/`);
    assert.match(cdr.body.error, /^answer http:\/\/127\.0\.0\.1:\d+\/answer: invalid XML: /);
    assert.match(cdr.body.error, /Dial/);
  });
});

test('S16 cancel before answer', async () => {
  await withRig(async (h) => {
    await h.sim(A, 'no-answer');
    const res = await h.call({ to: A });
    let status = 0;
    h.runAt(2, async () => {
      status = (await h.api('DELETE', `Request/${res.body.request_uuid}/`)).status;
    });
    await h.waitFor('/hangup');
    await h.settle();
    assert.equal(status, 204);
    assert.deepEqual(seq(h), ['/ring@0', '/hangup@2']);
    assert.deepEqual(pick(h.app.requests('/hangup')[0]!, ['CallStatus', 'HangupCause', 'HangupCauseCode', 'HangupSource']), {
      CallStatus: 'cancel',
      HangupCause: 'ORIGINATOR_CANCEL',
      HangupCauseCode: '1000',
      HangupSource: 'API Request',
    });
  });
});

test('S17 time_limit ends a long Wait', async () => {
  await withRig(async (h) => {
    h.app.on('/answer', '<Response><Wait length="3600"/></Response>');
    await run(h, 'ring 1s, answer', { time_limit: 20 });
    assert.deepEqual(seq(h), ['/ring@0', '/answer@1', '/hangup@21']);
    assert.deepEqual(pick(h.app.requests('/hangup')[0]!, ['CallStatus', 'HangupCause', 'HangupCauseCode', 'HangupSource', 'Duration']), {
      CallStatus: 'completed',
      HangupCause: 'ALLOTTED_TIMEOUT',
      HangupCauseCode: '4000',
      HangupSource: 'Plivo',
      Duration: '20',
    });
  });
});

test('S18 hangup_on_ring=0', async () => {
  await withRig(async (h) => {
    await run(h, 'ring 1s, answer', { hangup_on_ring: 0 });
    assert.deepEqual(seq(h), ['/ring@0', '/hangup@0']);
    assert.deepEqual(pick(h.app.requests('/hangup')[0]!, ['CallStatus', 'HangupCause', 'HangupCauseCode', 'HangupSource']), {
      CallStatus: 'cancel',
      HangupCause: 'ORIGINATOR_CANCEL',
      HangupCauseCode: '1000',
      HangupSource: 'Plivo',
    });
  });
});

test('S19 bulk call: two independent calls', async () => {
  await withRig(async (h) => {
    await h.sim('15551110002', 'ring 2s, answer');
    await h.sim(A, 'ring 1s, answer');
    const res = await h.call({ to: `${A}<+15551110002` });
    assert.equal(res.status, 201);
    assert.equal(res.body.message, 'calls fired');
    assert.equal(res.body.request_uuid.length, 2);
    await h.waitFor('/hangup', 2);
    await h.settle();
    for (const [i, to] of [A, '15551110002'].entries()) {
      const mine = h.app.requests().filter((r) => r.params.To === to);
      assert.deepEqual(mine.map((r) => r.path), ['/ring', '/answer', '/hangup']);
      assert.ok(mine.every((r) => r.params.RequestUUID === res.body.request_uuid[i]));
    }
  });
});

test('S22 a hangup report that fails three times arrives once, with a stable event id', async () => {
  await withRig(async (h) => {
    h.app.on('/hangup', [{ status: 503 }, { status: 503 }, { status: 503 }, { status: 200, body: 'ok' }]);
    await h.sim(A, 'busy');
    await h.call({ to: A });
    await h.waitFor('/hangup', 4);
    await h.settle();
    const attempts = h.app.requests('/hangup');
    assert.equal(attempts.length, 4);
    assert.deepEqual(attempts.map((r) => r.headers['x-switchboard-attempt']), ['1', '2', '3', '4']);
    assert.equal(new Set(attempts.map((r) => r.headers['x-switchboard-event-id'])).size, 1);
    assert.deepEqual(attempts.map((r) => h.at(r)), [0, 1, 3, 7]);
    const deliveries = await h.engine.store.listDeliveries(attempts[0]!.params.CallUUID!);
    const hangup = deliveries.find((d) => d.kind === 'hangup')!;
    assert.equal(hangup.status, 'delivered');
    assert.equal((await h.engine.store.listAttempts(hangup.id)).length, 4);
  });
});
