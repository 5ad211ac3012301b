/**
 * The hybrid-logical-clock contract: strictly increasing whatever the wall clock does, never behind the
 * wall clock, close to it when no hint pushes it, and the Lamport condition across random histories of
 * local, send and receive events between several nodes with skewed clocks.
 *
 * @module
 */
import fc from 'fast-check';
import { hlcTimestamp, plausibleWallMs } from '../arbitraries.ts';
import { compareHlc, HLC_LOGICAL_MAX, type HlcTimestamp } from '../../src/core/hlc.ts';
import { compareU64 } from '../../src/core/u64.ts';
import type { ContractSuite } from '../runner.ts';

export interface ClockUnderTest {
  tick(nowMs: number, remoteHint?: HlcTimestamp): HlcTimestamp;
}

export interface ClockImplementation {
  create(options: { maxDriftMs: number; initial?: HlcTimestamp }): ClockUnderTest;
  toWords(ts: HlcTimestamp): [hi: number, lo: number];
  fromWords(hi: number, lo: number): HlcTimestamp;
}

const MAX_DRIFT_MS = 60_000;

/** Wall-clock steps, mostly forward, sometimes standing still, sometimes jumping back (NTP, VM pauses). */
const wallSteps = fc.array(
  fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: 0, max: 50 }) },
    { weight: 3, arbitrary: fc.constant(0) },
    { weight: 1, arbitrary: fc.integer({ min: -120_000, max: -1 }) },
  ),
  { minLength: 1, maxLength: 200, size: 'max' },
);

type Action =
  | { kind: 'local'; node: number; advanceMs: number }
  | { kind: 'send'; from: number; to: number; advanceMs: number }
  | { kind: 'deliver'; pick: number; advanceMs: number };

const history = fc.record({
  nodeCount: fc.integer({ min: 2, max: 4 }),
  skewsMs: fc.array(fc.integer({ min: -(MAX_DRIFT_MS / 2 - 1), max: MAX_DRIFT_MS / 2 - 1 }), {
    minLength: 4,
    maxLength: 4,
  }),
  start: plausibleWallMs,
  actions: fc.array(
    fc.oneof(
      fc.record({ kind: fc.constant('local' as const), node: fc.nat(3), advanceMs: fc.nat(20) }),
      fc.record({
        kind: fc.constant('send' as const),
        from: fc.nat(3),
        to: fc.nat(3),
        advanceMs: fc.nat(20),
      }),
      fc.record({ kind: fc.constant('deliver' as const), pick: fc.nat(50), advanceMs: fc.nat(20) }),
    ),
    { minLength: 5, maxLength: 60, size: 'max' },
  ),
});

interface Stamped {
  ts: HlcTimestamp;
  vector: number[];
}

/** a happened before b (vector clocks): a <= b componentwise and a != b. */
function happenedBefore(a: number[], b: number[]): boolean {
  return a.every((x, i) => x <= b[i]!) && a.some((x, i) => x < b[i]!);
}

