/**
 * The addon agrees with the TypeScript side: every journal offset it was compiled with equals
 * src/journal/layout.ts, and its hardware CRC32C is held to the same contract as the TypeScript one.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as event from '../src/core/causal-event.ts';
import * as layout from '../src/journal/layout.ts';
import { loadAddon } from '../src/native/binding.ts';
import { crc32cContract } from '../proofs/contracts/crc32c.ts';
import { runSuites } from '../proofs/runner.ts';
import { crc32c } from '../src/core/crc32c.ts';

describe('native addon', () => {
  const addon = loadAddon();

  it('was compiled with exactly the offsets of src/journal/layout.ts', () => {
    const native = addon.layout();
    const expected: Record<string, number | bigint> = {
      HEADER_SIZE: layout.JOURNAL_HEADER_SIZE,
      FORMAT_VERSION: layout.JOURNAL_FORMAT_VERSION,
      MAGIC: layout.JOURNAL_MAGIC,
      MAGIC_OFFSET: layout.MAGIC_OFFSET,
      VERSION_OFFSET: layout.VERSION_OFFSET,
      HEADER_SIZE_OFFSET: layout.HEADER_SIZE_OFFSET,
      SLOT_COUNT_OFFSET: layout.SLOT_COUNT_OFFSET,
      BLOB_SIZE_OFFSET: layout.BLOB_SIZE_OFFSET,
      RING_OFFSET_OFFSET: layout.RING_OFFSET_OFFSET,
      BLOB_OFFSET_OFFSET: layout.BLOB_OFFSET_OFFSET,
      FILE_SIZE_OFFSET: layout.FILE_SIZE_OFFSET,
      CREATED_MS_OFFSET: layout.CREATED_MS_OFFSET,
      WRITER_PID_OFFSET: layout.WRITER_PID_OFFSET,
      WRITER_STATE_OFFSET: layout.WRITER_STATE_OFFSET,
      WRITER_OPENED_MS_OFFSET: layout.WRITER_OPENED_MS_OFFSET,
      OPEN_COUNT_OFFSET: layout.OPEN_COUNT_OFFSET,
      FSYNC_MODE_OFFSET: layout.FSYNC_MODE_OFFSET,
      MAX_PAYLOAD_OFFSET: layout.MAX_PAYLOAD_OFFSET,
      DURABLE_HEAD_OFFSET: layout.DURABLE_HEAD_OFFSET,
      HEAD_OFFSET: layout.HEAD_OFFSET,
      BLOB_HEAD_OFFSET: layout.BLOB_HEAD_OFFSET,
      CLOCK_OFFSET: layout.CLOCK_OFFSET,
      PUBLISHED_MS_OFFSET: layout.PUBLISHED_MS_OFFSET,
      TAIL_OFFSET: layout.TAIL_OFFSET,
      BLOB_TAIL_OFFSET: layout.BLOB_TAIL_OFFSET,
      COUNTERS_OFFSET: layout.COUNTERS_OFFSET,
      COUNTER_CAPACITY: layout.COUNTER_CAPACITY,
      COUNTER_COUNT: layout.COUNTERS.length,
      CURSOR_ACTIVE_MASK_OFFSET: layout.CURSOR_ACTIVE_MASK_OFFSET,
      CURSOR_TABLE_OFFSET: layout.CURSOR_TABLE_OFFSET,
      CURSOR_CAPACITY: layout.CURSOR_CAPACITY,
      CURSOR_SIZE: layout.CURSOR_SIZE,
      CURSOR_STATE: layout.CURSOR_STATE,
      CURSOR_PID: layout.CURSOR_PID,
      CURSOR_POSITION: layout.CURSOR_POSITION,
      CURSOR_HEARTBEAT_MS: layout.CURSOR_HEARTBEAT_MS,
      CURSOR_LEASE_MS: layout.CURSOR_LEASE_MS,
      CURSOR_NAME: layout.CURSOR_NAME,
      STREAM_TABLE_OFFSET: layout.STREAM_TABLE_OFFSET,
      STREAM_TABLE_CAPACITY: layout.STREAM_TABLE_CAPACITY,
      STREAM_ENTRY_SIZE: layout.STREAM_ENTRY_SIZE,
      SLOT_SIZE: layout.SLOT_SIZE,
      LAMPORT_TS_OFFSET: event.LAMPORT_TS_OFFSET,
      NODE_ID_OFFSET: event.NODE_ID_OFFSET,
      STREAM_ID_OFFSET: event.STREAM_ID_OFFSET,
      FLAGS_OFFSET: event.FLAGS_OFFSET,
      PAYLOAD_OFFSET_OFFSET: event.PAYLOAD_OFFSET_OFFSET,
      CHECKSUM_OFFSET: event.CHECKSUM_OFFSET,
      PAYLOAD_LENGTH_OFFSET: event.PAYLOAD_LENGTH_OFFSET,
      PAYLOAD_ALIGNMENT: layout.PAYLOAD_ALIGNMENT,
      DEFAULT_SLOT_COUNT: layout.DEFAULT_SLOT_COUNT,
      DEFAULT_BLOB_SIZE: layout.DEFAULT_BLOB_SIZE,
    };
    expect(native).toEqual(expected);
  });

  it('uses the CPU CRC32C instruction where the CPU has it', () => {
    const flags = readFileSync('/proc/cpuinfo', 'utf8');
    expect(addon.crc32cUsesHardware).toBe(/\bsse4_2\b/.test(flags));
  });

  it('computes CRC32C exactly like the TypeScript implementation (the crc32c contract)', async () => {
    const results = await runSuites([crc32cContract((bytes, previous) => addon.crc32c(bytes, previous))], {
      numRuns: 2000,
    });
    expect(results.filter((r) => !r.passed)).toEqual([]);
    const big = new Uint8Array(3_000_001).map((_, i) => (i * 2654435761) >>> 24);
    expect(addon.crc32c(big)).toBe(crc32c(big));
  });
});
