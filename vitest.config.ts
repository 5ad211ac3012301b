import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'proofs/**/*.test.ts', 'test/**/*.test.ts', 'bin/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
