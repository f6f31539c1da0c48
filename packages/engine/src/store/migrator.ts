/**
 * Numbered migrations, applied in order and recorded in `schema_migrations` (docs/storage.md).
 * Each runs in its own transaction together with the row that records it, so a migration is
 * either wholly applied and recorded or not at all; running `migrate()` again skips what is
 * recorded. The runner only speaks Kysely, so a PostgreSQL store can reuse it.
 */
import { sql, type Kysely } from 'kysely';
import { dialectOf } from './dialect.ts';
import { StoreError } from './store-error.ts';

export interface Migration {
  /** 1, 2, 3...: the number in the file name (`001-initial.ts`). */
  readonly version: number;
  readonly name: string;
  // Kysely<any>: a migration sees the schema as it was when it was written, not today's types.
  up(db: Kysely<any>): Promise<void>;
  /**
   * SQLite: the migration drops a table that others refer to and creates it again, which SQLite
   * allows only with foreign keys off (https://sqlite.org/lang_altertable.html, "Making Other Kinds
   * Of Table Schema Changes": a DROP TABLE deletes the rows their keys refer to, and that counts as
   * a violation even when the copy has put every row back under the same name). They are off
   * while it runs, and every key is checked before it commits.
   */
  readonly rebuildsTables?: boolean;
}

/** Applies the migrations not yet recorded; returns the versions it applied (empty when up to date). */
export async function runMigrations(
  db: Kysely<any>,
  migrations: readonly Migration[],
  now: () => number = Date.now,
): Promise<number[]> {
  checkList(migrations);
  // bigint: ms timestamps overflow PostgreSQL's 4-byte integer (SQLite reads it as INTEGER).
  await sql`create table if not exists schema_migrations (
    version integer primary key not null,
    name text not null,
    applied_at bigint not null
  )`.execute(db);

  const recorded = await db.selectFrom('schema_migrations').select('version').execute();
  const known = new Set(migrations.map((m) => m.version));
  const unknown = recorded.map((r) => Number(r.version)).filter((v) => !known.has(v));
  if (unknown.length > 0) {
    // Running an older engine on a newer database would silently misread it.
    throw new StoreError(
      'migration-failed',
      `the database has migration ${Math.max(...unknown)}, which this engine does not know (it knows up to ${Math.max(0, ...known)}); upgrade the engine`,
    );
  }

  const applied: number[] = [];
  const sqlite = dialectOf(db) === 'sqlite';
  for (const m of migrations) {
    // Outside the transaction: inside one, SQLite ignores the pragma.
    const keysOff = sqlite && m.rebuildsTables === true;
    if (keysOff) await sql`pragma foreign_keys = off`.execute(db);
    try {
      const ran = await db.transaction().execute(async (trx) => {
        // Checked again inside the transaction: another process may have applied it meanwhile.
        const done = await trx
          .selectFrom('schema_migrations')
          .select('version')
          .where('version', '=', m.version)
          .executeTakeFirst();
        if (done) return false;
        await m.up(trx);
        if (keysOff) {
          const broken = (await sql<{ table: string }>`pragma foreign_key_check`.execute(trx)).rows;
          if (broken.length > 0) throw new Error(`${broken.length} rows refer to rows that are not there (first in table ${broken[0]!.table})`);
        }
        await trx.insertInto('schema_migrations').values({ version: m.version, name: m.name, applied_at: now() }).execute();
        return true;
      });
      if (ran) applied.push(m.version);
    } catch (err) {
      if (err instanceof StoreError) throw err;
      const message = err instanceof Error ? err.message : String(err);
      throw new StoreError('migration-failed', `migration ${m.version} (${m.name}) failed: ${message}`, { cause: err });
    } finally {
      if (keysOff) await sql`pragma foreign_keys = on`.execute(db);
    }
  }
  return applied;
}

function checkList(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new StoreError(
        'migration-failed',
        `migration list out of order: position ${i + 1} holds version ${m.version} (${m.name}); versions must be 1, 2, 3... with no gaps`,
      );
    }
  });
}
