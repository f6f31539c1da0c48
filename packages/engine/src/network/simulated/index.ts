/** The simulated network's public surface (engine.md §4; docs/simulated-network.md). */
export { SimulatedNetwork, validateScript } from './simulated-network.ts';
export type { SimulatedNetworkOptions, PlaceInboundOptions } from './simulated-network.ts';
export { SimulatedLeg } from './simulated-leg.ts';
export type { SimulatedLegState } from './simulated-leg.ts';
export { parseScript } from './script-parser.ts';
export { formatScript, formatDuration } from './script-format.ts';
export { ScriptError } from './script-error.ts';
export { branchShares } from './script-rules.ts';
export { seededRandom } from './prng.ts';
export type { Random } from './prng.ts';
export { planLeg } from './leg-plan.ts';
export type { LegPlan, PlannedEvent } from './leg-plan.ts';
export type { Branch, Duration, Script, ScriptKind, Step, StepKind } from './script.ts';
