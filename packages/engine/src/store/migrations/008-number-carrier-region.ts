/**
 * A number's carrier and region (Plivo's add-own-number, `POST Number/`: plivo.md §1.8). Plivo's
 * Number object shows both; until now every number showed the engine as its carrier and no
 * region. Nullable: numbers added before this migration show the defaults (docs/numbers.md).
 */
import type { Kysely } from 'kysely';
import type { Migration } from '../migrator.ts';

async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('phone_numbers').addColumn('carrier', 'text').execute();
  await db.schema.alterTable('phone_numbers').addColumn('region', 'text').execute();
}

export const numberCarrierRegion: Migration = { version: 8, name: 'number-carrier-region', up };
