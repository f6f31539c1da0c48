// REST input parsing: the coercion helpers (engine.md §1 "REST bodies"), Make a Call (plivo.md
// §1.3), List calls and its paging meta (§1.5, §1.6), Transfer (§1.7) and the simulator bodies
// (engine.md §4).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ApiError, type ApiErrorCode } from '../src/api/errors.ts';
import {
  asParams,
  has,
  isHttpUrl,
  method,
  optBool,
  optInt,
  optOneOf,
  optString,
  optUrl,
  reqString,
  show,
} from '../src/api/params/coerce.ts';
import { parseMakeCall } from '../src/api/params/make-call.ts';
import type { MakeCallRequest } from '../src/calls/call-setup.ts';
import { parseSipHeaders } from '../src/api/params/sip-headers.ts';
import { buildMeta, parseListCalls } from '../src/api/params/list-calls.ts';
import { parseTransfer } from '../src/api/params/transfer.ts';
import { parseSimCall, parseSimNumber } from '../src/api/params/simulator.ts';

function throwsApi(fn: () => unknown, code: ApiErrorCode, message: string, param?: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ApiError, `expected ApiError, got ${String(e)}`);
    assert.equal(e.message, message);
    assert.equal(e.code, code);
    assert.equal(e.param, param);
    return true;
  });
}
const invalid = (fn: () => unknown, param: string, why: string) => throwsApi(fn, 'SB_INVALID_PARAM', `${param}: ${why}`, param);
const missing = (fn: () => unknown, param: string) =>
  throwsApi(fn, 'SB_MISSING_PARAM', `${param}: required parameter is missing`, param);

