/** Endpoints on the SqliteStore's connection (SqliteStore.shared()); docs/endpoints.md. */
import type { SharedSqlite } from './sqlite-app-store.ts';
import type { ApplicationRow } from './app-store.ts';

/** One endpoint as stored: digest HA1 values, never the password (migrations/006-endpoints.ts). */
export interface EndpointRow {
  endpoint_id: string;
  username: string;
  alias: string;
  ha1_md5: string;
  ha1_sha256: string;
  app_id: string | null;
  /** Switchboard's own: its simulated-network script; null = the default script. */
  script: string | null;
  /** The owning subaccount; null for the main account (docs/accounts.md). */
  account_id: string | null;
  created_at: number;
  updated_at: number;
}

export class SqliteEndpointStore {
  constructor(private readonly db: SharedSqlite) {}

  async insert(row: EndpointRow): Promise<void> {
    const { kysely: k, runner, sync } = this.db;
    sync(`create endpoint ${row.username}`, () => runner.run(k.insertInto('endpoints').values(row).compile()));
  }

  async update(row: EndpointRow): Promise<boolean> {
    const { kysely: k, runner, sync } = this.db;
    const { endpoint_id, created_at: _c, username: _u, ...rest } = row;
    return sync(`update endpoint ${endpoint_id}`, () => runner.run(k.updateTable('endpoints').set(rest).where('endpoint_id', '=', endpoint_id).compile()) > 0);
  }

  async delete(endpointId: string): Promise<boolean> {
    const { kysely: k, runner, sync } = this.db;
    return sync(`delete endpoint ${endpointId}`, () => runner.run(k.deleteFrom('endpoints').where('endpoint_id', '=', endpointId).compile()) > 0);
  }

  /** Every endpoint, oldest first (the service keeps them in memory: the registrar asks on every REGISTER). */
  async all(): Promise<EndpointRow[]> {
    const { kysely: k, runner, sync } = this.db;
    return sync('list endpoints', () => runner.all<EndpointRow>(k.selectFrom('endpoints').selectAll().orderBy('created_at').orderBy('endpoint_id').compile()));
  }

  /** The application calls from endpoints without their own run (Plivo's default_endpoint_app). */
  async defaultEndpointApplication(): Promise<ApplicationRow | undefined> {
    const { kysely: k, runner, sync } = this.db;
    return sync('get the default endpoint application', () =>
      runner.first<ApplicationRow>(k.selectFrom('applications').selectAll().where('default_endpoint_app', '=', 1).orderBy('updated_at', 'desc').limit(1).compile()),
    );
  }
}
