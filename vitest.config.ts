import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['./test/helpers/global-setup.ts'],
    // Lab tests share two cores, QEMU and fixed ports: one file at a time.
    fileParallelism: false,
    testTimeout: 20_000,
    hookTimeout: 120_000,
    reporters: ['default', './test/helpers/plain-summary-reporter.ts'],
  },
});
