/**
 * How a call ends: the one table (engine.md §2). Every other module looks causes up here; nothing
 * else spells a FreeSWITCH cause, a Q.850 code, a Plivo HangupCauseCode/Name or a resulting status.
 * Codes marked † in engine.md are Switchboard's own until real Plivo traffic says otherwise.
 */

export type CallStatus =
  | 'queued'
  | 'ringing'
  | 'in-progress'
  | 'completed'
  | 'busy'
  | 'failed'
  | 'timeout'
  | 'no-answer'
  | 'cancel';

/** The statuses of a call still up: every other status is final (the live-call index, GET /Call/?status=live). */
export const LIVE_STATUSES = ['queued', 'ringing', 'in-progress'] as const satisfies readonly CallStatus[];

export function isLiveStatus(status: string): boolean {
  return (LIVE_STATUSES as readonly string[]).includes(status);
}

export type DialStatus = 'completed' | 'busy' | 'failed' | 'timeout' | 'no-answer' | 'cancel';

export type HangupSource = 'Caller' | 'Callee' | 'Plivo' | 'API Request' | 'Answer XML' | 'Error' | 'Carrier' | 'Unknown';

/** FreeSWITCH cause names Switchboard produces. */
export type HangupCause =
  | 'NORMAL_CLEARING'
  | 'USER_BUSY'
  | 'CALL_REJECTED'
  | 'NO_ANSWER'
  | 'NO_USER_RESPONSE'
  | 'RECOVERY_ON_TIMER_EXPIRE'
  | 'UNALLOCATED_NUMBER'
  | 'DESTINATION_OUT_OF_ORDER'
  | 'NORMAL_TEMPORARY_FAILURE'
  | 'ORIGINATOR_CANCEL'
  | 'ALLOTTED_TIMEOUT'
  | 'LOSE_RACE'
  // The finer causes of spec/sip.md §4 (RFC 3398 §8.2.6.1), each on the row of its situation.
  | 'NO_ROUTE_DESTINATION'
  | 'NUMBER_CHANGED'
  | 'EXCHANGE_ROUTING_ERROR'
  | 'INVALID_NUMBER_FORMAT'
  | 'NORMAL_UNSPECIFIED'
  | 'NETWORK_OUT_OF_ORDER'
  | 'SERVICE_UNAVAILABLE'
  | 'SERVICE_NOT_IMPLEMENTED'
  | 'INCOMPATIBLE_DESTINATION'
  | 'INTERWORKING';

/** Each row of engine.md §2, named for its situation. */
export type EndReason =
  | 'normal' // answered, a party hung up
  | 'end-of-xml' // answered, document ran out
  | 'xml-hangup' // <Hangup/>
  | 'xml-busy' // <Hangup reason="busy"> before answer
  | 'xml-rejected' // <Hangup reason="rejected"> before answer
  | 'busy'
  | 'rejected'
  | 'no-answer' // rang, nobody answered within our ring timer
  | 'no-user-response' // far end said 480
  | 'timeout' // no reply at all (Timer B), 408, 504
  | 'unallocated'
  | 'out-of-order'
  | 'network-failure'
  | 'refused' // the network refused us: 401/402/403/407 (wrong or missing credentials, caller ID not allowed)
  | 'no-route' // 485, 604, a trunk name that does not resolve
  | 'number-changed' // 410
  | 'routing-error' // 482, 483
  | 'invalid-number' // 484
  | 'network-out-of-order' // 502
  | 'service-unavailable' // 405
  | 'not-implemented' // 406, 415, 501
  | 'incompatible' // 488, 606
  | 'interworking' // 413, 414, 416, 420, 421, 423, 505, 513
  | 'unspecified' // any other 4xx-6xx
  | 'originator-cancel' // caller hung up while the Dial rang (B legs, DialHangupCause)
  | 'api-cancel' // Hangup API before answer
  | 'api-hangup' // Hangup API after answer
  | 'time-limit'
  | 'ring-timeout' // A leg's ring_timeout
  | 'hangup-on-ring'
  | 'answer-url-failed'
  | 'invalid-xml'
  | 'action-failed'
  | 'lose-race'
  | 'machine-detected' // machine_detection=hangup heard a machine
  | 'engine-restart';