describe('coerce', () => {
  test('asParams: objects pass, no body reads as {}, other bodies are refused', () => {
    const o = { a: 1 };
    assert.equal(asParams(o), o);
    assert.deepEqual(asParams(undefined), {});
    assert.deepEqual(asParams(null), {});
    const body = (got: string) => `request body: must be a JSON object or a form-encoded body (got ${got})`;
    throwsApi(() => asParams([1]), 'SB_INVALID_BODY', body('an array'));
    throwsApi(() => asParams('from=1'), 'SB_INVALID_BODY', body('a string'));
    throwsApi(() => asParams(42), 'SB_INVALID_BODY', body('a number'));
    throwsApi(() => asParams(true), 'SB_INVALID_BODY', body('a boolean'));
    throwsApi(() => asParams(Buffer.from('x')), 'SB_INVALID_BODY', body('raw bytes'));
  });

  test('absent: undefined, null, blank string, a one-element array of blank', () => {
    for (const v of [undefined, null, '', '   ', ['']]) {
      assert.equal(has({ x: v }, 'x'), false);
      assert.equal(optString({ x: v }, 'x'), undefined);
      assert.equal(optInt({ x: v }, 'x'), undefined);
      assert.equal(optBool({ x: v }, 'x'), undefined);
    }
    assert.equal(has({ x: 0 }, 'x'), true);
    // Inherited names are not parameters.
    assert.equal(has({}, 'constructor'), false);
    assert.equal(optString({}, 'toString'), undefined);
    const inherited = Object.assign(Object.create({ from: '14155551212' }) as object, { to: '2', answer_url: 'http://a/' });
    missing(() => parseMakeCall(inherited), 'from');
    assert.equal(has({ x: false }, 'x'), true);
  });

  test('strings: trimmed, numbers written in decimal, other types refused, length in characters', () => {
    assert.equal(optString({ x: '  a b ' }, 'x'), 'a b');
    assert.equal(optString({ x: '  a b ' }, 'x', { trim: false }), '  a b ');
    assert.equal(optString({ x: 14155551212 }, 'x'), '14155551212');
    assert.equal(optString({ x: ['one'] }, 'x'), 'one');
    invalid(() => optString({ x: true }, 'x'), 'x', 'must be a string (got a boolean)');
    invalid(() => optString({ x: { a: 1 } }, 'x'), 'x', 'must be a string (got an object)');
    invalid(() => optString({ x: NaN }, 'x'), 'x', 'must be a string (got a number)');
    invalid(() => optString({ x: ['a', 'b'] }, 'x'), 'x', 'given more than once');
    assert.equal(optString({ x: '😀'.repeat(3) }, 'x', { maxLength: 3 }), '😀😀😀');
    invalid(() => optString({ x: 'abcd' }, 'x', { maxLength: 3 }), 'x', 'must be at most 3 characters (got 4)');
    missing(() => reqString({}, 'from'), 'from');
    missing(() => reqString({ from: ' ' }, 'from'), 'from');
  });

  test('booleans: JSON and case-insensitive strings', () => {
    for (const v of [true, 'true', 'TRUE', ' True ']) assert.equal(optBool({ b: v }, 'b'), true);
    for (const v of [false, 'false', 'False']) assert.equal(optBool({ b: v }, 'b'), false);
    invalid(() => optBool({ b: 'yes' }, 'b'), 'b', 'must be true or false (got "yes")');
    invalid(() => optBool({ b: 1 }, 'b'), 'b', 'must be true or false (got 1)');
    invalid(() => optBool({ b: '1' }, 'b'), 'b', 'must be true or false (got "1")');
  });

  test('whole numbers: JSON or decimal strings, ranges', () => {
    for (const v of [30, '30', ' 30 ', '+30', '030']) assert.equal(optInt({ n: v }, 'n'), 30);
    assert.equal(optInt({ n: '-4' }, 'n'), -4);
    invalid(() => optInt({ n: '30.5' }, 'n'), 'n', 'must be a whole number (got "30.5")');
    invalid(() => optInt({ n: 30.5 }, 'n'), 'n', 'must be a whole number (got 30.5)');
    invalid(() => optInt({ n: '3e2' }, 'n'), 'n', 'must be a whole number (got "3e2")');
    invalid(() => optInt({ n: 'ten' }, 'n'), 'n', 'must be a whole number (got "ten")');
    invalid(() => optInt({ n: true }, 'n'), 'n', 'must be a whole number (got true)');
    invalid(() => optInt({ n: Infinity }, 'n'), 'n', 'must be a whole number (got Infinity)');
    invalid(() => optInt({ n: '99999999999999999999' }, 'n'), 'n', 'must be a whole number (got "99999999999999999999")');
    invalid(() => optInt({ n: 0 }, 'n', { min: 1 }), 'n', 'must be at least 1 (got 0)');
    invalid(() => optInt({ n: 9 }, 'n', { max: 5 }), 'n', 'must be at most 5 (got 9)');
    invalid(() => optInt({ n: 21 }, 'n', { min: 1, max: 20 }), 'n', 'must be between 1 and 20 (got 21)');
    assert.equal(optInt({ n: 20 }, 'n', { min: 1, max: 20 }), 20);
  });

  test('URLs: absolute http(s) only, returned as given', () => {
    assert.equal(optUrl({ u: ' https://ex.com/a?b=1#ct=2000 ' }, 'u'), 'https://ex.com/a?b=1#ct=2000');
    assert.equal(optUrl({ u: 'HTTP://EX.com:8080' }, 'u'), 'HTTP://EX.com:8080');
    for (const bad of ['ftp://ex.com/', '/answer', 'ex.com/answer', 'http://', 'https//ex.com', 'javascript:alert(1)', 'http:///x', 'http://ex.com/a b', 'http://a:b:c/']) {
      assert.equal(isHttpUrl(bad), false, bad);
      invalid(() => optUrl({ u: bad }, 'u'), 'u', 'must be an absolute http(s) URL');
    }
  });

  test('methods: GET/POST in any case, upper-cased', () => {
    assert.equal(method({}, 'm'), 'POST');
    assert.equal(method({}, 'm', 'GET'), 'GET');
    assert.equal(method({ m: 'get' }, 'm'), 'GET');
    assert.equal(method({ m: 'Post' }, 'm'), 'POST');
    invalid(() => method({ m: 'PUT' }, 'm'), 'm', 'must be GET or POST (got "PUT")');
  });

  test('oneOf and show', () => {
    assert.equal(optOneOf({ s: 'LIVE' }, 's', ['live', 'queued']), 'live');
    invalid(() => optOneOf({ s: 'done' }, 's', ['a', 'b', 'c']), 's', 'must be a, b or c (got "done")');
    assert.equal(show('x'.repeat(100)), `"${'x'.repeat(56)}...`);
    assert.equal(show(null), 'null');
  });
});

