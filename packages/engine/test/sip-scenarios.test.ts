/**
 * scenarios.md S1-S7, S10, S11 over SIP: the same webhook sequences and parameters as the simulated
 * versions (scenarios-dial.test.ts), with sipp processes as the A and B parties, one per number,
 * each behind its own trunk (`;prefix=`). Real time, so the scripts are shorter than scenarios.md's
 * and times are compared to the second within a tolerance.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSipRig, AUTH_TOKEN, type SipRig } from './support/sip-rig.ts';
import { startSipp, expectSippOk, type SippOptions, type SippRun } from './support/sipp.ts';
import { pick } from './support/harness.ts';
import { traceText } from './support/sip-calls.ts';

const A = '15551110001';
const B = '15552220001';
const B1 = '15552220011';
const B2 = '15552220012';
const B3 = '15552220013';
const ACTION_KEYS = ['DialStatus', 'DialRingStatus', 'DialHangupCause', 'DialBLegUUID'];

interface Scenario {
  parties: Record<string, SippOptions>;
  answerXml?: (rig: SipRig) => string;
  callParams?: Record<string, unknown>;
  check: (rig: SipRig, sipps: Record<string, SippRun>) => Promise<void> | void;
}

async function run(s: Scenario): Promise<void> {
  const sipps: Record<string, SippRun> = {};
  for (const [number, opts] of Object.entries(s.parties)) sipps[number] = await startSipp(opts);
  const trunks = Object.entries(sipps).map(([n, r]) => `sip:127.0.0.1:${r.port};prefix=${n}`).join(',');
  const rig = await startSipRig({ trunks });
  try {
    if (s.answerXml) rig.app.on('/answer', s.answerXml(rig));
    const res = await rig.api('POST', 'Call/', { from: '+15550000000', to: A, answer_url: rig.app.url('/answer'), ring_url: rig.app.url('/ring'), hangup_url: rig.app.url('/hangup'), ...s.callParams });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    await rig.waitFor('/hangup');
    await rig.settle();
    await noteEventTimes(rig);
    for (const [n, r] of Object.entries(sipps)) await expectSippOk(r, `sipp for ${n} (${s.parties[n]!.scenario})`);
    await s.check(rig, sipps);
    rig.app.assertAllSigned({ authToken: AUTH_TOKEN, mainAuthToken: AUTH_TOKEN });
  } finally {
    for (const r of Object.values(sipps)) r.kill();
    await rig.close();
  }
}

/**
 * When the engine wrote each request's delivery (ms), by `X-Switchboard-Event-Id`. Seconds are measured
 * from there, not from arrival: on a loaded machine a notification can reach the app half a second after
 * the event that caused it, and arrival times then round to the wrong second.
 */
const eventTimes = new WeakMap<SipRig, Map<string, number>>();
async function noteEventTimes(rig: SipRig): Promise<void> {
  const times = new Map<string, number>();
  for (const r of rig.app.requests()) {
    const id = r.headers['x-switchboard-event-id'];
    const d = id ? await rig.engine.store.getDelivery(id) : undefined;
    assert.ok(d, `${r.path}: no delivery for event id ${id}`);
    times.set(id!, d.created_at);
  }
  eventTimes.set(rig, times);
}

/** `/path:DialAction@second`: seconds since the first request's event, rounded to the nearest whole one. */
function seq(rig: SipRig): string[] {
  const times = eventTimes.get(rig)!;
  const all = rig.app.requests();
  const t = (r: (typeof all)[number]) => times.get(r.headers['x-switchboard-event-id']!)!;
  return all.map((r) => `${r.path}${r.params.DialAction ? ':' + r.params.DialAction : ''}@${Math.round((t(r) - t(all[0]!)) / 1000)}`);
}

function dialXml(rig: SipRig, numbers: string[], attrs = `action="${rig.app.url('/action')}" callbackUrl="${rig.app.url('/cb')}"`): string {
  return `<Response><Dial ${attrs}>${numbers.map((n) => `<Number>${n}</Number>`).join('')}</Dial></Response>`;
}

