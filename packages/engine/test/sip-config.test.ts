/**
 * SIP settings from the config file (docs/sip.md, "Settings"), run on the real engine against real
 * sipp processes: several listen addresses, trunks chosen by prefix and leaving from their own
 * address, the per-trunk caller-ID and dial rules as sipp sees them on the wire while the webhooks
 * keep the app's own From and To, and RFC 3263 resolution through a DNS server on loopback
 * (support/dns-server.ts), including a carrier that moves or disappears while the engine runs.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSipRig, AUTH_ID, AUTH_TOKEN, type SipRig } from './support/sip-rig.ts';
import { startSipp, expectSippOk, freePort, type SippRun } from './support/sipp.ts';
import { startDnsServer, decodeMessage, encodeMessage, TYPE, type DnsServer, type Zone } from './support/dns-server.ts';
import { callerIdFor, dialedUser, type SipTrunk } from '../src/network/sip/trunk.ts';
import { TrunkResolver } from '../src/network/sip/resolver.ts';
import { RealClock } from '../src/clock.ts';
import { startServe } from './support/serve-process.ts';
import { pick } from './support/harness.ts';
import { waitUntil } from './support/delivery-log.ts';
import { findMessages, header, startLine, type TracedMessage } from './support/sip-calls.ts';

/** The INVITEs sipp received, one per Call-ID (retransmissions dropped), from its message trace. */
function invites(run: SippRun): TracedMessage[] {
  const byCallId = new Map<string, TracedMessage>();
  for (const m of findMessages(run, 'INVITE ', { sent: false })) {
    const id = header(m, 'call-id') ?? String(byCallId.size);
    if (!byCallId.has(id)) byCallId.set(id, m);
  }
  return [...byCallId.values()];
}

/** An INVITE's Request-URI. */
const uriOf = (invite: TracedMessage) => startLine(invite).split(' ')[1] ?? '';

/** The user part of a name-addr header (`"x" <sip:+1555@h>;tag=1` -> `+1555`). */
const userOf = (nameAddr: string | undefined) => /<sips?:([^@>]+)@/.exec(nameAddr ?? '')?.[1];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function placeCall(rig: SipRig, from: string, to: string): Promise<void> {
  const res = await rig.api('POST', 'Call/', { from, to, answer_url: rig.app.url('/answer'), hangup_url: rig.app.url('/hangup') });
  assert.equal(res.status, 201, JSON.stringify(res.body));
}

const hangupTo = (rig: SipRig, to: string) => rig.app.requests('/hangup').find((r) => r.params.To === to);

/** Waits until the DNS server was asked `question` at least `count` times. */
async function asked(dns: DnsServer, question: string, count: number, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (dns.queries.filter((q) => q === question).length < count) {
    if (Date.now() > until) throw new Error(`no ${count}th "${question}" within ${timeoutMs} ms; asked: ${dns.queries.join(', ')}`);
    await sleep(50);
  }
}

const ANSWER_XML = '<Response><Wait length="1"/></Response>';

