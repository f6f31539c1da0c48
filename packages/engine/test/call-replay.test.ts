/**
 * Whole calls replayed from their stored events alone (call-replay.ts, issue 18 item 2), on the real
 * engine (HTTP API, SQLite, simulated network, virtual clock): each test runs a call, reads back the
 * events of its A leg and of its Dials' B legs, and replays them with nothing else but the call's
 * setup (the Make-a-Call request stored with the row). What the events must carry for that: the Dial
 * machine's configuration (`dial.started`), the transfer API's URL and method
 * (`call.transfer-requested`), who answered a call with machine detection (`leg.answered`); and
 * that `<Hangup schedule>`, which stores nothing of its own, replays to the live machine's final state.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from './support/harness.ts';
import type { StoredEvent } from '../src/calls/dial-replay.ts';
import { replayCall } from '../src/calls/call-replay.ts';
import { callConfig, type CallConfig, type CallState } from '../src/calls/call-model.ts';
import type { CallSession } from '../src/calls/call-session.ts';
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

  test('machine detection: who answered is read from leg.answered, even when the call ends before the verdict', async () => {
    h.app.on('/m1-answer', '<Response><Wait length="30"/></Response>');
    await h.sim('15557770031', 'ring 1s, answer machine, hangup after 2s');
    await h.call({ to: '15557770031', answer_url: h.app.url('/m1-answer'), hangup_url: h.app.url('/m1-hangup'), machine_detection: 'true', machine_detection_url: h.app.url('/m1-amd') });
    const [hangup] = await h.waitFor('/m1-hangup');
    await h.settle();
    assert.equal(h.app.requests('/m1-amd').length, 0, 'the machine hung up before the verdict');
    const aUuid = hangup!.params.CallUUID!;
    const { events, config } = await stored(h, aUuid);
    assert.deepEqual(events.find((e) => e.call_uuid === aUuid && e.type === 'leg.answered')?.data, { answered_by: 'machine' });
    const call = replayCall(aUuid, config, events);
    assert.equal(call.close, 'closed');
    assert.deepEqual({ reason: call.leg.end?.reason, source: call.leg.end?.source }, endOf(events, aUuid));
    assert.equal(call.machine, true, 'the replayed call knows a machine answered');
  });

  /** Transfers the call `aUuid` to `url` (GET) at virtual second `at` of the rig. */
  const transferAt = (at: number, uuidOf: () => string, url: string) =>
    h.runAt(at, async () => {
      const res = await h.api('POST', `Call/${uuidOf()}/`, { legs: 'aleg', aleg_url: url, aleg_method: 'GET' });
      assert.equal(res.status, 202, JSON.stringify(res.body));
    });

  /** Replays the call whole, then up to its transferred document's fetch: the transfer is pending there, with its URL. */
  function replaysTransfer(aUuid: string, config: CallConfig, events: readonly StoredEvent[], url: string): void {
    const call = replayCall(aUuid, config, events);
    assert.equal(call.close, 'closed');
    assert.deepEqual({ reason: call.leg.end?.reason, source: call.leg.end?.source }, endOf(events, aUuid));
    const fetch = events.findIndex((e) => e.type === 'webhook.transfer');
    assert.ok(fetch > 0, 'the transferred document was fetched');
    const before = replayCall(aUuid, config, events.slice(0, fetch));
    assert.equal(before.doc, 'winding-down');
    assert.deepEqual(before.transfer, { url, method: 'GET' }, 'the replayed state carries the transfer API\'s URL and method');
  }

  test("the transfer API during the document: its URL and method are replayed from call.transfer-requested", async () => {
    const start = h.t();
    h.app.on('/t1-answer', '<Response><Wait length="3600"/></Response>');
    h.app.on('/t1-new', '<Response><Wait length="2"/><Hangup/></Response>');
    await h.sim('15557770011', 'ring 1s, answer');
    await h.call({ to: '15557770011', answer_url: h.app.url('/t1-answer'), hangup_url: h.app.url('/t1-hangup') });
    transferAt(start + 5, () => h.app.requests('/t1-answer')[0]!.params.CallUUID!, h.app.url('/t1-new'));
    const [hangup] = await h.waitFor('/t1-hangup');
    await h.settle();
    assert.equal(h.app.requests('/t1-new')[0]?.method, 'GET');
    const aUuid = hangup!.params.CallUUID!;
    const { events, config } = await stored(h, aUuid);
    assert.deepEqual(events.find((e) => e.type === 'call.transfer-requested')?.data, { url: h.app.url('/t1-new'), method: 'GET' });
    replaysTransfer(aUuid, config, events, h.app.url('/t1-new'));
  });

  test('the transfer API while a Dial is bridged: the Dial ends, then the new document runs', async () => {
    const start = h.t();
    h.app.on('/t2-answer', `<Response><Dial action="${h.app.url('/t2-action')}"><Number>15557770022</Number></Dial></Response>`);
    h.app.on('/t2-action', '<Response/>');
    h.app.on('/t2-new', '<Response><Speak>moved</Speak></Response>');
    await h.sim('15557770021', 'ring 1s, answer');
    await h.sim('15557770022', 'ring 1s, answer');
    await h.call({ to: '15557770021', answer_url: h.app.url('/t2-answer'), hangup_url: h.app.url('/t2-hangup') });
    transferAt(start + 5, () => h.app.requests('/t2-answer')[0]!.params.CallUUID!, h.app.url('/t2-new'));
    const [hangup] = await h.waitFor('/t2-hangup');
    await h.settle();
    const aUuid = hangup!.params.CallUUID!;
    const { events, config } = await stored(h, aUuid);
    replaysTransfer(aUuid, config, events, h.app.url('/t2-new'));
  });

  /**
   * `<Hangup schedule>` stores nothing of its own: its timer's one consequence is the end it causes, which
   * leg.ended stores as the document's `xml-hangup`; the replay reads it as the document ending with
   * `<Hangup>`, and reaches the live machine's final state (call-replay.ts's header).
   */
  const schedules = [
    ['fires while the document waits', '<Hangup schedule="3"/><Wait length="10"/>', undefined, 'xml-hangup'],
    ['fires while a Dial is bridged', '<Hangup schedule="4"/><Dial><Number>15557770042</Number></Dial>', 'ring 1s, answer', 'xml-hangup'],
    ['never fires: the document ends first', '<Hangup schedule="30"/><Wait length="2"/>', undefined, 'end-of-xml'],
  ] as const;
  for (const [i, [name, xml, b, reason]] of schedules.entries()) {
    test(`<Hangup schedule> ${name}: the replay reaches the live machine's final state`, async () => {
      const start = h.t();
      const path = (p: string) => `/s${i}-${p}`;
      h.app.on(path('answer'), `<Response>${xml}</Response>`);
      await h.sim('15557770041', 'ring 1s, answer');
      if (b) await h.sim('15557770042', b);
      await h.call({ to: '15557770041', answer_url: h.app.url(path('answer')), hangup_url: h.app.url(path('hangup')) });
      // The live session, held to read its machine's state once the call closed.
      let session: CallSession | undefined;
      h.runAt(start + 1.5, async () => {
        session = h.engine.calls.session(h.app.requests(path('answer'))[0]!.params.CallUUID!);
      });
      const [hangup] = await h.waitFor(path('hangup'));
      await h.settle();
      const aUuid = hangup!.params.CallUUID!;
      assert.ok(session, 'the live session was seen');
      const { events, config } = await stored(h, aUuid);
      const call = replayCall(aUuid, config, events);
      assert.equal(call.leg.end?.reason, reason);
      assert.deepEqual(view(call), view(session.machineState));
    });
  }
});

/** What the events cannot say and nothing depends on once the call closed: who ended a leg (`local`), a 183 after a 180. */
function view(s: CallState): unknown {
  const leg = (l: CallState['leg']) => ({ ...l, phase: l.phase === 'early' ? 'ringing' : l.phase, end: l.end && { ...l.end, local: undefined } });
  return { ...s, leg: leg(s.leg), dial: s.dial && { ...s.dial, state: { ...s.dial.state, legs: s.dial.state.legs.map((l) => ({ ...l, leg: leg(l.leg) })) } } };
}
