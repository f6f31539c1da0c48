/**
 * What makes a script make sense beyond its grammar (engine.md §4): the order of steps in a branch,
 * what a caller script may say, and how branch weights add up. The parser calls these as it reads,
 * so each error points at the step or weight that breaks the rule.
 */
import type { Branch, ScriptKind, Step, StepKind } from './script.ts';
import { STEP_WORDS, TERMINAL_STEPS } from './script.ts';

/** A broken rule; the parser adds the position. */
export class RuleViolation {
  constructor(readonly reason: string) {}
}

const CALLER_STEPS: ReadonlySet<StepKind> = new Set(['hangupAfter', 'digits', 'on', 'talk', 'silence']);

/** Follows one branch step by step; `accept` returns the rule a step breaks, if any. */
export class BranchRules {
  private answered = false;
  private hungUp = false;
  private terminal: StepKind | undefined;

  constructor(private readonly kind: ScriptKind) {}

  accept(step: Step): RuleViolation | undefined {
    const word = STEP_WORDS[step.kind];
    if (this.terminal) return new RuleViolation(`nothing may follow "${STEP_WORDS[this.terminal]}" (it ends the call)`);
    if (this.kind === 'caller' && !CALLER_STEPS.has(step.kind)) {
      return new RuleViolation(`"${word}" is not allowed in a caller script (expected "hangup after", "digits", "talk", "silence" or "on")`);
    }
    if (step.kind === 'hangupAfter') {
      if (this.hungUp) return new RuleViolation(`"hangup after" may appear only once in a branch`);
      this.hungUp = true;
    }
    // A caller script starts at the engine's answer, so it needs no `answer` of its own.
    if (this.kind === 'caller') return undefined;
    if (step.kind === 'answer') {
      if (this.answered) return new RuleViolation(`"answer" may appear only once in a branch`);
      this.answered = true;
      return undefined;
    }
    if (step.kind === 'hangupAfter' || step.kind === 'digits' || step.kind === 'on' || step.kind === 'talk' || step.kind === 'silence') {
      return this.answered ? undefined : new RuleViolation(`"${word}" must come after "answer"`);
    }
    // ring, early and the terminal outcomes all happen before an answer.
    if (this.answered) return new RuleViolation(`"${word}" cannot come after "answer"`);
    if (TERMINAL_STEPS.has(step.kind)) this.terminal = step.kind;
    return undefined;
  }
}

/** Floating-point slack when weights such as 33.3 + 33.3 + 33.4 are added up. */
const EPSILON = 1e-9;

/**
 * Each branch's share in percent, summing to 100 (engine.md §4): without any weight all branches
 * share equally; unweighted branches share what the weighted ones leave; weights that add up to
 * less than 100 are scaled up. Assumes the script passed `checkWeights`.
 */
export function branchShares(branches: readonly Branch[]): number[] {
  const given = branches.reduce((sum, b) => sum + (b.weight ?? 0), 0);
  const unweighted = branches.filter((b) => b.weight === undefined).length;
  const rest = unweighted > 0 ? Math.max(0, 100 - given) / unweighted : 0;
  const raw = branches.map((b) => b.weight ?? rest);
  const total = raw.reduce((sum, w) => sum + w, 0);
  return raw.map((w) => (total > 0 ? (w * 100) / total : 0));
}

/**
 * The weight rules: the total must not exceed 100, something must be left for unweighted branches,
 * and all-weighted scripts must not add up to 0. Returns the index of the offending branch.
 */
export function checkWeights(branches: readonly Branch[]): { index: number; violation: RuleViolation } | undefined {
  let sum = 0;
  for (const [index, b] of branches.entries()) {
    if (b.weight === undefined) continue;
    sum += b.weight;
    if (sum > 100 + EPSILON) {
      return { index, violation: new RuleViolation(`the weights add up to ${round(sum)}%, more than 100%`) };
    }
  }
  const firstUnweighted = branches.findIndex((b) => b.weight === undefined);
  const anyWeighted = branches.some((b) => b.weight !== undefined);
  if (anyWeighted && firstUnweighted >= 0 && sum >= 100 - EPSILON) {
    return {
      index: firstUnweighted,
      violation: new RuleViolation('this branch has no weight and the others already take 100%'),
    };
  }
  if (firstUnweighted < 0 && sum <= EPSILON) {
    return { index: 0, violation: new RuleViolation('the weights add up to 0%') };
  }
  return undefined;
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
