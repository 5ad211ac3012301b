/**
 * Time bounds as users write them: epoch milliseconds, RFC 3339, or a duration ago (`90s`, `5m`, `2h`,
 * `1d`, `now`). Relative bounds stay relative until a request resolves them against the hub's clock, so the
 * parsed form can be fingerprinted into a cursor and the same query means the same thing on every page.
 *
 * Pure (no I/O): the UI may import it through schema.ts.
 *
 * @module
 */

export type TimeBound = { at: number } | { ago: number };

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

const RELATIVE = /^(\d+)(ms|s|m|h|d|w)$/;
// Date.parse accepts much more than RFC 3339 (e.g. "1"); require the shape before trusting it.
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:\d{2})$/;

export const TIME_HINT = 'epoch milliseconds, an RFC 3339 time, or a duration ago like 30s, 5m, 2h, 1d, 1w';

/** Parses one written time, or returns null when it is none of the accepted forms. */
export function parseTimeBound(text: string): TimeBound | null {
  const s = text.trim();
  if (s === 'now') return { ago: 0 };
  if (/^\d+$/.test(s)) {
    const at = Number(s);
    return Number.isSafeInteger(at) ? { at } : null;
  }
  const relative = RELATIVE.exec(s);
  if (relative) {
    const ago = Number(relative[1]) * UNIT_MS[relative[2] as keyof typeof UNIT_MS];
    return Number.isSafeInteger(ago) ? { ago } : null;
  }
  if (RFC3339.test(s)) {
    const at = Date.parse(s);
    return Number.isNaN(at) ? null : { at };
  }
  return null;
}

/** Epoch milliseconds of a bound, `now` being the hub's clock at the time of the request. */
export function resolveTimeBound(bound: TimeBound, now: number): number {
  return 'at' in bound ? bound.at : Math.max(0, now - bound.ago);
}
