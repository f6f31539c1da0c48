/**
 * The ClusterStore on PostgreSQL (cluster-store.ts, docs/scaling.md). Every decision that more
 * than one node could race for is one statement or one transaction under a row lock:
 *
 * - the lease: `heartbeat` renews only `where epoch = mine and lease_until >= now`;
 * - takeover: the dead node's row is updated `where epoch = seen and lease_until < now`, so of
 *   several survivors the first one's commit makes the others' update match nothing;
 * - claims: `FOR UPDATE SKIP LOCKED` over the due deliveries, after a transaction-level advisory
 *   lock so two pollers never judge the same row from snapshots taken before each other's claim.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type pg from 'pg';
import type { ClusterStore, NodeRow, NotifyChannel } from './cluster-store.ts';
import { openPgClient, openPgPool } from './pg-connection.ts';
import type { CallRow, DeliveryRow } from './store.ts';
import { pgStoreError } from './pg-db.ts';
import { LIVE_STATUS_LIST } from './store-queries.ts';

/** Held by a transaction that claims deliveries. */
const CLAIM_LOCK = 7_461_019_220_115;
/** The database's clock in ms: the one clock every node's lease is measured on. */
const NOW = sql<number>`(extract(epoch from clock_timestamp()) * 1000)::bigint`;

type Client = pg.Pool | pg.PoolClient;

export class PgClusterStore implements ClusterStore {
  private own: pg.Pool | undefined;

  constructor(
    private readonly k: Kysely<any>,
    private readonly fence: (nodeId: string) => void,
    private readonly url: string,
    /** As the store's own sessions (pg-connection.ts): a paused node's claim lock is released. */
    private readonly idleInTransactionMs?: number,
  ) {}

  /**
   * A small pool of its own, opened on first use: a heartbeat never waits for a connection behind
   * the calls' queries, so a busy node does not lose its lease to its own traffic.
   */
  private get pool(): pg.Pool {
    return (this.own ??= openPgPool(this.url, 3, this.idleInTransactionMs));
  }

  async close(): Promise<void> {
    const pool = this.own;
    this.own = undefined;
    await pool?.end().catch(() => undefined);
  }

  async openChannel(name: string, onMessage: (payload: string) => void, onError: (err: unknown) => void): Promise<NotifyChannel> {
    if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw pgStoreError(new Error(`not a channel name: ${name}`), 'open a channel');
    // Its own connection: LISTEN holds it for the life of the node.
    const client = openPgClient(this.url);
    client.on('error', onError);
    client.on('notification', (n) => {
      if (n.channel === name && n.payload !== undefined) onMessage(n.payload);
    });
    try {
      await client.connect();
      await client.query(`listen ${name}`);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw pgStoreError(err, `listen on ${name}`);
    }
    return {
      send: async (payload) => {
        await this.pool.query('select pg_notify($1, $2)', [name, payload]);
      },
      close: () => client.end().catch(() => undefined),
    };
  }

  fenceWritesTo(nodeId: string): void {
    this.fence(nodeId);
  }

  private async rows<R>(client: Client, raw: RawBuilder<unknown>, what: string): Promise<R[]> {
    const c = raw.compile(this.k);
    try {
      return (await client.query({ text: c.sql, values: c.parameters as unknown[] })).rows as R[];
    } catch (err) {
      throw pgStoreError(err, what);
    }
  }

  private async tx<T>(what: string, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect().catch((err: unknown) => {
      throw pgStoreError(err, what);
    });
    const lost = (): void => {}; // see pg-db.ts: a session the server ended fails its query, not the process
    client.on('error', lost);
    try {
      await client.query('begin');
      // A lock held by a paused node is released when the server ends its session (pg-connection.ts,
      // idleInTransactionMs); meanwhile this gives up and the next round tries again.
      await client.query("set local lock_timeout = '2s'");
      const out = await fn(client);
      await client.query('commit');
      return out;
    } catch (err) {
      await client.query('rollback').catch(() => undefined);
      throw pgStoreError(err, what);
    } finally {
      client.off('error', lost);
      client.release();
    }
  }

  async register(nodeId: string, advertiseUrl: string | null, leaseMs: number): Promise<{ node: NodeRow; previous?: NodeRow }> {
    return this.tx(`register node ${nodeId}`, async (c) => {
      const [previous] = await this.rows<NodeRow>(c, sql`select * from nodes where node_id = ${nodeId} for update`, 'read node');
      const [node] = await this.rows<NodeRow>(
        c,
        sql`insert into nodes (node_id, advertise_url, epoch, started_at, heartbeat_at, lease_until, state, taken_over_by)
            values (${nodeId}, ${advertiseUrl}, 1, ${NOW}, ${NOW}, ${NOW} + ${leaseMs}, 'live', null)
            on conflict (node_id) do update set advertise_url = excluded.advertise_url, epoch = nodes.epoch + 1,
              started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at, lease_until = excluded.lease_until,
              state = 'live', taken_over_by = null
            returning *`,
        'register node',
      );
      return { node: node!, ...(previous ? { previous } : {}) };
    });
  }

  async heartbeat(nodeId: string, epoch: number, leaseMs: number, state: 'live' | 'draining'): Promise<boolean> {
    const rows = await this.rows(
      this.pool,
      sql`update nodes set heartbeat_at = ${NOW}, lease_until = ${NOW} + ${leaseMs}, state = ${state}
          where node_id = ${nodeId} and epoch = ${epoch} and state in ('live', 'draining') and lease_until >= ${NOW}
          returning node_id`,
      `heartbeat of node ${nodeId}`,
    );
    return rows.length === 1;
  }

