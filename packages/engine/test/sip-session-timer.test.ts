/**
 * Session timers (RFC 4028, issue 20 item 3) on the SIP network alone, with our minimum shrunk to
 * 2 s so the intervals run in seconds: 422 below the minimum, the interval and refresher in our
 * 2xx, a BYE when the refresher stays silent, our own UPDATE refreshes at half the interval when we
 * refresh, a party's refresh restarting the timer, and a refresh answered 481 ending the call.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { RealClock } from '../src/clock.ts';
import { SipNetwork } from '../src/network/sip/sip-network.ts';
import { SipAccess } from '../src/network/sip/access.ts';
import { parseMessage } from '../src/network/sip/parser.ts';
import { serialize } from '../src/network/sip/serializer.ts';
import { responseTo } from '../src/network/sip/transactions.ts';
import { header, type SipMessage, type SipRequest } from '../src/network/sip/message.ts';
import type { LegEvent } from '../src/network/network.ts';
import { sessionExpiresOf, uasTimer } from '../src/network/sip/session-timer.ts';
import { outboundCall, findMessages, header as tracedHeader } from './support/sip-calls.ts';

async function rig(answerRequests: (req: SipRequest) => number | undefined = () => 200) {
  const clock = new RealClock();
  const network = new SipNetwork({ clock, listen: { host: '127.0.0.1', port: 0 }, trunks: [], sessionMinSE: 2, access: new SipAccess({ clock, acceptFrom: ['127.0.0.1'] }) });
  await network.start();
  const events: LegEvent[] = [];
  let ended!: () => void;
  const over = new Promise<void>((r) => (ended = r));
  network.onInbound((leg) => {
    leg.onEvent((e) => {
      events.push(e);
      if (e.type === 'ended') ended();
    });
    leg.answer();
  });
  const socket = dgram.createSocket('udp4');
  const got: { at: number; msg: SipMessage }[] = [];
  const start = Date.now();
  socket.on('message', (buf, rinfo) => {
    const r = parseMessage(buf);
    if (!r.ok) return;
    got.push({ at: Date.now() - start, msg: r.message });
    if (r.message.kind === 'request' && r.message.method !== 'ACK') {
      const status = answerRequests(r.message);
      if (status !== undefined) socket.send(serialize(responseTo(r.message, status, r.message.method === 'UPDATE' ? [['session-expires', header(r.message, 'session-expires') ?? '']] : [])), rinfo.port, rinfo.address);
    }
  });
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  const port = socket.address().port;
  const send = (text: string) => socket.send(Buffer.from(text.replace(/\n/g, '\r\n')), network.port, '127.0.0.1');
  const dialogHeaders = (toTag: string, cseq: string, branch: string) =>
    `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=${branch}\nFrom: <sip:a@127.0.0.1>;tag=ft\nTo: <sip:1555@127.0.0.1>${toTag ? `;tag=${toTag}` : ''}\nCall-ID: st-1\nCSeq: ${cseq}\nContact: <sip:a@127.0.0.1:${port}>\nMax-Forwards: 70\n`;
  const sdp = 'v=0\no=a 1 1 IN IP4 127.0.0.1\ns=-\nc=IN IP4 127.0.0.1\nt=0 0\nm=audio 4000 RTP/AVP 0\n';
  let toTag = '';
  const responses = (status: number) => got.filter((g) => g.msg.kind === 'response' && g.msg.status === status);
  const requests = (method: string) => got.filter((g) => g.msg.kind === 'request' && g.msg.method === method);
  const waitFor = async (pred: () => boolean, ms = 8000) => {
    const until = Date.now() + ms;
    while (!pred()) {
      if (Date.now() > until) throw new Error(`timed out; got ${got.map((g) => (g.msg.kind === 'response' ? g.msg.status : g.msg.method)).join(', ')}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  return {
    events, over, got, responses, requests, waitFor, start,
    invite(extra: string) {
      send(`INVITE sip:1555@127.0.0.1:${network.port} SIP/2.0\n${dialogHeaders('', '7 INVITE', 'z9hG4bKinv')}${extra}Content-Type: application/sdp\nContent-Length: ${Buffer.byteLength(sdp.replace(/\n/g, '\r\n'))}\n\n${sdp}`);
    },
    /** Waits for the 200, reads the dialog's tag, and ACKs it. */
    async ack() {
      await waitFor(() => responses(200).length > 0);
      const ok = responses(200)[0]!.msg;
      toTag = /tag=([^;]+)/.exec(header(ok, 'to') ?? '')![1]!;
      send(`ACK sip:1555@127.0.0.1:${network.port} SIP/2.0\n${dialogHeaders(toTag, '7 ACK', 'z9hG4bKack')}Content-Length: 0\n\n`);
      return ok;
    },
    update(cseq: number, extra: string) {
      send(`UPDATE sip:1555@127.0.0.1:${network.port} SIP/2.0\n${dialogHeaders(toTag, `${cseq} UPDATE`, `z9hG4bKup${cseq}`)}${extra}Content-Length: 0\n\n`);
    },
    async close() {
      await new Promise<void>((r) => socket.close(() => r()));
      await network.close();
    },
  };
}

