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

export function storeResources(db: SqlDb): StoreResources {
  return {
    apps: new SqlAppStore(db),
    flows: new SqlFlowStore(db),
    accounts: new AccountStore(db),
    endpoints: new SqlEndpointStore(db),
    reports: new ReportStore(db),
    recordings: new RecordingStore(db),
    conferences: new ConferenceStore(db),
  };
}
