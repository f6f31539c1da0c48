/**
 * Answering machine detection on the simulated network (plivo.md §1.3 machine_detection*, §2.6): a
 * script says who picks up (`answer machine` / `answer human`); the document runs from the answer,
 * machine_detection_url gets Plivo's parameters when the verdict is in, and `hangup` ends the call
 * when a machine answered.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pick, startHarness, type Harness } from './support/harness.ts';

const AMD_KEYS = ['Event', 'Machine', 'IfMachine', 'CallStatus', 'Direction', 'From', 'To', 'CallUUID', 'RequestUUID', 'ALegUUID', 'ALegRequestUUID'];

describe('machine detection', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
    await h.sim('15556660001', 'ring 1s, answer machine, hangup after 60s');
    await h.sim('15556660002', 'ring 2s, answer human, hangup after 20s');
    h.app.on('/answer', () => '<Response><Wait length="30"/></Response>');
  });
  after(() => h.close());

  test('a machine with machine_detection=hangup: reported when its greeting outlasts the speech length, then hung up', async () => {
    const res = await h.call({
      to: '15556660001',
      machine_detection: 'hangup',
      machine_detection_url: h.app.url('/amd'),
      machine_detection_maximum_speech_length: 3000,
      hangup_url: h.app.url('/hangup-m'),
    });
    assert.equal(res.status, 201);
    const [amd] = await h.waitFor('/amd');
    const [hangup] = await h.waitFor('/hangup-m');
    const [answer] = h.app.requests('/answer');
    // Answered at 1 s; the document started at once; the verdict at 1 + 3 s; the hangup with it.
    assert.equal(h.at(answer!), 1);
    assert.equal(h.at(amd!), 4);
    assert.deepEqual(pick(amd!, AMD_KEYS), {
      Event: 'MachineDetection',
      Machine: 'true',
      IfMachine: 'hangup',
      CallStatus: 'in-progress',
      Direction: 'outbound',
      From: '15550000000',
      To: '15556660001',
      CallUUID: answer!.params.CallUUID,
      RequestUUID: res.body.request_uuid,
      ALegUUID: answer!.params.CallUUID,
      ALegRequestUUID: res.body.request_uuid,
    });
    assert.equal(h.at(hangup!), 4);
    assert.deepEqual(pick(hangup!, ['CallStatus', 'HangupCause', 'HangupCauseCode', 'HangupSource', 'Duration']), {
      CallStatus: 'completed', HangupCause: 'NORMAL_CLEARING', HangupCauseCode: '4000', HangupSource: 'Plivo', Duration: '3',
    });
    await h.settle();
  });

  test('a person with machine_detection=true: Machine=false at machine_detection_time, the call goes on', async () => {
    await h.call({ to: '15556660002', machine_detection: true, machine_detection_time: 4000, machine_detection_url: h.app.url('/amd-h'), hangup_url: h.app.url('/hangup-h') });
    const [amd] = await h.waitFor('/amd-h');
    const [hangup] = await h.waitFor('/hangup-h');
    const start = h.at(amd!) - 4;
    assert.deepEqual(pick(amd!, ['Machine', 'IfMachine', 'Event']), { Machine: 'false', IfMachine: 'continue', Event: 'MachineDetection' });
    // The person hangs up 20 s after answering, as scripted: detection changed nothing.
    assert.equal(h.at(hangup!) - start, 20);
    assert.deepEqual(pick(hangup!, ['HangupCause', 'HangupSource']), { HangupCause: 'NORMAL_CLEARING', HangupSource: 'Caller' });
    await h.settle();
  });

  test('a machine with machine_detection=true is reported and the call goes on; a plain `answer` counts as a person', async () => {
    await h.sim('15556660003', 'ring 1s, answer, hangup after 10s');
    await h.call({ to: '15556660001', machine_detection: 'true', machine_detection_url: h.app.url('/amd-c'), hangup_url: h.app.url('/hangup-c') });
    await h.call({ to: '15556660003', machine_detection: 'true', machine_detection_url: h.app.url('/amd-c') });
    const got = await h.waitFor('/amd-c', 2);
    assert.deepEqual(got.map((r) => [r.params.To, r.params.Machine, r.params.IfMachine]).sort(), [['15556660001', 'true', 'continue'], ['15556660003', 'false', 'continue']]);
    // The machine stayed on the line: the call ended when the document (a 30 s Wait) ran out.
    const [hangup] = await h.waitFor('/hangup-c');
    assert.deepEqual(pick(hangup!, ['HangupCauseCode', 'HangupSource']), { HangupCauseCode: '4010', HangupSource: 'Plivo' });
    await h.settle();
  });
});
