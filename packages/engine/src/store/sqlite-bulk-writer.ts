/**
 * Bulk writes for `switchboard generate` (docs/reports.md): many calls with their events,
 * deliveries and attempts in one transaction through prepared statements, and the rollups of the
 * same calls merged in that transaction, so reports over a generated database are consistent
 * batch by batch. Not for the engine's own path, which goes through record().
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteStore } from './sqlite-store.ts';
import type { SqliteRollups } from './sqlite-rollups.ts';
import { RollupAccumulator } from './report-rollup.ts';
import { CALL_COLUMNS, DELIVERY_COLUMNS } from './store-input.ts';
import { ATTEMPT_COLUMNS } from './store-queries.ts';
import type { CallRow, DeliveryRow, EventRow, NewAttempt } from './store.ts';

export interface BulkBatch {
  calls: CallRow[];
  events: Array<Omit<EventRow, 'id'>>;
  deliveries: DeliveryRow[];
  attempts: NewAttempt[];
  rollups: RollupAccumulator;
}

const EVENT_COLUMNS = ['call_uuid', 'call_initiation_time', 'seq', 'at', 'type', 'data'] as const;

function insertSql(table: string, columns: readonly string[]): string {
  return `insert into ${table} (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')})`;
}

export class SqliteBulkWriter {
  private readonly db: BetterSqlite3.Database;
  private readonly sync: <T>(what: string, body: () => T) => T;
  private readonly insert: Record<'calls' | 'events' | 'deliveries' | 'attempts', BetterSqlite3.Statement>;

  constructor(store: SqliteStore, private readonly reports: SqliteRollups) {
    const shared = store.shared();
    this.db = shared.runner.db;
    this.sync = shared.sync;
    // Random UUID keys scatter inserts over every index: a large page cache keeps them in memory
    // (the default 2 MB makes a million-call import I/O bound). No fsync per batch: a generated
    // database that a crash cuts short is simply generated again.
    this.db.pragma('cache_size = -524288');
    this.db.pragma('synchronous = OFF');
    this.insert = {
      calls: this.db.prepare(insertSql('calls', CALL_COLUMNS)),
      events: this.db.prepare(insertSql('events', EVENT_COLUMNS)),
      deliveries: this.db.prepare(insertSql('deliveries', DELIVERY_COLUMNS)),
      attempts: this.db.prepare(insertSql('delivery_attempts', ATTEMPT_COLUMNS)),
    };
  }

  /** Writes one batch atomically: rows first (A legs before the B legs that point at them), then rollups. */
  write(batch: BulkBatch): void {
    this.sync(`bulk write of ${batch.calls.length} calls`, () => {
      this.db.transaction(() => {
        for (const r of batch.calls) this.insert.calls.run(...CALL_COLUMNS.map((c) => r[c]));
        for (const e of batch.events) this.insert.events.run(...EVENT_COLUMNS.map((c) => e[c]));
        for (const d of batch.deliveries) this.insert.deliveries.run(...DELIVERY_COLUMNS.map((c) => d[c]));
        for (const a of batch.attempts) this.insert.attempts.run(...ATTEMPT_COLUMNS.map((c) => a[c]));
        this.reports.mergeRollups(batch.rollups);
      }).immediate();
    });
  }
}
