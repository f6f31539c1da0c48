/**
 * `POST /v1/Account/{auth_id}/Call/` — every parameter of plivo.md §1.3, read into one typed
 * request with Plivo's defaults. Pure: no I/O, so the route only has to call it.
 */
import { invalidParam, missingParam } from '../errors.ts';
import { isDialable, normalizeNumber } from '../../util/phone.ts';
import {
  asParams,
  bool,
  has,
  int,
  method,
  optInt,
  optString,
  optUrl,
  raw,
  reqString,
  reqUrl,
  show,
  type Params,
} from './coerce.ts';
import { parseSipHeaders } from './sip-headers.ts';
import type { MachineDetection, MakeCallRequest } from '../../calls/call-setup.ts';


/** Plivo's bulk-call limit on unique destinations (plivo.md §1.3 `to`). */
export const MAX_DESTINATIONS = 1000;
export const DEFAULT_TIME_LIMIT = 14400;
/** time_limit at or over 24 h is cut to 24 h (plivo.md §1.3). */
export const MAX_TIME_LIMIT = 86400;
export const DEFAULT_RING_TIMEOUT = 120;
export const MAX_CALLER_NAME = 50;

/** The machine_detection* parameters (plivo.md §1.3). */
const MACHINE_DETECTION_KEYS = [
  'machine_detection_time', 'machine_detection_url', 'machine_detection_method',
  'machine_detection_maximum_speech_length', 'machine_detection_initial_silence', 'machine_detection_maximum_words',
  'machine_detection_initial_greeting', 'machine_detection_silence',
] as const;

const KNOWN = new Set([
  'from', 'to', 'answer_url', 'answer_method', 'ring_url', 'ring_method', 'hangup_url', 'hangup_method',
  'fallback_url', 'fallback_method', 'caller_name', 'send_digits', 'send_on_preanswer', 'time_limit',
  'hangup_on_ring', 'machine_detection', 'sip_headers', 'ring_timeout', 'parent_call_uuid',
  'error_if_parent_not_found', 'callback_url', 'callback_method',
]);

