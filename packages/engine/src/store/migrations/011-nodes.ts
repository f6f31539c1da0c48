/**
 * Several nodes on one PostgreSQL (docs/scaling.md). `nodes`: one row per engine node, its lease
 * and its epoch (bumped on every start and on takeover, so a paused node that comes back finds it
 * has been fenced). `delivery_claims`: which node is sending a delivery that the node owning its
 * call could not (it died); an unclaimed delivery is its call's node's to send.
 *
 * Tables of their own rather than columns on `deliveries`: a claim is written by a node that did
 * not write the delivery, and the outbox's own writes stay as they are. On SQLite the tables stay
 * empty (one node).
 */
import type { Kysely } from 'kysely';
import type { Migration } from '../migrator.ts';

async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('nodes')
    .addColumn('node_id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('advertise_url', 'text')
    .addColumn('epoch', 'integer', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('heartbeat_at', 'bigint', (c) => c.notNull())
    .addColumn('lease_until', 'bigint', (c) => c.notNull())
    // live | draining | stopped | dead (taken over)
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('taken_over_by', 'text')
    .execute();
  await db.schema
    .createTable('delivery_claims')
    .addColumn('delivery_id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('epoch', 'integer', (c) => c.notNull())
    .addColumn('claimed_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('delivery_claims_holder').on('delivery_claims').columns(['holder', 'epoch']).execute();
}

export const nodes: Migration = { version: 11, name: 'nodes', up };
