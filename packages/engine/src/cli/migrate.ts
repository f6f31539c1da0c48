/**
 * `switchboard migrate`: brings a database (SQLite file or postgres:// URL) up to this engine's
 * schema and says what it applied (docs/storage.md, "Migrations"). `serve` does the same at start;
 * this is for upgrading ahead of a deploy, or a PostgreSQL database before the first node starts.
 * On PostgreSQL it runs under the advisory lock that nodes starting together share; on SQLite it
 * holds the file as a serving engine does, so it refuses a file an engine is serving.
 */
import { loadConfig } from '../config/config.ts';
import { openStore } from '../store/open-store.ts';
import { migrations } from '../store/migrations/index.ts';
import { StoreError } from '../store/store-error.ts';
import { CliError } from './args.ts';
import type { Flags } from './program.ts';

export async function migrateCommand(flags: Flags): Promise<number> {
  const config = loadConfig({ db: flags.db }, process.env);
  let applied: number[];
  try {
    const store = openStore(config.dbPath, { exclusive: true });
    try {
      applied = await store.migrate();
    } finally {
      await store.close();
    }
  } catch (err) {
    if (err instanceof StoreError) throw new CliError(err.message);
    throw err;
  }
  const latest = migrations.at(-1);
  const where = redacted(config.dbPath);
  if (flags.json) {
    console.log(JSON.stringify({ database: where, applied, version: latest?.version ?? 0 }));
    return 0;
  }
  if (applied.length === 0) console.log(`${where} is up to date (migration ${latest?.version ?? 0})`);
  else {
    for (const v of applied) console.log(`applied ${String(v).padStart(3, '0')} ${migrations[v - 1]?.name ?? ''}`);
    console.log(`${where} is at migration ${latest?.version ?? 0}`);
  }
  return 0;
}

/** A database URL without its password. */
function redacted(db: string): string {
  try {
    const u = new URL(db);
    if (u.password) u.password = '***';
    return u.protocol.startsWith('postgres') ? u.toString() : db;
  } catch {
    return db;
  }
}
