/** AppStore on the SqliteStore's connection (SqliteStore.shared()). */
import { sql, type Kysely } from 'kysely';
import type { SqliteRunner } from './sqlite-connection.ts';
import type { AppStore, ApplicationRow, NumberFilter, PhoneNumberRow } from './app-store.ts';

export interface SharedSqlite {
  kysely: Kysely<any>;
  runner: SqliteRunner;
  sync: <T>(what: string, body: () => T) => T;
}

export class SqliteAppStore implements AppStore {
  constructor(private readonly db: SharedSqlite) {}

  async insertApplication(row: ApplicationRow): Promise<void> {
    const { kysely: k, runner, sync } = this.db;
    sync(`create application ${row.app_name}`, () => runner.run(k.insertInto('applications').values(row).compile()));
  }

  async updateApplication(row: ApplicationRow): Promise<boolean> {
    const { kysely: k, runner, sync } = this.db;
    const { app_id, created_at: _created, ...rest } = row;
    return sync(`update application ${app_id}`, () => runner.run(k.updateTable('applications').set(rest).where('app_id', '=', app_id).compile()) > 0);
  }

  async getApplication(appId: string): Promise<ApplicationRow | undefined> {
    const { kysely: k, runner, sync } = this.db;
    return sync(`get application ${appId}`, () => runner.first<ApplicationRow>(k.selectFrom('applications').selectAll().where('app_id', '=', appId).compile()));
  }

  async listApplications(page: { limit: number; offset: number; appName?: string; account?: string }): Promise<{ rows: ApplicationRow[]; total: number }> {
    const { kysely: k, runner, sync } = this.db;
    return sync('list applications', () => {
      let q = k.selectFrom('applications');
      if (page.appName !== undefined) q = q.where('app_name', '=', page.appName);
      if (page.account !== undefined) q = q.where('account_id', '=', page.account);
      const total = runner.first<{ n: number }>(q.select(sql<number>`count(*)`.as('n')).compile())?.n ?? 0;
      const rows = runner.all<ApplicationRow>(q.selectAll().orderBy('created_at', 'desc').orderBy('app_id').limit(page.limit).offset(page.offset).compile());
      return { rows, total: Number(total) };
    });
  }

  async deleteApplication(appId: string): Promise<boolean> {
    const { kysely: k, runner, sync } = this.db;
    return sync(`delete application ${appId}`, () => runner.run(k.deleteFrom('applications').where('app_id', '=', appId).compile()) > 0);
  }

  async defaultNumberApplication(): Promise<ApplicationRow | undefined> {
    const { kysely: k, runner, sync } = this.db;
    return sync('get the default number application', () =>
      runner.first<ApplicationRow>(k.selectFrom('applications').selectAll().where('default_number_app', '=', 1).orderBy('updated_at', 'desc').limit(1).compile()),
    );
  }

  async clearDefaultNumberApplication(keep: string): Promise<void> {
    const { kysely: k, runner, sync } = this.db;
    sync('clear default_number_app', () =>
      runner.run(k.updateTable('applications').set({ default_number_app: 0 }).where('default_number_app', '=', 1).where('app_id', '!=', keep).compile()),
    );
  }

  async saveNumber(row: PhoneNumberRow): Promise<void> {
    const { kysely: k, runner, sync } = this.db;
    const { number: _n, added_at: _a, ...rest } = row;
    sync(`save number ${row.number}`, () =>
      runner.run(k.insertInto('phone_numbers').values(row).onConflict((oc) => oc.column('number').doUpdateSet(rest)).compile()),
    );
  }

  async getNumber(number: string): Promise<PhoneNumberRow | undefined> {
    const { kysely: k, runner, sync } = this.db;
    return sync(`get number ${number}`, () => runner.first<PhoneNumberRow>(k.selectFrom('phone_numbers').selectAll().where('number', '=', number).compile()));
  }

  async listNumbers(f: NumberFilter): Promise<{ rows: PhoneNumberRow[]; total: number }> {
    const { kysely: k, runner, sync } = this.db;
    return sync('list numbers', () => {
      let q = k.selectFrom('phone_numbers');
      if (f.type !== undefined) q = q.where('number_type', '=', f.type);
      // LIKE with an escape: a prefix of digits must not be read as a pattern.
      if (f.numberStartswith !== undefined) q = q.where(sql<boolean>`number like ${escapeLike(f.numberStartswith) + '%'} escape '\\'`);
      if (f.alias !== undefined) q = q.where('alias', '=', f.alias);
      if (f.appId !== undefined) q = q.where('app_id', '=', f.appId);
      if (f.account !== undefined) q = q.where('account_id', '=', f.account);
      const total = runner.first<{ n: number }>(q.select(sql<number>`count(*)`.as('n')).compile())?.n ?? 0;
      const rows = runner.all<PhoneNumberRow>(q.selectAll().orderBy('added_at', 'desc').orderBy('number').limit(f.limit).offset(f.offset).compile());
      return { rows, total: Number(total) };
    });
  }

  async deleteNumber(number: string): Promise<boolean> {
    const { kysely: k, runner, sync } = this.db;
    return sync(`delete number ${number}`, () => runner.run(k.deleteFrom('phone_numbers').where('number', '=', number).compile()) > 0);
  }
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => '\\' + c);
}
