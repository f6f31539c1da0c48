/**
 * SIP endpoints (docs/endpoints.md; Plivo's Endpoint API). A password is never stored: only the
 * digest HA1 values a registrar checks a REGISTER against (RFC 3261 §22.4 with RFC 8760: MD5 and
 * SHA-256 of `username:realm:password`). `script` is Switchboard's own: how the endpoint answers
 * on the simulated network. Deleting an application leaves its endpoints without one (SET NULL).
 */
import type { Kysely } from 'kysely';
import type { Migration } from '../migrator.ts';

async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('endpoints')
    .addColumn('endpoint_id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('username', 'text', (c) => c.notNull().unique())
    .addColumn('alias', 'text', (c) => c.notNull())
    .addColumn('ha1_md5', 'text', (c) => c.notNull())
    .addColumn('ha1_sha256', 'text', (c) => c.notNull())
    .addColumn('app_id', 'text', (c) => c.references('applications.app_id').onDelete('set null'))
    .addColumn('script', 'text')
    .addColumn('account_id', 'text')
    .addColumn('created_at', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'integer', (c) => c.notNull())
    .execute();
}

export const endpoints: Migration = { version: 6, name: 'endpoints', up };
