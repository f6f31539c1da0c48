/**
 * The one error type `store/` throws. Callers branch on `code`, never on the message; the
 * database driver's own error, when there was one, is kept as `cause`.
 */
export type StoreErrorCode =
  /** record() or a patch named a call that is not stored. */
  | 'call-not-found'
  /** updateDelivery() or addAttempt() named a delivery that is not stored. */
  | 'delivery-not-found'
  /** A row with the same key is already stored (call_uuid, delivery id...). */
  | 'duplicate'
  /** A value broke a rule of the schema or of the Store contract (the message names it). */
  | 'invalid-input'
  /** A migration failed, or the database was written by a newer engine. */
  | 'migration-failed'
  /**
   * The database cannot write for now: the disk is full or its writes fail (SQLITE_FULL,
   * SQLITE_IOERR_*). record() and the outbox's writes are held in memory, in order, and written
   * when it can write again; other writes are refused with this code (docs/storage.md, "When the
   * disk is full").
   */
  | 'unavailable'
  /** Another live engine holds the SQLite file (sqlite-lock.ts); nothing was touched. */
  | 'locked'
  /** A cluster node wrote a call another node took over from it (docs/scaling.md); rolled back. */
  | 'fenced'
  /** The database itself failed (locked for too long, closed...). */
  | 'database';

export class StoreError extends Error {
  override readonly name = 'StoreError';
  readonly code: StoreErrorCode;

  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/**
 * Whether the store's writes land now (SqliteStore.writeState()). While they do not, `held` writes
 * wait in memory, in order, for the disk to take them again.
 */
export type WriteState = { ok: true; held: 0 } | { ok: false; error: StoreError; held: number };

/** Driver errors carry SQLite's extended result code, e.g. SQLITE_CONSTRAINT_FOREIGNKEY. */
export function sqliteCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string') return err.code;
  return undefined;
}

/**
 * A failure of the disk under the database rather than of the query: it goes away when space
 * returns, so the write is worth holding and retrying. SQLite reports ENOSPC as SQLITE_FULL, and a
 * failed write()/fsync() as one of the SQLITE_IOERR_* extended codes.
 */
export function isStorageFailure(err: unknown): boolean {
  if (err instanceof StoreError) return err.code === 'unavailable';
  const code = sqliteCode(err);
  return code !== undefined && (code === 'SQLITE_FULL' || code.startsWith('SQLITE_IOERR'));
}

/**
 * Turns a driver error into a StoreError. `what` says what was being done ("insert call
 * 3f2c...") so the message points at the row; constraint failures map to their own codes.
 */
export function toStoreError(err: unknown, what: string): StoreError {
  if (err instanceof StoreError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const code = sqliteCode(err);
  if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE') {
    return new StoreError('duplicate', `${what}: already stored (${message})`, { cause: err });
  }
  if (code === 'SQLITE_CONSTRAINT_CHECK' || code === 'SQLITE_CONSTRAINT_NOTNULL' || err instanceof TypeError || err instanceof RangeError) {
    return new StoreError('invalid-input', `${what}: ${message}`, { cause: err });
  }
  if (isStorageFailure(err)) return new StoreError('unavailable', `${what}: the database cannot write: ${message}`, { cause: err });
  return new StoreError('database', `${what}: ${message}`, { cause: err });
}