const MINIMAL = { from: '+14155551212', to: '14155550001', answer_url: 'https://ex.com/answer' };
const DEFAULTS: MakeCallRequest = {
  from: '14155551212',
  to: ['14155550001'],
  answerUrl: 'https://ex.com/answer',
  answerMethod: 'POST',
  ringMethod: 'POST',
  hangupMethod: 'POST',
  fallbackMethod: 'POST',
  sendOnPreanswer: false,
  timeLimit: 14400,
  sipHeaders: {},
  ringTimeout: 120,
  errorIfParentNotFound: false,
  callbackMethod: 'POST',
  warnings: [],
  ignored: [],
};
const call = (extra: Record<string, unknown>) => parseMakeCall({ ...MINIMAL, ...extra });

describe('parseMakeCall', () => {
  test('the minimum, with every default', () => {
    assert.deepEqual(parseMakeCall(MINIMAL), DEFAULTS);
  });

  test('the body the official SDK sends (plivo.md §1.3)', () => {
    const body = {
      answer_method: 'GET', ring_url: 'https://ex.com/ring', time_limit: 30, send_on_preanswer: true,
      sip_headers: 'a=1,b=2', machine_detection_time: 3000, from: '14155551212',
      to: '14155550001<sip:a@b.com', answer_url: 'https://ex.com/answer',
    };
    assert.deepEqual(parseMakeCall(body), {
      ...DEFAULTS,
      to: ['14155550001', 'sip:a@b.com'],
      answerMethod: 'GET',
      ringUrl: 'https://ex.com/ring',
      timeLimit: 30,
      sendOnPreanswer: true,
      sipHeaders: { 'X-PH-a': '1', 'X-PH-b': '2' },
      ignored: ['machine_detection_time'],
    });
  });

  test('every parameter set, typed JSON and all-strings (form) agree', () => {
    const typed = {
      ...MINIMAL,
      answer_method: 'get', ring_url: 'http://app/ring', ring_method: 'GET', hangup_url: 'http://app/hangup',
      hangup_method: 'get', fallback_url: 'http://app/fallback', fallback_method: 'GET', caller_name: 'Front desk',
      send_digits: '1w2W3@1000', send_on_preanswer: true, time_limit: 600, hangup_on_ring: 0,
      sip_headers: 'Team=sales,Ticket=A-12', ring_timeout: 45, parent_call_uuid: '3f1f4c52-5a1e-4a8b-9a0e-2b1d6c8e7f90',
      error_if_parent_not_found: true, callback_url: 'https://app/cb', callback_method: 'GET', machine_detection: false,
    };
    const expected: MakeCallRequest = {
      ...DEFAULTS,
      answerMethod: 'GET', ringUrl: 'http://app/ring', ringMethod: 'GET', hangupUrl: 'http://app/hangup',
      hangupMethod: 'GET', fallbackUrl: 'http://app/fallback', fallbackMethod: 'GET', callerName: 'Front desk',
      sendDigits: '1w2W3@1000', sendOnPreanswer: true, timeLimit: 600, hangupOnRing: 0,
      sipHeaders: { 'X-PH-Team': 'sales', 'X-PH-Ticket': 'A-12' }, ringTimeout: 45,
      parentCallUuid: '3f1f4c52-5a1e-4a8b-9a0e-2b1d6c8e7f90', errorIfParentNotFound: true,
      callbackUrl: 'https://app/cb', callbackMethod: 'GET',
    };
    assert.deepEqual(parseMakeCall(typed), expected);
    // What @fastify/formbody hands over for the same request sent by curl.
    const form = Object.fromEntries(new URLSearchParams(Object.entries(typed).map(([k, v]) => [k, String(v)])));
    assert.deepEqual(parseMakeCall(form), expected);
  });

  test('property: a number or boolean reads the same typed or as a string', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200000 }), fc.integer({ min: 0, max: 10000 }), fc.integer({ min: 0, max: 10000 }),
        fc.boolean(), fc.boolean(), fc.constantFrom('', ' ', '+'),
        (timeLimit, ringTimeout, hangupOnRing, pre, err, plus) => {
          const typed = call({ time_limit: timeLimit, ring_timeout: ringTimeout, hangup_on_ring: hangupOnRing,
            send_on_preanswer: pre, error_if_parent_not_found: err, from: 14155551212 });
          const strings = call({ time_limit: `${plus}${timeLimit}`, ring_timeout: ` ${ringTimeout}`,
            hangup_on_ring: String(hangupOnRing), send_on_preanswer: String(pre).toUpperCase(),
            error_if_parent_not_found: String(err), from: `${plus}14155551212` });
          assert.deepEqual(strings, typed);
          assert.equal(typed.timeLimit, Math.min(timeLimit, 86400));
        },
      ),
    );
  });

  test('required parameters, in the order they are checked', () => {
    missing(() => parseMakeCall({}), 'from');
    missing(() => parseMakeCall({ from: '1415' }), 'to');
    missing(() => parseMakeCall({ from: '1415', to: '' }), 'to');
    missing(() => parseMakeCall({ from: '1415', to: '<' }), 'to');
    missing(() => parseMakeCall({ from: '1415', to: [] }), 'to');
    missing(() => parseMakeCall({ from: '1415', to: '1416' }), 'answer_url');
    missing(() => call({ answer_url: '  ' }), 'answer_url');
    throwsApi(() => parseMakeCall([]), 'SB_INVALID_BODY', 'request body: must be a JSON object or a form-encoded body (got an array)');
  });

  test('from: a number with or without + or a sip: URI', () => {
    assert.equal(call({ from: '+1 (415) 555-1212' }).from, '14155551212');
    assert.equal(call({ from: 'sip:alice@example.com' }).from, 'sip:alice@example.com');
    const why = 'must be a phone number (digits, with or without a leading +) or a sip: URI';
    invalid(() => call({ from: 'Alice' }), 'from', `${why} (got "Alice")`);
    invalid(() => call({ from: true }), 'from', 'must be a string (got a boolean)');
  });

  test('to: bulk destinations, normalised, duplicates removed in order', () => {
    assert.deepEqual(call({ to: '+14155550001<14155550002< sip:bob@ex.com <14155550001' }).to,
      ['14155550001', '14155550002', 'sip:bob@ex.com']);
    assert.deepEqual(call({ to: '+14155550001<14155550002<14155550001' }).warnings,
      ['to: destination 3 (14155550001) repeats an earlier one and was removed']);
    assert.deepEqual(call({ to: ['14155550002', 14155550003] }).to, ['14155550002', '14155550003']);
    assert.deepEqual(call({ to: 14155550004 }).to, ['14155550004']);
    // Calling yourself is not refused (the Python SDK's client-side check is not the API's).
    assert.deepEqual(call({ to: '+14155551212' }).to, ['14155551212']);
  });

  test('to: bad destinations name their position', () => {
    const why = 'must be a phone number (digits, with or without a leading +) or a sip: URI';
    invalid(() => call({ to: '14155550001<<14155550002' }), 'to', 'destination 2 is empty');
    invalid(() => call({ to: '14155550001<' }), 'to', 'destination 2 is empty');
    invalid(() => call({ to: '14155550001<bob' }), 'to', `destination 2 ${why} (got "bob")`);
    invalid(() => call({ to: ['1415', { n: 1 }] }), 'to', 'destination 2 must be a string (got an object)');
    invalid(() => call({ to: true }), 'to', 'must be a string of destinations joined by < (got true)');
  });

  test('to: at most 1000 unique destinations', () => {
    const numbers = Array.from({ length: 1001 }, (_, i) => String(14150000000 + i));
    invalid(() => call({ to: numbers.join('<') }), 'to', 'at most 1000 unique destinations (got 1001)');
    const withRepeat = [...numbers.slice(0, 1000), `+${numbers[0]}`];
    const ok = call({ to: withRepeat.join('<') });
    assert.equal(ok.to.length, 1000);
    assert.deepEqual(ok.warnings, ['to: destination 1001 (14150000000) repeats an earlier one and was removed']);
  });

  test('URLs and methods', () => {
    for (const name of ['answer_url', 'ring_url', 'hangup_url', 'fallback_url', 'callback_url']) {
      invalid(() => call({ [name]: 'ftp://ex.com/x' }), name, 'must be an absolute http(s) URL');
    }
    for (const name of ['answer_method', 'ring_method', 'hangup_method', 'fallback_method', 'callback_method']) {
      invalid(() => call({ [name]: 'DELETE' }), name, 'must be GET or POST (got "DELETE")');
    }
  });

  test('caller_name: at most 50 characters', () => {
    assert.equal(call({ caller_name: 'x'.repeat(50) }).callerName, 'x'.repeat(50));
    invalid(() => call({ caller_name: 'x'.repeat(51) }), 'caller_name', 'must be at most 50 characters (got 51)');
  });

  test('send_digits: DTMF, pauses, optional @ms', () => {
    for (const good of ['1234', '1w2w3@1000', 'ABCDabcd*#', '12 34', 'W9', '5@50']) {
      assert.equal(call({ send_digits: good }).sendDigits, good);
    }
    const why = 'must be DTMF keys (0-9 * # A-D, w and W for pauses) with an optional @<ms> tone length';
    for (const bad of ['12e', '12@', '@100', '1@1.5', '1@100@2', 'x']) {
      invalid(() => call({ send_digits: bad }), 'send_digits', `${why} (got ${JSON.stringify(bad)})`);
    }
  });

  test('time_limit, hangup_on_ring, ring_timeout', () => {
    assert.equal(call({ time_limit: 1 }).timeLimit, 1);
    assert.equal(call({ time_limit: 86400 }).timeLimit, 86400);
    const cut = call({ time_limit: '100000' });
    assert.equal(cut.timeLimit, 86400);
    assert.deepEqual(cut.warnings, ['time_limit: 100000 cut to 86400 (24 h)']);
    invalid(() => call({ time_limit: 0 }), 'time_limit', 'must be at least 1 (got 0)');
    invalid(() => call({ time_limit: 'forever' }), 'time_limit', 'must be a whole number (got "forever")');
    assert.equal(call({ hangup_on_ring: '0' }).hangupOnRing, 0);
    invalid(() => call({ hangup_on_ring: -1 }), 'hangup_on_ring', 'must be at least 0 (got -1)');
    assert.equal(call({ ring_timeout: 0 }).ringTimeout, 0);
    invalid(() => call({ ring_timeout: '-5' }), 'ring_timeout', 'must be at least 0 (got -5)');
  });

  test('booleans', () => {
    assert.equal(call({ send_on_preanswer: 'True' }).sendOnPreanswer, true);
    invalid(() => call({ send_on_preanswer: 'on' }), 'send_on_preanswer', 'must be true or false (got "on")');
    invalid(() => call({ error_if_parent_not_found: 0 }), 'error_if_parent_not_found', 'must be true or false (got 0)');
  });

  test('machine_detection: true or hangup with Plivo\'s ranges and defaults; false and absent are off', () => {
    assert.deepEqual(call({ machine_detection: true }).machineDetection, { hangup: false, timeMs: 5000, maxSpeechMs: 5000, method: 'POST' });
    assert.deepEqual(call({ machine_detection: 'Hangup', machine_detection_time: '3000', machine_detection_url: 'https://x/amd', machine_detection_method: 'get', machine_detection_maximum_speech_length: 2000 }).machineDetection, {
      hangup: true, timeMs: 3000, maxSpeechMs: 2000, method: 'GET', url: 'https://x/amd',
    });
    invalid(() => call({ machine_detection: 'yes' }), 'machine_detection', 'must be true or hangup (got "yes")');
    const err = (() => { try { call({ machine_detection: true, machine_detection_time: 1000 }); } catch (e) { return e as ApiError; } return undefined; })();
    assert.equal(err?.status, 400);
    assert.equal(err?.param, 'machine_detection_time');
    for (const v of [false, 'false', 'FALSE', '', null]) {
      assert.equal(call({ machine_detection: v }).machineDetection, undefined);
      assert.deepEqual(call({ machine_detection: v }).ignored, []);
    }
    // Without machine_detection the tuning keys do nothing, and say so.
    assert.deepEqual(call({ machine_detection_url: 'https://x/amd', machine_detection_time: 3000 }).ignored,
      ['machine_detection_url', 'machine_detection_time']);
    assert.deepEqual(call({ machine_detection: 'true', machine_detection_maximum_words: 3 }).ignored, []);
  });

  test('unknown keys are listed in body order, not refused', () => {
    assert.deepEqual(call({ zeta: 1, is_voice_request: 'true', alpha: '' }).ignored, ['zeta', 'is_voice_request', 'alpha']);
  });

  test('sip_headers: malformed pairs dropped with warnings', () => {
    const r = call({ sip_headers: 'Good=yes, bad name=1,Empty=,NoEquals,X-PH-Pre=fixed,v=a%20b_c-d,x=has space,y=a=b,good=again' });
    assert.deepEqual(r.sipHeaders, { 'X-PH-Good': 'yes', 'X-PH-Pre': 'fixed', 'X-PH-v': 'a%20b_c-d' });
    assert.deepEqual(r.warnings, [
      'sip_headers: dropped "bad name=1" (name may hold only letters, digits and -)',
      'sip_headers: dropped "Empty=" (empty value)',
      'sip_headers: dropped "NoEquals" (empty value)',
      'sip_headers: dropped "x=has space" (value may hold only letters, digits, %, - and _)',
      'sip_headers: dropped "y=a=b" (value may hold only letters, digits, %, - and _)',
      'sip_headers: dropped "good=again" (the header X-PH-good is already set)',
    ]);
  });

  test('sip_headers: lengths, object form, bad types', () => {
    const name24 = 'N'.repeat(24);
    assert.deepEqual(parseSipHeaders(`${name24}=1`).headers, { [`X-PH-${name24}`]: '1' });
    assert.deepEqual(parseSipHeaders(`${name24}N=1`).warnings, [
      `sip_headers: dropped "${name24}N=1" (name longer than 24 characters)`,
    ]);
    assert.deepEqual(parseSipHeaders(`a=${'v'.repeat(120)}`).headers, { 'X-PH-a': 'v'.repeat(120) });
    assert.equal(parseSipHeaders(`a=${'v'.repeat(121)}`).warnings[0]?.endsWith('(value longer than 120 characters)'), true);
    assert.deepEqual(parseSipHeaders('=1,').warnings, ['sip_headers: dropped "=1" (empty name)']);
    assert.deepEqual(call({ sip_headers: { Team: 'sales', Id: 7 } }).sipHeaders, { 'X-PH-Team': 'sales', 'X-PH-Id': '7' });
    invalid(() => call({ sip_headers: 5 }), 'sip_headers', 'must be a string like name1=value1,name2=value2 (got 5)');
    invalid(() => call({ sip_headers: ['a=1', 'b=2'] }), 'sip_headers', 'given more than once');
  });
});

