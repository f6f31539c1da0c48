/**
 * The A leg's rules as tables, run on the pure call machine (`nextCall`, call-machine.ts): no engine,
 * no HTTP, no database, no clock. Every row is one case and asserts the exact effects (short lines:
 * `record leg.ended {...} [busy] +hangup`, `hangup NO_ANSWER`, `timer.start ring-timeout 30000`, ...).
 * The expected causes, sources and statuses are spelled from engine.md §2, not read from the cause table.
 *
 * Tables: every network end of the A leg (engine.md §2) before and after the answer; the engine's own
 * ends (ring_timeout, hangup_on_ring, time_limit, the Hangup API, the document's ends, machine
 * detection, <Hangup schedule>, a refused placement); the timer rules; send_digits; the document's
 * position and the hangup report after its wind-down; the transfer API; the Dial inside the call; the
 * same-instant cases of call-machine.ts's header. The last test replays every call the tables closed
 * from the events they stored (call-replay.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { initialCall, nextCall, MACHINE_UNKNOWN, type CallConfig, type CallEffect, type CallInput, type CallState, type CallTimer, type DocumentOutcome } from '../src/calls/call-machine.ts';
import type { DialConfig, DialEffect, DialInput } from '../src/calls/dial-machine.ts';
import type { EndReason, NetworkEndReason } from '../src/domain/causes.ts';
import type { LegEvent } from '../src/network/network.ts';
import type { StoredEvent } from '../src/calls/dial-replay.ts';
import { replayCall } from '../src/calls/call-replay.ts';

const T0 = 1_767_225_600_000;
const LIMIT_MS = 14_400_000;

function config(over: Partial<CallConfig> = {}): CallConfig {
  return { direction: 'outbound', timeLimitMs: LIMIT_MS, sendOnPreanswer: false, program: false, ...over };
}

function dialConfig(n: number, over: Partial<DialConfig> = {}): DialConfig {
  return {
    legs: Array.from({ length: n }, (_, i) => ({ uuid: `b${i + 1}`, position: i + 1, to: `1555000${i + 1}`, sendOnPreanswer: false })),
    timeLimitMs: LIMIT_MS,
    confirmMs: 120_000,
    hangupOnStar: false,
    digitsMatch: [],
    digitsMatchBLeg: [],
    callerHearsEarlyMedia: true,
    ...over,
  };
}

function dialLine(e: DialEffect): string {
  const leg = (i: number | 'a') => (i === 'a' ? 'a' : `b${i + 1}`);
  switch (e.type) {
    case 'record':
      return `record ${leg(e.leg)} ${e.event}${e.data === undefined ? '' : ` ${JSON.stringify(e.data)}`}`;
    case 'notify':
      return `notify ${leg(e.leg)} ${e.action}${e.digitsMatch !== undefined ? ` ${e.digitsMatch} by ${e.pressedBy}` : ''}`;
    case 'hangup':
      return `hangup ${leg(e.leg)} ${e.cause}${e.answered ? ' (BYE)' : ''}`;
    case 'timer.start':
      return `timer.start ${e.name} ${e.ms}`;
    case 'timer.cancel':
      return `timer.cancel ${e.name}`;
    case 'done':
      return `done ${e.result.status}`;
    case 'send-digits':
      return `send-digits ${leg(e.leg)} ${e.digits}`;
    case 'warn':
      return `warn ${e.message}`;
    case 'answer-a':
      return 'answer-a';
    default:
      return `${e.type} ${leg(e.leg)}`;
  }
}

/** One effect as a line: what a reader of the tables compares. */
function line(e: CallEffect): string {
  switch (e.type) {
    case 'record': {
      const status = e.cdr?.type === 'ended' ? ` [${e.cdr.end.status}]` : '';
      return `record ${e.event}${e.data === undefined ? '' : ` ${JSON.stringify(e.data)}`}${status}${e.webhook ? ` +${e.webhook}` : ''}`;
    }
    case 'cdr':
      return `cdr ${e.cdr.type === 'ended' ? e.cdr.end.status : e.cdr.type}`;
    case 'hangup':
      return `hangup ${e.cause}${e.answered ? ' (BYE)' : ''}`;
    case 'send-digits':
    case 'digits':
      return `${e.type} ${e.digits}`;
    case 'timer.start':
      return `timer.start ${e.name} ${e.ms}`;
    case 'timer.cancel':
      return `timer.cancel ${e.name}`;
    case 'warn':
      return `warn ${e.message}`;
    case 'fetch':
      return `fetch ${e.source === 'answer' ? 'answer' : e.source.url}`;
    case 'dial':
      return `dial: ${dialLine(e.effect)}`;
    default:
      return e.type;
  }
}

/** Every call the tables drove: the last test replays each one that closed. */
const drives: Drive[] = [];

