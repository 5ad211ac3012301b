/**
 * What every command receives: where to write, and how to report its exit code. Commands never touch
 * `process.exitCode` or `process.stdout` themselves, so they run the same in-process (tests) and as `cz`.
 *
 * @module
 */
import type { Output } from './output.ts';

export interface CommandContext {
  output: Output;
  exitCode: number;
}
