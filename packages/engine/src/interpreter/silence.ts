/**
 * When a party's silence ends a recording (Record's `timeout`, docs/xml.md "Record"): the network
 * says when the party talks (`NetworkLeg.speech`: a simulated script's `talk` / `silence` steps,
 * from the answer); silence is counted from the recording's start.
 */
import type { SpeechChange } from '../network/network.ts';

/**
 * The first moment at or after `fromMs` by which the party has been silent for `timeoutMs` without
 * a break, or undefined when that never happens (no speech plan: the party talks throughout).
 * `answeredAt` and the result are clock times in ms.
 */
export function silenceEndsAt(speech: readonly SpeechChange[] | undefined, answeredAt: number, fromMs: number, timeoutMs: number): number | undefined {
  if (!speech || speech.length === 0) return undefined;
  const changes = speech.map((c) => ({ at: answeredAt + c.at, talking: c.talking }));
  // The state at fromMs is the last change at or before it (before the first: talking, the call was not yet in the plan).
  let talking = true;
  let i = 0;
  for (; i < changes.length && changes[i]!.at <= fromMs; i++) talking = changes[i]!.talking;
  let silentSince: number | undefined = talking ? undefined : fromMs;
  for (; i < changes.length; i++) {
    const c = changes[i]!;
    if (silentSince !== undefined && c.at - silentSince >= timeoutMs) return silentSince + timeoutMs;
    if (c.talking) silentSince = undefined;
    else silentSince ??= c.at;
  }
  return silentSince === undefined ? undefined : silentSince + timeoutMs;
}
