/**
 * Opens the store `--db` / SWITCHBOARD_DB names (docs/storage.md): a `postgres://` URL is a
 * PostgreSQL database, anything else a SQLite file (or `:memory:`). The one place outside the two
 * stores that knows both exist.
 */
import { isPostgresUrl } from './pg-connection.ts';
import { PgStore } from './pg-store.ts';
import { SqliteStore, type SqliteStoreOptions } from './sqlite-store.ts';
import type { Store } from './store.ts';

export interface OpenStoreOptions extends SqliteStoreOptions {}

export function openStore(db: string, options: OpenStoreOptions = {}): Store {
  if (isPostgresUrl(db)) return new PgStore(db, options.onRollupError ? { onRollupError: options.onRollupError } : {});
  return new SqliteStore(db, options);
}

export { isPostgresUrl };
