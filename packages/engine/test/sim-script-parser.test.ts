import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FAILABLE_CAUSES } from '../src/domain/causes.ts';
import { ScriptError, formatScript, parseScript } from '../src/network/simulated/index.ts';
import type { ScriptKind } from '../src/network/simulated/index.ts';

const d = (minMs: number, maxMs = minMs) => ({ minMs, maxMs });

describe('script parser: the language of engine.md §4', () => {
  it('reads every step kind', () => {
    assert.deepEqual(parseScript('ring 2s, early 500ms, answer, digits 1w2 after 3s, hangup after 1m'), {
      branches: [
        {
          steps: [
            { kind: 'ring', dur: d(2000) },
            { kind: 'early', dur: d(500) },
            { kind: 'answer' },
            { kind: 'digits', digits: '1w2', after: d(3000) },
            { kind: 'hangupAfter', dur: d(60_000) },
          ],
        },
      ],
    });
    assert.deepEqual(parseScript('busy | reject | no-answer | timeout | fail | fail unallocated_number | ring | early, ring'), {
      branches: [
        { steps: [{ kind: 'busy' }] },
        { steps: [{ kind: 'reject' }] },
        { steps: [{ kind: 'noAnswer' }] },
        { steps: [{ kind: 'timeout' }] },
        { steps: [{ kind: 'fail', cause: 'NORMAL_TEMPORARY_FAILURE' }] },
        { steps: [{ kind: 'fail', cause: 'UNALLOCATED_NUMBER' }] },
        { steps: [{ kind: 'ring' }] },
        { steps: [{ kind: 'early' }, { kind: 'ring' }] },
      ],
    });
  });

  it('accepts every failable cause, in any case', () => {
    for (const cause of FAILABLE_CAUSES) {
      assert.deepEqual(parseScript(`fail ${cause.toLowerCase()}`), { branches: [{ steps: [{ kind: 'fail', cause }] }] });
    }
  });

  it('reads ranges, decimals and every unit', () => {
    assert.deepEqual(parseScript('ring 2-5s, answer, hangup after 1.5-2m'), {
      branches: [{ steps: [{ kind: 'ring', dur: d(2000, 5000) }, { kind: 'answer' }, { kind: 'hangupAfter', dur: d(90_000, 120_000) }] }],
    });
    assert.deepEqual(parseScript('ring 250ms').branches[0]?.steps, [{ kind: 'ring', dur: d(250) }]);
    assert.deepEqual(parseScript('ring 0.25s').branches[0]?.steps, [{ kind: 'ring', dur: d(250) }]);
    assert.deepEqual(parseScript('ring 3-3s').branches[0]?.steps, [{ kind: 'ring', dur: d(3000) }]);
    assert.deepEqual(parseScript('ring 0s').branches[0]?.steps, [{ kind: 'ring', dur: d(0) }]);
    assert.deepEqual(parseScript('ring 1440m').branches[0]?.steps, [{ kind: 'ring', dur: d(86_400_000) }]);
  });

  it('reads weights as written', () => {
    assert.deepEqual(parseScript('70% ring 2s, answer | 30% busy'), {
      branches: [
        { weight: 70, steps: [{ kind: 'ring', dur: d(2000) }, { kind: 'answer' }] },
        { weight: 30, steps: [{ kind: 'busy' }] },
      ],
    });
    assert.deepEqual(parseScript('12.5% busy | reject'), {
      branches: [{ weight: 12.5, steps: [{ kind: 'busy' }] }, { steps: [{ kind: 'reject' }] }],
    });
  });

  it('ignores case in keywords and units, and spacing anywhere between tokens', () => {
    const expected = parseScript('50% ring 2-5s, answer, digits 1W# after 3s, hangup after 30s | busy');
    assert.deepEqual(parseScript('  50 %RING 2 - 5 S,ANSWER ,  Digits   1W#   AFTER 3S ,HANGUP\tafter 30s|BUSY  '), expected);
    assert.deepEqual(parseScript('50%\n  ring 2-5s,\n  answer,\n  digits 1W# after 3s,\n  hangup after 30s\n| busy'), expected);
  });

  it('reads `on KEYS hangup` and `on KEYS digits REPLY` (a party reacting to keys sent to it)', () => {
    assert.deepEqual(parseScript('answer, on 5# hangup, on 1 digits 2w3'), {
      branches: [
        {
          steps: [
            { kind: 'answer' },
            { kind: 'on', keys: '5#', then: { kind: 'hangup' } },
            { kind: 'on', keys: '1', then: { kind: 'digits', digits: '2w3' } },
          ],
        },
      ],
    });
    assert.deepEqual(parseScript('on 0 hangup', 'caller'), { branches: [{ steps: [{ kind: 'on', keys: '0', then: { kind: 'hangup' } }] }] });
  });

  it('reads caller scripts (kind "caller")', () => {
    assert.deepEqual(parseScript('digits 1 after 3s, hangup after 20s', 'caller'), {
      branches: [{ steps: [{ kind: 'digits', digits: '1', after: d(3000) }, { kind: 'hangupAfter', dur: d(20_000) }] }],
    });
    assert.deepEqual(parseScript('80% hangup after 5s | 20% hangup after 1m', 'caller'), {
      branches: [
        { weight: 80, steps: [{ kind: 'hangupAfter', dur: d(5000) }] },
        { weight: 20, steps: [{ kind: 'hangupAfter', dur: d(60_000) }] },
      ],
    });
  });
});

