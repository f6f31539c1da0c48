/**
 * SIP knows who is calling (issue 13 item 5; docs/security.md, "SIP"): INVITEs only from trunks,
 * `sip.acceptFrom` networks and registered endpoints; anyone else gets 403 and leaves no trace;
 * an unknown number gets the same answer; an untrusted flood is cut at its limit and logged
 * once a minute. sipp and raw sockets on 127.0.0.2 play the stranger while the trunk is 127.0.0.1.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { VirtualClock } from '../src/clock.ts';
import { SipAccess, parseCidr, LOG_EVERY_MS } from '../src/network/sip/access.ts';
import { parseMessage } from '../src/network/sip/parser.ts';
import { loadConfig } from '../src/config/config.ts';
import { startSipRig, type SipRig } from './support/sip-rig.ts';
import { startSipp, expectSippOk, type SippRun } from './support/sipp.ts';
import { traceMessages, startLine, header, type TracedMessage } from './support/sip-calls.ts';
import type { SipRequest } from '../src/network/sip/message.ts';

const DID = '15553330001';

/** The rig with a trunk on 127.0.0.1 and no other trusted network; DID has an application. */
async function rigWithDid(): Promise<SipRig> {
  const rig = await startSipRig({ trunks: 'sip:127.0.0.1:9', flags: { 'sip-accept-from': '', 'inbound-answer-url': undefined } });
  rig.app.on('/inbound', '<Response><Hangup/></Response>');
  const app = await rig.api('POST', 'Application/', { app_name: 'a', answer_url: rig.app.url('/inbound'), hangup_url: rig.app.url('/hangup') });
  assert.equal(app.status, 201);
  assert.equal((await rig.api('POST', `PhoneNumber/${DID}/`, { app_id: app.body.app_id })).status, 201);
  return rig;
}

/** What the caller received, reduced to what could tell two refusals apart. */
function refusalShape(run: SippRun): { lines: string[]; headers: string[][] } {
  const got = traceMessages(run).filter((m: TracedMessage) => !m.sent);
  return {
    lines: got.map(startLine),
    headers: got.map((m) => m.text.split('\n').slice(1).filter((l) => l.includes(':')).map((l) => l.slice(0, l.indexOf(':')).toLowerCase())),
  };
}

test('an INVITE from 127.0.0.2 while the trunk is 127.0.0.1: 403, no call, no CDR, no webhook; an unknown number answers alike', async () => {
  const rig = await rigWithDid();
  const runs: SippRun[] = [];
  try {
    const stranger = await startSipp({ scenario: 'uac-invite-rejected.xml', remote: rig.sipAddress, service: DID, localIp: '127.0.0.2', timeoutS: 15 });
    runs.push(stranger);
    await expectSippOk(stranger, 'stranger');
    const unknown = await startSipp({ scenario: 'uac-invite-rejected.xml', remote: rig.sipAddress, service: '15559990000', timeoutS: 15 });
    runs.push(unknown);
    await expectSippOk(unknown, 'unknown number');
    await rig.settle();

    const s = refusalShape(stranger);
    assert.deepEqual(s.lines, ['SIP/2.0 100 Trying', 'SIP/2.0 403 Forbidden'], stranger.log());
    assert.deepEqual(refusalShape(unknown), s, 'a stranger and an unknown number get the same answer');
    const final = traceMessages(stranger).find((m) => !m.sent && startLine(m).startsWith('SIP/2.0 403'))!;
    assert.equal(header(final, 'reason'), undefined, 'no Q.850 cause tells which refusal it was');
    assert.match(header(final, 'to') ?? '', /;tag=/);

    assert.deepEqual(rig.app.requests(), [], 'no webhook');
    const calls = await rig.api('GET', 'Call/');
    assert.equal(calls.status, 200);
    assert.equal(calls.body.objects.length, 0, 'no CDR');
    assert.equal(rig.engine.sip!.liveLegs, 0);
    assert.equal(rig.engine.sip!.access.counters.refused, 1);

    // The trusted source still gets its call: 180 then the app's Hangup.
    const caller = await startSipp({ scenario: 'uac-invite-rejected.xml', remote: rig.sipAddress, service: DID, timeoutS: 15 });
    runs.push(caller);
    await expectSippOk(caller, 'trunk caller');
    await rig.waitFor('/hangup');
    assert.deepEqual(refusalShape(caller).lines.slice(0, 2), ['SIP/2.0 100 Trying', 'SIP/2.0 180 Ringing']);
  } finally {
    for (const r of runs) r.kill();
    await rig.close();
  }
});

