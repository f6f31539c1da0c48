/**
 * A delivery attempt is one (delivery, attempt number, time sent): a unique index on that natural
 * key lets the store write an attempt with `ON CONFLICT DO NOTHING`, so a write that is repeated
 * (a retry of a commit whose outcome was lost) stores it once, while a real resend that reuses a
 * number after a restart (its own time) is still kept (docs/storage.md, "Concurrency"). It
 * replaces the plain (delivery_id, attempt) index, whose reads it serves.
 */
import { sql, type Kysely } from 'kysely';
import type { Migration } from '../migrator.ts';

async function up(db: Kysely<any>): Promise<void> {
  // Exact repeats already stored would block the index: keep the first of each.
  await sql`delete from delivery_attempts where id not in (
    select min(id) from delivery_attempts group by delivery_id, attempt, at)`.execute(db);
  await db.schema.dropIndex('delivery_attempts_by_delivery').execute();
  await db.schema.createIndex('delivery_attempts_natural_key').on('delivery_attempts').columns(['delivery_id', 'attempt', 'at']).unique().execute();
}

export const attemptNaturalKey: Migration = { version: 9, name: 'attempt-natural-key', up };
