/**
 * A party's own re-INVITE (and UPDATE) relayed to the bridged peer (RFC 3261 §14, RFC 3264), end
 * to end between two real sipp processes: sipp calls the engine, the app Dials a second sipp
 * through the trunk, and one of them changes the session (hold) mid-call. The party must get the
 * peer's answer (late offers and UPDATE included), a refusal or a CANCEL must come back as the
 * peer's status, crossing offers get 491, a peer that never answers costs only its own leg, and
 * none of it may change the call's webhooks.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { SipRig } from './support/sip-rig.ts';
import type { SippOptions, SippRun } from './support/sipp.ts';
import { pick } from './support/harness.ts';
import { body, findMessages, header, inboundCall, startLine, traceMessages, DID, type TracedMessage } from './support/sip-calls.ts';

const B = '15551110001';

interface Call {
  rig: SipRig;
  uac: SippRun;
  uas: SippRun;
}

/** sipp (UAC) calls DID; the app Dials B, a sipp UAS behind the trunk; both sipps must succeed. */
function bridged(caller: Omit<SippOptions, 'remote' | 'service'>, callee: SippOptions, check: (c: Call) => void): Promise<void> {
  return inboundCall(
    {
      caller,
      callees: [callee],
      calleeNumbers: [B],
      xml: (rig) => `<Response><Dial action="${rig.app.url('/action')}" callbackUrl="${rig.app.url('/cb')}"><Number>${B}</Number></Dial></Response>`,
    },
    (rig, uac, [uas]) => check({ rig, uac, uas: uas! }),
  );
}

/** The first message of one direction (`in`: what the engine sent sipp) whose start line begins with `start` and whose CSeq is `cseq`. */
function one(r: SippRun, dir: 'in' | 'out', start: string, cseq: string): TracedMessage {
  const found = findMessages(r, start, { sent: dir === 'out', cseq });
  assert.ok(found.length >= 1, `no ${dir} ${start} (CSeq ${cseq}) in\n${r.log()}`);
  return found[0]!;
}

/** The INVITEs the engine sent sipp. */
const invitesTo = (r: SippRun) => findMessages(r, 'INVITE', { sent: false });

const mediaPort = (sdp: string) => /^m=audio (\d+) /m.exec(sdp)?.[1];
const origin = (sdp: string) => /^o=(\S+) (\d+) (\d+) /m.exec(sdp)?.slice(1, 4);

/** The media ports of the call's first offer and answer, as the caller and the callee sent them. */
function initialPorts({ uac, uas }: Pick<Call, 'uac' | 'uas'>): { callerPort: string; calleePort: string } {
  return { callerPort: mediaPort(body(one(uac, 'out', 'INVITE', '1 INVITE')))!, calleePort: mediaPort(body(one(uas, 'out', 'SIP/2.0 200', '1 INVITE')))! };
}

/** `/path:DialAction` of every webhook, and its time in seconds from the first. */
function timeline(rig: SipRig): Array<[string, number]> {
  const all = rig.app.requests();
  return all.map((r) => [`${r.path}${r.params.DialAction ? ':' + r.params.DialAction : ''}`, rig.at(r) - rig.at(all[0]!)]);
}

