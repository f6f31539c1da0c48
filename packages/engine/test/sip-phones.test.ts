/**
 * Issue 20 item 3, what phones and carriers send, against sipp: DTMF as SIP INFO relayed between
 * bridged parties (and still heard by the engine), and the RFC 3264 answer to a hold offered while
 * the party is not bridged (the engine answers it itself: sendonly gets recvonly).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { answerDirections } from '../src/network/sip/sdp.ts';
import { inboundCall, paths, traceText, findMessages, body, startLine, B1, OUTBOUND_TO } from './support/sip-calls.ts';
import { startSipRig } from './support/sip-rig.ts';
import { startSipp, expectSippOk, type SippOptions } from './support/sipp.ts';
import { pick } from './support/harness.ts';
import { MAX_REDIRECTS } from '../src/network/sip/outbound-leg.ts';

/** One API call to OUTBOUND_TO through a trunk to the first sipp; the others stand by. Returns the hangup webhook. */
async function callThrough(sipps: SippOptions[], trunkTo: number, check: (hangup: Parameters<typeof pick>[0], runs: Awaited<ReturnType<typeof startSipp>>[]) => void): Promise<void> {
  const runs: Awaited<ReturnType<typeof startSipp>>[] = [];
  for (const o of sipps) runs.push(await startSipp(o));
  const rig = await startSipRig({ trunks: `sip:127.0.0.1:${runs[trunkTo]!.port}` });
  try {
    rig.app.on('/answer', '<Response><Wait length="1"/></Response>');
    const res = await rig.api('POST', 'Call/', { from: '+15550000000', to: OUTBOUND_TO, answer_url: rig.app.url('/answer'), hangup_url: rig.app.url('/hangup') });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const [hangup] = await rig.waitFor('/hangup');
    await rig.settle();
    for (const r of runs) await expectSippOk(r);
    check(hangup!, runs);
  } finally {
    for (const r of runs) r.kill();
    await rig.close();
  }
}

describe('what phones send, over SIP', () => {
  test('a caller that presses keys as INFO while bridged: each key reaches the callee as INFO, in order', () =>
    inboundCall(
      {
        caller: { scenario: 'uac-invite-info-bye.xml', pauseMs: 1000 },
        callees: [{ scenario: 'uas-answer-recv-info-relay.xml' }],
        xml: (rig) => `<Response><Dial action="${rig.app.url('/action')}"><Number>${B1}</Number></Dial></Response>`,
      },
      (rig, _uac, [callee]) => {
        assert.deepEqual(paths(rig), ['/inbound', '/action', '/hangup']);
        const infos = traceText(callee!).split(/\n(?=INFO sip:)/).slice(1);
        assert.deepEqual(
          infos.map((m) => [/Content-Type: (\S+)/i.exec(m)?.[1], /Signal=(\S)/.exec(m)?.[1]]),
          [['application/dtmf-relay', '4'], ['application/dtmf-relay', '2'], ['application/dtmf-relay', '#']],
        );
        assert.equal(rig.app.requests('/action')[0]!.params.DialStatus, 'completed');
      },
    ));

  test('a trunk answers 302: the INVITE goes to the Contact (next CSeq, same Call-ID), which answers', async () => {
    const callee = await startSipp({ scenario: 'uas-answer.xml' });
    try {
      const target = `sip:15551110001@127.0.0.1:${callee.port}`;
      await callThrough([{ scenario: 'uas-redirect.xml', keys: { target } }], 0, (hangup, [redirector]) => {
        assert.deepEqual(pick(hangup, ['CallStatus', 'HangupCause']), { CallStatus: 'completed', HangupCause: 'NORMAL_CLEARING' });
        const [first] = findMessages(redirector!, 'INVITE', { sent: false });
        const [second] = findMessages(callee, 'INVITE', { sent: false });
        assert.equal(startLine(second!), `INVITE ${target} SIP/2.0`);
        assert.equal(/^Call-ID: (.*)$/m.exec(second!.text)?.[1], /^Call-ID: (.*)$/m.exec(first!.text)?.[1]);
        assert.equal(/^CSeq: (.*)$/m.exec(second!.text)?.[1], '2 INVITE');
      });
      await expectSippOk(callee, 'the redirect target');
    } finally {
      callee.kill();
    }
  });

  test(`redirects that never end: followed ${MAX_REDIRECTS} times, then EXCHANGE_ROUTING_ERROR`, () =>
    callThrough([{ scenario: 'uas-redirect-loop.xml' }], 0, (hangup, [uas]) => {
      assert.deepEqual(pick(hangup, ['CallStatus', 'HangupCause']), { CallStatus: 'failed', HangupCause: 'EXCHANGE_ROUTING_ERROR' });
      assert.deepEqual(findMessages(uas!, 'INVITE', { sent: false }).map(startLine).map((l) => l.split(' ')[1]!.split('@')[0]), ['sip:15551110001', 'sip:hop1', 'sip:hop2', 'sip:hop3']);
    }));

  test('a hold (a=sendonly) while nobody is bridged: the engine answers a=recvonly (RFC 3264 §6.1), then the call goes on', () =>
    inboundCall(
      {
        caller: { scenario: 'uac-invite-hold-bye.xml', pauseMs: 500 },
        xml: '<Response><Speak>Please hold while we find someone</Speak><Wait length="10"/></Response>',
      },
      (rig, uac) => {
        assert.deepEqual(paths(rig), ['/inbound', '/hangup']);
        const [ok] = findMessages(uac, 'SIP/2.0 200', { sent: false, cseq: '2 INVITE' });
        assert.ok(ok, 'the re-INVITE was answered');
        const sdp = body(ok);
        assert.match(sdp, /^a=recvonly$/m);
        assert.doesNotMatch(sdp, /^a=(sendrecv|sendonly|inactive)$/m);
        assert.equal(rig.app.requests('/hangup')[0]!.params.HangupCause, 'NORMAL_CLEARING');
      },
    ));
});

test('answer directions: sendonly -> recvonly, recvonly -> sendonly, inactive stays, session-level offers apply to every section', () => {
  const answer = 'v=0\r\no=s 1 1 IN IP4 h\r\ns=-\r\nc=IN IP4 h\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\nm=video 9 RTP/AVP 96\r\n';
  const offer = (a: string, b: string) => `v=0\r\ns=-\r\nt=0 0\r\nm=audio 5 RTP/AVP 0\r\n${a}m=video 6 RTP/AVP 96\r\n${b}`;
  const dirs = (sdp: string) => sdp.split('\r\n').filter((l) => /^a=(send|recv|inact)/.test(l));
  assert.deepEqual(dirs(answerDirections(answer, offer('a=sendonly\r\n', 'a=inactive\r\n'))), ['a=recvonly', 'a=inactive']);
  assert.deepEqual(dirs(answerDirections(answer, offer('a=recvonly\r\n', ''))), ['a=sendonly', 'a=sendrecv']);
  assert.deepEqual(dirs(answerDirections(answer, 'v=0\r\na=sendonly\r\nm=audio 5 RTP/AVP 0\r\nm=video 6 RTP/AVP 96\r\n')), ['a=recvonly', 'a=recvonly']);
  assert.match(answerDirections(answer, offer('a=sendonly\r\n', '')), /^m=audio 9 RTP\/AVP 0\r\na=rtpmap:0 PCMU\/8000\r\na=recvonly\r\nm=video/m);
});
