/**
 * Links each delivery to the event whose transaction wrote it, so the call timeline can place a
 * webhook right after its cause even when many things happen at the same instant.
 */
import type { Kysely } from 'kysely';
import type { Migration } from '../migrator.ts';

async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('deliveries').addColumn('event_seq', 'integer').execute();
}

export const deliveryEventSeq: Migration = { version: 2, name: 'delivery-event-seq', up };
