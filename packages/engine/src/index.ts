/**
 * `@switchboard/engine` as a library: what `@switchboard/testkit` (and anyone embedding the engine
 * in a process of their own) builds on. The `switchboard` command is the package's bin.
 *
 * @example
 * ```ts
 * import { Engine, VirtualClock, loadConfig } from '@switchboard/engine';
 * const engine = new Engine({ config: loadConfig({ db: ':memory:' }, {}), clock: new VirtualClock() });
 * ```
 * @module
 */
export { Engine, VERSION, type EngineOptions } from './engine.ts';
export { RealClock, VirtualClock, type Clock, type Timer } from './clock.ts';
export { loadConfig, ConfigError, type Config, type FlagValues } from './config/config.ts';
export { CaptureServer, EMPTY_RESPONSE_XML, type CapturedRequest, type CaptureOptions, type Reply, type RouteHandler } from './webhooks/capture.ts';