/** Drives one call through the machine, input by input. */
class Drive {
  state: CallState;
  /** The events a runner would have stored for this call, in order (what call-replay.ts reads). */
  log: StoredEvent[] = [];
  t = T0;
  constructor(
    readonly config: CallConfig,
    readonly dials: DialConfig[] = [],
  ) {
    this.state = initialCall();
    drives.push(this);
  }
  in(input: CallInput): string[] {
    const at = 'at' in input ? input.at : input.type === 'leg' ? input.input.at : this.t;
    // What the runner stores (dial-runner.ts): the Dial machine's configuration, which the replay reads.
    if (input.type === 'dial-begin') this.log.push({ call_uuid: 'a', type: 'dial.started', at, data: { config: input.config } });
    const step = nextCall(this.config, this.state, input);
    this.state = step.state;
    for (const e of step.effects) this.store(e, at);
    return step.effects.map(line);
  }
  private store(e: CallEffect, at: number): void {
    if (e.type === 'record') this.log.push({ call_uuid: 'a', type: e.event, at: e.at ?? at, data: e.data ?? {} });
    if (e.type === 'warn') this.log.push({ call_uuid: 'a', type: 'xml.warning', at, data: { message: e.message } });
    if (e.type === 'fetch') this.log.push({ call_uuid: 'a', type: e.source === 'answer' ? 'webhook.answer' : 'webhook.transfer', at, data: {} });
    if (e.type !== 'dial') return;
    const d = e.effect;
    const cfg = this.state.dial!.config;
    const uuid = (leg: number | 'a') => (leg === 'a' ? 'a' : cfg.legs[leg]!.uuid);
    if (d.type === 'record') this.log.push({ call_uuid: uuid(d.leg), type: d.event, at, data: d.data ?? {} });
    if (d.type === 'notify') this.log.push({ call_uuid: 'a', type: `dial.${d.action}`, at, data: { b_leg: uuid(d.leg), ...(d.digitsMatch ? { digitsMatch: d.digitsMatch, pressedBy: d.pressedBy } : {}) } });
    if (d.type === 'warn') this.log.push({ call_uuid: 'a', type: 'xml.warning', at, data: { message: d.message } });
  }
  at(ms: number): this {
    this.t = T0 + ms;
    return this;
  }
  start(): string[] {
    return [...this.in({ type: 'start', at: this.t }), ...this.in({ type: 'originated', at: this.t, data: { network_leg: 'n1' } })];
  }
  net(event: LegEvent): string[] {
    return this.in({ type: 'leg', input: { type: 'network', event, at: this.t } });
  }
  ring(): string[] {
    return this.net({ type: 'ringing' });
  }
  answer(answeredBy?: 'human' | 'machine'): string[] {
    return this.net({ type: 'answered', ...(answeredBy ? { answeredBy } : {}) });
  }
  /** Answered and the answer_url's document running. */
  running(): this {
    this.start();
    this.ring();
    this.answer();
    this.fetched();
    return this;
  }
  ends(reason: NetworkEndReason): string[] {
    return this.net({ type: 'ended', reason });
  }
  timer(name: CallTimer): string[] {
    return this.in({ type: 'timer', name, at: this.t });
  }
  fetched(reason?: EndReason): string[] {
    return this.in(reason ? { type: 'fetched', ok: false, reason, at: this.t } : { type: 'fetched', ok: true, at: this.t });
  }
  docEnded(outcome: DocumentOutcome = { type: 'aborted' }): string[] {
    return this.in({ type: 'document-ended', outcome, at: this.t });
  }
  stopped(): string[] {
    return this.in({ type: 'recordings-stopped', at: this.t });
  }
  api(): string[] {
    return this.in({ type: 'api-hangup', at: this.t });
  }
  dialBegin(i = this.dials.length - 1): string[] {
    return this.in({ type: 'dial-begin', config: this.dials[i]!, at: this.t });
  }
  dial(input: DialInput): string[] {
    return this.in({ type: 'dial', seq: this.state.dials, input });
  }
  /** The dial's leg i answers (placed and rung first). */
  dialNet(leg: number, event: LegEvent): string[] {
    return this.dial({ type: 'leg', leg, input: { type: 'network', event, at: this.t } });
  }
}

const endOf = (reason: string, source: string, status: string) => `record leg.ended {"reason":"${reason}","source":"${source}"} [${status}] +hangup`;

// ---------------------------------------------------------------------------------------------
// engine.md §2: the network ends the A leg.

