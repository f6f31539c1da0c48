/**
 * An attempt sends its delivery's parameters, always: the outbox signs and posts `deliveries.params`
 * on every try, so `delivery_attempts.params` held a second copy of the same text, the largest
 * column written per webhook (~460 bytes of a simulated call's ~4 KB of attempts). Reads now take
 * the parameters from the delivery (store-queries.ts, `attemptsFor`), so the column goes; nothing
 * is lost, since every row held its delivery's text (docs/storage.md, "Tables").
 */
import type { Kysely } from 'kysely';
import type { Migration } from '../migrator.ts';

async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('delivery_attempts').dropColumn('params').execute();
}

export const attemptParamsOfDelivery: Migration = { version: 15, name: 'attempt-params-of-delivery', up };
