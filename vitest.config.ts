// Test runner settings: tests spawn builds and node processes, so per-test time limits are generous
// (2 shared cores); speed is measured by `npm run bench`, never by test timeouts.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 300_000,
    include: ['test/**/*.test.ts', 'e2e/**/*.test.ts'],
  },
});
