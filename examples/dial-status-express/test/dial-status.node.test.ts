// The seed's dial status app tested with @switchboard/testkit under node:test:
//   node --import tsx --test test/dial-status.node.test.ts
// The engine runs in this process on a virtual clock; the app is served on a free port; each
// branch of the Dial (busy, no-answer, completed) is one call and takes milliseconds.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSwitchboard, type Switchboard } from '@switchboard/testkit';
import { createDialStatusApp, type DialRecord } from '../src/app.ts';

const CALLEE = '+15671234567';
let sb: Switchboard;
let base: string;
let records: readonly DialRecord[];

before(async () => {
  sb = await startSwitchboard({ clock: 'virtual' });
  const dialStatus = createDialStatusApp({ authToken: sb.authToken, dialTo: CALLEE, log: () => {} });
  records = dialStatus.records;
  base = await sb.serve(dialStatus.app);
});
after(() => sb.close());

test('busy: the action gets DialStatus=busy and the app records it', async () => {
  await sb.number(CALLEE, 'ring 2s, busy');
  const call = await sb.call({ to: '+15550001', answer_url: `${base}/dialstatus/` });
  const action = await sb.webhook('action', { DialStatus: 'busy' }, { call: call.uuid });
  assert.equal(action.params.DialHangupCause, 'USER_BUSY');
  assert.equal(action.params.DialALegUUID, action.callUuid);
  assert.equal(action.statusCode, 200);
  assert.equal(records.at(-1)?.DialStatus, 'busy');
});

// The seed's Dial has no timeout: no-answer comes from the far end giving up (a 480, NO_USER_RESPONSE).
test('no-answer: the callee rings out', async () => {
  await sb.number(CALLEE, 'ring 25s, fail NO_USER_RESPONSE');
  const call = await sb.call({ to: '+15550001', answer_url: `${base}/dialstatus/` });
  const action = await sb.webhook('action', { DialStatus: 'no-answer' }, { call: call.uuid });
  assert.equal(action.params.DialRingStatus, 'true');
  assert.equal(action.at - (await sb.webhook('answer', {}, { call: call.uuid })).at, 25_000);
  assert.equal(records.at(-1)?.DialStatus, 'no-answer');
});

test('completed: the callee answers and talks, then the caller hears goodbye', async () => {
  await sb.number(CALLEE, 'ring 3s, answer, hangup after 20s');
  const call = await sb.call({ to: '+15550001', answer_url: `${base}/dialstatus/` });
  const action = await sb.webhook('action', { DialStatus: 'completed' }, { call: call.uuid });
  assert.equal(action.params.DialHangupCause, 'NORMAL_CLEARING');
  assert.equal(action.at - (await sb.webhook('answer', {}, { call: call.uuid })).at, 23_000); // 3 s ringing + 20 s talking
  assert.equal(records.at(-1)?.DialStatus, 'completed');
});
