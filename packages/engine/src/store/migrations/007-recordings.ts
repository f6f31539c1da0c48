/**
 * Recordings (docs/api.md, "Recording"; Plivo's Recording object): one row per finished recording
 * of a call. The audio itself is a file in the recordings folder, named by `recording_id`.
 */
import type { Kysely } from 'kysely';
import type { Migration } from '../migrator.ts';

async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('recordings')
    .addColumn('recording_id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('account_id', 'text')
    .addColumn('call_uuid', 'text', (c) => c.notNull())
    .addColumn('recording_type', 'text', (c) => c.notNull())
    .addColumn('recording_format', 'text', (c) => c.notNull())
    .addColumn('conference_name', 'text')
    .addColumn('from_number', 'text', (c) => c.notNull())
    .addColumn('to_number', 'text', (c) => c.notNull())
    .addColumn('recording_start_ms', 'integer', (c) => c.notNull())
    .addColumn('recording_end_ms', 'integer', (c) => c.notNull())
    .addColumn('add_time', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('recordings_call').on('recordings').column('call_uuid').execute();
  await db.schema.createIndex('recordings_add_time').on('recordings').columns(['add_time', 'recording_id']).execute();
}

export const recordings: Migration = { version: 7, name: 'recordings', up };
