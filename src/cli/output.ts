/**
 * Where commands write. Commands take an `Output` rather than touching `process.stdout`, so tests can
 * run a command in-process and read exactly what a user would see.
 *
 * @module
 */
export interface Output {
  out(text: string): void;
  err(text: string): void;
  /** Writes to stdout without adding a newline (a progress line finished later); optional. */
  write?(text: string): void;
}

export const processOutput: Output = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  write: (text) => process.stdout.write(text),
};

/** Renders rows as an aligned text table; `align` marks right-aligned (numeric) columns. */
export function formatTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  rightAligned: readonly number[] = [],
): string {
  const widths = headers.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, c) => (rightAligned.includes(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