  async setAdvertiseUrl(nodeId: string, epoch: number, url: string): Promise<void> {
    await this.rows(this.pool, sql`update nodes set advertise_url = ${url} where node_id = ${nodeId} and epoch = ${epoch}`, `advertise node ${nodeId}`);
  }

  async leave(nodeId: string, epoch: number): Promise<void> {
    await this.rows(
      this.pool,
      sql`update nodes set state = 'stopped', lease_until = ${NOW}, heartbeat_at = ${NOW} where node_id = ${nodeId} and epoch = ${epoch} and state in ('live', 'draining')`,
      `stop node ${nodeId}`,
    );
  }

  async getNode(nodeId: string): Promise<NodeRow | undefined> {
    return (await this.rows<NodeRow>(this.pool, sql`select * from nodes where node_id = ${nodeId}`, `get node ${nodeId}`))[0];
  }

  async listNodes(): Promise<NodeRow[]> {
    return this.rows<NodeRow>(this.pool, sql`select * from nodes order by node_id`, 'list nodes');
  }

  async expiredNodes(): Promise<NodeRow[]> {
    // A node that stopped cleanly ended its calls itself; it is taken over only if some are still live.
    return this.rows<NodeRow>(
      this.pool,
      sql`select * from nodes n where lease_until < ${NOW} and (state in ('live', 'draining')
            or (state = 'stopped' and exists (select 1 from calls c where c.node_id = n.node_id and c.call_status in ${LIVE_STATUS_LIST})))
          order by node_id`,
      'list expired nodes',
    );
  }

  async takeOver(dead: Pick<NodeRow, 'node_id' | 'epoch'>, by: string): Promise<CallRow[] | undefined> {
    return this.tx(`take over node ${dead.node_id}`, async (c) => {
      const won = await this.rows(
        c,
        sql`update nodes set state = 'dead', epoch = epoch + 1, taken_over_by = ${by}
            where node_id = ${dead.node_id} and epoch = ${dead.epoch} and state <> 'dead' and lease_until < ${NOW}
            returning node_id`,
        'fence the dead node',
      );
      if (won.length === 0) return undefined;
      // A fetch whose call waited for its answer on the dead node will never be read.
      await this.rows(
        c,
        sql`update deliveries set status = 'failed', completed_at = ${NOW}, next_attempt_at = null,
              last_error = ${`node ${dead.node_id} stopped while the request was pending`}
            where status = 'pending' and synchronous = 1 and call_uuid in (select call_uuid from calls where node_id = ${dead.node_id})`,
        'fail the dead node\'s fetches',
      );
      return this.rows<CallRow>(
        c,
        sql`update calls set node_id = ${by} where node_id = ${dead.node_id} and call_status in ${LIVE_STATUS_LIST} returning *`,
        'move the dead node\'s live calls',
      );
    });
  }

  async claimDue(nodeId: string, epoch: number, limit: number): Promise<DeliveryRow[]> {
    return this.tx('claim due deliveries', async (c) => {
      await c.query('select pg_advisory_xact_lock($1)', [CLAIM_LOCK]);
      return this.rows<DeliveryRow>(
        c,
        sql`with due as (
              select d.id from deliveries d
                left join delivery_claims k on k.delivery_id = d.id
                left join calls c on c.call_uuid = d.call_uuid
                left join nodes n on n.node_id = coalesce(k.holder, c.node_id)
              where d.status = 'pending' and d.synchronous = 0 and coalesce(d.next_attempt_at, 0) <= ${NOW}
                and (n.node_id is null or n.state in ('dead', 'stopped') or n.lease_until < ${NOW} or (k.delivery_id is not null and n.epoch <> k.epoch))
                and not exists (
                  select 1 from deliveries e
                  where e.call_initiation_time = d.call_initiation_time and e.call_uuid = d.call_uuid and e.seq < d.seq
                    and e.status = 'pending' and e.synchronous = 0)
              order by d.created_at, d.call_uuid, d.seq
              limit ${limit}
              for update of d skip locked
            ), claimed as (
              insert into delivery_claims (delivery_id, holder, epoch, claimed_at)
              select id, ${nodeId}, ${epoch}, ${NOW} from due
              on conflict (delivery_id) do update set holder = excluded.holder, epoch = excluded.epoch, claimed_at = excluded.claimed_at
              returning delivery_id
            )
            select d.* from deliveries d join claimed on claimed.delivery_id = d.id order by d.created_at, d.call_uuid, d.seq`,
        'claim due deliveries',
      );
    });
  }

  async claimOwn(nodeId: string, epoch: number): Promise<DeliveryRow[]> {
    return this.tx(`claim the deliveries of node ${nodeId}`, async (c) => {
      await c.query('select pg_advisory_xact_lock($1)', [CLAIM_LOCK]);
      return this.rows<DeliveryRow>(
        c,
        sql`with own as (
              select d.id from deliveries d
                left join delivery_claims k on k.delivery_id = d.id
                join calls c on c.call_uuid = d.call_uuid
              where d.status = 'pending' and ((k.delivery_id is null and c.node_id = ${nodeId}) or k.holder = ${nodeId})
              for update of d
            ), claimed as (
              insert into delivery_claims (delivery_id, holder, epoch, claimed_at)
              select id, ${nodeId}, ${epoch}, ${NOW} from own
              on conflict (delivery_id) do update set holder = excluded.holder, epoch = excluded.epoch, claimed_at = excluded.claimed_at
              returning delivery_id
            )
            select d.* from deliveries d join claimed on claimed.delivery_id = d.id order by d.created_at, d.call_uuid, d.seq`,
        'claim own deliveries',
      );
    });
  }
}