describe('engine.md §2: the network ends the A leg before the answer (it rang)', () => {
  // situation -> network reason, HangupSource, A-leg CallStatus
  const rows: Array<[string, NetworkEndReason, string, string, string]> = [
    ['callee busy (486, 600)', 'busy', 'Callee', 'busy', 'USER_BUSY'],
    ['callee rejected (603)', 'rejected', 'Callee', 'busy', 'CALL_REJECTED'],
    ['far end 480: no answer', 'no-user-response', 'Callee', 'no-answer', 'NO_USER_RESPONSE'],
    ['no reply at all (Timer B), 408, 504', 'timeout', 'Carrier', 'timeout', 'RECOVERY_ON_TIMER_EXPIRE'],
    ['number does not exist (404)', 'unallocated', 'Carrier', 'failed', 'UNALLOCATED_NUMBER'],
    ['destination out of order', 'out-of-order', 'Carrier', 'failed', 'DESTINATION_OUT_OF_ORDER'],
    ['other network failure', 'network-failure', 'Carrier', 'failed', 'NORMAL_TEMPORARY_FAILURE'],
    ['far end cleared before answering: completed nothing', 'normal', 'Caller', 'failed', 'NORMAL_CLEARING'],
  ];
  for (const [situation, reason, source, status] of rows) {
    it(`${situation}: ${status}, source ${source}; the report goes out once the recordings stopped`, () => {
      const d = new Drive(config({ ringTimeoutMs: 60_000 }));
      d.start();
      d.ring();
      assert.deepEqual(d.at(5000).ends(reason), ['timer.cancel ring-timeout', `cdr ${status}`, 'stop-media', 'abort-document', 'stop-recordings']);
      assert.deepEqual(d.stopped(), [endOf(reason, source, status), 'closed']);
      assert.equal(d.state.close, 'closed');
    });
  }
});

describe('engine.md §2: the network ends the A leg after the answer', () => {
  const rows: Array<[string, NetworkEndReason, string]> = [
    ['answered, the called party hung up (BYE)', 'normal', 'Caller'],
    ['answered, then a network failure', 'network-failure', 'Carrier'],
  ];
  for (const [situation, reason, source] of rows) {
    it(`${situation}: completed, source ${source}; leg.ended waits for the document to wind down`, () => {
      const d = new Drive(config()).running();
      assert.deepEqual(d.at(30_000).ends(reason), ['timer.cancel time-limit', 'cdr completed', 'stop-media', 'abort-document']);
      assert.equal(d.state.doc, 'winding-down');
      assert.deepEqual(d.docEnded(), ['stop-recordings']);
      assert.deepEqual(d.stopped(), [endOf(reason, source, 'completed'), 'closed']);
    });
  }
});

// ---------------------------------------------------------------------------------------------
// engine.md §2: the engine ends the A leg.

describe("engine.md §2: the engine's own ends of the A leg", () => {
  it('ring_timeout reached before the answer: CANCEL NO_ANSWER, no-answer, source Plivo', () => {
    const d = new Drive(config({ ringTimeoutMs: 30_000 }));
    assert.deepEqual(d.start(), ['timer.start ring-timeout 30000', 'originate', 'record leg.originated {"network_leg":"n1"}']);
    d.at(1000).ring();
    assert.deepEqual(d.at(30_000).timer('ring-timeout'), ['hangup NO_ANSWER', `cdr no-answer`, 'stop-media', 'abort-document', 'stop-recordings']);
    assert.deepEqual(d.stopped(), [endOf('ring-timeout', 'Plivo', 'no-answer'), 'closed']);
  });
  it('ring_timeout is cancelled by the answer', () => {
    const d = new Drive(config({ ringTimeoutMs: 30_000 }));
    d.start();
    assert.deepEqual(d.answer(), ['timer.cancel ring-timeout', 'record leg.answered', `timer.start time-limit ${LIMIT_MS}`, 'fetch answer']);
    assert.deepEqual(d.timer('ring-timeout'), []);
  });
  it('hangup_on_ring: started at the first ring only; CANCEL ORIGINATOR_CANCEL, cancel, source Plivo', () => {
    const d = new Drive(config({ hangupOnRingMs: 2000 }));
    d.start();
    assert.deepEqual(d.ring(), ['record leg.ringing {"early":false} +ring', 'timer.start hangup-on-ring 2000']);
    assert.deepEqual(d.net({ type: 'early-media' }), []);
    assert.deepEqual(d.at(2000).timer('hangup-on-ring'), ['hangup ORIGINATOR_CANCEL', 'cdr cancel', 'stop-media', 'abort-document', 'stop-recordings']);
    assert.deepEqual(d.stopped(), [endOf('hangup-on-ring', 'Plivo', 'cancel'), 'closed']);
  });
  it('hangup_on_ring is cancelled by the answer', () => {
    const d = new Drive(config({ hangupOnRingMs: 2000 }));
    d.start();
    d.ring();
    assert.deepEqual(d.answer().slice(0, 2), ['timer.cancel hangup-on-ring', 'record leg.answered']);
    assert.deepEqual(d.timer('hangup-on-ring'), []);
  });
  it('time_limit reached: BYE ALLOTTED_TIMEOUT, completed, source Plivo', () => {
    const d = new Drive(config({ timeLimitMs: 60_000 })).running();
    assert.deepEqual(d.at(60_000).timer('time-limit'), ['hangup ALLOTTED_TIMEOUT (BYE)', 'cdr completed', 'stop-media', 'abort-document']);
    d.docEnded();
    assert.deepEqual(d.stopped(), [endOf('time-limit', 'Plivo', 'completed'), 'closed']);
  });
  it('Hangup API before the answer: CANCEL ORIGINATOR_CANCEL, cancel, source API Request', () => {
    const d = new Drive(config());
    d.start();
    d.ring();
    assert.deepEqual(d.api(), ['hangup ORIGINATOR_CANCEL', 'cdr cancel', 'stop-media', 'abort-document', 'stop-recordings']);
    assert.deepEqual(d.stopped(), [endOf('api-cancel', 'API Request', 'cancel'), 'closed']);
  });
  it('Hangup API after the answer: BYE NORMAL_CLEARING, completed, source API Request', () => {
    const d = new Drive(config()).running();
    assert.deepEqual(d.api(), ['hangup NORMAL_CLEARING (BYE)', 'timer.cancel time-limit', 'cdr completed', 'stop-media', 'abort-document']);
    d.docEnded();
    assert.deepEqual(d.stopped(), [endOf('api-hangup', 'API Request', 'completed'), 'closed']);
  });
  it('Hangup API after the call ended: nothing', () => {
    const d = new Drive(config());
    d.start();
    d.ends('busy');
    assert.deepEqual(d.api(), []);
  });
  it('the network refuses the placement: network.error, failed, source Plivo', () => {
    const d = new Drive(config({ ringTimeoutMs: 30_000 }));
    d.in({ type: 'start', at: d.t });
    assert.deepEqual(d.in({ type: 'originate-failed', error: 'Error: no route', at: d.t }), [
      'record network.error {"error":"Error: no route"}',
      'hangup NORMAL_TEMPORARY_FAILURE', // no network leg to tell: the runner does nothing
      'timer.cancel ring-timeout',
      'cdr failed',
      'stop-media',
      'abort-document',
      'stop-recordings',
    ]);
    assert.deepEqual(d.stopped(), [endOf('network-failure', 'Plivo', 'failed'), 'closed']);
  });
});

