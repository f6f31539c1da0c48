/** A table from typed column definitions: column headers, an optional caption, one row per item. */
import type { ReactNode } from 'react';

export interface Column<T> {
  header: string;
  /** Only screen readers read the header (a column of buttons needs no visible one). */
  srOnlyHeader?: boolean;
  /** The cell names its row (`<th scope="row">`). */
  rowHeader?: boolean;
  className?: string | ((row: T) => string | undefined);
  title?: (row: T) => string;
  cell: (row: T, index: number) => ReactNode;
}

export interface DataTableProps<T> {
  columns: ReadonlyArray<Column<T>>;
  rows: readonly T[];
  rowKey: (row: T, index: number) => string | number;
  caption?: string;
  /** The caption is for screen readers only (a heading above already says it). */
  hideCaption?: boolean;
  className?: string;
  /** Inside the bordered box that scrolls a wide table on its own (default); false for a bare table. */
  wrap?: boolean;
}

export function DataTable<T>({ columns, rows, rowKey, caption, hideCaption = false, className, wrap = true }: DataTableProps<T>) {
  const table = (
    <table className={className}>
      {caption && <caption className={hideCaption ? 'sr-only' : undefined}>{caption}</caption>}
      <thead>
        <tr>
          {columns.map((c) => (
            <th scope="col" key={c.header}>
              {c.srOnlyHeader ? <span className="sr-only">{c.header}</span> : c.header}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row, i) => (
          <tr key={rowKey(row, i)}>
            {columns.map((c) => {
              const props = { className: typeof c.className === 'function' ? c.className(row) : c.className, title: c.title?.(row) };
              const value = c.cell(row, i);
              return c.rowHeader ? (
                <th scope="row" key={c.header} {...props}>
                  {value}
                </th>
              ) : (
                <td key={c.header} {...props}>
                  {value}
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
  return wrap ? <div className="table-wrap">{table}</div> : table;
}
