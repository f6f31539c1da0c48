/**
 * SIP <-> hangup causes, both ways, in one place (spec/sip.md §4; engine.md §2 is the one cause
 * table, `domain/causes.ts`). Precedence when a leg ends: a `Reason: Q.850;cause=N` header
 * (RFC 3326), then the status code, then NORMAL_UNSPECIFIED for codes the table does not name.
 */
import { CAUSES, NETWORK_END_REASONS, type NetworkEndReason } from '../../domain/causes.ts';
import { parseParams } from './uri.ts';

/**
 * spec/sip.md §4, status code by status code (RFC 3398 §8.2.6.1): read from the cause table's `sipIn`
 * column, so there is no second table to disagree with it. A status two rows claim goes to the first.
 */
const BY_STATUS: ReadonlyMap<number, NetworkEndReason> = (() => {
  const map = new Map<number, NetworkEndReason>();
  for (const r of NETWORK_END_REASONS) for (const status of CAUSES[r].sipIn ?? []) if (!map.has(status)) map.set(status, r);
  return map;
})();

/** Q.850 numbers onto rows; a number several rows share goes to the first (CALL_REJECTED: the callee's). */
const BY_Q850: ReadonlyMap<number, NetworkEndReason> = (() => {
  const map = new Map<number, NetworkEndReason>();
  for (const r of NETWORK_END_REASONS) if (CAUSES[r].q850 <= 127 && !map.has(CAUSES[r].q850)) map.set(CAUSES[r].q850, r);
  map.set(19, 'no-user-response'); // NO_ANSWER: the far end did not answer
  return map;
})();

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
  const byStatus = BY_STATUS.get(status) ?? 'unspecified';
  const q = q850Of(reasonHeader);
  const byQ = q === undefined ? undefined : BY_Q850.get(q);
  // A Reason naming the status's own cause keeps the status's row (a 403 with Q.850 21 is still a refusal).
  if (!byQ || byQ === 'normal' || CAUSES[byQ].cause === CAUSES[byStatus].cause) return byStatus;
  return byQ;
}

/** Why an answered leg ended when the far end sent BYE: normal, unless its Reason says otherwise. */
export function reasonForBye(reasonHeader?: string): NetworkEndReason {
  const q = q850Of(reasonHeader);
  const byQ = q === undefined ? undefined : BY_Q850.get(q);
  // A BYE always ends a conversation: a Q.850 "busy" on a BYE is still a normal hangup for the leg.
  return byQ === 'network-failure' || byQ === 'out-of-order' || byQ === 'network-out-of-order' || byQ === 'timeout' ? byQ : 'normal';
}

/**
 * The final response the engine sends when it refuses or gives up on an inbound leg (spec/sip.md §4,
 * reverse): the `sip` column of the first row with the cause that names a response. Causes no row gives
 * a response: a CANCELled INVITE is answered 487 (RFC 3261 §9.2), everything else 480 (NO_ANSWER, as
 * spec/sip.md §4 says, and NORMAL_CLEARING / ALLOTTED_TIMEOUT before answer).
 */
const STATUS_FOR_CAUSE: ReadonlyMap<string, number> = (() => {
  const map = new Map<string, number>();
  for (const row of Object.values(CAUSES)) if (row.sip && /^\d{3}$/.test(row.sip) && !map.has(row.cause)) map.set(row.cause, Number(row.sip));
  for (const cause of ['ORIGINATOR_CANCEL', 'LOSE_RACE']) if (!map.has(cause)) map.set(cause, 487);
  return map;
})();

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