describe("engine.md §2: the document's ends", () => {
  // situation -> how the document ended, leg.ended {reason, source}, status
  const rows: Array<[string, DocumentOutcome | EndReason, string, string, string]> = [
    ['answered, document ran out', { type: 'end', reason: 'end-of-xml' }, 'end-of-xml', 'Plivo', 'completed'],
    ['<Hangup/> element', { type: 'end', reason: 'xml-hangup' }, 'xml-hangup', 'Answer XML', 'completed'],
    ['a Redirect or action fetch failed', { type: 'end', reason: 'action-failed' }, 'action-failed', 'Error', 'completed'],
    ['the interpreter failed', { type: 'end', reason: 'network-failure', source: 'Error' }, 'network-failure', 'Error', 'completed'],
    ['answer_url and fallback_url both failed', 'answer-url-failed', 'answer-url-failed', 'Error', 'completed'],
    ['invalid XML and no valid fallback', 'invalid-xml', 'invalid-xml', 'Error', 'completed'],
  ];
  for (const [situation, how, reason, source, status] of rows) {
    it(`${situation}: ${reason}, source ${source}, ${status}; no wind-down to wait for`, () => {
      const d = new Drive(config());
      d.start();
      d.answer();
      const out = typeof how === 'string' ? d.fetched(how) : (d.fetched(), d.docEnded(how));
      assert.deepEqual(out, ['hangup NORMAL_' + (reason === 'end-of-xml' || reason === 'xml-hangup' ? 'CLEARING' : 'TEMPORARY_FAILURE') + ' (BYE)', 'timer.cancel time-limit', `cdr ${status}`, 'stop-media', 'abort-document', 'stop-recordings']);
      assert.deepEqual(d.stopped(), [endOf(reason, source, status), 'closed']);
    });
  }
  const early: Array<[string, EndReason, string, string]> = [
    ['<Hangup reason="busy"> before answer', 'xml-busy', 'USER_BUSY', 'busy'],
    ['<Hangup reason="rejected"> before answer', 'xml-rejected', 'CALL_REJECTED', 'failed'],
  ];
  for (const [situation, reason, cause, status] of early) {
    it(`${situation} (inbound): the caller is refused with ${cause}, ${status}, source Answer XML`, () => {
      const d = new Drive(config({ direction: 'inbound' }));
      assert.deepEqual(d.in({ type: 'start-inbound', at: d.t }), ['fetch answer']);
      d.fetched();
      assert.deepEqual(d.docEnded({ type: 'end', reason }), [`hangup ${cause}`, `cdr ${status}`, 'stop-media', 'abort-document', 'stop-recordings']);
      assert.deepEqual(d.stopped(), [endOf(reason, 'Answer XML', status), 'closed']);
    });
  }
  it('<Hangup schedule="5">: the call ends xml-hangup 5 s later, document or not', () => {
    const d = new Drive(config()).running();
    assert.deepEqual(d.in({ type: 'schedule-hangup', ms: 5000, at: d.t }), ['timer.start scheduled-hangup 5000']);
    assert.deepEqual(d.at(5000).timer('scheduled-hangup'), ['hangup NORMAL_CLEARING (BYE)', 'timer.cancel time-limit', 'cdr completed', 'stop-media', 'abort-document']);
    d.docEnded();
    assert.deepEqual(d.stopped(), [endOf('xml-hangup', 'Answer XML', 'completed'), 'closed']);
  });
  it('an inbound document answers the call when an element needs it; twice is once', () => {
    const d = new Drive(config({ direction: 'inbound' }));
    d.in({ type: 'start-inbound', at: d.t });
    d.fetched();
    assert.deepEqual(d.in({ type: 'answer', at: d.t }), ['answer', 'record leg.answered', `timer.start time-limit ${LIMIT_MS}`]);
    assert.deepEqual(d.in({ type: 'answer', at: d.t }), []);
    d.docEnded({ type: 'end', reason: 'end-of-xml' });
    d.stopped();
  });
  it('a program (a flow) runs instead of answer_url', () => {
    const d = new Drive(config({ program: true }));
    d.start();
    assert.deepEqual(d.answer().at(-1), 'run-program');
    assert.equal(d.state.doc, 'running');
  });
});