describe('parseListCalls', () => {
  test('defaults: the CDR list, 20 from 0', () => {
    assert.deepEqual(parseListCalls({}), { limit: 20, offset: 0, ended_only: true });
  });

  test('every filter', () => {
    assert.deepEqual(
      parseListCalls({
        call_direction: 'Outbound', from_number: '+14155551212', to_number: 'sip:bob@ex.com',
        parent_call_uuid: 'abc', hangup_cause_code: '4000', hangup_source: 'Callee', limit: '5', offset: '10',
        subaccount: 'SA123456789012345678', bill_duration: '60', end_time: '2024-05-01 10:00',
      }),
      {
        limit: 5, offset: 10, ended_only: true, call_direction: 'outbound', from_number: '14155551212',
        to_number: 'sip:bob@ex.com', parent_call_uuid: 'abc', hangup_cause_code: 4000, hangup_source: 'Callee',
        bill_duration: { eq: 60 }, end_time: { eq: Date.UTC(2024, 4, 1, 10, 0) },
      },
    );
  });

  test('__gt/__gte/__lt/__lte and the SDK’s collapsed spelling', () => {
    const r = parseListCalls({
      bill_duration__gt: '10', bill_duration_lte: '100',
      end_time__gte: '2024-05-01 10:00:05', end_time_lt: '2024-05-02 00:00:00.250000',
    });
    assert.deepEqual(r.bill_duration, { gt: 10, lte: 100 });
    assert.deepEqual(r.end_time, { gte: Date.UTC(2024, 4, 1, 10, 0, 5), lt: Date.UTC(2024, 4, 2, 0, 0, 0, 250) });
    // Both spellings with the same value are fine; different values are an error.
    assert.deepEqual(parseListCalls({ bill_duration__gt: '5', bill_duration_gt: '5' }).bill_duration, { gt: 5 });
    invalid(() => parseListCalls({ bill_duration__gt: '5', bill_duration_gt: '6' }), 'bill_duration_gt',
      'disagrees with bill_duration__gt ("6" vs "5")');
  });

  test('status=live|queued', () => {
    assert.deepEqual(parseListCalls({ status: 'live' }), { limit: 20, offset: 0, status: 'live' });
    assert.equal(parseListCalls({ status: 'QUEUED' }).status, 'queued');
    invalid(() => parseListCalls({ status: 'done' }), 'status', 'must be live or queued (got "done")');
  });

  test('bad values name the parameter as spelled', () => {
    invalid(() => parseListCalls({ limit: '0' }), 'limit', 'must be between 1 and 20 (got 0)');
    invalid(() => parseListCalls({ limit: '21' }), 'limit', 'must be between 1 and 20 (got 21)');
    invalid(() => parseListCalls({ limit: 'all' }), 'limit', 'must be a whole number (got "all")');
    invalid(() => parseListCalls({ offset: '-1' }), 'offset', 'must be at least 0 (got -1)');
    invalid(() => parseListCalls({ call_direction: 'sideways' }), 'call_direction', 'must be inbound or outbound (got "sideways")');
    invalid(() => parseListCalls({ hangup_cause_code: 'x' }), 'hangup_cause_code', 'must be a whole number (got "x")');
    invalid(() => parseListCalls({ bill_duration__lt: '-1' }), 'bill_duration__lt', 'must be at least 0 (got -1)');
    const when = 'must be a UTC time like YYYY-MM-DD HH:MM[:SS[.ffffff]]';
    invalid(() => parseListCalls({ end_time__gt: 'yesterday' }), 'end_time__gt', `${when} (got "yesterday")`);
    invalid(() => parseListCalls({ end_time_lte: '2024-05-01' }), 'end_time_lte', `${when} (got "2024-05-01")`);
    invalid(() => parseListCalls({ limit: ['1', '2'] }), 'limit', 'given more than once');
  });
});

