/** Recordings on either database (sql-db.ts); docs/api.md "Recording". Rows: migrations/007-recordings.ts. */
import { sql } from 'kysely';
import type { SqlDb } from './sql-db.ts';
import { pageOf } from './sql-app-store.ts';

export interface RecordingRow {
  recording_id: string;
  account_id: string | null;
  call_uuid: string;
  /** `normal` (a call) or `conference`. */
  recording_type: string;
  recording_format: 'mp3' | 'wav';
  conference_name: string | null;
  from_number: string;
  to_number: string;
  recording_start_ms: number;
  recording_end_ms: number;
  add_time: number;
}

/** Plivo's list filters (the SDK's `recordings.list`): `call_uuid`, `add_time` with `__gt` etc., paging. */
export interface RecordingFilter {
  account?: string;
  callUuid?: string;
  addTime?: { op: '=' | '>' | '>=' | '<' | '<='; ms: number }[];
  limit: number;
  offset: number;
}

export class RecordingStore {
  constructor(private readonly db: SqlDb) {}

  async insert(row: RecordingRow): Promise<void> {
    await this.db.run(`create recording ${row.recording_id}`, this.db.kysely.insertInto('recordings').values(row).compile());
  }

  async get(recordingId: string): Promise<RecordingRow | undefined> {
    return this.db.first<RecordingRow>(`get recording ${recordingId}`, this.db.kysely.selectFrom('recordings').selectAll().where('recording_id', '=', recordingId).compile()).then(numeric);
  }

  async delete(recordingId: string): Promise<boolean> {
    return (await this.db.run(`delete recording ${recordingId}`, this.db.kysely.deleteFrom('recordings').where('recording_id', '=', recordingId).compile())) > 0;
  }

  /** Newest first, as Plivo lists them. */
  async list(f: RecordingFilter): Promise<{ rows: RecordingRow[]; total: number }> {
    let q = this.db.kysely.selectFrom('recordings');
    if (f.account !== undefined) q = q.where('account_id', '=', f.account);
    if (f.callUuid !== undefined) q = q.where('call_uuid', '=', f.callUuid);
    for (const t of f.addTime ?? []) q = q.where('add_time', t.op, t.ms);
    const page = await pageOf<RecordingRow>(
      this.db,
      'list recordings',
      q.select(sql<number>`count(*)`.as('n')).compile(),
      q.selectAll().orderBy('add_time', 'desc').orderBy('recording_id').limit(f.limit).offset(f.offset).compile(),
    );
    return { rows: page.rows.map((r) => numeric(r)!), total: page.total };
  }
}

/** PostgreSQL may hand bigints back as strings. */
function numeric(r: RecordingRow | undefined): RecordingRow | undefined {
  if (!r) return r;
  return { ...r, recording_start_ms: Number(r.recording_start_ms), recording_end_ms: Number(r.recording_end_ms), add_time: Number(r.add_time) };
}