describe('RFC 4028 session timers on the SIP network alone (our Min-SE: 2 s)', () => {
  test('Session-Expires below our minimum from a caller that supports timers: 422 with Min-SE, no leg', async () => {
    const r = await rig();
    try {
      r.invite('Supported: timer\nSession-Expires: 1\n');
      await r.waitFor(() => r.responses(422).length > 0);
      assert.equal(header(r.responses(422)[0]!.msg, 'min-se'), '2');
      assert.deepEqual(r.events, []);
    } finally {
      await r.close();
    }
  });

  test('the caller refreshes (refresher=uac) but never does: our 200 says so with Require: timer, and BYE comes at 3 - 1 s', async () => {
    const r = await rig();
    try {
      r.invite('Supported: timer\nSession-Expires: 3\n');
      const ok = await r.ack();
      assert.equal(header(ok, 'session-expires'), '3;refresher=uac');
      assert.equal(header(ok, 'require'), 'timer');
      await r.over;
      await r.waitFor(() => r.requests('BYE').length > 0);
      const bye = r.requests('BYE')[0]!;
      assert.ok(bye.at >= 1800 && bye.at < 4000, `BYE after ${bye.at} ms`);
      assert.match(header(bye.msg, 'reason') ?? '', /cause=102/);
      assert.deepEqual(r.events.slice(-1), [{ type: 'ended', reason: 'timeout' }]);
      assert.equal(r.requests('UPDATE').length, 0, 'we do not refresh for the caller');
    } finally {
      await r.close();
    }
  });

  test("the caller's UPDATE refreshes the session: our 200 restates the interval, and the BYE moves back", async () => {
    const r = await rig();
    try {
      r.invite('Supported: timer\nSession-Expires: 3;refresher=uac\n');
      await r.ack();
      await new Promise((res) => setTimeout(res, 1200));
      r.update(8, 'Supported: timer\nSession-Expires: 3;refresher=uac\n');
      await r.waitFor(() => r.got.some((g) => g.msg.kind === 'response' && header(g.msg, 'cseq') === '8 UPDATE'));
      const ok = r.got.find((g) => g.msg.kind === 'response' && header(g.msg, 'cseq') === '8 UPDATE')!.msg;
      assert.equal(ok.kind === 'response' && ok.status, 200);
      assert.equal(header(ok, 'session-expires'), '3;refresher=uac');
      assert.equal(header(ok, 'require'), 'timer');
      await r.over;
      await r.waitFor(() => r.requests('BYE').length > 0);
      const bye = r.requests('BYE')[0]!;
      assert.ok(bye.at >= 2900, `BYE after ${bye.at} ms, not at 2 s: the refresh counted`);
    } finally {
      await r.close();
    }
  });

  test('a caller without timer support asks for 3 s: we refresh with UPDATE at half the interval; a refresh answered 481 ends the call', async () => {
    let updates = 0;
    const r = await rig((req) => (req.method === 'UPDATE' ? (++updates >= 3 ? 481 : 200) : 200));
    try {
      r.invite('Allow: INVITE, ACK, CANCEL, BYE, UPDATE\nSession-Expires: 3\n');
      const ok = await r.ack();
      assert.equal(header(ok, 'session-expires'), '3;refresher=uas');
      assert.equal(header(ok, 'require'), undefined, 'no Require: timer for a caller that does not support it');
      await r.over;
      const ups = r.requests('UPDATE');
      assert.equal(ups.length, 3);
      assert.deepEqual(ups.map((u) => sessionExpiresOf(u.msg)), [1, 2, 3].map(() => ({ interval: 3, refresher: 'uac' })));
      assert.equal(header(ups[0]!.msg, 'min-se'), '2');
      const t0 = r.responses(200)[0]!.at;
      assert.ok(ups[0]!.at - t0 >= 1300 && ups[0]!.at - t0 < 2500, `first refresh ${ups[0]!.at - t0} ms after the 200`);
      assert.ok(ups[1]!.at - ups[0]!.at >= 1300, `second refresh ${ups[1]!.at - ups[0]!.at} ms later`);
      await r.waitFor(() => r.requests('BYE').length > 0);
      assert.match(header(r.requests('BYE')[0]!.msg, 'reason') ?? '', /cause=102/);
      assert.deepEqual(r.events.slice(-1), [{ type: 'ended', reason: 'timeout' }]);
    } finally {
      await r.close();
    }
  });
});