describe('trunk rules and resolution, without calls', () => {
  const trunk = (extra: Partial<SipTrunk>): SipTrunk => ({ name: 't', host: '192.0.2.1', transport: 'udp', prefixes: [], ...extra });

  test('caller ID: unchanged without rules; the format; an allowed prefix keeps it, another gets the default, none without a default', () => {
    assert.equal(callerIdFor(trunk({}), '15550000001'), '15550000001');
    assert.equal(callerIdFor(trunk({}), 'sip:alice@example.com'), 'sip:alice@example.com');
    assert.equal(callerIdFor(trunk({ callerId: { format: '+e164' } }), '15550000001'), '+15550000001');
    assert.equal(callerIdFor(trunk({ callerId: { format: '+e164' } }), 'sip:alice@example.com'), 'sip:alice@example.com');
    const strict = trunk({ callerId: { format: 'e164', allowed: ['1555', '44'], default: '15550009999' } });
    assert.equal(callerIdFor(strict, '447700900001'), '447700900001');
    assert.equal(callerIdFor(strict, '33100000000'), '15550009999');
    assert.equal(callerIdFor(strict, 'sip:alice@example.com'), '15550009999');
    assert.equal(callerIdFor(strict, 'sip:15550000001@example.com'), '15550000001');
    assert.equal(callerIdFor(trunk({ callerId: { format: 'e164', allowed: ['1555'] } }), '33100000000'), undefined);
  });

  test('dial: strip only a leading match, then prepend', () => {
    assert.equal(dialedUser(trunk({}), '15551110001'), '15551110001');
    assert.equal(dialedUser(trunk({ dial: { strip: '1', prepend: '011' } }), '15551110001'), '0115551110001');
    assert.equal(dialedUser(trunk({ dial: { strip: '1', prepend: '011' } }), '447700900001'), '011447700900001');
    assert.equal(dialedUser(trunk({ dial: { strip: '44' } }), '447700900001'), '7700900001');
    assert.equal(dialedUser(trunk({ dial: { prepend: '+' } }), '447700900001'), '+447700900001');
  });

  test('the DNS test server\'s wire format reads back what it writes (RFC 1035 §4.1, a compressed answer name)', () => {
    const msg = {
      id: 4242, flags: 0x8400, rcode: 0,
      questions: [{ name: '_sip._udp.carrier.test', type: TYPE.SRV }],
      answers: [
        { name: '_sip._udp.carrier.test', type: TYPE.SRV, ttl: 30, data: { priority: 10, weight: 5, port: 5070, target: 'edge.carrier.test' } },
        { name: 'edge.carrier.test', type: TYPE.A, ttl: 60, data: '192.0.2.7' },
      ],
    };
    const bytes = encodeMessage(msg);
    assert.equal(bytes.readUInt16BE(12 + 24 + 4), 0xc00c, 'the first answer points at the question');
    assert.deepEqual(decodeMessage(bytes), msg);
  });

  test('SRV: the lowest priority first, then by weight; a name with a port asks no SRV', async () => {
    const dns = await startDnsServer({
      '_sip._udp.carrier.test': {
        SRV: [
          { priority: 10, weight: 1, port: 5061, target: 'a.carrier.test' },
          { priority: 10, weight: 3, port: 5062, target: 'b.carrier.test' },
          { priority: 5, weight: 0, port: 5063, target: 'gone.carrier.test' },
          { priority: 20, weight: 9, port: 5064, target: 'a.carrier.test' },
        ],
      },
      'a.carrier.test': { A: ['192.0.2.1'] },
      'b.carrier.test': { A: ['192.0.2.2'] },
      'fixed.carrier.test': { A: ['192.0.2.3'] },
    });
    let roll = 0;
    const resolver = new TrunkResolver({ clock: new RealClock(), servers: [dns.address], random: () => roll });
    try {
      const srv = trunk({ host: 'carrier.test' });
      const fixed = trunk({ host: 'fixed.carrier.test', port: 5080, transport: 'tcp' });
      await resolver.prepare([srv, fixed]);
      // gone.carrier.test has no address, so priority 10 is the best usable group: weights 1 and 3.
      roll = 0.2;
      assert.deepEqual(resolver.pick(srv), { transport: 'udp', address: '192.0.2.1', port: 5061 });
      roll = 0.3;
      assert.deepEqual(resolver.pick(srv), { transport: 'udp', address: '192.0.2.2', port: 5062 });
      assert.deepEqual(resolver.pick(fixed), { transport: 'tcp', address: '192.0.2.3', port: 5080 });
      assert.deepEqual(resolver.pick(trunk({ host: '192.0.2.9' })), { transport: 'udp', address: '192.0.2.9', port: 5060 });
      assert.ok(!dns.queries.some((q) => q.includes('_sip._tcp')), dns.queries.join(', '));
    } finally {
      resolver.close();
      await dns.close();
    }
  });
});