test('a flood from an untrusted source: 20 answered, the rest dropped; trusted sources unaffected', async () => {
  const rig = await rigWithDid();
  const sock = dgram.createSocket('udp4');
  const trusted = dgram.createSocket('udp4');
  try {
    await new Promise<void>((r) => sock.bind(0, '127.0.0.2', () => r()));
    await new Promise<void>((r) => trusted.bind(0, '127.0.0.1', () => r()));
    const replies: string[] = [];
    sock.on('message', (m) => replies.push(m.toString()));
    const trustedReplies: string[] = [];
    trusted.on('message', (m) => trustedReplies.push(m.toString()));
    const port = rig.engine.sip!.port;
    const invite = (i: number, p: number) =>
      `INVITE sip:${DID}@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.2:${p};branch=z9hG4bKflood${i}\r\nFrom: <sip:x@127.0.0.2>;tag=f${i}\r\nTo: <sip:${DID}@127.0.0.1>\r\nCall-ID: flood-${i}\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n`;
    const started = Date.now();
    for (let i = 0; i < 200; i++) sock.send(invite(i, sock.address().port), port, '127.0.0.1');
    const elapsedS = (Date.now() - started) / 1000;
    const options = `OPTIONS sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${trusted.address().port};branch=z9hG4bKok\r\nFrom: <sip:ok@127.0.0.1>;tag=o\r\nTo: <sip:127.0.0.1>\r\nCall-ID: ok\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n`;
    // Let the engine read the flood, then the trusted peer asks (its datagram must not be lost in the flood).
    for (let last = -1; last !== replies.length; ) {
      last = replies.length;
      await new Promise((r) => setTimeout(r, 150));
    }
    trusted.send(options, port, '127.0.0.1');
    for (let i = 0; i < 200 && trustedReplies.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    const refused = replies.filter((r) => r.startsWith('SIP/2.0 403 Forbidden')).length;
    // Burst 20 plus what 10/s refills while the 200 datagrams went out.
    assert.ok(refused >= 20 && refused <= 20 + Math.ceil(elapsedS * 10) + 1, `refused ${refused} in ${elapsedS}s`);
    const { access } = rig.engine.sip!;
    assert.equal(access.counters.refused, refused);
    // The kernel may drop some of 200 back-to-back datagrams itself; most reach the limiter.
    assert.ok(access.counters.dropped >= 100 && access.counters.dropped <= 200 - refused, `dropped ${access.counters.dropped}`);
    assert.equal(replies.length, 2 * refused, 'a 100 and a 403 each, nothing for the dropped');
    assert.match(trustedReplies[0] ?? '', /^SIP\/2\.0 200 OK/);
    const exposition = await rig.engine.metrics!.registry.metrics();
    assert.match(exposition, new RegExp(`^switchboard_sip_refused_total\\{reason="forbidden"\\} ${refused}$`, 'm'));
    assert.match(exposition, new RegExp(`^switchboard_sip_refused_total\\{reason="flood"\\} ${access.counters.dropped}$`, 'm'));
    assert.match(exposition, /^switchboard_sip_udp_receive_drops_total\{listen="127\.0\.0\.1:\d+"\} \d+$/m);
    // The UDP buffers are sized (4 MiB asked; Linux reports twice what it granted, capped at rmem_max).
    assert.ok(rig.engine.sip!.transports.udpBuffers!.receive >= 4 * 1024 * 1024, JSON.stringify(rig.engine.sip!.transports.udpBuffers));
    await rig.settle();
    assert.deepEqual(rig.app.requests(), []);
    assert.equal((await rig.api('GET', 'Call/')).body.objects.length, 0);
  } finally {
    sock.close();
    trusted.close();
    await rig.close();
  }
});

const req = (method: string, to = '<sip:1@h>'): SipRequest => {
  const r = parseMessage(Buffer.from(`${method} sip:1@h SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@h>;tag=1\r\nTo: ${to}\r\nCall-ID: c\r\nCSeq: 1 ${method}\r\nContent-Length: 0\r\n\r\n`));
  assert.ok(r.ok && r.message.kind === 'request');
  return r.message;
};

test('access policy: trunks, CIDRs, endpoints; in-dialog requests pass; refill; one log line a minute per source', () => {
  const clock = new VirtualClock();
  const warns: Array<Record<string, unknown> | undefined> = [];
  let trunks = ['192.0.2.10'];
  const registered = new Set(['198.51.100.7:5062']);
  const a = new SipAccess({
    clock,
    acceptFrom: ['10.0.0.0/8', '2001:db8::/32', '203.0.113.5'],
    trunkAddresses: () => trunks,
    endpoints: { has: (addr, port) => registered.has(`${addr}:${port}`) },
    flood: { perSecond: 2, burst: 3 },
    warn: (_m, d) => warns.push(d),
  });
  assert.equal(a.judge(req('INVITE'), '192.0.2.10', 5999), 'pass');
  assert.equal(a.judge(req('INVITE'), '::ffff:10.200.1.1', 5060), 'pass');
  assert.equal(a.judge(req('INVITE'), '2001:db8::1', 5060), 'pass');
  assert.equal(a.judge(req('INVITE'), '203.0.113.5', 5060), 'pass');
  assert.equal(a.judge(req('INVITE'), '203.0.113.6', 5060), 'refuse');
  assert.equal(a.judge(req('INVITE'), '198.51.100.7', 5062), 'pass');
  assert.equal(a.judge(req('INVITE'), '198.51.100.7', 5063), 'refuse');
  trunks = ['192.0.2.11'];
  assert.equal(a.judge(req('INVITE'), '192.0.2.10', 5060), 'refuse', 'a trunk that moved is no longer trusted at its old address');
  // 192.0.2.10 has spent 1 of 3 tokens: an in-dialog BYE passes (it finds its dialog or a 481), then 1 more, then drops.
  assert.equal(a.judge(req('BYE', '<sip:1@h>;tag=x'), '192.0.2.10', 5060), 'pass');
  assert.equal(a.judge(req('INVITE'), '192.0.2.10', 5060), 'refuse');
  assert.equal(a.judge(req('INVITE'), '192.0.2.10', 5060), 'drop');
  assert.equal(a.judge(req('OPTIONS'), '192.0.2.10', 5060), 'drop');
  clock.advance(500);
  assert.equal(a.judge(req('INVITE'), '192.0.2.10', 5060), 'refuse', 'one token back after 0.5 s at 2/s');
  assert.equal(a.judge(req('INVITE'), '192.0.2.10', 5060), 'drop');
  const about = (addr: string) => warns.filter((w) => w?.source === addr);
  assert.equal(about('192.0.2.10').length, 1, 'one line per source per minute');
  clock.advance(LOG_EVERY_MS);
  assert.equal(a.judge(req('INVITE'), '192.0.2.10', 5060), 'refuse');
  assert.equal(about('192.0.2.10').length, 2);
  assert.equal(about('192.0.2.10')[1]!.requests, 6, 'the line counts what the minute held');
  assert.throws(() => parseCidr('10.0.0.0/33'), /prefix length must be 0-32/);
  assert.throws(() => parseCidr('example.com'), /not an address or CIDR/);
});

test('config: sip.acceptFrom in the file, --sip-accept-from replaces it, bad CIDRs named', () => {
  const f = { name: 'config.json', data: { sip: { listen: '127.0.0.1:5060', acceptFrom: ['10.0.0.0/8', '192.0.2.1'] } } };
  assert.deepEqual(loadConfig({}, {}, f).sip!.acceptFrom, ['10.0.0.0/8', '192.0.2.1']);
  assert.deepEqual(loadConfig({ 'sip-accept-from': '172.16.0.0/12, 127.0.0.1' }, {}, f).sip!.acceptFrom, ['172.16.0.0/12', '127.0.0.1']);
  assert.deepEqual(loadConfig({}, { SWITCHBOARD_SIP_ACCEPT_FROM: '::1' }, f).sip!.acceptFrom, ['::1']);
  assert.equal(loadConfig({ 'sip-trunk': 'sip:127.0.0.1' }, {}).sip!.acceptFrom, undefined, 'nothing but the trunks by default, not even loopback');
  assert.throws(() => loadConfig({}, {}, { name: 'config.json', data: { sip: { acceptFrom: ['10.0.0.0/40'] } } }), { message: 'config.json: sip.acceptFrom[0]: prefix length must be 0-32 in "10.0.0.0/40"' });
  assert.throws(() => loadConfig({ 'sip-trunk': 'sip:127.0.0.1', 'sip-accept-from': 'everyone' }, {}), { message: '--sip-accept-from: not an address or CIDR: "everyone"' });
});
