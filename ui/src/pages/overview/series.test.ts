import { describe, expect, it } from 'vitest';
import { chartStart, mergeSeries, timeTicks, valueTicks } from './series.ts';

const live = (t: number, events: number) => ({ t, events, bytes: events * 10, dropped: 0 });
const hist = (t: number, eventsPerSec: number) => ({
  t,
  eventsPerSec,
  payloadBytesPerSec: eventsPerSec * 10,
  droppedPerSec: 0,
});

describe('overview chart series', () => {
  it('puts the history before the first live point and drops what the live points cover', () => {
    const merged = mergeSeries(
      [hist(1000, 1), hist(2000, 2), hist(3000, 3)],
      [live(3000, 30), live(4000, 40)],
      60_000,
    );
    expect(merged.map((p) => [p.t, p.events])).toEqual([
      [1000, 1],
      [2000, 2],
      [3000, 30],
      [4000, 40],
    ]);
  });

  it('breaks the line where samples are missing, and keeps only the window before the newest point', () => {
    const merged = mergeSeries([hist(0, 5), hist(1000, 5)], [live(20_000, 7), live(21_000, 8)], 20_500);
    expect(merged.map((p) => p.t)).toEqual([1000, 1001, 20_000, 21_000]);
    expect(merged[1]!.events).toBeNull();
  });

  it('starts the chart at the oldest sample of a young hub, but spans at least 20 s', () => {
    expect(chartStart([{ t: 100_000 }], 160_000, 300_000)).toBe(100_000);
    expect(chartStart([{ t: 150_000 }], 160_000, 300_000)).toBe(140_000);
    expect(chartStart([{ t: 0 }], 900_000, 300_000)).toBe(600_000);
  });

  it('puts time ticks on round seconds, none against the left edge', () => {
    expect(timeTicks([60_500, 120_000])).toEqual([75_000, 90_000, 105_000, 120_000]);
    expect(timeTicks([0, 300_000])).toEqual([60_000, 120_000, 180_000, 240_000, 300_000]);
  });

  it('puts value ticks on round numbers, and on binary units for bytes', () => {
    expect(valueTicks(0)).toEqual([0, 1, 2, 3, 4]);
    expect(valueTicks(100)).toEqual([0, 25, 50, 75, 100]);
    expect(valueTicks(181)).toEqual([0, 50, 100, 150, 200]);
    expect(valueTicks(4800, 1024)).toEqual([0, 2048, 4096, 6144]);
    expect(valueTicks(0, 1024)).toEqual([0, 256, 512, 768, 1024]);
  });
});
