/**
 * sipp as the callee of an outbound call (spec/sip.md §2.1, each shared `uas-*.xml`): the Call API
 * INVITEs the trunk, and the webhooks carry the status and cause spec/sip.md §4 maps the response
 * to. Real UDP on loopback, real time: sequences and causes exact, durations within a second.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSipRig, AUTH_TOKEN, type SipRig } from './support/sip-rig.ts';
import { startSipp, expectSippOk, type SippOptions } from './support/sipp.ts';
import type { CapturedRequest } from './support/app-server.ts';

const pick = (r: CapturedRequest, keys: string[]) => Object.fromEntries(keys.map((k) => [k, r.params[k]]));
const HANGUP = ['Event', 'CallStatus', 'HangupCause', 'HangupCauseCode', 'HangupSource', 'Direction'];

/** One outbound call to a sipp UAS; returns the rig once the call is over and sipp exited cleanly. */
async function callSipp(sipp: SippOptions, callParams: Record<string, unknown>, answerXml: string, check: (rig: SipRig) => Promise<void> | void): Promise<void> {
  const uas = await startSipp(sipp);
  const rig = await startSipRig({ trunks: `sip:127.0.0.1:${uas.port}` });
  try {
    rig.app.on('/answer', answerXml);
    const res = await rig.api('POST', 'Call/', {
      from: '+15550000000',
      to: '+15551110001',
      answer_url: rig.app.url('/answer'),
      ring_url: rig.app.url('/ring'),
      hangup_url: rig.app.url('/hangup'),
      ...callParams,
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    await rig.waitFor('/hangup');
    await rig.settle();
    await expectSippOk(uas, sipp.scenario);
    await check(rig);
    rig.app.assertAllSigned({ authToken: AUTH_TOKEN, mainAuthToken: AUTH_TOKEN });
  } finally {
    uas.kill();
    await rig.close();
  }
}

const paths = (rig: SipRig) => rig.app.requests().map((r) => r.path);

describe('sipp as the callee (uas-*.xml)', { concurrency: true }, () => {
  test('uas-busy.xml: 486 -> busy, USER_BUSY', () =>
    callSipp({ scenario: 'uas-busy.xml' }, {}, '<Response/>', (rig) => {
      assert.deepEqual(paths(rig), ['/hangup']);
      assert.deepEqual(pick(rig.app.requests('/hangup')[0]!, [...HANGUP, 'Duration', 'BillDuration', 'AnswerTime']), {
        Event: 'Hangup', CallStatus: 'busy', HangupCause: 'USER_BUSY', HangupCauseCode: '3000', HangupSource: 'Callee', Direction: 'outbound', Duration: '0', BillDuration: '0', AnswerTime: '',
      });
    }));

  test('uas-decline.xml: 603 -> CALL_REJECTED', () =>
    callSipp({ scenario: 'uas-decline.xml' }, {}, '<Response/>', (rig) => {
      assert.deepEqual(paths(rig), ['/hangup']);
      assert.deepEqual(pick(rig.app.requests('/hangup')[0]!, HANGUP), {
        Event: 'Hangup', CallStatus: 'busy', HangupCause: 'CALL_REJECTED', HangupCauseCode: '3010', HangupSource: 'Callee', Direction: 'outbound',
      });
    }));

  test('uas-not-found (404) -> failed, UNALLOCATED_NUMBER', () =>
    callSipp({ scenario: 'uas-not-found.xml' }, {}, '<Response/>', (rig) => {
      assert.deepEqual(pick(rig.app.requests('/hangup')[0]!, HANGUP), {
        Event: 'Hangup', CallStatus: 'failed', HangupCause: 'UNALLOCATED_NUMBER', HangupCauseCode: '2000', HangupSource: 'Carrier', Direction: 'outbound',
      });
    }));

  test('uas-ring-noanswer.xml with ring_timeout=2: CANCEL -> no-answer, NO_ANSWER', () =>
    callSipp({ scenario: 'uas-ring-noanswer.xml' }, { ring_timeout: 2 }, '<Response/>', (rig) => {
      assert.deepEqual(paths(rig), ['/ring', '/hangup']);
      const [ring] = rig.app.requests('/ring');
      const [hangup] = rig.app.requests('/hangup');
      assert.deepEqual(pick(ring!, ['Event', 'CallStatus']), { Event: 'Ring', CallStatus: 'ringing' });
      assert.deepEqual(pick(hangup!, HANGUP), { Event: 'Hangup', CallStatus: 'no-answer', HangupCause: 'NO_ANSWER', HangupCauseCode: '3020', HangupSource: 'Plivo', Direction: 'outbound' });
      const rang = rig.at(hangup!) - rig.at(ring!);
      assert.ok(rang > 1.7 && rang < 2.8, `rang ${rang} s`);
    }));

  test('uas-answer.xml: answered, the XML ends, we BYE -> completed, 4010', () =>
    callSipp({ scenario: 'uas-answer.xml', pauseMs: 500 }, {}, '<Response><Wait length="2"/></Response>', (rig) => {
      assert.deepEqual(paths(rig), ['/ring', '/answer', '/hangup']);
      const hangup = rig.app.requests('/hangup')[0]!;
      assert.deepEqual(pick(hangup, HANGUP), { Event: 'Hangup', CallStatus: 'completed', HangupCause: 'NORMAL_CLEARING', HangupCauseCode: '4010', HangupSource: 'Plivo', Direction: 'outbound' });
      assert.equal(hangup.params.Duration, '2');
      assert.equal(pick(rig.app.requests('/answer')[0]!, ['Event', 'CallStatus']).CallStatus, 'in-progress');
    }));

  test("uas-answer-then-bye.xml: the called party hangs up -> completed, NORMAL_CLEARING, source Caller (the A leg's party)", () =>
    callSipp({ scenario: 'uas-answer-then-bye.xml', pauseMs: 2000 }, {}, '<Response><Wait length="30"/></Response>', (rig) => {
      assert.deepEqual(paths(rig), ['/ring', '/answer', '/hangup']);
      const hangup = rig.app.requests('/hangup')[0]!;
      assert.deepEqual(pick(hangup, HANGUP), { Event: 'Hangup', CallStatus: 'completed', HangupCause: 'NORMAL_CLEARING', HangupCauseCode: '4000', HangupSource: 'Caller', Direction: 'outbound' });
      assert.equal(hangup.params.Duration, '2');
    }));
});
