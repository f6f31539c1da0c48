/**
 * The SIP message layer: tolerant in (compact names, folding, comma-joined values, bare LF), strict
 * out, and never a crash: fast-check throws random and mutated messages at the parser and at a
 * live SipNetwork, which must answer malformed requests with 400 and keep answering OPTIONS.
 */
import { SipAccess } from '../src/network/sip/access.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import fc from 'fast-check';
import { parseMessage, StreamFramer } from '../src/network/sip/parser.ts';
import { serialize } from '../src/network/sip/serializer.ts';
import { header, headers } from '../src/network/sip/message.ts';
import { SipNetwork } from '../src/network/sip/sip-network.ts';
import { RealClock } from '../src/clock.ts';
import { authorization, parseChallenge } from '../src/network/sip/digest.ts';
import { parseTrunk, parseTrunks, trunkFor } from '../src/network/sip/trunk.ts';

const INVITE = [
  'INVITE sip:15550001@127.0.0.1:5060 SIP/2.0',
  'Via: SIP/2.0/UDP 127.0.0.1:5070;rport;branch=z9hG4bK-1-1-0',
  'From: sipp <sip:sipp@127.0.0.1:5070>;tag=1',
  'To: <sip:15550001@127.0.0.1:5060>',
  'Call-ID: 1-1@127.0.0.1',
  'CSeq: 1 INVITE',
  'Contact: <sip:sipp@127.0.0.1:5070>',
  'Max-Forwards: 70',
  'Content-Type: application/sdp',
  'Content-Length: 10',
  '',
  'v=0\r\ns=-\r\n',
].join('\r\n');

test('parses compact names, folded lines, comma-joined values and bare LF', () => {
  const text = [
    'invite sip:a@h SIP/2.0',
    'v: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKa, SIP/2.0/UDP 10.0.0.2;branch=z9hG4bKb',
    'f: "A, B" <sip:a@h>;tag=x',
    't: <sip:b@h>',
    'i: abc',
    'CSEQ: 7 INVITE',
    'Subject: a folded',
    '  value',
    'l: 0',
    '',
    '',
  ].join('\n');
  const r = parseMessage(Buffer.from(text));
  assert.ok(r.ok, !r.ok ? r.error : '');
  const m = r.message;
  assert.equal(m.kind, 'request');
  assert.equal(m.kind === 'request' && m.method, 'INVITE');
  assert.deepEqual(headers(m, 'Via'), ['SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKa', 'SIP/2.0/UDP 10.0.0.2;branch=z9hG4bKb']);
  assert.equal(header(m, 'from'), '"A, B" <sip:a@h>;tag=x');
  assert.equal(header(m, 'call-id'), 'abc');
  assert.equal(header(m, 'subject'), 'a folded value');
  // Strict out: long names, CRLF, a Content-Length that matches.
  const out = serialize(m).toString();
  assert.match(out, /^INVITE sip:a@h SIP\/2\.0\r\nVia: SIP\/2\.0\/UDP 10\.0\.0\.1:5060;branch=z9hG4bKa\r\nVia: /);
  assert.match(out, /\r\nCall-ID: abc\r\nCSeq: 7 INVITE\r\n/);
  assert.match(out, /\r\nContent-Length: 0\r\n\r\n$/);
});

test('rejects what it cannot trust, keeping enough of a request to answer 400', () => {
  for (const [bad, why] of [
    [INVITE.replace('CSeq: 1 INVITE', 'CSeq: one INVITE'), /CSeq/],
    [INVITE.replace('Content-Length: 10', 'Content-Length: 99'), /shorter/],
    [INVITE.replace('Call-ID: 1-1@127.0.0.1\r\n', ''), /call-id/],
    [INVITE.replace('CSeq: 1 INVITE', 'CSeq: 1 BYE'), /match/],
  ] as const) {
    const r = parseMessage(Buffer.from(bad));
    assert.equal(r.ok, false);
    assert.match(!r.ok ? r.error : '', why);
    assert.equal(!r.ok && r.request?.method, 'INVITE');
  }
  assert.equal(parseMessage(Buffer.from('HELLO')).ok, false);
  assert.equal(parseMessage(Buffer.from('SIP/2.0 999 Nope\r\n\r\n')).ok, false);
});

test('header names that are names of Object properties are plain headers', () => {
  // A peer chooses header names: none may reach an inherited property of a lookup table.
  const names = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'];
  const msg = INVITE.replace('CSeq: 1 INVITE\r\n', `CSeq: 1 INVITE\r\n${names.map((n, i) => `${n}: v${i}\r\n`).join('')}`);
  const r = parseMessage(Buffer.from(msg));
  assert.ok(r.ok, !r.ok ? r.error : '');
  names.forEach((n, i) => assert.equal(header(r.message, n), `v${i}`));
  const out = serialize(r.message).toString();
  assert.match(out, /\r\nConstructor: v0\r\n__proto__: v1\r\nTostring: v2\r\nHasownproperty: v3\r\nValueof: v4\r\n/);
  const again = parseMessage(Buffer.from(out));
  assert.ok(again.ok);
  assert.deepEqual(again.message.headers, r.message.headers);
});

test('frames a TCP stream by Content-Length, across chunk boundaries', () => {
  const f = new StreamFramer();
  const bytes = Buffer.from('\r\n' + INVITE + INVITE);
  const got: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += 7) got.push(...f.push(bytes.subarray(i, i + 7)).messages);
  assert.equal(got.length, 2);
  for (const m of got) assert.ok(parseMessage(m).ok);
});

