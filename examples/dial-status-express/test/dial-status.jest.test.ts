// The seed's dial status app tested with @switchboard/testkit under Jest (ESM, TypeScript through
// babel-jest): `npm run test:jest` (jest.config.cjs).
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { startSwitchboard, type Switchboard } from '@switchboard/testkit';
import { createDialStatusApp, type DialRecord } from '../src/app.ts';

const CALLEE = '+15671234567';
let sb: Switchboard;
let base: string;
let records: readonly DialRecord[];

beforeAll(async () => {
  sb = await startSwitchboard({ clock: 'virtual' });
  const dialStatus = createDialStatusApp({ authToken: sb.authToken, dialTo: CALLEE, log: () => {} });
  records = dialStatus.records;
  base = await sb.serve(dialStatus.app);
});
afterAll(() => sb.close());

test('busy', async () => {
  await sb.number(CALLEE, 'ring 2s, busy');
  const call = await sb.call({ to: '+15550001', answer_url: `${base}/dialstatus/` });
  const action = await sb.webhook('action', { DialStatus: 'busy' }, { call: call.uuid });
  expect(action.params.DialHangupCause).toBe('USER_BUSY');
  expect(records.at(-1)?.DialStatus).toBe('busy');
});

test('no-answer (the far end gives up after 25 s of ringing)', async () => {
  await sb.number(CALLEE, 'ring 25s, fail NO_USER_RESPONSE');
  const call = await sb.call({ to: '+15550001', answer_url: `${base}/dialstatus/` });
  const action = await sb.webhook('action', { DialStatus: 'no-answer' }, { call: call.uuid });
  const answer = await sb.webhook('answer', {}, { call: call.uuid });
  expect(action.at - answer.at).toBe(25_000);
  expect(records.at(-1)?.DialStatus).toBe('no-answer');
});

test('completed', async () => {
  await sb.number(CALLEE, 'ring 3s, answer, hangup after 20s');
  const call = await sb.call({ to: '+15550001', answer_url: `${base}/dialstatus/` });
  const action = await sb.webhook('action', { DialStatus: 'completed' }, { call: call.uuid });
  expect(action.params.DialHangupCause).toBe('NORMAL_CLEARING');
  expect(records.at(-1)?.DialStatus).toBe('completed');
});
