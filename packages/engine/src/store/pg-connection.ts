/**
 * PostgreSQL through `pg` (docs/storage.md, "PostgreSQL"): the pool, how values come back, and how
 * the one migration list's SQLite-flavoured DDL becomes PostgreSQL's.
 *
 * - int8 (`count(*)`, bigint columns) and numeric (`sum` of bigints) are parsed to JS numbers here,
 *   once: every time is ms since the epoch and every count fits a double.
 * - Migrations say `integer` as SQLite does; ms timestamps overflow PostgreSQL's 4-byte integer,
 *   so DDL compiled for PostgreSQL says `bigint`, an `id integer primary key` becomes an identity
 *   column (SQLite's rowid alias), and SQLite-only table options (`without rowid`) are dropped.
 */
import pg from 'pg';
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';

const INT8_OID = 20;
const NUMERIC_OID = 1700;

const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID || oid === NUMERIC_OID) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

export function isPostgresUrl(spec: string): boolean {
  return /^postgres(ql)?:\/\//i.test(spec);
}

/** The URL with its password replaced, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparsable URL)';
  }
}

/**
 * `idleInTransactionMs`: the server ends a session that sits that long inside a transaction. A
 * cluster node sets it to its lease (docs/scaling.md): a node paused mid-transaction (SIGSTOP, a
 * long GC) then cannot hold row locks that the survivor taking it over needs.
 */
export function openPgPool(url: string, max = 10, idleInTransactionMs?: number): pg.Pool {
  const options = idleInTransactionMs !== undefined ? { options: `-c idle_in_transaction_session_timeout=${Math.max(1, Math.round(idleInTransactionMs))}` } : {};
  const pool = new pg.Pool({ connectionString: url, max, types, ...options });
  // An idle client's error (the server restarted) must not crash the process; the next query fails instead.
  pool.on('error', () => {});
  return pool;
}

/** One connection of its own (a LISTEN holds it), with the same value parsing as the pool. */
export function openPgClient(url: string): pg.Client {
  return new pg.Client({ connectionString: url, types });
}

/**
 * Tables whose lists break ties by insertion order (dialect.ts, insertionOrder): SQLite has its
 * rowid; on PostgreSQL they get an identity column `row_order`, which queries never select.
 */
const ROWID_TABLES = new Set(['accounts', 'flow_runs']);
const ROW_ORDER_COLUMN = Object.freeze({
  kind: 'ColumnDefinitionNode',
  column: { kind: 'ColumnNode', column: { kind: 'IdentifierNode', name: 'row_order' } },
  dataType: { kind: 'DataTypeNode', dataType: 'bigint' },
  generated: { kind: 'GeneratedNode', byDefault: true, identity: true },
  notNull: true,
});

type Node = { readonly kind?: string } & Record<string, unknown>;

function rewrite(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rewrite);
  if (node === null || typeof node !== 'object') return node;
  const n = node as Node;
  if (n.kind === 'DataTypeNode' && n.dataType === 'integer') return { ...n, dataType: 'bigint' };
  if (n.kind === 'CreateTableNode') {
    const { endModifiers: _sqliteOnly, ...rest } = n;
    const out = mapValues(rest);
    const table = (((n.table as Node).table as Node | undefined)?.identifier as Node | undefined)?.name as string | undefined;
    if (table === undefined || !ROWID_TABLES.has(table)) return out;
    return Object.freeze({ ...out, columns: [...(out.columns as unknown[]), ROW_ORDER_COLUMN] }) as Node;
  }
  if (n.kind === 'ColumnDefinitionNode' && n.primaryKey === true && (n.dataType as Node | undefined)?.dataType === 'integer') {
    // SQLite's `integer primary key` numbers rows by itself; PostgreSQL needs an identity.
    return { ...mapValues(n), generated: { kind: 'GeneratedNode', byDefault: true, identity: true } };
  }
  return mapValues(n);
}

function mapValues(n: Node): Node {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(n)) out[key] = rewrite(value);
  return Object.freeze(out) as Node;
}

/** The DDL rewrite described above, as a Kysely plugin (only schema statements are touched). */
export class PostgresDdl implements KyselyPlugin {
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    const kind = args.node.kind;
    if (kind !== 'CreateTableNode' && kind !== 'AlterTableNode') return args.node;
    return rewrite(args.node) as RootOperationNode;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}
