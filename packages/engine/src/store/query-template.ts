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

/** Copies a statement's named values and constants into its parameter list (see `reader`). */
type Reader = (values: Record<string, unknown>, parameters: unknown[], constants: readonly unknown[]) => void;
/** Copies one row's values into a multi-row statement's parameters from `at` on (see `rowReader`). */
type RowReader = (row: Record<string, unknown>, parameters: unknown[], at: number) => boolean;

export class QueryTemplate<R, P extends string> {
  readonly sql: string;
  /** Per parameter: the placeholder it is bound from, or undefined for a constant (then in `constants`). */
  private readonly names: ReadonlyArray<string | undefined>;
  private readonly constants: readonly unknown[];
  /** Fills the parameters from the values, bound for every statement the store runs (see `reader`). */
  private readonly read: Reader;

  constructor(names: readonly P[], build: (p: Placeholders<P>) => Compilable<R>) {
    const placeholders = Object.fromEntries(names.map((n) => [n, MARK + n])) as unknown as Placeholders<P>;
    const compiled = build(placeholders).compile();
    this.sql = compiled.sql;
    const used = new Set<string>();
    const slots: Slot[] = compiled.parameters.map((value) => {
      if (typeof value === 'string' && value.startsWith(MARK)) {
        const name = value.slice(MARK.length);
        used.add(name);
        return { name };
      }
      return { value }; // a constant the builder wrote in
    });
    this.names = slots.map((slot) => ('name' in slot ? slot.name : undefined));
    this.constants = slots.map((slot) => ('value' in slot ? slot.value : undefined));
    this.read = reader(this.names.map((name, i) => (name === undefined ? { constant: i } : { name, at: i })));
    const unused = names.filter((n) => !used.has(n));
    // A placeholder Kysely did not pass as a parameter would be bound nowhere: a programming error.
    if (unused.length > 0) throw new StoreError('database', `query template: placeholders ${unused.join(', ')} are not parameters of: ${this.sql}`);
  }

  bind(values: { readonly [K in P]: unknown }): BoundQuery<R> {
    const parameters = new Array<unknown>(this.names.length);
    this.read(values as Record<string, unknown>, parameters, this.constants);
    return { sql: this.sql, parameters };
  }
}

/** Where a generated reader puts a value: a named one of the input, or a constant of the template. */
type ReadStep = { readonly name: string; readonly at: number } | { readonly constant: number };

/**
 * A function that copies the named values of an object into a parameter list, generated for one
 * statement's names: `p[0] = v["call_uuid"]; p[1] = v["seq"]; ...`. A loop reading `v[name]` with
 * the name in a variable is a keyed load that sees every row shape of every table, so V8 looks each
 * one up in its megamorphic cache; a property written in the code is a load of its own that sees
 * one shape (six times faster binding a flush's rows, docs/performance.md). The names are the
 * store's column and placeholder names, fixed in its code, written as JSON string literals.
 */
function reader(steps: readonly ReadStep[]): Reader {
  const lines = steps.map((s) => ('name' in s ? `p[${s.at}] = v[${JSON.stringify(s.name)}];` : `p[${s.constant}] = c[${s.constant}];`));
  return new Function('v', 'p', 'c', lines.join('\n')) as Reader;
}

/**
 * The same for one row of a multi-row statement, `width` values from `at` on: false when a value is
 * undefined (Kysely leaves such a column out, so the statement is not this shape's).
 */
