/**
 * Opens the store `--db` / SWITCHBOARD_DB names (docs/storage.md): a `postgres://` URL is a
 * PostgreSQL database, anything else a SQLite file (or `:memory:`). The one place outside the two
 * stores that knows both exist.
 */
import { isPostgresUrl } from './pg-connection.ts';
import { PgStore, type PgStoreOptions } from './pg-store.ts';
import { SqliteStore, type SqliteStoreOptions } from './sqlite-store.ts';
import type { Store } from './store.ts';

export interface OpenStoreOptions extends SqliteStoreOptions {
  /** PostgreSQL: counts each query in flight as the engine's work (pg-db.ts). */
  activity?: PgStoreOptions['activity'];
  /** PostgreSQL: the server ends a session idle inside a transaction this long (a cluster node's lease). */
  idleInTransactionMs?: number;
}


export function openStore(db: string, options: OpenStoreOptions = {}): Store {
  const { activity, idleInTransactionMs, ...sqlite } = options;
  if (isPostgresUrl(db)) {
    return new PgStore(db, {
      ...(options.onRollupError ? { onRollupError: options.onRollupError } : {}),
      ...(options.defer ? { defer: options.defer } : {}),
      ...(options.onDeferredError ? { onDeferredError: options.onDeferredError } : {}),
      ...(activity ? { activity } : {}),
      ...(idleInTransactionMs !== undefined ? { idleInTransactionMs } : {}),
    });
  }
  return new SqliteStore(db, sqlite);
}

export { isPostgresUrl };