describe('SIP settings from the config file', { concurrency: true }, () => {
  test('two listen addresses, two trunks by prefix: each call leaves from its trunk\'s address to its sipp; INVITEs reach either address', async () => {
    const [uasA, uasB] = await Promise.all([startSipp({ scenario: 'uas-answer.xml' }), startSipp({ scenario: 'uas-answer.xml' })]);
    const [portA, portB] = [await freePort(), await freePort()];
    let uac: SippRun | undefined;
    const rig = await startSipRig({
      file: {
        'billing-increment': 1,
        sip: {
          listen: [`127.0.0.1:${portA}`, { name: 'second', host: '127.0.0.2', port: portB }],
          trunks: [
            { name: 'carrier-a', host: '127.0.0.1', port: uasA.port, prefixes: ['1555'] },
            { name: 'carrier-b', host: '127.0.0.1', port: String(uasB.port), prefixes: ['+44'], listen: 'second' },
          ],
        },
      },
    });
    try {
      assert.equal(rig.engine.config.billingIncrementS, 1);
      assert.deepEqual(rig.engine.sipNetworks.map((n) => `${n.address}:${n.port}`), [`127.0.0.1:${portA}`, `127.0.0.2:${portB}`]);
      assert.equal(rig.engine.sip, rig.engine.sipNetworks[0]);
      rig.app.on('/answer', ANSWER_XML);
      rig.app.on('/inbound', '<Response><Speak>hello</Speak><Wait length="10"/></Response>');
      await Promise.all([placeCall(rig, '+15550000000', '+15551110001'), placeCall(rig, '+15550000000', '+447700900001')]);
      // An inbound call to the second address reaches the same inbound handler.
      uac = await startSipp({ scenario: 'uac-invite-bye.xml', remote: `127.0.0.2:${portB}`, service: '15553330001', pauseMs: 1000 });
      await expectSippOk(uac, 'uac-invite-bye.xml');
      // The inbound call has no hangup_url: the two outbound calls report here.
      await rig.waitFor('/hangup', 2);
      await rig.settle();
      await Promise.all([expectSippOk(uasA, 'carrier-a'), expectSippOk(uasB, 'carrier-b')]);

      const [a] = invites(uasA);
      const [b] = invites(uasB);
      assert.equal(invites(uasA).length, 1, uasA.log());
      assert.equal(invites(uasB).length, 1, uasB.log());
      assert.equal(uriOf(a!), `sip:15551110001@127.0.0.1:${uasA.port}`);
      assert.match(header(a!, 'via')!, new RegExp(`^SIP/2\\.0/UDP 127\\.0\\.0\\.1:${portA};`));
      assert.match(header(a!, 'contact')!, new RegExp(`@127\\.0\\.0\\.1:${portA}>`));
      assert.equal(uriOf(b!), `sip:447700900001@127.0.0.1:${uasB.port}`);
      assert.match(header(b!, 'via')!, new RegExp(`^SIP/2\\.0/UDP 127\\.0\\.0\\.2:${portB};`));
      assert.match(header(b!, 'contact')!, new RegExp(`@127\\.0\\.0\\.2:${portB}>`));

      const inbound = rig.app.requests('/inbound')[0]!;
      assert.deepEqual(pick(inbound, ['Direction', 'To']), { Direction: 'inbound', To: '15553330001' });
      for (const to of ['15551110001', '447700900001']) assert.equal(hangupTo(rig, to)?.params.CallStatus, 'completed', to);
    } finally {
      uasA.kill();
      uasB.kill();
      uac?.kill();
      await rig.close();
    }
  });

  test('caller-ID rules: an allowed caller goes as +E.164, another becomes the default, none without a default fails before any INVITE; the webhooks keep the app\'s From', async () => {
    const uas = await startSipp({ scenario: 'uas-answer.xml', calls: 2 });
    const rig = await startSipRig({
      file: {
        sip: {
          trunks: [
            { name: 'strict-with-default', host: '127.0.0.1', port: uas.port, prefixes: ['1555'], callerId: { format: '+e164', allowed: ['1555'], default: '+15550009999' } },
            { name: 'strict', host: '127.0.0.1', port: uas.port, prefixes: ['1666'], callerId: { allowed: ['1555'] } },
          ],
        },
      },
    });
    try {
      rig.app.on('/answer', ANSWER_XML);
      await placeCall(rig, '+15550000001', '+15551110001');
      await placeCall(rig, '+442000000002', '+15551110002');
      await placeCall(rig, '+442000000003', '+16661110003');
      await rig.waitFor('/hangup', 3);
      await rig.settle();
      await expectSippOk(uas, 'uas-answer.xml');

      const wire = new Map(invites(uas).map((i) => [/^sip:(\d+)@/.exec(uriOf(i))?.[1], userOf(header(i, 'from'))]));
      assert.deepEqual(Object.fromEntries(wire), { '15551110001': '+15550000001', '15551110002': '+15550009999' }, uas.log());

      // Only the wire changes: the app sees the From it gave.
      const allowed = hangupTo(rig, '15551110001')!;
      const replaced = hangupTo(rig, '15551110002')!;
      const refused = hangupTo(rig, '16661110003')!;
      assert.equal(allowed.params.From, '15550000001');
      assert.equal(replaced.params.From, '442000000002');
      assert.equal(rig.app.requests('/answer').find((r) => r.params.To === '15551110002')?.params.From, '442000000002');
      assert.deepEqual(pick(refused, ['From', 'CallStatus', 'HangupCause', 'HangupCauseCode', 'HangupCauseName']), {
        From: '442000000003',
        CallStatus: 'failed',
        HangupCause: 'CALL_REJECTED',
        HangupCauseCode: '3010',
        HangupCauseName: 'Rejected',
      });
    } finally {
      uas.kill();
      await rig.close();
    }
  });

  test('dial rules: strip a leading 1, prepend 011 in the Request-URI and To; the webhooks keep the app\'s To', async () => {
    const uas = await startSipp({ scenario: 'uas-answer.xml', calls: 2 });
    const rig = await startSipRig({
      file: {
        sip: {
          trunks: [
            { name: 'intl', host: '127.0.0.1', port: uas.port, prefixes: ['1', '44'], dial: { strip: '1', prepend: '011' } },
          ],
        },
      },
    });
    try {
      rig.app.on('/answer', ANSWER_XML);
      await placeCall(rig, '+15550000000', '+15551110001');
      await placeCall(rig, '+15550000000', '+447700900001');
      await rig.waitFor('/hangup', 2);
      await rig.settle();
      await expectSippOk(uas, 'uas-answer.xml');
      const wire = invites(uas).map((i) => [uriOf(i), userOf(header(i, 'to'))]);
      // The 44 number has no leading 1 to strip: it only gets the 011.
      assert.deepEqual(wire.sort(), [
        [`sip:011447700900001@127.0.0.1:${uas.port}`, '011447700900001'],
        [`sip:0115551110001@127.0.0.1:${uas.port}`, '0115551110001'],
      ]);
      assert.equal(hangupTo(rig, '15551110001')?.params.CallStatus, 'completed');
      assert.equal(hangupTo(rig, '447700900001')?.params.CallStatus, 'completed');
    } finally {
      uas.kill();
      await rig.close();
    }
  });

  test('RFC 3263: SRV by priority for a name without a port, A only for a name with one', async () => {
    const [uas, fixed] = await Promise.all([startSipp({ scenario: 'uas-answer.xml' }), startSipp({ scenario: 'uas-answer.xml' })]);
    const dead = await freePort();
    const dns = await startDnsServer({
      '_sip._udp.carrier.test': {
        SRV: [
          { priority: 20, weight: 100, port: dead, target: 'backup.carrier.test' },
          { priority: 10, weight: 1, port: uas.port, target: 'edge.carrier.test' },
        ],
      },
      'edge.carrier.test': { A: ['127.0.0.1'] },
      'backup.carrier.test': { A: ['127.0.0.1'] },
      'fixed.carrier.test': { A: ['127.0.0.1'] },
    });
    const rig = await startSipRig({
      file: {
        sip: {
          dns: { servers: [dns.address] },
          trunks: [
            { name: 'by-srv', host: 'carrier.test', prefixes: ['1555'] },
            { name: 'by-a', host: 'fixed.carrier.test', port: fixed.port, prefixes: ['1666'] },
          ],
        },
      },
    });
    try {
      rig.app.on('/answer', ANSWER_XML);
      await placeCall(rig, '+15550000000', '+15551110001');
      await placeCall(rig, '+15550000000', '+16661110001');
      await rig.waitFor('/hangup', 2);
      await rig.settle();
      await Promise.all([expectSippOk(uas, 'SRV target'), expectSippOk(fixed, 'A target')]);
      assert.deepEqual(invites(uas).map(uriOf), ['sip:15551110001@carrier.test']);
      assert.deepEqual(invites(fixed).map(uriOf), [`sip:16661110001@fixed.carrier.test:${fixed.port}`]);
      assert.ok(dns.queries.includes('SRV _sip._udp.carrier.test'), dns.queries.join(', '));
      assert.ok(dns.queries.includes('A edge.carrier.test'), dns.queries.join(', '));
      assert.ok(dns.queries.includes('A fixed.carrier.test'), dns.queries.join(', '));
      assert.ok(!dns.queries.some((q) => q.startsWith('SRV') && q.includes('fixed')), `no SRV for a trunk with a port: ${dns.queries.join(', ')}`);
      assert.equal(hangupTo(rig, '15551110001')?.params.CallStatus, 'completed');
    } finally {
      uas.kill();
      fixed.kill();
      await rig.close();
      await dns.close();
    }
  });

  test('RFC 3263: the answer is resolved again when it expires; a carrier that moves is followed, one that vanishes fails the call (no route, no INVITE)', async () => {
    const [first, second] = await Promise.all([startSipp({ scenario: 'uas-answer.xml' }), startSipp({ scenario: 'uas-answer.xml' })]);
    const zone = (port: number): Zone => ({
      '_sip._udp.carrier.test': { SRV: [{ priority: 10, weight: 1, port, target: 'edge.carrier.test' }], ttl: 1 },
      'edge.carrier.test': { A: ['127.0.0.1'], ttl: 1 },
    });
    const dns = await startDnsServer(zone(first.port));
    const rig = await startSipRig({ file: { sip: { dns: { servers: [dns.address], refresh: '1s' }, trunks: [{ name: 'moving', host: 'carrier.test' }] } } });
    const SRV = 'SRV _sip._udp.carrier.test';
    try {
      rig.app.on('/answer', ANSWER_XML);
      await placeCall(rig, '+15550000000', '+15551110001');
      await rig.waitFor('/hangup', 1);

      dns.setZone(zone(second.port));
      const before = dns.queries.filter((q) => q === SRV).length;
      await asked(dns, SRV, before + 1);
      // The engine has the new answer (not only asked for it) before the next call is placed.
      await waitUntil('the trunk moves', () => rig.engine.sip!.trunkTargets('moving')?.join() === `127.0.0.1:${second.port}` || undefined);
      await placeCall(rig, '+15550000000', '+15551110002');
      await rig.waitFor('/hangup', 2);

      dns.setZone({});
      await asked(dns, 'AAAA carrier.test', 1);
      await waitUntil('the trunk vanishes', () => rig.engine.sip!.trunkTargets('moving')?.length === 0 || undefined);
      await placeCall(rig, '+15550000000', '+15551110003');
      await rig.waitFor('/hangup', 3);
      await rig.settle();
      await Promise.all([expectSippOk(first, 'first address'), expectSippOk(second, 'second address')]);

      assert.deepEqual(invites(first).map(uriOf), ['sip:15551110001@carrier.test']);
      assert.deepEqual(invites(second).map(uriOf), ['sip:15551110002@carrier.test']);
      assert.equal(hangupTo(rig, '15551110002')?.params.CallStatus, 'completed');
      assert.deepEqual(pick(hangupTo(rig, '15551110003')!, ['CallStatus', 'HangupCause', 'HangupCauseCode']), { CallStatus: 'failed', HangupCause: 'NO_ROUTE_DESTINATION', HangupCauseCode: '2000' });
    } finally {
      first.kill();
      second.kill();
      await rig.close();
      await dns.close();
    }
  });

  test('RFC 3263: a trunk that does not resolve at start stops the engine with its name, and frees the listen address', async () => {
    const dns = await startDnsServer({});
    const port = await freePort();
    const file = { sip: { listen: [`127.0.0.1:${port}`], dns: { servers: [dns.address] }, trunks: [{ name: 'carrier-x', host: 'missing.carrier.test' }] } };
    try {
      await assert.rejects(startSipRig({ file }), {
        name: 'TrunkError',
        message: 'trunk "carrier-x": cannot resolve missing.carrier.test (SRV _sip._udp.missing.carrier.test, then A/AAAA): missing.carrier.test has no A or AAAA record',
      });
      // Nothing stays bound: the same address starts cleanly once the name resolves.
      dns.setZone({ 'missing.carrier.test': { A: ['127.0.0.1'] } });
      const rig = await startSipRig({ file });
      assert.equal(rig.engine.sip!.port, port);
      await rig.close();
    } finally {
      await dns.close();
    }
  });
});