test('a trunk asks for a 4 s timer refreshed by us: our INVITE says Supported: timer, an UPDATE refreshes it at about 2 s, the call goes on', () =>
  outboundCall({ sipp: { scenario: 'uas-answer-session-timer.xml' }, answerXml: '<Response><Wait length="3"/></Response>' }, (rig, uas) => {
    const hangup = rig.app.requests('/hangup')[0]!.params;
    assert.deepEqual([hangup.CallStatus, hangup.HangupCause], ['completed', 'NORMAL_CLEARING']);
    const [invite] = findMessages(uas, 'INVITE', { sent: false });
    assert.match(invite!.text, /^Supported: timer\s*$/m);
    const updates = findMessages(uas, 'UPDATE', { sent: false });
    assert.equal(updates.length, 1);
    assert.equal(tracedHeader(updates[0]!, 'Session-Expires'), '4;refresher=uac');
    assert.equal(tracedHeader(updates[0]!, 'Min-SE'), '90');
  }));

test('uasTimer: none without Session-Expires, 422 below the minimum only for a caller that can retry, the Min-SE floor, the refresher', () => {
  const inv = (h: string): SipRequest => {
    const r = parseMessage(Buffer.from(`INVITE sip:a@h SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKx\r\nFrom: <sip:b@h>;tag=1\r\nTo: <sip:a@h>\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n${h}Content-Length: 0\r\n\r\n`));
    assert.ok(r.ok && r.message.kind === 'request');
    return r.message as SipRequest;
  };
  assert.deepEqual(uasTimer(inv(''), 90), { kind: 'none' });
  assert.deepEqual(uasTimer(inv('Supported: timer\r\nSession-Expires: 60\r\n'), 90), { kind: 'reject', minSE: 90 });
  assert.deepEqual(uasTimer(inv('Session-Expires: 60\r\n'), 90), { kind: 'timer', interval: 90, refresher: 'uas', require: false });
  assert.deepEqual(uasTimer(inv('k: timer\r\nx: 1800;refresher=uas\r\nMin-SE: 120\r\n'), 90), { kind: 'timer', interval: 1800, refresher: 'uas', require: true });
  assert.deepEqual(uasTimer(inv('Supported: timer\r\nSession-Expires: 100\r\nMin-SE: 200\r\n'), 90), { kind: 'timer', interval: 200, refresher: 'uac', require: true });
});
