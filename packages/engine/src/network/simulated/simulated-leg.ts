/**
 * One leg on the simulated network. It plays a planned timeline on the injected clock and hands
 * each event to its listeners in a microtask: never inside a method call, always before the event
 * loop turns, so the virtual clock (which only moves when the engine is idle) keeps exact times.
 */
import type { Clock, Timer } from '../../clock.ts';
import type { LegEvent, LegListener, LocalEnd, NetworkLeg, SpeechChange } from '../network.ts';
import type { PlannedEvent, PlannedReaction } from './leg-plan.ts';
import type { ScriptError } from './script-error.ts';

export type SimulatedLegState = 'trying' | 'ringing' | 'early' | 'answered' | 'ended';

export interface SimulatedLegInit {
  readonly id: string;
  readonly direction: 'inbound' | 'outbound';
  readonly from: string;
  readonly to: string;
  readonly callerName?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly state: SimulatedLegState;
  /** Timeline measured from the engine's `answer()` (inbound legs only). */
  readonly afterAnswer?: readonly PlannedEvent[];
  /** Called once when the leg ends, whoever ended it. */
  readonly onEnd: (leg: SimulatedLeg) => void;
  /** Where listener exceptions go; by default they are rethrown outside the network's code. */
  readonly onListenerError?: (error: unknown, leg: SimulatedLeg) => void;
}

export class SimulatedLeg implements NetworkLeg {
  readonly id: string;
  readonly direction: 'inbound' | 'outbound';
  readonly from: string;
  readonly to: string;
  readonly callerName?: string;
  readonly headers: Readonly<Record<string, string>>;
  /** What the engine has sent to this leg's party, one entry per `sendDigits` call. */
  readonly sentDigits: string[] = [];
  /** When the party talks (the script's `talk` / `silence` steps); undefined: talking throughout. */
  speech: readonly SpeechChange[] | undefined;
  /** Id of the leg this one was bridged to, if any. */
  bridgedTo: string | undefined;
  /** How the engine ended the leg (`hangup` or `reject`); undefined if the far end ended it. */
  localEnd: (LocalEnd & { readonly via: 'hangup' | 'reject' }) | undefined;
  /** Set when the script could not be read; the leg then fails with `network-failure`. */
  scriptError: ScriptError | undefined;

  private current: SimulatedLegState;
  private readonly listeners: LegListener[] = [];
  /** Set once the engine ended the leg or the network closed: nothing more is delivered. */
  private silenced = false;
  private answerRequested = false;
  private finished = false;
  private timer: Timer | undefined;
  private timeline: readonly PlannedEvent[] = [];
  private cursor = 0;
  private base = 0;
  private reactions: readonly PlannedReaction[] = [];
  /** Keys heard since the last reaction, pauses left out: what `on KEYS` steps match the end of. */
  private heard = '';

  constructor(
    private readonly clock: Clock,
    private readonly init: SimulatedLegInit,
  ) {
    this.id = init.id;
    this.direction = init.direction;
    this.from = init.from;
    this.to = init.to;
    if (init.callerName !== undefined) this.callerName = init.callerName;
    this.headers = Object.freeze({ ...(init.headers ?? {}) });
    this.current = init.state;
  }

  /** Where the leg stands, as its listeners have seen it. */
  get state(): SimulatedLegState {
    return this.current;
  }

  onEvent(listener: LegListener): void {
    this.listeners.push(listener);
  }

  /** Inbound only: the engine answers; the caller's script starts counting now. */
  answer(_sdp?: string): void {
    if (this.direction !== 'inbound' || this.silenced || this.current === 'ended' || this.answerRequested) return;
    this.answerRequested = true;
    this.emit({ type: 'answered' });
    this.play(this.init.afterAnswer ?? [], this.clock.now());
  }

  reject(cause: string): void {
    this.endLocally(cause, 'reject');
  }

  hangup(cause: string): void {
    this.endLocally(cause, 'hangup');
  }

  bridge(other: NetworkLeg): void {
    if (this.current === 'ended' || this.silenced) return;
    this.bridgedTo = other.id;
  }

  /**
   * Recorded, never echoed back as a `digits` event. Once answered, the party reacts to the keys
   * its script waits for (`on KEYS hangup`, `on KEYS digits REPLY`): the first reaction whose keys
   * end what it has heard so far, after which it starts listening afresh.
   */
  sendDigits(digits: string): void {
    if (this.current === 'ended' || this.silenced) return;
    this.sentDigits.push(digits);
    if (this.reactions.length === 0 || this.current !== 'answered') return;
    this.heard = (this.heard + digits.replace(/[wW]/g, '')).slice(-64);
    const hit = this.reactions.find((r) => this.heard.endsWith(r.keys));
    if (!hit) return;
    this.heard = '';
    this.emit(hit.then.kind === 'hangup' ? { type: 'ended', reason: 'normal' } : { type: 'digits', digits: hit.then.digits.replace(/[wW]/g, '') });
  }

  /** Network side (@internal): the script's `on` steps. */
  react(reactions: readonly PlannedReaction[]): void {
    this.reactions = reactions;
  }

  /**
   * Network side (@internal): starts playing events at `base + at` on the clock. Events already due go out in a microtask;
   * the rest wait on one timer at a time, so same-time events keep their planned order.
   */
  play(timeline: readonly PlannedEvent[], base: number): void {
    this.timeline = timeline;
    this.cursor = 0;
    this.base = base;
    this.advance();
  }

  /** Network side (@internal): ends the leg without a word (network shutdown). */
  silence(): void {
    if (this.silenced) return;
    this.silenced = true;
    this.finish();
  }

  private advance(): void {
    this.timer = undefined;
    while (!this.silenced && this.cursor < this.timeline.length) {
      const next = this.timeline[this.cursor] as PlannedEvent;
      const delay = this.base + next.at - this.clock.now();
      if (delay > 0) {
        this.timer = this.clock.setTimer(delay, () => this.advance());
        return;
      }
      this.cursor++;
      this.emit(next.event);
    }
  }

  private emit(event: LegEvent): void {
    queueMicrotask(() => this.deliver(event));
  }

  private deliver(event: LegEvent): void {
    if (this.silenced || this.current === 'ended') return;
    this.current = stateAfter(event, this.current);
    if (event.type === 'ended') this.finish();
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (error) {
        this.reportListenerError(error);
      }
    }
  }

  private endLocally(cause: string, via: 'hangup' | 'reject'): void {
    if (this.silenced || this.current === 'ended') return;
    this.silenced = true;
    this.localEnd = { cause, via };
    this.finish();
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.current = 'ended';
    this.timer?.cancel();
    this.timer = undefined;
    this.cursor = this.timeline.length;
    this.init.onEnd(this);
  }

  private reportListenerError(error: unknown): void {
    if (this.init.onListenerError) {
      this.init.onListenerError(error, this);
      return;
    }
    // A throwing listener is a bug in the engine: surface it, but let the other listeners run.
    queueMicrotask(() => {
      throw error;
    });
  }
}

function stateAfter(event: LegEvent, state: SimulatedLegState): SimulatedLegState {
  switch (event.type) {
    case 'ringing':
      return 'ringing';
    case 'early-media':
      return 'early';
    case 'answered':
      return 'answered';
    case 'ended':
      return 'ended';
    case 'digits':
      return state;
  }
}
