/**
 * JSON shapes of the REST answers, with Plivo's snake_case keys (plivo.md §1.4, §1.6). Fields that
 * Plivo has and a self-hosted engine cannot know (rates, STIR) keep Plivo's type with a neutral value;
 * `error`, `warnings`, `hangup_cause` and `call_status` are Switchboard's additions.
 */
import type { CallRow } from '../store/store.ts';
import { formatTime, formatTimeMicros } from '../util/time.ts';

export function resourceUri(authId: string, callUuid: string): string {
  return `/v1/Account/${authId}/Call/${callUuid}/`;
}

/**
 * Plivo's CDRs write the caller as given (`"from_number": "+14158572518"`) and the callee as bare
 * digits (`"to_number": "14153268174"`): its recorded answers, plivo-node request-test `Call/`.
 */
function plus(n: string): string {
  return /^\d+$/.test(n) ? `+${n}` : n;
}

/** `conferenceUuid`: the conference the call last entered (store/conference-store.ts), null when none. */
export function cdrView(row: CallRow, authId: string, conferenceUuid: string | null = null): Record<string, unknown> {
  return {
    answer_time: row.answer_time === null ? null : formatTime(row.answer_time),
    bill_duration: row.bill_duration ?? 0,
    billed_duration: row.billed_duration ?? 0,
    call_direction: row.direction,
    call_duration: row.call_duration ?? 0,
    call_state: row.call_state,
    call_status: row.call_status,
    call_uuid: row.call_uuid,
    caller_name: row.caller_name,
    conference_uuid: conferenceUuid,
    end_time: row.end_time === null ? null : formatTime(row.end_time),
    from_number: plus(row.from_number),
    hangup_cause: row.hangup_cause,
    hangup_cause_code: row.hangup_cause_code,
    hangup_cause_name: row.hangup_cause_name,
    hangup_source: row.hangup_source,
    initiation_time: formatTime(row.initiation_time),
    parent_call_uuid: row.parent_call_uuid,
    request_uuid: row.request_uuid,
    resource_uri: resourceUri(authId, row.call_uuid),
    to_number: row.to_number,
    total_amount: '0.00000',
    total_rate: '0.00000',
    stir_verification: 'Not Applicable',
    stir_attestation: '',
    voice_network_group: null,
    source_ip: null,
    cnam_lookup: '',
    error: row.error,
    warnings: JSON.parse(row.warnings) as string[],
  };
}

/** `GET /Call/{uuid}?status=live` (plivo.md §1.6). */
export function liveCallView(row: CallRow): Record<string, unknown> {
  return {
    call_status: row.call_status,
    call_uuid: row.call_uuid,
    // Plivo shows the caller's number with `+` here and bare digits in from/to (§1.6 example).
    caller_name: row.caller_name === null ? null : plus(row.caller_name),
    direction: row.direction,
    from: row.from_number,
    to: row.to_number,
    request_uuid: row.request_uuid,
    parent_call_uuid: row.parent_call_uuid,
    session_start: formatTimeMicros(row.initiation_time),
    stir_verification: 'Not Applicable',
    stir_attestation: '',
  };
}
