/**
 * JSON shapes of the engine's API as the dashboard reads them: the engine's own, generated from its
 * OpenAPI document (`npm run openapi:types`, docs/api.md "OpenAPI") into the SDK's api-types.ts.
 * Type-only: nothing of the SDK is bundled.
 */
import type { components } from '../../../sdk/src/client/api-types.ts';

/** The generated shapes are readonly (the SDK's); the dashboard's components take plain arrays. */
type Mutable<T> = T extends readonly (infer U)[] ? Mutable<U>[] : T extends object ? { -readonly [K in keyof T]: Mutable<T[K]> } : T;
type Schemas = { [K in keyof components['schemas']]: Mutable<components['schemas'][K]> };

export type Meta = Schemas['Meta'];

/** One page of a Plivo-style list. */
export interface ListOf<T> {
  meta: Meta;
  objects: T[];
}

export type Cdr = Schemas['CallDetail'];
export type LiveCall = Schemas['LiveCall'];
export type Attempt = Schemas['Attempt'];
export type Delivery = Schemas['Delivery'];
export type TimelineEvent = Schemas['TimelineEvent'];
export type TimelineAttempt = Schemas['TimelineAttempt'];
export type TimelineEntry = TimelineEvent | TimelineAttempt;
export type Timeline = Schemas['Timeline'];
export type SimNumber = Schemas['SimulatorNumber'];
