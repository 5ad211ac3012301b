/**
 * Reading a place in the journal typed into the playback form. Pure.
 *
 * @module
 */

export type Place = number | { time: number };

/** A sequence number (`1200`), a duration ago (`30s`, `5m`, `2h`), or a date with an optional time (`2026-11-22 08:00`, RFC 3339). */
export function parsePlace(text: string, now: number): Place | null | 'invalid' {
  const value = text.trim();
  if (value === '') return null;
  if (/^\d+$/.test(value)) return Number(value);
  const ago = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/.exec(value);
  if (ago) {
    const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[ago[2] as 'ms'];
    return { time: Math.max(0, Math.round(now - Number(ago[1]) * unit)) };
  }
  // Only what looks like a date: Date.parse also reads "-5" or "5 parsecs" as some day long ago.
  if (!/^\d{4}-\d{1,2}-\d{1,2}([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i.test(value))
    return 'invalid';
  const time = Date.parse(value);
  return Number.isFinite(time) && time >= 0 ? { time } : 'invalid';
}
