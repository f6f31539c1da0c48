/**
 * Early media through the B2BUA (spec/sip.md §1.6): a callee's 183 with SDP reaches an inbound
 * caller still ringing as a 183 carrying that callee's media, the 2xx repeats the same answer, and
 * when another callee wins the race the caller is re-INVITEd to the winner's media. A Dial that
 * plays its own dialMusic keeps the callee's early media from the caller.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startSipRig, AUTH_TOKEN, type SipRig } from './support/sip-rig.ts';
import { startSipp, expectSippOk, type SippOptions, type SippRun } from './support/sipp.ts';
import type { CapturedRequest } from './support/app-server.ts';

const DID = '15553330001';
const B1 = '15552220001';
const B2 = '15552220002';

const pick = (r: CapturedRequest, keys: string[]) => Object.fromEntries(keys.map((k) => [k, r.params[k]]));

function trace(r: SippRun): string {
  return readdirSync(r.dir).filter((f) => f.endsWith('_messages.log')).map((f) => readFileSync(join(r.dir, f), 'utf8')).join('\n');
}

/** The messages of sipp's trace, each from its start line, without the log's own lines. */
function messages(r: SippRun): string[] {
  return trace(r)
    .split(/^-{20,}.*$/m)
    .map((chunk) => chunk.replace(/^\s*(?:UDP|TCP) message (?:sent|received)[^\n]*\n/, '').trim())
    .filter(Boolean);
}

const mediaPort = (msg: string | undefined) => /m=audio (\d+) /.exec(msg ?? '')?.[1];

/** sipp callees on B1 (and B2), a sipp caller dialling DID; the app's XML decides. */
async function run(
  caller: Omit<SippOptions, 'remote'>,
  callees: SippOptions[],
  xml: (rig: SipRig) => string,
  check: (rig: SipRig, uac: SippRun, uas: SippRun[]) => void,
): Promise<void> {
  const uas = await Promise.all(callees.map((c) => startSipp(c)));
  const trunks = uas.map((u, i) => `sip:127.0.0.1:${u.port};prefix=${[B1, B2][i]}`).join(',');
  const rig = await startSipRig({ trunks });
  let uac: SippRun | undefined;
  try {
    rig.app.on('/inbound', xml(rig));
    const app = await rig.api('POST', 'Application/', { app_name: 'early', answer_url: rig.app.url('/inbound'), hangup_url: rig.app.url('/hangup') });
    assert.equal(app.status, 201, JSON.stringify(app.body));
    assert.equal((await rig.api('POST', `PhoneNumber/${DID}/`, { app_id: app.body.app_id })).status, 201);
    uac = await startSipp({ ...caller, remote: rig.sipAddress, service: DID });
    await expectSippOk(uac, caller.scenario);
    await rig.waitFor('/hangup');
    await rig.settle();
    for (const [i, u] of uas.entries()) await expectSippOk(u, callees[i]!.scenario);
    check(rig, uac, uas);
    rig.app.assertAllSigned({ authToken: AUTH_TOKEN, mainAuthToken: AUTH_TOKEN });
  } finally {
    uac?.kill();
    for (const u of uas) u.kill();
    await rig.close();
  }
}

const paths = (rig: SipRig) => rig.app.requests().map((r) => r.path + (r.params.DialAction ? ':' + r.params.DialAction : ''));

