/**
 * Events and deliveries keyed by (call_initiation_time, call_uuid, seq) instead of (call_uuid, seq).
 *
 * A CallUUID is a random UUID (engine.md §1), so a key that starts with it puts each call's rows on
 * a page of their own, anywhere in the index. Every commit then rewrote one page of each of these
 * two indexes for every call it touched, and a call is touched by several commits as it goes along:
 * measured on the dial-flow benchmark, these two indexes made nearly half of all the bytes the
 * engine wrote (docs/performance.md, "Write amplification"). Led by the call's start time, the keys
 * of the calls in flight all fall on the last pages of the index, which a commit writes once for all
 * of them. The time is the call's own `initiation_time`, copied into each row: it never changes,
 * so (call_uuid, seq) stays unique, and a query that knows only the CallUUID reads the time from
 * the call's row in the same statement (store-queries.ts, `ofCall`).
 *
 * PostgreSQL changes both tables in place. SQLite cannot drop the unique constraint a table was
 * created with, so it copies each table into a new one, rows and rowids as they were, and builds
 * the tables' other indexes again (`rebuildsTables`: foreign keys are off meanwhile, and checked).
 */
import { sql, type Kysely } from 'kysely';
import { dialectOf } from '../dialect.ts';
import type { Migration } from '../migrator.ts';

/** The two tables as migrations 001, 002 and 005 left them, with the new column last. */
const SQLITE_TABLES = {
  events: {
    columns: ['id', 'call_uuid', 'seq', 'at', 'type', 'data'],
    create: `create table "events_keyed" (
      "id" integer not null primary key,
      "call_uuid" text not null references "calls" ("call_uuid"),
      "seq" integer not null,
      "at" integer not null,
      "type" text not null,
      "data" text not null,
      "call_initiation_time" integer not null)`,
  },
  deliveries: {
    columns: ['id', 'call_uuid', 'seq', 'kind', 'event', 'url', 'method', 'params', 'synchronous', 'status', 'attempts', 'next_attempt_at', 'created_at', 'completed_at', 'last_error', 'event_seq', 'account_id'],
    create: `create table "deliveries_keyed" (
      "id" text not null primary key,
      "call_uuid" text not null references "calls" ("call_uuid"),
      "seq" integer not null,
      "kind" text not null,
      "event" text not null,
      "url" text not null,
      "method" text not null check (method in ('GET', 'POST')),
      "params" text not null,
      "synchronous" integer not null check (synchronous in (0, 1)),
      "status" text not null check (status in ('pending', 'delivered', 'failed', 'dead')),
      "attempts" integer default 0 not null,
      "next_attempt_at" integer,
      "created_at" integer not null,
      "completed_at" integer,
      "last_error" text,
      "event_seq" integer,
      "account_id" text,
      "call_initiation_time" integer not null)`,
  },
} as const;

async function up(db: Kysely<any>): Promise<void> {
  if (dialectOf(db) === 'postgres') {
    for (const table of ['events', 'deliveries'] as const) {
      await sql`alter table ${sql.table(table)} add column call_initiation_time bigint`.execute(db);
      await sql`update ${sql.table(table)} t set call_initiation_time = c.initiation_time from calls c where c.call_uuid = t.call_uuid`.execute(db);
      await sql`alter table ${sql.table(table)} alter column call_initiation_time set not null`.execute(db);
      await sql`alter table ${sql.table(table)} drop constraint ${sql.ref(`${table}_call_seq`)}`.execute(db);
    }
  } else {
    for (const [table, t] of Object.entries(SQLITE_TABLES)) {
      const cols = t.columns.map((c) => `"${c}"`).join(', ');
      const from = t.columns.map((c) => `x."${c}"`).join(', ');
      await sql.raw(t.create).execute(db);
      // rowid too: a deliveries row's rowid is its insertion order (dialect.ts, insertionOrder).
      await sql.raw(`insert into "${table}_keyed" (rowid, ${cols}, "call_initiation_time")
        select x.rowid, ${from}, c.initiation_time from "${table}" x join calls c on c.call_uuid = x.call_uuid order by x.rowid`).execute(db);
      await sql.raw(`drop table "${table}"`).execute(db);
      await sql.raw(`alter table "${table}_keyed" rename to "${table}"`).execute(db);
    }
    // What dropping the old deliveries took with it (migrations 005 and 013).
    await db.schema.createIndex('deliveries_by_account').on('deliveries').columns(['account_id', 'created_at']).execute();
    await db.schema
      .createIndex('deliveries_pending')
      .on('deliveries')
      .columns(['created_at', 'call_uuid', 'seq'])
      .where(sql.raw<boolean>(`status = 'pending'`))
      .execute();
    await db.schema.createIndex('deliveries_dead').on('deliveries').column('completed_at').where(sql.raw<boolean>(`status = 'dead'`)).execute();
  }
  await db.schema.createIndex('events_by_call').on('events').columns(['call_initiation_time', 'call_uuid', 'seq']).unique().execute();
  await db.schema.createIndex('deliveries_by_call').on('deliveries').columns(['call_initiation_time', 'call_uuid', 'seq']).unique().execute();
}

export const callTimeKeys: Migration = { version: 14, name: 'call-time-keys', up, rebuildsTables: true };
