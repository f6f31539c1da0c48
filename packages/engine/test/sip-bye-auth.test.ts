/**
 * In-dialog requests challenged by the trunk (RFC 3261 §22.2): a carrier that authenticates every
 * request gets our DTMF INFO and our BYE twice, the second time with credentials for the realm
 * that challenged it, in a new transaction with the next CSeq (§8.1.3.5); a re-INVITE (a caller's
 * hold relayed to the callee) likewise, its 2xx ACK carrying the same credentials (§13.2.2.4).
 * sipp's own verifyauth checks the answers (uas-answer-auth-bye.xml, uas-answer-auth-reinvite.xml),
 * and the test recomputes them from the trace. A refused answer is not retried. Real UDP on
 * loopback, real time.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { startSipRig, AUTH_TOKEN, type SipRig } from './support/sip-rig.ts';
import { startSipp, expectSippOk } from './support/sipp.ts';
import { body, findMessages, header, outboundCall, paths, startLine, traceMessages, DID, HANGUP_KEYS, type TracedMessage } from './support/sip-calls.ts';
import { pick } from './support/harness.ts';

const ANSWERED = { Event: 'Hangup', CallStatus: 'completed', HangupCause: 'NORMAL_CLEARING', HangupCauseCode: '4010', HangupSource: 'Plivo', Direction: 'outbound' };

/** Retransmissions (a late ACK makes sipp resend its final response) said once. */
const once = <T>(xs: readonly T[]) => xs.filter((x, i) => i === 0 || x !== xs[i - 1]);
/** What sipp answered to `method`, status by status. */
const answers = (wire: readonly TracedMessage[], method: string) =>
  once(wire.filter((m) => m.sent && m.text.startsWith('SIP/2.0 ') && header(m, 'cseq')?.endsWith(` ${method}`)).map((m) => startLine(m).split(' ')[1]));
const branchOf = (m: TracedMessage) => /branch=([^;\s]+)/.exec(header(m, 'via') ?? '')?.[1];
/** One message per transaction: UDP retransmissions dropped. */
const byBranch = (ms: readonly TracedMessage[]) => ms.filter((m, i) => ms.findIndex((o) => branchOf(o) === branchOf(m)) === i);

function credentialParams(value: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const p of value.replace(/^\s*Digest\s+/i, '').matchAll(/([a-z-]+)=(?:"([^"]*)"|([^\s,]+))/gi)) params.set(p[1]!.toLowerCase(), p[2] ?? p[3]!);
  return params;
}

/** RFC 2617 §3.2.2 written out independently of digest.ts. */
function expectedResponse(params: Map<string, string>, password: string, method: string): string {
  const H = (s: string) => createHash('md5').update(s).digest('hex');
  const ha1 = H(`${params.get('username')}:${params.get('realm')}:${password}`);
  const ha2 = H(`${method}:${params.get('uri')}`);
  return H([ha1, params.get('nonce'), params.get('nc'), params.get('cnonce'), params.get('qop'), ha2].join(':'));
}

/** Two requests of `method`, the second a new transaction with the next CSeq and our answer to the first one's 401. */
function assertChallenged(wire: readonly TracedMessage[], method: 'INFO' | 'BYE' | 'INVITE', firstSeq: number, password: string): void {
  const reqs = byBranch(findMessages(wire, `${method} `, { sent: false })).filter((r) => Number(header(r, 'cseq')?.split(' ')[0]) >= firstSeq);
  assert.equal(reqs.length, 2, `two ${method}s: the first, then one answering the challenge`);
  assert.deepEqual(reqs.map((r) => header(r, 'cseq')), [`${firstSeq} ${method}`, `${firstSeq + 1} ${method}`]);
  assert.equal(header(reqs[1]!, 'call-id'), header(reqs[0]!, 'call-id'));
  assert.equal(header(reqs[1]!, 'to'), header(reqs[0]!, 'to'), 'inside the same dialog');
  assert.notEqual(branchOf(reqs[1]!), branchOf(reqs[0]!), 'a new transaction');
  assert.equal(header(reqs[0]!, 'authorization'), undefined, 'no credentials before the challenge');
  const creds = credentialParams(header(reqs[1]!, 'authorization') ?? '');
  const challenge = header(findMessages(wire, 'SIP/2.0 401', { sent: true, cseq: `${firstSeq} ${method}` })[0]!, 'www-authenticate') ?? '';
  assert.deepEqual(
    { username: creds.get('username'), realm: creds.get('realm'), nonce: creds.get('nonce'), opaque: creds.get('opaque'), qop: creds.get('qop'), nc: creds.get('nc'), uri: creds.get('uri') },
    { username: 'alice', realm: 'switchboard.test', nonce: /nonce="([^"]+)"/.exec(challenge)?.[1], opaque: /opaque="([^"]+)"/.exec(challenge)?.[1], qop: 'auth', nc: '00000001', uri: startLine(reqs[1]!).split(' ')[1] },
  );
  assert.equal(creds.get('response'), expectedResponse(creds, password, method));
}

/** An API call that sends the key 1 once answered and hangs up after 2 s, on a trunk with these credentials. */
function call(password: string, check: (rig: SipRig, wire: TracedMessage[]) => void): Promise<void> {
  return outboundCall(
    {
      sipp: { scenario: 'uas-answer-auth-bye.xml' },
      trunk: (port) => `sip:alice:${password}@127.0.0.1:${port}`,
      callParams: { send_digits: '1' },
      answerXml: '<Response><Wait length="2"/></Response>',
    },
    (rig, uas) => check(rig, traceMessages(uas)),
  );
}

