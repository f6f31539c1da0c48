/**
 * Digest authentication towards a trunk (RFC 3261 §22, RFC 2617, RFC 8760) against sipp UAS
 * scenarios that challenge the INVITE: sipp's own verifyauth checks our MD5 answer, and for what
 * verifyauth cannot read (Proxy-Authorization, SHA-256) the test recomputes the response from the
 * trace. Also checked on the wire: the ACK for the challenge, the same Call-ID with the next CSeq,
 * and exactly one retry per challenge. Real UDP on loopback, real time.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { SipRig } from './support/sip-rig.ts';
import type { SippOptions } from './support/sipp.ts';
import { pick } from './support/harness.ts';
import { findMessages, header, outboundCall, paths, startLine, traceMessages, HANGUP_KEYS, type TracedMessage } from './support/sip-calls.ts';
import { authorization, parseChallenge, pickChallenges } from '../src/network/sip/digest.ts';
import { reasonForResponse } from '../src/network/sip/sip-causes.ts';
import { CAUSES, finalCallStatus } from '../src/domain/causes.ts';

const USER = 'alice';
const PASSWORD = 'wonderland';

const received = (t: TracedMessage[], method: string) => findMessages(t, `${method} `, { sent: false });
const sentStatus = (t: TracedMessage[], status: number) => findMessages(t, `SIP/2.0 ${status} `, { sent: true });
const branchOf = (m: TracedMessage) => /branch=([^;\s]+)/.exec(header(m, 'via') ?? '')?.[1];

/** The params of a Digest credentials value, unquoted. */
function credentialParams(value: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const p of value.replace(/^\s*Digest\s+/i, '').matchAll(/([a-z-]+)=(?:"([^"]*)"|([^\s,]+))/gi)) params.set(p[1]!.toLowerCase(), p[2] ?? p[3]!);
  return params;
}

/** RFC 2617 §3.2.2 / RFC 8760 §2.5 written out independently of digest.ts: what the response must be. */
function expectedResponse(params: Map<string, string>, password: string, method: string): string {
  const alg = params.get('algorithm') ?? 'MD5';
  const H = (s: string) => createHash(alg === 'SHA-256' ? 'sha256' : 'md5').update(s).digest('hex');
  const ha1 = H(`${params.get('username')}:${params.get('realm')}:${password}`);
  const ha2 = H(`${method}:${params.get('uri')}`);
  return H([ha1, params.get('nonce'), params.get('nc'), params.get('cnonce'), params.get('qop'), ha2].join(':'));
}

/** The wire checks every challenged call shares: the ACK for the challenge, then the same Call-ID with the next CSeq. */
function assertChallengeRound(t: TracedMessage[], status: 401 | 407): void {
  const invites = received(t, 'INVITE');
  const [challenge] = sentStatus(t, status);
  assert.ok(challenge, `sipp sent ${status}`);
  const ack = received(t, 'ACK')[0]!;
  assert.ok(ack, 'the challenge was ACKed');
  assert.equal(header(ack, 'cseq'), '1 ACK');
  assert.equal(branchOf(ack), branchOf(invites[0]!), 'the ACK for the challenge is part of the first INVITE transaction');
  assert.equal(header(ack, 'to'), header(challenge, 'to'), 'the ACK carries the To tag of the challenge');
  assert.ok(invites.length >= 2, 'the INVITE was sent again');
  assert.equal(header(invites[0]!, 'cseq'), '1 INVITE');
  assert.equal(header(invites[1]!, 'cseq'), '2 INVITE');
  assert.equal(header(invites[1]!, 'call-id'), header(invites[0]!, 'call-id'));
  assert.equal(header(invites[1]!, 'from'), header(invites[0]!, 'from'), 'same From tag');
  assert.doesNotMatch(header(invites[1]!, 'to') ?? '', /tag=/, 'the new INVITE is outside any dialog');
  assert.notEqual(branchOf(invites[1]!), branchOf(invites[0]!), 'a new transaction');
}

/** One API call through a trunk (with `userinfo` credentials) to a sipp UAS; `check` gets what sipp saw on the wire. */
function call(sipp: SippOptions, userinfo: string, answerXml: string, check: (rig: SipRig, wire: TracedMessage[]) => void): Promise<void> {
  return outboundCall({ sipp, trunk: (port) => `sip:${userinfo}127.0.0.1:${port}`, answerXml }, (rig, uas) => check(rig, traceMessages(uas)));
}

