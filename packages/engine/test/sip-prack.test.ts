/**
 * Reliable provisional responses (RFC 3262, issue 20 item 3): a caller that requires 100rel gets
 * every 18x with Require: 100rel and consecutive RSeqs, one at a time, each PRACKed before the next
 * and before the 2xx; a trunk's reliable 183 is PRACKed (RAck) and the dialog's CSeq goes on past
 * the PRACK. On the network alone with a short T1: an unPRACKed 180 is resent T1 doubling and the
 * INVITE gets a 5xx after 64*T1; a PRACK that names no such response gets 481.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { RealClock } from '../src/clock.ts';
import { SipNetwork } from '../src/network/sip/sip-network.ts';
import { SipAccess } from '../src/network/sip/access.ts';
import { parseMessage } from '../src/network/sip/parser.ts';
import { serialize } from '../src/network/sip/serializer.ts';
import { header, type SipResponse } from '../src/network/sip/message.ts';
import type { LegEvent } from '../src/network/network.ts';
import { inboundCall, paths, findMessages, header as tracedHeader, body, B1 } from './support/sip-calls.ts';

describe('RFC 3262 against sipp', () => {
  test('a caller that requires 100rel, a callee with reliable early media: 180 and 183 PRACKed in turn, then 200; the callee PRACKed', () =>
    inboundCall(
      {
        caller: { scenario: 'uac-invite-100rel-bye.xml', pauseMs: 500 },
        callees: [{ scenario: 'uas-reliable-early-answer.xml', pauseMs: 800 }],
        xml: (rig) => `<Response><Dial action="${rig.app.url('/action')}"><Number>${B1}</Number></Dial></Response>`,
      },
      (rig, uac, [callee]) => {
        assert.deepEqual(paths(rig), ['/inbound', '/action', '/hangup']);
        assert.equal(rig.app.requests('/action')[0]!.params.DialStatus, 'completed');
        // The caller: 180 then 183, each reliable, RSeqs consecutive; each PRACK answered 200.
        const [r180] = findMessages(uac, 'SIP/2.0 180', { sent: false });
        const [r183] = findMessages(uac, 'SIP/2.0 183', { sent: false });
        assert.ok(r180 && r183);
        assert.equal(tracedHeader(r180, 'Require'), '100rel');
        assert.equal(tracedHeader(r183, 'Require'), '100rel');
        assert.equal(Number(tracedHeader(r183, 'RSeq')), Number(tracedHeader(r180, 'RSeq')) + 1);
        const [c183] = findMessages(callee!, 'SIP/2.0 183', { sent: true });
        assert.equal(/^m=.*$/m.exec(body(r183))?.[0], /^m=.*$/m.exec(body(c183!))?.[0], "the 183 carries the callee's early media");
        assert.equal(findMessages(uac, 'SIP/2.0 200', { sent: false, cseq: '2 PRACK' }).length >= 1, true);
        assert.equal(findMessages(uac, 'SIP/2.0 200', { sent: false, cseq: '3 PRACK' }).length >= 1, true);
        // The callee: our INVITE says Supported: 100rel; its 183 got one PRACK with RAck 1 1 INVITE,
        // and the BYE's CSeq is past the PRACK's.
        const [invite] = findMessages(callee!, 'INVITE', { sent: false });
        assert.equal(tracedHeader(invite!, 'Supported'), '100rel');
        const pracks = findMessages(callee!, 'PRACK', { sent: false });
        assert.equal(pracks.length, 1);
        assert.equal(tracedHeader(pracks[0]!, 'RAck'), '1 1 INVITE');
        assert.equal(tracedHeader(pracks[0]!, 'CSeq'), '2 PRACK');
        const [bye] = findMessages(callee!, 'BYE', { sent: false });
        assert.equal(tracedHeader(bye!, 'CSeq'), '3 BYE');
      },
    ));
});

describe('RFC 3262 on the SIP network alone (T1 = 20 ms, so 64*T1 is 1.28 s)', () => {
  async function rig() {
    const clock = new RealClock();
    const network = new SipNetwork({ clock, listen: { host: '127.0.0.1', port: 0 }, trunks: [], timers: { t1: 20 }, access: new SipAccess({ clock, acceptFrom: ['127.0.0.1'] }) });
    await network.start();
    const events: LegEvent[] = [];
    let ended!: () => void;
    const over = new Promise<void>((r) => (ended = r));
    network.onInbound((leg) =>
      leg.onEvent((e) => {
        events.push(e);
        if (e.type === 'ended') ended();
      }),
    );
    const socket = dgram.createSocket('udp4');
    const got: { at: number; res: SipResponse }[] = [];
    const start = Date.now();
    socket.on('message', (buf) => {
      const r = parseMessage(buf);
      if (r.ok && r.message.kind === 'response') got.push({ at: Date.now() - start, res: r.message });
    });
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
    const port = socket.address().port;
    const send = (text: string) => socket.send(Buffer.from(text.replace(/\n/g, '\r\n')), network.port, '127.0.0.1');
    const invite = (extra: string) =>
      send(`INVITE sip:1555@127.0.0.1:${network.port} SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bKinv1\nFrom: <sip:a@127.0.0.1>;tag=ft\nTo: <sip:1555@127.0.0.1>\nCall-ID: prack-1\nCSeq: 7 INVITE\nContact: <sip:a@127.0.0.1:${port}>\nMax-Forwards: 70\n${extra}Content-Length: 0\n\n`);
    const prack = (branch: string, seq: number, rack: string, toTag: string) =>
      send(`PRACK sip:1555@127.0.0.1:${network.port} SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:${port};branch=${branch}\nFrom: <sip:a@127.0.0.1>;tag=ft\nTo: <sip:1555@127.0.0.1>;tag=${toTag}\nCall-ID: prack-1\nCSeq: ${seq} PRACK\nRAck: ${rack}\nMax-Forwards: 70\nContent-Length: 0\n\n`);
    const waitFor = async (pred: () => boolean, ms = 5000) => {
      const until = Date.now() + ms;
      while (!pred()) {
        if (Date.now() > until) throw new Error(`timed out; got ${got.map((g) => `${g.res.status} ${header(g.res, 'cseq')}`).join(', ')}`);
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    return {
      network, events, over, got, invite, prack, waitFor,
      async close() {
        await new Promise<void>((r) => socket.close(() => r()));
        await network.close();
      },
    };
  }

  test('no PRACK: the 180 is resent with the same RSeq, T1 doubling, and after 64*T1 the INVITE gets 500 and the leg ends timeout', async () => {
    const r = await rig();
    try {
      r.invite('Supported: 100rel\n');
      await r.over;
      await r.waitFor(() => r.got.some((g) => g.res.status === 500));
      const ringing = r.got.filter((g) => g.res.status === 180);
      assert.ok(ringing.length >= 5 && ringing.length <= 7, `${ringing.length} 180s`);
      assert.equal(new Set(ringing.map((g) => header(g.res, 'rseq'))).size, 1, 'one RSeq: retransmissions');
      assert.equal(header(ringing[0]!.res, 'require'), '100rel');
      // Gaps double: 20, 40, 80, 160, 320, 640 ms (a loaded machine adds some to each).
      const gaps = ringing.slice(1).map((g, i) => g.at - ringing[i]!.at);
      assert.ok(gaps[0]! < 200 && gaps.at(-1)! >= 300, `gaps ${gaps.join(', ')}`);
      const final = r.got.find((g) => g.res.status === 500)!;
      assert.equal(header(final.res, 'cseq'), '7 INVITE');
      assert.ok(final.at >= 1200, `500 after ${final.at} ms`);
      assert.deepEqual(r.events, [{ type: 'ended', reason: 'timeout' }]);
    } finally {
      await r.close();
    }
  });

  test('a PRACK with the wrong RAck gets 481 and the 180 goes on; the right one gets 200 and it stops', async () => {
    const r = await rig();
    try {
      r.invite('Require: 100rel\n');
      await r.waitFor(() => r.got.some((g) => g.res.status === 180));
      const first = r.got.find((g) => g.res.status === 180)!.res;
      const rseq = Number(header(first, 'rseq'));
      const toTag = /tag=([^;]+)/.exec(header(first, 'to') ?? '')![1]!;
      r.prack('z9hG4bKp1', 8, `${rseq + 1} 7 INVITE`, toTag);
      await r.waitFor(() => r.got.some((g) => g.res.status === 481));
      r.prack('z9hG4bKp2', 9, `${rseq} 7 INVITE`, toTag);
      await r.waitFor(() => r.got.some((g) => g.res.status === 200 && header(g.res, 'cseq') === '9 PRACK'));
      const acked = Date.now();
      const before = r.got.filter((g) => g.res.status === 180).length;
      await new Promise((res) => setTimeout(res, 400));
      assert.equal(r.got.filter((g) => g.res.status === 180).length, before, `no 180 after the PRACK (${acked})`);
      assert.equal(r.got.some((g) => g.res.status >= 300 && header(g.res, 'cseq') === '7 INVITE'), false, 'the INVITE is still ringing');
    } finally {
      await r.close();
    }
  });
});
