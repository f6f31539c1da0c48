/**
 * The calls whose report rollup is still to be written (rollups-behind.ts, docs/reports.md "When
 * rollups are written"). On SQLite an A leg's end adds its call here, in the transaction that
 * stores the end, and the rollup is written later for many calls at once, deleting their rows: a
 * crash in between loses nothing, since start-up rolls up whatever is left. A table without a key:
 * rows are appended and deleted all together, never looked up one by one. On PostgreSQL, where a
 * call's rollup is written in the transaction that ends it, the table stays empty.
 */
import type { Kysely } from 'kysely';
import type { Migration } from '../migrator.ts';

async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('report_rollups_pending')
    .addColumn('call_uuid', 'text', (c) => c.notNull())
    .execute();
}

export const reportRollupsPending: Migration = { version: 12, name: 'report-rollups-pending', up };
