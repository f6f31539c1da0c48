/**
 * The SIP columns of the one cause table (domain/causes.ts) are what network/sip/sip-causes.ts uses,
 * both ways, with no second table (issue 18 item 3; spec/sip.md §4).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CAUSES, LIVE_STATUSES, NETWORK_END_REASONS, isLiveStatus } from '../src/domain/causes.ts';
import { reasonForResponse, statusForCause } from '../src/network/sip/sip-causes.ts';

test('every far-end status in the table maps onto its row, and no status is claimed twice', () => {
  const seen = new Map<number, string>();
  for (const r of NETWORK_END_REASONS) {
    for (const status of CAUSES[r].sipIn ?? []) {
      assert.equal(seen.get(status), undefined, `${status} claimed by ${seen.get(status)} and ${r}`);
      seen.set(status, r);
      assert.equal(reasonForResponse(status), r, `SIP ${status}`);
    }
  }
  // Statuses the table does not name are NORMAL_UNSPECIFIED.
  assert.equal(reasonForResponse(499), 'unspecified');
  assert.equal(reasonForResponse(699), 'unspecified');
});

test('the response sent for a cause is the sip column of its first row that names one', () => {
  for (const row of Object.values(CAUSES)) {
    const first = Object.values(CAUSES).find((r) => r.cause === row.cause && r.sip && /^\d{3}$/.test(r.sip));
    if (first) assert.equal(statusForCause(row.cause), Number(first.sip), row.cause);
  }
  // spec/sip.md §4 reverse direction.
  assert.equal(statusForCause('USER_BUSY'), 486);
  assert.equal(statusForCause('CALL_REJECTED'), 603);
  assert.equal(statusForCause('NO_ANSWER'), 480);
  assert.equal(statusForCause('NO_USER_RESPONSE'), 480);
  assert.equal(statusForCause('UNALLOCATED_NUMBER'), 404);
  assert.equal(statusForCause('NORMAL_TEMPORARY_FAILURE'), 503);
  assert.equal(statusForCause('RECOVERY_ON_TIMER_EXPIRE'), 408);
  assert.equal(statusForCause('INVALID_NUMBER_FORMAT'), 484);
  assert.equal(statusForCause('INCOMPATIBLE_DESTINATION'), 488);
  assert.equal(statusForCause('ORIGINATOR_CANCEL'), 487);
});

test('a call that has ended by any row of the table is not live; the live statuses are live and nothing else', () => {
  const ended = new Set(Object.values(CAUSES).map((row) => row.callStatus));
  for (const status of ended) assert.equal(isLiveStatus(status), false, status);
  for (const status of LIVE_STATUSES) assert.equal(isLiveStatus(status), true, status);
  assert.deepEqual([...LIVE_STATUSES], ['queued', 'ringing', 'in-progress']);
  assert.equal(isLiveStatus('Ringing'), false);
});
