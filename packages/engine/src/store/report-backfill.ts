/**
 * Rolls up the calls already in a database (migration 004, and `rebuildRollups`): reads ended A
 * legs page by page with their B legs and dial events, and writes the rollup rows once at the end,
 * with the same additive upsert as a call's end (report-rollup-sql.ts): a node that ends a call
 * while `rebuildRollups` runs adds to a row rather than making the rebuild fail on its key.
 * Runs through Kysely so the migration can call it inside its own transaction.
 */
import { CompiledQuery, type Kysely } from 'kysely';
import { dialectOf } from './dialect.ts';
import { RollupAccumulator, attemptsOfCall } from './report-rollup.ts';
import { RollupUpserts } from './report-rollup-sql.ts';
import type { CallRow, EventRow } from './store.ts';

const PAGE = 2000;

export async function backfillRollups(db: Kysely<any>): Promise<number> {
  const acc = new RollupAccumulator();
  let after = '';
  let calls = 0;
  for (;;) {
    const aLegs = (await db
      .selectFrom('calls')
      .selectAll()
      .where('parent_call_uuid', 'is', null)
      .where('end_time', 'is not', null)
      .where('call_uuid', '>', after)
      .orderBy('call_uuid')
      .limit(PAGE)
      .execute()) as CallRow[];
    if (aLegs.length === 0) break;
    after = aLegs[aLegs.length - 1]!.call_uuid;
    const ids = aLegs.map((a) => a.call_uuid);
    const bLegs = (await db.selectFrom('calls').selectAll().where('parent_call_uuid', 'in', ids).execute()) as CallRow[];
    // Through the calls' rows: the events' key starts with the call's time (store-queries.ts, ofCall).
    const events = (await db
      .selectFrom('events as e')
      .innerJoin('calls as c', (j) => j.onRef('c.initiation_time', '=', 'e.call_initiation_time').onRef('c.call_uuid', '=', 'e.call_uuid'))
      .select(['e.call_uuid', 'e.type', 'e.at', 'e.data'])
      .where('c.call_uuid', 'in', ids)
      .where('e.type', 'in', ['dial.started', 'dial.ended'])
      .orderBy('e.call_uuid')
      .orderBy('e.seq')
      .execute()) as Array<Pick<EventRow, 'call_uuid' | 'type' | 'at' | 'data'>>;
    const bByParent = group(bLegs, (b) => b.parent_call_uuid ?? '');
    const evByCall = group(events, (e) => e.call_uuid);
    for (const a of aLegs) {
      for (const attempt of attemptsOfCall(a, bByParent.get(a.call_uuid) ?? [], evByCall.get(a.call_uuid) ?? [])) acc.add(attempt);
    }
    calls += aLegs.length;
  }
  for (const q of new RollupUpserts(db, dialectOf(db)).ofAccumulator(acc)) {
    await db.executeQuery(CompiledQuery.raw(q.sql, [...q.parameters]));
  }
  return calls;
}

function group<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = map.get(k);
    if (list) list.push(item);
    else map.set(k, [item]);
  }
  return map;
}