describe('buildMeta', () => {
  const authId = 'MAXXXXXXXXXXXXXXXXXX';
  test('first page: next keeps the filters, previous is null (plivo.md §1.5)', () => {
    assert.deepEqual(buildMeta({ authId, query: { call_direction: 'outbound', limit: '1' }, limit: 1, offset: 0, totalCount: 3 }), {
      limit: 1,
      next: '/v1/Account/MAXXXXXXXXXXXXXXXXXX/Call/?call_direction=outbound&limit=1&offset=1',
      offset: 0,
      previous: null,
      total_count: 3,
    });
  });

  test('middle and last pages; previous never below 0', () => {
    const mid = buildMeta({ authId, query: { offset: '1', limit: '1', call_direction: 'outbound' }, limit: 1, offset: 1, totalCount: 3 });
    assert.equal(mid.next, '/v1/Account/MAXXXXXXXXXXXXXXXXXX/Call/?call_direction=outbound&limit=1&offset=2');
    assert.equal(mid.previous, '/v1/Account/MAXXXXXXXXXXXXXXXXXX/Call/?call_direction=outbound&limit=1&offset=0');
    const last = buildMeta({ authId, query: {}, limit: 20, offset: 5, totalCount: 25 });
    assert.equal(last.next, null);
    assert.equal(last.previous, '/v1/Account/MAXXXXXXXXXXXXXXXXXX/Call/?limit=20&offset=0');
  });

  test('empty list, encoded values, repeated and undefined keys, another resource', () => {
    assert.deepEqual(buildMeta({ authId, query: {}, limit: 20, offset: 0, totalCount: 0 }),
      { limit: 20, next: null, offset: 0, previous: null, total_count: 0 });
    const m = buildMeta({
      authId, query: { end_time__gt: '2024-05-01 10:00', x: ['a', 'b&c'], y: undefined }, limit: 2, offset: 0, totalCount: 5,
      resource: 'Simulator/Number',
    });
    assert.equal(m.next, '/v1/Account/MAXXXXXXXXXXXXXXXXXX/Simulator/Number/?end_time__gt=2024-05-01+10%3A00&x=a&x=b%26c&limit=2&offset=2');
  });
});

