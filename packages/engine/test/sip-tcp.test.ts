/**
 * SIP over TCP (RFC 3261 §18) against sipp in `-t t1` mode: outbound calls on a
 * `;transport=tcp` trunk, and inbound calls from a sipp UAC over TCP, one of them dialling a UDP
 * callee (two transports in one call). Exact webhooks, and from sipp's traces that every message
 * went over TCP, with TCP in our Via and Contact. Below the calls, the TCP transport itself against
 * plain sockets: framing, connection reuse both ways, reconnecting, failures.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startSipRig } from './support/sip-rig.ts';
import { freePort, type SippRun } from './support/sipp.ts';
import { pick } from './support/harness.ts';
import { firstLines, inboundCall, outboundCall, paths, traceMessages, B1, DID, HANGUP_KEYS } from './support/sip-calls.ts';
import { Transports, type Peer } from '../src/network/sip/transport.ts';
import { header, type SipMessage, type SipRequest } from '../src/network/sip/message.ts';
import { serialize } from '../src/network/sip/serializer.ts';

/** Every message sipp saw went over `transport`, and what we sent names it in Via (and Contact, where there is one). */
function assertAllOver(run: SippRun, transport: 'TCP' | 'UDP'): void {
  const msgs = traceMessages(run);
  assert.ok(msgs.length >= 4, `sipp traced ${msgs.length} messages`);
  for (const m of msgs) assert.equal(m.transport, transport, m.text.split('\n')[0]);
  for (const m of msgs.filter((x) => !x.sent && !x.text.startsWith('SIP/2.0'))) {
    assert.match(m.text, new RegExp(`^Via: SIP/2\\.0/${transport} `, 'm'), `our Via on ${m.text.split('\n')[0]}`);
    const contact = /^Contact: (.*)$/m.exec(m.text)?.[1];
    if (contact !== undefined) {
      if (transport === 'TCP') assert.match(contact, /;transport=tcp/);
      else assert.doesNotMatch(contact, /transport=tcp/);
    }
  }
}

const OPTIONS = (n: number): SipRequest => ({
  kind: 'request',
  method: 'OPTIONS',
  uri: 'sip:peer@127.0.0.1',
  headers: [
    ['via', `SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bK-tcp-${n}`],
    ['from', '<sip:sb@127.0.0.1>;tag=a'],
    ['to', '<sip:peer@127.0.0.1>'],
    ['call-id', `tcp-${n}`],
    ['cseq', `${n} OPTIONS`],
  ],
  body: '',
});