describe('scenarios over SIP', { concurrency: true }, () => {
  test('S1 Dial completed (and the re-INVITE that bridges the media)', () =>
    run({
      parties: { [A]: { scenario: 'uas-ring-answer.xml', pauseMs: 1000 }, [B]: { scenario: 'uas-ring-answer-bye.xml', pauseMs: 3000 } },
      answerXml: (rig) => dialXml(rig, [B]),
      check: (rig, sipps) => {
        assert.deepEqual(seq(rig), ['/ring@0', '/answer@1', '/cb:answer@2', '/cb:connected@2', '/cb:hangup@5', '/action@5', '/hangup@5']);
        const [cbAnswer, , cbHangup] = rig.app.requests('/cb');
        const aUuid = rig.app.requests('/answer')[0]!.params.CallUUID!;
        assert.deepEqual(pick(cbAnswer!, ['Event', 'DialAction', 'DialBLegTo', 'DialBLegPosition', 'DialALegUUID']), { Event: 'DialAnswer', DialAction: 'answer', DialBLegTo: B, DialBLegPosition: '1', DialALegUUID: aUuid });
        assert.deepEqual(pick(cbHangup!, ['DialBLegHangupCause', 'DialBLegHangupCauseCode', 'DialBLegHangupSource', 'DialBLegDuration']), {
          DialBLegHangupCause: 'NORMAL_CLEARING', DialBLegHangupCauseCode: '4000', DialBLegHangupSource: 'Callee', DialBLegDuration: '3',
        });
        assert.deepEqual(pick(rig.app.requests('/action')[0]!, ['DialStatus', 'DialRingStatus', 'DialHangupCause', 'DialALegUUID']), { DialStatus: 'completed', DialRingStatus: 'true', DialHangupCause: 'NORMAL_CLEARING', DialALegUUID: aUuid });
        assert.equal(rig.app.requests('/action')[0]!.params.DialBLegUUID, cbAnswer!.params.DialBLegUUID);
        assert.deepEqual(pick(rig.app.requests('/hangup')[0]!, ['CallStatus', 'HangupCause', 'HangupCauseCode', 'HangupSource', 'Duration']), {
          CallStatus: 'completed', HangupCause: 'NORMAL_CLEARING', HangupCauseCode: '4010', HangupSource: 'Plivo', Duration: '4',
        });
        // Media end to end: B was offered A's SDP, and A was re-INVITEd with B's.
        const aMedia = /m=audio (\d+)/.exec(traceText(sipps[A]!).split('SIP/2.0 200 OK')[1] ?? '')?.[1];
        const bMedia = /m=audio (\d+)/.exec(traceText(sipps[B]!).split('SIP/2.0 200 OK')[1] ?? '')?.[1];
        assert.ok(aMedia && bMedia);
        assert.match(traceText(sipps[B]!), new RegExp(`INVITE sip:[^\\n]*\\n[\\s\\S]*?m=audio ${aMedia} `), 'B is offered A\'s media');
        const reinvites = traceText(sipps[A]!).split(/\n(?=INVITE sip:)/).slice(2);
        assert.equal(reinvites.length >= 1, true, 'A got a re-INVITE');
        assert.match(reinvites[0]!, new RegExp(`m=audio ${bMedia} `), 'the re-INVITE carries B\'s media');
      },
    }));

  test('S2 Dial busy', () =>
    run({
      parties: { [A]: { scenario: 'uas-ring-answer.xml', pauseMs: 1000 }, [B]: { scenario: 'uas-busy.xml' } },
      answerXml: (rig) => dialXml(rig, [B]),
      check: (rig) => {
        assert.deepEqual(seq(rig), ['/ring@0', '/answer@1', '/action@1', '/hangup@1']);
        assert.deepEqual(pick(rig.app.requests('/action')[0]!, ACTION_KEYS), { DialStatus: 'busy', DialRingStatus: 'false', DialHangupCause: 'USER_BUSY', DialBLegUUID: '' });
        assert.deepEqual(pick(rig.app.requests('/hangup')[0]!, ['CallStatus', 'HangupCauseCode']), { CallStatus: 'completed', HangupCauseCode: '4010' });
      },
    }));

  test('S3 Dial no-answer (Dial timeout -> CANCEL)', () =>
    run({
      parties: { [A]: { scenario: 'uas-ring-answer.xml', pauseMs: 1000 }, [B]: { scenario: 'uas-ring-noanswer.xml' } },
      answerXml: (rig) => dialXml(rig, [B], `action="${rig.app.url('/action')}" timeout="2"`),
      check: (rig) => {
        assert.deepEqual(seq(rig), ['/ring@0', '/answer@1', '/action@3', '/hangup@3']);
        assert.deepEqual(pick(rig.app.requests('/action')[0]!, ACTION_KEYS), { DialStatus: 'no-answer', DialRingStatus: 'true', DialHangupCause: 'NO_ANSWER', DialBLegUUID: '' });
      },
    }));

  test('S4 Dial failed (404)', () =>
    run({
      parties: { [A]: { scenario: 'uas-ring-answer.xml', pauseMs: 1000 }, [B]: { scenario: 'uas-not-found.xml' } },
      answerXml: (rig) => dialXml(rig, [B]),
      check: (rig) => {
        assert.deepEqual(pick(rig.app.requests('/action')[0]!, ACTION_KEYS), { DialStatus: 'failed', DialRingStatus: 'false', DialHangupCause: 'UNALLOCATED_NUMBER', DialBLegUUID: '' });
      },
    }));

  test('S5 Dial rejected (603)', () =>
    run({
      parties: { [A]: { scenario: 'uas-ring-answer.xml', pauseMs: 1000 }, [B]: { scenario: 'uas-decline.xml' } },
      answerXml: (rig) => dialXml(rig, [B]),
      check: (rig) => {
        // uas-decline.xml never sends 180, so DialRingStatus is false here (scenarios.md's B rang first).
        assert.deepEqual(pick(rig.app.requests('/action')[0]!, ACTION_KEYS), { DialStatus: 'busy', DialRingStatus: 'false', DialHangupCause: 'CALL_REJECTED', DialBLegUUID: '' });
      },
    }));

  test('S6 Simultaneous ring: first 2xx wins, the ringing loser gets CANCEL (LOSE_RACE)', () =>
    run({
      parties: {
        [A]: { scenario: 'uas-ring-answer.xml', pauseMs: 1000 },
        [B1]: { scenario: 'uas-ring-noanswer.xml' },
        [B2]: { scenario: 'uas-ring-answer-bye.xml', pauseMs: 2000 },
        [B3]: { scenario: 'uas-busy.xml' },
      },
      answerXml: (rig) => dialXml(rig, [B1, B2, B3]),
      check: async (rig, sipps) => {
        assert.deepEqual(seq(rig), ['/ring@0', '/answer@1', '/cb:answer@2', '/cb:connected@2', '/cb:hangup@4', '/action@4', '/hangup@4']);
        const cbs = rig.app.requests('/cb');
        assert.ok(cbs.every((r) => r.params.DialBLegPosition === '2' && r.params.DialBLegTo === B2));
        const action = rig.app.requests('/action')[0]!;
        assert.equal(action.params.DialStatus, 'completed');
        const list = await rig.api('GET', `Call/?parent_call_uuid=${action.params.CallUUID}`);
        const byTo = Object.fromEntries(list.body.objects.map((c: any) => [c.to_number, [c.hangup_cause, c.hangup_cause_code, c.call_status]]));
        assert.deepEqual(byTo, { [B1]: ['LOSE_RACE', 1000, 'cancel'], [B2]: ['NORMAL_CLEARING', 4000, 'completed'], [B3]: ['USER_BUSY', 3000, 'busy'] });
        assert.match(traceText(sipps[B1]!), /CANCEL sip:[\s\S]*Reason: SIP;cause=200;text="Call completed elsewhere"/);
      },
    }));

  test('S7 Caller hangs up while the Dial rings: B gets CANCEL (ORIGINATOR_CANCEL)', () =>
    run({
      parties: { [A]: { scenario: 'uas-answer-then-bye.xml', pauseMs: 3000 }, [B]: { scenario: 'uas-ring-noanswer.xml' } },
      answerXml: (rig) => dialXml(rig, [B]),
      check: async (rig) => {
        assert.deepEqual(seq(rig), ['/ring@0', '/answer@0', '/action@3', '/hangup@3']);
        assert.deepEqual(pick(rig.app.requests('/action')[0]!, ACTION_KEYS), { DialStatus: 'cancel', DialRingStatus: 'true', DialHangupCause: 'ORIGINATOR_CANCEL', DialBLegUUID: '' });
        assert.deepEqual(pick(rig.app.requests('/hangup')[0]!, ['CallStatus', 'HangupCause', 'HangupCauseCode', 'HangupSource']), {
          CallStatus: 'completed', HangupCause: 'NORMAL_CLEARING', HangupCauseCode: '4000', HangupSource: 'Caller',
        });
      },
    }));

  test('S10 A leg busy', () =>
    run({
      parties: { [A]: { scenario: 'uas-busy.xml' } },
      check: (rig) => {
        assert.deepEqual(seq(rig), ['/hangup@0']);
        assert.deepEqual(pick(rig.app.requests('/hangup')[0]!, ['CallStatus', 'HangupCause', 'Duration', 'BillDuration', 'AnswerTime']), {
          CallStatus: 'busy', HangupCause: 'USER_BUSY', Duration: '0', BillDuration: '0', AnswerTime: '',
        });
      },
    }));

  test('S11 A leg no-answer (ring_timeout -> CANCEL)', () =>
    run({
      parties: { [A]: { scenario: 'uas-ring-noanswer.xml' } },
      callParams: { ring_timeout: 2 },
      check: (rig) => {
        assert.deepEqual(seq(rig), ['/ring@0', '/hangup@2']);
        assert.deepEqual(pick(rig.app.requests('/hangup')[0]!, ['CallStatus', 'HangupCause']), { CallStatus: 'no-answer', HangupCause: 'NO_ANSWER' });
      },
    }));
});

