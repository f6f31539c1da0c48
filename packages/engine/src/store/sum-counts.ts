/**
 * `sb_sum_counts(a, b)` on SQLite (sqlite-connection.ts): two JSON objects of counts added key by key,
 * keys in SQLite's binary order — the report rollup's additive upsert (dialect.ts). It runs five
 * times for each of the fourteen rollup rows a call's end touches, so it keeps what it parsed: the
 * text a row holds is, but for another writer, the text this function wrote into it last time, and
 * the text a call adds ('{"completed":1}') repeats from call to call. A text is then looked up,
 * not parsed, and a sum whose keys are already the row's keeps the row's key order (no sort).
 */

/** A count map as parsed: its keys in binary order, each already quoted for JSON, and the counts. */
interface Parsed {
  readonly keys: readonly string[];
  readonly quoted: readonly string[];
  readonly counts: ReadonlyMap<string, number>;
}

const EMPTY: Parsed = { keys: [], quoted: [], counts: new Map() };

/**
 * Texts seen lately. Bounded, and small: past it the cache starts again (parsing is the fallback,
 * never wrong). A call's end remembers about seventy texts, and what is still here when the
 * young generation is collected is copied to the old one: a few calls' worth keeps the rows that
 * repeat (the `all` rows, a busy number's) and lets the rest die young.
 */
const seen = new Map<string, Parsed>();
const MAX_SEEN = 512;

function remember(text: string, parsed: Parsed): Parsed {
  if (seen.size >= MAX_SEEN) seen.clear();
  seen.set(text, parsed);
  return parsed;
}

function parse(text: unknown): Parsed {
  if (typeof text !== 'string') return EMPTY;
  const known = seen.get(text);
  if (known) return known;
  const raw = JSON.parse(text) as Record<string, unknown>;
  const counts = new Map<string, number>();
  for (const k in raw) counts.set(k, Number(raw[k]));
  const keys = [...counts.keys()].sort(byBytes);
  return remember(text, { keys, quoted: keys.map((k) => JSON.stringify(k)), counts });
}

/** SQLite's BINARY collation: by UTF-8 bytes, which for strings of the BMP is code-unit order. */
function byBytes(x: string, y: string): number {
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Two JSON objects of counts, summed key by key; keys sorted as SQLite's binary collation does. */
export function sumCountsJson(a: unknown, b: unknown): string {
  const x = parse(a);
  const y = parse(b);
  const counts = new Map(x.counts);
  let sameKeys = true;
  for (const [k, n] of y.counts) {
    const had = counts.get(k);
    if (had === undefined) sameKeys = false;
    counts.set(k, (had ?? 0) + n);
  }
  let keys = x.keys;
  let quoted = x.quoted;
  if (!sameKeys) {
    keys = [...counts.keys()].sort(byBytes);
    quoted = keys.map((k) => JSON.stringify(k));
  }
  if (keys.length === 0) return '{}';
  let out = '{';
  for (let i = 0; i < keys.length; i++) out += `${i === 0 ? '' : ','}${quoted[i]}:${counts.get(keys[i]!)}`;
  out += '}';
  remember(out, { keys, quoted, counts });
  return out;
}