describe('script parser: errors name the problem and its column', () => {
  const STEPS = 'ring, early, answer, hangup after, digits, talk, silence, on, busy, reject, no-answer, timeout or fail';
  const cases: Array<[string, number, string, ScriptKind?]> = [
    ['ring xs', 6, 'expected a duration after "ring" at column 6: "ring xs"'],
    ['ring 1s,', 9, 'expected a step after "," at column 9: "ring 1s,"'],
    ['ring 1s , , answer', 11, 'expected a step after "," at column 11: "ring 1s , , answer"'],
    ['| busy', 1, 'expected a step at column 1: "| busy"'],
    ['busy |', 7, 'expected a step after "|" at column 7: "busy |"'],
    ['busy || reject', 7, 'expected a step after "|" at column 7: "busy || reject"'],
    ['rng 2s', 1, `unknown step "rng" (expected ${STEPS}) at column 1: "rng 2s"`],
    ['%', 1, `expected a step, found "%" (steps: ${STEPS}) at column 1: "%"`],
    ['ring 2s; answer', 8, 'expected "," or "|" after "ring 2s" at column 8: "ring 2s; answer"'],
    ['answer busy', 8, 'expected "," or "|" after "answer" at column 8: "answer busy"'],
    ['answer robot', 8, 'expected "," or "|" after "answer" at column 8: "answer robot"'],
    ['timeout 5s', 9, 'expected "," or "|" after "timeout" at column 9: "timeout 5s"'],
    ['ring 2', 7, 'expected a unit (ms, s or m) after "2" at column 7: "ring 2"'],
    ['ring 2h', 7, 'unknown unit "h" (expected ms, s or m) at column 7: "ring 2h"'],
    ['ring .5s', 6, 'expected a duration after "ring" at column 6: "ring .5s"'],
    ['ring 5-2s', 6, 'the range "5-2s" runs backwards (put the smaller number first) at column 6: "ring 5-2s"'],
    ['ring 2-s', 8, 'expected a number after "-" in a range at column 8: "ring 2-s"'],
    ['ring 1441m', 6, 'the duration "1441m" is longer than the maximum of 24 hours at column 6: "ring 1441m"'],
    ['hangup 5s', 8, 'expected "after" after "hangup" at column 8: "hangup 5s"'],
    ['answer, hangup after', 21, 'expected a duration after "hangup after" at column 21: "answer, hangup after"'],
    ['answer, digits after 2s', 16, 'expected DTMF digits after "digits" at column 16: "answer, digits after 2s"'],
    ['answer, digits 1x after 2s', 17, 'invalid DTMF key "x" (expected 0-9, *, #, A-D, or the pauses w and W) at column 17: "answer, digits 1x after 2s"'],
    ['answer, digits a after 1s', 16, 'invalid DTMF key "a" (expected 0-9, *, #, A-D, or the pauses w and W) at column 16: "answer, digits a after 1s"'],
    ['answer, digits 1 2s', 18, 'expected "after" after the digits "1" at column 18: "answer, digits 1 2s"'],
    ['answer, digits 1 after', 23, 'expected a duration after "after" at column 23: "answer, digits 1 after"'],
    ['answer, digits ww after 1s', 16, 'expected at least one key in "ww", not only pauses at column 16: "answer, digits ww after 1s"'],
    ['fail FOO', 6, `unknown cause "FOO" for "fail" (expected one of ${FAILABLE_CAUSES.join(', ')}) at column 6: "fail FOO"`],
    ['fail -', 6, 'expected a cause after "fail", found "-" at column 6: "fail -"'],
    ['busy, ring 1s', 7, 'nothing may follow "busy" (it ends the call) at column 7: "busy, ring 1s"'],
    ['no-answer, answer', 12, 'nothing may follow "no-answer" (it ends the call) at column 12: "no-answer, answer"'],
    ['ring 1s, fail, timeout', 16, 'nothing may follow "fail" (it ends the call) at column 16: "ring 1s, fail, timeout"'],
    ['answer, answer', 9, '"answer" may appear only once in a branch at column 9: "answer, answer"'],
    ['hangup after 2s', 1, '"hangup after" must come after "answer" at column 1: "hangup after 2s"'],
    ['ring, digits 1 after 1s', 7, '"digits" must come after "answer" at column 7: "ring, digits 1 after 1s"'],
    ['answer, ring 1s', 9, '"ring" cannot come after "answer" at column 9: "answer, ring 1s"'],
    ['answer, busy', 9, '"busy" cannot come after "answer" at column 9: "answer, busy"'],
    ['answer, hangup after 1s, hangup after 2s', 26, '"hangup after" may appear only once in a branch at column 26: "answer, hangup after 1s, hangup after 2s"'],
    ['70 busy', 4, 'expected "%" after the weight "70" at column 4: "70 busy"'],
    ['150% busy', 1, 'the weight 150% is more than 100% at column 1: "150% busy"'],
    ['70% busy | 40% reject', 12, 'the weights add up to 110%, more than 100% at column 12: "70% busy | 40% reject"'],
    ['60% busy | 40% reject | fail', 25, 'this branch has no weight and the others already take 100% at column 25: "60% busy | 40% reject | fail"'],
    ['0% busy | 0% reject', 1, 'the weights add up to 0% at column 1: "0% busy | 0% reject"'],
    ['ring 1s', 1, '"ring" is not allowed in a caller script (expected "hangup after", "digits", "talk", "silence" or "on") at column 1: "ring 1s"', 'caller'],
    ['ring 1s, on 1 hangup', 10, '"on" must come after "answer" at column 10: "ring 1s, on 1 hangup"'],
    ['answer, on hangup', 12, 'invalid DTMF key "h" (expected 0-9, *, #, A-D) at column 12: "answer, on hangup"'],
    ['answer, on 1w2 hangup', 13, 'invalid DTMF key "w" (expected 0-9, *, #, A-D) at column 13: "answer, on 1w2 hangup"'],
    ['answer, on 12 busy', 15, 'expected "hangup" or "digits" after "on 12" at column 15: "answer, on 12 busy"'],
    ['answer, on 1 digits', 20, 'expected DTMF digits after "digits" at column 20: "answer, on 1 digits"'],
    ['hangup after 1s, hangup after 2s', 18, '"hangup after" may appear only once in a branch at column 18: "hangup after 1s, hangup after 2s"', 'caller'],
  ];
  for (const [text, column, message, kind] of cases) {
    it(`${JSON.stringify(text)}${kind ? ` (${kind})` : ''}`, () => {
      assert.throws(
        () => parseScript(text, kind),
        (e: unknown) => {
          assert.ok(e instanceof ScriptError);
          assert.equal(e.name, 'ScriptError');
          assert.equal(e.code, 'invalid_script');
          assert.equal(e.message, message);
          assert.equal(e.column, column);
          assert.equal(e.position, column - 1);
          assert.equal(e.line, 1);
          assert.equal(message.startsWith(`${e.reason} at column ${column}: `), true);
          return true;
        },
      );
    });
  }

  it('calls an empty script empty', () => {
    for (const text of ['', '  \n ']) {
      assert.throws(() => parseScript(text), { name: 'ScriptError', message: 'the script is empty', position: 0, column: 1 });
    }
  });

  it('counts lines and columns in a multi-line script', () => {
    assert.throws(() => parseScript('ring 1s,\n  answer,\n  bogus'), {
      message: `unknown step "bogus" (expected ${STEPS}) at line 3, column 3: "ring 1s,   answer,   bogus"`,
      position: 21,
      line: 3,
      column: 3,
    });
  });

  it('shows only the part of a long script around the error', () => {
    const text = 'ring 1s, answer, hangup after 30s | 50% ring 1s, answer, hangup after 30s | busy, ring 2s, early';
    assert.throws(() => parseScript(text), {
      message: 'nothing may follow "busy" (it ends the call) at column 83: "...wer, hangup after 30s | busy, ring 2s, early"',
      column: 83,
    });
  });

  it('refuses a value that is not text', () => {
    assert.throws(() => parseScript(42 as unknown as string), { name: 'ScriptError', message: 'the script must be text' });
  });
});

