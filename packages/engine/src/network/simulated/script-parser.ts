/**
 * Reads a simulator script (engine.md §4) into the typed tree of `script.ts`, checking the rules of
 * `script-rules.ts` as it goes. Keywords and units are case-insensitive, whitespace is free; DTMF
 * keys keep their case because `w` and `W` differ. Every failure is a ScriptError with its position.
 */
import { FAILABLE_CAUSES } from '../../domain/causes.ts';
import type { Branch, Duration, Script, ScriptKind, Step } from './script.ts';
import { DEFAULT_FAIL_CAUSE, MAX_DURATION_MS } from './script.ts';
import { ScriptError } from './script-error.ts';
import { BranchRules, checkWeights } from './script-rules.ts';

export { ScriptError } from './script-error.ts';
export { formatScript } from './script-format.ts';
export type { Branch, Duration, Script, ScriptKind, Step } from './script.ts';

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000 };
const STEP_LIST = 'ring, early, answer, hangup after, digits, talk, silence, on, busy, reject, no-answer, timeout or fail';
const DTMF_KEY = /^[0-9*#A-DwW]$/;

/**
 * Parses a script. `kind` is `'number'` for how a destination behaves (the default) or `'caller'`
 * for an inbound caller, whose script may only use `hangup after` and `digits`.
 *
 * @example parseScript('70% ring 2s, answer, hangup after 30s | 30% busy')
 */
export function parseScript(text: string, kind: ScriptKind = 'number'): Script {
  if (typeof text !== 'string') throw new ScriptError('the script must be text', '', 0);
  if (text.trim() === '') throw new ScriptError('the script is empty', text, 0);
  return new Parser(text, kind).script();
}

class Parser {
  private pos = 0;

  constructor(
    private readonly text: string,
    private readonly kind: ScriptKind,
  ) {}

  script(): Script {
    const branches: Branch[] = [];
    const starts: number[] = [];
    for (;;) {
      this.skipSpace();
      starts.push(this.pos);
      branches.push(this.branch(branches.length > 0 ? '|' : undefined));
      if (this.atEnd()) break;
      this.pos++; // the '|' that `branch` stopped at
    }
    const bad = checkWeights(branches);
    if (bad) this.fail(starts[bad.index] ?? 0, bad.violation.reason);
    return { branches };
  }

  private branch(separator: string | undefined): Branch {
    const weight = this.weight();
    const rules = new BranchRules(this.kind);
    const steps: Step[] = [];
    let previous = separator;
    for (;;) {
      this.skipSpace();
      const start = this.pos;
      const step = this.step(previous);
      const label = this.text.slice(start, this.pos);
      const violation = rules.accept(step);
      if (violation) this.fail(start, violation.reason);
      steps.push(step);
      this.skipSpace();
      const c = this.peek();
      if (c === undefined || c === '|') break;
      if (c !== ',') this.fail(this.pos, `expected "," or "|" after "${label}"`);
      this.pos++;
      previous = ',';
    }
    return weight === undefined ? { steps } : { weight, steps };
  }

  /** `70%` at the start of a branch; a branch cannot otherwise start with a digit. */
  private weight(): number | undefined {
    this.skipSpace();
    const start = this.pos;
    if (!isDigit(this.peek())) return undefined;
    const { value, raw } = this.number();
    this.skipSpace();
    if (this.peek() !== '%') this.fail(this.pos, `expected "%" after the weight "${raw}"`);
    this.pos++;
    if (value > 100) this.fail(start, `the weight ${raw}% is more than 100%`);
    return value;
  }

  private step(previous: string | undefined): Step {
    const start = this.pos;
    const c = this.peek();
    if (c === undefined || c === ',' || c === '|') {
      this.fail(start, previous ? `expected a step after "${previous}"` : 'expected a step');
    }
    const word = this.word(/[A-Za-z_-]/);
    if (word === '') this.fail(start, `expected a step, found "${c}" (steps: ${STEP_LIST})`);
    switch (word.toLowerCase()) {
      case 'ring':
        return this.withOptionalDuration('ring', word);
      case 'early':
        return this.withOptionalDuration('early', word);
      case 'answer':
        return this.answer();
      case 'hangup': {
        this.expectWord('after', `expected "after" after "${word}"`);
        return { kind: 'hangupAfter', dur: this.duration(`"hangup after"`) };
      }
      case 'digits': {
        const digits = this.dtmf();
        this.expectWord('after', `expected "after" after the digits "${digits}"`);
        return { kind: 'digits', digits, after: this.duration(`"after"`) };
      }
      case 'talk':
      case 'silence':
        return { kind: word.toLowerCase() as 'talk' | 'silence', dur: this.duration(`"${word.toLowerCase()}"`) };
      case 'busy':
        return { kind: 'busy' };
      case 'reject':
        return { kind: 'reject' };
      case 'no-answer':
        return { kind: 'noAnswer' };
      case 'timeout':
        return { kind: 'timeout' };
      case 'fail':
        return { kind: 'fail', cause: this.cause() };
      case 'on': {
        const keys = this.dtmf('"on"', false);
        this.skipSpace();
        const at = this.pos;
        const then = this.word(/[A-Za-z_-]/).toLowerCase();
        if (then === 'hangup') return { kind: 'on', keys, then: { kind: 'hangup' } };
        if (then === 'digits') return { kind: 'on', keys, then: { kind: 'digits', digits: this.dtmf('"digits"') } };
        return this.fail(at, `expected "hangup" or "digits" after "on ${keys}"`);
      }
      default:
        return this.fail(start, `unknown step "${word}" (expected ${STEP_LIST})`);
    }
  }

  /** `answer`, `answer human` or `answer machine`; another word is left for the caller to refuse. */
  private answer(): Step {
    const save = this.pos;
    this.skipSpace();
    const by = this.word(/[A-Za-z]/).toLowerCase();
    if (by === 'human' || by === 'machine') return { kind: 'answer', by };
    this.pos = save;
    return { kind: 'answer' };
  }

  private withOptionalDuration(kind: 'ring' | 'early', word: string): Step {
    this.skipSpace();
    const c = this.peek();
    if (c === undefined || c === ',' || c === '|') return { kind };
    return { kind, dur: this.duration(`"${word}"`) };
  }

  /** `fail` optionally names a cause; without one it is a plain network failure. */
  private cause(): string {
    this.skipSpace();
    const start = this.pos;
    const c = this.peek();
    if (c === undefined || c === ',' || c === '|') return DEFAULT_FAIL_CAUSE;
    const name = this.word(/[A-Za-z0-9_]/);
    if (name === '') this.fail(start, `expected a cause after "fail", found "${c}"`);
    const cause = name.toUpperCase();
    if (!FAILABLE_CAUSES.includes(cause)) {
      this.fail(start, `unknown cause "${name}" for "fail" (expected one of ${FAILABLE_CAUSES.join(', ')})`);
    }
    return cause;
  }

  /**
   * DTMF keys 0-9 * # A-D with `w`/`W` pauses (unless `pauses` is false: what an `on` step waits
   * for is keys only), up to the next space, `,` or `|`.
   */
  private dtmf(after = '"digits"', pauses = true): string {
    this.skipSpace();
    const start = this.pos;
    while (!this.atEnd() && !/[\s,|]/.test(this.peek()!)) this.pos++;
    const run = this.text.slice(start, this.pos);
    if (run === '' || run.toLowerCase() === 'after') this.fail(start, `expected DTMF digits after ${after}`);
    for (const [i, key] of [...run].entries()) {
      if (!DTMF_KEY.test(key) || (!pauses && (key === 'w' || key === 'W'))) {
        this.fail(start + i, `invalid DTMF key "${key}" (expected 0-9, *, #, A-D${pauses ? ', or the pauses w and W' : ''})`);
      }
    }
    if (!/[^wW]/.test(run)) this.fail(start, `expected at least one key in "${run}", not only pauses`);
    return run;
  }

  /** `number unit` or `number - number unit`; a range is drawn uniformly when played. */
  private duration(after: string): Duration {
    this.skipSpace();
    const start = this.pos;
    if (!isDigit(this.peek())) this.fail(start, `expected a duration after ${after}`);
    const low = this.number();
    let high = low;
    this.skipSpace();
    if (this.peek() === '-') {
      this.pos++;
      this.skipSpace();
      if (!isDigit(this.peek())) this.fail(this.pos, 'expected a number after "-" in a range');
      high = this.number();
      this.skipSpace();
    }
    const unitStart = this.pos;
    const unit = this.word(/[A-Za-z]/);
    if (unit === '') this.fail(unitStart, `expected a unit (ms, s or m) after "${high.raw}"`);
    const scale = UNIT_MS[unit.toLowerCase()];
    if (scale === undefined) this.fail(unitStart, `unknown unit "${unit}" (expected ms, s or m)`);
    const written = this.text.slice(start, this.pos);
    const minMs = Math.round(low.value * scale);
    const maxMs = Math.round(high.value * scale);
    if (minMs > maxMs) this.fail(start, `the range "${written}" runs backwards (put the smaller number first)`);
    if (maxMs > MAX_DURATION_MS) this.fail(start, `the duration "${written}" is longer than the maximum of 24 hours`);
    return { minMs, maxMs };
  }

  /** A decimal number: digits with an optional fraction. */
  private number(): { value: number; raw: string } {
    const start = this.pos;
    while (isDigit(this.peek())) this.pos++;
    if (this.peek() === '.' && isDigit(this.text[this.pos + 1])) {
      this.pos++;
      while (isDigit(this.peek())) this.pos++;
    }
    const raw = this.text.slice(start, this.pos);
    return { value: Number(raw), raw };
  }

  private expectWord(expected: string, message: string): void {
    this.skipSpace();
    const start = this.pos;
    if (this.word(/[A-Za-z]/).toLowerCase() !== expected) this.fail(start, message);
  }

  private word(chars: RegExp): string {
    const start = this.pos;
    while (!this.atEnd() && chars.test(this.peek()!)) this.pos++;
    return this.text.slice(start, this.pos);
  }

  private skipSpace(): void {
    while (!this.atEnd() && /\s/.test(this.peek()!)) this.pos++;
  }

  private peek(): string | undefined {
    return this.text[this.pos];
  }

  private atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  private fail(position: number, reason: string): never {
    throw new ScriptError(reason, this.text, position);
  }
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}