describe('parseTransfer', () => {
  test('default aleg, needs aleg_url', () => {
    assert.deepEqual(parseTransfer({ aleg_url: 'https://app/next' }),
      { legs: 'aleg', alegUrl: 'https://app/next', alegMethod: 'POST', blegMethod: 'POST', ignored: [] });
    missing(() => parseTransfer({}), 'aleg_url');
    missing(() => parseTransfer(undefined), 'aleg_url');
  });

  test('bleg and both', () => {
    assert.deepEqual(parseTransfer({ legs: 'bleg', bleg_url: 'http://b/x', bleg_method: 'get', aleg_url: 'http://a/x' }),
      { legs: 'bleg', blegUrl: 'http://b/x', alegMethod: 'POST', blegMethod: 'GET', ignored: ['aleg_url'] });
    missing(() => parseTransfer({ legs: 'bleg', aleg_url: 'http://a/x' }), 'bleg_url');
    assert.deepEqual(parseTransfer({ legs: 'BOTH', aleg_url: 'http://a/x', bleg_url: 'http://b/x', aleg_method: 'GET' }),
      { legs: 'both', alegUrl: 'http://a/x', blegUrl: 'http://b/x', alegMethod: 'GET', blegMethod: 'POST', ignored: [] });
    missing(() => parseTransfer({ legs: 'both', aleg_url: 'http://a/x' }), 'bleg_url');
  });

  test('bad values', () => {
    invalid(() => parseTransfer({ legs: 'cleg' }), 'legs', 'must be aleg, bleg or both (got "cleg")');
    invalid(() => parseTransfer({ aleg_url: 'nope' }), 'aleg_url', 'must be an absolute http(s) URL');
    invalid(() => parseTransfer({ aleg_url: 'http://a/', aleg_method: 'PATCH' }), 'aleg_method', 'must be GET or POST (got "PATCH")');
    throwsApi(() => parseTransfer('legs=aleg'), 'SB_INVALID_BODY', 'request body: must be a JSON object or a form-encoded body (got a string)');
  });
});