export interface CauseRow {
  readonly cause: HangupCause;
  readonly q850: number;
  /**
   * The SIP final response the engine sends for this cause (RFC 3398 §7.2.4.1, spec/sip.md §4 "Reverse
   * direction"), or the method that carries it (BYE, CANCEL); undefined where no SIP message does.
   * `network/sip/sip-causes.ts` reads its responses from here.
   */
  readonly sip?: string;
  /**
   * The far end's final responses that end a leg on this row (spec/sip.md §4, RFC 3398 §8.2.6.1); only on
   * network end reasons. Any other 4xx-6xx is `unspecified`.
   */
  readonly sipIn?: readonly number[];
  readonly code: number;
  readonly name: string;
  /** Default source; `normal` is Caller or Callee depending on who hung up. */
  readonly source: HangupSource;
  /** The A leg's final CallStatus when this row ends it after answer / before answer. */
  readonly callStatus: CallStatus;
  /** The DialStatus this outcome gives a B leg that decides a Dial; undefined where not a dial outcome. */
  readonly dialStatus?: DialStatus;
  /** What the answered leg's CallStatus is in this situation (answered legs always end `completed`). */
}

export const CAUSES: Readonly<Record<EndReason, CauseRow>> = {
  normal: { cause: 'NORMAL_CLEARING', q850: 16, sip: 'BYE', code: 4000, name: 'Normal Hangup', source: 'Callee', callStatus: 'completed', dialStatus: 'completed' },
  'end-of-xml': { cause: 'NORMAL_CLEARING', q850: 16, code: 4010, name: 'End Of XML Instructions', source: 'Plivo', callStatus: 'completed' },
  'xml-hangup': { cause: 'NORMAL_CLEARING', q850: 16, code: 4000, name: 'Normal Hangup', source: 'Answer XML', callStatus: 'completed' },
  'xml-busy': { cause: 'USER_BUSY', q850: 17, sip: '486', code: 3000, name: 'Busy Line', source: 'Answer XML', callStatus: 'busy' },
  'xml-rejected': { cause: 'CALL_REJECTED', q850: 21, sip: '603', code: 3010, name: 'Rejected', source: 'Answer XML', callStatus: 'failed' },
  busy: { cause: 'USER_BUSY', q850: 17, sip: '486', sipIn: [486, 600], code: 3000, name: 'Busy Line', source: 'Callee', callStatus: 'busy', dialStatus: 'busy' },
  rejected: { cause: 'CALL_REJECTED', q850: 21, sip: '603', sipIn: [603], code: 3010, name: 'Rejected', source: 'Callee', callStatus: 'busy', dialStatus: 'busy' },
  'no-answer': { cause: 'NO_ANSWER', q850: 19, sip: 'CANCEL', code: 3020, name: 'No Answer', source: 'Plivo', callStatus: 'no-answer', dialStatus: 'no-answer' },
  'no-user-response': { cause: 'NO_USER_RESPONSE', q850: 18, sip: '480', sipIn: [480], code: 3020, name: 'No Answer', source: 'Callee', callStatus: 'no-answer', dialStatus: 'no-answer' },
  timeout: { cause: 'RECOVERY_ON_TIMER_EXPIRE', q850: 102, sip: '408', sipIn: [408, 504], code: 6000, name: 'Timeout', source: 'Carrier', callStatus: 'timeout', dialStatus: 'timeout' },
  unallocated: { cause: 'UNALLOCATED_NUMBER', q850: 1, sip: '404', sipIn: [404], code: 2000, name: 'Invalid Destination Address', source: 'Carrier', callStatus: 'failed', dialStatus: 'failed' },
  'out-of-order': { cause: 'DESTINATION_OUT_OF_ORDER', q850: 27, sip: '502', code: 2010, name: 'Destination Out Of Service', source: 'Carrier', callStatus: 'failed', dialStatus: 'failed' },
  'network-failure': { cause: 'NORMAL_TEMPORARY_FAILURE', q850: 41, sip: '503', sipIn: [400, 481, 500, 503], code: 8000, name: 'Network Error', source: 'Carrier', callStatus: 'failed', dialStatus: 'failed' },
  // DESTINATION_OUT_OF_ORDER has no far-end response of its own (a transport error, spec/sip.md §4): a 502 is
  // NETWORK_OUT_OF_ORDER's. The engine still answers 502 for it (RFC 3398 §7.2.4.1).
  // The rows below are spec/sip.md §4's finer causes. Each keeps its own cause name and Q.850 value,
  // and takes the Plivo code of the engine.md §2 situation it belongs to; all of them fail the call.
  refused: { cause: 'CALL_REJECTED', q850: 21, sip: '403', sipIn: [401, 402, 403, 407], code: 3010, name: 'Rejected', source: 'Carrier', callStatus: 'failed', dialStatus: 'failed' },
  'no-route': { cause: 'NO_ROUTE_DESTINATION', q850: 3, sip: '404', sipIn: [485, 604], code: 2000, name: 'Invalid Destination Address', source: 'Carrier', callStatus: 'failed', dialStatus: 'failed' },
  'number-changed': { cause: 'NUMBER_CHANGED', q850: 22, sip: '410', sipIn: [410], code: 2000, name: 'Invalid Destination Address', source: 'Carrier', callStatus: 'failed', dialStatus: 'failed' },
  'routing-error': { cause: 'EXCHANGE_ROUTING_ERROR', q850: 25, sip: '482', sipIn: [482, 483], code: 2060, name: 'Loop Detected', source: 'Carrier', callStatus: 'failed', dialStatus: 'failed' },
  'invalid-number': { cause: 'INVALID_NUMBER_FORMAT', q850: 28, sip: '484', sipIn: [484], code: 2000, name: 'Invalid Destination Address', source: 'Carrier', callStatus: 'failed', dialStatus: 'failed' },
  'network-out-of-order': { cause: 'NETWORK_OUT_OF_ORDER', q850: 38, sip: '502', sipIn: [502], code: 2010, name: 'Destination Out Of Service', source: 'Carrier', callStatus: 'failed', dialStatus: 'failed' },
  'service-unavailable': { cause: 'SERVICE_UNAVAILABLE', q850: 63, sip: '503', sipIn: [405], code: 8000, name: 'Network Error', source: 'Carrier', callStatus: 'failed', dialStatus: 'failed' },
  'not-implemented': { cause: 'SERVICE_NOT_IMPLEMENTED', q850: 79, sip: '501', sipIn: [406, 415, 501], code: 8000, name: 'Network Error', source: 'Carrier', callStatus: 'failed', dialStatus: 'failed' },
  incompatible: { cause: 'INCOMPATIBLE_DESTINATION', q850: 88, sip: '488', sipIn: [488, 606], code: 8000, name: 'Network Error', source: 'Carrier', callStatus: 'failed', dialStatus: 'failed' },
  interworking: { cause: 'INTERWORKING', q850: 127, sip: '500', sipIn: [413, 414, 416, 420, 421, 423, 505, 513], code: 8000, name: 'Network Error', source: 'Carrier', callStatus: 'failed', dialStatus: 'failed' },
  unspecified: { cause: 'NORMAL_UNSPECIFIED', q850: 31, sip: '480', code: 8000, name: 'Network Error', source: 'Carrier', callStatus: 'failed', dialStatus: 'failed' },
  // Applied to the B legs a departing caller cancels: they end `cancel`. The caller's own leg ends
  // through `normal` (NORMAL_CLEARING, completed), as engine.md §2's row says of the A leg.
  'originator-cancel': { cause: 'ORIGINATOR_CANCEL', q850: 487, sip: 'CANCEL', code: 1000, name: 'Canceled', source: 'Caller', callStatus: 'cancel', dialStatus: 'cancel' },
  'api-cancel': { cause: 'ORIGINATOR_CANCEL', q850: 487, sip: 'CANCEL', code: 1000, name: 'Canceled', source: 'API Request', callStatus: 'cancel', dialStatus: 'cancel' },
  'api-hangup': { cause: 'NORMAL_CLEARING', q850: 16, sip: 'BYE', code: 4000, name: 'Normal Hangup', source: 'API Request', callStatus: 'completed', dialStatus: 'completed' },
  'time-limit': { cause: 'ALLOTTED_TIMEOUT', q850: 602, sip: 'BYE', code: 4000, name: 'Normal Hangup', source: 'Plivo', callStatus: 'completed', dialStatus: 'completed' },
  'ring-timeout': { cause: 'NO_ANSWER', q850: 19, sip: 'CANCEL', code: 3020, name: 'No Answer', source: 'Plivo', callStatus: 'no-answer' },
  'hangup-on-ring': { cause: 'ORIGINATOR_CANCEL', q850: 487, sip: 'CANCEL', code: 1000, name: 'Canceled', source: 'Plivo', callStatus: 'cancel' },
  'answer-url-failed': { cause: 'NORMAL_TEMPORARY_FAILURE', q850: 41, sip: 'BYE', code: 5000, name: 'Answer URL Failed', source: 'Error', callStatus: 'completed' },
  'invalid-xml': { cause: 'NORMAL_TEMPORARY_FAILURE', q850: 41, sip: 'BYE', code: 5010, name: 'Invalid Answer XML', source: 'Error', callStatus: 'completed' },
  'action-failed': { cause: 'NORMAL_TEMPORARY_FAILURE', q850: 41, sip: 'BYE', code: 5020, name: 'Action URL Failed', source: 'Error', callStatus: 'completed' },
  'lose-race': { cause: 'LOSE_RACE', q850: 502, sip: 'CANCEL', code: 1000, name: 'Canceled', source: 'Plivo', callStatus: 'cancel' },
  // Plivo names no code of its own for it: the engine hangs up as it does at time_limit.
  'machine-detected': { cause: 'NORMAL_CLEARING', q850: 16, sip: 'BYE', code: 4000, name: 'Normal Hangup', source: 'Plivo', callStatus: 'completed' },
  'engine-restart': { cause: 'NORMAL_TEMPORARY_FAILURE', q850: 41, code: 8010, name: 'Engine Restart', source: 'Error', callStatus: 'failed', dialStatus: 'failed' },
};

