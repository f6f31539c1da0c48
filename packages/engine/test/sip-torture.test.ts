/**
 * Issue 20: SIP conformance. The RFC 4475 torture messages (../shared/sip-torture/rfc4475, byte
 * for byte) sent to the real engine over UDP and over TCP, each answered as RFC 4475 §3 says and
 * the engine healthy (OPTIONS 200) after each; a malformed %-escape INVITE gets a final 400 and its
 * transaction is gone after Timer H; and a fast-check fuzz over mutated messages against a live
 * network on the virtual clock: no input leaves a server transaction without a final answer, and
 * every transaction is freed once the timers have run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { VirtualClock } from '../src/clock.ts';
import { SipNetwork } from '../src/network/sip/sip-network.ts';
import { SipAccess } from '../src/network/sip/access.ts';
import { startSipRig } from './support/sip-rig.ts';
import { SHARED_SIPP } from './support/sipp.ts';

const TORTURE = join(SHARED_SIPP, '..', 'sip-torture', 'rfc4475');

/**
 * RFC 4475 §3, message by message: the final status the engine must send, several where the RFC
 * allows a choice, or 'none' for what gets no answer (responses that match no transaction, a
 * request without a Via). Valid requests are processed: an INVITE reaches the inbound router and,
 * its number having no application, gets the engine's 403; REGISTER and MESSAGE get 501 (not
 * implemented here); OPTIONS gets 200.
 */
const EXPECT: Record<string, number | readonly number[] | 'none'> = {
  // §3.1.1 valid messages
  // wsinv's To has a tag: an INVITE inside a dialog nobody has (481).
  'wsinv.dat': 481, 'intmeth.dat': 501, 'esc01.dat': 403, 'escnull.dat': 501, 'esc02.dat': 501, 'lwsdisp.dat': 200,
  'longreq.dat': 403, 'dblreq.dat': 501, 'semiuri.dat': 200, 'transports.dat': 200, 'mpart01.dat': 501,
  'unreason.dat': 'none', 'noreason.dat': 'none',
  // §3.1.2 invalid messages
  'badinv01.dat': 400, 'clerr.dat': 400, 'ncl.dat': 400, 'scalar02.dat': 400, 'scalarlg.dat': 'none', 'quotbal.dat': 400,
  'ltgtruri.dat': 400, 'lwsruri.dat': 400, 'lwsstart.dat': 400, 'trws.dat': 400, 'escruri.dat': 400,
  'baddate.dat': [400, 403], 'regbadct.dat': 400, 'badaspec.dat': 400, 'baddn.dat': 400, 'badvers.dat': 505,
  'mismatch01.dat': 400, 'mismatch02.dat': [501, 400], 'bigcode.dat': 'none',
  // §3.2 transaction layer, §3.3 application layer
  'badbranch.dat': 200, 'insuf.dat': 400, 'unkscm.dat': 416, 'novelsc.dat': 416, 'unksm2.dat': 501, 'bext01.dat': 420,
  'invut.dat': 415, 'regaut01.dat': 501, 'multi01.dat': 400, 'mcl01.dat': 400, 'bcast.dat': 'none', 'zeromf.dat': 200,
  'cparam01.dat': 501, 'cparam02.dat': 501, 'regescrt.dat': 501, 'sdp01.dat': [406, 400], 'inv2543.dat': 403,
  // test.dat: no SIP-Version and no Via: nowhere to answer.
  'test.dat': 'none',
};
/**
 * Over TCP a message is complete only at its Content-Length (§18.3): one that claims more than it
 * has (clerr), or whose header section never ends (baddn, as archived), waits for bytes that never come.
 */
const TCP_EXPECT: Record<string, number | readonly number[] | 'none'> = { ...EXPECT, 'clerr.dat': 'none', 'baddn.dat': 'none' };

const statusOf = (text: string) => Number(/^SIP\/2\.0 (\d{3})/.exec(text)?.[1] ?? 0);
const callIdOf = (text: string) => /^(?:Call-ID|i)[ \t]*:[ \t]*(.*?)\r?$/im.exec(text)?.[1]?.trim() ?? '';
/** The Via port a UDP answer goes to (no rport in these messages): the sent-by's, else 5060. */
const viaPort = (text: string) => Number(/^(?:Via|v)\s*:[^\r\n]*?SIP\s*\/\s*2\.0\s*\/\s*\w+\s+[^\s:;]+:(\d+)/im.exec(text)?.[1] ?? 5060);

function judge(name: string, finals: number[], want: number | readonly number[] | 'none'): void {
  if (want === 'none') assert.deepEqual(finals, [], `${name}: no answer expected, got ${finals.join(', ')}`);
  else {
    const ok = (Array.isArray(want) ? want : [want]) as readonly number[];
    assert.ok(finals.length >= 1 && ok.includes(finals[0]!), `${name}: expected ${ok.join(' or ')}, got ${finals.join(', ') || 'nothing'}`);
  }
}

