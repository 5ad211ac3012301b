/**
 * Bounds and default of a verification run's `runs`, with no imports: the wire schema builds on them, and
 * `cz verify` offers the same default without loading zod.
 *
 * @module
 */

export const VERIFY_LIMITS = { runs: { min: 1, max: 100_000, default: 1000 } } as const;