// ---------------------------------------------------------------------------------------------
// Machine detection, send_digits.

describe('machine detection (plivo.md §2.6)', () => {
  const md = (hangup: boolean) => config({ machineDetection: { hangup, timeMs: 5000, maxSpeechMs: 3500 } });
  it('a person: reported after machine_detection_time, the call goes on', () => {
    const d = new Drive(md(true));
    d.start();
    assert.deepEqual(d.answer('human'), ['record leg.answered {"answered_by":"human"}', `timer.start time-limit ${LIMIT_MS}`, 'timer.start machine-detection 5000', 'fetch answer']);
    assert.deepEqual(d.at(5000).timer('machine-detection'), ['record leg.machine-detection {"machine":false,"if_machine":"hangup"} +machine_detection']);
  });
  it('a machine with machine_detection=hangup: reported after the greeting, then BYE NORMAL_CLEARING, source Plivo', () => {
    const d = new Drive(md(true));
    d.start();
    assert.deepEqual(d.answer('machine').slice(2, 3), ['timer.start machine-detection 3500']);
    d.fetched();
    assert.deepEqual(d.at(3500).timer('machine-detection'), [
      'record leg.machine-detection {"machine":true,"if_machine":"hangup"} +machine_detection',
      'hangup NORMAL_CLEARING (BYE)',
      'timer.cancel time-limit',
      'cdr completed',
      'stop-media',
      'abort-document',
    ]);
    d.docEnded();
    assert.deepEqual(d.stopped(), [endOf('machine-detected', 'Plivo', 'completed'), 'closed']);
  });
  it('a machine with machine_detection=true: reported, the call goes on', () => {
    const d = new Drive(md(false));
    d.start();
    d.answer('machine');
    assert.deepEqual(d.at(3500).timer('machine-detection'), ['record leg.machine-detection {"machine":true,"if_machine":"continue"} +machine_detection']);
  });
  it('a network that cannot say who answered: a warning, reported as a person', () => {
    const d = new Drive(md(true));
    d.start();
    const effects = d.answer();
    assert.equal(effects[0], 'record leg.answered {"answered_by":null}');
    assert.deepEqual(effects.slice(2, 4), [`warn ${MACHINE_UNKNOWN}`, 'timer.start machine-detection 5000']);
  });
});

describe('send_digits (plivo.md §1.3)', () => {
  it('played on answer', () => {
    const d = new Drive(config({ sendDigits: '1w2' }));
    d.start();
    assert.deepEqual(d.answer(), ['record leg.answered', `timer.start time-limit ${LIMIT_MS}`, 'send-digits 1w2', 'record leg.digits-sent {"digits":"1w2"}', 'fetch answer']);
  });
  it('with send_on_preanswer: played on early media, not on a plain ring, not again on answer', () => {
    const d = new Drive(config({ sendDigits: '9', sendOnPreanswer: true }));
    d.start();
    assert.deepEqual(d.net({ type: 'early-media' }), ['record leg.ringing {"early":true} +ring', 'send-digits 9', 'record leg.digits-sent {"digits":"9"}']);
    assert.deepEqual(d.answer(), ['record leg.answered', `timer.start time-limit ${LIMIT_MS}`, 'fetch answer']);
    const r = new Drive(config({ sendDigits: '9', sendOnPreanswer: true }));
    r.start();
    assert.deepEqual(r.ring(), ['record leg.ringing {"early":false} +ring']);
  });
});

