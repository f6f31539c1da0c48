/**
 * Early media through the B2BUA (spec/sip.md §1.6): a callee's 183 with SDP reaches an inbound
 * caller still ringing as a 183 carrying that callee's media, the 2xx repeats the same answer, and
 * when another callee wins the race the caller is re-INVITEd to the winner's media. A Dial that
 * plays its own dialMusic keeps the callee's early media from the caller.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pick } from './support/harness.ts';
import { body, findMessages, inboundCall, paths, traceMessages, B1, B2, type TracedMessage } from './support/sip-calls.ts';

const mediaPort = (msg: TracedMessage | undefined) => /m=audio (\d+) /.exec(msg?.text ?? '')?.[1];

describe('early media', { concurrency: true }, () => {
  test('a callee\'s 183 reaches the ringing caller with the callee\'s media; the 200 repeats it, no re-INVITE', () =>
    inboundCall(
      {
        caller: { scenario: 'uac-invite-bye.xml', pauseMs: 1500 },
        callees: [{ scenario: 'uas-early-answer.xml', pauseMs: 1500 }],
        xml: (rig) => `<Response><Dial action="${rig.app.url('/action')}"><Number>${B1}</Number></Dial></Response>`,
      },
      (rig, uac, [callee]) => {
        assert.deepEqual(paths(rig), ['/inbound', '/action', '/hangup']);
        assert.deepEqual(pick(rig.app.requests('/action')[0]!, ['DialStatus', 'DialRingStatus', 'DialHangupCause']), {
          DialStatus: 'completed', DialRingStatus: 'true', DialHangupCause: 'NORMAL_CLEARING',
        });
        assert.deepEqual(pick(rig.app.requests('/hangup')[0]!, ['CallStatus', 'HangupCause', 'HangupSource']), {
          CallStatus: 'completed', HangupCause: 'NORMAL_CLEARING', HangupSource: 'Caller',
        });
        const bPort = mediaPort(findMessages(callee!, 'SIP/2.0 183')[0]);
        assert.ok(bPort, 'the callee sent its early media');
        const got = traceMessages(uac);
        const early = findMessages(got, 'SIP/2.0 183')[0];
        const ok = findMessages(got, 'SIP/2.0 200', { cseq: '1 INVITE' })[0];
        assert.equal(mediaPort(early), bPort, 'the caller\'s 183 carries the callee\'s media');
        assert.match(early!.text, /o=switchboard /);
        // One answer per offer: the 2xx repeats the 183's description, origin version and all.
        assert.equal(body(ok!), body(early!));
        assert.equal(findMessages(got, 'INVITE sip:').length, 1, 'no re-INVITE towards the caller');
      },
    ));

  test('the early callee loses the race: the caller is re-INVITEd to the winner\'s media', () =>
    inboundCall(
      {
        caller: { scenario: 'uac-invite-early-reinvited.xml', pauseMs: 1000 },
        callees: [{ scenario: 'uas-early-noanswer.xml' }, { scenario: 'uas-ring-answer.xml', pauseMs: 2000 }],
        xml: (rig) => `<Response><Dial action="${rig.app.url('/action')}"><Number>${B1}</Number><Number>${B2}</Number></Dial></Response>`,
      },
      (rig, uac, [loser, winner]) => {
        assert.deepEqual(paths(rig), ['/inbound', '/action', '/hangup']);
        assert.deepEqual(pick(rig.app.requests('/action')[0]!, ['DialStatus', 'DialHangupCause']), { DialStatus: 'completed', DialHangupCause: 'NORMAL_CLEARING' });
        const loserPort = mediaPort(findMessages(loser!, 'SIP/2.0 183')[0]);
        const winnerPort = mediaPort(findMessages(winner!, 'SIP/2.0 200', { cseq: '1 INVITE' })[0]);
        assert.ok(loserPort && winnerPort && loserPort !== winnerPort);
        const got = traceMessages(uac);
        assert.equal(mediaPort(findMessages(got, 'SIP/2.0 183')[0]), loserPort);
        assert.equal(mediaPort(findMessages(got, 'SIP/2.0 200', { cseq: '1 INVITE' })[0]), loserPort, 'the 2xx repeats the early answer');
        // The caller's own INVITE first, then ours.
        const [, reinvite, more] = findMessages(got, 'INVITE sip:');
        assert.equal(more, undefined, 'one re-INVITE');
        assert.equal(mediaPort(reinvite), winnerPort, 'the re-INVITE moves the caller to the winner');
        // The loser was CANCELled as having lost the race.
        assert.match(findMessages(loser!, 'CANCEL')[0]?.text ?? '', /Reason: SIP;cause=200;text="Call completed elsewhere"/);
      },
    ));

  test('dialMusic of the Dial\'s own: the callee\'s early media is not passed on', () =>
    inboundCall(
      {
        caller: { scenario: 'uac-invite-bye.xml', pauseMs: 1000 },
        callees: [{ scenario: 'uas-early-answer.xml', pauseMs: 1500 }],
        xml: (rig) => {
          rig.app.on('/music', '<Response><Play>https://example.invalid/hold.mp3</Play></Response>');
          return `<Response><Dial dialMusic="${rig.app.url('/music')}"><Number>${B1}</Number></Dial></Response>`;
        },
      },
      (rig, uac) => {
        assert.deepEqual(paths(rig), ['/inbound', '/music', '/hangup']);
        assert.equal(findMessages(uac, 'SIP/2.0 183').length, 0);
      },
    ));
});
