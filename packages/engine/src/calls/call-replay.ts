/**
 * Replays a whole call — its A leg, its document's position and its Dials — from its stored events
 * alone, given the call's own configuration (`callConfig` of its setup) (issue 18 item 2): rebuilds the
 * call machine's state (call-machine.ts) by applying the inputs the events show, and checks along the
 * way that the machine records exactly the events that were stored (same types, same data, same order),
 * the Dial's included. Pure: no store, no clock.
 *
 * Every event the call records is one of the machine's effects (the Dial's too, and a document fetch
 * is its `webhook.answer` / `webhook.transfer`), so most stored events are explained by an earlier
 * input and only checked. The rest are inputs, read back as follows:
 *  - the A leg's `leg.originated`, `network.error`, `leg.ringing` (`early`), `leg.digits`: placement and
 *    network events; `leg.answered`: the far end answering (outbound; with machine detection, who
 *    answered is its `answered_by`, or, in events stored before it was, read from the detection that
 *    follows) or the engine answering (inbound);
 *  - `leg.machine-detection`: its timer;
 *  - `dial.started`: the Dial begins, with the machine's configuration the runner stored in it
 *    (`config`; `opts.dials` overrides it, and stands in for it in events stored before it was);
 *  - `call.transferred`: a B leg adopted to run a document of its own; `call.transfer-requested`: the
 *    transfer API, with its URL and method; a `webhook.transfer`: the old document's return, after
 *    which the machine fetches the new one (in events stored before `call.transfer-requested` existed,
 *    a `webhook.transfer` that nothing explains stands for the transfer API too, with the URL `''`);
 *  - the Dial's events (B legs' and the A leg's `dial.*`): as dial-replay.ts reads them, except that
 *    where the Dial shows the A leg ending (`a-ended`) the call's own end is applied;
 *  - the A leg's `leg.ended` {reason, source}, applied where it is first needed (at the Dial's `a-ended`,
 *    or at the event itself): a timer (`ring-timeout`, `hangup-on-ring`, `time-limit`), the Hangup API,
 *    the document's end (end of XML, `<Hangup>`, a failed fetch), a network end, else an end the engine
 *    asked for; then, at the event, the document's wind-down and the recordings' stop.
 * Timer expiries, fetch results and the document's return are not events: each is read back from what
 * it caused. Events of other kinds (webhooks the document sends, media, recordings) are skipped.
 *
 * `<Hangup schedule>` needs no event of its own. Its timer has one consequence, the end it causes
 * (`xml-hangup`, source Answer XML), which `leg.ended` stores exactly as it stores the document's own
 * `<Hangup>`; read as the document's end, it gives the same events and the same state once the call
 * closed (its timer is gone by then either way; a schedule that never fires was cancelled by the end).
 * Only a replay cut between the schedule and its expiry would miss the pending `scheduled-hangup` timer.
 */
import { CAUSES, NETWORK_END_REASONS, type EndReason, type HangupSource, type NetworkEndReason } from '../domain/causes.ts';
import type { LegState } from './leg-machine.ts';
import type { DialConfig, DialInput } from './dial-machine.ts';
import { dialInputsOf, expectedOfDial, matchesStored, ReplayError, type Expected, type StoredEvent } from './dial-replay.ts';
import { initialCall, MACHINE_UNKNOWN, nextCall, type CallConfig, type CallEffect, type CallInput, type CallState } from './call-machine.ts';

export interface CallReplayOptions {
  /**
   * The configuration of the call's Dial number `n` (1-based), given its `dial.started` event: overrides
   * the one the event stores (`config`), and is needed for events stored without it.
   */
  readonly dials?: (n: number, started: StoredEvent) => DialConfig | undefined;
  /** A B leg adopted after a transfer: its leg's state when its own call began. */
  readonly leg?: LegState;
}

const DOCUMENT_REASONS: readonly EndReason[] = ['end-of-xml', 'xml-hangup', 'xml-busy', 'xml-rejected', 'answer-url-failed', 'invalid-xml', 'action-failed'];
const FETCH_REASONS: readonly EndReason[] = ['answer-url-failed', 'invalid-xml', 'action-failed'];
const isNetworkReason = (r: string): r is NetworkEndReason => (NETWORK_END_REASONS as readonly string[]).includes(r);
/** `leg.answered`'s `answered_by`: who the network said answered; null when it could not say. */
const storedAnsweredBy = (v: unknown): 'human' | 'machine' | undefined => (v === 'human' || v === 'machine' ? v : undefined);

/**
 * The call's state after replaying `events` (every event of the A leg `aUuid` and of its Dials' B legs,
 * merged in the order they were recorded). Throws a ReplayError when an event is not what the machine
 * would have recorded, or when the machine would have recorded something that is not there.
 */
