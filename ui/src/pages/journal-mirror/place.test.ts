import { describe, expect, it } from 'vitest';
import { parsePlace } from './place.ts';

describe('playback places', () => {
  const now = Date.UTC(2026, 10, 22, 8, 0, 0);

  it('reads sequence numbers, durations ago and times', () => {
    expect(parsePlace('', now)).toBeNull();
    expect(parsePlace(' 1200 ', now)).toBe(1200);
    expect(parsePlace('30s', now)).toEqual({ time: now - 30_000 });
    expect(parsePlace('1.5 h', now)).toEqual({ time: now - 5_400_000 });
    expect(parsePlace('2026-11-22T07:00:00Z', now)).toEqual({ time: now - 3_600_000 });
    expect(parsePlace('2026-11-22T07:00:00.5+00:00', now)).toEqual({ time: now - 3_599_500 });
    expect(parsePlace('2026-11-22 07:30', now)).toEqual({ time: new Date(2026, 10, 22, 7, 30).getTime() });
  });

  it('refuses anything else', () => {
    expect(parsePlace('soon', now)).toBe('invalid');
    expect(parsePlace('-5', now)).toBe('invalid');
    expect(parsePlace('5 parsecs', now)).toBe('invalid');
  });
});