test('fuzz: random bytes and mutated messages never throw; what parses re-serialises to the same message', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => void parseMessage(Buffer.from(bytes))), { numRuns: 2000 });
  const mutated = fc
    .tuple(fc.array(fc.tuple(fc.nat(INVITE.length), fc.nat(20), fc.string({ maxLength: 12 })), { maxLength: 6 }))
    .map(([edits]) => edits.reduce((s, [at, del, ins]) => s.slice(0, at) + ins + s.slice(at + del), INVITE));
  fc.assert(
    fc.property(mutated, (text) => {
      const r = parseMessage(Buffer.from(text));
      if (!r.ok) return;
      const again = parseMessage(serialize(r.message));
      assert.ok(again.ok);
      assert.deepEqual({ ...again.message, headers: again.message.headers.filter(([k]) => k !== 'content-length') }, { ...r.message, headers: r.message.headers.filter(([k]) => k !== 'content-length') });
    }),
    { numRuns: 3000 },
  );
});

test('fuzz: a live SipNetwork survives garbage, answers malformed requests 400 and still answers OPTIONS 200', async () => {
  const clock = new RealClock();
  // The fuzzing peer is trusted: an untrusted one would be cut at its flood limit (access.ts).
  const net = new SipNetwork({ clock, listen: { host: '127.0.0.1', port: 0 }, trunks: [], access: new SipAccess({ clock, acceptFrom: ['127.0.0.1'] }) });
  await net.start();
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  const replies: string[] = [];
  sock.on('message', (m) => replies.push(m.toString()));
  const send = (s: string | Uint8Array) => new Promise<void>((r) => sock.send(typeof s === 'string' ? Buffer.from(s) : s, net.port, '127.0.0.1', () => r()));
  try {
    const samples = fc.sample(
      fc.oneof(
        fc.uint8Array({ maxLength: 1500 }),
        fc.tuple(fc.nat(INVITE.length), fc.nat(30), fc.string({ maxLength: 20 })).map(([at, del, ins]) => INVITE.slice(0, at) + ins + INVITE.slice(at + del)),
      ),
      400,
    );
    for (const [i, s] of samples.entries()) {
      await send(s);
      // Let the network read: one process sends and receives, and a full socket buffer drops datagrams.
      if (i % 20 === 19) await new Promise((r) => setTimeout(r, 5));
    }
    await send(INVITE.replace('CSeq: 1 INVITE', 'CSeq: x INVITE').replace(/branch=[^\r]+/, 'branch=z9hG4bKbad'));
    const options = INVITE.replace(/INVITE/g, 'OPTIONS').replace(/branch=[^\r]+/, 'branch=z9hG4bKopt').replace('Call-ID: 1-1', 'Call-ID: opt');
    await send(options);
    for (let i = 0; i < 100 && !replies.some((r) => r.includes('z9hG4bKopt')); i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(replies.some((r) => r.startsWith('SIP/2.0 400 ') && r.includes('z9hG4bKbad')), 'malformed INVITE gets 400: ' + replies.map((r) => r.slice(0, 200)).join('\n---\n'));
    const ok = replies.find((r) => r.includes('z9hG4bKopt'));
    assert.match(ok ?? '', /^SIP\/2\.0 200 OK\r\n[\s\S]*Allow: INVITE, ACK, CANCEL, BYE, OPTIONS/);
  } finally {
    sock.close();
    await net.close();
  }
});

test('digest: RFC 2617 §3.5 example response, and SHA-256', () => {
  const ch = parseChallenge('Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"')!;
  const value = authorization(ch, { username: 'Mufasa', password: 'Circle Of Life' }, 'GET', '/dir/index.html', 1, '0a4f113b');
  assert.match(value, /response="6629fae49393a05397450978507c4ef1"/);
  assert.match(value, /qop=auth, nc=00000001, cnonce="0a4f113b"/);
  const sha = parseChallenge('Digest realm="r", nonce="n", algorithm=SHA-256')!;
  assert.equal(sha.algorithm, 'SHA-256');
  assert.match(authorization(sha, { username: 'u', password: 'p' }, 'INVITE', 'sip:1@h'), /algorithm=SHA-256/);
});

test('trunks: transport, prefixes, credentials, longest-prefix routing', () => {
  const t = parseTrunk('sip:alice:s3cret@10.0.0.1:5080;transport=tcp;prefix=1555,1666');
  assert.deepEqual(t, { name: '10.0.0.1:5080', host: '10.0.0.1', port: 5080, transport: 'tcp', prefixes: ['1555', '1666'], username: 'alice', password: 's3cret' });
  const ts = parseTrunks('sip:10.0.0.1;prefix=1,2,sip:10.0.0.2:5070;prefix=15,sip:10.0.0.3');
  assert.equal(ts.length, 3);
  assert.equal(trunkFor(ts, '1555')?.host, '10.0.0.2');
  assert.equal(trunkFor(ts, '2555')?.host, '10.0.0.1');
  assert.equal(trunkFor(ts, '4555')?.host, '10.0.0.3');
  assert.throws(() => parseTrunk('http://x'));
  assert.throws(() => parseTrunk('sip:h;transport=sctp'));
});
