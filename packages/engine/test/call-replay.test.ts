/**
 * Whole calls replayed from their stored events alone (call-replay.ts, issue 18 item 2), on the real
 * engine (HTTP API, SQLite, simulated network, virtual clock): each test runs a call, reads back the
 * events of its A leg and of its Dials' B legs, and replays them with nothing else but the call's
 * setup (the Make-a-Call request stored with the row). What the events must carry for that: the Dial
 * machine's configuration (`dial.started`), the transfer API's URL and method
 * (`call.transfer-requested`), who answered a call with machine detection (`leg.answered`).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from './support/harness.ts';
import type { StoredEvent } from '../src/calls/dial-replay.ts';
import { replayCall } from '../src/calls/call-replay.ts';
import { callConfig, type CallConfig } from '../src/calls/call-model.ts';
import type { MakeCallRequest } from '../src/calls/call-setup.ts';

/** The call's events (its A leg's and its Dials' B legs', in record order) and its machine's configuration. */
async function stored(h: Harness, aUuid: string): Promise<{ events: StoredEvent[]; config: CallConfig }> {
  const aRows = await h.engine.store.listEvents(aUuid);
  const rows = [...aRows];
  for (const started of aRows.filter((r) => r.type === 'dial.started')) {
    for (const t of (JSON.parse(started.data) as { targets: Array<{ call_uuid: string }> }).targets) rows.push(...(await h.engine.store.listEvents(t.call_uuid)));
  }
  rows.sort((a, b) => a.id - b.id);
  const events = rows.map((r) => ({ call_uuid: r.call_uuid, type: r.type, at: r.at, data: JSON.parse(r.data) as unknown }));
  const row = await h.engine.store.getCall(aUuid);
  assert.ok(row);
  const req = JSON.parse(row.params) as MakeCallRequest;
  const setup = { ...req, timeLimitS: req.timeLimit, ringTimeoutS: req.ringTimeout, hangupOnRingS: req.hangupOnRing };
  return { events, config: callConfig(row.direction, setup) };
}

/** The stored end of the A leg, as `leg.ended` says it. */
function endOf(events: readonly StoredEvent[], aUuid: string): unknown {
  const ended = events.find((e) => e.call_uuid === aUuid && e.type === 'leg.ended');
  assert.ok(ended, 'leg.ended is stored');
  return ended.data;
}

describe('a call replayed from its stored events alone', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  test("a Dial with confirmSound: its configuration (the sound's play time in confirmMs) comes from dial.started", async () => {
    h.app.on('/d1-answer', `<Response><Dial action="${h.app.url('/d1-action')}" confirmSound="${h.app.url('/d1-confirm')}" confirmKey="5" confirmTimeout="10"><Number>15557770002</Number></Dial></Response>`);
    h.app.on('/d1-confirm', '<Response><Speak>press five to take the call</Speak></Response>');
    h.app.on('/d1-action', '<Response/>');
    await h.sim('15557770001', 'ring 1s, answer');
    await h.sim('15557770002', 'ring 1s, answer, digits 5 after 4s, hangup after 6s');
    await h.call({ to: '15557770001', answer_url: h.app.url('/d1-answer'), hangup_url: h.app.url('/d1-hangup') });
    const [hangup] = await h.waitFor('/d1-hangup');
    await h.settle();
    const aUuid = hangup!.params.CallUUID!;
    const { events, config } = await stored(h, aUuid);

    const call = replayCall(aUuid, config, events); // no `dials` option
    assert.equal(call.close, 'closed');
    assert.deepEqual({ reason: call.leg.end?.reason, source: call.leg.end?.source }, endOf(events, aUuid));
    const dialEnded = events.find((e) => e.type === 'dial.ended');
    assert.deepEqual(call.dial?.state.result, dialEnded?.data, 'the Dial replays to the stored dial.ended');
    assert.equal(call.dial?.state.result?.status, 'completed', 'the callee pressed the key within confirmMs and was bridged');
    // The confirmSound's play time is known only to the runner, which stored it.
    assert.ok(call.dial!.config.confirmMs > 10_000, `confirmMs ${call.dial!.config.confirmMs} counts the sound's play time`);
  });
});
