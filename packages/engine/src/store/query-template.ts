/**
 * Queries compiled once and bound many times. Kysely builds a query in ~5-20 µs, as long as
 * SQLite takes to run it, so the hot ones (record()'s statements, getCall...) are built once with
 * named placeholders and reused: each call only binds values into the compiled parameter list.
 *
 * A placeholder is a marker string that Kysely passes through as an ordinary parameter; after
 * compiling, each parameter is matched back to its name. Placeholders are typed `never` so they
 * fit any column in the builder without casts.
 */
import type { Compilable } from 'kysely';
import { StoreError } from './store-error.ts';

/** What SqliteRunner executes: SQL text and its positional parameters. */
export interface BoundQuery<R> {
  readonly sql: string;
  readonly parameters: readonly unknown[];
  /** Phantom: the row type the query returns. */
  readonly rows?: R;
}

export type Placeholders<P extends string> = { readonly [K in P]: never };

const MARK = '\u0000switchboard-placeholder:';

type Slot = { readonly name: string } | { readonly value: unknown };

export class QueryTemplate<R, P extends string> {
  readonly sql: string;
  private readonly slots: readonly Slot[];

  constructor(names: readonly P[], build: (p: Placeholders<P>) => Compilable<R>) {
    const placeholders = Object.fromEntries(names.map((n) => [n, MARK + n])) as unknown as Placeholders<P>;
    const compiled = build(placeholders).compile();
    this.sql = compiled.sql;
    const used = new Set<string>();
    this.slots = compiled.parameters.map((value) => {
      if (typeof value === 'string' && value.startsWith(MARK)) {
        const name = value.slice(MARK.length);
        used.add(name);
        return { name };
      }
      return { value }; // a constant the builder wrote in
    });
    const unused = names.filter((n) => !used.has(n));
    // A placeholder Kysely did not pass as a parameter would be bound nowhere: a programming error.
    if (unused.length > 0) throw new StoreError('database', `query template: placeholders ${unused.join(', ')} are not parameters of: ${this.sql}`);
  }

  bind(values: { readonly [K in P]: unknown }): BoundQuery<R> {
    const parameters = this.slots.map((slot) => ('name' in slot ? (values as Record<string, unknown>)[slot.name] : slot.value));
    return { sql: this.sql, parameters };
  }
}

/**
 * Templates for queries whose shape depends on which columns a patch sets (UPDATE ... SET a, b):
 * one template per set of keys, made on first use.
 */
export class PatchTemplates<R> {
  /** Callers patch a handful of column sets; the cap only guards against a caller that varies them endlessly. */
  private static readonly MAX_SHAPES = 128;
  private readonly byKeys = new Map<string, QueryTemplate<R, string>>();

  constructor(private readonly build: (keys: readonly string[], p: Placeholders<string>) => Compilable<R>) {}

  bind(patch: Readonly<Record<string, unknown>>, extra: Readonly<Record<string, unknown>>): BoundQuery<R> {
    const keys = Object.keys(patch);
    const signature = keys.join(',');
    let t = this.byKeys.get(signature);
    if (!t) {
      t = new QueryTemplate<R, string>([...keys.map((k) => `set:${k}`), ...Object.keys(extra)], (p) => this.build(keys, p));
      if (this.byKeys.size >= PatchTemplates.MAX_SHAPES) this.byKeys.clear();
      this.byKeys.set(signature, t);
    }
    const values: Record<string, unknown> = { ...extra };
    for (const k of keys) values[`set:${k}`] = patch[k];
    return t.bind(values);
  }
}

type RowSlot = readonly [row: number, column: string] | { readonly value: unknown };

/**
 * A multi-row statement (INSERT ... VALUES (...), (...) [ON CONFLICT ...]) compiled once per row
 * count and set of columns, and bound by reading each row's values in place: a deferred-writes
 * flush sends several, and building them with Kysely every time cost more than SQLite took to run
 * them. Rows of different columns, or with an undefined value (which Kysely leaves out), are
 * compiled as they are.
 */
export class RowsTemplate<R> {
  /** Flush sizes vary with load; past this many shapes the cache starts again. */
  private static readonly MAX_SHAPES = 256;
  private readonly shapes = new Map<string, { readonly sql: string; readonly slots: readonly RowSlot[] }>();

  constructor(private readonly build: (rows: Record<string, unknown>[]) => Compilable<R>) {}

  bind(rows: readonly Record<string, unknown>[]): BoundQuery<R> {
    const columns = Object.keys(rows[0]!);
    const signature = columns.join(',');
    for (let i = 1; i < rows.length; i++) if (Object.keys(rows[i]!).join(',') !== signature) return this.build([...rows]).compile();
    const key = `${rows.length}|${signature}`;
    let shape = this.shapes.get(key);
    if (!shape) {
      const marked = rows.map((_, i) => Object.fromEntries(columns.map((c) => [c, `${MARK}${i}:${c}`])));
      const compiled = this.build(marked).compile();
      const slots = compiled.parameters.map((value): RowSlot => {
        if (typeof value !== 'string' || !value.startsWith(MARK)) return { value };
        const rest = value.slice(MARK.length);
        const at = rest.indexOf(':');
        return [Number(rest.slice(0, at)), rest.slice(at + 1)];
      });
      shape = { sql: compiled.sql, slots };
      if (this.shapes.size >= RowsTemplate.MAX_SHAPES) this.shapes.clear();
      this.shapes.set(key, shape);
    }
    const parameters = new Array<unknown>(shape.slots.length);
    for (let i = 0; i < parameters.length; i++) {
      const slot = shape.slots[i]!;
      const value = Array.isArray(slot) ? rows[slot[0]]![slot[1]] : (slot as { value: unknown }).value;
      if (value === undefined) return this.build([...rows]).compile();
      parameters[i] = value;
    }
    return { sql: shape.sql, parameters };
  }
}
