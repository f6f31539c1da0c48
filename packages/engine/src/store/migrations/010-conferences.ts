/**
 * Conferences (docs/conference.md): one row per conference that ran, one per member that entered
 * it. The live rooms are kept in memory by the node running them (calls/conference-rooms.ts);
 * these rows are their history, and where a call's CDR finds its `conference_uuid`.
 */
import type { Kysely } from 'kysely';
import type { Migration } from '../migrator.ts';

async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('conferences')
    .addColumn('conference_uuid', 'text', (c) => c.primaryKey().notNull())
    .addColumn('account_id', 'text')
    .addColumn('conference_name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('ended_at', 'bigint')
    .addColumn('end_reason', 'text')
    .execute();
  await db.schema.createIndex('conferences_account_name').on('conferences').columns(['account_id', 'conference_name']).execute();
  await db.schema
    .createTable('conference_members')
    .addColumn('conference_uuid', 'text', (c) => c.notNull())
    .addColumn('member_id', 'text', (c) => c.notNull())
    .addColumn('call_uuid', 'text', (c) => c.notNull())
    .addColumn('joined_at', 'bigint', (c) => c.notNull())
    .addColumn('left_at', 'bigint')
    .addColumn('leave_reason', 'text')
    .addPrimaryKeyConstraint('conference_members_pk', ['conference_uuid', 'member_id'])
    .execute();
  await db.schema.createIndex('conference_members_call').on('conference_members').columns(['call_uuid', 'joined_at']).execute();
}

export const conferences: Migration = { version: 10, name: 'conferences', up };