/** DTMF keys with `w` (0.5 s) / `W` (1 s) pauses, then an optional `@<ms>` tone length (plivo.md §1.3). */
const SEND_DIGITS = /^[0-9*#A-Da-d wW]+(@\d+)?$/;

const DIALABLE = 'a phone number (digits, with or without a leading +) or a sip: URI';

export function parseMakeCall(body: unknown): MakeCallRequest {
  const p = asParams(body);
  const warnings: string[] = [];

  const machineDetection = parseMachineDetection(p);

  const from = reqString(p, 'from');
  if (!isDialable(from)) throw invalidParam('from', `must be ${DIALABLE} (got ${show(from)})`);

  const to = parseDestinations(p, warnings);

  const req: MakeCallRequest = {
    from: normalizeNumber(from),
    to,
    answerUrl: reqUrl(p, 'answer_url'),
    answerMethod: method(p, 'answer_method'),
    ringMethod: method(p, 'ring_method'),
    hangupMethod: method(p, 'hangup_method'),
    fallbackMethod: method(p, 'fallback_method'),
    sendOnPreanswer: bool(p, 'send_on_preanswer', false),
    timeLimit: readTimeLimit(p, warnings),
    sipHeaders: {},
    ringTimeout: int(p, 'ring_timeout', DEFAULT_RING_TIMEOUT, { min: 0 }),
    errorIfParentNotFound: bool(p, 'error_if_parent_not_found', false),
    callbackMethod: method(p, 'callback_method'),
    warnings,
    ignored: [],
    ...(machineDetection ? { machineDetection } : {}),
  };

  const ringUrl = optUrl(p, 'ring_url');
  if (ringUrl !== undefined) req.ringUrl = ringUrl;
  const hangupUrl = optUrl(p, 'hangup_url');
  if (hangupUrl !== undefined) req.hangupUrl = hangupUrl;
  const fallbackUrl = optUrl(p, 'fallback_url');
  if (fallbackUrl !== undefined) req.fallbackUrl = fallbackUrl;
  const callbackUrl = optUrl(p, 'callback_url');
  if (callbackUrl !== undefined) req.callbackUrl = callbackUrl;

  const callerName = optString(p, 'caller_name', { maxLength: MAX_CALLER_NAME });
  if (callerName !== undefined) req.callerName = callerName;

  const sendDigits = optString(p, 'send_digits');
  if (sendDigits !== undefined) {
    if (!SEND_DIGITS.test(sendDigits)) {
      throw invalidParam(
        'send_digits',
        `must be DTMF keys (0-9 * # A-D, w and W for pauses) with an optional @<ms> tone length (got ${show(sendDigits)})`,
      );
    }
    req.sendDigits = sendDigits;
  }

  const hangupOnRing = optInt(p, 'hangup_on_ring', { min: 0 });
  if (hangupOnRing !== undefined) req.hangupOnRing = hangupOnRing;

  const parent = optString(p, 'parent_call_uuid');
  if (parent !== undefined) req.parentCallUuid = parent;

  if (has(p, 'sip_headers')) {
    const value = raw(p, 'sip_headers');
    if (Array.isArray(value)) throw invalidParam('sip_headers', 'given more than once');
    const sip = parseSipHeaders(value);
    req.sipHeaders = sip.headers;
    warnings.push(...sip.warnings);
  }

  // The machine_detection_* tuning keys count only when machine_detection is on.
  const used = (key: string) => KNOWN.has(key) || (req.machineDetection !== undefined && (MACHINE_DETECTION_KEYS as readonly string[]).includes(key));
  for (const key of Object.keys(p)) if (!used(key)) req.ignored.push(key);
  return req;
}

/** `to`: `a<b<c` (what the SDK sends for an array), or a JSON array / repeated form key. */
function parseDestinations(p: Params, warnings: string[]): string[] {
  const value = raw(p, 'to');
  let items: unknown[];
  if (Array.isArray(value)) items = value;
  else if (typeof value === 'string') items = value.split('<');
  else if (typeof value === 'number') items = [String(value)];
  else if (value === undefined || value === null) throw missingParam('to');
  else throw invalidParam('to', `must be a string of destinations joined by < (got ${show(value)})`);

  if (items.every((item) => typeof item === 'string' && item.trim() === '')) throw missingParam('to');

  const unique: string[] = [];
  const seen = new Set<string>();
  items.forEach((item, index) => {
    const position = index + 1;
    if (typeof item === 'number' && Number.isFinite(item)) item = String(item);
    if (typeof item !== 'string') {
      throw invalidParam('to', `destination ${position} must be a string (got ${show(item)})`);
    }
    const trimmed = item.trim();
    if (trimmed === '') throw invalidParam('to', `destination ${position} is empty`);
    if (!isDialable(trimmed)) throw invalidParam('to', `destination ${position} must be ${DIALABLE} (got ${show(trimmed)})`);
    const n = normalizeNumber(trimmed);
    if (seen.has(n)) {
      warnings.push(`to: destination ${position} (${n}) repeats an earlier one and was removed`);
      return;
    }
    seen.add(n);
    unique.push(n);
  });
  if (unique.length > MAX_DESTINATIONS) {
    throw invalidParam('to', `at most ${MAX_DESTINATIONS} unique destinations (got ${unique.length})`);
  }
  return unique;
}

function readTimeLimit(p: Params, warnings: string[]): number {
  const limit = int(p, 'time_limit', DEFAULT_TIME_LIMIT, { min: 1 });
  if (limit > MAX_TIME_LIMIT) {
    warnings.push(`time_limit: ${limit} cut to ${MAX_TIME_LIMIT} (24 h)`);
    return MAX_TIME_LIMIT;
  }
  return limit;
}

/**
 * `machine_detection` (`true` or `hangup`; `false` or absent: off) and its tuning parameters, with
 * Plivo's ranges and defaults (plivo.md §1.3). Only the time, the speech length, the URL and the
 * method change what the simulated network reports; the others are checked and kept.
 */
function parseMachineDetection(p: Params): MachineDetection | undefined {
  if (!has(p, 'machine_detection')) return undefined;
  const md = raw(p, 'machine_detection');
  const mode = typeof md === 'boolean' ? String(md) : typeof md === 'string' ? md.trim().toLowerCase() : show(md);
  if (mode === 'false') return undefined;
  if (mode !== 'true' && mode !== 'hangup') throw invalidParam('machine_detection', `must be true or hangup (got ${show(md)})`);
  optInt(p, 'machine_detection_initial_silence', { min: 2000, max: 10_000 });
  optInt(p, 'machine_detection_maximum_words', { min: 2, max: 10 });
  optInt(p, 'machine_detection_initial_greeting', { min: 1000, max: 5000 });
  optInt(p, 'machine_detection_silence', { min: 500, max: 5000 });
  const url = optUrl(p, 'machine_detection_url');
  return {
    hangup: mode === 'hangup',
    timeMs: int(p, 'machine_detection_time', 5000, { min: 2000, max: 10_000 }),
    maxSpeechMs: int(p, 'machine_detection_maximum_speech_length', 5000, { min: 1000, max: 6000 }),
    method: method(p, 'machine_detection_method'),
    ...(url !== undefined ? { url } : {}),
  };
}
