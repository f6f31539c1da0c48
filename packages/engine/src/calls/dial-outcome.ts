/**
 * The dial status rules of engine.md §2, pure: from the B legs of one `<Dial>` to the action's
 * DialStatus, DialRingStatus, DialHangupCause and DialBLegUUID.
 */
import { CAUSES, DIAL_STATUS_RANK, type DialStatus, type EndReason } from '../domain/causes.ts';
import type { DialResult } from '../domain/dial.ts';

export interface DialLegView {
  readonly uuid: string;
  readonly rang: boolean;
  /** Bridged to the caller (for a confirmKey dial: answered and confirmed). */
  readonly bridged: boolean;
  readonly endReason?: EndReason;
}

/** The outcome of a leg that was not bridged: never `completed` (a far end that cleared before answering failed). */
function legDialStatus(reason: EndReason | undefined): DialStatus {
  const status = reason === undefined ? undefined : CAUSES[reason].dialStatus;
  return status === undefined || status === 'completed' ? 'failed' : status;
}

/**
 * `cancelledByALeg`: the A leg ended the dial (caller hung up, Hangup API, the call's own limit)
 * before any B leg was bridged.
 */
export function dialOutcome(legs: readonly DialLegView[], cancelledByALeg: boolean): DialResult {
  const rang = legs.some((l) => l.rang || l.bridged);
  const winner = legs.find((l) => l.bridged);
  if (winner) {
    return {
      status: 'completed',
      rang: true,
      hangupCause: winner.endReason ? CAUSES[winner.endReason].cause : 'NORMAL_CLEARING',
      bLegUuid: winner.uuid,
    };
  }
  if (cancelledByALeg) {
    return { status: 'cancel', rang, hangupCause: CAUSES['originator-cancel'].cause, bLegUuid: '' };
  }
  // The leg that got furthest decides (ringing beats trying); ties: busy > no-answer > timeout > failed.
  let deciding: DialLegView | undefined;
  for (const leg of legs) {
    if (!deciding) {
      deciding = leg;
      continue;
    }
    const a = [leg.rang ? 1 : 0, DIAL_STATUS_RANK[legDialStatus(leg.endReason)]] as const;
    const b = [deciding.rang ? 1 : 0, DIAL_STATUS_RANK[legDialStatus(deciding.endReason)]] as const;
    if (a[0] > b[0] || (a[0] === b[0] && a[1] > b[1])) deciding = leg;
  }
  if (!deciding) return { status: 'failed', rang: false, hangupCause: CAUSES['network-failure'].cause, bLegUuid: '' };
  return {
    status: legDialStatus(deciding.endReason),
    rang,
    hangupCause: deciding.endReason ? CAUSES[deciding.endReason].cause : CAUSES['network-failure'].cause,
    bLegUuid: '',
  };
}
