import { describe, expect, it } from 'vitest';
import { IngestBudget } from './budget.ts';

/** A budget on a clock the test moves by hand. */
function budget(spansPerSecond: number, burstSpans?: number) {
  let now = 1000;
  const b = new IngestBudget({
    spansPerSecond,
    ...(burstSpans === undefined ? {} : { burstSpans }),
    clock: () => now,
  });
  return { b, advance: (ms: number) => void (now += ms) };
}

describe('IngestBudget', () => {
  it('admits up to the burst at once, then refuses with the wait that refills the deficit', () => {
    const { b, advance } = budget(10, 30);
    expect(b.take(30)).toEqual({ admitted: true });
    expect(b.take(1)).toEqual({ admitted: false, reason: 'overloaded', retryAfterSeconds: 1 });
    expect(b.take(25)).toEqual({ admitted: false, reason: 'overloaded', retryAfterSeconds: 3 });
    advance(2500);
    expect(b.take(26)).toEqual({ admitted: false, reason: 'overloaded', retryAfterSeconds: 1 });
    expect(b.take(25)).toEqual({ admitted: true });
  });

  it('takes nothing from a refused request', () => {
    const { b } = budget(10, 10);
    expect(b.take(6).admitted).toBe(true);
    expect(b.take(5).admitted).toBe(false);
    expect(b.take(4).admitted).toBe(true);
  });

  it('never holds more than the burst, however long it was idle', () => {
    const { b, advance } = budget(100, 50);
    advance(3_600_000);
    expect(b.available()).toBe(50);
    expect(b.take(51)).toEqual({ admitted: false, reason: 'too-large', burstSpans: 50 });
  });

  it('defaults the burst to one second of the rate', () => {
    expect(new IngestBudget({ spansPerSecond: 2000 }).burstSpans).toBe(2000);
    expect(new IngestBudget({ spansPerSecond: 0.5 }).burstSpans).toBe(1);
    expect(new IngestBudget().spansPerSecond).toBe(50_000);
  });

  it('refuses nonsensical settings', () => {
    expect(() => new IngestBudget({ spansPerSecond: 0 })).toThrow(RangeError);
    expect(() => new IngestBudget({ spansPerSecond: Number.NaN })).toThrow(RangeError);
    expect(() => new IngestBudget({ spansPerSecond: 5, burstSpans: 0.5 })).toThrow(RangeError);
  });
});
