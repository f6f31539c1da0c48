/** The resource stores every Store carries (store.ts, StoreResources), built on its SqlDb. */
import { AccountStore } from './account-store.ts';
import { ReportStore } from './report-store.ts';
import { SqlAppStore } from './sql-app-store.ts';
import type { SqlDb } from './sql-db.ts';
import { SqlEndpointStore } from './sql-endpoint-store.ts';
import { SqlFlowStore } from './sql-flow-store.ts';
import { RecordingStore } from './recording-store.ts';
import { ConferenceStore } from './conference-store.ts';
import type { StoreResources } from './store.ts';

/**
 * `config` is `db` for the stores of configuration (applications and numbers, flows, accounts,
 * endpoints): tables no call record writes, so their reads skip committing pending records first.
 * `rollupsBehind` writes the report rollups a store keeps in memory before they are read.
 */
export function storeResources(db: SqlDb, config: SqlDb = db, rollupsBehind?: () => Promise<void>): StoreResources {
  return {
    apps: new SqlAppStore(config),
    flows: new SqlFlowStore(config),
    accounts: new AccountStore(config),
    endpoints: new SqlEndpointStore(config),
    reports: new ReportStore(db, rollupsBehind),
    recordings: new RecordingStore(db),
    conferences: new ConferenceStore(db),
  };
}