describe('in-dialog requests challenged by the trunk (uas-answer-auth-bye.xml)', { concurrency: true }, () => {
  test('INFO and BYE each answered once with credentials: sipp verifies both, the call ends as usual', () =>
    call('wonderland', (rig, wire) => {
      assert.deepEqual(paths(rig), ['/ring', '/answer', '/hangup']);
      assert.deepEqual(pick(rig.app.requests('/hangup')[0]!, HANGUP_KEYS), ANSWERED);
      assert.equal(byBranch(findMessages(wire, 'INVITE ', { sent: false })).length, 1, 'the INVITE was not challenged');
      assertChallenged(wire, 'INFO', 2, 'wonderland');
      assertChallenged(wire, 'BYE', 4, 'wonderland');
      assert.deepEqual(answers(wire, 'INFO'), ['401', '200'], 'verifyauth accepted the INFO');
      assert.deepEqual(answers(wire, 'BYE'), ['401', '200'], 'verifyauth accepted the BYE');
      assert.match(header(findMessages(wire, 'BYE ', { sent: false })[1]!, 'reason') ?? '', /^Q\.850;cause=16/, 'the retry is the same BYE');
    }));

  test('a wrong password: sipp refuses each answer with 403, nothing is sent a third time', () =>
    call('not-the-password', (rig, wire) => {
      assert.deepEqual(paths(rig), ['/ring', '/answer', '/hangup']);
      assert.deepEqual(pick(rig.app.requests('/hangup')[0]!, HANGUP_KEYS), ANSWERED);
      assertChallenged(wire, 'INFO', 2, 'not-the-password');
      assertChallenged(wire, 'BYE', 4, 'not-the-password');
      assert.deepEqual(answers(wire, 'INFO'), ['401', '403']);
      assert.deepEqual(answers(wire, 'BYE'), ['401', '403']);
    }));
});

describe('a re-INVITE challenged by the trunk (uas-answer-auth-reinvite.xml)', () => {
  test('the caller\'s hold reaches the callee on the second re-INVITE, with credentials; the ACK repeats them; the caller gets the answer', async () => {
    const B = '15552220001';
    const uas = await startSipp({ scenario: 'uas-answer-auth-reinvite.xml' });
    const rig = await startSipRig({ trunks: `sip:alice:wonderland@127.0.0.1:${uas.port};prefix=${B}` });
    let uac: Awaited<ReturnType<typeof startSipp>> | undefined;
    try {
      rig.app.on('/inbound', `<Response><Dial action="${rig.app.url('/action')}"><Number>${B}</Number></Dial></Response>`);
      const app = await rig.api('POST', 'Application/', { app_name: 'sip', answer_url: rig.app.url('/inbound'), hangup_url: rig.app.url('/hangup') });
      assert.equal(app.status, 201, JSON.stringify(app.body));
      assert.equal((await rig.api('POST', `PhoneNumber/${DID}/`, { app_id: app.body.app_id })).status, 201);
      uac = await startSipp({ scenario: 'uac-invite-hold-bye.xml', remote: rig.sipAddress, service: DID, pauseMs: 1000 });
      await expectSippOk(uac, 'caller uac-invite-hold-bye.xml');
      await rig.waitFor('/hangup');
      await rig.settle();
      await expectSippOk(uas, 'callee uas-answer-auth-reinvite.xml');
      const caller = traceMessages(uac);
      const wire = traceMessages(uas);
      try {
        assert.deepEqual(paths(rig), ['/inbound', '/action', '/hangup']);
        assert.deepEqual(pick(rig.app.requests('/action')[0]!, ['DialStatus', 'DialHangupCause']), { DialStatus: 'completed', DialHangupCause: 'NORMAL_CLEARING' });
        assert.deepEqual(pick(rig.app.requests('/hangup')[0]!, HANGUP_KEYS), { Event: 'Hangup', CallStatus: 'completed', HangupCause: 'NORMAL_CLEARING', HangupCauseCode: '4000', HangupSource: 'Caller', Direction: 'inbound' });
        assertChallenged(wire, 'INVITE', 2, 'wonderland');
        const [challenged, authed] = byBranch(findMessages(wire, 'INVITE ', { sent: false })).slice(1);
        assert.equal(body(authed!), body(challenged!), 'the same offer');
        assert.match(body(authed!), /^a=sendonly$/m);
        assert.deepEqual(answers(wire, 'INVITE'), ['100', '180', '200', '401', '100', '200']);
        const acks = findMessages(wire, 'ACK ', { sent: false }).filter((a, i, all) => i === 0 || header(a, 'cseq') !== header(all[i - 1]!, 'cseq'));
        assert.deepEqual(acks.map((a) => header(a, 'cseq')), ['1 ACK', '2 ACK', '3 ACK']);
        assert.equal(branchOf(acks[1]!), branchOf(challenged!), 'the 401 is ACKed in its transaction');
        assert.equal(header(acks[2]!, 'authorization'), header(authed!, 'authorization'), 'the 2xx ACK carries the re-INVITE\'s credentials');
        assert.equal(header(findMessages(wire, 'BYE ', { sent: false })[0]!, 'cseq'), '4 BYE');
        assert.match(body(findMessages(caller, 'SIP/2.0 200', { sent: false, cseq: '2 INVITE' })[0]!), /^a=recvonly$/m, 'the caller got the callee\'s answer');
      } catch (err) {
        (err as Error).message += `\n${uac.log()}\n${uas.log()}`;
        throw err;
      }
      rig.app.assertAllSigned({ authToken: AUTH_TOKEN, mainAuthToken: AUTH_TOKEN });
    } finally {
      uac?.kill();
      uas.kill();
      await rig.close();
    }
  });
});