/** The webhooks of a bridged call that the caller hangs up `seconds` after the answer, re-INVITEs or not. */
function assertUnchangedCall(rig: SipRig, seconds: number): void {
  const t = timeline(rig);
  assert.deepEqual(t.map(([p]) => p), ['/inbound', '/cb:answer', '/cb:connected', '/cb:hangup', '/action', '/hangup']);
  // Real time on a shared machine: each webhook within a second of when it is due.
  const due = [0, 0, 0, seconds, seconds, seconds];
  t.forEach(([p, at], i) => assert.ok(Math.abs(at - due[i]!) < 1, `${p} at ${at.toFixed(2)} s, due at ${due[i]} s`));
  const [cbAnswer, cbConnected, cbHangup] = rig.app.requests('/cb');
  const aUuid = rig.app.requests('/inbound')[0]!.params.CallUUID!;
  assert.deepEqual(pick(cbAnswer!, ['Event', 'DialAction', 'DialBLegTo', 'DialBLegPosition', 'DialBLegStatus', 'DialALegUUID']), {
    Event: 'DialAnswer', DialAction: 'answer', DialBLegTo: B, DialBLegPosition: '1', DialBLegStatus: 'answer', DialALegUUID: aUuid,
  });
  assert.equal(cbConnected!.params.DialAction, 'connected');
  assert.deepEqual(pick(cbHangup!, ['DialAction', 'DialBLegStatus', 'DialBLegHangupCause', 'DialBLegHangupCauseCode', 'DialBLegHangupSource']), {
    DialAction: 'hangup', DialBLegStatus: 'hangup', DialBLegHangupCause: 'NORMAL_CLEARING', DialBLegHangupCauseCode: '4000', DialBLegHangupSource: 'Caller',
  });
  assert.deepEqual(pick(rig.app.requests('/action')[0]!, ['DialStatus', 'DialRingStatus', 'DialHangupCause', 'DialALegUUID']), {
    DialStatus: 'completed', DialRingStatus: 'true', DialHangupCause: 'NORMAL_CLEARING', DialALegUUID: aUuid,
  });
  assert.equal(rig.app.requests('/action')[0]!.params.DialBLegUUID, cbAnswer!.params.DialBLegUUID);
  assert.deepEqual(pick(rig.app.requests('/hangup')[0]!, ['Event', 'Direction', 'From', 'To', 'CallStatus', 'HangupCause', 'HangupCauseCode', 'HangupSource']), {
    Event: 'Hangup', Direction: 'inbound', From: 'sipp', To: DID, CallStatus: 'completed', HangupCause: 'NORMAL_CLEARING', HangupCauseCode: '4000', HangupSource: 'Caller',
  });
  const duration = Number(rig.app.requests('/hangup')[0]!.params.Duration);
  assert.ok(duration === seconds || duration === seconds + 1, `Duration ${duration}`);
}

