/**
 * Subaccounts on the SqliteStore's connection (SqliteStore.shared()), and what deleting one does to
 * what it owns (docs/accounts.md, "Deleting a subaccount").
 */
import { sql } from 'kysely';
import type { AccountsTable } from './schema.ts';
import type { SharedSqlite } from './sqlite-app-store.ts';

export type SubaccountRow = AccountsTable;

/** Tables whose rows a subaccount owns and that deleting it either hands to the main account or deletes. */
const RESOURCES = ['phone_numbers', 'applications', 'flows'] as const;

export class SqliteAccountStore {
  constructor(private readonly db: SharedSqlite) {}

  async insert(row: SubaccountRow): Promise<void> {
    const { kysely: k, runner, sync } = this.db;
    sync(`create subaccount ${row.auth_id}`, () => runner.run(k.insertInto('accounts').values(row).compile()));
  }

  async update(row: SubaccountRow): Promise<boolean> {
    const { kysely: k, runner, sync } = this.db;
    const { auth_id, created_at: _c, ...rest } = row;
    return sync(`update subaccount ${auth_id}`, () => runner.run(k.updateTable('accounts').set(rest).where('auth_id', '=', auth_id).compile()) > 0);
  }

  async all(): Promise<SubaccountRow[]> {
    const { kysely: k, runner, sync } = this.db;
    return sync('list subaccounts', () => runner.all<SubaccountRow>(k.selectFrom('accounts').selectAll().orderBy('created_at').orderBy(sql`rowid`).compile()));
  }

  /**
   * Deletes the subaccount. Its numbers, applications and flows are deleted with it (`cascade`) or
   * become the main account's; its calls and their deliveries stay as they are: history, which the
   * main account still sees.
   */
  async delete(authId: string, cascade: boolean): Promise<boolean> {
    const { kysely: k, runner, sync } = this.db;
    return sync(`delete subaccount ${authId}`, () =>
      runner.transaction(() => {
        for (const table of RESOURCES) {
          const q = cascade
            ? k.deleteFrom(table).where('account_id', '=', authId)
            : k.updateTable(table).set({ account_id: sql`null` }).where('account_id', '=', authId);
          runner.run(q.compile());
        }
        return runner.run(k.deleteFrom('accounts').where('auth_id', '=', authId).compile()) > 0;
      }),
    );
  }
}
