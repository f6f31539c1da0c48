/**
 * spec/sip.md §4 row by row: every SIP final response onto a cause, its Q.850 value, Plivo's code,
 * the leg's CallStatus and the Dial's DialStatus, through the one table; then the Reason header's
 * precedence (RFC 3326) and the reverse direction.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CAUSES, finalCallStatus, FAILABLE_CAUSES, networkReasonForCause } from '../src/domain/causes.ts';
import { withHarness, pick } from './support/harness.ts';
import { q850Of, reasonForBye, reasonForResponse, reasonHeaderFor, statusForCause } from '../src/network/sip/sip-causes.ts';

// status: [HangupCause, Q.850, HangupCauseCode, DialStatus] as spec/sip.md §4 lists them.
const SIP_4: Record<number, [string, number, number, string]> = {
  400: ['NORMAL_TEMPORARY_FAILURE', 41, 8000, 'failed'],
  401: ['CALL_REJECTED', 21, 3010, 'failed'],
  402: ['CALL_REJECTED', 21, 3010, 'failed'],
  403: ['CALL_REJECTED', 21, 3010, 'failed'],
  407: ['CALL_REJECTED', 21, 3010, 'failed'],
  404: ['UNALLOCATED_NUMBER', 1, 2000, 'failed'],
  405: ['SERVICE_UNAVAILABLE', 63, 8000, 'failed'],
  406: ['SERVICE_NOT_IMPLEMENTED', 79, 8000, 'failed'],
  415: ['SERVICE_NOT_IMPLEMENTED', 79, 8000, 'failed'],
  501: ['SERVICE_NOT_IMPLEMENTED', 79, 8000, 'failed'],
  408: ['RECOVERY_ON_TIMER_EXPIRE', 102, 6000, 'timeout'],
  410: ['NUMBER_CHANGED', 22, 2000, 'failed'],
  413: ['INTERWORKING', 127, 8000, 'failed'],
  414: ['INTERWORKING', 127, 8000, 'failed'],
  416: ['INTERWORKING', 127, 8000, 'failed'],
  420: ['INTERWORKING', 127, 8000, 'failed'],
  421: ['INTERWORKING', 127, 8000, 'failed'],
  423: ['INTERWORKING', 127, 8000, 'failed'],
  505: ['INTERWORKING', 127, 8000, 'failed'],
  513: ['INTERWORKING', 127, 8000, 'failed'],
  480: ['NO_USER_RESPONSE', 18, 3020, 'no-answer'],
  481: ['NORMAL_TEMPORARY_FAILURE', 41, 8000, 'failed'],
  500: ['NORMAL_TEMPORARY_FAILURE', 41, 8000, 'failed'],
  503: ['NORMAL_TEMPORARY_FAILURE', 41, 8000, 'failed'],
  482: ['EXCHANGE_ROUTING_ERROR', 25, 2060, 'failed'],
  483: ['EXCHANGE_ROUTING_ERROR', 25, 2060, 'failed'],
  484: ['INVALID_NUMBER_FORMAT', 28, 2000, 'failed'],
  485: ['NO_ROUTE_DESTINATION', 3, 2000, 'failed'],
  486: ['USER_BUSY', 17, 3000, 'busy'],
  488: ['INCOMPATIBLE_DESTINATION', 88, 8000, 'failed'],
  606: ['INCOMPATIBLE_DESTINATION', 88, 8000, 'failed'],
  502: ['NETWORK_OUT_OF_ORDER', 38, 2010, 'failed'],
  504: ['RECOVERY_ON_TIMER_EXPIRE', 102, 6000, 'timeout'],
  600: ['USER_BUSY', 17, 3000, 'busy'],
  603: ['CALL_REJECTED', 21, 3010, 'busy'],
  604: ['NO_ROUTE_DESTINATION', 3, 2000, 'failed'],
  // Codes the table does not name.
  417: ['NORMAL_UNSPECIFIED', 31, 8000, 'failed'],
  499: ['NORMAL_UNSPECIFIED', 31, 8000, 'failed'],
  580: ['NORMAL_UNSPECIFIED', 31, 8000, 'failed'],
  699: ['NORMAL_UNSPECIFIED', 31, 8000, 'failed'],
};

test('every final response of spec/sip.md §4 onto its cause, Q.850, code and statuses', () => {
  for (const [status, [cause, q850, code, dialStatus]] of Object.entries(SIP_4)) {
    const row = CAUSES[reasonForResponse(Number(status))];
    assert.deepEqual([row.cause, row.q850, row.code, row.dialStatus], [cause, q850, code, dialStatus], `SIP ${status}`);
    // An unanswered leg ends with the Dial's status as its CallStatus (busy stays busy, the rest as listed).
    assert.equal(finalCallStatus(reasonForResponse(Number(status)), false), dialStatus, `SIP ${status} CallStatus`);
    assert.equal(finalCallStatus(reasonForResponse(Number(status)), true), 'completed');
  }
});

test('a Reason: Q.850 header decides before the status code; one naming the status\'s own cause keeps its row', () => {
  assert.equal(q850Of('Q.850;cause=17;text="USER_BUSY"'), 17);
  assert.equal(q850Of('SIP;cause=200;text="Call completed elsewhere", Q.850;cause=21'), 21);
  assert.equal(q850Of('SIP;cause=486'), undefined);
  assert.equal(q850Of('Q.850;cause=abc'), undefined);
  assert.equal(reasonForResponse(500, 'Q.850;cause=17'), 'busy');
  assert.equal(reasonForResponse(503, 'Q.850;cause=1'), 'unallocated');
  assert.equal(reasonForResponse(503, 'Q.850;cause=63'), 'service-unavailable');
  assert.equal(reasonForResponse(480, 'Q.850;cause=19'), 'no-user-response');
  assert.equal(reasonForResponse(404, 'Q.850;cause=3'), 'no-route');
  // The 403's refusal (failed) is not turned into the callee's 603 row (busy) by its own Q.850 21.
  assert.equal(reasonForResponse(403, 'Q.850;cause=21'), 'refused');
  assert.equal(reasonForResponse(603, 'Q.850;cause=21'), 'rejected');
  // A Q.850 16 (normal clearing) on a failure says nothing about the failure.
  assert.equal(reasonForResponse(486, 'Q.850;cause=16'), 'busy');
  // Unknown Q.850 values fall back to the status code.
  assert.equal(reasonForResponse(486, 'Q.850;cause=99'), 'busy');
});

test('a BYE ends a conversation normally unless its Reason names a failure', () => {
  assert.equal(reasonForBye(), 'normal');
  assert.equal(reasonForBye('Q.850;cause=16'), 'normal');
  assert.equal(reasonForBye('Q.850;cause=17'), 'normal');
  assert.equal(reasonForBye('Q.850;cause=41'), 'network-failure');
  assert.equal(reasonForBye('Q.850;cause=38'), 'network-out-of-order');
  assert.equal(reasonForBye('Q.850;cause=102'), 'timeout');
});

test('the reverse direction: the response the engine sends for a cause, and its Reason header', () => {
  const reverse: Record<string, number> = {
    USER_BUSY: 486, CALL_REJECTED: 603, NO_ANSWER: 480, NO_USER_RESPONSE: 480, UNALLOCATED_NUMBER: 404,
    NORMAL_TEMPORARY_FAILURE: 503, RECOVERY_ON_TIMER_EXPIRE: 408, INVALID_NUMBER_FORMAT: 484,
    INCOMPATIBLE_DESTINATION: 488, NO_ROUTE_DESTINATION: 404, NETWORK_OUT_OF_ORDER: 502, ORIGINATOR_CANCEL: 487,
  };
  for (const [cause, status] of Object.entries(reverse)) assert.equal(statusForCause(cause), status, cause);
  assert.equal(reasonHeaderFor('USER_BUSY'), 'Q.850;cause=17;text="USER_BUSY"');
  assert.equal(reasonHeaderFor('INTERWORKING'), 'Q.850;cause=127;text="INTERWORKING"');
  assert.equal(reasonHeaderFor('LOSE_RACE'), 'SIP;cause=200;text="Call completed elsewhere"');
  // FreeSWITCH-only numbers are not Q.850 values: the nearest one (normal clearing) goes on the wire.
  assert.equal(reasonHeaderFor('ORIGINATOR_CANCEL'), 'Q.850;cause=16;text="ORIGINATOR_CANCEL"');
  assert.equal(reasonHeaderFor('ALLOTTED_TIMEOUT'), 'Q.850;cause=16;text="ALLOTTED_TIMEOUT"');
});

test('the simulated network\'s `fail CAUSE` takes every network cause of the table, by its first row', () => {
  assert.deepEqual(FAILABLE_CAUSES, [
    'NORMAL_CLEARING', 'USER_BUSY', 'CALL_REJECTED', 'NO_USER_RESPONSE', 'RECOVERY_ON_TIMER_EXPIRE', 'UNALLOCATED_NUMBER',
    'DESTINATION_OUT_OF_ORDER', 'NORMAL_TEMPORARY_FAILURE', 'NO_ROUTE_DESTINATION', 'NUMBER_CHANGED',
    'EXCHANGE_ROUTING_ERROR', 'INVALID_NUMBER_FORMAT', 'NETWORK_OUT_OF_ORDER', 'SERVICE_UNAVAILABLE',
    'SERVICE_NOT_IMPLEMENTED', 'INCOMPATIBLE_DESTINATION', 'INTERWORKING', 'NORMAL_UNSPECIFIED', 'NO_ANSWER',
  ]);
  assert.equal(networkReasonForCause('call_rejected'), 'rejected');
  assert.equal(networkReasonForCause('NO_ANSWER'), 'no-user-response');
  assert.equal(networkReasonForCause('INTERWORKING'), 'interworking');
  assert.equal(networkReasonForCause('ORIGINATOR_CANCEL'), undefined);
});

test('a finer cause end to end on the simulated network: B legs end `failed` with their own cause, the Dial ranks them', async () => {
  await withHarness(async (h) => {
    await h.sim('15551110001', 'ring 1s, answer');
    await h.sim('15552220011', 'fail INVALID_NUMBER_FORMAT');
    await h.sim('15552220012', 'ring 1s, fail INTERWORKING');
    h.app.on('/answer', `<Response><Dial action="${h.app.url('/action')}"><Number>15552220011</Number><Number>15552220012</Number></Dial></Response>`);
    await h.call({ to: '15551110001' });
    await h.waitFor('/hangup');
    await h.settle();
    const action = h.app.requests('/action')[0]!;
    // The leg that rang decides (engine.md §2), whatever its cause.
    assert.deepEqual(pick(action, ['DialStatus', 'DialRingStatus', 'DialHangupCause', 'DialBLegUUID']), {
      DialStatus: 'failed', DialRingStatus: 'true', DialHangupCause: 'INTERWORKING', DialBLegUUID: '',
    });
    const list = await h.api('GET', `Call/?parent_call_uuid=${action.params.CallUUID}`);
    const keys = ['call_status', 'hangup_cause', 'hangup_cause_code', 'hangup_cause_name', 'hangup_source'];
    const byTo = Object.fromEntries(list.body.objects.map((c: any) => [c.to_number, Object.fromEntries(keys.map((k) => [k, c[k]]))]));
    assert.deepEqual(byTo, {
      '15552220011': { call_status: 'failed', hangup_cause: 'INVALID_NUMBER_FORMAT', hangup_cause_code: 2000, hangup_cause_name: 'Invalid Destination Address', hangup_source: 'Carrier' },
      '15552220012': { call_status: 'failed', hangup_cause: 'INTERWORKING', hangup_cause_code: 8000, hangup_cause_name: 'Network Error', hangup_source: 'Carrier' },
    });
  });
});
