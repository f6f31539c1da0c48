/**
 * Subaccounts and ownership (docs/accounts.md; plivo.md §1.1 for the auth_id shape). `accounts`
 * holds the main account's subaccounts; the main account itself stays in `settings` (or the
 * environment). Every call, delivery, application, number, flow and flow run gets an owner column:
 * NULL is the main account, so rows written before this migration stay the main account's, and a
 * regenerated main auth_id keeps its data.
 */
import type { Kysely } from 'kysely';
import type { Migration } from '../migrator.ts';

async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('accounts')
    .addColumn('auth_id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('auth_token', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'integer', (c) => c.notNull())
    .addColumn('modified_at', 'integer')
    .execute();
  for (const table of ['calls', 'deliveries', 'applications', 'phone_numbers', 'flows', 'flow_runs']) {
    await db.schema.alterTable(table).addColumn('account_id', 'text').execute();
  }
  // A subaccount's lists read by owner; the main account's (NULL and every subaccount) read as before.
  await db.schema.createIndex('calls_by_account').on('calls').columns(['account_id', 'initiation_time']).execute();
  await db.schema.createIndex('deliveries_by_account').on('deliveries').columns(['account_id', 'created_at']).execute();
}

export const accounts: Migration = { version: 5, name: 'accounts', up };