describe('Dial edges over SIP', { concurrency: true }, () => {
  test('a 2xx that crosses our CANCEL is ACKed and BYEd; Dial timeLimit BYEs the bridged callee (ALLOTTED_TIMEOUT)', () =>
    run({
      parties: {
        [A]: { scenario: 'uas-ring-answer.xml', pauseMs: 1000 },
        [B1]: { scenario: 'uas-ring-answer.xml', pauseMs: 1000 },
        [B2]: { scenario: 'uas-answer-on-cancel.xml' },
      },
      answerXml: (rig) => dialXml(rig, [B1, B2], `action="${rig.app.url('/action')}" callbackUrl="${rig.app.url('/cb')}" timeLimit="2"`),
      check: async (rig, sipps) => {
        assert.deepEqual(seq(rig), ['/ring@0', '/answer@1', '/cb:answer@2', '/cb:connected@2', '/cb:hangup@4', '/action@4', '/hangup@4']);
        const action = rig.app.requests('/action')[0]!;
        assert.deepEqual(pick(action, ['DialStatus', 'DialRingStatus', 'DialHangupCause']), { DialStatus: 'completed', DialRingStatus: 'true', DialHangupCause: 'ALLOTTED_TIMEOUT' });
        const list = await rig.api('GET', `Call/?parent_call_uuid=${action.params.CallUUID}`);
        const byTo = Object.fromEntries(list.body.objects.map((c: any) => [c.to_number, [c.hangup_cause, c.hangup_cause_code, c.call_status]]));
        assert.deepEqual(byTo, { [B1]: ['ALLOTTED_TIMEOUT', 4000, 'completed'], [B2]: ['LOSE_RACE', 1000, 'cancel'] });
        // The loser: CANCEL, then its crossing 200 gets an ACK and a BYE, each once the CANCEL is out.
        const loser = traceText(sipps[B2]!);
        const order = ['CANCEL sip:', 'ACK sip:', 'BYE sip:'].map((m) => loser.indexOf(m));
        assert.ok(order.every((i, k) => i > 0 && (k === 0 || i > order[k - 1]!)), `CANCEL, ACK, BYE in order: ${order}`);
        assert.match(loser.slice(order[2]), /^BYE sip:[\s\S]*?Reason: SIP;cause=200;text="Call completed elsewhere"/);
        // The winner is hung up by the time limit, with the cause on the wire.
        assert.match(traceText(sipps[B1]!), /BYE sip:[\s\S]*?Reason: Q\.850;cause=16;text="ALLOTTED_TIMEOUT"/);
      },
    }));
});