export function replayCall(aUuid: string, config: CallConfig, events: readonly StoredEvent[], opts: CallReplayOptions = {}): CallState {
  let state = initialCall(opts.leg);
  const expected: Expected[] = [];
  /** The A leg's end, once applied. */
  let endApplied = false;

  const expectedOf = (e: CallEffect, s: CallState): Expected | undefined => {
    switch (e.type) {
      case 'record':
        return { uuid: aUuid, type: e.event, data: e.data };
      case 'warn':
        return { uuid: aUuid, type: 'xml.warning', data: { message: e.message } };
      case 'fetch':
        return { uuid: aUuid, type: e.source === 'answer' ? 'webhook.answer' : 'webhook.transfer', data: undefined };
      case 'dial':
        return expectedOfDial(aUuid, s.dial!.config, e.effect);
      default:
        return undefined;
    }
  };
  const apply = (input: CallInput): void => {
    const step = nextCall(config, state, input);
    state = step.state;
    for (const e of step.effects) {
      const x = expectedOf(e, step.state);
      if (x) expected.push(x);
    }
  };
  const describe = (ev: StoredEvent) => `${ev.type} of ${ev.call_uuid === aUuid ? 'the A leg' : ev.call_uuid} ${JSON.stringify(ev.data)}`;
  const onA = (ev: StoredEvent) => ev.call_uuid === aUuid;

  /** The document came back and runs (a fetch's success is not an event). */
  const ensureRunning = (at: number): void => {
    if (state.doc === 'fetching') apply({ type: 'fetched', ok: true, at });
  };

  /** The inputs that end the A leg as stored (`leg.ended` {reason, source}). */
  const endInputs = (reason: EndReason, source: HangupSource, at: number): CallInput[] => {
    endApplied = true;
    const answered = state.leg.answerAt !== undefined;
    if (reason === 'ring-timeout' || reason === 'hangup-on-ring' || reason === 'time-limit') {
      if (state.timers.includes(reason)) return [{ type: 'timer', name: reason, at }];
    }
    if (reason === 'machine-detected' && state.timers.includes('machine-detection')) return [{ type: 'timer', name: 'machine-detection', at }];
    if (source === 'API Request' && reason === (answered ? 'api-hangup' : 'api-cancel')) return [{ type: 'api-hangup', at }];
    const fromDocument = DOCUMENT_REASONS.includes(reason) || (reason === 'network-failure' && source === 'Error');
    if (fromDocument && (state.doc === 'fetching' || state.doc === 'running')) {
      if (state.doc === 'fetching' && FETCH_REASONS.includes(reason)) return [{ type: 'fetched', ok: false, reason, at }];
      ensureRunning(at);
      return [{ type: 'document-ended', outcome: { type: 'end', reason, ...(source === 'Error' ? { source } : {}) }, at }];
    }
    const far = reason === 'normal' ? state.leg.farParty : isNetworkReason(reason) ? CAUSES[reason].source : undefined;
    if (isNetworkReason(reason) && source === far) return [{ type: 'leg', input: { type: 'network', event: { type: 'ended', reason }, at } }];
    return [{ type: 'leg', input: { type: 'end', reason, source, at } }];
  };

  /**
   * Where the Dial shows the A leg leaving: the A leg's stored end, or (in events stored before
   * `call.transfer-requested` existed, which applies the transfer itself) a transfer that stopped the document.
   */
  const aLegLeaves = (from: number, at: number): CallInput[] => {
    let transfer = false;
    for (let j = from + 1; j < events.length; j++) {
      const ev = events[j]!;
      if (!onA(ev)) continue;
      if (ev.type === 'webhook.transfer') transfer = true;
      if (ev.type === 'leg.ended' && !transfer) {
        const data = ev.data as { reason: EndReason; source: HangupSource };
        return endInputs(data.reason, data.source, ev.at);
      }
      if (transfer) break;
    }
    if (transfer) return [{ type: 'transfer', url: '', method: 'POST', at }];
    throw new ReplayError(`the Dial shows the A leg leaving at ${at}, and neither its leg.ended nor a transfer follows`);
  };

  /**
   * Who answered, for a `leg.answered` stored before it carried `answered_by`: read from the machine
   * detection that follows (a verdict of `machine`, else the warning that the network could not say,
   * else a person). A call that ended before the verdict reads as a person.
   */
  const inferredAnsweredBy = (index: number): 'human' | 'machine' | undefined => {
    if (!config.machineDetection) return undefined;
    const later = events.slice(index + 1).filter(onA);
    const machine = later.some((e) => e.type === 'leg.machine-detection' && (e.data as { machine?: boolean }).machine === true);
    const unknown = later.some((e) => e.type === 'xml.warning' && (e.data as { message?: string }).message === MACHINE_UNKNOWN);
    return unknown && !machine ? undefined : machine ? 'machine' : 'human';
  };

  /** The inputs a stored event stands for; undefined when it is not the machine's. */
  const inputsOf = (ev: StoredEvent, index: number, leg: number | undefined): CallInput[] | undefined => {
    const data = (ev.data ?? {}) as Record<string, unknown>;
    const at = ev.at;
    const dial = state.dial;
    const viaDial = (): CallInput[] | undefined => {
      if (!dial) return undefined;
      const inputs = dialInputsOf(aUuid, dial.config, dial.state, ev, leg);
      if (!inputs) return undefined;
      return inputs.flatMap((input: DialInput): CallInput[] => (input.type === 'a-ended' ? aLegLeaves(index, input.at) : [{ type: 'dial', seq: dial.seq, input }]));
    };
    if (leg !== undefined) return viaDial();
    switch (ev.type) {
      case 'leg.originated':
        return [{ type: 'originated', at, data }];
      case 'network.error':
        return [{ type: 'originate-failed', error: String(data.error ?? ''), at }];
      case 'leg.ringing':
        return [{ type: 'leg', input: { type: 'network', event: { type: data.early ? 'early-media' : 'ringing' }, at } }];
      case 'leg.answered': {
        if (config.direction === 'inbound') return [{ type: 'answer', at }];
        const answeredBy = 'answered_by' in data ? storedAnsweredBy(data.answered_by) : inferredAnsweredBy(index);
        return [{ type: 'leg', input: { type: 'network', event: { type: 'answered', ...(answeredBy ? { answeredBy } : {}) }, at } }];
      }
      case 'leg.digits':
        return [{ type: 'leg', input: { type: 'network', event: { type: 'digits', digits: String(data.digits ?? '') }, at } }];
      case 'leg.machine-detection':
        return [{ type: 'timer', name: 'machine-detection', at }];
      case 'dial.started': {
        // The runner stores the machine's configuration with the event (dial-runner.ts); a Dial stored
        // before it did needs `opts.dials`.
        const config = opts.dials?.(state.dials + 1, ev) ?? (data.config as DialConfig | undefined);
        if (!config) throw new ReplayError(`${describe(ev)}: no Dial configuration in the event, and none given (opts.dials)`);
        ensureRunning(at);
        return [{ type: 'dial-begin', config, at }];
      }
      case 'call.transferred':
        return [{ type: 'start-transferred', url: String(data.url ?? ''), method: data.method === 'GET' ? 'GET' : 'POST', at }];
      case 'call.transfer-requested':
        return [{ type: 'transfer', url: String(data.url ?? ''), method: data.method === 'GET' ? 'GET' : 'POST', at }];
      case 'webhook.transfer': {
        // The transferred document is fetched once the old one has wound down (the transfer API came
        // first: its call.transfer-requested; in events stored before that existed, only this shows it,
        // without its URL).
        ensureRunning(at);
        const inputs: CallInput[] = state.doc === 'winding-down' && state.transfer ? [] : [{ type: 'transfer', url: '', method: 'POST', at }];
        return [...inputs, { type: 'document-ended', outcome: { type: 'aborted' }, at }];
      }
      case 'leg.ended': {
        const d = data as { reason: EndReason; source: HangupSource };
        const inputs = endApplied ? [] : endInputs(d.reason, d.source, at);
        // Then the document winds down and the recordings stop: neither is an event.
        return [...inputs, { type: 'document-ended', outcome: { type: 'aborted' }, at }, { type: 'recordings-stopped', at }];
      }
      default:
        return ev.type.startsWith('dial.') || ev.type === 'xml.warning' ? viaDial() : undefined;
    }
  };

  // The call's start is not an event of its own: placing an outbound leg, or an inbound leg ringing here.
  // An adopted leg starts at its `call.transferred`.
  const t0 = events[0]?.at ?? 0;
  if (!opts.leg) apply(config.direction === 'inbound' ? { type: 'start-inbound', at: t0 } : { type: 'start', at: t0 });

  for (const [index, ev] of events.entries()) {
    if (state.close === 'closed' && expected.length === 0) break;
    const dial = state.dial;
    const leg = dial ? dial.config.legs.findIndex((l) => l.uuid === ev.call_uuid) : -1;
    if (!onA(ev) && leg < 0) continue;
    if (leg >= 0 && dial!.state.legs[leg]!.transferred) continue; // its own call now
    if (matchesStored(expected[0], ev) || (expected[0]?.type.startsWith('webhook.') && expected[0].type === ev.type && onA(ev))) {
      expected.shift();
      continue;
    }
    const inputs = inputsOf(ev, index, leg >= 0 ? leg : undefined);
    if (!inputs) continue;
    if (expected.length > 0) throw new ReplayError(`${describe(ev)} came where the machine records ${expected[0]!.type} ${JSON.stringify(expected[0]!.data)}`);
    for (const input of inputs) apply(input);
    if (ev.type === 'dial.started' || ev.type === 'call.transferred') continue; // inputs only: stored by their runners
    const x = expected[0];
    if (!(matchesStored(x, ev) || (x?.type.startsWith('webhook.') && x.type === ev.type))) {
      throw new ReplayError(`${describe(ev)}: the machine records ${x ? `${x.type} ${JSON.stringify(x.data)}` : 'nothing'} for it`);
    }
    expected.shift();
  }
  if (expected.length > 0) throw new ReplayError(`not stored: ${expected.map((x) => `${x.type} of ${x.uuid}`).join(', ')}`);
  return state;
}
