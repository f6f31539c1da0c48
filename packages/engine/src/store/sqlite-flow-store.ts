/** FlowStore on the SqliteStore's connection (SqliteStore.shared()). */
import { sql } from 'kysely';
import type { FlowRow, FlowRunRow, FlowStore } from './flow-store.ts';
import type { SharedSqlite } from './sqlite-app-store.ts';

export class SqliteFlowStore implements FlowStore {
  constructor(private readonly db: SharedSqlite) {}

  async insertFlow(row: FlowRow): Promise<void> {
    const { kysely: k, runner, sync } = this.db;
    sync(`create flow ${row.name}`, () => runner.run(k.insertInto('flows').values(row).compile()));
  }

  async updateFlow(row: FlowRow): Promise<boolean> {
    const { kysely: k, runner, sync } = this.db;
    const { flow_id, created_at: _c, ...rest } = row;
    return sync(`update flow ${flow_id}`, () => runner.run(k.updateTable('flows').set(rest).where('flow_id', '=', flow_id).compile()) > 0);
  }

  async getFlow(flowId: string): Promise<FlowRow | undefined> {
    const { kysely: k, runner, sync } = this.db;
    return sync(`get flow ${flowId}`, () => runner.first<FlowRow>(k.selectFrom('flows').selectAll().where('flow_id', '=', flowId).compile()));
  }

  async listFlows(page: { limit: number; offset: number; account?: string }): Promise<{ rows: FlowRow[]; total: number }> {
    const { kysely: k, runner, sync } = this.db;
    return sync('list flows', () => {
      // A subaccount lists its own flows (docs/accounts.md); the main account every flow.
      const flows = page.account === undefined ? k.selectFrom('flows') : k.selectFrom('flows').where('account_id', '=', page.account);
      const total = runner.first<{ n: number }>(flows.select(sql<number>`count(*)`.as('n')).compile())?.n ?? 0;
      const rows = runner.all<FlowRow>(flows.selectAll().orderBy('created_at', 'desc').orderBy('flow_id').limit(page.limit).offset(page.offset).compile());
      return { rows, total: Number(total) };
    });
  }

  async deleteFlow(flowId: string): Promise<boolean> {
    const { kysely: k, runner, sync } = this.db;
    return sync(`delete flow ${flowId}`, () => runner.run(k.deleteFrom('flows').where('flow_id', '=', flowId).compile()) > 0);
  }

  async insertRun(row: FlowRunRow): Promise<void> {
    const { kysely: k, runner, sync } = this.db;
    sync(`create flow run ${row.run_id}`, () => runner.run(k.insertInto('flow_runs').values(row).compile()));
  }

  async updateRun(row: FlowRunRow): Promise<void> {
    const { kysely: k, runner, sync } = this.db;
    const { run_id, status, call_uuid, trace, error, ended_at } = row;
    sync(`update flow run ${run_id}`, () =>
      runner.run(k.updateTable('flow_runs').set({ status, call_uuid, trace, error, ended_at }).where('run_id', '=', run_id).compile()),
    );
  }

  async getRun(runId: string): Promise<FlowRunRow | undefined> {
    const { kysely: k, runner, sync } = this.db;
    return sync(`get flow run ${runId}`, () => runner.first<FlowRunRow>(k.selectFrom('flow_runs').selectAll().where('run_id', '=', runId).compile()));
  }

  async listRuns(flowId: string, page: { limit: number; offset: number }): Promise<{ rows: FlowRunRow[]; total: number }> {
    const { kysely: k, runner, sync } = this.db;
    return sync(`list runs of flow ${flowId}`, () => {
      const base = k.selectFrom('flow_runs').where('flow_id', '=', flowId);
      const total = runner.first<{ n: number }>(base.select(sql<number>`count(*)`.as('n')).compile())?.n ?? 0;
      const rows = runner.all<FlowRunRow>(base.selectAll().orderBy('started_at', 'desc').orderBy(sql`rowid`, 'desc').limit(page.limit).offset(page.offset).compile());
      return { rows, total: Number(total) };
    });
  }
}
