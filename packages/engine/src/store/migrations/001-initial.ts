/**
 * The first schema: settings, calls (the CDR of every leg), events (each call's log), deliveries
 * (the webhook outbox) with their attempts, and the simulated network's numbers.
 * Times are integer ms since the epoch; JSON is TEXT; booleans are 0/1 (docs/storage.md).
 */
import { sql, type Kysely } from 'kysely';
import type { Migration } from '../migrator.ts';

const LIVE_AND_FINAL_STATUSES = sql`('queued', 'ringing', 'in-progress', 'completed', 'busy', 'failed', 'timeout', 'no-answer', 'cancel')`;

async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('settings')
    .addColumn('key', 'text', (c) => c.primaryKey().notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();

  // One row per leg (plivo.md §1.4): the A leg, and each B leg a <Dial> placed.
  await db.schema
    .createTable('calls')
    .addColumn('call_uuid', 'text', (c) => c.primaryKey().notNull())
    .addColumn('request_uuid', 'text', (c) => c.notNull())
    .addColumn('parent_call_uuid', 'text')
    .addColumn('direction', 'text', (c) => c.notNull().check(sql`direction in ('inbound', 'outbound')`))
    .addColumn('from_number', 'text', (c) => c.notNull())
    .addColumn('to_number', 'text', (c) => c.notNull())
    .addColumn('caller_name', 'text', (c) => c.notNull())
    .addColumn('call_status', 'text', (c) => c.notNull().check(sql`call_status in ${LIVE_AND_FINAL_STATUSES}`))
    .addColumn('call_state', 'text', (c) => c.notNull())
    .addColumn('initiation_time', 'integer', (c) => c.notNull())
    .addColumn('ring_time', 'integer')
    .addColumn('answer_time', 'integer')
    .addColumn('end_time', 'integer')
    .addColumn('call_duration', 'integer')
    .addColumn('bill_duration', 'integer')
    .addColumn('billed_duration', 'integer')
    .addColumn('hangup_cause', 'text')
    .addColumn('hangup_cause_code', 'integer')
    .addColumn('hangup_cause_name', 'text')
    .addColumn('hangup_source', 'text')
    .addColumn('dial_position', 'integer')
    .addColumn('params', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('error', 'text')
    .addColumn('warnings', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('node_id', 'text', (c) => c.notNull())
    .execute();
  // The list filters of GET /Call/ (plivo.md §1.5), its order, and the live-call lookups.
  await db.schema.createIndex('calls_by_initiation').on('calls').columns(['initiation_time desc', 'call_uuid']).execute();
  await db.schema.createIndex('calls_by_parent').on('calls').column('parent_call_uuid').execute();
  await db.schema.createIndex('calls_by_request').on('calls').column('request_uuid').execute();
  await db.schema.createIndex('calls_by_end_time').on('calls').column('end_time').execute();
  await db.schema.createIndex('calls_by_status').on('calls').columns(['call_status', 'node_id']).execute();
  await db.schema.createIndex('calls_by_from').on('calls').column('from_number').execute();
  await db.schema.createIndex('calls_by_to').on('calls').column('to_number').execute();

  // Every status is an event (DESIGN.md, Principles); seq orders one call's log from 1.
  await db.schema
    .createTable('events')
    .addColumn('id', 'integer', (c) => c.primaryKey().notNull())
    .addColumn('call_uuid', 'text', (c) => c.notNull().references('calls.call_uuid'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('at', 'integer', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addUniqueConstraint('events_call_seq', ['call_uuid', 'seq'])
    .execute();

  // The webhook outbox (engine.md §3): seq is X-Switchboard-Sequence, per call from 1.
  await db.schema
    .createTable('deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('call_uuid', 'text', (c) => c.notNull().references('calls.call_uuid'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull().check(sql`method in ('GET', 'POST')`))
    .addColumn('params', 'text', (c) => c.notNull())
    .addColumn('synchronous', 'integer', (c) => c.notNull().check(sql`synchronous in (0, 1)`))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('pending', 'delivered', 'failed', 'dead')`))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'integer')
    .addColumn('created_at', 'integer', (c) => c.notNull())
    .addColumn('completed_at', 'integer')
    .addColumn('last_error', 'text')
    .addUniqueConstraint('deliveries_call_seq', ['call_uuid', 'seq'])
    .execute();
  await db.schema.createIndex('deliveries_due').on('deliveries').columns(['status', 'next_attempt_at']).execute();

  // Every attempt of every delivery (engine.md §3, last point).
  await db.schema
    .createTable('delivery_attempts')
    .addColumn('id', 'integer', (c) => c.primaryKey().notNull())
    .addColumn('delivery_id', 'text', (c) => c.notNull().references('deliveries.id'))
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('at', 'integer', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('request_headers', 'text', (c) => c.notNull())
    .addColumn('params', 'text', (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('response_excerpt', 'text')
    .addColumn('latency_ms', 'integer')
    .addColumn('error', 'text')
    .execute();
  await db.schema.createIndex('delivery_attempts_by_delivery').on('delivery_attempts').columns(['delivery_id', 'attempt']).execute();

  // The simulated network's scripted numbers (engine.md §4).
  await db.schema
    .createTable('sim_numbers')
    .addColumn('number', 'text', (c) => c.primaryKey().notNull())
    .addColumn('script', 'text', (c) => c.notNull())
    .addColumn('created_at', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'integer', (c) => c.notNull())
    .execute();
}

export const initial: Migration = { version: 1, name: 'initial', up };