/**
 * The CallStatus a leg ends with. Every leg that was answered ends `completed` (a party, the API,
 * a limit or the XML ended a conversation); otherwise the row's status applies.
 */
export function finalCallStatus(reason: EndReason, answered: boolean): CallStatus {
  if (answered) return 'completed';
  // A far end that clears before answering (`fail NORMAL_CLEARING`) completed nothing.
  if (reason === 'normal') return 'failed';
  return CAUSES[reason].callStatus;
}

/**
 * Reasons a network can report for a leg it ended itself (the far end or the carrier). The network
 * speaks in these; `sip/` maps SIP responses onto them (spec/sip.md §4), `simulated/` maps script steps.
 */
export type NetworkEndReason = Extract<
  EndReason,
  | 'normal'
  | 'busy'
  | 'rejected'
  | 'no-user-response'
  | 'timeout'
  | 'unallocated'
  | 'out-of-order'
  | 'network-failure'
  | 'refused'
  | 'no-route'
  | 'number-changed'
  | 'routing-error'
  | 'invalid-number'
  | 'network-out-of-order'
  | 'service-unavailable'
  | 'not-implemented'
  | 'incompatible'
  | 'interworking'
  | 'unspecified'
  // An inbound caller who gives up before the engine answers (SIP CANCEL, spec/sip.md §4).
  | 'originator-cancel'
