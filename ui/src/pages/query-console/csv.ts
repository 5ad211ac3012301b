/**
 * Query results as files: CSV (RFC 4180: comma-separated, CRLF line ends, quoted when needed) built from the
 * rows of the hub's NDJSON answer, and the JSON field paths found in rows, for the editor's completion.
 *
 * @module
 */

/** One cell as CSV text: objects as JSON, null as an empty cell. */
function csvCell(value: unknown): string {
  const text =
    value === null || value === undefined
      ? ''
      : typeof value === 'string'
        ? value
        : typeof value === 'object'
          ? JSON.stringify(value)
          : String(value);
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(columns: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const lines = [columns, ...rows].map((row) => row.map(csvCell).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** How deep into payloads field paths are collected. */
const MAX_DEPTH = 4;
/** At most this many field paths are offered, so a wide payload cannot flood the completion list. */
const MAX_FIELDS = 200;

/**
 * Dotted paths of the JSON object fields in `values` (`customer`, `customer.tier`), in first-seen order.
 * Array elements are not descended into: the language addresses them by index, which is row-specific.
 */
export function fieldPaths(values: Iterable<unknown>): string[] {
  const seen = new Set<string>();
  const walk = (value: unknown, prefix: string, depth: number) => {
    if (depth >= MAX_DEPTH || value === null || typeof value !== 'object' || Array.isArray(value)) return;
    for (const [key, inner] of Object.entries(value)) {
      if (seen.size >= MAX_FIELDS) return;
      const name = /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? key : `\`${key.replaceAll('`', '``')}\``;
      const path = prefix === '' ? name : `${prefix}.${name}`;
      seen.add(path);
      walk(inner, path, depth + 1);
    }
  };
  for (const value of values) walk(value, '', 0);
  return [...seen];
}
