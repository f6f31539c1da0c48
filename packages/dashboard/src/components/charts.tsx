/**
 * Plain SVG charts (docs/dashboard.md says why there is no chart library): a stacked bar chart
 * and a horizontal bar chart. Each is a `<figure>` with a text summary for screen readers and
 * its numbers as a table behind a disclosure.
 */
import type { ReactNode } from 'react';
import { DataTable, type Column } from './data-table.tsx';

export const STATUS_COLORS: Record<string, string> = {
  completed: '#2da44e',
  busy: '#bf8700',
  'no-answer': '#8250df',
  timeout: '#cf222e',
  failed: '#a40e26',
  cancel: '#57606a',
};

export interface Series {
  key: string;
  label: string;
  color: string;
}

/** The chart's numbers as a table behind a disclosure; each row is named by its first value. */
function ChartData({ head, rows }: { head: string[]; rows: Array<Array<ReactNode>> }) {
  const columns: Array<Column<ReactNode[]>> = head.map((header, j) => ({ header, rowHeader: j === 0, cell: (r) => r[j] }));
  return (
    <details className="chart-data">
      <summary>Show the numbers</summary>
      <DataTable columns={columns} rows={rows} rowKey={(_, i) => i} />
    </details>
  );
}

/** One bar per category, split into the series' values. */
export function StackedBars({ title, categories, series, values }: { title: string; categories: string[]; series: Series[]; values: Array<Record<string, number>> }) {
  const W = 720;
  const H = 240;
  const pad = { l: 40, r: 10, t: 10, b: 46 };
  const totals = values.map((v) => series.reduce((s, x) => s + (v[x.key] ?? 0), 0));
  const max = Math.max(1, ...totals);
  const ticks = [0, Math.round(max / 2), max].filter((t, i, a) => a.indexOf(t) === i);
  const bw = (W - pad.l - pad.r) / Math.max(1, categories.length);
  const y = (n: number) => pad.t + (H - pad.t - pad.b) * (1 - n / max);
  const every = Math.ceil(categories.length / 12);
  const summary = `${title}: ${categories.length} groups, ${totals.reduce((a, b) => a + b, 0)} in all.`;
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <ul className="legend" aria-label="Legend">
        {series.map((s) => (
          <li key={s.key}>
            <span className="swatch" style={{ background: s.color }} aria-hidden="true" />
            {s.label}
          </li>
        ))}
      </ul>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={summary} preserveAspectRatio="xMidYMid meet">
        {ticks.map((t) => (
          <g key={t}>
            <line x1={pad.l} x2={W - pad.r} y1={y(t)} y2={y(t)} stroke="#eaeef2" />
            <text x={pad.l - 6} y={y(t) + 4} textAnchor="end" fontSize="11" fill="#57606a">
              {t}
            </text>
          </g>
        ))}
        {categories.map((c, i) => {
          let acc = 0;
          const barW = Math.min(bw * 0.7, 56);
          const x = pad.l + i * bw + (bw - barW) / 2;
          return (
            <g key={c}>
              {series.map((s) => {
                const v = values[i]?.[s.key] ?? 0;
                if (!v) return null;
                const top = y(acc + v);
                const h = y(acc) - top;
                acc += v;
                return (
                  <rect key={s.key} x={x} y={top} width={barW} height={h} fill={s.color}>
                    <title>{`${c}: ${v} ${s.label}`}</title>
                  </rect>
                );
              })}
              {i % every === 0 && (
                <text x={x + barW / 2} y={H - pad.b + 16} textAnchor="middle" fontSize="11" fill="#57606a">
                  {c.length > 14 ? c.slice(0, 13) + '…' : c}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <ChartData head={['Group', ...series.map((s) => s.label), 'Total']} rows={categories.map((c, i) => [c, ...series.map((s) => values[i]?.[s.key] ?? 0), totals[i]])} />
    </figure>
  );
}

/** Labelled horizontal bars, largest first. */
export function HBars({ title, items, format = String, color = '#1f4b99', max }: { title: string; items: Array<{ label: string; value: number; note?: string }>; format?: (n: number) => string; color?: string; max?: number }) {
  const top = max ?? Math.max(1, ...items.map((i) => i.value));
  return (
    <figure className="chart hbars">
      <figcaption>{title}</figcaption>
      <ul aria-label={title}>
        {items.map((i) => (
          <li key={i.label}>
            <span className="hbar-label">{i.label}</span>
            <span className="hbar-track" aria-hidden="true">
              <span className="hbar-fill" style={{ width: `${Math.max(0, Math.min(100, (i.value / top) * 100))}%`, background: color }} />
            </span>
            <span className="hbar-value">
              {format(i.value)}
              {i.note && <span className="muted"> {i.note}</span>}
            </span>
          </li>
        ))}
      </ul>
    </figure>
  );
}
