/**
 * Prints a script in its normal form: lower-case keywords, `, ` between steps, ` | ` between
 * branches, weights as written, durations in the largest unit that keeps them whole, and the cause
 * of every `fail` spelled out. `parseScript(formatScript(s))` gives `s` back.
 */
import type { Duration, Script, Step } from './script.ts';

export function formatScript(script: Script): string {
  return script.branches
    .map((b) => {
      const steps = b.steps.map(formatStep).join(', ');
      return b.weight === undefined ? steps : `${b.weight}% ${steps}`;
    })
    .join(' | ');
}

export function formatStep(step: Step): string {
  switch (step.kind) {
    case 'ring':
    case 'early':
      return step.dur ? `${step.kind} ${formatDuration(step.dur)}` : step.kind;
    case 'answer':
      return step.by ? `answer ${step.by}` : 'answer';
    case 'busy':
    case 'reject':
    case 'timeout':
      return step.kind;
    case 'noAnswer':
      return 'no-answer';
    case 'hangupAfter':
      return `hangup after ${formatDuration(step.dur)}`;
    case 'talk':
    case 'silence':
      return `${step.kind} ${formatDuration(step.dur)}`;
    case 'digits':
      return `digits ${step.digits} after ${formatDuration(step.after)}`;
    case 'fail':
      return `fail ${step.cause}`;
    case 'on':
      return `on ${step.keys} ${step.then.kind === 'hangup' ? 'hangup' : `digits ${step.then.digits}`}`;
  }
}

export function formatDuration(d: Duration): string {
  const divides = (unit: number) => d.minMs % unit === 0 && d.maxMs % unit === 0;
  const [unit, name] = divides(60_000) && d.maxMs > 0 ? [60_000, 'm'] : divides(1000) ? [1000, 's'] : [1, 'ms'];
  const min = d.minMs / unit;
  const max = d.maxMs / unit;
  return min === max ? `${min}${name}` : `${min}-${max}${name}`;
}
