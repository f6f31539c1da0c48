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

export interface DeliveryAttemptsTable extends Omit<AttemptRow, 'id'> {
  id: Generated<number>;
}

export type SimNumbersTable = SimNumberRow;

export interface SchemaMigrationsTable {
  version: number;
  name: string;
  applied_at: number;
}

export interface Database {
  settings: SettingsTable;
  calls: CallsTable;
  events: EventsTable;
  deliveries: DeliveriesTable;
  delivery_attempts: DeliveryAttemptsTable;
  sim_numbers: SimNumbersTable;
  schema_migrations: SchemaMigrationsTable;
}
