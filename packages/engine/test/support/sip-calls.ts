/**
 * What the SIP end-to-end tests share: sipp's message trace read back as messages, and the two
 * call shapes most of them run: one API call out through a trunk to a sipp UAS, and one inbound
 * call from a sipp UAC to a DID whose app may Dial sipp callees. Each call waits for the hangup,
 * requires every sipp to exit 0, runs the test's checks with sipp's log on a failure, requires
 * every webhook signed, and always kills its sipps and closes the rig.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startSipRig, AUTH_TOKEN, type SipRig } from './sip-rig.ts';
import { startSipp, expectSippOk, type SippOptions, type SippRun } from './sipp.ts';

/** The number an inbound call's sipp UAC dials: a PhoneNumber of the call's Application. */
export const DID = '15553330001';
/** Whom the outbound calls ring (the Call API's `to`). */
export const OUTBOUND_TO = '+15551110001';
/** The numbers an inbound call's callees answer by default, in order: each behind a trunk with that `;prefix=`. */
export const B1 = '15552220001';
export const B2 = '15552220002';
/** The parameters of a hangup webhook that say how the call ended. */
export const HANGUP_KEYS = ['Event', 'CallStatus', 'HangupCause', 'HangupCauseCode', 'HangupSource', 'Direction'];

/** Every webhook's path in order, with `:DialAction` on a Dial's callbacks. */
export const paths = (rig: SipRig): string[] => rig.app.requests().map((r) => r.path + (r.params.DialAction ? ':' + r.params.DialAction : ''));

/** One SIP message as sipp traced it; `text` from the start line on, with `\n` line ends. */
export interface TracedMessage {
  readonly transport: 'UDP' | 'TCP';
  /** Sent by sipp (else received from the engine). */
  readonly sent: boolean;
  readonly text: string;
}

/** sipp's message trace as written (`-trace_msg`), CRLFs and log lines included. */
export function traceText(run: SippRun): string {
  return readdirSync(run.dir)
    .filter((f) => f.endsWith('_messages.log'))
    .map((f) => readFileSync(join(run.dir, f), 'utf8'))
    .join('\n');
}

/** Every message in sipp's trace, in order. Socket complaints sipp logs between them are dropped. */
export function traceMessages(run: SippRun): TracedMessage[] {
  const out: TracedMessage[] = [];
  // A body could hold a line of dashes; the timestamp makes the separator sipp's own.
  for (const block of traceText(run).replace(/\r/g, '').split(/^-{10,} \d{4}-.*$/m)) {
    const m = /^\s*(UDP|TCP) message (sent|received)[^\n]*\n([\s\S]*)$/.exec(block);
    if (m) out.push({ transport: m[1] as 'UDP' | 'TCP', sent: m[2] === 'sent', text: m[3]!.trim() });
  }
  return out;
}

export const startLine = (m: TracedMessage): string => m.text.split('\n', 1)[0]!.trim();

/** The first value of a header (the name in any case), up to the blank line. */
export function header(m: TracedMessage, name: string): string | undefined {
  const want = name.toLowerCase();
  for (const line of m.text.split('\n').slice(1)) {
    if (line.trim() === '') return undefined;
    const colon = line.indexOf(':');
    if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === want) return line.slice(colon + 1).trim();
  }
  return undefined;
}

/** What follows the blank line, or '' without one. */
export function body(m: TracedMessage): string {
  const blank = m.text.indexOf('\n\n');
  return blank >= 0 ? m.text.slice(blank + 2).trim() : '';
}

/** The start lines of what sipp sent (`sent`) or received. */
export const firstLines = (run: SippRun, sent: boolean): string[] => traceMessages(run).filter((m) => m.sent === sent).map(startLine);

/** The messages whose start line begins with `start`, of one direction and one CSeq where given. */
export function findMessages(from: SippRun | readonly TracedMessage[], start: string, where: { sent?: boolean; cseq?: string } = {}): TracedMessage[] {
  const all = 'dir' in from ? traceMessages(from) : from;
  return all.filter((m) => m.text.startsWith(start) && (where.sent === undefined || m.sent === where.sent) && (where.cseq === undefined || header(m, 'cseq') === where.cseq));
}

/** Runs `check`, and when it fails, puts the sipps' logs under its message: the wire explains most failures. */
async function withLogs(runs: readonly SippRun[], check: () => Promise<void> | void): Promise<void> {
  try {
    await check();
  } catch (err) {
    (err as Error).message += runs.map((r) => `\n${r.log()}`).join('');
    throw err;
  }
}

