/** Conferences and their members on either database (sql-db.ts). Rows: migrations/010-conferences.ts. */
import type { SqlDb } from './sql-db.ts';

export interface ConferenceRow {
  conference_uuid: string;
  account_id: string | null;
  conference_name: string;
  created_at: number;
  ended_at: number | null;
  end_reason: string | null;
}

export interface ConferenceMemberRow {
  conference_uuid: string;
  member_id: string;
  call_uuid: string;
  joined_at: number;
  left_at: number | null;
  leave_reason: string | null;
}

export class ConferenceStore {
  constructor(private readonly db: SqlDb) {}

  async createRoom(row: ConferenceRow): Promise<void> {
    await this.db.run(`create conference ${row.conference_uuid}`, this.db.kysely.insertInto('conferences').values(row).compile());
  }

  async endRoom(uuid: string, at: number, reason: string): Promise<void> {
    await this.db.run(`end conference ${uuid}`, this.db.kysely.updateTable('conferences').set({ ended_at: at, end_reason: reason }).where('conference_uuid', '=', uuid).compile());
  }

  async addMember(row: ConferenceMemberRow): Promise<void> {
    await this.db.run(`add conference member ${row.member_id}`, this.db.kysely.insertInto('conference_members').values(row).compile());
  }

  async memberLeft(uuid: string, memberId: string, at: number, reason: string): Promise<void> {
    await this.db.run(
      `conference member ${memberId} left`,
      this.db.kysely.updateTable('conference_members').set({ left_at: at, leave_reason: reason }).where('conference_uuid', '=', uuid).where('member_id', '=', memberId).compile(),
    );
  }

  /**
   * Rooms the store still shows open, with their members, ended at `at` (an engine that stopped with
   * rooms live: its rooms lived in its memory and are gone). Answers how many rooms it closed.
   */
  async closeOpen(at: number, reason: string): Promise<number> {
    const open = await this.db.all<{ conference_uuid: string }>('open conferences', this.db.kysely.selectFrom('conferences').select('conference_uuid').where('ended_at', 'is', null).compile());
    if (open.length === 0) return 0;
    await this.db.run('close open conference members', this.db.kysely.updateTable('conference_members').set({ left_at: at, leave_reason: reason }).where('left_at', 'is', null).compile());
    await this.db.run('close open conferences', this.db.kysely.updateTable('conferences').set({ ended_at: at, end_reason: reason }).where('ended_at', 'is', null).compile());
    return open.length;
  }

  /** The conference each call last entered (a CDR's `conference_uuid`). */
  async conferenceOf(callUuids: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (callUuids.length === 0) return out;
    const rows = await this.db.all<{ call_uuid: string; conference_uuid: string; joined_at: number }>(
      'conferences of calls',
      this.db.kysely.selectFrom('conference_members').select(['call_uuid', 'conference_uuid', 'joined_at']).where('call_uuid', 'in', [...callUuids]).orderBy('joined_at').compile(),
    );
    for (const r of rows) out.set(r.call_uuid, r.conference_uuid);
    return out;
  }

  async members(uuid: string): Promise<ConferenceMemberRow[]> {
    const rows = await this.db.all<ConferenceMemberRow>('conference members', this.db.kysely.selectFrom('conference_members').selectAll().where('conference_uuid', '=', uuid).orderBy('joined_at').compile());
    return rows.map((r) => ({ ...r, joined_at: Number(r.joined_at), left_at: r.left_at === null ? null : Number(r.left_at) }));
  }
}