test('RFC 4475 torture messages over UDP and TCP: each answered as §3 says, the engine healthy after each', async () => {
  const files = readdirSync(TORTURE).filter((f) => f.endsWith('.dat')).sort();
  assert.equal(files.length, 50);
  assert.deepEqual(files, Object.keys(EXPECT).sort(), 'every torture message has its expectation');
  const rig = await startSipRig({ trunks: 'sip:127.0.0.1:9', flags: { 'sip-accept-from': '127.0.0.0/8', 'inbound-answer-url': undefined } });
  // Answers go to the source address and the Via's port: sockets on 127.0.0.3 at the ports the messages name.
  const sockets = new Map<number, dgram.Socket>();
  const got: string[] = [];
  const probe = dgram.createSocket('udp4');
  const probeReplies: string[] = [];
  try {
    for (const port of [5060, 5050, 5070]) {
      const s = dgram.createSocket('udp4');
      await new Promise<void>((res, rej) => {
        s.once('error', rej);
        s.bind(port, '127.0.0.3', () => res());
      });
      s.on('message', (m) => got.push(m.toString('latin1')));
      sockets.set(port, s);
    }
    await new Promise<void>((r) => probe.bind(0, '127.0.0.1', () => r()));
    probe.on('message', (m) => probeReplies.push(m.toString()));
    const sipPort = rig.engine.sip!.port;
    let probes = 0;
    const healthy = async (after: string) => {
      const id = `probe-${++probes}`;
      const options = `OPTIONS sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${probe.address().port};branch=z9hG4bK${id}\r\nFrom: <sip:p@127.0.0.1>;tag=p\r\nTo: <sip:127.0.0.1>\r\nCall-ID: ${id}\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n`;
      probe.send(options, sipPort, '127.0.0.1');
      for (let i = 0; i < 200 && !probeReplies.some((r) => r.includes(id)); i++) await new Promise((r) => setTimeout(r, 10));
      assert.match(probeReplies.find((r) => r.includes(id)) ?? '', /^SIP\/2\.0 200 OK/, `the engine answers OPTIONS after ${after}`);
    };

    for (const name of files) {
      const bytes = readFileSync(join(TORTURE, name));
      const text = bytes.toString('latin1');
      const callId = callIdOf(text);
      // UDP
      got.length = 0;
      sockets.get(viaPort(text))!.send(bytes, sipPort, '127.0.0.1');
      const finals = async (replies: () => string[], want: unknown) => {
        const mine = () => replies().filter((r) => callIdOf(r) === callId && statusOf(r) >= 200).map(statusOf);
        for (let i = 0; i < (want === 'none' ? 30 : 200) && mine().length === 0; i++) await new Promise((r) => setTimeout(r, 10));
        return mine();
      };
      judge(`${name} over UDP`, await finals(() => got, EXPECT[name]), EXPECT[name]!);
      await healthy(`${name} over UDP`);
      // TCP: the answer comes back on the connection.
      const tcpGot: string[] = [];
      const conn = net.connect({ host: '127.0.0.1', port: sipPort });
      await new Promise<void>((r) => conn.once('connect', () => r()));
      conn.on('data', (d: Buffer) => tcpGot.push(...d.toString('latin1').split(/(?=^SIP\/2\.0 )/m)));
      conn.on('error', () => {});
      conn.write(bytes);
      judge(`${name} over TCP`, await finals(() => tcpGot, TCP_EXPECT[name]), TCP_EXPECT[name]!);
      conn.destroy();
      await healthy(`${name} over TCP`);
    }
    assert.deepEqual(rig.engine.sip!.layer.unanswered(), [], 'every request got its final answer');
    await rig.settle();
    assert.deepEqual(rig.app.requests(), [], 'no torture message became a call');
  } finally {
    for (const s of sockets.values()) s.close();
    probe.close();
    await rig.close();
  }
});

/** A live network on the virtual clock: real sockets, timers that run only when the test says. */
async function liveNetwork() {
  const clock = new VirtualClock();
  const network = new SipNetwork({ clock, listen: { host: '127.0.0.1', port: 0 }, trunks: [], access: new SipAccess({ clock, acceptFrom: ['127.0.0.0/8'] }) });
  // Every inbound call is refused at once, as a number without an application is.
  network.onInbound((leg) => leg.reject('UNALLOCATED_NUMBER'));
  await network.start();
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  const replies: string[] = [];
  sock.on('message', (m) => replies.push(m.toString('latin1')));
  /** Sends and waits until the network has read the datagram. */
  const send = async (data: string | Uint8Array) => {
    const before = network.transports.counters.received;
    sock.send(typeof data === 'string' ? Buffer.from(data, 'latin1') : data, network.port, '127.0.0.1');
    for (let i = 0; i < 500 && network.transports.counters.received === before; i++) await new Promise((r) => setImmediate(r));
  };
  return { clock, network, sock, replies, send, close: async () => (sock.close(), await network.close()) };
}

const invite = (port: number, ruri: string, branch: string, callId: string) =>
  `INVITE ${ruri} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${port};branch=${branch}\r\nFrom: <sip:a@127.0.0.1>;tag=a1\r\nTo: <${ruri}>\r\nCall-ID: ${callId}\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n`;

