/**
 * Switchboard's registrar (docs/endpoints.md, docs/sip.md "Registrar") against sipp phones: digest
 * REGISTER with the endpoint's password, RFC 3261 §10.3's rules (423 Min-Expires, `*` removes every
 * binding, a wrong password is challenged again), `<User>` ringing the registered contact, and an
 * INVITE from a registered endpoint running the endpoint's application. The engine trusts no network
 * here: a phone's INVITE is taken only because it registered.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSipRig, type SipRig } from './support/sip-rig.ts';
import { startSipp, expectSippOk, type SippRun } from './support/sipp.ts';
import { traceMessages, startLine } from './support/sip-calls.ts';

const PASSWORD = 'phone-pass-1';

/** A rig trusting no network (no trunk either), with one endpoint and its application. */
async function rigWithEndpoint(): Promise<{ rig: SipRig; username: string; endpointId: string }> {
  const rig = await startSipRig({ flags: { 'sip-accept-from': '', 'inbound-answer-url': undefined } });
  const app = await rig.api('POST', 'Application/', { app_name: 'phones', answer_url: rig.app.url('/phone'), hangup_url: rig.app.url('/hangup') });
  assert.equal(app.status, 201);
  const ep = await rig.api('POST', 'Endpoint/', { username: 'desk', password: PASSWORD, alias: 'Desk', app_id: app.body.app_id });
  assert.equal(ep.status, 201);
  return { rig, username: ep.body.username, endpointId: ep.body.endpoint_id };
}

async function finish(rig: SipRig, runs: SippRun[]): Promise<void> {
  for (const r of runs) r.kill();
  await rig.close();
}

