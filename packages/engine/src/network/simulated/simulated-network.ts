/**
 * The embedded phone network (engine.md §4): every number behaves as its script says, on the
 * engine's clock, with seeded randomness so a run replays identically. The engine cannot tell it
 * from a real network: it sees only the Network interface.
 */
import type { Clock } from '../../clock.ts';
import { newId } from '../../util/ids.ts';
import { normalizeNumber } from '../../util/phone.ts';
import type { InboundHandler, Network, OriginateRequest } from '../network.ts';
import { planLeg } from './leg-plan.ts';
import type { PlannedEvent } from './leg-plan.ts';
import type { Random } from './prng.ts';
import { seededRandom } from './prng.ts';
import type { Script, ScriptKind } from './script.ts';
import { ScriptError } from './script-error.ts';
import { parseScript } from './script-parser.ts';
import { SimulatedLeg } from './simulated-leg.ts';

export interface SimulatedNetworkOptions {
  readonly clock: Clock;
  /** Seeds every random choice: branches and ranges. */
  readonly seed: number;
  /** The script of a number that has none, e.g. `ring 1s, answer, hangup after 30s`. */
  readonly defaultScript: string;
  /** How long `timeout` stays silent before the leg ends RECOVERY_ON_TIMER_EXPIRE (32000 as Timer B). */
  readonly networkTimeoutMs: number;
  /** The configured script of a destination in normal form (digits without `+`, or a sip: URI). */
  readonly scriptFor: (number: string) => string | undefined;
  /** Called when a configured script turns out unreadable at call time; the leg fails meanwhile. */
  readonly onScriptError?: (error: ScriptError, number: string) => void;
  /** Where exceptions thrown by leg listeners go; by default they are rethrown in a microtask. */
  readonly onListenerError?: (error: unknown, leg: SimulatedLeg) => void;
}

export interface PlaceInboundOptions {
  readonly from: string;
  readonly to: string;
  /** The caller's behaviour after the engine answers, e.g. `hangup after 20s`; without one the caller stays. */
  readonly script?: string;
  readonly callerName?: string;
  readonly headers?: Record<string, string>;
}

/** Checks a script for the API or the config; throws ScriptError. `caller` is an inbound caller's script. */
export function validateScript(text: string, kind: ScriptKind): Script {
  return parseScript(text, kind);
}

/** Parsed scripts by text; scripts are few and reused for every call to their number. */
const CACHE_LIMIT = 1000;

export class SimulatedNetwork implements Network {
  private readonly clock: Clock;
  private readonly random: Random;
  private readonly defaultScript: Script;
  private readonly live = new Map<string, SimulatedLeg>();
  private readonly parsed = new Map<string, Script>();
  private inboundHandler: InboundHandler | undefined;
  private closed = false;

  constructor(private readonly opts: SimulatedNetworkOptions) {
    if (!Number.isFinite(opts.networkTimeoutMs) || opts.networkTimeoutMs < 0) {
      throw new RangeError(`networkTimeoutMs must be a non-negative number of milliseconds, got ${opts.networkTimeoutMs}`);
    }
    this.clock = opts.clock;
    this.random = seededRandom(opts.seed);
    this.defaultScript = parseScript(opts.defaultScript, 'number');
  }

  /** Places a call to `req.to`; the leg plays that number's script (or the default one). */
  originate(req: OriginateRequest): SimulatedLeg {
    this.assertOpen();
    const number = normalizeNumber(req.to);
    const leg = this.newLeg({ ...req, direction: 'outbound', state: 'trying' });
    let script = this.defaultScript;
    const configured = this.opts.scriptFor(number);
    if (configured !== undefined) {
      try {
        script = this.parse(configured, 'number');
      } catch (error) {
        if (!(error instanceof ScriptError)) throw error;
        // A bad configured script must not take the engine down: the call fails like a broken route.
        leg.scriptError = error;
        this.opts.onScriptError?.(error, number);
        leg.play([{ at: 0, event: { type: 'ended', reason: 'network-failure' } }], this.clock.now());
        return leg;
      }
    }
    const plan = planLeg(script, this.random, this.opts.networkTimeoutMs);
    const answerAt = plan.answerAt;
    const timeline =
      answerAt === undefined
        ? plan.beforeAnswer
        : [...plan.beforeAnswer, ...plan.afterAnswer.map((p) => ({ at: answerAt + p.at, event: p.event }))];
    leg.react(plan.reactions);
    leg.speech = plan.speech;
    leg.play(timeline, this.clock.now());
    return leg;
  }

  /** Only one handler receives inbound legs; a later call replaces it. */
  onInbound(handler: InboundHandler): void {
    this.inboundHandler = handler;
  }

  /**
   * A caller dials `to`. The leg is handed to the inbound handler in a microtask; its script
   * starts counting when the engine answers. Throws ScriptError for a bad caller script.
   */
  placeInbound(opts: PlaceInboundOptions): SimulatedLeg {
    this.assertOpen();
    const handler = this.inboundHandler;
    if (!handler) throw new Error('no inbound handler: call onInbound() before placing inbound calls');
    // Validate before creating anything, so a bad script leaves no leg behind.
    const script = opts.script === undefined ? undefined : this.parse(opts.script, 'caller');
    const plan = script ? planLeg(script, this.random, this.opts.networkTimeoutMs) : undefined;
    const leg = this.newLeg({
      from: normalizeNumber(opts.from),
      to: normalizeNumber(opts.to),
      callerName: opts.callerName,
      headers: opts.headers,
      direction: 'inbound',
      // The call is offered to us: from the caller's side it is ringing until the engine answers.
      state: 'ringing',
      afterAnswer: plan?.afterAnswer ?? [],
    });
    if (plan) {
      leg.react(plan.reactions);
      leg.speech = plan.speech;
    }
    queueMicrotask(() => {
      if (leg.state !== 'ended') handler(leg);
    });
    return leg;
  }

  /** Legs not yet ended. */
  liveLegs(): number {
    return this.live.size;
  }

  /** A live leg by id. */
  getLeg(id: string): SimulatedLeg | undefined {
    return this.live.get(id);
  }

  /** Ends every leg without events and cancels their timers. */
  async close(): Promise<void> {
    this.closed = true;
    for (const leg of [...this.live.values()]) leg.silence();
    this.live.clear();
  }

  private newLeg(init: {
    from: string;
    to: string;
    callerName?: string | undefined;
    headers?: Readonly<Record<string, string>> | undefined;
    direction: 'inbound' | 'outbound';
    state: 'trying' | 'ringing';
    afterAnswer?: readonly PlannedEvent[];
  }): SimulatedLeg {
    const leg = new SimulatedLeg(this.clock, {
      id: newId(),
      direction: init.direction,
      from: init.from,
      to: init.to,
      ...(init.callerName !== undefined ? { callerName: init.callerName } : {}),
      headers: init.headers ?? {},
      state: init.state,
      afterAnswer: init.afterAnswer ?? [],
      onEnd: (ended) => this.live.delete(ended.id),
      ...(this.opts.onListenerError ? { onListenerError: this.opts.onListenerError } : {}),
    });
    this.live.set(leg.id, leg);
    return leg;
  }

  private parse(text: string, kind: ScriptKind): Script {
    const key = `${kind}\n${text}`;
    const cached = this.parsed.get(key);
    if (cached) return cached;
    const script = parseScript(text, kind);
    if (this.parsed.size >= CACHE_LIMIT) this.parsed.clear();
    this.parsed.set(key, script);
    return script;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('the simulated network is closed');
  }
}