test('an INVITE with a malformed %-escape gets a final 400; its transaction is gone after Timer H, and a CANCEL then finds nothing', async () => {
  const n = await liveNetwork();
  try {
    const port = n.sock.address().port;
    await n.send(invite(port, 'sip:bad%E0%A4%A@127.0.0.1', 'z9hG4bKesc', 'esc-1'));
    for (let i = 0; i < 100 && !n.replies.some((r) => statusOf(r) >= 200); i++) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(n.replies.map((r) => r.split('\r\n', 1)[0]), ['SIP/2.0 100 Trying', 'SIP/2.0 400 Bad Request (malformed escape)']);
    assert.equal(n.network.layer.size.servers, 1, 'kept until the ACK or Timer H');
    assert.deepEqual(n.network.layer.unanswered(), []);
    n.clock.advance(64 * 500);
    assert.equal(n.network.layer.size.servers, 0, 'Timer H freed it');
    // A From with a malformed escape, likewise.
    n.replies.length = 0;
    await n.send(invite(port, 'sip:15550001@127.0.0.1', 'z9hG4bKesc2', 'esc-2').replace('<sip:a@127.0.0.1>', '<sip:%ZZ@127.0.0.1>'));
    for (let i = 0; i < 100 && !n.replies.some((r) => statusOf(r) >= 200); i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(statusOf(n.replies.at(-1) ?? ''), 400);
    n.replies.length = 0;
    const cancel = invite(port, 'sip:bad%E0%A4%A@127.0.0.1', 'z9hG4bKesc', 'esc-1').replace(/INVITE/g, 'CANCEL');
    await n.send(cancel);
    const toCancel = () => n.replies.find((r) => /^CSeq: 1 CANCEL/m.test(r));
    for (let i = 0; i < 100 && !toCancel(); i++) await new Promise((r) => setTimeout(r, 5));
    assert.match(toCancel() ?? '', /^SIP\/2\.0 481 /);
  } finally {
    await n.close();
  }
});

test('fuzz: mutated torture and ordinary messages never leave a server transaction without a final answer, and the timers free them all', async () => {
  const n = await liveNetwork();
  try {
    const port = n.sock.address().port;
    const seeds = [
      invite(port, 'sip:15550001@127.0.0.1', 'z9hG4bKfz', 'fz'),
      invite(port, 'sip:15550001@127.0.0.1', 'z9hG4bKfz', 'fz').replace(/INVITE/g, 'OPTIONS'),
      ...readdirSync(TORTURE).filter((f) => f.endsWith('.dat')).map((f) => readFileSync(join(TORTURE, f)).toString('latin1')),
    ];
    const mutation = fc.tuple(fc.nat(seeds.length - 1), fc.nat(4000), fc.nat(40), fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('%', '%E0%A4%A', '\r\n', ' ', ';', ',', '<', '"', ':', 'SIP/2.0', 'Require: 100rel\r\n', 'Content-Type: text/x\r\n', '\r\n\r\n')));
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 8 }), async (mutations) => {
        for (const [i, at, del, ins] of mutations) {
          const seed = seeds[i]!;
          const p = Math.min(at, seed.length);
          // A fresh branch and Call-ID per message, so each is a new transaction of its own.
          const msg = (seed.slice(0, p) + ins + seed.slice(p + del)).replace(/branch=z9hG4bK[^\s;,]*/i, `branch=z9hG4bKfz${++sent}`).replace(/^(Call-ID|i)([ \t]*:[ \t]*)/im, `$1$2${sent}-`);
          await n.send(msg);
        }
        assert.deepEqual(n.network.layer.unanswered().map((t) => t.request.method + ' ' + t.request.uri), []);
      }),
      { numRuns: 150 },
    );
    // Timers H, J and L (64*T1), I and K (T4) run out: nothing is kept.
    n.clock.advance(64 * 500 + 5000);
    assert.deepEqual(n.network.layer.size, { clients: 0, servers: 0 });
    assert.equal(n.network.liveLegs, 0);
  } finally {
    await n.close();
  }
});



test('RFC 3581: a request from behind NAT (Via names another address, empty rport) is answered at its source, with received and rport filled in', async () => {
  const n = await liveNetwork();
  try {
    const port = n.sock.address().port;
    const options = `OPTIONS sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 10.9.9.9:5099;rport;branch=z9hG4bKnat\r\nFrom: <sip:p@10.9.9.9>;tag=n\r\nTo: <sip:127.0.0.1>\r\nCall-ID: nat-1\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n`;
    await n.send(options);
    for (let i = 0; i < 100 && n.replies.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    assert.match(n.replies[0] ?? '', /^SIP\/2\.0 200 OK\r\n/);
    assert.match(n.replies[0]!, new RegExp(`\\r\\nVia: SIP/2\\.0/UDP 10\\.9\\.9\\.9:5099;rport=${port};branch=z9hG4bKnat;received=127\\.0\\.0\\.1\\r\\n`));
  } finally {
    await n.close();
  }
});
