/**
 * RFC 3263 §4.3: a trunk name with several SRV targets is tried target after target. A server
 * that answers 503, refuses the TCP connection or never answers (Timer B) gets the same INVITE
 * sent to the next one (a new transaction: new branch, same Call-ID, From tag and CSeq); any other
 * failure ends the call at once; when every server failed, the last failure is the call's cause.
 * Real sipp processes behind a DNS server on loopback (support/dns-server.ts), exact webhooks, and
 * the INVITEs each server got read back from sipp's traces. Timer B is checked on the network
 * alone with a short T1, so it takes two seconds instead of 32. The order itself (RFC 2782) is
 * checked without calls.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { startSipRig, AUTH_TOKEN, type SipRig } from './support/sip-rig.ts';
import { startSipp, expectSippOk, freePort, type SippOptions, type SippRun } from './support/sipp.ts';
import { startDnsServer, type DnsServer, type Zone } from './support/dns-server.ts';
import { findMessages, header as tracedHeader, paths, startLine, HANGUP_KEYS, type TracedMessage } from './support/sip-calls.ts';
import { pick } from './support/harness.ts';
import { srvOrder, TrunkResolver } from '../src/network/sip/resolver.ts';
import { SipNetwork } from '../src/network/sip/sip-network.ts';
import { parseMessage } from '../src/network/sip/parser.ts';
import { serialize } from '../src/network/sip/serializer.ts';
import { header, type SipRequest } from '../src/network/sip/message.ts';
import { responseTo } from '../src/network/sip/transactions.ts';
import type { SipTrunk } from '../src/network/sip/trunk.ts';
import type { LegEvent } from '../src/network/network.ts';
import { RealClock } from '../src/clock.ts';

const ANSWERED = { Event: 'Hangup', CallStatus: 'completed', HangupCause: 'NORMAL_CLEARING', HangupCauseCode: '4010', HangupSource: 'Plivo', Direction: 'outbound' };

const branchOf = (m: TracedMessage) => /branch=([^;\s]+)/.exec(tracedHeader(m, 'via') ?? '')?.[1];
/** The INVITEs sipp received, one per transaction (UDP retransmissions dropped). */
const invites = (run: SippRun) => findMessages(run, 'INVITE ', { sent: false }).filter((m, i, all) => all.findIndex((o) => branchOf(o) === branchOf(m)) === i);
const fromTag = (m: TracedMessage) => /;tag=([^;\s]+)/.exec(tracedHeader(m, 'from') ?? '')?.[1];
const uriOf = (m: TracedMessage) => startLine(m).split(' ')[1];

/** The second server got the first one's INVITE again: same Call-ID, From tag, CSeq and Request-URI, a new branch. */
function assertSameInvite(first: TracedMessage, second: TracedMessage): void {
  assert.equal(tracedHeader(second, 'call-id'), tracedHeader(first, 'call-id'));
  assert.equal(fromTag(second), fromTag(first));
  assert.equal(tracedHeader(second, 'cseq'), tracedHeader(first, 'cseq'));
  assert.equal(tracedHeader(second, 'cseq'), '1 INVITE');
  assert.equal(uriOf(second), uriOf(first));
  assert.equal(uriOf(second), 'sip:15551110001@carrier.test', 'the Request-URI keeps the name');
  assert.notEqual(branchOf(second), branchOf(first), 'a new transaction');
}

/** Two SRV targets for carrier.test (`_sip._udp` or `_sip._tcp`), both on 127.0.0.1. */
function zone(transport: 'udp' | 'tcp', first: number, second: number): Zone {
  return {
    [`_sip._${transport}.carrier.test`]: {
      SRV: [
        { priority: 20, weight: 1, port: second, target: 'backup.carrier.test' },
        { priority: 10, weight: 1, port: first, target: 'edge.carrier.test' },
      ],
    },
    'edge.carrier.test': { A: ['127.0.0.1'] },
    'backup.carrier.test': { A: ['127.0.0.1'] },
  };
}

interface Servers {
  readonly first?: SippRun;
  readonly second?: SippRun;
}

/**
 * One API call on a trunk named carrier.test whose SRV targets are `first` then `second`: a sipp
 * scenario each, or a port where nothing listens. Checks run once every sipp exited cleanly.
 */