// ---------------------------------------------------------------------------------------------
// The document's position; ending once; transfer.

describe('the document, ending once, the hangup report after the wind-down', () => {
  it('the call ends while the answer_url is being fetched: it closes when the fetch comes back', () => {
    const d = new Drive(config());
    d.start();
    d.answer();
    d.ends('normal');
    assert.equal(d.state.doc, 'winding-down');
    assert.deepEqual(d.fetched(), ['stop-recordings']);
    assert.deepEqual(d.stopped(), [endOf('normal', 'Caller', 'completed'), 'closed']);
  });
  it('the leg ends once: a second end, a late timer and a late document end change nothing', () => {
    const d = new Drive(config()).running();
    d.ends('normal');
    assert.deepEqual(d.api(), []);
    assert.deepEqual(d.ends('network-failure'), []);
    assert.deepEqual(d.timer('time-limit'), []);
    assert.deepEqual(d.docEnded({ type: 'end', reason: 'end-of-xml' }), ['stop-recordings']);
    assert.deepEqual(d.docEnded(), []);
    assert.deepEqual(d.stopped(), [endOf('normal', 'Caller', 'completed'), 'closed']);
    assert.deepEqual(d.stopped(), []);
  });
  it('no hangup report before the recordings stopped', () => {
    const d = new Drive(config()).running();
    d.ends('normal');
    assert.deepEqual(d.docEnded(), ['stop-recordings']);
    assert.equal(d.state.close, 'recordings');
  });
});

describe('the transfer API', () => {
  it('the running document stops; the new one is fetched once it has wound down', () => {
    const d = new Drive(config()).running();
    assert.deepEqual(d.in({ type: 'transfer', url: 'http://app/t', method: 'POST', at: d.t }), ['record call.transfer-requested {"url":"http://app/t","method":"POST"}', 'abort-document']);
    assert.equal(d.state.doc, 'winding-down');
    assert.deepEqual(d.docEnded(), ['fetch http://app/t']);
    d.fetched();
    assert.equal(d.state.doc, 'running');
    d.docEnded({ type: 'end', reason: 'end-of-xml' });
    assert.deepEqual(d.stopped(), [endOf('end-of-xml', 'Plivo', 'completed'), 'closed']);
  });
  it('the call ends while the old document winds down: no new document', () => {
    const d = new Drive(config()).running();
    d.in({ type: 'transfer', url: 'http://app/t', method: 'POST', at: d.t });
    d.ends('normal');
    assert.deepEqual(d.docEnded(), ['stop-recordings']);
  });
  it('the transfer document cannot be fetched: action-failed, source Error', () => {
    const d = new Drive(config()).running();
    d.in({ type: 'transfer', url: 'http://app/t', method: 'POST', at: d.t });
    d.docEnded();
    assert.deepEqual(d.fetched('action-failed').slice(0, 1), ['hangup NORMAL_TEMPORARY_FAILURE (BYE)']);
    assert.deepEqual(d.stopped(), [endOf('action-failed', 'Error', 'completed'), 'closed']);
  });
  it('a transfer after the end: nothing', () => {
    const d = new Drive(config()).running();
    d.ends('normal');
    assert.deepEqual(d.in({ type: 'transfer', url: 'http://app/t', method: 'POST', at: d.t }), []);
  });
  it('a B leg transferred out of its Dial: time_limit from now, its document fetched', () => {
    const d = new Drive(config({ timeLimitMs: 60_000 }));
    d.state = initialCall({ phase: 'answered', farParty: 'Callee', rang: true, ringAt: T0, answerAt: T0 });
    d.log.push({ call_uuid: 'a', type: 'call.transferred', at: d.t, data: { url: 'http://app/b', method: 'POST' } });
    assert.deepEqual(d.in({ type: 'start-transferred', url: 'http://app/b', method: 'POST', at: d.t }), ['timer.start time-limit 60000', 'fetch http://app/b']);
    d.fetched();
    assert.deepEqual(d.ends('normal').slice(0, 2), ['timer.cancel time-limit', 'cdr completed']);
    d.docEnded();
    assert.deepEqual(d.stopped(), [endOf('normal', 'Callee', 'completed'), 'closed']);
  });
});

// ---------------------------------------------------------------------------------------------
// The Dial inside the call.