/** The hangup a failed final response gives, read from the cause table so this test follows it. */
function failedWith(status: number): Record<string, string> {
  const reason = reasonForResponse(status);
  const row = CAUSES[reason];
  return { Event: 'Hangup', CallStatus: finalCallStatus(reason, false), HangupCause: row.cause, HangupCauseCode: String(row.code), HangupSource: row.source, Direction: 'outbound' };
}

const ANSWERED = { Event: 'Hangup', CallStatus: 'completed', HangupCause: 'NORMAL_CLEARING', HangupCauseCode: '4010', HangupSource: 'Plivo', Direction: 'outbound' };

describe('digest authentication against sipp (uas-auth-*.xml)', { concurrency: true }, () => {
  test('401 with MD5, qop=auth and opaque: sipp verifies our Authorization, the call is answered', () =>
    call({ scenario: 'uas-auth-answer.xml' }, `${USER}:${PASSWORD}@`, '<Response><Wait length="1"/></Response>', (rig, wire) => {
      assert.deepEqual(paths(rig), ['/ring', '/answer', '/hangup']);
      assert.deepEqual(pick(rig.app.requests('/hangup')[0]!, HANGUP_KEYS), ANSWERED);
      assert.equal(rig.app.requests('/answer')[0]!.params.CallStatus, 'in-progress');
      assertChallengeRound(wire, 401);
      assert.equal(sentStatus(wire, 200).length >= 1, true, 'sipp answered: verifyauth accepted the credentials');
      assert.equal(sentStatus(wire, 403).length, 0);
      const invites = received(wire, 'INVITE');
      assert.equal(invites.length, 2);
      assert.equal(header(invites[0]!, 'authorization'), undefined);
      const creds = credentialParams(header(invites[1]!, 'authorization') ?? '');
      const challenge = parseChallenge(header(sentStatus(wire, 401)[0]!, 'www-authenticate'))!;
      assert.deepEqual(
        { username: creds.get('username'), realm: creds.get('realm'), nonce: creds.get('nonce'), opaque: creds.get('opaque'), algorithm: creds.get('algorithm'), qop: creds.get('qop'), nc: creds.get('nc') },
        { username: USER, realm: 'switchboard.test', nonce: challenge.nonce, opaque: challenge.opaque, algorithm: 'MD5', qop: 'auth', nc: '00000001' },
      );
      assert.match(creds.get('cnonce') ?? '', /^[0-9a-f]{16,}$/);
      assert.equal(creds.get('uri'), startLine(invites[1]!).split(' ')[1], 'digest-uri = Request-URI');
      assert.equal(creds.get('response'), expectedResponse(creds, PASSWORD, 'INVITE'));
      // §13.2.2.4: the ACK for the 2xx carries the INVITE's credentials.
      const ack2xx = received(wire, 'ACK')[1]!;
      assert.equal(header(ack2xx, 'cseq'), '2 ACK');
      assert.equal(header(ack2xx, 'authorization'), header(invites[1]!, 'authorization'));
      // In-dialog requests continue the CSeq space after the authenticated INVITE.
      assert.equal(header(received(wire, 'BYE')[0]!, 'cseq'), '3 BYE');
    }));

  for (const alg of ['MD5', 'SHA-256'] as const) {
    test(`407 with ${alg}: Proxy-Authorization with qop=auth and the opaque echoed, the call is answered`, () =>
      call({ scenario: 'uas-auth-proxy-answer.xml', keys: { alg } }, `${USER}:${PASSWORD}@`, '<Response><Wait length="1"/></Response>', (rig, wire) => {
        assert.deepEqual(paths(rig), ['/ring', '/answer', '/hangup']);
        assert.deepEqual(pick(rig.app.requests('/hangup')[0]!, HANGUP_KEYS), ANSWERED);
        assertChallengeRound(wire, 407);
        const invites = received(wire, 'INVITE');
        assert.equal(invites.length, 2);
        assert.equal(header(invites[1]!, 'authorization'), undefined, 'a 407 is answered with Proxy-Authorization only');
        const creds = credentialParams(header(invites[1]!, 'proxy-authorization') ?? '');
        assert.equal(creds.get('algorithm'), alg);
        assert.equal(creds.get('realm'), 'proxy.switchboard.test');
        assert.match(creds.get('opaque') ?? '', /^pop-\d+$/);
        assert.equal(creds.get('qop'), 'auth', 'auth chosen from "auth,auth-int"');
        assert.equal(creds.get('response')?.length, alg === 'MD5' ? 32 : 64);
        assert.equal(creds.get('response'), expectedResponse(creds, PASSWORD, 'INVITE'));
      }));
  }

  test('a proxy (407) then the far end (401), whose nonce goes stale: credentials for both realms, the call is answered', () =>
    call({ scenario: 'uas-auth-proxy-stale.xml' }, `${USER}:${PASSWORD}@`, '<Response><Wait length="1"/></Response>', (rig, wire) => {
      assert.deepEqual(paths(rig), ['/ring', '/answer', '/hangup']);
      assert.deepEqual(pick(rig.app.requests('/hangup')[0]!, HANGUP_KEYS), ANSWERED);
      assertChallengeRound(wire, 407);
      assert.equal(sentStatus(wire, 403).length, 0, 'verifyauth accepted the last Authorization');
      const invites = received(wire, 'INVITE');
      assert.deepEqual(invites.map((i) => header(i, 'cseq')), ['1 INVITE', '2 INVITE', '3 INVITE', '4 INVITE']);
      assert.equal(new Set(invites.map((i) => header(i, 'call-id'))).size, 1);
      const proxy = invites.slice(1).map((i) => credentialParams(header(i, 'proxy-authorization') ?? ''));
      // One proxy nonce on three requests: the nonce count grows (RFC 2617 §3.2.2), each response still right.
      assert.deepEqual(proxy.map((p) => p.get('nc')), ['00000001', '00000002', '00000003']);
      for (const p of proxy) assert.equal(p.get('response'), expectedResponse(p, PASSWORD, 'INVITE'));
      assert.equal(header(invites[1]!, 'authorization'), undefined);
      const uas = invites.slice(2).map((i) => credentialParams(header(i, 'authorization') ?? ''));
      assert.deepEqual(uas.map((p) => [p.get('nonce')?.replace(/^\d+/, ''), p.get('nc')]), [['old1', '00000001'], ['new1', '00000001']], 'the stale nonce replaced by the fresh one');
      assert.deepEqual(received(wire, 'ACK').map((a) => header(a, 'cseq')), ['1 ACK', '2 ACK', '3 ACK', '4 ACK']);
    }));

  test('a wrong password: sipp answers the Authorization with 403, the call fails, CALL_REJECTED', () =>
    call({ scenario: 'uas-auth-answer.xml' }, `${USER}:not-the-password@`, '<Response/>', (rig, wire) => {
      assert.deepEqual(paths(rig), ['/hangup']);
      const hangup = pick(rig.app.requests('/hangup')[0]!, HANGUP_KEYS);
      assert.equal(hangup.HangupCause, 'CALL_REJECTED');
      assert.deepEqual(hangup, failedWith(403));
      assertChallengeRound(wire, 401);
      assert.equal(sentStatus(wire, 403).length >= 1, true, 'verifyauth refused the credentials');
      assert.equal(sentStatus(wire, 200).length, 0);
      assert.equal(received(wire, 'INVITE').length, 2);
      const acks = received(wire, 'ACK');
      assert.equal(header(acks.at(-1)!, 'cseq'), '2 ACK', 'the 403 was ACKed in its own transaction');
    }));

  test('a trunk without credentials gets a 401: no retry, the call fails with the 401 cause', () =>
    call({ scenario: 'uas-auth-challenge.xml' }, '', '<Response/>', (rig, wire) => {
      assert.deepEqual(paths(rig), ['/hangup']);
      const hangup = pick(rig.app.requests('/hangup')[0]!, HANGUP_KEYS);
      assert.equal(hangup.HangupCause, 'CALL_REJECTED');
      assert.deepEqual(hangup, failedWith(401));
      assert.equal(received(wire, 'INVITE').length, 1);
      assert.equal(received(wire, 'ACK').length >= 1, true, 'the 401 was ACKed');
      assert.equal(header(received(wire, 'ACK')[0]!, 'cseq'), '1 ACK');
    }));

  test('a second 401 after our Authorization ends the call: one retry per challenge, no loop', () =>
    call({ scenario: 'uas-auth-challenge.xml' }, `${USER}:${PASSWORD}@`, '<Response/>', (rig, wire) => {
      assert.deepEqual(paths(rig), ['/hangup']);
      assert.deepEqual(pick(rig.app.requests('/hangup')[0]!, HANGUP_KEYS), failedWith(401));
      assertChallengeRound(wire, 401);
      assert.equal(received(wire, 'INVITE').length, 2, 'exactly one authenticated retry');
      const acks = received(wire, 'ACK');
      assert.deepEqual(acks.map((a) => header(a, 'cseq')), ['1 ACK', '2 ACK'], 'both challenges ACKed');
    }));
});

