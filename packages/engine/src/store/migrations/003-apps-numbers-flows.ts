/**
 * Applications, the account's phone numbers, flows and flow runs (plivo.md §1.8, §8; docs/numbers.md,
 * docs/flows.md). A number points at an application or at a flow, never both; deleting either
 * leaves the number unattached (ON DELETE SET NULL) rather than deleting the number.
 */
import { sql, type Kysely } from 'kysely';
import type { Migration } from '../migrator.ts';

async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('applications')
    .addColumn('app_id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('app_name', 'text', (c) => c.notNull())
    .addColumn('answer_url', 'text')
    .addColumn('answer_method', 'text', (c) => c.notNull())
    .addColumn('hangup_url', 'text')
    .addColumn('hangup_method', 'text', (c) => c.notNull())
    .addColumn('fallback_answer_url', 'text')
    .addColumn('fallback_method', 'text', (c) => c.notNull())
    .addColumn('message_url', 'text')
    .addColumn('message_method', 'text', (c) => c.notNull())
    .addColumn('default_number_app', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('default_endpoint_app', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('log_incoming_messages', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'integer', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('flows')
    .addColumn('flow_id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('definition', 'text', (c) => c.notNull())
    .addColumn('created_at', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'integer', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('phone_numbers')
    .addColumn('number', 'text', (c) => c.primaryKey().notNull())
    .addColumn('alias', 'text')
    .addColumn('number_type', 'text', (c) => c.notNull())
    .addColumn('app_id', 'text', (c) => c.references('applications.app_id').onDelete('set null'))
    .addColumn('flow_id', 'text', (c) => c.references('flows.flow_id').onDelete('set null'))
    .addColumn('added_at', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'integer', (c) => c.notNull())
    .addCheckConstraint('phone_numbers_one_target', sql`app_id is null or flow_id is null`)
    .execute();

  // A run outlives its flow's edits: the trace names nodes as they were when it ran.
  await db.schema
    .createTable('flow_runs')
    .addColumn('run_id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('flow_id', 'text', (c) => c.notNull())
    .addColumn('trigger', 'text', (c) => c.notNull().check(sql`trigger in ('incoming_call', 'api_request')`))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('running', 'completed', 'failed')`))
    .addColumn('call_uuid', 'text')
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('trace', 'text', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('started_at', 'integer', (c) => c.notNull())
    .addColumn('ended_at', 'integer')
    .execute();
  await db.schema.createIndex('flow_runs_by_flow').on('flow_runs').columns(['flow_id', 'started_at']).execute();
}

export const appsNumbersFlows: Migration = { version: 3, name: 'apps-numbers-flows', up };
