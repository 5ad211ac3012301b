/**
 * Formatting for numbers, rates, sizes, times and node ids, so every page writes them the same way.
 * All functions are pure and locale-neutral apart from the digit grouping of `formatNumber`.
 *
 * @module
 */

const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** `1234567` → `1,234,567`; non-finite values → `—`. */
export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return grouped.format(value);
}

/** Three significant digits at most, with k/M/G suffixes: `1234` → `1.23k`, `0.5` → `0.5`. */
export function formatCompact(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  const abs = Math.abs(value);
  const units: [number, string][] = [
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  for (const [size, suffix] of units) {
    if (abs >= size) return `${trim((value / size).toPrecision(3))}${suffix}`;
  }
  if (abs === 0) return '0';
  if (abs < 0.01) return value.toExponential(1);
  return trim(value.toPrecision(3));
}

function trim(text: string): string {
  return text.includes('.') && !text.includes('e') ? text.replace(/\.?0+$/, '') : text;
}

/** A rate per second: `formatRate(1520, 'ev')` → `1.52k ev/s`. */
export function formatRate(perSecond: number | null | undefined, unit = 'ev'): string {
  return `${formatCompact(perSecond)} ${unit}/s`;
}

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** Binary units: `1536` → `1.5 KiB`. */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return '—';
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${trim(value.toFixed(value >= 100 ? 0 : 1))} ${BYTE_UNITS[unit]}`;
}

/** Bytes per second in binary units: `2048` → `2 KiB/s`. */
export function formatByteRate(perSecond: number | null | undefined): string {
  return `${formatBytes(perSecond === null || perSecond === undefined ? perSecond : Math.round(perSecond))}/s`;
}

/** A fraction as a percentage: `0.0123` → `1.2%`; tiny non-zero values show as `<0.1%`. */
export function formatPercent(fraction: number | null | undefined, digits = 1): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return '—';
  const pct = fraction * 100;
  if (pct > 0 && pct < 10 ** -digits) return `<${10 ** -digits}%`;
  return `${pct.toFixed(digits)}%`;
}

/** A duration: `950` → `950 ms`, `61_000` → `1 m 1 s`, `90_061_000` → `1 d 1 h`. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (Math.abs(ms) < 1000) return `${Math.round(ms)} ms`;
  const parts: [number, string][] = [
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'm'],
    [1000, 's'],
  ];
  let rest = Math.round(Math.abs(ms) / 1000) * 1000;
  const out: string[] = [];
  for (const [size, label] of parts) {
    if (rest >= size) {
      out.push(`${Math.floor(rest / size)} ${label}`);
      rest %= size;
    }
    if (out.length === 2) break;
  }
  return (ms < 0 ? '-' : '') + out.join(' ');
}

/** Local date and time with milliseconds: `2026-11-22 08:18:14.469`. */
export function formatTime(epochMs: number | null | undefined): string {
  if (epochMs === null || epochMs === undefined || !Number.isFinite(epochMs)) return '—';
  const d = new Date(epochMs);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`
  );
}

/** How long ago, relative to `now`: `just now`, `12 s ago`, `3 m ago`, `in 5 m` for the future. */
export function formatAgo(epochMs: number | null | undefined, now = Date.now()): string {
  if (epochMs === null || epochMs === undefined || !Number.isFinite(epochMs)) return 'never';
  const delta = now - epochMs;
  if (Math.abs(delta) < 1500) return 'just now';
  const text = formatDuration(Math.abs(delta)).split(' ').slice(0, 2).join(' ');
  return delta > 0 ? `${text} ago` : `in ${text}`;
}

/**
 * A node id as people know it: raw datagrams carry their IPv4 source address as a u32 (`2130706433` →
 * `127.0.0.1`); framed and submitted events carry an application id, shown in hex (`0x73696d00`).
 */
export function formatNodeId(nodeId: number, asAddress = true): string {
  if (asAddress) {
    return [24, 16, 8, 0].map((shift) => (nodeId >>> shift) & 0xff).join('.');
  }
  return `0x${(nodeId >>> 0).toString(16).padStart(8, '0')}`;
}