/** A plain TCP peer: records each connection and the bytes on it. */
async function tcpPeer(onConnection?: (socket: net.Socket, index: number) => void): Promise<{ port: number; received: string[]; sockets: net.Socket[]; close(): Promise<void> }> {
  const received: string[] = [];
  const sockets: net.Socket[] = [];
  const server = net.createServer((socket) => {
    const i = sockets.push(socket) - 1;
    received[i] = '';
    socket.on('data', (d) => (received[i] += d.toString('latin1')));
    socket.on('error', () => {});
    onConnection?.(socket, i);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as net.AddressInfo).port,
    received,
    sockets,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function transports(): Promise<{ t: Transports; got: { msg: SipMessage; from: Peer }[] }> {
  const t = new Transports({ host: '127.0.0.1', port: 0 });
  const got: { msg: SipMessage; from: Peer }[] = [];
  await t.start({ onMessage: (msg, from) => got.push({ msg, from }), onBadMessage: () => {} });
  return { t, got };
}

describe('TCP transport: framing, connection reuse and failures', { concurrency: true }, () => {
  test('a stream split anywhere and glued together frames into whole messages; a CRLF ping gets a pong', async () => {
    const { t, got } = await transports();
    const sock = net.connect({ host: '127.0.0.1', port: t.port });
    try {
      await new Promise<void>((r) => sock.once('connect', () => r()));
      let pong = '';
      sock.on('data', (d) => (pong += d.toString('latin1')));
      const one = serialize({ ...OPTIONS(1), body: 'x'.repeat(10) }).toString('latin1');
      const two = serialize(OPTIONS(2)).toString('latin1');
      const three = serialize(OPTIONS(3)).toString('latin1');
      // Half a message, then the rest glued to a whole one and the head of a third.
      const cut = 37;
      sock.write(one.slice(0, cut));
      await new Promise((r) => setTimeout(r, 50));
      sock.write(one.slice(cut) + two + three.slice(0, 5));
      await new Promise((r) => setTimeout(r, 50));
      sock.write(three.slice(5));
      await until(() => got.length === 3, 'three messages');
      assert.deepEqual(got.map((g) => (g.msg.kind === 'request' ? `${header(g.msg, 'cseq')} ${g.msg.body}` : '')), ['1 OPTIONS xxxxxxxxxx', '2 OPTIONS ', '3 OPTIONS ']);
      assert.deepEqual(new Set(got.map((g) => `${g.from.transport}:${g.from.port}`)), new Set([`tcp:${sock.localPort}`]));
      sock.write('\r\n\r\n');
      await until(() => pong === '\r\n', 'the pong');
      assert.equal(t.counters.malformed, 0);
    } finally {
      sock.destroy();
      await t.close();
    }
  });

  test('what we send to a peer that connected to us goes back on its connection', async () => {
    const { t, got } = await transports();
    const sock = net.connect({ host: '127.0.0.1', port: t.port });
    let back = '';
    sock.on('data', (d) => (back += d.toString('latin1')));
    try {
      sock.write(serialize(OPTIONS(1)));
      await until(() => got.length === 1, 'the request');
      t.send(OPTIONS(2), got[0]!.from);
      await until(() => back.includes('CSeq: 2 OPTIONS'), 'our request on the same connection');
    } finally {
      sock.destroy();
      await t.close();
    }
  });

  test('one connection per peer, reused; after the peer closes it, the next message opens a new one', async () => {
    const { t } = await transports();
    const peer = await tcpPeer();
    const to: Peer = { transport: 'tcp', address: '127.0.0.1', port: peer.port };
    try {
      t.send(OPTIONS(1), to);
      t.send(OPTIONS(2), to);
      await until(() => (peer.received[0] ?? '').includes('CSeq: 2 OPTIONS'), 'both messages');
      assert.equal(peer.sockets.length, 1, 'reused while open');
      peer.sockets[0]!.end();
      await new Promise((r) => setTimeout(r, 100));
      const errors: Error[] = [];
      t.send(OPTIONS(3), to, (e) => errors.push(e));
      await until(() => (peer.received[1] ?? '').includes('CSeq: 3 OPTIONS'), 'the message on a new connection');
      assert.deepEqual(errors, []);
      assert.equal(peer.sockets.length, 2);
    } finally {
      await peer.close();
      await t.close();
    }
  });

  test('connect refused: every message queued on the failed connection reports the error', async () => {
    const { t } = await transports();
    const port = await freePort();
    try {
      const errors: string[] = [];
      t.send(OPTIONS(1), { transport: 'tcp', address: '127.0.0.1', port }, () => errors.push('first'));
      t.send(OPTIONS(2), { transport: 'tcp', address: '127.0.0.1', port }, () => errors.push('second'));
      await until(() => errors.length === 2, 'both errors');
      assert.deepEqual(errors.sort(), ['first', 'second']);
    } finally {
      await t.close();
    }
  });
});

const tcpTrunk = (port: number) => `sip:127.0.0.1:${port};transport=tcp`;

describe('SIP over TCP with sipp -t t1', { concurrency: true }, () => {
  test('outbound on a ;transport=tcp trunk: uas-answer.xml answers, the XML ends, we BYE over TCP', () =>
    outboundCall({ sipp: { scenario: 'uas-answer.xml', transport: 'tcp', pauseMs: 500 }, trunk: tcpTrunk, answerXml: '<Response><Wait length="2"/></Response>' }, (rig, uas) => {
      assert.deepEqual(paths(rig), ['/ring', '/answer', '/hangup']);
      const hangup = rig.app.requests('/hangup')[0]!;
      assert.deepEqual(pick(hangup, HANGUP_KEYS), { Event: 'Hangup', CallStatus: 'completed', HangupCause: 'NORMAL_CLEARING', HangupCauseCode: '4010', HangupSource: 'Plivo', Direction: 'outbound' });
      assert.equal(hangup.params.Duration, '2');
      assert.equal(rig.app.requests('/answer')[0]!.params.CallStatus, 'in-progress');
      assertAllOver(uas, 'TCP');
      assert.deepEqual(firstLines(uas, false).map((l) => l.split(' ')[0]), ['INVITE', 'ACK', 'BYE'], 'no retransmissions over TCP');
      assert.match(firstLines(uas, false)[0]!, /^INVITE sip:15551110001@127\.0\.0\.1:\d+;transport=tcp SIP\/2\.0$/);
    }));

  test('outbound on a ;transport=tcp trunk: uas-answer-then-bye.xml hangs up itself over TCP', () =>
    outboundCall({ sipp: { scenario: 'uas-answer-then-bye.xml', transport: 'tcp', pauseMs: 1500 }, trunk: tcpTrunk, answerXml: '<Response><Wait length="30"/></Response>' }, (rig, uas) => {
      assert.deepEqual(paths(rig), ['/ring', '/answer', '/hangup']);
      assert.deepEqual(pick(rig.app.requests('/hangup')[0]!, HANGUP_KEYS), { Event: 'Hangup', CallStatus: 'completed', HangupCause: 'NORMAL_CLEARING', HangupCauseCode: '4000', HangupSource: 'Caller', Direction: 'outbound' });
      assertAllOver(uas, 'TCP');
      assert.ok(firstLines(uas, false).includes('SIP/2.0 200 OK'), 'our 200 to the BYE came back on TCP');
    }));

  test('outbound on a ;transport=tcp trunk where nothing listens: connection refused -> failed, DESTINATION_OUT_OF_ORDER', async () => {
    const port = await freePort();
    const rig = await startSipRig({ trunks: `sip:127.0.0.1:${port};transport=tcp` });
    try {
      const res = await rig.api('POST', 'Call/', { from: '+15550000000', to: '+15551110001', answer_url: rig.app.url('/answer'), hangup_url: rig.app.url('/hangup') });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      const started = Date.now();
      await rig.waitFor('/hangup', 1, 10_000);
      assert.ok(Date.now() - started < 5000, 'a refused connection fails the leg at once, not after Timer B');
      await rig.settle();
      assert.deepEqual(paths(rig), ['/hangup']);
      assert.deepEqual(pick(rig.app.requests('/hangup')[0]!, HANGUP_KEYS), { Event: 'Hangup', CallStatus: 'failed', HangupCause: 'DESTINATION_OUT_OF_ORDER', HangupCauseCode: '2010', HangupSource: 'Carrier', Direction: 'outbound' });
    } finally {
      await rig.close();
    }
  });

  test('inbound over TCP: uac-invite-wait-bye.xml, <Speak> answers, the engine BYEs the caller on the same connection', () =>
    inboundCall({ caller: { scenario: 'uac-invite-wait-bye.xml', transport: 'tcp' }, xml: '<Response><Speak>hi</Speak></Response>' }, (rig, uac) => {
      assert.deepEqual(paths(rig), ['/inbound', '/hangup']);
      assert.deepEqual(pick(rig.app.requests('/inbound')[0]!, ['Event', 'Direction', 'From', 'To', 'CallStatus']), { Event: 'StartApp', Direction: 'inbound', From: 'sipp', To: DID, CallStatus: 'ringing' });
      assert.deepEqual(pick(rig.app.requests('/hangup')[0]!, HANGUP_KEYS), { Event: 'Hangup', CallStatus: 'completed', HangupCause: 'NORMAL_CLEARING', HangupCauseCode: '4010', HangupSource: 'Plivo', Direction: 'inbound' });
      assertAllOver(uac, 'TCP');
      const received = firstLines(uac, false);
      assert.deepEqual(received.filter((l) => !l.startsWith('SIP/2.0 1')), ['SIP/2.0 200 OK', received.find((l) => l.startsWith('BYE '))!], 'one 200 (no retransmission over TCP), then our BYE');
      assert.match(received.at(-1)!, /^BYE sip:sipp@127\.0\.0\.1:\d+ SIP\/2\.0$/);
    }));

  test('inbound over TCP dialling a UDP callee: the caller on TCP, the callee on UDP, SDP passed through', () =>
    inboundCall(
      {
        caller: { scenario: 'uac-invite-bye.xml', transport: 'tcp', pauseMs: 1500 },
        callees: [{ scenario: 'uas-answer.xml' }],
        xml: (rig) => `<Response><Dial action="${rig.app.url('/action')}" callbackUrl="${rig.app.url('/cb')}"><Number>${B1}</Number></Dial></Response>`,
      },
      (rig, uac, [callee]) => {
        assert.deepEqual(paths(rig), ['/inbound', '/cb:answer', '/cb:connected', '/cb:hangup', '/action', '/hangup']);
        assert.deepEqual(pick(rig.app.requests('/action')[0]!, ['DialStatus', 'DialHangupCause']), { DialStatus: 'completed', DialHangupCause: 'NORMAL_CLEARING' });
        assert.deepEqual(pick(rig.app.requests('/hangup')[0]!, HANGUP_KEYS), { Event: 'Hangup', CallStatus: 'completed', HangupCause: 'NORMAL_CLEARING', HangupCauseCode: '4000', HangupSource: 'Caller', Direction: 'inbound' });
        assertAllOver(uac, 'TCP');
        assertAllOver(callee!, 'UDP');
        const calleeText = traceMessages(callee!).map((m) => m.text).join('\n');
        const uacText = traceMessages(uac).map((m) => m.text).join('\n');
        const aPort = /^INVITE sip:[\s\S]*?m=audio (\d+)/m.exec(uacText)?.[1];
        const bPort = /^SIP\/2\.0 200 OK[\s\S]*?m=audio (\d+)/m.exec(calleeText)?.[1];
        assert.match(calleeText, new RegExp(`^INVITE sip:${B1}@[\\s\\S]*?m=audio ${aPort} `, 'm'), "the callee is offered the caller's media");
        const ok = traceMessages(uac).find((m) => !m.sent && m.text.startsWith('SIP/2.0 200 OK') && /INVITE/.test(/^CSeq: (.*)$/m.exec(m.text)?.[1] ?? ''));
        assert.match(ok?.text ?? '', new RegExp(`m=audio ${bPort} `), "the caller's 200 carries the callee's media");
      },
    ));
});
