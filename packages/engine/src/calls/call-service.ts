/**
 * Where calls begin: Make-a-Call requests and inbound legs become CallSessions. Also the API's
 * verbs on live calls (hangup, cancel, transfer) and crash recovery of calls that were live when
 * the engine stopped.
 */
import type { NetworkLeg } from '../network/network.ts';
import type { CallRow } from '../store/store.ts';
import type { MakeCallRequest } from './call-setup.ts';
import { newId, newTimeOrderedId } from '../util/ids.ts';
import { normalizeNumber } from '../util/phone.ts';
import type { CallSetup } from './call-setup.ts';
import type { CallProgram } from '../interpreter/run-document.ts';
import type { LegRunner } from './leg-runner.ts';
import { CallSession } from './call-session.ts';
import { newCallRow } from './call-row.ts';
import type { EngineDeps } from './engine-deps.ts';
import { CAUSES } from '../domain/causes.ts';
import { hangupParams } from '../webhooks/params.ts';
import type { Method } from '../xml/elements.ts';
import type { InboundApp, InboundRouter } from '../numbers/inbound-app.ts';


export class CallService {
  private sessions = new Set<CallSession>();
  private accepting = true;

  constructor(
    private readonly deps: EngineDeps,
    private readonly route: InboundRouter,
  ) {
    deps.network.onInbound((leg) => void this.acceptInbound(leg));
  }

  get live(): number {
    return this.sessions.size;
  }

  /** Stops taking new calls (graceful shutdown). */
  stopAccepting(): void {
    this.accepting = false;
  }
  get isAccepting(): boolean {
    return this.accepting;
  }

  /**
   * Creates one call per destination, records them as queued and starts them. Resolves once
   * every call row is stored, before any leg rings (engine.md §1: POST Call/ answers at once).
   */
  async makeCalls(req: MakeCallRequest, account: string | null = null): Promise<string[]> {
    const { clock, store } = this.deps;
    const requestUuids: string[] = [];
    const starts: CallSession[] = [];
    for (const to of req.to) {
      const requestUuid = newId();
      const row = this.newRow({
        requestUuid,
        direction: 'outbound',
        from: req.from,
        to,
        callerName: req.callerName ?? req.from,
        at: clock.now(),
        params: { ...req, to },
        status: 'queued',
        account,
      });
      await store.insertCall(row);
      const setup: CallSetup = {
        answerUrl: req.answerUrl,
        answerMethod: req.answerMethod,
        fallbackUrl: req.fallbackUrl,
        fallbackMethod: req.fallbackMethod,
        ringUrl: req.ringUrl,
        ringMethod: req.ringMethod,
        hangupUrl: req.hangupUrl,
        hangupMethod: req.hangupMethod,
        timeLimitS: req.timeLimit,
        ringTimeoutS: req.ringTimeout,
        hangupOnRingS: req.hangupOnRing,
        sendDigits: req.sendDigits,
        sendOnPreanswer: req.sendOnPreanswer,
        sipHeaders: req.sipHeaders,
        ...(req.machineDetection ? { machineDetection: req.machineDetection } : {}),
      };
      const session = this.track(new CallSession(this.deps, row, setup));
      session.journal.record({ callUuid: row.call_uuid, at: row.initiation_time, type: 'call.queued', data: { warnings: req.warnings } });
      requestUuids.push(requestUuid);
      starts.push(session);
    }
    for (const s of starts) s.startOutbound();
    return requestUuids;
  }

  private async acceptInbound(leg: NetworkLeg): Promise<void> {
    const { clock, store, log } = this.deps;
    try {
      const app = this.accepting ? await this.route(normalizeNumber(leg.to), normalizeNumber(leg.from)) : undefined;
      if (!app) {
        leg.reject(this.accepting ? CAUSES.unallocated.cause : CAUSES['network-failure'].cause);
        log.info({ to: leg.to, from: leg.from }, 'inbound call rejected: no application for the number');
        return;
      }
      const row = this.newRow({
        requestUuid: newId(),
        direction: 'inbound',
        from: leg.from,
        to: leg.to,
        callerName: leg.callerName ?? normalizeNumber(leg.from),
        at: clock.now(),
        params: { app, sipHeaders: leg.headers },
        status: 'ringing',
        account: app.account ?? null,
      });
      await store.insertCall(row);
      const setup: CallSetup = {
        answerUrl: app.answerUrl,
        answerMethod: app.answerMethod,
        fallbackUrl: app.fallbackUrl,
        fallbackMethod: app.fallbackMethod ?? 'POST',
        ringMethod: 'POST',
        hangupUrl: app.hangupUrl,
        hangupMethod: app.hangupMethod ?? 'POST',
        timeLimitS: 14400,
        sendOnPreanswer: false,
        sipHeaders: { ...leg.headers },
        program: app.program,
      };
      const session = this.track(new CallSession(this.deps, row, setup));
      session.journal.record({ callUuid: row.call_uuid, at: row.initiation_time, type: 'call.inbound', data: { app } });
      session.startInbound(leg);
    } catch (err) {
      log.error({ err }, 'could not accept an inbound call');
      leg.reject(CAUSES['network-failure'].cause);
    }
  }

