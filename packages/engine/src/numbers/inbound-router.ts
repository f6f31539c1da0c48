/**
 * Which application answers an inbound call (plivo.md §1.8, DESIGN.md "Inbound calls enter through
 * a Number"): the number's application, or the flow attached to it; a number with neither falls
 * back to the default_number_app. A call to a number the account does not have goes to the
 * engine-wide `--inbound-answer-url` when one is configured. Anything else is rejected, and the
 * cause is recorded: logged, and shown by `POST Simulator/Call/` (`routing`).
 */
import type { InboundApp, InboundRouter } from './inbound-app.ts';
import type { Logger } from '../util/logger.ts';
import type { ApplicationRow } from '../store/app-store.ts';
import type { Method } from '../xml/elements.ts';
import { normalizeNumber } from '../util/phone.ts';
import type { Flows } from '../flows/flow-service.ts';
import type { Applications } from './applications.ts';
import type { PhoneNumbers } from './phone-numbers.ts';

export type RejectCause = 'number_not_found' | 'no_application' | 'application_without_answer_url' | 'flow_not_found' | 'flow_without_incoming_call';

export type RouteDecision =
  | { readonly kind: 'application'; readonly number: string; readonly appId: string; readonly via: 'number' | 'default_number_app'; readonly app: InboundApp }
  | { readonly kind: 'flow'; readonly number: string; readonly flowId: string; readonly app: InboundApp }
  | { readonly kind: 'answer_url'; readonly number: string; readonly app: InboundApp }
  | { readonly kind: 'rejected'; readonly number: string; readonly cause: RejectCause; readonly message: string };

export interface RoutingDeps {
  applications: Applications;
  numbers: PhoneNumbers;
  flows: Flows;
  log: Logger;
  /** config.inboundAnswerUrl: the catch-all for numbers the account does not have. */
  inboundAnswerUrl?: string;
}

function asMethod(m: string): Method {
  return m === 'GET' ? 'GET' : 'POST';
}

function appOf(row: ApplicationRow): InboundApp | undefined {
  if (!row.answer_url) return undefined;
  return {
    answerUrl: row.answer_url,
    answerMethod: asMethod(row.answer_method),
    ...(row.fallback_answer_url && { fallbackUrl: row.fallback_answer_url, fallbackMethod: asMethod(row.fallback_method) }),
    ...(row.hangup_url && { hangupUrl: row.hangup_url, hangupMethod: asMethod(row.hangup_method) }),
  };
}

export class InboundRouting {
  constructor(private readonly deps: RoutingDeps) {}

  /** The decision for a call to `to`, without placing anything (also what Simulator/Call shows). */
  async decide(to: string): Promise<RouteDecision> {
    const { numbers, applications, flows, inboundAnswerUrl } = this.deps;
    const number = normalizeNumber(to);
    const row = await numbers.get(number);
    if (!row) {
      if (inboundAnswerUrl) return { kind: 'answer_url', number, app: { answerUrl: inboundAnswerUrl, answerMethod: 'POST' } };
      return { kind: 'rejected', number, cause: 'number_not_found', message: `${number} is not one of the account's numbers (add it: POST PhoneNumber/${number}/)` };
    }
    if (row.flow_id) {
      const found = await flows.get(row.flow_id);
      if (!found) return { kind: 'rejected', number, cause: 'flow_not_found', message: `${number}: its flow ${row.flow_id} does not exist` };
      if (!flows.takesCalls(found.flow)) {
        return { kind: 'rejected', number, cause: 'flow_without_incoming_call', message: `${number}: flow ${row.flow_id} has no incoming_call transition on its Start node` };
      }
      // The call is the number's owner's, and so is the flow run it starts (docs/accounts.md).
      return { kind: 'flow', number, flowId: row.flow_id, app: { answerUrl: `flow:${row.flow_id}`, answerMethod: 'POST', program: flows.programFor(row.flow_id, found.flow, row.account_id), account: row.account_id } };
    }
    const own = row.app_id ? await applications.get(row.app_id) : undefined;
    const via = own ? 'number' : 'default_number_app';
    const app = own ?? (await applications.defaultForNumbers());
    if (!app) return { kind: 'rejected', number, cause: 'no_application', message: `${number} has no application and no application is the default_number_app` };
    const inbound = appOf(app);
    if (!inbound) return { kind: 'rejected', number, cause: 'application_without_answer_url', message: `${number}: application ${app.app_id} has no answer_url` };
    return { kind: 'application', number, appId: app.app_id, via, app: { ...inbound, account: row.account_id } };
  }

  /** The engine's InboundRouter: a decision, with rejections logged. */
  router: InboundRouter = async (to, from) => {
    const d = await this.decide(to);
    if (d.kind === 'rejected') {
      this.deps.log.warn({ to: d.number, from, cause: d.cause }, `inbound call rejected: ${d.message}`);
      return undefined;
    }
    return d.app;
  };
}

/** The JSON form of a decision (the `routing` of a Simulator/Call answer). */
export function decisionView(d: RouteDecision): Record<string, unknown> {
  switch (d.kind) {
    case 'application':
      return { number: d.number, action: 'application', app_id: d.appId, via: d.via, answer_url: d.app.answerUrl };
    case 'flow':
      return { number: d.number, action: 'flow', flow_id: d.flowId };
    case 'answer_url':
      return { number: d.number, action: 'answer_url', via: 'inbound_answer_url', answer_url: d.app.answerUrl };
    case 'rejected':
      return { number: d.number, action: 'reject', cause: d.cause, message: d.message };
  }
}
