import type { KeyboardEvent, ReactNode } from 'react';

export interface Column<T> {
  id: string;
  header: ReactNode;
  cell: (row: T) => ReactNode;
  /** Numbers are right-aligned with tabular figures. */
  align?: 'left' | 'right' | 'center';
  /** CSS width: `120px`, `20%`. */
  width?: string;
  /** Monospace cell text (ids, hashes, payloads). */
  mono?: boolean;
}

export interface DataTableProps<T> {
  columns: Column<T>[];
  rows: readonly T[];
  rowKey: (row: T) => string | number;
  /** Describes the table for screen readers (not shown). */
  caption: string;
  /** Shown in place of the body when there are no rows. */
  empty?: ReactNode;
  /** Makes rows clickable and focusable (Enter activates). */
  onRowClick?: (row: T) => void;
  /** Highlights the row with this key. */
  selectedKey?: string | number | null;
  /** Sticks the header while the table scrolls inside its container. */
  stickyHeader?: boolean;
}

/** A dense table with consistent alignment, an empty state and optional keyboard-friendly row selection. */
export function DataTable<T>({
  columns,
  rows,
  rowKey,
  caption,
  empty,
  onRowClick,
  selectedKey,
  stickyHeader,
}: DataTableProps<T>) {
  const onKey = (row: T) => (event: KeyboardEvent) => {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      onRowClick?.(row);
    }
  };
  return (
    <div className="table-wrap">
      <table className={['table', stickyHeader ? 'table-sticky' : ''].filter(Boolean).join(' ')}>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.id} scope="col" style={{ width: c.width, textAlign: c.align ?? 'left' }}>
                {c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 ? (
            <tr>
              <td colSpan={columns.length} className="table-empty">
                {empty ?? 'Nothing to show.'}
              </td>
            </tr>
          ) : (
            rows.map((row) => {
              const key = rowKey(row);
              return (
                <tr
                  key={key}
                  className={[onRowClick ? 'row-clickable' : '', key === selectedKey ? 'row-selected' : '']
                    .filter(Boolean)
                    .join(' ')}
                  onClick={onRowClick ? () => onRowClick(row) : undefined}
                  onKeyDown={onRowClick ? onKey(row) : undefined}
                  tabIndex={onRowClick ? 0 : undefined}
                >
                  {columns.map((c) => (
                    <td
                      key={c.id}
                      className={[c.mono ? 'mono' : '', c.align === 'right' ? 'num' : '']
                        .filter(Boolean)
                        .join(' ')}
                      style={{ textAlign: c.align ?? 'left' }}
                    >
                      {c.cell(row)}
                    </td>
                  ))}
                </tr>
              );
            })
          )}
        </tbody>
      </table>
    </div>
  );
}
