/** A CDR row for store-level tests: a queued outbound leg, nothing ended, with the fields a test sets. */
import { newCallRow } from '../../src/calls/call-row.ts';
import type { CallRow } from '../../src/store/store.ts';

export function callRow(overrides: Partial<CallRow> & { call_uuid: string }): CallRow {
  const base = newCallRow({
    requestUuid: `req-${overrides.call_uuid}`,
    direction: 'outbound',
    from: '15550001',
    to: '15550002',
    callerName: '',
    at: 1_000,
    params: { answer_url: 'http://app.test/answer' },
    status: 'queued',
    nodeId: 'node-1',
  });
  return { ...base, ...overrides };
}
