/** scenarios.md S10-S14, S16-S19: the A leg, its webhooks and its limits, end to end. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, pick, AUTH_TOKEN, type Harness } from './support/harness.ts';

async function withRig(fn: (h: Harness) => Promise<void>): Promise<void> {
  const h = await startHarness();
  try {
    await fn(h);
  } finally {
    await h.close();
  }
}

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
