/**
 * The subaccount indexes hold only subaccounts' rows. `calls_by_account` and
 * `deliveries_by_account` serve one question, a subaccount's own calls or deliveries
 * (`account_id = ?`, docs/accounts.md); the main account lists every row and never asks by
 * account. Yet its rows, whose `account_id` is null, were all in both indexes, under one key
 * nothing looks up: an index entry written for every leg and every webhook, for nothing.
 *
 * `account_id = ?` implies `account_id is not null` on both databases (SQLite:
 * https://sqlite.org/partialindex.html §3; PostgreSQL: a strict operator's argument is not null),
 * so those queries use the partial indexes with no change to them (docs/storage.md, "Indexes of
 * the rows in flight").
 */
import { sql, type Kysely } from 'kysely';
import type { Migration } from '../migrator.ts';

async function up(db: Kysely<any>): Promise<void> {
  const subaccounts = sql.raw<boolean>('account_id is not null');
  await db.schema.dropIndex('calls_by_account').execute();
  await db.schema.createIndex('calls_by_account').on('calls').columns(['account_id', 'initiation_time']).where(subaccounts).execute();
  await db.schema.dropIndex('deliveries_by_account').execute();
  await db.schema.createIndex('deliveries_by_account').on('deliveries').columns(['account_id', 'created_at']).where(subaccounts).execute();
}

export const subaccountIndexes: Migration = { version: 16, name: 'subaccount-indexes', up };