async function failover(
  transport: 'udp' | 'tcp',
  first: SippOptions | 'nothing',
  second: SippOptions | 'nothing',
  answerXml: string,
  check: (rig: SipRig, s: Servers) => void,
): Promise<void> {
  const start = (o: SippOptions | 'nothing') => (o === 'nothing' ? Promise.resolve(undefined) : startSipp({ ...o, transport }));
  const [a, b] = await Promise.all([start(first), start(second)]);
  const dns: DnsServer = await startDnsServer(zone(transport, a?.port ?? (await freePort()), b?.port ?? (await freePort())));
  let rig: SipRig | undefined;
  try {
    rig = await startSipRig({ file: { sip: { dns: { servers: [dns.address] }, trunks: [{ name: 'carrier', host: 'carrier.test', transport }] } } });
    rig.app.on('/answer', answerXml);
    const res = await rig.api('POST', 'Call/', {
      from: '+15550000000',
      to: '+15551110001',
      answer_url: rig.app.url('/answer'),
      ring_url: rig.app.url('/ring'),
      hangup_url: rig.app.url('/hangup'),
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    await rig.waitFor('/hangup');
    await rig.settle();
    await Promise.all([a && expectSippOk(a, 'first server'), b && expectSippOk(b, 'second server')]);
    try {
      check(rig, { ...(a ? { first: a } : {}), ...(b ? { second: b } : {}) });
    } catch (err) {
      (err as Error).message += [a, b].map((r) => (r ? `\n${r.log()}` : '')).join('');
      throw err;
    }
    rig.app.assertAllSigned({ authToken: AUTH_TOKEN, mainAuthToken: AUTH_TOKEN });
  } finally {
    a?.kill();
    b?.kill();
    await rig?.close();
    await dns.close();
  }
}

describe('the order servers are tried in (RFC 2782, RFC 3263 §4.3)', () => {
  test('by priority, lowest first; within one priority, drawn by weight among those not drawn yet', () => {
    const t = (name: string, priority: number, weight: number) => ({ name, priority, weight });
    const targets = [t('c', 20, 5), t('a', 10, 1), t('b', 10, 3), t('z', 10, 0), t('d', 30, 0)];
    const names = (rolls: number[]) => {
      let i = 0;
      return srvOrder(targets, () => rolls[i++] ?? 0).map((x) => x.name).join('');
    };
    // Priority 10 weighs 4 (a 1, b 3, z 0): a roll below 1/4 draws a, the rest b; z only once alone.
    assert.equal(names([0.2, 0, 0, 0]), 'abzcd');
    assert.equal(names([0.3, 0, 0, 0]), 'bazcd');
    assert.equal(names([0.99, 0.99, 0.99]), 'bazcd');
    // Over many calls the first pick follows the weights: a about 1 in 4.
    let seed = 42;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    let aFirst = 0;
    for (let n = 0; n < 4000; n++) if (srvOrder(targets, random)[0]!.name === 'a') aFirst++;
    assert.ok(aFirst > 800 && aFirst < 1200, `a first ${aFirst} times in 4000`);
    // All weights 0: uniform, every target still in the list.
    assert.deepEqual(srvOrder([t('x', 1, 0), t('y', 1, 0)], () => 0.6).map((x) => x.name), ['y', 'x']);
  });

  test('the resolver lists every address of every target, in that order; an address or a name with a port is one list', async () => {
    const dns = await startDnsServer({
      '_sip._udp.carrier.test': {
        SRV: [
          { priority: 20, weight: 0, port: 5062, target: 'backup.carrier.test' },
          { priority: 10, weight: 0, port: 5061, target: 'edge.carrier.test' },
          { priority: 15, weight: 0, port: 5063, target: 'gone.carrier.test' },
        ],
      },
      'edge.carrier.test': { A: ['192.0.2.1', '192.0.2.2'] },
      'backup.carrier.test': { A: ['192.0.2.3'] },
      'fixed.carrier.test': { A: ['192.0.2.4', '192.0.2.5'] },
    });
    const resolver = new TrunkResolver({ clock: new RealClock(), servers: [dns.address], random: () => 0 });
    const trunk = (extra: Partial<SipTrunk>): SipTrunk => ({ name: 't', host: 'carrier.test', transport: 'udp', prefixes: [], ...extra });
    try {
      const srv = trunk({});
      const fixed = trunk({ host: 'fixed.carrier.test', port: 5080 });
      await resolver.prepare([srv, fixed]);
      const show = (t: SipTrunk) => resolver.peers(t).map((p) => `${p.transport}:${p.address}:${p.port}`);
      assert.deepEqual(show(srv), ['udp:192.0.2.1:5061', 'udp:192.0.2.2:5061', 'udp:192.0.2.3:5062']);
      assert.deepEqual(show(fixed), ['udp:192.0.2.4:5080', 'udp:192.0.2.5:5080']);
      assert.deepEqual(show(trunk({ host: '192.0.2.9', transport: 'tcp' })), ['tcp:192.0.2.9:5060']);
      assert.deepEqual(resolver.pick(srv), { transport: 'udp', address: '192.0.2.1', port: 5061 });
    } finally {
      resolver.close();
      await dns.close();
    }
  });
});

describe('failover to the next SRV target (RFC 3263 §4.3)', { concurrency: true }, () => {
  test('UDP: the first server rings then answers 503, the second answers; one ring webhook, the call completes', () =>
    failover('udp', { scenario: 'uas-ring-unavailable.xml' }, { scenario: 'uas-answer.xml' }, '<Response><Wait length="1"/></Response>', (rig, { first, second }) => {
      assert.deepEqual(paths(rig), ['/ring', '/answer', '/hangup'], 'ringing is told once');
      assert.deepEqual(pick(rig.app.requests('/hangup')[0]!, HANGUP_KEYS), ANSWERED);
      assert.equal(rig.app.requests('/answer')[0]!.params.CallStatus, 'in-progress');
      const [a] = invites(first!);
      const [b] = invites(second!);
      assert.equal(invites(first!).length, 1);
      assert.equal(invites(second!).length, 1);
      assertSameInvite(a!, b!);
      assert.equal(a!.transport, 'UDP');
      assert.equal(b!.transport, 'UDP');
    }));

  test('TCP: the first server refuses the connection, the second (sipp -t t1) answers; the call completes', () =>
    failover('tcp', 'nothing', { scenario: 'uas-answer.xml' }, '<Response><Wait length="1"/></Response>', (rig, { second }) => {
      assert.deepEqual(paths(rig), ['/ring', '/answer', '/hangup']);
      assert.deepEqual(pick(rig.app.requests('/hangup')[0]!, HANGUP_KEYS), ANSWERED);
      const got = invites(second!);
      assert.equal(got.length, 1);
      assert.equal(got[0]!.transport, 'TCP');
      assert.equal(tracedHeader(got[0]!, 'cseq'), '1 INVITE');
      assert.match(tracedHeader(got[0]!, 'via') ?? '', /^SIP\/2\.0\/TCP /);
      assert.equal(uriOf(got[0]!), 'sip:15551110001@carrier.test;transport=tcp');
    }));

  test('every server fails (a 503, then a refused connection): the call fails with the last cause, DESTINATION_OUT_OF_ORDER', () =>
    failover('tcp', { scenario: 'uas-ring-unavailable.xml' }, 'nothing', '<Response/>', (rig, { first }) => {
      assert.deepEqual(paths(rig), ['/ring', '/hangup']);
      assert.deepEqual(pick(rig.app.requests('/hangup')[0]!, HANGUP_KEYS), { Event: 'Hangup', CallStatus: 'failed', HangupCause: 'DESTINATION_OUT_OF_ORDER', HangupCauseCode: '2010', HangupSource: 'Carrier', Direction: 'outbound' });
      assert.equal(invites(first!).length, 1);
    }));

  test('every server fails (a refused connection, then a 503): the cause is the 503\'s, NORMAL_TEMPORARY_FAILURE', () =>
    failover('tcp', 'nothing', { scenario: 'uas-ring-unavailable.xml' }, '<Response/>', (rig, { second }) => {
      assert.deepEqual(paths(rig), ['/ring', '/hangup']);
      assert.deepEqual(pick(rig.app.requests('/hangup')[0]!, HANGUP_KEYS), { Event: 'Hangup', CallStatus: 'failed', HangupCause: 'NORMAL_TEMPORARY_FAILURE', HangupCauseCode: '8000', HangupSource: 'Carrier', Direction: 'outbound' });
      assert.equal(invites(second!).length, 1);
    }));

  test('a busy first server ends the call: 486 is the callee\'s answer, not a server failure; the second gets nothing', async () => {
    const idle = dgram.createSocket('udp4');
    let datagrams = 0;
    idle.on('message', () => datagrams++);
    await new Promise<void>((r) => idle.bind(0, '127.0.0.1', () => r()));
    try {
      const busy = await startSipp({ scenario: 'uas-busy.xml' });
      const dns = await startDnsServer(zone('udp', busy.port, idle.address().port));
      const rig = await startSipRig({ file: { sip: { dns: { servers: [dns.address] }, trunks: [{ name: 'carrier', host: 'carrier.test' }] } } });
      try {
        const res = await rig.api('POST', 'Call/', { from: '+15550000000', to: '+15551110001', answer_url: rig.app.url('/answer'), hangup_url: rig.app.url('/hangup') });
        assert.equal(res.status, 201, JSON.stringify(res.body));
        await rig.waitFor('/hangup');
        await rig.settle();
        await expectSippOk(busy, 'uas-busy.xml');
        assert.deepEqual(pick(rig.app.requests('/hangup')[0]!, ['CallStatus', 'HangupCause']), { CallStatus: 'busy', HangupCause: 'USER_BUSY' });
        assert.equal(datagrams, 0);
      } finally {
        busy.kill();
        await rig.close();
        await dns.close();
      }
    } finally {
      idle.close();
    }
  });
});

describe('failover after Timer B, on the SIP network alone (T1 = 25 ms, so Timer B is 1.6 s)', () => {
  /** A UDP "server" that reads INVITEs and answers them as `reply` says (nothing, for a dead one). */
  async function server(reply: (inv: SipRequest, send: (status: number) => void) => void) {
    const socket = dgram.createSocket('udp4');
    const got: SipRequest[] = [];
    socket.on('message', (buf, rinfo) => {
      const r = parseMessage(buf);
      if (!r.ok || r.message.kind !== 'request') return;
      const req = r.message;
      got.push(req);
      if (req.method === 'INVITE') reply(req, (status) => socket.send(serialize(responseTo(req, status, [], '', 'srv')), rinfo.port, rinfo.address));
    });
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
    return { port: socket.address().port, got, close: () => new Promise<void>((r) => socket.close(() => r())) };
  }

  test('the first server never answers: after Timer B the second gets the INVITE, rings and answers busy; one ringing event', async () => {
    const dead = await server(() => {});
    const live = await server((_inv, send) => {
      send(180);
      setTimeout(() => send(486), 50);
    });
    const dns = await startDnsServer(zone('udp', dead.port, live.port));
    const clock = new RealClock();
    const resolver = new TrunkResolver({ clock, servers: [dns.address] });
    const trunk: SipTrunk = { name: 'carrier', host: 'carrier.test', transport: 'udp', prefixes: [] };
    const network = new SipNetwork({ clock, listen: { host: '127.0.0.1', port: 0 }, trunks: [trunk], resolver, timers: { t1: 25 } });
    try {
      await network.start();
      const events: { at: number; event: LegEvent }[] = [];
      const started = Date.now();
      const leg = network.originate({ from: '15550000000', to: '+15551110001' });
      const ended = new Promise<void>((resolve) =>
        leg.onEvent((event) => {
          events.push({ at: Date.now() - started, event });
          if (event.type === 'ended') resolve();
        }),
      );
      await ended;
      assert.deepEqual(events.map((e) => e.event), [{ type: 'ringing' }, { type: 'ended', reason: 'busy' }]);
      // Timer B is 64*T1 = 1.6 s; the second server answers at once after it.
      assert.ok(events[0]!.at >= 1500 && events[0]!.at < 10_000, `rang after ${events[0]!.at} ms`);
      const deadInvites = dead.got.filter((r) => r.method === 'INVITE');
      assert.ok(deadInvites.length > 3, `Timer A retransmitted to the dead server (${deadInvites.length})`);
      assert.equal(new Set(deadInvites.map((r) => header(r, 'via'))).size, 1, 'retransmissions of one transaction');
      const [again] = live.got.filter((r) => r.method === 'INVITE');
      assert.ok(again);
      assert.equal(header(again, 'call-id'), header(deadInvites[0]!, 'call-id'));
      assert.equal(header(again, 'from'), header(deadInvites[0]!, 'from'));
      assert.equal(header(again, 'cseq'), '1 INVITE');
      assert.notEqual(header(again, 'via'), header(deadInvites[0]!, 'via'));
      assert.equal(again.body, deadInvites[0]!.body, 'the same offer');
    } finally {
      await network.close();
      resolver.close();
      await dns.close();
      await dead.close();
      await live.close();
    }
  });
});
