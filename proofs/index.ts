/**
 * The contract suites bound to lacrimosa's own implementations: what `cz verify`, the test runner and
 * the hub's Verification page run by default.
 *
 * @module
 */
import { decodeCausalEvent, encodeCausalEvent } from '../src/core/causal-event.ts';
import { crc32c } from '../src/core/crc32c.ts';
import { decodeFrame, encodeFrame } from '../src/core/frame.ts';
import { HybridLogicalClock, hlcFromWords, hlcHighWord, hlcLowWord } from '../src/core/hlc.ts';
import { compareCausal, sortCausal } from '../src/core/order.ts';
import { clockContract } from './contracts/clock.ts';
import { codecContract } from './contracts/codec.ts';
import { crc32cContract } from './contracts/crc32c.ts';
import { frameContract } from './contracts/frame.ts';
import { orderContract, sortContract } from './contracts/order.ts';
import type { ContractSuite } from './runner.ts';

export { runProperty, runSuites, DEFAULT_RUNS } from './runner.ts';
export type { ContractProperty, ContractSuite, PropertyResult, RunOptions } from './runner.ts';

export function coreSuites(): ContractSuite[] {
  return [
    orderContract(compareCausal),
    sortContract((events) => sortCausal(events)),
    codecContract({ encode: encodeCausalEvent, decode: (view, offset) => decodeCausalEvent(view, offset) }),
    clockContract({
      create: (options) => new HybridLogicalClock(options),
      toWords: (ts) => [hlcHighWord(ts), hlcLowWord(ts)],
      fromWords: hlcFromWords,
    }),
    crc32cContract(crc32c),
    frameContract({ encode: encodeFrame, decode: decodeFrame }),
  ];
}
