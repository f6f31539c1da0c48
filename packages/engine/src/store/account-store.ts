/**
 * Subaccounts on either database (sql-db.ts), and what deleting one does to what it owns
 * (docs/accounts.md, "Deleting a subaccount").
 */
import { sql } from 'kysely';
import type { AccountsTable } from './schema.ts';
import type { SqlDb } from './sql-db.ts';
import { insertionOrder } from './dialect.ts';

export type SubaccountRow = AccountsTable;

/** Tables whose rows a subaccount owns and that deleting it either hands to the main account or deletes. */
const RESOURCES = ['phone_numbers', 'applications', 'flows'] as const;

/** Listed, never selectAll(): on PostgreSQL the table also holds `row_order` (dialect.ts). */
const COLUMNS = ['auth_id', 'name', 'auth_token', 'enabled', 'created_at', 'modified_at'] as const satisfies readonly (keyof SubaccountRow)[];

export class AccountStore {
  constructor(private readonly db: SqlDb) {}

  async insert(row: SubaccountRow): Promise<void> {
    await this.db.run(`create subaccount ${row.auth_id}`, this.db.kysely.insertInto('accounts').values(row).compile());
  }

  async update(row: SubaccountRow): Promise<boolean> {
    const { auth_id, created_at: _c, ...rest } = row;
    return (await this.db.run(`update subaccount ${auth_id}`, this.db.kysely.updateTable('accounts').set(rest).where('auth_id', '=', auth_id).compile())) > 0;
  }

  async all(): Promise<SubaccountRow[]> {
    const q = this.db.kysely.selectFrom('accounts').select(COLUMNS).orderBy('created_at').orderBy(insertionOrder(this.db.dialect));
    return this.db.all<SubaccountRow>('list subaccounts', q.compile());
  }

  /**
   * Deletes the subaccount. Its numbers, applications and flows are deleted with it (`cascade`) or
   * become the main account's; its calls and their deliveries stay as they are: history, which the
   * main account still sees.
   */
  async delete(authId: string, cascade: boolean): Promise<boolean> {
    const k = this.db.kysely;
    const queries = RESOURCES.map((table) =>
      (cascade ? k.deleteFrom(table).where('account_id', '=', authId) : k.updateTable(table).set({ account_id: sql`null` }).where('account_id', '=', authId)).compile(),
    );
    queries.push(k.deleteFrom('accounts').where('auth_id', '=', authId).compile());
    const results = await this.db.batch(`delete subaccount ${authId}`, queries);
    return (results[results.length - 1]?.changes ?? 0) > 0;
  }
}
