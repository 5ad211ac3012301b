import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AlertStatus, breaches, INITIAL_STATUS, LEGAL_TRANSITIONS, step, type Timing } from './state.ts';

const timing: Timing = { forMs: 5000, keepFiringForMs: 0, resolvedRetentionMs: 60_000 };

function run(
  holds: readonly [boolean, number][],
  t: Timing,
): { status: AlertStatus; log: string[]; at: number } {
  let status: AlertStatus = INITIAL_STATUS;
  let at = 1_000_000;
  const log: string[] = [];
  for (const [h, dt] of holds) {
    at += dt;
    const r = step(status, h, at, t);
    status = r.next;
    log.push(...r.transitions.map((x) => `${x.from}→${x.to}`));
  }
  return { status, log, at };
}

describe('alert state machine', () => {
  it('goes pending, then fires once the threshold has held for `for`, then resolves', () => {
    const { log, status } = run(
      [
        [true, 0],
        [true, 4000],
        [true, 1000],
        [false, 1000],
      ],
      timing,
    );
    expect(log).toEqual(['ok→pending', 'pending→firing', 'firing→resolved']);
    expect(status.state).toBe('resolved');
  });

  it('fires at once with for = 0, and a pending alert that stops holding never resolves', () => {
    expect(run([[true, 0]], { ...timing, forMs: 0 }).log).toEqual(['ok→pending', 'pending→firing']);
    expect(
      run(
        [
          [true, 0],
          [false, 1000],
        ],
        timing,
      ).log,
    ).toEqual(['ok→pending', 'pending→ok']);
  });

  it('keeps firing for keep_firing_for after the threshold stops holding', () => {
    const t = { ...timing, forMs: 0, keepFiringForMs: 10_000 };
    const { log } = run(
      [
        [true, 0],
        [false, 5000],
        [false, 4000],
        [false, 1000],
      ],
      t,
    );
    expect(log).toEqual(['ok→pending', 'pending→firing', 'firing→resolved']);
    expect(
      run(
        [
          [true, 0],
          [false, 9000],
        ],
        t,
      ).status.state,
    ).toBe('firing');
  });

  it('compares values with each threshold operator; null never breaches', () => {
    expect([breaches(5, '>', 4), breaches(4, '>=', 4), breaches(3, '<', 4), breaches(4, '<=', 4)]).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect([breaches(4, '=', 4), breaches(4, '!=', 4), breaches(null, '<', 1)]).toEqual([true, false, false]);
  });

  it('only ever takes legal transitions; fires only after holding for `for`; resolves only after keep_firing_for', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 20_000 })), { maxLength: 60 }),
        fc.integer({ min: 0, max: 15_000 }),
        fc.integer({ min: 0, max: 15_000 }),
        (evaluations, forMs, keepFiringForMs) => {
          const t: Timing = { forMs, keepFiringForMs, resolvedRetentionMs: 30_000 };
          let status: AlertStatus = INITIAL_STATUS;
          let at = 0;
          let holdingSince: number | null = null;
          let lastHeld: number | null = null;
          for (const [holds, dt] of evaluations) {
            at += dt;
            if (holds) {
              holdingSince ??= at;
              lastHeld = at;
            } else holdingSince = null;
            const { next, transitions } = step(status, holds, at, t);
            let from = status.state;
            for (const tr of transitions) {
              expect(tr.from).toBe(from);
              expect(LEGAL_TRANSITIONS.has(`${tr.from}→${tr.to}`), `${tr.from}→${tr.to}`).toBe(true);
              if (tr.to === 'firing') expect(at - next.activeAt!).toBeGreaterThanOrEqual(forMs);
              if (tr.to === 'resolved') expect(at - lastHeld!).toBeGreaterThanOrEqual(keepFiringForMs);
              from = tr.to;
            }
            expect(next.state).toBe(from);
            if (next.state === 'pending' || next.state === 'firing') expect(next.activeAt).not.toBeNull();
            if (next.state === 'pending') expect(holds).toBe(true);
            status = next;
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
