/**
 * SIP <-> hangup causes, both ways, in one place (spec/sip.md §4; engine.md §2 is the one cause
 * table, `calls/hangup-causes.ts`). Precedence when a leg ends: a `Reason: Q.850;cause=N` header
 * (RFC 3326), then the status code, then NORMAL_TEMPORARY_FAILURE for codes the table does not name.
 */
import { CAUSES, type NetworkEndReason } from '../../calls/hangup-causes.ts';
import { parseParams } from './uri.ts';

/** Status codes of spec/sip.md §4 onto the cause table's network rows. */
const BY_STATUS: ReadonlyMap<number, NetworkEndReason> = new Map<number, NetworkEndReason>([
  [486, 'busy'],
  [600, 'busy'],
  [603, 'rejected'],
  // 401/402/403/407 are CALL_REJECTED (RFC 3398 §8.2.6.1); the table has one CALL_REJECTED row.
  [401, 'rejected'],
  [402, 'rejected'],
  [403, 'rejected'],
  [407, 'rejected'],
  [404, 'unallocated'],
  [485, 'unallocated'],
  [604, 'unallocated'],
  [408, 'timeout'],
  [504, 'timeout'],
  [480, 'no-user-response'],
  [502, 'out-of-order'],
  [400, 'network-failure'],
  [481, 'network-failure'],
  [500, 'network-failure'],
  [503, 'network-failure'],
]);

const NETWORK_REASONS: readonly NetworkEndReason[] = ['normal', 'busy', 'rejected', 'no-user-response', 'timeout', 'unallocated', 'out-of-order', 'network-failure'];

/** Q.850 numbers onto the same rows (NO_ANSWER, 19, counts as the far end not answering). */
const BY_Q850: ReadonlyMap<number, NetworkEndReason> = new Map<number, NetworkEndReason>([
  ...NETWORK_REASONS.map((r) => [CAUSES[r].q850, r] as [number, NetworkEndReason]),
  [19, 'no-user-response'],
  [3, 'unallocated'],
]);

/** The Q.850 cause of a `Reason` header value, if it is one (RFC 3326 §2). */
export function q850Of(reasonHeader: string | undefined): number | undefined {
  if (!reasonHeader) return undefined;
  for (const value of reasonHeader.split(/,(?=\s*[A-Za-z0-9.-]+\s*;)/)) {
    const semi = value.indexOf(';');
    if (semi < 0 || value.slice(0, semi).trim().toUpperCase() !== 'Q.850') continue;
    const cause = parseParams(value.slice(semi)).get('cause');
    if (cause && /^\d{1,3}$/.test(cause)) return Number(cause);
  }
  return undefined;
}

/** Why a leg ended, from the far end's final response (and its Reason header). */
export function reasonForResponse(status: number, reasonHeader?: string): NetworkEndReason {
  const q = q850Of(reasonHeader);
  const byQ = q === undefined ? undefined : BY_Q850.get(q);
  if (byQ && byQ !== 'normal') return byQ;
  return BY_STATUS.get(status) ?? 'network-failure';
}

/** Why an answered leg ended when the far end sent BYE: normal, unless its Reason says otherwise. */
export function reasonForBye(reasonHeader?: string): NetworkEndReason {
  const q = q850Of(reasonHeader);
  const byQ = q === undefined ? undefined : BY_Q850.get(q);
  // A BYE always ends a conversation: a Q.850 "busy" on a BYE is still a normal hangup for the leg.
  return byQ === 'network-failure' || byQ === 'out-of-order' || byQ === 'timeout' ? byQ : 'normal';
}

/** The final response the engine sends when it refuses or gives up on an inbound leg (spec/sip.md §4, reverse). */
const STATUS_FOR_CAUSE: ReadonlyMap<string, number> = new Map([
  ['USER_BUSY', 486],
  ['CALL_REJECTED', 603],
  ['NO_ANSWER', 480],
  ['NO_USER_RESPONSE', 480],
  ['UNALLOCATED_NUMBER', 404],
  ['NORMAL_TEMPORARY_FAILURE', 503],
  ['RECOVERY_ON_TIMER_EXPIRE', 408],
  ['DESTINATION_OUT_OF_ORDER', 502],
  ['ORIGINATOR_CANCEL', 487],
  ['LOSE_RACE', 487],
  ['ALLOTTED_TIMEOUT', 480],
  ['NORMAL_CLEARING', 480],
]);

export function statusForCause(cause: string): number {
  return STATUS_FOR_CAUSE.get(cause) ?? 480;
}

/**
 * The Reason header the engine writes on its final responses, CANCELs and BYEs (RFC 3326). Causes
 * that are not Q.850 values (FreeSWITCH's ORIGINATOR_CANCEL 487, LOSE_RACE 502, ALLOTTED_TIMEOUT 602)
 * get the nearest Q.850 one, and a lost race says "Call completed elsewhere" as RFC 3326 §2 shows.
 */
export function reasonHeaderFor(cause: string): string {
  if (cause === 'LOSE_RACE') return 'SIP;cause=200;text="Call completed elsewhere"';
  const row = Object.values(CAUSES).find((r) => r.cause === cause);
  let q = row?.q850 ?? 16;
  if (cause === 'ORIGINATOR_CANCEL' || cause === 'ALLOTTED_TIMEOUT') q = 16;
  if (q > 127) q = 16;
  return `Q.850;cause=${q};text="${cause}"`;
}
