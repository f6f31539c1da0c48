/** A new leg's CDR row as it starts: every field Plivo's call object has (plivo.md §1.4), none ended yet. */
import type { CallRow, Direction } from '../store/store.ts';
import type { CallStatus } from '../domain/causes.ts';
import { newId } from '../util/ids.ts';
import { normalizeNumber } from '../util/phone.ts';

export interface NewCallRow {
  requestUuid: string;
  parentCallUuid?: string;
  direction: Direction;
  from: string;
  to: string;
  callerName: string;
  at: number;
  params: unknown;
  status: Extract<CallStatus, 'queued' | 'ringing'>;
  dialPosition?: number;
  nodeId: string;
  /** The owning subaccount; absent or null for the main account (docs/accounts.md). */
  account?: string | null;
}

export function newCallRow(o: NewCallRow): CallRow {
  return {
    call_uuid: newId(),
    request_uuid: o.requestUuid,
    parent_call_uuid: o.parentCallUuid ?? null,
    direction: o.direction,
    from_number: normalizeNumber(o.from),
    to_number: normalizeNumber(o.to),
    caller_name: o.callerName,
    call_status: o.status,
    call_state: o.status === 'queued' ? 'QUEUED' : 'RINGING',
    initiation_time: o.at,
    ring_time: null,
    answer_time: null,
    end_time: null,
    call_duration: null,
    bill_duration: null,
    billed_duration: null,
    hangup_cause: null,
    hangup_cause_code: null,
    hangup_cause_name: null,
    hangup_source: null,
    dial_position: o.dialPosition ?? null,
    params: JSON.stringify(o.params),
    error: null,
    warnings: '[]',
    node_id: o.nodeId,
    account_id: o.account ?? null,
  };
}
