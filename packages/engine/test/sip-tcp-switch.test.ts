/**
 * RFC 3261 §18.1.1 and §18.2.2 on the wire. A request larger than 1300 bytes (the path MTU being
 * unknown) that would go over UDP goes over TCP to the same address and port, its Via and Contact
 * saying TCP; when that connection is refused it goes over UDP after all. Small requests stay on
 * UDP. A response whose TCP connection is gone goes on a new connection to the Via's sent-by.
 * Against a plain peer (a UDP socket and a TCP listener on one port, node:dgram and node:net) and
 * a sipp UAS in `-t t1` mode behind a UDP trunk.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import { startSipRig, AUTH_TOKEN, type SipRig } from './support/sip-rig.ts';
import { startSipp, expectSippOk, freePort } from './support/sipp.ts';
import { header as tracedHeader, startLine, traceMessages, HANGUP_KEYS } from './support/sip-calls.ts';
import { pick } from './support/harness.ts';
import { parseMessage, StreamFramer } from '../src/network/sip/parser.ts';
import { serialize } from '../src/network/sip/serializer.ts';
import { header, type SipMessage, type SipRequest } from '../src/network/sip/message.ts';
import { DEFAULT_TIMERS, responseTo, TransactionLayer, UDP_MAX_REQUEST, type ServerTransaction } from '../src/network/sip/transactions.ts';
import { Transports } from '../src/network/sip/transport.ts';
import { RealClock } from '../src/clock.ts';


/** Eight X-PH- headers of 120 characters: about 1 KB on top of the INVITE. */
const BIG_HEADERS = Array.from({ length: 8 }, (_, i) => `Pad${i}=${String(i).repeat(120)}`).join(',');

interface Got {
  readonly transport: 'UDP' | 'TCP';
  readonly msg: SipMessage;
  readonly bytes: number;
}

/**
 * A SIP peer from plain sockets: UDP on a port and, unless `tcp` is false, TCP on the same one. It
 * answers every INVITE 486 on the transport it came on, and records what it got.
 */
async function plainPeer(tcp: boolean) {
  const got: Got[] = [];
  const udp = dgram.createSocket('udp4');
  const port = await freePort();
  await new Promise<void>((r) => udp.bind(port, '127.0.0.1', () => r()));
  const busy = (req: SipRequest) => serialize(responseTo(req, 486, [], '', 'peer'));
  udp.on('message', (buf, rinfo) => {
    const r = parseMessage(buf);
    if (!r.ok) return;
    got.push({ transport: 'UDP', msg: r.message, bytes: buf.length });
    if (r.message.kind === 'request' && r.message.method === 'INVITE') udp.send(busy(r.message), rinfo.port, rinfo.address);
  });
  const sockets: net.Socket[] = [];
  const server = tcp
    ? net.createServer((socket) => {
        sockets.push(socket);
        const framer = new StreamFramer();
        socket.on('error', () => {});
        socket.on('data', (chunk) => {
          for (const buf of framer.push(chunk).messages) {
            const r = parseMessage(buf);
            if (!r.ok) continue;
            got.push({ transport: 'TCP', msg: r.message, bytes: buf.length });
            if (r.message.kind === 'request' && r.message.method === 'INVITE') socket.write(busy(r.message));
          }
        });
      })
    : undefined;
  if (server) await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  return {
    port,
    got,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
      await new Promise<void>((r) => udp.close(() => r()));
    },
  };
}

const requests = (got: Got[], method: string) => got.filter((g) => g.msg.kind === 'request' && g.msg.method === method);