describe('simulator bodies', () => {
  test('parseSimNumber', () => {
    assert.deepEqual(parseSimNumber({ number: '+1 415 555 0001', script: 'ring 2s, answer, hangup after 30s' }),
      { number: '14155550001', script: 'ring 2s, answer, hangup after 30s' });
    assert.deepEqual(parseSimNumber({ number: 'sip:bob@ex.com', script: 'busy' }), { number: 'sip:bob@ex.com', script: 'busy' });
    missing(() => parseSimNumber({ script: 'busy' }), 'number');
    missing(() => parseSimNumber({ number: '1415' }), 'script');
    invalid(() => parseSimNumber({ number: 'bob', script: 'busy' }), 'number',
      'must be a phone number (digits, with or without a leading +) or a sip: URI (got "bob")');
  });

  test('parseSimCall', () => {
    assert.deepEqual(parseSimCall({ from: '+14155550009', to: 14155550001 }), { from: '14155550009', to: '14155550001' });
    assert.deepEqual(parseSimCall({ from: '1', to: '2', script: ' hangup after 20s ' }), { from: '1', to: '2', script: 'hangup after 20s' });
    missing(() => parseSimCall({ to: '2' }), 'from');
    missing(() => parseSimCall({ from: '1' }), 'to');
    invalid(() => parseSimCall({ from: '1', to: '2', script: 3 > 2 }), 'script', 'must be a string (got a boolean)');
  });
});