export function clockContract(impl: ClockImplementation): ContractSuite {
  return {
    name: 'clock',
    description:
      'the hybrid logical clock is strictly monotonic, tracks wall time and keeps the Lamport condition',
    properties: [
      {
        name: 'strictly increasing, even when the wall clock stalls or jumps back',
        property: fc.property(plausibleWallMs, wallSteps, (start, steps) => {
          const clock = impl.create({ maxDriftMs: MAX_DRIFT_MS });
          let now = start;
          let previous = clock.tick(now);
          for (const step of steps) {
            now += step;
            const next = clock.tick(now);
            if (compareHlc(next, previous) <= 0) return false;
            previous = next;
          }
          return true;
        }),
        numRuns: 300,
      },
      {
        name: 'strictly increasing across a full logical counter (carry into milliseconds)',
        property: fc.property(plausibleWallMs, fc.integer({ min: 1, max: 40 }), (now, ticks) => {
          const clock = impl.create({
            maxDriftMs: MAX_DRIFT_MS,
            initial: { wallMs: now, logical: HLC_LOGICAL_MAX - 5 },
          });
          let previous: HlcTimestamp = { wallMs: now, logical: HLC_LOGICAL_MAX - 5 };
          for (let i = 0; i < ticks; i++) {
            const next = clock.tick(now);
            if (compareHlc(next, previous) <= 0) return false;
            previous = next;
          }
          return true;
        }),
      },
      {
        name: 'never behind the wall clock, and at most one carry ahead of it without hints',
        property: fc.property(plausibleWallMs, wallSteps, (start, steps) => {
          const clock = impl.create({ maxDriftMs: MAX_DRIFT_MS });
          let now = start;
          let latestWall = start;
          for (const step of [0, ...steps]) {
            now += step;
            latestWall = Math.max(latestWall, now);
            const ts = clock.tick(now);
            if (ts.wallMs < now || ts.wallMs > latestWall + 1) return false;
          }
          return true;
        }),
        numRuns: 300,
      },
      {
        name: 'Lamport condition: an event that happened before another has a smaller clock value',
        property: fc.property(history, ({ nodeCount, skewsMs, start, actions }) => {
          const clocks = Array.from({ length: nodeCount }, () => impl.create({ maxDriftMs: MAX_DRIFT_MS }));
          const vectors = Array.from({ length: nodeCount }, () => new Array<number>(nodeCount).fill(0));
          const inFlight: { to: number; sent: Stamped }[] = [];
          const events: Stamped[] = [];
          let wall = start;
          const record = (node: number, ts: HlcTimestamp, received?: number[]): Stamped => {
            const vector = vectors[node]!;
            if (received) received.forEach((x, i) => (vector[i] = Math.max(vector[i]!, x)));
            vector[node]!++;
            const stamped = { ts, vector: [...vector] };
            events.push(stamped);
            return stamped;
          };
          for (const action of actions as Action[]) {
            wall += action.advanceMs;
            if (action.kind === 'local') {
              const node = action.node % nodeCount;
              record(node, clocks[node]!.tick(wall + skewsMs[node]!));
            } else if (action.kind === 'send') {
              const from = action.from % nodeCount;
              const sent = record(from, clocks[from]!.tick(wall + skewsMs[from]!));
              inFlight.push({ to: action.to % nodeCount, sent });
            } else if (inFlight.length > 0) {
              const [message] = inFlight.splice(action.pick % inFlight.length, 1);
              const to = message!.to;
              record(to, clocks[to]!.tick(wall + skewsMs[to]!, message!.sent.ts), message!.sent.vector);
            }
          }
          return events.every((a) =>
            events.every((b) => !happenedBefore(a.vector, b.vector) || compareHlc(a.ts, b.ts) < 0),
          );
        }),
        numRuns: 300,
      },
      {
        name: 'a hint within the drift bound is honoured: the event is stamped after it',
        property: fc.property(
          plausibleWallMs,
          fc.integer({ min: -MAX_DRIFT_MS, max: MAX_DRIFT_MS }),
          fc.nat(HLC_LOGICAL_MAX),
          (now, offset, logical) => {
            const clock = impl.create({ maxDriftMs: MAX_DRIFT_MS });
            const hint = { wallMs: now + offset, logical };
            return compareHlc(clock.tick(now, hint), hint) > 0;
          },
        ),
      },
      {
        name: 'a hint beyond the drift bound is ignored: the clock behaves as if it had not come',
        property: fc.property(
          plausibleWallMs,
          fc.integer({ min: 1, max: 10 ** 9 }),
          wallSteps,
          (now, excess, steps) => {
            const hinted = impl.create({ maxDriftMs: MAX_DRIFT_MS });
            const plain = impl.create({ maxDriftMs: MAX_DRIFT_MS });
            let t = now;
            for (const step of steps) {
              t += step;
              const a = hinted.tick(t, { wallMs: t + MAX_DRIFT_MS + excess, logical: 0 });
              const b = plain.tick(t);
              if (compareHlc(a, b) !== 0) return false;
            }
            return true;
          },
        ),
        numRuns: 200,
      },
      {
        name: 'u64 encoding round-trips and preserves the order',
        property: fc.property(hlcTimestamp, hlcTimestamp, (a, b) => {
          const [aHi, aLo] = impl.toWords(a);
          const [bHi, bLo] = impl.toWords(b);
          const back = impl.fromWords(aHi, aLo);
          return (
            back.wallMs === a.wallMs &&
            back.logical === a.logical &&
            Math.sign(compareU64(aHi, aLo, bHi, bLo)) === Math.sign(compareHlc(a, b))
          );
        }),
      },
    ],
  };
}