function rowReader(columns: readonly string[]): RowReader {
  const lines = columns.map((c, j) => `v = r[${JSON.stringify(c)}]; if (v === undefined) return false; p[at + ${j}] = v;`);
  return new Function('r', 'p', 'at', `let v;\n${lines.join('\n')}\nreturn true;`) as RowReader;
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
type Shape = {
  readonly sql: string;
  readonly slots: readonly RowSlot[];
  /** When the slots are row after row of the same columns, then constants: a generated reader of a row (`rowReader`). */
  readonly rows?: { readonly width: number; readonly read: RowReader; readonly tail: readonly unknown[] };
};

/**
 * A multi-row statement (INSERT ... VALUES (...), (...) [ON CONFLICT ...]) compiled once per set of
 * columns and bound by reading each row's values in place: a deferred-writes flush sends several,
 * and building them with Kysely every time cost more than SQLite took to run them. The SQL for N
 * rows is the one-row SQL with its row repeated, once Kysely's own two-row SQL has been found to be
 * exactly that (SQLite's `?` placeholders); otherwise (PostgreSQL's numbered ones) each row count is
 * compiled once. Rows of different columns, or with an undefined value (which Kysely leaves out),
 * are compiled as they are.
 */
export class RowsTemplate<R> {
  /** Flush sizes vary with load; past this many shapes the cache starts again. */
  private static readonly MAX_SHAPES = 256;
  private readonly shapes = new Map<string, Shape>();
  /** Per set of columns: how to write N rows from the one-row SQL, or null where that does not hold. */
  private readonly repeaters = new Map<string, ((count: number) => Shape) | null>();

  constructor(private readonly build: (rows: Record<string, unknown>[]) => Compilable<R>) {}

  bind(rows: readonly Record<string, unknown>[]): BoundQuery<R> {
    const columns = Object.keys(rows[0]!);
    const signature = columns.join(',');
    for (let i = 1; i < rows.length; i++) if (!hasColumns(rows[i]!, columns)) return this.build([...rows]).compile();
    const key = `${rows.length}|${signature}`;
    let shape = this.shapes.get(key);
    if (!shape) {
      let repeat = this.repeaters.get(signature);
      if (repeat === undefined) {
        const [one, two] = [this.compileShape(columns, 1), this.compileShape(columns, 2)];
        repeat = repeater(one, two);
        this.repeaters.set(signature, repeat);
        if (rows.length <= 2) shape = rows.length === 1 ? one : two;
      }
      shape ??= repeat ? repeat(rows.length) : this.compileShape(columns, rows.length);
      shape = this.withReader(shape, rows.length);
      if (this.shapes.size >= RowsTemplate.MAX_SHAPES) this.shapes.clear();
      this.shapes.set(key, shape);
    }
    const fast = shape.rows;
    if (fast) {
      const parameters = new Array<unknown>(shape.slots.length);
      for (let r = 0; r < rows.length; r++) if (!fast.read(rows[r]!, parameters, r * fast.width)) return this.build([...rows]).compile();
      const at = rows.length * fast.width;
      for (let i = 0; i < fast.tail.length; i++) parameters[at + i] = fast.tail[i];
      return { sql: shape.sql, parameters };
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

  /** Generated row readers by their columns: one per table's row, shared by every row count. */
  private readonly readers = new Map<string, RowReader>();

  /** The shape with a generated row reader when its slots are `count` rows of the same columns in order, then constants. */
  private withReader(shape: Shape, count: number): Shape {
    const rowSlots = shape.slots.filter((s) => Array.isArray(s)) as ReadonlyArray<readonly [number, string]>;
    const width = rowSlots.length / count;
    if (!Number.isInteger(width) || width === 0) return shape;
    const columns = rowSlots.slice(0, width).map((s) => s[1]);
    for (let i = 0; i < rowSlots.length; i++) {
      const slot = shape.slots[i];
      if (!Array.isArray(slot) || slot[0] !== Math.floor(i / width) || slot[1] !== columns[i % width]) return shape;
    }
    const tail = shape.slots.slice(rowSlots.length).map((s) => (s as { value: unknown }).value);
    if (tail.some((v) => v === undefined)) return shape;
    const signature = columns.join('\u0000');
    let read = this.readers.get(signature);
    if (!read) {
      read = rowReader(columns);
      if (this.readers.size >= RowsTemplate.MAX_SHAPES) this.readers.clear();
      this.readers.set(signature, read);
    }
    return { ...shape, rows: { width, read, tail } };
  }

  /** Kysely's SQL for `count` rows of these columns, each value a marker its slot is read back from. */
  private compileShape(columns: readonly string[], count: number): Shape {
    const marked = Array.from({ length: count }, (_, i) => Object.fromEntries(columns.map((c) => [c, `${MARK}${i}:${c}`])));
    const compiled = this.build(marked).compile();
    const slots = compiled.parameters.map((value): RowSlot => {
      if (typeof value !== 'string' || !value.startsWith(MARK)) return { value };
      const rest = value.slice(MARK.length);
      const at = rest.indexOf(':');
      return [Number(rest.slice(0, at)), rest.slice(at + 1)];
    });
    return { sql: compiled.sql, slots };
  }
}

/** Whether the row's keys are exactly `columns`, in that order (for-in: no key array per row). */
function hasColumns(row: Record<string, unknown>, columns: readonly string[]): boolean {
  let n = 0;
  for (const key in row) if (key !== columns[n++]) return false;
  return n === columns.length;
}

/**
 * From Kysely's one-row and two-row SQL, the N-row one: `... values (?, ?)<tail>` with the row's
 * tuple repeated, its slots repeated per row and the tail's after them. Null unless the two-row
 * SQL and slots are exactly what this would make of two rows.
 */
function repeater(one: Shape, two: Shape): ((count: number) => Shape) | null {
  const at = one.sql.indexOf(' values (');
  if (at < 0) return null;
  const open = at + ' values '.length;
  const close = one.sql.indexOf(')', open);
  const tuple = one.sql.slice(open, close + 1);
  if (!/^\((\?, )*\?\)$/.test(tuple)) return null;
  const width = (tuple.length + 1) / 3;
  const rowSlots = one.slots.slice(0, width);
  const tailSlots = one.slots.slice(width);
  if (rowSlots.some((s) => !Array.isArray(s) || s[0] !== 0) || tailSlots.some((s) => Array.isArray(s))) return null;
  const head = one.sql.slice(0, open);
  const tail = one.sql.slice(close + 1);
  const make = (count: number): Shape => {
    const slots: RowSlot[] = [];
    for (let r = 0; r < count; r++) for (const s of rowSlots) slots.push([r, (s as readonly [number, string])[1]]);
    slots.push(...tailSlots);
    return { sql: head + Array.from({ length: count }, () => tuple).join(', ') + tail, slots };
  };
  const check = make(2);
  if (check.sql !== two.sql || JSON.stringify(check.slots) !== JSON.stringify(two.slots)) return null;
  return make;
}

/**
 * On SQLite, how many rows the next multi-row statement takes when `n` remain: all of them up to
 * EXACT_ROWS (a lone call's flush stays one statement a table), else the largest power of two not
 * over `n` nor `max`. 100 rows go as 64 + 32 + 4: a table's INSERTs are then at most 19 texts,
 * which stay prepared, where one statement of whatever count a flush held was a text of its own
 * to prepare, hundreds of them under load (docs/performance.md).
 */
export function pieceOf(n: number, max: number): number {
  if (n <= EXACT_ROWS) return n;
  let p = EXACT_ROWS;
  while (p * 2 <= n && p * 2 <= max) p *= 2;
  return p;
}
export const EXACT_ROWS = 16;