  /**
   * An outbound call driven by a program instead of an answer_url (a flow's initiate_call node).
   * `done` resolves with the final CDR, so the caller can tell answered from busy / no-answer.
   */
  async placeProgramCall(o: { from: string; to: string; label: string; ringTimeoutS?: number; program: CallProgram; account?: string | null }): Promise<{ callUuid: string; done: Promise<CallRow> }> {
    const { clock, store } = this.deps;
    const row = this.newRow({ requestUuid: newId(), direction: 'outbound', from: o.from, to: o.to, callerName: normalizeNumber(o.from), at: clock.now(), params: { program: o.label }, status: 'queued', account: o.account ?? null });
    await store.insertCall(row);
    const setup: CallSetup = {
      answerUrl: o.label,
      answerMethod: 'POST',
      fallbackMethod: 'POST',
      ringMethod: 'POST',
      hangupMethod: 'POST',
      timeLimitS: 14400,
      ringTimeoutS: o.ringTimeoutS,
      sendOnPreanswer: false,
      sipHeaders: {},
      program: o.program,
    };
    const session = this.track(new CallSession(this.deps, row, setup));
    session.journal.record({ callUuid: row.call_uuid, at: row.initiation_time, type: 'call.queued', data: { program: o.label } });
    session.startOutbound();
    return { callUuid: row.call_uuid, done: session.done.then(() => session.row) };
  }

  /** A B leg transferred out of its Dial (transfer API, legs=bleg|both) runs the document at `url`. */
  adoptTransferred(leg: LegRunner, url: string, method: Method): CallSession {
    const setup: CallSetup = {
      answerUrl: url,
      answerMethod: method,
      fallbackMethod: 'POST',
      ringMethod: 'POST',
      hangupMethod: 'POST',
      timeLimitS: 14400,
      sendOnPreanswer: false,
      sipHeaders: {},
    };
    const session = this.track(new CallSession(this.deps, leg.row, setup, leg));
    session.journal.record({ callUuid: leg.uuid, at: this.deps.clock.now(), type: 'call.transferred', data: { url, method } });
    session.startTransferred(url, method);
    return session;
  }

  private track(session: CallSession): CallSession {
    this.sessions.add(session);
    void session.done.then(() => this.sessions.delete(session));
    return session;
  }

  private newRow(o: {
    requestUuid: string;
    direction: 'inbound' | 'outbound';
    from: string;
    to: string;
    callerName: string;
    at: number;
    params: unknown;
    status: 'queued' | 'ringing';
    account?: string | null;
  }): CallRow {
    return newCallRow({ ...o, nodeId: this.deps.nodeId });
  }

  session(uuid: string): CallSession | undefined {
    for (const s of this.sessions) if (s.uuid === uuid) return s;
    return undefined;
  }

  /** Every call that is live on this node, A legs first. */
  sessionsList(): CallSession[] {
    return [...this.sessions];
  }

  /**
   * Calls that were live when the engine last stopped are closed with the engine-restart cause
   * (engine.md §2) and their hangup_url is notified. Returns how many were closed.
   */
  async recoverInterrupted(): Promise<number> {
    return this.closeInterrupted(await this.deps.store.listLiveCalls(this.deps.nodeId));
  }

  /**
   * Closes calls whose node is gone, as recovery does: this node's own after a restart, or a dead
   * node's after this node took them over (cluster/takeover.ts). Each leg gets its final CDR and
   * each A leg one hangup report.
   */
  async closeInterrupted(live: readonly CallRow[]): Promise<number> {
    const { store, clock, outbox, billingIncrementS } = this.deps;
    const row = CAUSES['engine-restart'];
    for (const call of live) {
      const now = clock.now();
      const answered = call.answer_time !== null;
      const ended: CallRow = {
        ...call,
        call_status: answered ? 'completed' : 'failed',
        call_state: 'COMPLETED',
        end_time: now,
        hangup_cause: row.cause,
        hangup_cause_code: row.code,
        hangup_cause_name: row.name,
        hangup_source: row.source,
      };
      const duration = answered ? Math.max(0, Math.round((now - call.answer_time!) / 1000)) : 0;
      ended.call_duration = duration;
      ended.bill_duration = duration;
      ended.billed_duration = answered ? Math.ceil(Math.max(1, duration) / billingIncrementS) * billingIncrementS : 0;
      const params = JSON.parse(call.params) as { hangupUrl?: string; hangupMethod?: Method; app?: InboundApp };
      const hangupUrl = params.hangupUrl ?? params.app?.hangupUrl;
      const hangupMethod = params.hangupMethod ?? params.app?.hangupMethod ?? 'POST';
      const { call_uuid: _uuid, ...patch } = ended;
      const { deliveries } = await store.record({
        callUuid: call.call_uuid,
        at: now,
        type: 'leg.ended',
        data: { reason: 'engine-restart', source: row.source },
        patch,
        deliveries:
          hangupUrl && call.parent_call_uuid === null
            ? [{ id: newTimeOrderedId(), kind: 'hangup', event: 'Hangup', url: hangupUrl, method: hangupMethod, params: hangupParams(ended, billingIncrementS), synchronous: false }]
            : [],
      });
      outbox.submit(deliveries);
    }
    return live.length;
  }
}

