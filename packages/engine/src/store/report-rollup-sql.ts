/**
 * How rollup rows are written, on both databases (docs/reports.md, docs/storage.md
 * "Concurrency"): one additive upsert, `INSERT ... ON CONFLICT (dim, hour, key, kind) DO UPDATE
 * SET attempts = report_rollups.attempts + excluded.attempts, ...`. The database adds under its
 * own row lock, so two writers (two PostgreSQL nodes, or `generate` beside a record()) ending calls
 * in the same bucket add up instead of overwriting each other, and nothing is read first.
 *
 * The count maps (dial_status, causes, pdd...) are JSON objects stored as text; they are summed key
 * by key in SQL as well (dialect.ts, sumJsonCounts).
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import { sumJsonCounts } from './dialect.ts';
import { QueryTemplate, type BoundQuery } from './query-template.ts';
import { ofCall } from './store-queries.ts';
import { RollupAccumulator, rowId, toStored, type RollupRow } from './report-rollup.ts';
import type { SqlDialect } from './sql-db.ts';

export const ROLLUP_COLUMNS = ['hour', 'dim', 'key', 'kind', 'attempts', 'answered', 'talk_s', 'talk_n', 'dial_status', 'call_status', 'causes', 'pdd', 'ring'] as const;
const SUMMED = ['attempts', 'answered', 'talk_s', 'talk_n'] as const;
const COUNT_MAPS = ['dial_status', 'call_status', 'causes', 'pdd', 'ring'] as const;

/** Rows per statement in bulk merges: 13 parameters a row stays far below either driver's limit. */
export const ROLLUP_CHUNK = 100;

type Column = (typeof ROLLUP_COLUMNS)[number];

/** Upsert templates, one per row count (a call touches 7 rows per attempt kind; bulk merges, ROLLUP_CHUNK). */
export class RollupUpserts {
  private readonly byCount = new Map<number, QueryTemplate<unknown, string>>();

  constructor(
    private readonly k: Kysely<any>,
    private readonly dialect: SqlDialect,
  ) {}

  /**
   * The statements that add `rows` to the stored rollups. Rows go in one global order (their key),
   * so two PostgreSQL transactions touching the same buckets lock them in the same order and
   * cannot deadlock on them.
   */
  statements(rows: Iterable<RollupRow>): BoundQuery<unknown>[] {
    const sorted = [...rows].sort((a, b) => (rowId(a) < rowId(b) ? -1 : rowId(a) > rowId(b) ? 1 : 0));
    const out: BoundQuery<unknown>[] = [];
    for (let i = 0; i < sorted.length; i += ROLLUP_CHUNK) {
      const chunk = sorted.slice(i, i + ROLLUP_CHUNK);
      const values: Record<string, unknown> = {};
      chunk.forEach((row, n) => {
        const stored = toStored(row) as unknown as Record<Column, unknown>;
        for (const c of ROLLUP_COLUMNS) values[`${n}:${c}`] = stored[c];
      });
      out.push(this.template(chunk.length).bind(values));
    }
    return out;
  }

  /** The statements for everything an accumulator holds. */
  ofAccumulator(acc: RollupAccumulator): BoundQuery<unknown>[] {
    return this.statements(acc.rows.values());
  }

  private template(count: number): QueryTemplate<unknown, string> {
    let t = this.byCount.get(count);
    if (t) return t;
    const names = Array.from({ length: count }, (_, n) => ROLLUP_COLUMNS.map((c) => `${n}:${c}`)).flat();
    t = new QueryTemplate<unknown, string>(names, (p) =>
      this.k
        .insertInto('report_rollups')
        .values(Array.from({ length: count }, (_, n) => Object.fromEntries(ROLLUP_COLUMNS.map((c) => [c, p[`${n}:${c}`]]))))
        .onConflict((oc) => oc.columns(['dim', 'hour', 'key', 'kind']).doUpdateSet(this.additions())),
    );
    // Bulk merges use one or two sizes; per-call writes a handful: the map stays small.
    if (this.byCount.size >= 64) this.byCount.clear();
    this.byCount.set(count, t);
    return t;
  }

  private additions(): Record<string, RawBuilder<unknown>> {
    const set: Record<string, RawBuilder<unknown>> = {};
    for (const c of SUMMED) set[c] = sql`report_rollups.${sql.ref(c)} + excluded.${sql.ref(c)}`;
    for (const c of COUNT_MAPS) set[c] = sumJsonCounts(this.dialect, sql`report_rollups.${sql.ref(c)}`, sql`excluded.${sql.ref(c)}`);
    return set;
  }
}

/** The queries that gather one ended call's attempts (its A leg, B legs and dial events). */
export function rollupReadQueries(k: Kysely<any>) {
  return {
    getCall: new QueryTemplate(['uuid'], (p) => k.selectFrom('calls').selectAll().where('call_uuid', '=', p.uuid)),
    bLegs: new QueryTemplate(['uuid'], (p) => k.selectFrom('calls').selectAll().where('parent_call_uuid', '=', p.uuid)),
    dialEvents: new QueryTemplate(['uuid'], (p) =>
      k.selectFrom('events').select(['type', 'at', 'data']).where(ofCall(p.uuid)).where('type', 'in', ['dial.started', 'dial.ended']).orderBy('seq'),
    ),
  };
}