describe('the Dial inside the call', () => {
  it("the caller's keys go to the document and to the Dial (digitsMatch)", () => {
    const d = new Drive(config(), [dialConfig(1, { digitsMatch: ['12'] })]).running();
    d.dialBegin();
    d.dial({ type: 'originated', leg: 0, at: d.t, data: {} });
    d.dialNet(0, { type: 'answered' });
    assert.deepEqual(d.net({ type: 'digits', digits: '12' }), ['record leg.digits {"digits":"12"}', 'digits 12', 'dial: notify b1 digits 12 by ALeg']);
  });
  it('the caller hangs up while the Dial rings: the B legs are cancelled, dial.ended, then (after the wind-down) leg.ended', () => {
    const d = new Drive(config(), [dialConfig(2)]).running();
    assert.deepEqual(d.dialBegin(), ['dial: originate b1']);
    d.dial({ type: 'originated', leg: 0, at: d.t, data: {} });
    d.dial({ type: 'originated', leg: 1, at: d.t, data: {} });
    d.dialNet(0, { type: 'ringing' });
    assert.deepEqual(d.at(3000).ends('normal'), [
      'timer.cancel time-limit',
      'cdr completed',
      'stop-media',
      'abort-document',
      'dial: hangup b1 ORIGINATOR_CANCEL',
      'dial: unregister b1',
      'dial: record b1 leg.ended {"reason":"originator-cancel","source":"Caller"}',
      'dial: hangup b2 ORIGINATOR_CANCEL',
      'dial: unregister b2',
      'dial: record b2 leg.ended {"reason":"originator-cancel","source":"Caller"}',
      'dial: record a dial.ended {"status":"cancel","rang":true,"hangupCause":"ORIGINATOR_CANCEL","bLegUuid":""}',
      'dial: done cancel',
    ]);
    d.docEnded();
    assert.deepEqual(d.stopped(), [endOf('normal', 'Caller', 'completed'), 'closed']);
  });
  it('an inbound caller still ringing is answered as the Dial bridges, before the Dial reports the answer', () => {
    const d = new Drive(config({ direction: 'inbound' }), [dialConfig(1)]);
    d.in({ type: 'start-inbound', at: d.t });
    d.fetched();
    d.dialBegin();
    d.dial({ type: 'originated', leg: 0, at: d.t, data: {} });
    assert.deepEqual(d.dialNet(0, { type: 'answered' }), [
      'dial: record b1 leg.answered',
      'answer',
      'record leg.answered',
      `timer.start time-limit ${LIMIT_MS}`,
      'dial: bridge b1',
      'dial: notify b1 answer',
      'dial: notify b1 connected',
      'dial: record a dial.bridged {"b_leg":"b1","position":1}',
      `dial: timer.start limit ${LIMIT_MS}`,
    ]);
  });
  it('the transfer API stops the Dial: the bridged callee is hung up by the API', () => {
    const d = new Drive(config(), [dialConfig(1)]).running();
    d.dialBegin();
    d.dial({ type: 'originated', leg: 0, at: d.t, data: {} });
    d.dialNet(0, { type: 'answered' });
    assert.deepEqual(d.in({ type: 'transfer', url: 'http://app/t', method: 'POST', at: d.t }), [
      'record call.transfer-requested {"url":"http://app/t","method":"POST"}',
      'abort-document',
      'dial: hangup b1 NORMAL_CLEARING (BYE)',
      'dial: unregister b1',
      'dial: record b1 leg.ended {"reason":"api-hangup","source":"API Request"}',
      'dial: notify b1 hangup',
      'dial: timer.cancel limit',
      'dial: record a dial.ended {"status":"completed","rang":true,"hangupCause":"NORMAL_CLEARING","bLegUuid":"b1"}',
      'dial: done completed',
    ]);
  });
  it('the call ended while dial.started was being written: its legs end before they are placed', () => {
    const d = new Drive(config(), [dialConfig(1)]).running();
    d.ends('normal');
    assert.deepEqual(d.dialBegin(), [
      'dial: hangup b1 ORIGINATOR_CANCEL', // not placed: the runner has no network leg to tell
      'dial: unregister b1',
      'dial: record b1 leg.ended {"reason":"originator-cancel","source":"Caller"}',
      'dial: record a dial.ended {"status":"cancel","rang":false,"hangupCause":"ORIGINATOR_CANCEL","bLegUuid":""}',
      'dial: done cancel',
    ]);
  });
  it("an earlier Dial's late input is ignored once the next Dial began", () => {
    const d = new Drive(config(), [dialConfig(1), dialConfig(1)]).running();
    d.dialBegin(0);
    d.dial({ type: 'originate-failed', leg: 0, at: d.t, error: 'x' });
    d.dialBegin(1);
    assert.deepEqual(d.in({ type: 'dial', seq: 1, input: { type: 'leg', leg: 0, input: { type: 'network', event: { type: 'answered' }, at: d.t } } }), []);
  });
});

// ---------------------------------------------------------------------------------------------
// Same instant (call-machine.ts, "Same-instant order"): timers due first, in the order they were set.

