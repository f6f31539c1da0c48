/**
 * Applications (plivo.md §1.8): the URLs an inbound call to a number runs with. At most one is the
 * `default_number_app`, which answers calls to numbers that have no application of their own.
 */
import type { Clock } from '../clock.ts';
import type { AppStore, ApplicationRow } from '../store/app-store.ts';
import { newNumericId } from '../util/numeric-id.ts';

/** The fields a create or update may set (undefined = not given: keep / default). */
export interface ApplicationFields {
  appName?: string;
  answerUrl?: string | null;
  answerMethod?: string;
  hangupUrl?: string | null;
  hangupMethod?: string;
  fallbackAnswerUrl?: string | null;
  fallbackMethod?: string;
  messageUrl?: string | null;
  messageMethod?: string;
  defaultNumberApp?: boolean;
  defaultEndpointApp?: boolean;
  logIncomingMessages?: boolean;
}

export class Applications {
  constructor(
    private readonly store: AppStore,
    private readonly clock: Clock,
  ) {}

  async create(appName: string, f: ApplicationFields, account: string | null = null): Promise<ApplicationRow> {
    const now = this.clock.now();
    const row = apply(
      {
        // Plivo's app_id is numeric (plivo-node request-test `Application/`); older UUID ids keep working.
        app_id: newNumericId(),
        app_name: appName,
        answer_url: null,
        answer_method: 'POST',
        hangup_url: null,
        hangup_method: 'POST',
        fallback_answer_url: null,
        fallback_method: 'POST',
        message_url: null,
        message_method: 'POST',
        default_number_app: 0,
        default_endpoint_app: 0,
        log_incoming_messages: 1,
        created_at: now,
        updated_at: now,
        account_id: account,
      },
      f,
    );
    await this.store.insertApplication(row);
    if (row.default_number_app) await this.store.clearDefaultNumberApplication(row.app_id);
    return row;
  }

  /** Undefined when there is no such application. */
  async update(appId: string, f: ApplicationFields): Promise<ApplicationRow | undefined> {
    const current = await this.store.getApplication(appId);
    if (!current) return undefined;
    const row = apply({ ...current, updated_at: this.clock.now() }, f);
    await this.store.updateApplication(row);
    if (row.default_number_app) await this.store.clearDefaultNumberApplication(row.app_id);
    return row;
  }

  get(appId: string): Promise<ApplicationRow | undefined> {
    return this.store.getApplication(appId);
  }

  list(page: { limit: number; offset: number; appName?: string; account?: string }): Promise<{ rows: ApplicationRow[]; total: number }> {
    return this.store.listApplications(page);
  }

  remove(appId: string): Promise<boolean> {
    return this.store.deleteApplication(appId);
  }

  defaultForNumbers(): Promise<ApplicationRow | undefined> {
    return this.store.defaultNumberApplication();
  }
}

function apply(row: ApplicationRow, f: ApplicationFields): ApplicationRow {
  const out = { ...row };
  if (f.appName !== undefined) out.app_name = f.appName;
  if (f.answerUrl !== undefined) out.answer_url = f.answerUrl;
  if (f.answerMethod !== undefined) out.answer_method = f.answerMethod;
  if (f.hangupUrl !== undefined) out.hangup_url = f.hangupUrl;
  if (f.hangupMethod !== undefined) out.hangup_method = f.hangupMethod;
  if (f.fallbackAnswerUrl !== undefined) out.fallback_answer_url = f.fallbackAnswerUrl;
  if (f.fallbackMethod !== undefined) out.fallback_method = f.fallbackMethod;
  if (f.messageUrl !== undefined) out.message_url = f.messageUrl;
  if (f.messageMethod !== undefined) out.message_method = f.messageMethod;
  if (f.defaultNumberApp !== undefined) out.default_number_app = f.defaultNumberApp ? 1 : 0;
  if (f.defaultEndpointApp !== undefined) out.default_endpoint_app = f.defaultEndpointApp ? 1 : 0;
  if (f.logIncomingMessages !== undefined) out.log_incoming_messages = f.logIncomingMessages ? 1 : 0;
  return out;
}
