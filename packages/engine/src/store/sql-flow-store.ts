/** FlowStore on either database (sql-db.ts): flows and their runs. */
import { sql } from 'kysely';
import type { FlowRow, FlowRunRow, FlowStore } from './flow-store.ts';
import type { SqlDb } from './sql-db.ts';
import { pageOf } from './sql-app-store.ts';
import { insertionOrder } from './dialect.ts';

/** Listed, never selectAll(): on PostgreSQL the table also holds `row_order` (dialect.ts). */
const RUN_COLUMNS = ['run_id', 'flow_id', 'trigger', 'status', 'call_uuid', 'payload', 'trace', 'error', 'started_at', 'ended_at', 'account_id'] as const satisfies readonly (keyof FlowRunRow)[];

export class SqlFlowStore implements FlowStore {
  constructor(private readonly db: SqlDb) {}

  async insertFlow(row: FlowRow): Promise<void> {
    await this.db.run(`create flow ${row.name}`, this.db.kysely.insertInto('flows').values(row).compile());
  }

  async updateFlow(row: FlowRow): Promise<boolean> {
    const { flow_id, created_at: _c, ...rest } = row;
    return (await this.db.run(`update flow ${flow_id}`, this.db.kysely.updateTable('flows').set(rest).where('flow_id', '=', flow_id).compile())) > 0;
  }

  async getFlow(flowId: string): Promise<FlowRow | undefined> {
    return this.db.first<FlowRow>(`get flow ${flowId}`, this.db.kysely.selectFrom('flows').selectAll().where('flow_id', '=', flowId).compile());
  }

  async listFlows(page: { limit: number; offset: number; account?: string }): Promise<{ rows: FlowRow[]; total: number }> {
    const k = this.db.kysely;
    // A subaccount lists its own flows (docs/accounts.md); the main account every flow.
    const flows = page.account === undefined ? k.selectFrom('flows') : k.selectFrom('flows').where('account_id', '=', page.account);
    return pageOf<FlowRow>(this.db, 'list flows', flows.select(sql<number>`count(*)`.as('n')).compile(), flows.selectAll().orderBy('created_at', 'desc').orderBy('flow_id').limit(page.limit).offset(page.offset).compile());
  }

  async deleteFlow(flowId: string): Promise<boolean> {
    return (await this.db.run(`delete flow ${flowId}`, this.db.kysely.deleteFrom('flows').where('flow_id', '=', flowId).compile())) > 0;
  }

  async insertRun(row: FlowRunRow): Promise<void> {
    await this.db.run(`create flow run ${row.run_id}`, this.db.kysely.insertInto('flow_runs').values(row).compile());
  }

  async updateRun(row: FlowRunRow): Promise<void> {
    const { run_id, status, call_uuid, trace, error, ended_at } = row;
    await this.db.run(`update flow run ${run_id}`, this.db.kysely.updateTable('flow_runs').set({ status, call_uuid, trace, error, ended_at }).where('run_id', '=', run_id).compile());
  }

  async getRun(runId: string): Promise<FlowRunRow | undefined> {
    return this.db.first<FlowRunRow>(`get flow run ${runId}`, this.db.kysely.selectFrom('flow_runs').select(RUN_COLUMNS).where('run_id', '=', runId).compile());
  }

  async listRuns(flowId: string, page: { limit: number; offset: number }): Promise<{ rows: FlowRunRow[]; total: number }> {
    const base = this.db.kysely.selectFrom('flow_runs').where('flow_id', '=', flowId);
    // Runs started at the same instant list newest insert first.
    const rows = base.select(RUN_COLUMNS).orderBy('started_at', 'desc').orderBy(insertionOrder(this.db.dialect), 'desc').limit(page.limit).offset(page.offset);
    return pageOf<FlowRunRow>(this.db, `list runs of flow ${flowId}`, base.select(sql<number>`count(*)`.as('n')).compile(), rows.compile());
  }
}