describe('same-instant inputs', () => {
  it('ring_timeout due with the answer: no-answer, and the answer meets an ended leg', () => {
    const d = new Drive(config({ ringTimeoutMs: 30_000 }));
    d.start();
    d.ring();
    d.at(30_000).timer('ring-timeout');
    assert.deepEqual(d.answer(), []);
    d.stopped();
    assert.equal(d.state.leg.end?.reason, 'ring-timeout');
  });
  it('time_limit due with the caller hanging up: ALLOTTED_TIMEOUT', () => {
    const d = new Drive(config({ timeLimitMs: 10_000 })).running();
    d.at(10_000).timer('time-limit');
    assert.deepEqual(d.ends('normal'), []);
    d.docEnded();
    assert.deepEqual(d.stopped(), [endOf('time-limit', 'Plivo', 'completed'), 'closed']);
  });
  it('hangup_on_ring and ring_timeout due together: ring_timeout (set first) wins, the other was cancelled', () => {
    const d = new Drive(config({ ringTimeoutMs: 5000, hangupOnRingMs: 5000 }));
    d.start();
    d.ring();
    assert.deepEqual(d.at(5000).timer('ring-timeout').slice(0, 3), ['hangup NO_ANSWER', 'timer.cancel hangup-on-ring', 'cdr no-answer']);
    assert.deepEqual(d.timer('hangup-on-ring'), []);
    d.stopped();
  });
  it('machine detection due with time_limit: time_limit (set first at the answer) wins, no report', () => {
    const d = new Drive(config({ timeLimitMs: 5000, machineDetection: { hangup: true, timeMs: 5000, maxSpeechMs: 5000 } }));
    d.start();
    d.answer('machine');
    d.fetched();
    assert.deepEqual(d.at(5000).timer('time-limit').slice(0, 3), ['hangup ALLOTTED_TIMEOUT (BYE)', 'timer.cancel machine-detection', 'cdr completed']);
    assert.deepEqual(d.timer('machine-detection'), []);
    d.docEnded();
    d.stopped();
  });
  it('the Hangup API and the caller hanging up in one instant: the first applied wins', () => {
    const a = new Drive(config()).running();
    a.api();
    assert.deepEqual(a.ends('normal'), []);
    a.docEnded();
    assert.deepEqual(a.stopped(), [endOf('api-hangup', 'API Request', 'completed'), 'closed']);
    const b = new Drive(config()).running();
    b.ends('normal');
    assert.deepEqual(b.api(), []);
    b.docEnded();
    assert.deepEqual(b.stopped(), [endOf('normal', 'Caller', 'completed'), 'closed']);
  });
});

// ---------------------------------------------------------------------------------------------
// Replay (issue 18 item 2).

describe('replay', () => {
  it('every call the tables closed replays from its stored events to the same state', (t) => {
    let n = 0;
    for (const d of drives) {
      if (d.state.close !== 'closed') continue;
      const adopted = d.log[0]?.type === 'call.transferred' ? { phase: 'answered', farParty: 'Callee', rang: true, ringAt: T0, answerAt: T0 } as const : undefined;
      // No Dial configuration given: each Dial's is read from its stored dial.started.
      const replayed = replayCall('a', d.config, d.log, adopted ? { leg: adopted } : {});
      assert.deepEqual(view(replayed), view(d.state), `replay of ${JSON.stringify(d.log.map((e) => e.type))}`);
      n++;
    }
    t.diagnostic(`calls replayed: ${n}`);
    assert.equal(n, drives.filter((d) => d.state.close === 'closed').length);
    assert.ok(n >= 35, `only ${n} calls replayed`);
  });
  it("a transfer pending the old document's wind-down replays with its URL and method", () => {
    const d = new Drive(config()).running();
    d.in({ type: 'transfer', url: 'http://app/t', method: 'GET', at: d.t });
    assert.deepEqual(replayCall('a', d.config, d.log).transfer, { url: 'http://app/t', method: 'GET' });
    d.docEnded();
    d.fetched();
    d.docEnded({ type: 'end', reason: 'end-of-xml' });
    d.stopped();
  });
});

/**
 * What the events cannot say and nothing depends on once the call closed: who ended a leg (`local`), a
 * 183 after a 180. (What machine detection would have reported is compared: `leg.answered` says who
 * answered, even when the call ended before the verdict.)
 */
function view(s: CallState): unknown {
  const leg = (l: CallState['leg']) => ({ ...l, phase: l.phase === 'early' ? 'ringing' : l.phase, end: l.end && { ...l.end, local: undefined } });
  return {
    ...s,
    leg: leg(s.leg),
    dial: s.dial && { ...s.dial, state: { ...s.dial.state, legs: s.dial.state.legs.map((l) => ({ ...l, leg: leg(l.leg) })) } },
  };
}