export interface OutboundCall {
  /** The callee, a sipp UAS. */
  readonly sipp: SippOptions;
  /** The `--sip-trunk` to it; `sip:127.0.0.1:<port>` without one. */
  readonly trunk?: (port: number) => string;
  /** Added to (or overriding) the Call API's parameters. */
  readonly callParams?: Record<string, unknown>;
  readonly answerXml: string;
}

/** One Call API call to OUTBOUND_TO through a trunk to a sipp UAS; `check` runs once the call is over and sipp exited 0. */
export async function outboundCall(o: OutboundCall, check: (rig: SipRig, uas: SippRun) => Promise<void> | void): Promise<void> {
  const uas = await startSipp(o.sipp);
  const rig = await startSipRig({ trunks: o.trunk ? o.trunk(uas.port) : `sip:127.0.0.1:${uas.port}` });
  try {
    rig.app.on('/answer', o.answerXml);
    const res = await rig.api('POST', 'Call/', {
      from: '+15550000000',
      to: OUTBOUND_TO,
      answer_url: rig.app.url('/answer'),
      ring_url: rig.app.url('/ring'),
      hangup_url: rig.app.url('/hangup'),
      ...o.callParams,
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    await rig.waitFor('/hangup');
    await rig.settle();
    await expectSippOk(uas, o.sipp.scenario);
    await withLogs([uas], () => check(rig, uas));
    rig.app.assertAllSigned({ authToken: AUTH_TOKEN, mainAuthToken: AUTH_TOKEN });
  } finally {
    uas.kill();
    await rig.close();
  }
}

export interface InboundCall {
  /** The caller, a sipp UAC; it dials DID at the engine. */
  readonly caller: Omit<SippOptions, 'remote' | 'service'>;
  /** sipp UASes the app can Dial, each behind its own trunk. */
  readonly callees?: readonly SippOptions[];
  /** The callees' numbers, in the callees' order; [B1, B2] without them. */
  readonly calleeNumbers?: readonly string[];
  /** The app's XML for the inbound call. */
  readonly xml: string | ((rig: SipRig) => string);
}

/** One call from a sipp UAC to DID; `check` runs once the call is over and every sipp exited 0. */
export async function inboundCall(o: InboundCall, check: (rig: SipRig, uac: SippRun, callees: SippRun[]) => Promise<void> | void): Promise<void> {
  const calleeOpts = o.callees ?? [];
  const numbers = o.calleeNumbers ?? [B1, B2];
  if (calleeOpts.length > numbers.length) throw new Error(`${calleeOpts.length} callees, ${numbers.length} numbers for them`);
  const callees = await Promise.all(calleeOpts.map((c) => startSipp(c)));
  // Without callees a trunk that leads nowhere (discard) still routes a Dial, which then fails.
  const trunks = callees.length > 0 ? callees.map((c, i) => `sip:127.0.0.1:${c.port};prefix=${numbers[i]}`).join(',') : `sip:127.0.0.1:9;prefix=${numbers[0]}`;
  const rig = await startSipRig({ trunks });
  let uac: SippRun | undefined;
  try {
    rig.app.on('/inbound', typeof o.xml === 'string' ? o.xml : o.xml(rig));
    const app = await rig.api('POST', 'Application/', { app_name: 'sip', answer_url: rig.app.url('/inbound'), hangup_url: rig.app.url('/hangup') });
    assert.equal(app.status, 201, JSON.stringify(app.body));
    assert.equal((await rig.api('POST', `PhoneNumber/${DID}/`, { app_id: app.body.app_id })).status, 201);
    uac = await startSipp({ ...o.caller, remote: rig.sipAddress, service: DID });
    await expectSippOk(uac, `caller ${o.caller.scenario}`);
    await rig.waitFor('/hangup');
    await rig.settle();
    for (const [i, c] of callees.entries()) await expectSippOk(c, `callee ${numbers[i]} ${calleeOpts[i]!.scenario}`);
    const caller = uac;
    await withLogs([caller, ...callees], () => check(rig, caller, callees));
    rig.app.assertAllSigned({ authToken: AUTH_TOKEN, mainAuthToken: AUTH_TOKEN });
  } finally {
    uac?.kill();
    for (const c of callees) c.kill();
    await rig.close();
  }
}
