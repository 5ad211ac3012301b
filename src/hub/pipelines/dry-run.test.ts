import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeTestJournals, type TestJournal, testJournal } from '../events/test-journal.ts';
import { HubError } from '../errors.ts';
import { dryRun } from './dry-run.ts';
import { PipelineEngine } from './engine.ts';
import { replayRange, SLICE_SLOTS } from './replay.ts';
import { pipelineGraphSchema } from './schema.ts';
import { type CompiledPipeline, validatePipeline } from './validate.ts';

function compile(g: unknown): CompiledPipeline {
  const result = validatePipeline(pipelineGraphSchema.parse(g));
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.compiled;
}

const pipeline = compile({
  nodes: [
    { id: 'orders', kind: 'source', config: { stream: 'orders' } },
    { id: 'big', kind: 'filter', config: { condition: 'amount > 10' } },
    {
      id: 'per-user',
      kind: 'aggregate',
      config: {
        window: { kind: 'tumbling', sizeMs: 50 },
        groupBy: ['user'],
        measures: [
          { fn: 'count', as: 'n' },
          { fn: 'sum', field: 'amount', as: 'total' },
        ],
      },
    },
    { id: 'out', kind: 'sink', config: { kind: 'stream', stream: 'order-stats' } },
  ],
  edges: [
    { from: 'orders', to: 'big' },
    { from: 'big', to: 'per-user' },
    { from: 'per-user', to: 'out' },
  ],
});

/** Several slices' worth of events: orders and noise interleaved, spread over time by clock hints. */
const EVENTS = 3 * SLICE_SLOTS + 1234;
let journal: TestJournal;
let range: { from: number; to: number };

beforeAll(async () => {
  journal = testJournal({ slots: 65_536, blobSize: 1 << 22 });
  const orders = journal.sequencer.registerStream('orders');
  const noise = journal.sequencer.registerStream('noise');
  const base = Date.now() + 1000;
  await journal.write(
    Array.from({ length: EVENTS }, (_, i) => ({
      streamId: i % 3 === 0 ? noise : orders,
      nodeId: 1,
      clockHint: BigInt(base + Math.floor(i / 100)) << 16n,
      payload: Buffer.from(JSON.stringify({ user: `u${i % 7}`, amount: i % 23 })),
    })),
  );
  const { head, tail } = journal.reader.publication();
  range = { from: tail, to: head };
});

afterAll(() => closeTestJournals());

/** The same replay, all at once on one turn of the event loop: the result the cooperative one must equal. */
function replayAtOnce(sample: number) {
  const engine = new PipelineEngine(pipeline, { sample });
  const stats = replayRange(journal.reader, engine, range.from, range.to);
  engine.finish();
  const counters = engine.counters();
  const samples = engine.samples();
  return {
    range,
    scanned: stats.scanned,
    overwritten: stats.overwritten,
    nodes: Object.fromEntries(
      Object.entries(counters).map(([id, c]) => [id, { ...c, sample: samples[id] ?? [] }]),
    ),
  };
}

async function rejection(promise: Promise<unknown>): Promise<HubError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HubError);
  return error as HubError;
}

describe('cooperative dry run', () => {
  it('hands the event loop back between slices and gives the same answer as a replay in one go', async () => {
    expect(range.to - range.from).toBe(EVENTS);
    const turns: number[] = [];
    let finished = false;
    // Something else the hub has to do meanwhile: it must run (more than once) before the dry run ends.
    const tick = (): void => {
      if (finished) return;
      turns.push(turns.length);
      setImmediate(tick);
    };
    setImmediate(tick);
    const positions: number[] = [];
    const result = await dryRun(journal.reader, pipeline, range, 20, {
      onProgress: (p) => positions.push(p.position),
    });
    finished = true;
    expect(turns.length).toBeGreaterThanOrEqual(3);
    // Slices never exceed SLICE_SLOTS, and the first starts at the beginning of the range.
    for (let i = 1; i < positions.length; i++)
      expect(positions[i]! - positions[i - 1]!).toBeLessThanOrEqual(SLICE_SLOTS);
    expect(positions[0]).toBe(range.from);
    expect(result.scanned).toBe(EVENTS);
    expect(result.nodes.orders!.in).toBe(EVENTS - Math.ceil(EVENTS / 3));
    expect(result).toEqual(replayAtOnce(20));
    expect(await dryRun(journal.reader, pipeline, range, 20)).toEqual(result);
  });

  it('stops early with DRY_RUN_CANCELLED once its signal is aborted, having replayed less than the range', async () => {
    const cancel = new AbortController();
    const positions: number[] = [];
    // Aborted from outside while the dry run is in flight, as when the HTTP client goes away.
    setImmediate(() => cancel.abort());
    const error = await rejection(
      dryRun(journal.reader, pipeline, range, 20, {
        signal: cancel.signal,
        onProgress: (p) => positions.push(p.position),
      }),
    );
    expect(error.status).toBe(400);
    expect(error.code).toBe('DRY_RUN_CANCELLED');
    const details = error.details as { scanned: { from: number; to: number; count: number } };
    expect(details.scanned.from).toBe(range.from);
    expect(details.scanned.count).toBeGreaterThan(0);
    expect(details.scanned.count).toBeLessThan(range.to - range.from);
    expect(positions.at(-1)).toBe(details.scanned.to);

    // Aborted before it starts: nothing is replayed.
    const early = await rejection(
      dryRun(journal.reader, pipeline, range, 20, { signal: AbortSignal.abort() }),
    );
    expect(early.details).toMatchObject({ scanned: { count: 0 } });
  });

  it('stops with DRY_RUN_BUDGET_EXCEEDED when it runs past its time budget, naming how far it got', async () => {
    // A clock that moves 5 ms per reading: the budget runs out after a known amount of work, whatever the machine.
    let now = 0;
    const clock = (): number => (now += 5);
    const error = await rejection(dryRun(journal.reader, pipeline, range, 20, { clock, timeBudgetMs: 50 }));
    expect(error.code).toBe('DRY_RUN_BUDGET_EXCEEDED');
    expect(error.message).toContain('50 ms');
    const details = error.details as {
      scanned: { count: number };
      budget: { ms: number };
      elapsedMs: number;
    };
    expect(details.budget).toEqual({ ms: 50 });
    expect(details.elapsedMs).toBeGreaterThan(50);
    expect(details.scanned.count).toBeLessThan(range.to - range.from);
  });
});
