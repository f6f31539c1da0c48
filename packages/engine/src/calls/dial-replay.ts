/**
 * Replays a Dial from a call's stored events (issue 18 item 2): rebuilds the Dial machine's state by
 * applying the inputs the events show, and checks along the way that the machine records exactly the
 * events that were stored (same types, same data, same order). Pure: no store, no clock.
 *
 * Every event the Dial records is one of the machine's effects, so most stored events are explained
 * by an earlier input and only checked. The rest are inputs, read back as follows:
 *  - a B leg's `leg.originated`, `leg.ringing` (`early`), `leg.answered`: placement and network events;
 *  - an `xml.warning` "Dial: could not place a call to ...": a placement that failed;
 *  - a B leg's `leg.ended` {reason, source} that no earlier input explains: `originator-cancel` is the
 *    A leg ending the dial (with that source); `no-answer` from Plivo is the confirm timer of a leg
 *    waiting for confirmKey, else the ring timer; `time-limit` on the bridged leg is the Dial's time
 *    limit (else the A leg's); any other end of the bridged leg not from the callee is the A leg
 *    ending; a network reason with the network's source is the far end; anything else is an end asked
 *    for that leg (its own Hangup API);
 *  - the caller's `leg.digits` (A leg): the caller's keys;
 *  - `dial.answer` for a leg waiting for confirmKey: the callee pressed it (a B leg's keys are not
 *    events: only their consequences are); `dial.digits` by the BLeg: the callee pressed the match;
 *  - `dial.transferred`: the transfer API.
 * Timer expiries are not events either: each shows as the end it causes (the list above).
 * Events of other kinds (webhooks, the A leg's own CDR changes) are not the Dial's and are skipped.
 */
import { CAUSES, NETWORK_END_REASONS, type EndReason, type HangupSource, type NetworkEndReason } from '../domain/causes.ts';
import { initialDial, nextDial, PLACE_FAILED, type DialConfig, type DialEffect, type DialInput, type DialState } from './dial-machine.ts';

/** One stored event (store's EventRow with its data parsed), in the order it was recorded. */
export interface StoredEvent {
  readonly call_uuid: string;
  readonly type: string;
  readonly at: number;
  readonly data: unknown;
}

export class ReplayError extends Error {
  override readonly name = 'ReplayError';
}

/** Sorted keys, `undefined` and `null` data as `{}` (the store writes absent data as `{}`). */
export function canonical(value: unknown): string {
  const norm = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(norm);
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) if ((v as Record<string, unknown>)[k] !== undefined) out[k] = norm((v as Record<string, unknown>)[k]);
      return out;
    }
    return v;
  };
  return JSON.stringify(norm(value ?? {}));
}

const isNetworkReason = (r: string): r is NetworkEndReason => (NETWORK_END_REASONS as readonly string[]).includes(r);

/**
 * The Dial's state after replaying `events` (every event of the A leg `aUuid` and of the Dial's B legs,
 * merged in the order they were recorded). Throws a ReplayError when an event is not what the machine
 * would have recorded, or when the machine would have recorded something that is not there.
 */
/** What the Dial's runner stores for one of its effects (undefined: the effect stores nothing). */
export interface Expected {
  readonly uuid: string;
  readonly type: string;
  readonly data: unknown;
}

export function expectedOfDial(aUuid: string, config: DialConfig, e: DialEffect): Expected | undefined {
  switch (e.type) {
    case 'record':
      return { uuid: e.leg === 'a' ? aUuid : config.legs[e.leg]!.uuid, type: e.event, data: e.data };
    case 'notify':
      return {
        uuid: aUuid,
        type: `dial.${e.action}`,
        data: { b_leg: config.legs[e.leg]!.uuid, ...(e.digitsMatch !== undefined ? { digitsMatch: e.digitsMatch } : {}), ...(e.pressedBy !== undefined ? { pressedBy: e.pressedBy } : {}) },
      };
    case 'warn':
      return { uuid: aUuid, type: 'xml.warning', data: { message: e.message } };
    default:
      return undefined;
  }
}

export function matchesStored(x: Expected | undefined, ev: StoredEvent): boolean {
  return x !== undefined && x.uuid === ev.call_uuid && x.type === ev.type && canonical(x.data) === canonical(ev.data);
}

/**
 * The Dial inputs a stored event stands for (the list in this file's header), given the Dial's state
 * before it; `leg`: the B leg the event is of, undefined for the A leg's. Undefined: not the Dial's.
 * A `start` comes first when the Dial has not started yet.
 */
