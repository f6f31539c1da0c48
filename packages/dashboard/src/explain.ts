/**
 * Errors in plain words: what a hangup cause, a failed webhook attempt or an API error means for
 * the person reading the page, beside the engine's exact text (which stays visible).
 */
import { ApiError } from './api/client.ts';

const END_REASONS: Record<string, string> = {
  normal: 'The call ended normally: someone hung up.',
  'end-of-xml': "The call ended because your app's XML had nothing more to do.",
  'xml-hangup': 'Your XML hung up the call (<Hangup>).',
  'xml-busy': 'Your XML rejected the call as busy.',
  'xml-rejected': 'Your XML rejected the call.',
  busy: 'The number was busy.',
  rejected: 'The called party declined the call.',
  'no-answer': 'No one answered before the ring timeout.',
  'no-user-response': 'No one answered.',
  timeout: 'The network never replied; the call timed out.',
  unallocated: 'The number does not exist.',
  'out-of-order': 'The destination is out of service.',
  'network-failure': 'The network failed to place the call.',
  refused: 'The network refused the call: its credentials or caller ID were not accepted.',
  'originator-cancel': 'The caller hung up before the call was answered.',
  'api-cancel': 'The call was cancelled through the API before it was answered.',
  'api-hangup': 'The call was hung up through the API.',
  'time-limit': 'The call reached its time limit.',
  'ring-timeout': 'No one answered before ring_timeout.',
  'hangup-on-ring': 'The call was hung up when it started ringing (hangup_on_ring).',
  'answer-url-failed': "Your app's answer URL (and fallback URL, if any) could not be fetched, so the call was hung up.",
  'invalid-xml': 'Your app answered with XML the engine cannot run, so the call was hung up.',
  'action-failed': "Your app's action URL could not be fetched, so the call was hung up.",
  'lose-race': 'Another number of the same Dial answered first, so this one was cancelled.',
  'engine-restart': 'The engine stopped or restarted while the call was live.',
};

const CAUSES: Record<string, string> = {
  NORMAL_CLEARING: 'The call ended normally.',
  USER_BUSY: 'The number was busy.',
  CALL_REJECTED: 'The called party declined the call.',
  NO_ANSWER: 'No one answered.',
  NO_USER_RESPONSE: 'No one answered.',
  RECOVERY_ON_TIMER_EXPIRE: 'The network did not reply in time.',
  UNALLOCATED_NUMBER: 'The number does not exist.',
  DESTINATION_OUT_OF_ORDER: 'The destination is out of service.',
  NORMAL_TEMPORARY_FAILURE: 'A temporary failure ended the call.',
  NO_ROUTE_DESTINATION: 'The network has no route to the number.',
  NUMBER_CHANGED: 'The number has changed.',
  EXCHANGE_ROUTING_ERROR: 'The network found a routing loop.',
  INVALID_NUMBER_FORMAT: 'The number is not in a format the network accepts.',
  NETWORK_OUT_OF_ORDER: 'The network is out of order.',
  SERVICE_UNAVAILABLE: 'The network does not offer this service.',
  SERVICE_NOT_IMPLEMENTED: 'The far end does not support what the call needs.',
  INCOMPATIBLE_DESTINATION: 'The far end accepts none of the offered media.',
  INTERWORKING: 'The networks on the way could not work together.',
  NORMAL_UNSPECIFIED: 'The network ended the call without saying why.',
  ORIGINATOR_CANCEL: 'The call was cancelled before it was answered.',
  ALLOTTED_TIMEOUT: 'The call reached its time limit.',
  LOSE_RACE: 'Another number answered first.',
};

/** The sentence for a `leg.ended` reason, or for a CDR's cause code and name. */
export function explainEnd(reason?: string | null, cause?: string | null, code?: number | null): string | null {
  if (reason && END_REASONS[reason]) return END_REASONS[reason];
  if (code === 5000) return END_REASONS['answer-url-failed']!;
  if (code === 5010) return END_REASONS['invalid-xml']!;
  if (code === 5020) return END_REASONS['action-failed']!;
  if (code === 8010) return END_REASONS['engine-restart']!;
  if (cause && CAUSES[cause]) return CAUSES[cause];
  return null;
}

function hostOf(url: string | undefined): string {
  if (!url) return 'your app';
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** A failed webhook attempt: its error text (`ct: connect ECONNREFUSED ...`) or its HTTP status. */
export function explainAttempt(a: { status_code: number | null; error: string | null; url?: string }): string | null {
  const host = hostOf(a.url);
  const e = a.error ?? '';
  if (e) {
    if (/ECONNREFUSED/.test(e)) return `Nothing is listening at ${host}: is your app running?`;
    if (/ENOTFOUND|EAI_AGAIN/.test(e)) return `The host name ${host} could not be resolved.`;
    if (/ECONNRESET|socket hang up|closed/i.test(e)) return `${host} closed the connection before answering.`;
    if (/^ct:/.test(e) || /connect.*timeout/i.test(e)) return `Could not connect to ${host} in time.`;
    if (/^rt:|^tt:|timeout/i.test(e)) return `${host} took too long to answer.`;
    return `The request to ${host} failed: ${e}`;
  }
  const s = a.status_code;
  if (s === null || s === undefined) return null;
  if (s >= 500) return `Your app answered with a server error (HTTP ${s}).`;
  if (s === 404) return 'Your app has no such URL (HTTP 404): check the URL.';
  if (s === 401 || s === 403) return `Your app refused the request (HTTP ${s}): check its signature validation.`;
  if (s >= 400) return `Your app rejected the request (HTTP ${s}).`;
  if (s >= 300) return `Your app redirected (HTTP ${s}); webhooks do not follow redirects.`;
  return null;
}

/** Any thrown value, for an error box. */
export function explainError(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 0) return err.message;
    if (err.status === 401) return 'The auth ID or auth token is wrong (or the engine was restarted with another account).';
    if (err.status === 404) return `Not found: ${err.message}`;
    return err.message;
  }
  return err instanceof Error ? err.message : String(err);
}
