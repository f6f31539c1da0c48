/**
 * sipp as the callee of an outbound call (spec/sip.md §2.1, each shared `uas-*.xml`): the Call API
 * INVITEs the trunk, and the webhooks carry the status and cause spec/sip.md §4 maps the response
 * to. Real UDP on loopback, real time: sequences and causes exact, durations within a second.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pick } from './support/harness.ts';
import { outboundCall, paths, HANGUP_KEYS } from './support/sip-calls.ts';

describe('sipp as the callee (uas-*.xml)', { concurrency: true }, () => {
  test('uas-busy.xml: 486 -> busy, USER_BUSY', () =>
    outboundCall({ sipp: { scenario: 'uas-busy.xml' }, answerXml: '<Response/>' }, (rig) => {
      assert.deepEqual(paths(rig), ['/hangup']);
      assert.deepEqual(pick(rig.app.requests('/hangup')[0]!, [...HANGUP_KEYS, 'Duration', 'BillDuration', 'AnswerTime']), {
        Event: 'Hangup', CallStatus: 'busy', HangupCause: 'USER_BUSY', HangupCauseCode: '3000', HangupSource: 'Callee', Direction: 'outbound', Duration: '0', BillDuration: '0', AnswerTime: '',
      });
    }));

  test('uas-decline.xml: 603 -> CALL_REJECTED', () =>
    outboundCall({ sipp: { scenario: 'uas-decline.xml' }, answerXml: '<Response/>' }, (rig) => {
      assert.deepEqual(paths(rig), ['/hangup']);
      assert.deepEqual(pick(rig.app.requests('/hangup')[0]!, HANGUP_KEYS), {
        Event: 'Hangup', CallStatus: 'busy', HangupCause: 'CALL_REJECTED', HangupCauseCode: '3010', HangupSource: 'Callee', Direction: 'outbound',
      });
    }));

  test('uas-not-found (404) -> failed, UNALLOCATED_NUMBER', () =>
    outboundCall({ sipp: { scenario: 'uas-not-found.xml' }, answerXml: '<Response/>' }, (rig) => {
      assert.deepEqual(pick(rig.app.requests('/hangup')[0]!, HANGUP_KEYS), {
        Event: 'Hangup', CallStatus: 'failed', HangupCause: 'UNALLOCATED_NUMBER', HangupCauseCode: '2000', HangupSource: 'Carrier', Direction: 'outbound',
      });
    }));

  test('uas-ring-noanswer.xml with ring_timeout=2: CANCEL -> no-answer, NO_ANSWER', () =>
    outboundCall({ sipp: { scenario: 'uas-ring-noanswer.xml' }, callParams: { ring_timeout: 2 }, answerXml: '<Response/>' }, (rig) => {
      assert.deepEqual(paths(rig), ['/ring', '/hangup']);
      const [ring] = rig.app.requests('/ring');
      const [hangup] = rig.app.requests('/hangup');
      assert.deepEqual(pick(ring!, ['Event', 'CallStatus']), { Event: 'Ring', CallStatus: 'ringing' });
      assert.deepEqual(pick(hangup!, HANGUP_KEYS), { Event: 'Hangup', CallStatus: 'no-answer', HangupCause: 'NO_ANSWER', HangupCauseCode: '3020', HangupSource: 'Plivo', Direction: 'outbound' });
      const rang = rig.at(hangup!) - rig.at(ring!);
      assert.ok(rang > 1.7 && rang < 2.8, `rang ${rang} s`);
    }));

  test('uas-answer.xml: answered, the XML ends, we BYE -> completed, 4010', () =>
    outboundCall({ sipp: { scenario: 'uas-answer.xml', pauseMs: 500 }, answerXml: '<Response><Wait length="2"/></Response>' }, (rig) => {
      assert.deepEqual(paths(rig), ['/ring', '/answer', '/hangup']);
      const hangup = rig.app.requests('/hangup')[0]!;
      assert.deepEqual(pick(hangup, HANGUP_KEYS), { Event: 'Hangup', CallStatus: 'completed', HangupCause: 'NORMAL_CLEARING', HangupCauseCode: '4010', HangupSource: 'Plivo', Direction: 'outbound' });
      assert.equal(hangup.params.Duration, '2');
      assert.equal(pick(rig.app.requests('/answer')[0]!, ['Event', 'CallStatus']).CallStatus, 'in-progress');
    }));

  test("uas-answer-then-bye.xml: the called party hangs up -> completed, NORMAL_CLEARING, source Caller (the A leg's party)", () =>
    outboundCall({ sipp: { scenario: 'uas-answer-then-bye.xml', pauseMs: 2000 }, answerXml: '<Response><Wait length="30"/></Response>' }, (rig) => {
      assert.deepEqual(paths(rig), ['/ring', '/answer', '/hangup']);
      const hangup = rig.app.requests('/hangup')[0]!;
      assert.deepEqual(pick(hangup, HANGUP_KEYS), { Event: 'Hangup', CallStatus: 'completed', HangupCause: 'NORMAL_CLEARING', HangupCauseCode: '4000', HangupSource: 'Caller', Direction: 'outbound' });
      assert.equal(hangup.params.Duration, '2');
    }));
});
