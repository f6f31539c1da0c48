/**
 * Helpers for the simulated-network tests: leg events arrive in microtasks, so after moving the
 * virtual clock a test lets one event-loop turn pass before it looks.
 */
import type { VirtualClock } from '../src/clock.ts';
import type { LegEvent, NetworkLeg } from '../src/network/network.ts';
import { SimulatedNetwork } from '../src/network/simulated/index.ts';
import type { SimulatedNetworkOptions } from '../src/network/simulated/index.ts';

/** One turn of the event loop: every queued microtask has run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export interface Seen {
  /** Virtual milliseconds since the recorder started. */
  readonly t: number;
  readonly event: LegEvent;
}

/** Records every event of a leg with the virtual time it arrived at. */
export function record(leg: NetworkLeg, clock: VirtualClock, start = clock.now()): Seen[] {
  const seen: Seen[] = [];
  leg.onEvent((event) => seen.push({ t: clock.now() - start, event }));
  return seen;
}

/** Fires timers one time-step at a time, letting events arrive in between, up to `ms` ahead. */
export async function advanceBy(clock: VirtualClock, ms: number): Promise<void> {
  const target = clock.now() + ms;
  await settle();
  for (;;) {
    const at = clock.nextAt();
    if (at === undefined || at > target) break;
    clock.runNext();
    await settle();
  }
  clock.advance(target - clock.now());
  await settle();
}

/** Runs every pending timer (and what they schedule) until none is left. */
export async function runAll(clock: VirtualClock): Promise<void> {
  await settle();
  while (clock.runNext()) await settle();
}

/** A network on `clock` with the engine's defaults and a fixed table of number scripts. */
export function makeNetwork(
  clock: VirtualClock,
  scripts: Record<string, string> = {},
  overrides: Partial<SimulatedNetworkOptions> = {},
): SimulatedNetwork {
  return new SimulatedNetwork({
    clock,
    seed: 1,
    defaultScript: 'ring 1s, answer, hangup after 30s',
    networkTimeoutMs: 32_000,
    scriptFor: (number) => scripts[number],
    ...overrides,
  });
}

/** Events without times, for order-only assertions. */
export function types(seen: readonly Seen[]): string[] {
  return seen.map((s) =>
    s.event.type === 'ended' ? `ended:${s.event.reason}` : s.event.type === 'digits' ? `digits:${s.event.digits}` : s.event.type,
  );
}