export function dialInputsOf(aUuid: string, config: DialConfig, state: DialState, ev: StoredEvent, leg: number | undefined): DialInput[] | undefined {
  const data = (ev.data ?? {}) as Record<string, unknown>;
  const at = ev.at;
  const first: DialInput[] = state.phase === 'new' ? [{ type: 'start', at }] : [];
  if (leg !== undefined) {
    const l = state.legs[leg]!;
    switch (ev.type) {
      case 'leg.originated':
        return [...first, { type: 'originated', leg, at, data }];
      case 'leg.ringing':
        return [{ type: 'leg', leg, input: { type: 'network', event: { type: data.early ? 'early-media' : 'ringing' }, at } }];
      case 'leg.answered':
        return [{ type: 'leg', leg, input: { type: 'network', event: { type: 'answered' }, at } }];
      case 'leg.ended': {
        const reason = data.reason as EndReason;
        const source = data.source as HangupSource;
        if (reason === 'originator-cancel') return [{ type: 'a-ended', source, at }];
        if (reason === 'no-answer' && source === 'Plivo') {
          if (l.confirming) return [{ type: 'timer', name: `confirm:${leg}`, at }];
          if (state.timers.includes('ring')) return [{ type: 'timer', name: 'ring', at }];
        }
        if (l.bridged && reason === 'time-limit') {
          return [state.timers.includes('limit') ? { type: 'timer', name: 'limit', at } : { type: 'a-ended', reason: 'time-limit', source: 'Plivo', at }];
        }
        if (l.bridged && reason === 'normal' && source !== 'Callee') return [{ type: 'a-ended', reason: 'normal', source, at }];
        if (isNetworkReason(reason) && source === (reason === 'normal' ? 'Callee' : CAUSES[reason].source)) {
          return [{ type: 'leg', leg, input: { type: 'network', event: { type: 'ended', reason }, at } }];
        }
        return [{ type: 'leg', leg, input: { type: 'end', reason, source, at } }];
      }
      default:
        return undefined; // e.g. live-call media on a B leg: not the Dial's
    }
  }
  const describe = () => `${ev.type} of ${ev.call_uuid === aUuid ? 'the A leg' : ev.call_uuid} ${JSON.stringify(ev.data)}`;
  switch (ev.type) {
    case 'xml.warning': {
      const message = String(data.message ?? '');
      if (!message.startsWith(PLACE_FAILED)) return undefined;
      const i = state.placed;
      const prefix = `${PLACE_FAILED}${config.legs[i]?.to}: `;
      if (!message.startsWith(prefix)) return undefined;
      return [...first, { type: 'originate-failed', leg: i, at, error: message.slice(prefix.length) }];
    }
    case 'leg.digits':
      return [{ type: 'a-digits', digits: String(data.digits ?? ''), at }];
    case 'dial.answer': {
      const i = config.legs.findIndex((l) => l.uuid === String(data.b_leg));
      if (i < 0 || !state.legs[i]!.confirming || !config.confirmKey) return undefined;
      return [{ type: 'leg', leg: i, input: { type: 'network', event: { type: 'digits', digits: config.confirmKey }, at } }];
    }
    case 'dial.digits': {
      const i = config.legs.findIndex((l) => l.uuid === String(data.b_leg));
      const digits = String(data.digitsMatch ?? '');
      if (data.pressedBy === 'BLeg' && i >= 0) return [{ type: 'leg', leg: i, input: { type: 'network', event: { type: 'digits', digits }, at } }];
      return [{ type: 'a-digits', digits, at }];
    }
    case 'dial.transferred':
      return [{ type: 'transfer', at }];
    default:
      if (ev.type.startsWith('dial.')) throw new ReplayError(`${describe()}: no input explains it`);
      return undefined;
  }
}

/**
 * The Dial's state after replaying `events` (every event of the A leg `aUuid` and of the Dial's B legs,
 * merged in the order they were recorded). Throws a ReplayError when an event is not what the machine
 * would have recorded, or when the machine would have recorded something that is not there.
 */
export function replayDial(aUuid: string, config: DialConfig, events: readonly StoredEvent[]): DialState {
  const legOf = new Map(config.legs.map((l, i) => [l.uuid, i]));
  let state = initialDial(config);
  const expected: Expected[] = [];
  let started = false;

  const apply = (input: DialInput): void => {
    const step = nextDial(config, state, input);
    state = step.state;
    for (const e of step.effects) {
      const x = expectedOfDial(aUuid, config, e);
      if (x) expected.push(x);
    }
  };
  const describe = (ev: StoredEvent) => `${ev.type} of ${ev.call_uuid === aUuid ? 'the A leg' : ev.call_uuid} ${JSON.stringify(ev.data)}`;

  for (const ev of events) {
    if (state.phase === 'done' && expected.length === 0) break;
    const onA = ev.call_uuid === aUuid;
    const leg = legOf.get(ev.call_uuid);
    if (!onA && leg === undefined) continue;
    if (onA && ev.type === 'dial.started') {
      started = true;
      continue;
    }
    if (!started) continue;
    if (leg !== undefined && state.legs[leg]!.transferred) continue; // its own call now
    if (matchesStored(expected[0], ev)) {
      expected.shift();
      continue;
    }
    const inputs = dialInputsOf(aUuid, config, state, ev, leg);
    if (!inputs) continue;
    if (expected.length > 0) throw new ReplayError(`${describe(ev)} came where the machine records ${expected[0]!.type} of ${expected[0]!.uuid} ${JSON.stringify(expected[0]!.data)}`);
    for (const input of inputs) apply(input);
    if (onA && ev.type === 'leg.digits') continue; // an input only: the A leg records its keys itself
    if (!matchesStored(expected[0], ev)) {
      const x = expected[0];
      throw new ReplayError(`${describe(ev)}: the machine records ${x ? `${x.type} of ${x.uuid} ${JSON.stringify(x.data)}` : 'nothing'} for it`);
    }
    expected.shift();
  }
  if (expected.length > 0) throw new ReplayError(`not stored: ${expected.map((x) => `${x.type} of ${x.uuid}`).join(', ')}`);
  return state;
}