>;

/** Every reason a network may report, in the order a cause name picks its row (first wins). */
export const NETWORK_END_REASONS: readonly NetworkEndReason[] = [
  'normal', 'busy', 'rejected', 'no-user-response', 'timeout', 'unallocated', 'out-of-order', 'network-failure',
  'refused', 'no-route', 'number-changed', 'routing-error', 'invalid-number', 'network-out-of-order',
  'service-unavailable', 'not-implemented', 'incompatible', 'interworking', 'unspecified', 'originator-cancel',
];

const BY_CAUSE_NAME: ReadonlyMap<string, NetworkEndReason> = (() => {
  const map = new Map<string, NetworkEndReason>();
  // The first row with a cause name takes it: CALL_REJECTED named alone is the callee's 603, not a carrier's 403.
  for (const r of NETWORK_END_REASONS) if (r !== 'originator-cancel' && !map.has(CAUSES[r].cause)) map.set(CAUSES[r].cause, r);
  map.set('NO_ANSWER', 'no-user-response');
  return map;
})();

/** The network end reason for a FreeSWITCH cause name (as written in a `fail CAUSE` script step). */
export function networkReasonForCause(name: string): NetworkEndReason | undefined {
  return BY_CAUSE_NAME.get(name.toUpperCase());
}

/** Cause names a `fail` step may use. */
export const FAILABLE_CAUSES: readonly string[] = [...BY_CAUSE_NAME.keys()];

/**
 * DialStatus tie-break among legs that did not answer (engine.md §2, spec/sip.md §4):
 * the leg that got furthest decides (ringing beats trying), then busy > no-answer > timeout > failed.
 */
export const DIAL_STATUS_RANK: Readonly<Record<DialStatus, number>> = {
  completed: 5,
  busy: 4,
  'no-answer': 3,
  timeout: 2,
  failed: 1,
  cancel: 0,
};