describe('switchboard serve --config', { concurrency: true }, () => {
  const MAIN = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
  const BASE_ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SWITCHBOARD_')));

  function serveOnce(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve', '--port', '0', ...args], { env: { ...BASE_ENV, ...env } });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      child.on('close', (code) => resolve({ code, stderr }));
    });
  }

  test('a bad file, a missing file, an unresolvable trunk and a listen address in use each exit 2 with the message', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-config-'));
    const dns = await startDnsServer({});
    try {
      const bad = join(dir, 'config.json');
      writeFileSync(bad, JSON.stringify({ port: 8080, sip: { trunks: [{ host: 'a.example', port: 5060 }, { host: 'b.example', port: 70000 }] } }));
      const unresolvable = join(dir, 'dns.json');
      const sipPort = await freePort();
      writeFileSync(unresolvable, JSON.stringify({ db: join(dir, 'sb.db'), sip: { listen: `127.0.0.1:${sipPort}`, dns: { servers: [dns.address] }, trunks: [{ name: 'carrier-x', host: 'missing.carrier.test', port: 5060 }] } }));
      // A listen address someone else holds.
      const holder = dgram.createSocket('udp4');
      const held = await new Promise<number>((r) => holder.bind(0, '127.0.0.1', () => r(holder.address().port)));
      const [r1, r2, r3, r4] = await Promise.all([
        serveOnce(['--config', bad]),
        serveOnce([], { SWITCHBOARD_CONFIG: join(dir, 'nope.json') }),
        serveOnce(['--config', unresolvable]),
        serveOnce(['--db', join(dir, 'held.db'), '--sip-listen', `127.0.0.1:${held}`, '--sip-trunk', 'sip:127.0.0.1:5080']),
      ]).finally(() => holder.close());
      assert.equal(r1.code, 2, r1.stderr);
      assert.equal(r1.stderr, `switchboard: ${bad}: sip.trunks[1].port: must be 1-65535, got 70000\n`);
      assert.equal(r2.code, 2, r2.stderr);
      assert.match(r2.stderr, /^switchboard: --config: cannot read .*nope\.json: ENOENT/);
      assert.equal(r3.code, 2, r3.stderr);
      assert.equal(r3.stderr, 'switchboard: trunk "carrier-x": cannot resolve missing.carrier.test (A/AAAA, port 5060): missing.carrier.test has no A or AAAA record\n');
      assert.equal(r4.code, 2, r4.stderr);
      assert.match(r4.stderr, new RegExp(`^switchboard: cannot listen on 127\\.0\\.0\\.1:${held}: .*EADDRINUSE`));
    } finally {
      await dns.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a good file: flags win over it, and each listen address is logged at start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-config-'));
    const [a, b] = [await freePort(), await freePort()];
    const path = join(dir, 'switchboard.json');
    writeFileSync(
      path,
      JSON.stringify({
        port: 1, // the flag's 0 wins
        'log-level': 'silent', // the flag's info wins
        'webhook-retry-for': '1h',
        sip: {
          listen: [`127.0.0.1:${a}`, { name: 'b', host: '127.0.0.2', port: b }],
          trunks: [
            { name: 'carrier-a', host: '127.0.0.1', port: 5080, prefixes: ['1555'] },
            { name: 'carrier-b', host: '127.0.0.1', port: 5081, listen: 'b' },
          ],
        },
      }),
    );
    const engine = await startServe({ db: join(dir, 'sb.db'), authId: AUTH_ID, authToken: AUTH_TOKEN, seed: 1, extraArgs: ['--config', path] });
    try {
      const listening = engine.logs().filter((l) => l.msg === 'SIP listening').map((l) => [l.sip, l.trunks]);
      assert.deepEqual(listening, [
        [`127.0.0.1:${a}`, ['carrier-a']],
        [`127.0.0.2:${b}`, ['carrier-b']],
      ]);
      assert.notEqual(engine.port, 1);
    } finally {
      await engine.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
