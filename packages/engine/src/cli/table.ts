/** Aligned text tables and bars for terminal reports: numbers right-aligned, text left. */

export interface Column<T> {
  title: string;
  value: (row: T) => string | number | null;
  /** Defaults to right for numbers, left for text. */
  align?: 'left' | 'right';
}

export function renderTable<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const cells = rows.map((r) => columns.map((c) => c.value(r)));
  const text = cells.map((row) => row.map((v) => (v === null ? '-' : String(v))));
  const widths = columns.map((c, i) => Math.max(c.title.length, ...text.map((row) => row[i]!.length)));
  const alignOf = (i: number) => columns[i]!.align ?? (cells.some((row) => typeof row[i] === 'number') ? 'right' : 'left');
  const line = (vals: readonly string[]) =>
    vals.map((v, i) => (alignOf(i) === 'right' ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(columns.map((c) => c.title)), ...text.map(line)].join('\n');
}

/** A horizontal bar of `width` cells for `part / whole`, with eighth-block precision. */
export function bar(part: number, whole: number, width = 30): string {
  if (whole <= 0 || part <= 0) return '';
  const eighths = Math.round((part / whole) * width * 8);
  const full = Math.floor(eighths / 8);
  const rest = eighths % 8;
  return '█'.repeat(full) + (rest > 0 ? ' ▏▎▍▌▋▊▉'[rest]! : '');
}

export function percent(ratio: number | null): string | null {
  return ratio === null ? null : `${(ratio * 100).toFixed(1)}%`;
}
