/**
 * sipp as the caller of an inbound call (each shared `uac-*.xml`): the INVITE to the engine's SIP
 * port becomes an inbound leg, the inbound router picks the app (here `--inbound-answer-url`), and
 * the XML decides: answer with our own SDP, refuse with the mapped status, or Dial out and pass
 * the SDP through (the caller's 200 carries the callee's media, no re-INVITE needed).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pick } from './support/harness.ts';
import { inboundCall, paths, traceText, B1, DID } from './support/sip-calls.ts';

const HANGUP = ['Event', 'Direction', 'From', 'To', 'CallStatus', 'HangupCause', 'HangupCauseCode', 'HangupSource'];

describe('sipp as the caller (uac-*.xml)', { concurrency: true }, () => {
  test('uac-invite-bye.xml: answered with our SDP, the caller hangs up', () =>
    inboundCall({ caller: { scenario: 'uac-invite-bye.xml', pauseMs: 2000 }, xml: '<Response><Speak>hello</Speak><Wait length="30"/></Response>' }, (rig, uac) => {
      assert.deepEqual(paths(rig), ['/inbound', '/hangup']);
      assert.deepEqual(pick(rig.app.requests('/inbound')[0]!, ['Event', 'Direction', 'From', 'To', 'CallStatus']), { Event: 'StartApp', Direction: 'inbound', From: 'sipp', To: DID, CallStatus: 'ringing' });
      const hangup = rig.app.requests('/hangup')[0]!;
      assert.deepEqual(pick(hangup, HANGUP), { Event: 'Hangup', Direction: 'inbound', From: 'sipp', To: DID, CallStatus: 'completed', HangupCause: 'NORMAL_CLEARING', HangupCauseCode: '4000', HangupSource: 'Caller' });
      assert.equal(hangup.params.Duration, '2');
      // Our answer: PCMU chosen from the offer, telephone-event kept, a port of ours.
      const ok = traceText(uac).split(/\n(?=SIP\/2\.0 200 OK)/)[1] ?? '';
      assert.match(ok, /o=switchboard /);
      assert.match(ok, /m=audio \d+ RTP\/AVP 0 101/);
    }));

  test('uac-invite-wait-bye.xml: the XML ends, the engine sends BYE with a Q.850 Reason', () =>
    inboundCall({ caller: { scenario: 'uac-invite-wait-bye.xml' }, xml: '<Response><Speak>hello</Speak></Response>' }, (rig, uac) => {
      assert.deepEqual(paths(rig), ['/inbound', '/hangup']);
      assert.deepEqual(pick(rig.app.requests('/hangup')[0]!, HANGUP), { Event: 'Hangup', Direction: 'inbound', From: 'sipp', To: DID, CallStatus: 'completed', HangupCause: 'NORMAL_CLEARING', HangupCauseCode: '4010', HangupSource: 'Plivo' });
      assert.match(traceText(uac), /BYE sip:sipp@127\.0\.0\.1:\d+ SIP\/2\.0[\s\S]*Reason: Q\.850;cause=16;text="NORMAL_CLEARING"/);
    }));

  test('uac-invite-rejected.xml: <Hangup reason="busy"/> -> 486 with Reason', () =>
    inboundCall({ caller: { scenario: 'uac-invite-rejected.xml' }, xml: '<Response><Hangup reason="busy"/></Response>' }, (rig, uac) => {
      assert.deepEqual(paths(rig), ['/inbound', '/hangup']);
      assert.deepEqual(pick(rig.app.requests('/hangup')[0]!, ['CallStatus', 'HangupCause', 'HangupSource']), { CallStatus: 'busy', HangupCause: 'USER_BUSY', HangupSource: 'Answer XML' });
      assert.match(traceText(uac), /SIP\/2\.0 486 Busy Here[\s\S]*Reason: Q\.850;cause=17;text="USER_BUSY"/);
    }));

  test('uac-invite-cancel.xml: the caller CANCELs while the Dial rings; the callee is CANCELled too', () =>
    inboundCall(
      {
        caller: { scenario: 'uac-invite-cancel.xml', pauseMs: 1500 },
        callees: [{ scenario: 'uas-ring-noanswer.xml' }],
        xml: (rig) => `<Response><Dial action="${rig.app.url('/action')}"><Number>${B1}</Number></Dial></Response>`,
      },
      (rig) => {
        assert.deepEqual(paths(rig), ['/inbound', '/action', '/hangup']);
        assert.deepEqual(pick(rig.app.requests('/action')[0]!, ['DialStatus', 'DialHangupCause']), { DialStatus: 'cancel', DialHangupCause: 'ORIGINATOR_CANCEL' });
        assert.deepEqual(pick(rig.app.requests('/hangup')[0]!, ['CallStatus', 'HangupCause', 'HangupCauseCode', 'HangupSource']), { CallStatus: 'cancel', HangupCause: 'ORIGINATOR_CANCEL', HangupCauseCode: '1000', HangupSource: 'Caller' });
      },
    ));

  test('uac-invite-bye.xml dialling uas-answer.xml: SDP passes through, no re-INVITE', () =>
    inboundCall(
      {
        caller: { scenario: 'uac-invite-bye.xml', pauseMs: 2000 },
        callees: [{ scenario: 'uas-answer.xml' }],
        xml: (rig) => `<Response><Dial action="${rig.app.url('/action')}" callbackUrl="${rig.app.url('/cb')}"><Number>${B1}</Number></Dial></Response>`,
      },
      (rig, uac, [callee]) => {
        assert.deepEqual(paths(rig), ['/inbound', '/cb:answer', '/cb:connected', '/cb:hangup', '/action', '/hangup']);
        assert.deepEqual(pick(rig.app.requests('/action')[0]!, ['DialStatus', 'DialHangupCause']), { DialStatus: 'completed', DialHangupCause: 'NORMAL_CLEARING' });
        const calleeTrace = traceText(callee!);
        const bPort = /SIP\/2\.0 200 OK[\s\S]*?m=audio (\d+)/.exec(calleeTrace)?.[1];
        const aPort = /INVITE sip:[\s\S]*?m=audio (\d+)/.exec(traceText(uac))?.[1];
        assert.match(calleeTrace, new RegExp(`INVITE sip:${B1}@[\\s\\S]*?m=audio ${aPort} `), 'the callee is offered the caller\'s media');
        const ok = traceText(uac).split(/\n(?=SIP\/2\.0 200 OK)/)[1] ?? '';
        assert.match(ok, new RegExp(`m=audio ${bPort} `), 'the caller\'s 200 carries the callee\'s media');
        assert.equal(traceText(uac).match(/\nINVITE sip:/g)?.length ?? 0, 1, 'no re-INVITE towards the caller');
      },
    ));

  test('DTMF as SIP INFO from the caller: the keys reach GetDigits', () =>
    inboundCall(
      {
        caller: { scenario: 'uac-invite-info-bye.xml', pauseMs: 1000 },
        xml: (rig) => {
          rig.app.on('/digits', '<Response><Wait length="30"/></Response>');
          return `<Response><GetDigits action="${rig.app.url('/digits')}" numDigits="5" finishOnKey="#" timeout="10"><Speak>Enter your code</Speak></GetDigits></Response>`;
        },
      },
      (rig) => {
        assert.deepEqual(paths(rig), ['/inbound', '/digits', '/hangup']);
        assert.deepEqual(pick(rig.app.requests('/digits')[0]!, ['Digits', 'CallStatus', 'Direction']), { Digits: '42', CallStatus: 'in-progress', Direction: 'inbound' });
        assert.deepEqual(pick(rig.app.requests('/hangup')[0]!, ['CallStatus', 'HangupCause', 'HangupSource']), { CallStatus: 'completed', HangupCause: 'NORMAL_CLEARING', HangupSource: 'Caller' });
      },
    ));

  test('DTMF as SIP INFO to the callee: a Dial\'s sendDigits once it answers', () =>
    inboundCall(
      {
        caller: { scenario: 'uac-invite-bye.xml', pauseMs: 2000 },
        callees: [{ scenario: 'uas-answer-recv-info.xml' }],
        xml: (rig) => `<Response><Dial action="${rig.app.url('/action')}"><Number sendDigits="12">${B1}</Number></Dial></Response>`,
      },
      (rig, _uac, [callee]) => {
        assert.deepEqual(paths(rig), ['/inbound', '/action', '/hangup']);
        const infos = traceText(callee!).split(/\n(?=INFO sip:)/).slice(1);
        assert.deepEqual(infos.map((m) => [/Content-Type: (\S+)/i.exec(m)?.[1], /Signal=(\S)/.exec(m)?.[1]]), [['application/dtmf-relay', '1'], ['application/dtmf-relay', '2']]);
      },
    ));
});