describe('early media', { concurrency: true }, () => {
  test('a callee\'s 183 reaches the ringing caller with the callee\'s media; the 200 repeats it, no re-INVITE', () =>
    run(
      { scenario: 'uac-invite-bye.xml', pauseMs: 1500 },
      [{ scenario: 'uas-early-answer.xml', pauseMs: 1500 }],
      (rig) => `<Response><Dial action="${rig.app.url('/action')}"><Number>${B1}</Number></Dial></Response>`,
      (rig, uac, [callee]) => {
        assert.deepEqual(paths(rig), ['/inbound', '/action', '/hangup']);
        assert.deepEqual(pick(rig.app.requests('/action')[0]!, ['DialStatus', 'DialRingStatus', 'DialHangupCause']), {
          DialStatus: 'completed', DialRingStatus: 'true', DialHangupCause: 'NORMAL_CLEARING',
        });
        assert.deepEqual(pick(rig.app.requests('/hangup')[0]!, ['CallStatus', 'HangupCause', 'HangupSource']), {
          CallStatus: 'completed', HangupCause: 'NORMAL_CLEARING', HangupSource: 'Caller',
        });
        const bPort = mediaPort(messages(callee!).find((m) => m.startsWith('SIP/2.0 183')));
        assert.ok(bPort, 'the callee sent its early media');
        const got = messages(uac);
        const early = got.find((m) => m.startsWith('SIP/2.0 183'));
        const ok = got.find((m) => m.startsWith('SIP/2.0 200') && /CSeq: 1 INVITE/.test(m));
        assert.equal(mediaPort(early), bPort, 'the caller\'s 183 carries the callee\'s media');
        assert.match(early!, /o=switchboard /);
        // One answer per offer: the 2xx repeats the 183's description, origin version and all.
        assert.equal(/\r?\n\r?\n([\s\S]*)$/.exec(ok!)?.[1]?.trim(), /\r?\n\r?\n([\s\S]*)$/.exec(early!)?.[1]?.trim());
        assert.equal(got.filter((m) => m.startsWith('INVITE sip:')).length, 1, 'no re-INVITE towards the caller');
      },
    ));

  test('the early callee loses the race: the caller is re-INVITEd to the winner\'s media', () =>
    run(
      { scenario: 'uac-invite-early-reinvited.xml', pauseMs: 1000 },
      [{ scenario: 'uas-early-noanswer.xml' }, { scenario: 'uas-ring-answer.xml', pauseMs: 2000 }],
      (rig) => `<Response><Dial action="${rig.app.url('/action')}"><Number>${B1}</Number><Number>${B2}</Number></Dial></Response>`,
      (rig, uac, [loser, winner]) => {
        assert.deepEqual(paths(rig), ['/inbound', '/action', '/hangup']);
        assert.deepEqual(pick(rig.app.requests('/action')[0]!, ['DialStatus', 'DialHangupCause']), { DialStatus: 'completed', DialHangupCause: 'NORMAL_CLEARING' });
        const loserPort = mediaPort(messages(loser!).find((m) => m.startsWith('SIP/2.0 183')));
        const winnerPort = mediaPort(messages(winner!).find((m) => m.startsWith('SIP/2.0 200') && /CSeq: 1 INVITE/.test(m)));
        assert.ok(loserPort && winnerPort && loserPort !== winnerPort);
        const got = messages(uac);
        assert.equal(mediaPort(got.find((m) => m.startsWith('SIP/2.0 183'))), loserPort);
        assert.equal(mediaPort(got.find((m) => m.startsWith('SIP/2.0 200') && /CSeq: 1 INVITE/.test(m))), loserPort, 'the 2xx repeats the early answer');
        // The caller's own INVITE first, then ours.
        const [, reinvite, more] = got.filter((m) => m.startsWith('INVITE sip:'));
        assert.equal(more, undefined, 'one re-INVITE');
        assert.equal(mediaPort(reinvite), winnerPort, 'the re-INVITE moves the caller to the winner');
        // The loser was CANCELled as having lost the race.
        assert.match(messages(loser!).find((m) => m.startsWith('CANCEL')) ?? '', /Reason: SIP;cause=200;text="Call completed elsewhere"/);
      },
    ));

  test('dialMusic of the Dial\'s own: the callee\'s early media is not passed on', () =>
    run(
      { scenario: 'uac-invite-bye.xml', pauseMs: 1000 },
      [{ scenario: 'uas-early-answer.xml', pauseMs: 1500 }],
      (rig) => {
        rig.app.on('/music', '<Response><Play>https://example.invalid/hold.mp3</Play></Response>');
        return `<Response><Dial dialMusic="${rig.app.url('/music')}"><Number>${B1}</Number></Dial></Response>`;
      },
      (rig, uac) => {
        assert.deepEqual(paths(rig), ['/inbound', '/music', '/hangup']);
        assert.equal(messages(uac).filter((m) => m.startsWith('SIP/2.0 183')).length, 0);
      },
    ));
});
