/**
 * RFC 3261 §17 timers on the virtual clock: retransmission schedules, Timer B/F timeouts, the ACK
 * for a non-2xx built inside the INVITE client transaction, and Timer G until the ACK arrives.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../src/clock.ts';
import { TransactionLayer, DEFAULT_TIMERS, responseTo, type CoreHandlers } from '../src/network/sip/transactions.ts';
import type { SipMessage, SipRequest } from '../src/network/sip/message.ts';
import type { Peer, Transports } from '../src/network/sip/transport.ts';

function rig(core: Partial<CoreHandlers> = {}) {
  const clock = new VirtualClock(0);
  const sent: { at: number; msg: SipMessage }[] = [];
  const transports = { send: (msg: SipMessage) => sent.push({ at: clock.now(), msg }) } as unknown as Transports;
  const layer = new TransactionLayer(transports, clock, DEFAULT_TIMERS, { onRequest: () => {}, onAck: () => {}, onCancel: () => {}, onStrayResponse: () => {}, ...core });
  return { clock, sent, layer };
}

const peer: Peer = { transport: 'udp', address: '127.0.0.1', port: 5080 };
function req(method: string, branch = 'z9hG4bKt1'): SipRequest {
  return {
    kind: 'request', method, uri: 'sip:1@127.0.0.1:5080', body: '',
    headers: [['via', `SIP/2.0/UDP 127.0.0.1:5060;branch=${branch}`], ['from', '<sip:a@h>;tag=a'], ['to', '<sip:1@h>'], ['call-id', 'c1'], ['cseq', `1 ${method}`]],
  };
}

test('INVITE client: Timer A doubles from T1, Timer B ends it at 64*T1 with no final response', () => {
  const { clock, sent, layer } = rig();
  let timedOut = -1;
  layer.sendRequest(req('INVITE'), peer, { onResponse: () => {}, onTimeout: () => (timedOut = clock.now()), onTransportError: () => {} });
  clock.advance(40_000);
  assert.deepEqual(sent.map((s) => s.at), [0, 500, 1500, 3500, 7500, 15500, 31500]);
  assert.equal(timedOut, 32_000);
});

test('INVITE client: a 1xx stops Timer A; a 486 is ACKed in the transaction (same branch, its To tag), retransmissions re-ACKed', () => {
  const { clock, sent, layer } = rig();
  const got: number[] = [];
  const invite = req('INVITE');
  layer.sendRequest(invite, peer, { onResponse: (r) => got.push(r.status), onTimeout: () => assert.fail('no timeout'), onTransportError: () => {} });
  layer.receiveResponse(responseTo(invite, 180, [], '', 'b'), peer);
  clock.advance(5000);
  assert.equal(sent.length, 1);
  const busy = responseTo(invite, 486, [], '', 'b');
  layer.receiveResponse(busy, peer);
  layer.receiveResponse(busy, peer);
  assert.deepEqual(got, [180, 486]);
  const acks = sent.filter((s) => s.msg.kind === 'request' && s.msg.method === 'ACK').map((s) => s.msg as SipRequest);
  assert.equal(acks.length, 2);
  const via = acks[0]!.headers.find(([k]) => k === 'via')![1];
  assert.match(via, /branch=z9hG4bKt1/);
  assert.match(acks[0]!.headers.find(([k]) => k === 'to')![1], /;tag=b/);
  assert.match(acks[0]!.headers.find(([k]) => k === 'cseq')![1], /^1 ACK$/);
  clock.advance(60_000);
  assert.deepEqual(layer.size, { clients: 0, servers: 0 });
});

test('non-INVITE client: Timer E caps at T2, Timer F at 64*T1', () => {
  const { clock, sent, layer } = rig();
  let timedOut = -1;
  layer.sendRequest(req('BYE'), peer, { onResponse: () => {}, onTimeout: () => (timedOut = clock.now()), onTransportError: () => {} });
  clock.advance(40_000);
  assert.deepEqual(sent.map((s) => s.at).slice(0, 7), [0, 500, 1500, 3500, 7500, 11500, 15500]);
  assert.equal(timedOut, 32_000);
});

test('INVITE server: 100 at once, a 486 resent on Timer G until the ACK, retransmitted INVITEs answered again', () => {
  let serverTx: any;
  const { clock, sent, layer } = rig({ onRequest: (_r, tx) => (serverTx = tx) });
  const invite = req('INVITE', 'z9hG4bKs1');
  layer.receiveRequest(invite, peer);
  assert.equal(sent.length, 1);
  assert.equal((sent[0]!.msg as any).status, 100);
  serverTx.respond(responseTo(invite, 486, [], '', 'us'));
  clock.advance(1600);
  assert.deepEqual(sent.filter((s) => (s.msg as any).status === 486).map((s) => s.at), [0, 500, 1500]);
  layer.receiveRequest({ ...invite, method: 'ACK', headers: invite.headers.map(([k, v]) => [k, k === 'cseq' ? '1 ACK' : v] as const) }, peer);
  clock.advance(10_000);
  assert.equal(sent.filter((s) => (s.msg as any).status === 486).length, 3);
  assert.deepEqual(layer.size, { clients: 0, servers: 0 });
});
