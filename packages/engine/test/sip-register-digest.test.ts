/**
 * The registrar's digest and clock rules without a network (registrar.ts): a REGISTER answering
 * with SHA-256 is checked against the SHA-256 HA1, an old nonce is answered stale=true, and a
 * binding ends when its expiry passes on the engine's clock. Client answers come from digest.ts,
 * the engine's own (tested) UAC side.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../src/clock.ts';
import { endpointHa1, Registrar } from '../src/network/sip/registrar.ts';
import { authorization, parseChallenge } from '../src/network/sip/digest.ts';
import { header, type Header, type SipRequest, type SipResponse } from '../src/network/sip/message.ts';
import type { ServerTransaction } from '../src/network/sip/transactions.ts';

const USER = 'alice260101000000';
const secrets = { username: USER, ...endpointHa1(USER, 'right-pass') };

function register(reg: Registrar, extra: Header[], cseq: number, expires = '600'): SipResponse {
  const req: SipRequest = {
    kind: 'request',
    method: 'REGISTER',
    uri: 'sip:127.0.0.1:5060',
    headers: [
      ['via', 'SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1'],
      ['from', `<sip:${USER}@127.0.0.1>;tag=1`],
      ['to', `<sip:${USER}@127.0.0.1>`],
      ['call-id', 'reg-1'],
      ['cseq', `${cseq} REGISTER`],
      ['contact', `<sip:${USER}@127.0.0.1:5070>`],
      ['expires', expires],
      ...extra,
    ],
    body: '',
  };
  let res: SipResponse | undefined;
  const tx = { source: { transport: 'udp', address: '127.0.0.1', port: 5070 }, respond: (r: SipResponse) => (res = r) } as unknown as ServerTransaction;
  reg.register(req, tx);
  return res!;
}

function answer(challenge: SipResponse, password: string, algorithm?: 'SHA-256'): Header {
  let ch = parseChallenge(header(challenge, 'www-authenticate'))!;
  if (algorithm) ch = { ...ch, algorithm };
  return ['authorization', authorization(ch, { username: USER, password }, 'REGISTER', 'sip:127.0.0.1:5060')];
}

test('SHA-256 answers are checked against the SHA-256 HA1; a wrong password is challenged again', () => {
  const clock = new VirtualClock();
  const reg = new Registrar({ clock, lookup: (u) => (u === USER ? secrets : undefined), algorithms: ['SHA-256', 'MD5'] });
  const first = register(reg, [], 1);
  assert.equal(first.status, 401);
  assert.deepEqual(first.headers.filter(([k]) => k === 'www-authenticate').map(([, v]) => /algorithm=([\w-]+)/.exec(v)![1]), ['SHA-256', 'MD5']);
  assert.equal(register(reg, [answer(first, 'wrong-pass', 'SHA-256')], 2).status, 401);
  const ok = register(reg, [answer(first, 'right-pass', 'SHA-256')], 3);
  assert.equal(ok.status, 200);
  assert.equal(header(ok, 'contact'), `<sip:${USER}@127.0.0.1:5070>;expires=600`);
  assert.equal(reg.live(USER).length, 1);
});

test('an old nonce is answered stale=true; a binding ends when its time passes on the engine clock', () => {
  const clock = new VirtualClock();
  const reg = new Registrar({ clock, lookup: (u) => (u === USER ? secrets : undefined) });
  const challenge = register(reg, [], 1);
  assert.equal(register(reg, [answer(challenge, 'right-pass')], 2, '120').status, 200);
  assert.equal(reg.has('127.0.0.1', 5070), true);
  clock.advance(119_000);
  assert.equal(reg.live(USER).length, 1);
  clock.advance(1_000);
  assert.equal(reg.live(USER).length, 0);
  assert.equal(reg.has('127.0.0.1', 5070), false);
  // Six minutes after it was issued, the same (right) answer is stale: challenged again with stale=true.
  clock.advance(240_000);
  const stale = register(reg, [answer(challenge, 'right-pass')], 3);
  assert.equal(stale.status, 401);
  assert.match(header(stale, 'www-authenticate')!, /stale=true$/);
  assert.equal(register(reg, [answer(stale, 'right-pass')], 4).status, 200);
});
