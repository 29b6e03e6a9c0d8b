import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{checkers,harness,system-under-test,bin,examples,scripts}/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Real-process tests start clusters; on 2 cores, two files at a time keeps timing honest.
    maxWorkers: 2,
  },
});
