/**
 * The tables as Kysely sees them. Column types are the stored ones: JSON is TEXT, booleans are
 * 0/1, times are integer milliseconds since the epoch. The row shapes match `store.ts` one to one,
 * so a selected row is returned as it is, without mapping.
 */
import type { Generated } from 'kysely';
import type { AttemptRow, CallRow, DeliveryRow, EventRow, SimNumberRow } from './store.ts';

export interface SettingsTable {
  key: string;
  value: string;
}

export type CallsTable = CallRow;

export interface EventsTable extends Omit<EventRow, 'id'> {
  id: Generated<number>;
}

export type DeliveriesTable = DeliveryRow;

export interface DeliveryAttemptsTable extends Omit<AttemptRow, 'id' | 'params'> {
  id: Generated<number>;
}

export type SimNumbersTable = SimNumberRow;

export interface SchemaMigrationsTable {
  version: number;
  name: string;
  applied_at: number;
}

/** A subaccount of the main account (docs/accounts.md). */
export interface AccountsTable {
  auth_id: string;
  name: string;
  auth_token: string;
  enabled: number; // 0/1
  created_at: number;
  modified_at: number | null;
}

export interface Database {
  accounts: AccountsTable;
  settings: SettingsTable;
  calls: CallsTable;
  events: EventsTable;
  deliveries: DeliveriesTable;
  delivery_attempts: DeliveryAttemptsTable;
  sim_numbers: SimNumbersTable;
  schema_migrations: SchemaMigrationsTable;
}
