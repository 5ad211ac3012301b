/**
 * Why lamport_ts is a (hi, lo) pair of numbers in TypeScript rather than a bigint: sorts one million
 * events and decodes one million slots both ways, interleaved, and reports the medians and ratios.
 *
 * Run: npm run bench -- core-order
 */
import {
  CAUSAL_EVENT_SIZE,
  type CausalEvent,
  decodeCausalEvent,
  emptyCausalEvent,
  encodeCausalEvent,
} from '../src/core/causal-event.ts';
import { compareCausal } from '../src/core/order.ts';
import { median, publish } from './lib/report.ts';

const COUNT = 1_000_000;
const ROUNDS = 5;

interface BigKey {
  ts: bigint;
  nodeId: number;
  streamId: number;
}

function compareBig(a: BigKey, b: BigKey): number {
  if (a.ts !== b.ts) return a.ts < b.ts ? -1 : 1;
  if (a.nodeId !== b.nodeId) return a.nodeId < b.nodeId ? -1 : 1;
  if (a.streamId !== b.streamId) return a.streamId < b.streamId ? -1 : 1;
  return 0;
}

function time(fn: () => void): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

export function run(): void {
  // A journal-like buffer: clock values a few ms apart with counters, 8 nodes, 4 streams, shuffled.
  const view = new DataView(new ArrayBuffer(COUNT * CAUSAL_EVENT_SIZE));
  const baseWall = 1_763_000_000_000;
  let seed = 12345;
  const random = (): number => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
  for (let i = 0; i < COUNT; i++) {
    const wall = baseWall + Math.floor(random() * 60_000);
    const logical = Math.floor(random() * 100);
    const event: CausalEvent = {
      lamportHi: Math.floor(wall / 0x10000),
      lamportLo: ((wall % 0x10000) * 0x10000 + logical) >>> 0,
      nodeId: Math.floor(random() * 8),
      streamId: Math.floor(random() * 4),
      flags: 0,
      payloadOffset: i * 64,
      checksum: 0,
      payloadLength: 64,
    };
    encodeCausalEvent(event, view, i * CAUSAL_EVENT_SIZE);
  }

  const pairs: CausalEvent[] = [];
  const bigs: BigKey[] = [];
  const decodePair: number[] = [];
  const decodeBig: number[] = [];
  const sortPair: number[] = [];
  const sortBig: number[] = [];
  let sink = 0;
  for (let round = 0; round < ROUNDS; round++) {
    decodePair.push(
      time(() => {
        const scratch = emptyCausalEvent();
        for (let i = 0; i < COUNT; i++)
          sink += decodeCausalEvent(view, i * CAUSAL_EVENT_SIZE, scratch).lamportLo & 1;
      }),
    );
    decodeBig.push(
      time(() => {
        for (let i = 0; i < COUNT; i++) sink += Number(view.getBigUint64(i * CAUSAL_EVENT_SIZE, true) & 1n);
      }),
    );
    pairs.length = 0;
    bigs.length = 0;
    for (let i = 0; i < COUNT; i++) {
      const e = decodeCausalEvent(view, i * CAUSAL_EVENT_SIZE);
      pairs.push(e);
      bigs.push({
        ts: view.getBigUint64(i * CAUSAL_EVENT_SIZE, true),
        nodeId: e.nodeId,
        streamId: e.streamId,
      });
    }
    sortPair.push(time(() => pairs.sort(compareCausal)));
    sortBig.push(time(() => bigs.sort(compareBig)));
  }
  if (sink === -1) console.log(sink);

  const row = (what: string, pair: number[], big: number[]): string[] => [
    what,
    `${median(pair).toFixed(1)} ms`,
    `${median(big).toFixed(1)} ms`,
    `${(median(big) / median(pair)).toFixed(2)}×`,
  ];
  publish({
    title: 'core-order: lamport_ts as (hi, lo) numbers vs bigint',
    command: 'npm run bench -- core-order',
    headers: ['operation (1M events)', '(hi, lo) median', 'bigint median', 'bigint / (hi, lo)'],
    rows: [
      row('scan slots reading lamport_ts', decodePair, decodeBig),
      row('sort by (lamport_ts, node_id, stream_id)', sortPair, sortBig),
    ],
    notes: [
      `median of ${ROUNDS} interleaved rounds; the (hi, lo) scan decodes all 8 fields, the bigint scan only lamport_ts`,
    ],
  });
}
