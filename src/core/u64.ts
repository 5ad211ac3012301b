/**
 * Unsigned 64-bit values as two unsigned 32-bit halves.
 *
 * JavaScript numbers are exact only up to 2^53, and a hybrid-logical-clock value (48 bits of wall
 * milliseconds shifted left by 16) is around 2^57. `bigint` would be exact, but every bigint read from a
 * DataView is a fresh heap object: on this project's machines, scanning a million slots reading only
 * lamport_ts as a bigint took 2.4× as long as decoding all eight fields as numbers, and sorting a million
 * events by a bigint key 1.4× as long (bench/core-order.ts). The hot paths (sorting, binary search over
 * slots, comparators) therefore use `hi`/`lo` pairs of plain numbers; `bigint` is used only at the edges
 * (JSON, display) through the helpers below.
 *
 * @module
 */

export const U32_MAX = 0xffff_ffff;
const TWO_POW_32 = 0x1_0000_0000;
export const U64_MAX = (1n << 64n) - 1n;

/** Compares two u64 values given as (hi, lo) pairs; returns -1, 0 or 1. */
export function compareU64(aHi: number, aLo: number, bHi: number, bLo: number): number {
  if (aHi !== bHi) return aHi < bHi ? -1 : 1;
  if (aLo !== bLo) return aLo < bLo ? -1 : 1;
  return 0;
}

export function u64ToBigInt(hi: number, lo: number): bigint {
  return (BigInt(hi) << 32n) | BigInt(lo);
}

export function u64HighWord(value: bigint): number {
  return Number((value >> 32n) & 0xffff_ffffn);
}

export function u64LowWord(value: bigint): number {
  return Number(value & 0xffff_ffffn);
}

/** Decimal text of a u64, the form used in JSON (JSON numbers lose precision past 2^53). */
export function u64ToDecimal(hi: number, lo: number): string {
  return u64ToBigInt(hi, lo).toString();
}

/** Splits a safe non-negative integer into (hi, lo). */
export function safeIntegerHighWord(value: number): number {
  return Math.floor(value / TWO_POW_32);
}

export function safeIntegerLowWord(value: number): number {
  return value % TWO_POW_32;
}

export function isU32(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= U32_MAX;
}

export function isU16(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xffff;
}

export function isSafeU64(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
