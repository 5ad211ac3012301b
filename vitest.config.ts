import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // UI tests pick their DOM per file (`// @vitest-environment jsdom`); everything else runs in Node.
    include: [
      'src/**/*.test.ts',
      'proofs/**/*.test.ts',
      'test/**/*.test.ts',
      'bin/**/*.test.ts',
      'ui/src/**/*.test.{ts,tsx}',
    ],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