/** One API call to the plain peer on a UDP trunk, `sip_headers` making the INVITE big or not. */
async function callPlain(tcp: boolean, sipHeaders: string | undefined, check: (rig: SipRig, got: Got[]) => void): Promise<void> {
  const peer = await plainPeer(tcp);
  const rig = await startSipRig({ trunks: `sip:127.0.0.1:${peer.port}` });
  try {
    const res = await rig.api('POST', 'Call/', {
      from: '+15550000000',
      to: '+15551110001',
      answer_url: rig.app.url('/answer'),
      hangup_url: rig.app.url('/hangup'),
      ...(sipHeaders ? { sip_headers: sipHeaders } : {}),
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    await rig.waitFor('/hangup');
    await rig.settle();
    // The ACK follows the 486 within the same turn or the next few milliseconds.
    const until = Date.now() + 5000;
    while (requests(peer.got, 'ACK').length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    check(rig, peer.got);
    rig.app.assertAllSigned({ authToken: AUTH_TOKEN, mainAuthToken: AUTH_TOKEN });
  } finally {
    await rig.close();
    await peer.close();
  }
}

const BUSY = { Event: 'Hangup', CallStatus: 'busy', HangupCause: 'USER_BUSY', HangupCauseCode: '3000', HangupSource: 'Callee', Direction: 'outbound' };

describe('big requests over UDP go over TCP (§18.1.1)', { concurrency: true }, () => {
  test('an INVITE over 1300 bytes goes over TCP to the UDP trunk\'s address and port: Via and Contact say TCP, the ACK follows it', () =>
    callPlain(true, BIG_HEADERS, (rig, got) => {
      assert.deepEqual(pick(rig.app.requests('/hangup')[0]!, HANGUP_KEYS), BUSY);
      assert.equal(rig.app.requests('/hangup')[0]!.params['X-PH-Pad0'], '0'.repeat(120), 'the headers reached the webhooks too');
      const [invite, ...more] = requests(got, 'INVITE');
      assert.ok(invite, 'the INVITE arrived');
      assert.equal(more.length, 0, 'no retransmission over TCP');
      assert.equal(invite.transport, 'TCP');
      assert.ok(invite.bytes > UDP_MAX_REQUEST, `${invite.bytes} bytes`);
      const inv = invite.msg as SipRequest;
      assert.match(header(inv, 'via')!, /^SIP\/2\.0\/TCP 127\.0\.0\.1:\d+;rport;branch=z9hG4bK/);
      assert.match(header(inv, 'contact')!, /^<sip:15550000000@127\.0\.0\.1:\d+;transport=tcp>$/);
      assert.equal(header(inv, 'x-ph-pad7'), '7'.repeat(120));
      assert.doesNotMatch(inv.uri, /transport=/, 'the Request-URI is the trunk\'s');
      const [ack] = requests(got, 'ACK');
      assert.equal(ack?.transport, 'TCP', 'the ACK for the 486 goes the way the INVITE went');
      assert.equal(header(ack!.msg, 'via'), header(inv, 'via'), 'in the INVITE\'s transaction');
      assert.equal(got.filter((g) => g.transport === 'UDP').length, 0, 'nothing over UDP');
    }));

  test('a small INVITE stays on UDP', () =>
    callPlain(true, undefined, (rig, got) => {
      assert.deepEqual(pick(rig.app.requests('/hangup')[0]!, HANGUP_KEYS), BUSY);
      const [invite] = requests(got, 'INVITE');
      assert.equal(invite?.transport, 'UDP');
      assert.ok(invite!.bytes <= UDP_MAX_REQUEST, `${invite!.bytes} bytes`);
      assert.match(header(invite!.msg, 'via')!, /^SIP\/2\.0\/UDP /);
      assert.doesNotMatch(header(invite!.msg, 'contact')!, /transport=/);
      assert.equal(got.filter((g) => g.transport === 'TCP').length, 0, 'nothing over TCP');
    }));

  test('the TCP connection is refused: the big INVITE goes over UDP after all, saying UDP', () =>
    callPlain(false, BIG_HEADERS, (rig, got) => {
      assert.deepEqual(pick(rig.app.requests('/hangup')[0]!, HANGUP_KEYS), BUSY);
      const invites = requests(got, 'INVITE');
      assert.ok(invites.length >= 1);
      for (const i of invites) {
        assert.equal(i.transport, 'UDP');
        assert.ok(i.bytes > UDP_MAX_REQUEST);
        assert.match(header(i.msg, 'via')!, /^SIP\/2\.0\/UDP /);
        assert.doesNotMatch(header(i.msg, 'contact')!, /transport=/);
      }
      assert.equal(new Set(invites.map((i) => header(i.msg, 'via'))).size, 1, 'one transaction');
      assert.equal(requests(got, 'ACK')[0]?.transport, 'UDP');
    }));

  test('sipp -t t1 behind a UDP trunk: the big INVITE reaches it over TCP, the call is answered, ACK and BYE go over TCP saying TCP', async () => {
    const uas = await startSipp({ scenario: 'uas-answer.xml', transport: 'tcp' });
    const rig = await startSipRig({ trunks: `sip:127.0.0.1:${uas.port}` });
    try {
      rig.app.on('/answer', '<Response><Wait length="1"/></Response>');
      const res = await rig.api('POST', 'Call/', { from: '+15550000000', to: '+15551110001', answer_url: rig.app.url('/answer'), hangup_url: rig.app.url('/hangup'), sip_headers: BIG_HEADERS });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      await rig.waitFor('/hangup');
      await rig.settle();
      await expectSippOk(uas, 'uas-answer.xml');
      const got = traceMessages(uas)
        .filter((m) => !m.sent)
        .map((m) => [m.transport, startLine(m).split(' ')[0], tracedHeader(m, 'via')?.split(' ')[0]]);
      assert.deepEqual(got, [
        ['TCP', 'INVITE', 'SIP/2.0/TCP'],
        ['TCP', 'ACK', 'SIP/2.0/TCP'],
        ['TCP', 'BYE', 'SIP/2.0/TCP'],
      ], uas.log());
      assert.equal(rig.app.requests('/hangup')[0]!.params.CallStatus, 'completed');
    } finally {
      uas.kill();
      await rig.close();
    }
  });
});

describe('a response whose TCP connection is gone (§18.2.2)', () => {
  test('goes on a new connection to the address it came from and the port of the Via\'s sent-by', async () => {
    const transports = new Transports({ host: '127.0.0.1', port: 0 });
    const txs: ServerTransaction[] = [];
    const layer = new TransactionLayer(transports, new RealClock(), DEFAULT_TIMERS, {
      onRequest: (_req, tx) => txs.push(tx),
      onAck: () => {},
      onCancel: () => {},
      onStrayResponse: () => {},
    });
    await transports.start({
      onMessage: (m, from) => (m.kind === 'request' ? layer.receiveRequest(m, from) : layer.receiveResponse(m, from)),
      onBadMessage: () => {},
    });
    // The peer's listening side, the port its Via names.
    const accepted: string[] = [];
    const listener = net.createServer((s) => {
      const i = accepted.push('') - 1;
      s.on('data', (d) => (accepted[i] += d.toString('latin1')));
    });
    await new Promise<void>((r) => listener.listen(0, '127.0.0.1', () => r()));
    const sentBy = (listener.address() as net.AddressInfo).port;
    const request = (n: number): SipRequest => ({
      kind: 'request',
      method: 'OPTIONS',
      uri: `sip:sb@127.0.0.1:${transports.port}`,
      headers: [
        ['via', `SIP/2.0/TCP 127.0.0.1:${sentBy};branch=z9hG4bK-gone-${n}`],
        ['from', '<sip:peer@127.0.0.1>;tag=p'],
        ['to', '<sip:sb@127.0.0.1>'],
        ['call-id', `gone-${n}`],
        ['cseq', `${n} OPTIONS`],
      ],
      body: '',
    });
    const until = async (cond: () => boolean, what: string) => {
      const end = Date.now() + 5000;
      while (!cond()) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    const client = net.connect({ host: '127.0.0.1', port: transports.port });
    let onOwn = '';
    client.on('data', (d) => (onOwn += d.toString('latin1')));
    try {
      await new Promise<void>((r) => client.once('connect', () => r()));
      // While the connection is open the response goes back on it.
      client.write(serialize(request(1)));
      await until(() => txs.length === 1, 'the first request');
      txs[0]!.respond(responseTo(txs[0]!.request, 200));
      await until(() => onOwn.includes('CSeq: 1 OPTIONS'), 'the response on the same connection');
      // Then the peer goes away before we answer its second request.
      client.write(serialize(request(2)));
      await until(() => txs.length === 2, 'the second request');
      client.destroy();
      await until(() => !transports.isOpen(txs[1]!.source), 'the connection to close');
      txs[1]!.respond(responseTo(txs[1]!.request, 200));
      await until(() => accepted.some((a) => a.includes('CSeq: 2 OPTIONS')), 'the response on a new connection to the sent-by port');
      assert.match(accepted.find((a) => a.includes('CSeq: 2 OPTIONS'))!, /^SIP\/2\.0 200 OK\r\n/);
      assert.equal(accepted.length, 1);
    } finally {
      client.destroy();
      layer.clear();
      await transports.close();
      await new Promise<void>((r) => listener.close(() => r()));
    }
  });
});
