/**
 * The callee `npm run bench:sip` puts behind the engine's trunk (test/sipp/uas-answer-again.xml)
 * must behave as a UAS when its caller falls behind: an INVITE sent again after the 200 is
 * absorbed while the 200 goes on being retransmitted until the ACK, and an ACK sent again is
 * absorbed too (RFC 6026's Accepted state). sipp alone aborts the call on either
 * (docs/performance.md, "Why calls failed at the knee"), which is what the loops in the scenario
 * are for: remove one and this fails. The caller is a raw UDP socket, so each message is sent
 * exactly when the test says.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { startSipp } from './support/sipp.ts';

interface Heard { status: number; method: string }

test('uas-answer-again.xml: a retransmitted INVITE and a second ACK are absorbed, the 200 retransmitted, the call completes', async () => {
  const sipp = await startSipp({ scenario: 'uas-answer-again.xml', timeoutS: 20 });
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  const me = sock.address().port;
  const heard: Heard[] = [];
  const waiters: Array<{ want: (h: Heard[]) => boolean; done: () => void }> = [];
  let toTag = '';
  sock.on('message', (m) => {
    const text = m.toString('latin1');
    const status = Number(/^SIP\/2\.0 (\d{3})/.exec(text)?.[1] ?? 0);
    const method = /^CSeq: *\d+ +(\w+)/im.exec(text)?.[1] ?? '';
    toTag ||= /^To:.*;tag=([^;\s]+)/im.exec(text)?.[1] ?? '';
    heard.push({ status, method });
    for (const w of [...waiters]) if (w.want(heard)) (waiters.splice(waiters.indexOf(w), 1), w.done());
  });
  // What the test waits for, or sipp's end (an aborted call ends it): then the wait fails with its log.
  const ended = sipp.exit.then((code) => {
    throw new Error(`sipp exited ${code} first; heard ${JSON.stringify(heard)}\n${sipp.log()}`);
  });
  ended.catch(() => {});
  const until = (want: (h: Heard[]) => boolean) => Promise.race([new Promise<void>((done) => (want(heard) ? done() : waiters.push({ want, done }))), ended]);
  const count = (status: number, method: string) => heard.filter((h) => h.status === status && h.method === method).length;
  const send = (text: string) => new Promise<void>((r) => sock.send(text.replaceAll('\n', '\r\n'), sipp.port, '127.0.0.1', () => r()));
  const common = (cseq: string, branch: string, withTag: boolean) =>
    `Via: SIP/2.0/UDP 127.0.0.1:${me};branch=${branch}\nFrom: <sip:caller@127.0.0.1>;tag=caller1\nTo: <sip:15550002@127.0.0.1>${withTag ? `;tag=${toTag}` : ''}\nCall-ID: bench-callee-1@test\nCSeq: ${cseq}\nMax-Forwards: 70\nContent-Length: 0\n\n`;
  const invite = `INVITE sip:15550002@127.0.0.1:${sipp.port} SIP/2.0\nContact: <sip:caller@127.0.0.1:${me}>\n${common('1 INVITE', 'z9hG4bKinv1', false)}`;
  try {
    await send(invite);
    await until(() => count(200, 'INVITE') === 1);
    assert.deepEqual(heard.map((h) => h.status), [100, 180, 200]);
    // The same INVITE twice more, as a caller whose Timer A fired before it read the 100.
    await send(invite);
    await send(invite);
    // Answered by the 200's own retransmission (500 ms after it), not by an abort.
    await until(() => count(200, 'INVITE') === 2);
    const ack = `ACK sip:15550002@127.0.0.1:${sipp.port} SIP/2.0\n${common('1 ACK', 'z9hG4bKack1', true)}`;
    await send(ack);
    await send(ack);
    await send(`BYE sip:15550002@127.0.0.1:${sipp.port} SIP/2.0\n${common('2 BYE', 'z9hG4bKbye1', true)}`);
    await until(() => count(200, 'BYE') === 1);
    assert.equal(await sipp.exit, 0, sipp.log());
    assert.equal(heard.filter((h) => h.status >= 300).length, 0, JSON.stringify(heard));
  } finally {
    sipp.kill();
    sock.close();
  }
});
