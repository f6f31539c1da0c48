/** Endpoints on either database (sql-db.ts); docs/endpoints.md. Rows: migrations/006-endpoints.ts. */
import type { ApplicationRow } from './app-store.ts';
import type { SqlDb } from './sql-db.ts';
import type { EndpointRow } from './sqlite-endpoint-store.ts';

export type { EndpointRow };

export class SqlEndpointStore {
  constructor(private readonly db: SqlDb) {}

  async insert(row: EndpointRow): Promise<void> {
    await this.db.run(`create endpoint ${row.username}`, this.db.kysely.insertInto('endpoints').values(row).compile());
  }

  async update(row: EndpointRow): Promise<boolean> {
    const { endpoint_id, created_at: _c, username: _u, ...rest } = row;
    return (await this.db.run(`update endpoint ${endpoint_id}`, this.db.kysely.updateTable('endpoints').set(rest).where('endpoint_id', '=', endpoint_id).compile())) > 0;
  }

  async delete(endpointId: string): Promise<boolean> {
    return (await this.db.run(`delete endpoint ${endpointId}`, this.db.kysely.deleteFrom('endpoints').where('endpoint_id', '=', endpointId).compile())) > 0;
  }

  /** Every endpoint, oldest first (the service keeps them in memory: the registrar asks on every REGISTER). */
  async all(): Promise<EndpointRow[]> {
    return this.db.all<EndpointRow>('list endpoints', this.db.kysely.selectFrom('endpoints').selectAll().orderBy('created_at').orderBy('endpoint_id').compile());
  }

  /** The application calls from endpoints without their own run (Plivo's default_endpoint_app). */
  async defaultEndpointApplication(): Promise<ApplicationRow | undefined> {
    const q = this.db.kysely.selectFrom('applications').selectAll().where('default_endpoint_app', '=', 1).orderBy('updated_at', 'desc').limit(1);
    return this.db.first<ApplicationRow>('get the default endpoint application', q.compile());
  }
}
