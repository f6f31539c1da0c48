/**
 * Applications and the account's phone numbers (plivo.md §1.8): the rows as stored and what the
 * services need from a store. Booleans are 0/1 and times ms since the epoch, as everywhere.
 */
export interface ApplicationRow {
  app_id: string;
  app_name: string;
  answer_url: string | null;
  answer_method: string;
  hangup_url: string | null;
  hangup_method: string;
  fallback_answer_url: string | null;
  fallback_method: string;
  message_url: string | null;
  message_method: string;
  default_number_app: number;
  default_endpoint_app: number;
  log_incoming_messages: number;
  created_at: number;
  updated_at: number;
  /** The owning subaccount; null for the main account (docs/accounts.md). */
  account_id: string | null;
}

export interface PhoneNumberRow {
  number: string;
  alias: string | null;
  number_type: string;
  app_id: string | null;
  flow_id: string | null;
  added_at: number;
  updated_at: number;
  /** The owning subaccount; null for the main account (docs/accounts.md). */
  account_id: string | null;
  /** Add-own-number's carrier and region (migration 008); null or absent: the engine's defaults. */
  carrier?: string | null;
  region?: string | null;
}

export interface NumberFilter {
  type?: string;
  numberStartswith?: string;
  alias?: string;
  appId?: string;
  /** Only this subaccount's numbers; absent = every account's. */
  account?: string;
  limit: number;
  offset: number;
}

export interface AppStore {
  insertApplication(row: ApplicationRow): Promise<void>;
  /** Saves every column of an existing application; false when it does not exist. */
  updateApplication(row: ApplicationRow): Promise<boolean>;
  getApplication(appId: string): Promise<ApplicationRow | undefined>;
  listApplications(page: { limit: number; offset: number; appName?: string; account?: string }): Promise<{ rows: ApplicationRow[]; total: number }>;
  deleteApplication(appId: string): Promise<boolean>;
  /** The application inbound calls fall back to, if one is marked default_number_app. */
  defaultNumberApplication(): Promise<ApplicationRow | undefined>;
  /** Clears default_number_app on every application but `keep` (there is at most one default). */
  clearDefaultNumberApplication(keep: string): Promise<void>;

  /** Inserts or replaces a number's row. */
  saveNumber(row: PhoneNumberRow): Promise<void>;
  getNumber(number: string): Promise<PhoneNumberRow | undefined>;
  listNumbers(filter: NumberFilter): Promise<{ rows: PhoneNumberRow[]; total: number }>;
  deleteNumber(number: string): Promise<boolean>;
}
