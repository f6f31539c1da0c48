/** AppStore on either database (sql-db.ts): applications and the account's phone numbers. */
import { sql } from 'kysely';
import type { AppStore, ApplicationRow, NumberFilter, PhoneNumberRow } from './app-store.ts';
import { QueryTemplate } from './query-template.ts';
import type { SqlDb } from './sql-db.ts';

export class SqlAppStore implements AppStore {
  /** The lookups an inbound call makes (its number, then its application), compiled once. */
  private readonly byAppId: QueryTemplate<ApplicationRow, 'appId'>;
  private readonly byNumber: QueryTemplate<PhoneNumberRow, 'number'>;

  constructor(private readonly db: SqlDb) {
    this.byAppId = new QueryTemplate(['appId'], (p) => db.kysely.selectFrom('applications').selectAll().where('app_id', '=', p.appId).$castTo<ApplicationRow>());
    this.byNumber = new QueryTemplate(['number'], (p) => db.kysely.selectFrom('phone_numbers').selectAll().where('number', '=', p.number).$castTo<PhoneNumberRow>());
  }

  async insertApplication(row: ApplicationRow): Promise<void> {
    await this.db.run(`create application ${row.app_name}`, this.db.kysely.insertInto('applications').values(row).compile());
  }

  async updateApplication(row: ApplicationRow): Promise<boolean> {
    const { app_id, created_at: _created, ...rest } = row;
    return (await this.db.run(`update application ${app_id}`, this.db.kysely.updateTable('applications').set(rest).where('app_id', '=', app_id).compile())) > 0;
  }

  async getApplication(appId: string): Promise<ApplicationRow | undefined> {
    return this.db.first(`get application ${appId}`, this.byAppId.bind({ appId }));
  }

  async listApplications(page: { limit: number; offset: number; appName?: string; account?: string }): Promise<{ rows: ApplicationRow[]; total: number }> {
    let q = this.db.kysely.selectFrom('applications');
    if (page.appName !== undefined) q = q.where('app_name', '=', page.appName);
    if (page.account !== undefined) q = q.where('account_id', '=', page.account);
    return pageOf<ApplicationRow>(this.db, 'list applications', q.select(sql<number>`count(*)`.as('n')).compile(), q.selectAll().orderBy('created_at', 'desc').orderBy('app_id').limit(page.limit).offset(page.offset).compile());
  }

  async deleteApplication(appId: string): Promise<boolean> {
    return (await this.db.run(`delete application ${appId}`, this.db.kysely.deleteFrom('applications').where('app_id', '=', appId).compile())) > 0;
  }

  async defaultNumberApplication(): Promise<ApplicationRow | undefined> {
    const q = this.db.kysely.selectFrom('applications').selectAll().where('default_number_app', '=', 1).orderBy('updated_at', 'desc').limit(1);
    return this.db.first<ApplicationRow>('get the default number application', q.compile());
  }

  async clearDefaultNumberApplication(keep: string): Promise<void> {
    const q = this.db.kysely.updateTable('applications').set({ default_number_app: 0 }).where('default_number_app', '=', 1).where('app_id', '!=', keep);
    await this.db.run('clear default_number_app', q.compile());
  }

  async saveNumber(row: PhoneNumberRow): Promise<void> {
    const { number: _n, added_at: _a, ...rest } = row;
    const q = this.db.kysely.insertInto('phone_numbers').values(row).onConflict((oc) => oc.column('number').doUpdateSet(rest));
    await this.db.run(`save number ${row.number}`, q.compile());
  }

  async getNumber(number: string): Promise<PhoneNumberRow | undefined> {
    return this.db.first(`get number ${number}`, this.byNumber.bind({ number }));
  }

  async listNumbers(f: NumberFilter): Promise<{ rows: PhoneNumberRow[]; total: number }> {
    let q = this.db.kysely.selectFrom('phone_numbers');
    if (f.type !== undefined) q = q.where('number_type', '=', f.type);
    // LIKE with an escape: a prefix of digits must not be read as a pattern.
    if (f.numberStartswith !== undefined) q = q.where(sql<boolean>`number like ${escapeLike(f.numberStartswith) + '%'} escape '\\'`);
    if (f.alias !== undefined) q = q.where('alias', '=', f.alias);
    if (f.appId !== undefined) q = q.where('app_id', '=', f.appId);
    if (f.account !== undefined) q = q.where('account_id', '=', f.account);
    return pageOf<PhoneNumberRow>(this.db, 'list numbers', q.select(sql<number>`count(*)`.as('n')).compile(), q.selectAll().orderBy('added_at', 'desc').orderBy('number').limit(f.limit).offset(f.offset).compile());
  }

  async deleteNumber(number: string): Promise<boolean> {
    return (await this.db.run(`delete number ${number}`, this.db.kysely.deleteFrom('phone_numbers').where('number', '=', number).compile())) > 0;
  }
}

/** A page and the total it is a page of, read in one transaction so both describe one moment. */
export async function pageOf<R>(db: SqlDb, what: string, count: Parameters<SqlDb['run']>[1], rows: Parameters<SqlDb['run']>[1]): Promise<{ rows: R[]; total: number }> {
  const [c, r] = await db.batch(what, [count, rows]);
  return { rows: (r?.rows ?? []) as R[], total: Number((c?.rows[0] as { n?: unknown } | undefined)?.n ?? 0) };
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => '\\' + c);
}
