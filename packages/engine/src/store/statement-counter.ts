/**
 * Counts the SQL statements a store sends to its database (issue 14 item 5; docs/performance.md,
 * "Statements per call and PostgreSQL"). Every statement counts, transaction control included:
 * BEGIN, COMMIT, ROLLBACK, SAVEPOINT and RELEASE are round trips on PostgreSQL and steps of the
 * VM on SQLite like any other. Kept by kind: the verb, and for data statements the table
 * ("insert events", "update calls", "begin"). Migrations, run once at start, are not counted.
 *
 * Read by the `switchboard_store_statements_total{kind}` metric, by `npm run bench` and by
 * test/statements-per-call.test.ts.
 */

/** Statement texts are few (most are compiled once: query-template.ts), so their kinds are cached. */
const KIND_CACHE_SIZE = 1024;

export type StatementCounts = Readonly<Record<string, number>>;

export class StatementCounter {
  private readonly counts = new Map<string, number>();
  private readonly kinds = new Map<string, string>();
  private sum = 0;

  /** One statement of this SQL text was sent. */
  count(sqlText: string): void {
    let kind = this.kinds.get(sqlText);
    if (kind === undefined) {
      kind = statementKind(sqlText);
      if (this.kinds.size >= KIND_CACHE_SIZE) this.kinds.clear();
      this.kinds.set(sqlText, kind);
    }
    this.add(kind);
  }

  /** One statement of a known kind (transaction control the driver issues itself). */
  add(kind: string, n = 1): void {
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + n);
    this.sum += n;
  }

  get total(): number {
    return this.sum;
  }

  /** The counts so far, by kind. */
  snapshot(): StatementCounts {
    return Object.fromEntries(this.counts);
  }
}

/** What `after` added to `before`, by kind (kinds that did not move are left out). */
export function statementDelta(before: StatementCounts, after: StatementCounts): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [kind, n] of Object.entries(after)) {
    const d = n - (before[kind] ?? 0);
    if (d !== 0) out[kind] = d;
  }
  return out;
}

export function sumCounts(counts: StatementCounts): number {
  let n = 0;
  for (const v of Object.values(counts)) n += v;
  return n;
}

/** "kind: n, ..." sorted by count, for messages and the bench. */
export function formatCounts(counts: StatementCounts): string {
  return Object.entries(counts)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([k, n]) => `${k}: ${n}`)
    .join(', ');
}

const IDENT = String.raw`(?:"([^"]+)"|\x60([^\x60]+)\x60|([A-Za-z_][A-Za-z0-9_.]*))`;
const TABLE_AFTER: Record<string, RegExp> = {
  insert: new RegExp(String.raw`^insert\s+(?:or\s+\w+\s+)?into\s+` + IDENT, 'i'),
  replace: new RegExp(String.raw`^replace\s+into\s+` + IDENT, 'i'),
  update: new RegExp(String.raw`^update\s+` + IDENT, 'i'),
  delete: new RegExp(String.raw`^delete\s+from\s+` + IDENT, 'i'),
  select: new RegExp(String.raw`\sfrom\s+` + IDENT, 'i'),
};

/** The kind of one statement: its verb, and the table it writes or first reads. */
export function statementKind(sqlText: string): string {
  const text = sqlText.trimStart().replace(/^\(+/, '');
  const verb = (/^[A-Za-z]+/.exec(text)?.[0] ?? 'other').toLowerCase();
  if (verb === 'begin' || verb === 'commit' || verb === 'end') return verb === 'end' ? 'commit' : verb;
  if (verb === 'rollback' || verb === 'savepoint' || verb === 'release') return verb;
  if (verb === 'with') {
    // A data-modifying CTE statement: named by the statement after its last CTE.
    const main = /\)\s*(insert|update|delete|select)\b[\s\S]*$/i.exec(text);
    return main ? `with ${statementKind(main[0].replace(/^\)\s*/, ''))}` : 'with';
  }
  const pattern = TABLE_AFTER[verb];
  if (!pattern) return verb;
  const m = pattern.exec(text);
  const table = m ? (m[1] ?? m[2] ?? m[3]) : undefined;
  return table ? `${verb} ${table.replace(/^main\./, '')}` : verb;
}
