// Plain Plivo code, as a user writes it: credentials from PLIVO_AUTH_ID / PLIVO_AUTH_TOKEN, no
// host anywhere. sdk-redirect.test.ts starts it with `node --require @switchboard/sdk/redirect`
// and SWITCHBOARD_URL, and reads one JSON line per step from stdout.
'use strict';
const plivo = require('plivo');

const client = new plivo.Client();
const app = process.env.APP_URL;
const say = (step, data) => console.log(JSON.stringify({ step, ...data }));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `read` until `ok` holds; the engine runs on its own clock, so this waits in real time. */
async function until(read, ok) {
  for (let i = 0; i < 500; i++) {
    const value = await read();
    if (ok(value)) return value;
    await sleep(10);
  }
  throw new Error('gave up waiting');
}

async function main() {
  const single = await client.calls.create('+15550000000', '15557000001', `${app}/answer`, { hangupUrl: `${app}/hangup` });
  say('create', { message: single.message, requestUuid: single.requestUuid });

  const bulk = await client.calls.create('+15550000000', ['15557000002', '15557000003'], `${app}/answer`, { hangupUrl: `${app}/hangup` });
  say('bulk', { message: bulk.message, requestUuid: bulk.requestUuid });

  const list = await until(() => client.calls.list({ limit: 20 }), (page) => page.meta.totalCount === 3);
  say('list', {
    totalCount: list.meta.totalCount,
    calls: list.map((c) => `${c.toNumber} ${c.hangupCauseName}`).sort(),
  });

  const first = list.find((c) => c.toNumber === '15557000001');
  const cdr = await client.calls.get(first.callUuid);
  say('get', { callUuid: cdr.callUuid === first.callUuid, callDuration: cdr.callDuration, billDuration: cdr.billDuration, hangupCauseName: cdr.hangupCauseName });

  const ringing = await client.calls.create('15550000000', '15557000004', `${app}/answer`, { ringUrl: `${app}/hold-ring`, hangupUrl: `${app}/hangup` });
  const live = await until(() => client.calls.listLiveCalls({}), (calls) => calls.length === 1);
  const liveCall = await client.calls.getLiveCall(live[0].callUuid);
  say('live', { requestUuid: ringing.requestUuid, callStatus: liveCall.callStatus, to: liveCall.to, sameRequest: liveCall.requestUuid === ringing.requestUuid });
  say('hangup', { result: await client.calls.hangup(live[0].callUuid) });
  await until(() => client.calls.listLiveCalls({}), (calls) => calls.length === 0);

  const toCancel = await client.calls.create('15550000000', '15557000005', `${app}/answer`, { ringUrl: `${app}/hold-ring`, hangupUrl: `${app}/hangup` });
  await until(() => client.calls.listLiveCalls({}), (calls) => calls.length === 1);
  const cancelled = await client.calls.cancel(toCancel.requestUuid);
  say('cancel', { requestUuid: toCancel.requestUuid, response: cancelled.constructor.name });
  await until(() => client.calls.listLiveCalls({}), (calls) => calls.length === 0);

  try {
    await client.calls.get('00000000-0000-4000-8000-000000000000');
  } catch (err) {
    say('error', { status: err.status, message: err.message });
  }
}

main().then(
  () => say('done', {}),
  (err) => {
    console.error(err);
    process.exitCode = 1;
  },
);
