/**
 * Dial report rollups (docs/reports.md): one row per (hour, grouping dimension, key, attempt kind)
 * and, for the number and application dimensions, one per day as well,
 * maintained as each call's A leg ends (sqlite-rollups.ts, pg-store.ts), so the report over a million calls
 * reads thousands of rows, not millions. Existing calls are rolled up here once. Also the indexes
 * the webhook health report and the outbox depth gauge read by.
 */
import { sql, type Kysely } from 'kysely';
import type { Migration } from '../migrator.ts';
import { backfillRollups } from '../report-backfill.ts';

async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('report_rollups')
    .addColumn('hour', 'integer', (c) => c.notNull()) // ms, start of the UTC hour (or, for a /day dim, day) the attempt started in
    .addColumn('dim', 'text', (c) => c.notNull()) // all | destination | caller_id | application, each also as <dim>/day
    .addColumn('key', 'text', (c) => c.notNull()) // '' for dim = all
    .addColumn('kind', 'text', (c) => c.notNull()) // call | dial
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('answered', 'integer', (c) => c.notNull())
    .addColumn('talk_s', 'integer', (c) => c.notNull()) // sum of answered attempts' durations
    .addColumn('talk_n', 'integer', (c) => c.notNull()) // answered attempts with a known duration
    // JSON objects of counts: {status: n}, {"CAUSE|code|name|source": n}, {bin_ms: n}
    .addColumn('dial_status', 'text', (c) => c.notNull())
    .addColumn('call_status', 'text', (c) => c.notNull())
    .addColumn('causes', 'text', (c) => c.notNull())
    .addColumn('pdd', 'text', (c) => c.notNull())
    .addColumn('ring', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('report_rollups_pk', ['dim', 'hour', 'key', 'kind'])
    // Clustered by the key: a report reads one dimension's range of hours as consecutive pages.
    .modifyEnd(sql`without rowid`)
    .execute();
  // Webhook health reads attempts and dead deliveries by time.
  await db.schema.createIndex('delivery_attempts_by_at').on('delivery_attempts').column('at').execute();
  await db.schema.createIndex('deliveries_by_status_completed').on('deliveries').columns(['status', 'completed_at']).execute();
  await backfillRollups(db);
}

export const reportRollups: Migration = { version: 4, name: 'report-rollups', up };
