import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { FAILABLE_CAUSES } from '../src/domain/causes.ts';
import { ScriptError, formatScript, parseScript } from '../src/network/simulated/index.ts';
import type { ScriptKind } from '../src/network/simulated/index.ts';

/** Only ScriptError may escape the parser, and it must point inside the text. */
function parsesOrExplains(text: string, kind: ScriptKind): void {
  try {
    parseScript(text, kind);
  } catch (error) {
    if (!(error instanceof ScriptError)) throw error;
    assert.ok(error.position >= 0 && error.position <= text.length, `position ${error.position} in ${JSON.stringify(text)}`);
    assert.ok(error.column >= 1);
  }
}

/** Pieces of the language, so random texts get deep into the parser instead of failing at once. */
const token = fc.constantFrom(
  'ring', 'early', 'answer', 'hangup', 'after', 'digits', 'busy', 'reject', 'no-answer', 'timeout', 'fail',
  'USER_BUSY', 'bogus', '1', '2.5', '0', '100', '150', '9999999999999999999999', 's', 'ms', 'm', 'h', '-', '%',
  ',', '|', ' ', '  ', '\n', '12w3', 'W#', '*A', 'x', '.', '', '1-2s', '5-2s',
);

const duration = fc.oneof(
  fc.integer({ min: 0, max: 600 }).map((n) => `${n}s`),
  fc.integer({ min: 0, max: 5000 }).map((n) => `${n}ms`),
  fc.tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 60 })).map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}s`),
  fc.integer({ min: 1, max: 60 }).map((n) => `${n}m`),
);
const keys = fc.stringMatching(/^[0-9*#A-D]([0-9*#A-DwW]{0,6}[0-9*#A-D])?$/);
const before = fc.oneof(
  duration.map((d) => `ring ${d}`),
  duration.map((d) => `early ${d}`),
  fc.constant('ring'),
);
const afterAnswer = fc.oneof(
  fc.tuple(keys, duration).map(([k, d]) => `digits ${k} after ${d}`),
);
const terminal = fc.oneof(
  fc.constantFrom('busy', 'reject', 'no-answer', 'timeout', 'fail'),
  fc.constantFrom(...FAILABLE_CAUSES).map((c) => `fail ${c}`),
);
/** A branch that obeys every rule: pre-answer steps, then an answer with its timers or an outcome. */
const branch = fc
  .tuple(
    fc.array(before, { maxLength: 3 }),
    fc.oneof(
      fc.tuple(fc.array(afterAnswer, { maxLength: 2 }), fc.option(duration)).map(([digits, hangup]) => [
        'answer',
        ...digits,
        ...(hangup === null ? [] : [`hangup after ${hangup}`]),
      ]),
      terminal.map((t) => [t]),
    ),
  )
  .map(([pre, rest]) => [...pre, ...rest].join(', '));
const validScript = fc
  .array(branch, { minLength: 1, maxLength: 4 })
  .chain((branches) =>
    fc.array(fc.option(fc.integer({ min: 1, max: Math.floor(100 / branches.length) })), {
      minLength: branches.length,
      maxLength: branches.length,
    }).map((weights) => branches.map((b, i) => (weights[i] == null ? b : `${weights[i]}% ${b}`)).join(' | ')),
  );

describe('script parser properties', () => {
  it('throws nothing but ScriptError for arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), fc.constantFrom<ScriptKind>('number', 'caller'), (text, kind) => {
        parsesOrExplains(text, kind);
      }),
      { numRuns: 3000 },
    );
  });

  it('throws nothing but ScriptError for texts made of the language\'s own tokens', () => {
    fc.assert(
      fc.property(fc.array(token, { maxLength: 14 }), fc.constantFrom<ScriptKind>('number', 'caller'), (parts, kind) => {
        parsesOrExplains(parts.join(' '), kind);
        parsesOrExplains(parts.join(''), kind);
      }),
      { numRuns: 5000 },
    );
  });

  it('parses every well-formed script, and its normal form parses back to the same tree', () => {
    fc.assert(
      fc.property(validScript, (text) => {
        const script = parseScript(text);
        const normal = formatScript(script);
        assert.deepEqual(parseScript(normal), script);
        assert.equal(formatScript(parseScript(normal)), normal);
      }),
      { numRuns: 2000 },
    );
  });
});