test('REGISTER: 401 with an MD5 challenge, 200 with the binding, shown by the Endpoint API until it expires', async () => {
  const { rig, username, endpointId } = await rigWithEndpoint();
  const runs: SippRun[] = [];
  try {
    const before = await rig.api('GET', `Endpoint/${endpointId}/`);
    assert.equal(before.body.sip_registered, 'false');
    assert.equal(before.body.sip_contact, undefined);
    const reg = await startSipp({ scenario: 'uac-register.xml', remote: rig.sipAddress, keys: { ep: username, contact_port: '5099', expires: '120' }, extra: ['-au', username, '-ap', PASSWORD], timeoutS: 10 });
    runs.push(reg);
    await expectSippOk(reg, 'register');
    const got = traceMessages(reg).filter((m) => !m.sent);
    assert.deepEqual(got.map(startLine), ['SIP/2.0 401 Unauthorized', 'SIP/2.0 200 OK']);
    const challenges = got[0]!.text.split('\n').filter((l) => /^WWW-Authenticate:/i.test(l));
    assert.equal(challenges.length, 1);
    assert.match(challenges[0]!, /^WWW-Authenticate: Digest realm="switchboard", nonce="[^"]+", qop="auth", algorithm=MD5$/);
    assert.match(got[1]!.text, new RegExp(`Contact: <sip:${username}@127\\.0\\.0\\.1:5099>;expires=120`));

    const after = await rig.api('GET', `Endpoint/${endpointId}/`);
    assert.equal(after.body.sip_registered, 'true');
    assert.equal(after.body.sip_contact, `sip:${username}@127.0.0.1:5099`);
    assert.equal(after.body.sip_user_agent, 'sipp-register');
    assert.match(after.body.sip_expires, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    const bindings = rig.engine.registrar!.live(username);
    assert.equal(bindings.length, 1);
    // The binding lasts 120 s of the engine's clock.
    assert.ok(Math.abs(bindings[0]!.expiresAt - rig.engine.clock.now() - 120_000) < 5_000);
  } finally {
    await finish(rig, runs);
  }
});

test('REGISTER rules: 423 below Min-Expires, `*` with Expires: 0 removes every binding; a wrong password is challenged again', async () => {
  const { rig, username, endpointId } = await rigWithEndpoint();
  const runs: SippRun[] = [];
  try {
    const rules = await startSipp({ scenario: 'uac-register-rules.xml', remote: rig.sipAddress, keys: { ep: username, contact_port: '5098' }, extra: ['-au', username, '-ap', PASSWORD], timeoutS: 10 });
    runs.push(rules);
    await expectSippOk(rules, 'rules');
    assert.deepEqual(
      traceMessages(rules).filter((m) => !m.sent).map(startLine),
      ['SIP/2.0 401 Unauthorized', 'SIP/2.0 423 Interval Too Brief', 'SIP/2.0 401 Unauthorized', 'SIP/2.0 200 OK', 'SIP/2.0 401 Unauthorized', 'SIP/2.0 200 OK'],
    );
    assert.equal(rig.engine.registrar!.live(username).length, 0);
    assert.equal((await rig.api('GET', `Endpoint/${endpointId}/`)).body.sip_registered, 'false');

    const wrong = await startSipp({ scenario: 'uac-register-refused.xml', remote: rig.sipAddress, keys: { ep: username, contact_port: '5097' }, extra: ['-au', username, '-ap', 'not-the-password'], timeoutS: 10 });
    runs.push(wrong);
    await expectSippOk(wrong, 'wrong password');
    assert.equal(rig.engine.registrar!.live(username).length, 0);
    // An unknown username is challenged exactly like a known one: nobody learns which exist.
    const nobody = await startSipp({ scenario: 'uac-register-refused.xml', remote: rig.sipAddress, keys: { ep: 'nobody123', contact_port: '5097' }, extra: ['-au', 'nobody123', '-ap', PASSWORD], timeoutS: 10 });
    runs.push(nobody);
    await expectSippOk(nobody, 'unknown username');
    assert.equal(rig.engine.registrar!.counters.registered, 1);
  } finally {
    await finish(rig, runs);
  }
});

test('<User>sip:endpoint@...</User> rings the registered contact (a sipp UAS), and the Dial completes', async () => {
  const { rig, username } = await rigWithEndpoint();
  const runs: SippRun[] = [];
  try {
    const phone = await startSipp({ scenario: 'uas-ring-answer.xml', pauseMs: 500, timeoutS: 20 });
    runs.push(phone);
    const reg = await startSipp({ scenario: 'uac-register.xml', remote: rig.sipAddress, keys: { ep: username, contact_port: String(phone.port), expires: '300' }, extra: ['-au', username, '-ap', PASSWORD], timeoutS: 10 });
    runs.push(reg);
    await expectSippOk(reg, 'register');
    rig.app.on('/answer', `<Response><Dial action="${rig.app.url('/action')}"><User>sip:${username}@${rig.sipAddress}</User></Dial></Response>`);
    rig.app.on('/action', '<Response/>');
    // The caller is simulated: it answers at once and hangs up after 3 s, ending the bridged call.
    await rig.api('POST', 'Simulator/Number/', { number: '15550002222', script: 'answer, hangup after 3s' });
    const call = await rig.api('POST', 'Call/', { from: '15550009999', to: '15550002222', answer_url: rig.app.url('/answer') });
    assert.equal(call.status, 201);
    const [action] = await rig.waitFor('/action');
    await expectSippOk(phone, 'phone');
    assert.equal(action!.params.DialStatus, 'completed');
    const invite = traceMessages(phone).find((m) => !m.sent && startLine(m).startsWith('INVITE '));
    assert.equal(startLine(invite!), `INVITE sip:${username}@127.0.0.1:${phone.port} SIP/2.0`);
    await rig.settle();
  } finally {
    await finish(rig, runs);
  }
});

test('an INVITE from a registered endpoint runs its application; before it registered, the same INVITE is refused', async () => {
  const { rig, username } = await rigWithEndpoint();
  const runs: SippRun[] = [];
  try {
    rig.app.on('/phone', '<Response><Speak>hello</Speak><Wait length="10"/></Response>');
    const stranger = await startSipp({ scenario: 'uac-invite-rejected.xml', remote: rig.sipAddress, service: '15551234567', timeoutS: 10 });
    runs.push(stranger);
    await expectSippOk(stranger, 'not registered');
    assert.equal(rig.app.requests('/phone').length, 0);

    const phone = await startSipp({ scenario: 'uac-register-invite-bye.xml', remote: rig.sipAddress, service: '15551234567', pauseMs: 200, keys: { ep: username }, extra: ['-au', username, '-ap', PASSWORD], timeoutS: 15 });
    runs.push(phone);
    const [answer] = await rig.waitFor('/phone');
    await expectSippOk(phone, 'phone');
    assert.equal(answer!.params.From, username);
    assert.equal(answer!.params.To, '15551234567');
    assert.equal(answer!.params.Direction, 'inbound');
    await rig.settle();
  } finally {
    await finish(rig, runs);
  }
});