describe('a party\'s re-INVITE relayed to its peer', { concurrency: true }, () => {
  test('baseline: the same call without a re-INVITE has these webhooks', () =>
    bridged({ scenario: 'uac-invite-bye.xml', pauseMs: 2000 }, { scenario: 'uas-answer.xml' }, ({ rig }) => assertUnchangedCall(rig, 2)));

  test('hold: the callee is offered the caller\'s a=sendonly, the caller gets the callee\'s a=recvonly answer', () =>
    bridged({ scenario: 'uac-invite-hold-bye.xml', pauseMs: 1000 }, { scenario: 'uas-answer-accept-reinvite.xml' }, ({ rig, uac, uas }) => {
      assertUnchangedCall(rig, 2);
      const { callerPort, calleePort } = initialPorts({ uac, uas });
      // The callee's re-INVITE: the caller's media, on hold, in the session we opened with the callee.
      const first = body(one(uas, 'in', 'INVITE', '1 INVITE'));
      const reinvite = body(one(uas, 'in', 'INVITE', '2 INVITE'));
      assert.match(reinvite, /^a=sendonly$/m);
      assert.match(reinvite, /^c=IN IP4 127\.0\.0\.1$/m);
      assert.equal(mediaPort(reinvite), callerPort);
      assert.deepEqual(origin(reinvite), ['switchboard', origin(first)![1], String(Number(origin(first)![2]) + 1)]);
      // The caller's answer is the callee's: recvonly, the callee's port, our next session version.
      const firstOk = body(one(uac, 'in', 'SIP/2.0 200', '1 INVITE'));
      const ok = body(one(uac, 'in', 'SIP/2.0 200', '2 INVITE'));
      assert.match(ok, /^a=recvonly$/m);
      assert.equal(mediaPort(ok), calleePort);
      assert.deepEqual(origin(ok), ['switchboard', origin(firstOk)![1], String(Number(origin(firstOk)![2]) + 1)]);
      // One re-INVITE, one way: nobody else was re-INVITEd to mend the media.
      assert.equal(invitesTo(uac).length, 0);
      assert.equal(invitesTo(uas).length, 2);
    }));

  test('refused: the callee answers the re-INVITE 488, the caller gets 488 and the call goes on', () =>
    bridged({ scenario: 'uac-invite-hold-refused-bye.xml', pauseMs: 1000 }, { scenario: 'uas-answer-refuse-reinvite.xml' }, ({ rig, uac, uas }) => {
      assertUnchangedCall(rig, 2);
      assert.match(body(one(uas, 'in', 'INVITE', '2 INVITE')), /^a=sendonly$/m);
      assert.equal(startLine(one(uac, 'in', 'SIP/2.0 488', '2 INVITE')), 'SIP/2.0 488 Not Acceptable Here');
      assert.equal(findMessages(uac, 'SIP/2.0 200', { sent: false, cseq: '2 INVITE' }).length, 0);
      // Both keep the session they had: no one is re-INVITEd afterwards.
      assert.equal(invitesTo(uac).length, 0);
      assert.equal(invitesTo(uas).length, 2);
    }));

  test('the caller CANCELs its re-INVITE: it gets 487, the callee\'s relayed re-INVITE is CANCELled, and the call goes on', () =>
    bridged({ scenario: 'uac-invite-hold-cancel-bye.xml', pauseMs: 500 }, { scenario: 'uas-answer-cancelled-reinvite.xml' }, ({ rig, uac, uas }) => {
      assertUnchangedCall(rig, 2);
      assert.equal(startLine(one(uac, 'in', 'SIP/2.0 487', '2 INVITE')), 'SIP/2.0 487 Request Terminated');
      // §9.1: the CANCEL names the relayed re-INVITE (its branch and CSeq number), and came after its 100.
      const relayed = one(uas, 'in', 'INVITE', '2 INVITE');
      const cancel = one(uas, 'in', 'CANCEL', '2 CANCEL');
      const branch = (m: TracedMessage) => /^Via:.*;branch=([^;\s]+)/m.exec(m.text)?.[1];
      assert.equal(branch(cancel), branch(relayed));
      // The callee refused in the end, so both keep their sessions: no re-INVITE to put anything back.
      assert.equal(invitesTo(uac).length, 0);
      assert.equal(invitesTo(uas).length, 2);
    }));

  test('the callee holds while the caller re-INVITEs too: the crossing offer gets 491 (§14.2), the callee\'s hold goes through', () =>
    bridged({ scenario: 'uac-invite-glare-bye.xml', pauseMs: 1000 }, { scenario: 'uas-answer-hold-reinvite.xml' }, ({ rig, uac, uas }) => {
      assertUnchangedCall(rig, 2);
      const { callerPort, calleePort } = initialPorts({ uac, uas });
      // The callee's offer reached the caller, re-stamped.
      const relayed = body(one(uac, 'in', 'INVITE', '1 INVITE'));
      assert.match(relayed, /^a=sendonly$/m);
      assert.equal(mediaPort(relayed), calleePort);
      assert.equal(origin(relayed)![0], 'switchboard');
      // The caller's own offer, sent while that re-INVITE was pending, was refused and went no further.
      assert.equal(startLine(one(uac, 'in', 'SIP/2.0 491', '2 INVITE')), 'SIP/2.0 491 Request Pending');
      assert.equal(invitesTo(uas).length, 1);
      assert.ok(!traceMessages(uas).some((m) => /a=inactive/.test(body(m))));
      // The caller's answer reached the callee.
      const answer = body(one(uas, 'in', 'SIP/2.0 200', '1 INVITE'));
      assert.match(answer, /^a=recvonly$/m);
      assert.equal(mediaPort(answer), callerPort);
      assert.equal(origin(answer)![0], 'switchboard');
    }));

  test('late offer: an offerless re-INVITE gets the callee\'s offer, and the caller\'s answer rides the ACK to the callee', () =>
    bridged({ scenario: 'uac-invite-late-reinvite-bye.xml', pauseMs: 1000 }, { scenario: 'uas-answer-accept-reinvite.xml' }, ({ rig, uac, uas }) => {
      assertUnchangedCall(rig, 2);
      const { callerPort, calleePort } = initialPorts({ uac, uas });
      const reinvite = one(uas, 'in', 'INVITE', '2 INVITE');
      assert.equal(body(reinvite), '');
      assert.doesNotMatch(reinvite.text, /Content-Type/i);
      const offer = body(one(uac, 'in', 'SIP/2.0 200', '2 INVITE'));
      assert.match(offer, /^a=recvonly$/m);
      assert.equal(mediaPort(offer), calleePort);
      assert.equal(origin(offer)![0], 'switchboard');
      const ack = body(one(uas, 'in', 'ACK', '2 ACK'));
      assert.match(ack, /^a=sendonly$/m);
      assert.equal(mediaPort(ack), callerPort);
      assert.equal(origin(ack)![0], 'switchboard');
    }));

  test('UPDATE: the offer reaches the callee in a re-INVITE, its answer comes back in the 200 to the UPDATE', () =>
    bridged({ scenario: 'uac-invite-update-hold-bye.xml', pauseMs: 1000 }, { scenario: 'uas-answer-accept-reinvite.xml' }, ({ rig, uac, uas }) => {
      assertUnchangedCall(rig, 2);
      const { callerPort, calleePort } = initialPorts({ uac, uas });
      const reinvite = body(one(uas, 'in', 'INVITE', '2 INVITE'));
      assert.match(reinvite, /^a=sendonly$/m);
      assert.equal(mediaPort(reinvite), callerPort);
      const ok = body(one(uac, 'in', 'SIP/2.0 200', '2 UPDATE'));
      assert.match(ok, /^a=recvonly$/m);
      assert.equal(mediaPort(ok), calleePort);
    }));

  test('unbridged: a caller who hears <Speak> and holds gets back what we last sent it, answering its hold (recvonly)', () =>
    inboundCall({ caller: { scenario: 'uac-invite-hold-bye.xml', pauseMs: 1000 }, calleeNumbers: [B], xml: '<Response><Speak>please hold</Speak><Wait length="30"/></Response>' }, (rig, uac) => {
      assert.deepEqual(rig.app.requests().map((r) => r.path), ['/inbound', '/hangup']);
      assert.deepEqual(pick(rig.app.requests('/hangup')[0]!, ['CallStatus', 'HangupCause', 'HangupSource', 'Duration']), { CallStatus: 'completed', HangupCause: 'NORMAL_CLEARING', HangupSource: 'Caller', Duration: '2' });
      const first = body(one(uac, 'in', 'SIP/2.0 200', '1 INVITE'));
      const again = body(one(uac, 'in', 'SIP/2.0 200', '2 INVITE'));
      // RFC 3264 §6.1: the hold (a=sendonly) is answered a=recvonly; otherwise the description we
      // last sent, whose version grows by one since it changed (§8).
      const version = (sdp: string) => Number(/^o=switchboard \S+ (\d+)/m.exec(sdp)?.[1]);
      assert.equal(version(again), version(first) + 1);
      assert.match(first, /^a=sendrecv$/m);
      const normal = (sdp: string) => sdp.replace(/^(o=switchboard \S+ )\d+/m, '$1N').replace(/^a=(sendrecv|recvonly)$/m, 'a=DIR');
      assert.equal(normal(again), normal(first));
      assert.match(again, /^a=recvonly$/m);
    }));

  test('no answer from the callee: Timer B, the caller gets 500, the callee gets BYE, and the call ends as the Dial does', { timeout: 120_000 }, () =>
    bridged({ scenario: 'uac-invite-hold-timeout.xml', timeoutS: 90 }, { scenario: 'uas-answer-ignore-reinvite.xml', timeoutS: 90 }, ({ rig, uac, uas }) => {
      assert.deepEqual(timeline(rig).map(([p]) => p), ['/inbound', '/cb:answer', '/cb:connected', '/cb:hangup', '/action', '/hangup']);
      // The re-INVITE went out 1 s after the answer; Timer B is 64*T1 = 32 s.
      const end = rig.at(rig.app.requests('/hangup')[0]!) - rig.at(rig.app.requests('/inbound')[0]!);
      assert.ok(end >= 32 && end < 38, `the call ended after ${end} s`);
      assert.deepEqual(pick(rig.app.requests('/cb')[2]!, ['DialAction', 'DialBLegHangupCause', 'DialBLegHangupCauseCode', 'DialBLegHangupSource']), {
        DialAction: 'hangup', DialBLegHangupCause: 'RECOVERY_ON_TIMER_EXPIRE', DialBLegHangupCauseCode: '6000', DialBLegHangupSource: 'Carrier',
      });
      assert.deepEqual(pick(rig.app.requests('/action')[0]!, ['DialStatus', 'DialHangupCause']), { DialStatus: 'completed', DialHangupCause: 'RECOVERY_ON_TIMER_EXPIRE' });
      // The caller's own dialog lived on (500, not 408) until the XML after the Dial ended.
      assert.deepEqual(pick(rig.app.requests('/hangup')[0]!, ['CallStatus', 'HangupCause', 'HangupCauseCode', 'HangupSource']), {
        CallStatus: 'completed', HangupCause: 'NORMAL_CLEARING', HangupCauseCode: '4010', HangupSource: 'Plivo',
      });
      const label = (m: TracedMessage) => {
        const [first, second] = startLine(m).split(' ');
        return `${first === 'SIP/2.0' ? second : first} ${header(m, 'cseq')}`;
      };
      assert.deepEqual(traceMessages(uac).filter((m) => !m.sent && !m.text.startsWith('SIP/2.0 1')).map(label), ['200 1 INVITE', '500 2 INVITE', 'BYE 1 BYE']);
      assert.match(one(uas, 'in', 'BYE', '3 BYE').text, /^Reason: Q\.850;cause=102;text="RECOVERY_ON_TIMER_EXPIRE"$/m);
    }));
});