describe('digest values (RFC 2617, RFC 7616 test vectors)', () => {
  const vectors = { username: 'Mufasa', password: 'Circle of Life' };
  const challenge = (alg: string) =>
    `Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=${alg}, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"`;
  const cnonce = 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ';

  test('RFC 7616 §3.9.1: MD5 and SHA-256 responses', () => {
    const md5 = authorization(parseChallenge(challenge('MD5'))!, vectors, 'GET', '/dir/index.html', 1, cnonce);
    assert.match(md5, /response="8ca523f5e9506fed4657c9700eebdbec"/);
    const sha = authorization(parseChallenge(challenge('SHA-256'))!, vectors, 'GET', '/dir/index.html', 1, cnonce);
    assert.match(sha, /response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"/);
    assert.match(sha, /algorithm=SHA-256/);
    assert.match(sha, /opaque="FQhe\/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"/);
    assert.match(sha, /qop=auth, nc=00000001, cnonce="f2\/wE4q74E6zIJEtWaHKaf5wv\/H5QzzpXusqGemxURZJ"/);
  });

  test('RFC 2069 style (no qop): no nc, no cnonce', () => {
    const ch = parseChallenge('Digest realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093"')!;
    assert.deepEqual(ch, { realm: 'testrealm@host.com', nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093', algorithm: 'MD5', stale: false });
    const value = authorization(ch, { username: 'Mufasa', password: 'Circle Of Life' }, 'GET', '/dir/index.html');
    const H = (x: string) => createHash('md5').update(x).digest('hex');
    const expected = H(`${H('Mufasa:testrealm@host.com:Circle Of Life')}:dcd98b7102dd2f0e8b11d0f600bfb0c093:${H('GET:/dir/index.html')}`);
    assert.match(value, new RegExp(`response="${expected}"`));
    assert.doesNotMatch(value, /nc=|cnonce=|qop=/);
  });

  test('challenges: stale, auth-int only, unknown algorithms and schemes, the topmost per realm', () => {
    assert.equal(parseChallenge('Digest realm="r", nonce="n", stale=TRUE')?.stale, true);
    assert.equal(parseChallenge('Digest realm="r", nonce="n", qop="auth-int"')?.qop, 'auth-int');
    assert.equal(parseChallenge('Digest realm="r", nonce="n", qop="auth-conf"'), undefined);
    assert.equal(parseChallenge('Digest realm="r", nonce="n", algorithm=AKAv1-MD5'), undefined);
    assert.equal(parseChallenge('Basic realm="r"'), undefined);
    assert.equal(parseChallenge('Digest realm="r", nonce="n", algorithm=sha-512-256-sess')?.algorithm, 'SHA-512-256-sess');
    const picked = pickChallenges(['Digest realm="a", nonce="1", algorithm=SHA-256', 'Digest realm="a", nonce="2", algorithm=MD5', 'Digest realm="b", nonce="3", algorithm=FOO', 'Digest realm="b", nonce="4"']);
    assert.deepEqual(picked.map((c) => [c.realm, c.nonce, c.algorithm]), [['a', '1', 'SHA-256'], ['b', '4', 'MD5']]);
  });

  test('quoted strings round-trip: escapes in, escapes out', () => {
    const ch = parseChallenge('Digest realm="a \\"quoted\\" realm", nonce="n"')!;
    assert.equal(ch.realm, 'a "quoted" realm');
    const value = authorization(ch, { username: 'al"ice', password: 'p' }, 'INVITE', 'sip:1@h');
    assert.match(value, /username="al\\"ice", realm="a \\"quoted\\" realm"/);
  });

  test('qop=auth-int hashes the body; -sess algorithms fold the cnonce into HA1', () => {
    const body = 'v=0\r\n';
    const H = (s: string) => createHash('sha256').update(s).digest('hex');
    const ch = parseChallenge('Digest realm="r", nonce="n", qop="auth-int", algorithm=SHA-256-sess')!;
    const value = authorization(ch, { username: 'u', password: 'p' }, 'INVITE', 'sip:1@h', 2, 'c', body);
    const ha1 = H(`${H('u:r:p')}:n:c`);
    const ha2 = H(`INVITE:sip:1@h:${H(body)}`);
    assert.match(value, new RegExp(`response="${H(`${ha1}:n:00000002:c:auth-int:${ha2}`)}"`));
    assert.match(value, /qop=auth-int, nc=00000002/);
  });
});