describe('formatScript: the normal form', () => {
  const cases: Array<[string, string]> = [
    ['RING 2S ,ANSWER,hangup   after 30000ms', 'ring 2s, answer, hangup after 30s'],
    ['70%ring 2-5s,answer|30 % busy', '70% ring 2-5s, answer | 30% busy'],
    ['ring 1500ms, answer, hangup after 90s', 'ring 1500ms, answer, hangup after 90s'],
    ['ring 2m, answer, hangup after 1.5m', 'ring 2m, answer, hangup after 90s'],
    ['ring 0.5-1s, answer, digits 1w*W# after 0s', 'ring 500-1000ms, answer, digits 1w*W# after 0s'],
    ['ring 60-120s | early 0ms', 'ring 1-2m | early 0s'],
    ['answer,ON 5#  HANGUP, on 1 Digits 9', 'answer, on 5# hangup, on 1 digits 9'],
    ['ring 1s, ANSWER  Machine, hangup after 20s | answer human', 'ring 1s, answer machine, hangup after 20s | answer human'],
    ['fail | fail user_busy | no-answer | timeout | reject | ring | early', 'fail NORMAL_TEMPORARY_FAILURE | fail USER_BUSY | no-answer | timeout | reject | ring | early'],
  ];
  for (const [text, normal] of cases) {
    it(`${JSON.stringify(text)} -> ${JSON.stringify(normal)}`, () => {
      const script = parseScript(text);
      assert.equal(formatScript(script), normal);
      assert.deepEqual(parseScript(normal), script);
    });
  }
});
