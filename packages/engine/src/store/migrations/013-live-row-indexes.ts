/**
 * Indexes that hold only the rows their queries look for. Six indexes held every row, and every
 * call and every webhook moved its entries through them as it went along: a delivery entered
 * `deliveries_due` as pending and `deliveries_by_status_completed` with no completion time, then
 * left and re-entered both when it was delivered; a call entered `calls_by_end_time` with no end,
 * an A leg `calls_by_parent` with no parent.
 * Their queries only ever ask for a few of those rows:
 * - the live calls (recovery, takeover, GET /Call/?status=live) for `calls_live`;
 * - the ended calls, by end time (GET /Call/ filters, the report backfill) for `calls_by_end_time`;
 * - the A legs of a request (a hangup of a queued request, forwarded to the node that placed it) for
 *   `calls_by_request`: a B leg's RequestUUID, random like every id, put each B leg on a page of
 *   its own that nothing reads;
 * - the B legs of a call (the report rollup, the `parent_call_uuid` filter) for `calls_by_parent`;
 * - the deliveries still owed, oldest first (the outbox at start-up, its depth gauge, takeover) for
 *   `deliveries_pending`, ordered as the outbox reads them;
 * - the dead deliveries by the time they died (webhook health) for `deliveries_dead`.
 * A partial index keeps just those, so a call or webhook that ends normally leaves each once and
 * the indexes stay the size of the work in flight (docs/storage.md, "Indexes of the rows in flight").
 *
 * The predicates are written as literals, and so are the queries that use them: SQLite uses a
 * partial index only when the query's WHERE contains its terms as written
 * (https://sqlite.org/partialindex.html §3), and PostgreSQL's planner proves the same from
 * constants (https://www.postgresql.org/docs/current/indexes-partial.html).
 */
import { sql, type Kysely } from 'kysely';
import type { Migration } from '../migrator.ts';

async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('calls_by_status').execute();
  await db.schema
    .createIndex('calls_live')
    .on('calls')
    .columns(['initiation_time', 'call_uuid'])
    .where(sql.raw<boolean>(`call_status in ('queued', 'ringing', 'in-progress')`))
    .execute();
  await db.schema.dropIndex('calls_by_end_time').execute();
  await db.schema.createIndex('calls_by_end_time').on('calls').column('end_time').where(sql.raw<boolean>('end_time is not null')).execute();
  await db.schema.dropIndex('calls_by_request').execute();
  await db.schema.createIndex('calls_by_request').on('calls').column('request_uuid').where(sql.raw<boolean>('parent_call_uuid is null')).execute();
  await db.schema.dropIndex('calls_by_parent').execute();
  await db.schema.createIndex('calls_by_parent').on('calls').column('parent_call_uuid').where(sql.raw<boolean>('parent_call_uuid is not null')).execute();
  await db.schema.dropIndex('deliveries_due').execute();
  await db.schema
    .createIndex('deliveries_pending')
    .on('deliveries')
    .columns(['created_at', 'call_uuid', 'seq'])
    .where(sql.raw<boolean>(`status = 'pending'`))
    .execute();
  await db.schema.dropIndex('deliveries_by_status_completed').execute();
  await db.schema.createIndex('deliveries_dead').on('deliveries').column('completed_at').where(sql.raw<boolean>(`status = 'dead'`)).execute();
}

export const liveRowIndexes: Migration = { version: 13, name: 'live-row-indexes', up };
