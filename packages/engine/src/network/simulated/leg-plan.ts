/**
 * Turns a script into a timeline for one leg: which events happen, and when. Pure: all randomness
 * (the branch, every range) is drawn here, once, when the leg is created, so a leg's behaviour
 * depends only on the seed and the order in which legs were created, never on timer interleaving.
 */
import type { LegEvent, SpeechChange } from '../network.ts';
import { networkReasonForCause } from '../../domain/causes.ts';
import type { Branch, Duration, Reaction, Script } from './script.ts';
import { PAUSE_MS } from './script.ts';
import { branchShares } from './script-rules.ts';
import type { Random } from './prng.ts';

export interface PlannedEvent {
  /** Milliseconds from the start of the timeline it belongs to. */
  readonly at: number;
  readonly event: LegEvent;
}

export interface LegPlan {
  /** Index of the branch that was drawn. */
  readonly branch: number;
  /** Events from the leg's creation: alerting, then `answered` or the outcome (outbound only). */
  readonly beforeAnswer: readonly PlannedEvent[];
  /** When the far end answers, from the leg's creation; undefined if it never does. */
  readonly answerAt: number | undefined;
  /** Events measured from the answer: `hangup after` and `digits` (engine.md §4). */
  readonly afterAnswer: readonly PlannedEvent[];
  /** `on KEYS ...` steps: what the party does when the engine sends it those keys. */
  readonly reactions: readonly PlannedReaction[];
  /** `talk` / `silence` steps one after another from the answer, then silence; undefined without them (talking throughout). */
  readonly speech?: readonly SpeechChange[];
}

export interface PlannedReaction {
  readonly keys: string;
  readonly then: Reaction;
}

/** Draws a branch by its share (script-rules.ts); one draw only when there is a choice. */
export function pickBranch(script: Script, random: Random): number {
  const shares = branchShares(script.branches);
  if (shares.length <= 1) return 0;
  const roll = random.next() * 100;
  let cumulative = 0;
  let last = 0;
  for (const [i, share] of shares.entries()) {
    if (share <= 0) continue;
    cumulative += share;
    last = i;
    if (roll < cumulative) return i;
  }
  return last; // rounding left the roll just above the sum
}

/** A fixed duration costs no draw, so adding one to a script does not shift the others' draws. */
export function drawDuration(d: Duration, random: Random): number {
  return d.minMs === d.maxMs ? d.minMs : random.int(d.minMs, d.maxMs);
}

/**
 * Plans one leg. `networkTimeoutMs` is how long `timeout` stays silent before the leg ends with
 * RECOVERY_ON_TIMER_EXPIRE (engine.md §2: Timer B).
 */
export function planLeg(script: Script, random: Random, networkTimeoutMs: number): LegPlan {
  const branch = pickBranch(script, random);
  const chosen = script.branches[branch] as Branch;
  const before: PlannedEvent[] = [];
  const after: Array<PlannedEvent & { order: number }> = [];
  const reactions: PlannedReaction[] = [];
  let t = 0;
  let alerting: 'ringing' | 'early' | undefined;
  let answerAt: number | undefined;
  let speech: SpeechChange[] | undefined;
  let voiceAt = 0;
  const end = (reason: Extract<LegEvent, { type: 'ended' }>['reason'], at = t) => {
    before.push({ at, event: { type: 'ended', reason } });
  };

  for (const step of chosen.steps) {
    switch (step.kind) {
      case 'ring':
      case 'early': {
        const state = step.kind === 'ring' ? 'ringing' : 'early';
        // A step that would not change what the caller hears sends nothing new.
        if (alerting !== state) before.push({ at: t, event: { type: step.kind === 'ring' ? 'ringing' : 'early-media' } });
        alerting = state;
        t += step.dur ? drawDuration(step.dur, random) : 0;
        break;
      }
      case 'answer':
        before.push({ at: t, event: step.by ? { type: 'answered', answeredBy: step.by } : { type: 'answered' } });
        answerAt = t;
        break;
      case 'hangupAfter':
        after.push({ at: drawDuration(step.dur, random), order: after.length, event: { type: 'ended', reason: 'normal' } });
        break;
      case 'digits': {
        let at = drawDuration(step.after, random);
        for (const run of keyRuns(step.digits)) {
          at += run.pauseMs;
          after.push({ at, order: after.length, event: { type: 'digits', digits: run.keys } });
        }
        break;
      }
      case 'busy':
        end('busy');
        break;
      case 'reject':
        end('rejected');
        break;
      case 'fail':
        end(networkReasonForCause(step.cause) ?? 'network-failure');
        break;
      case 'timeout':
        end('timeout', t + networkTimeoutMs);
        break;
      case 'noAnswer':
        if (alerting === undefined) before.push({ at: t, event: { type: 'ringing' } });
        alerting = 'ringing';
        break;
      case 'on':
        reactions.push({ keys: step.keys, then: step.then });
        break;
      case 'talk':
      case 'silence':
        (speech ??= []).push({ at: voiceAt, talking: step.kind === 'talk' });
        voiceAt += drawDuration(step.dur, random);
        break;
    }
  }
  // A number branch that runs out of steps before answering (`ring 2s`) has already rung or sent
  // early media, so it simply stays that way, like `no-answer`: nothing more to plan.

  after.sort((a, b) => a.at - b.at || a.order - b.order);
  const endIndex = after.findIndex((p) => p.event.type === 'ended');
  const afterAnswer = (endIndex < 0 ? after : after.slice(0, endIndex + 1)).map(({ at, event }) => ({ at, event }));
  if (speech) speech.push({ at: voiceAt, talking: false });
  return { branch, beforeAnswer: before, answerAt, afterAnswer, reactions, ...(speech ? { speech } : {}) };
}

/** Splits `12w3W4` into key runs with the pause before each: [12 +0], [3 +500], [4 +1000]. */
export function keyRuns(digits: string): Array<{ keys: string; pauseMs: number }> {
  const runs: Array<{ keys: string; pauseMs: number }> = [];
  let pause = 0;
  let keys = '';
  for (const c of digits) {
    if (c === 'w' || c === 'W') {
      if (keys) {
        runs.push({ keys, pauseMs: pause });
        pause = 0;
        keys = '';
      }
      pause += PAUSE_MS[c];
    } else {
      keys += c;
    }
  }
  if (keys) runs.push({ keys, pauseMs: pause });
  return runs;
}
