import { defineConfig } from 'vitest/config';

export default defineConfig({
  // The workflow parser ships source maps without sources; Vite warns for each file.
  logLevel: 'error',
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default', './test/harness/closing-line-reporter.ts'],
    maxWorkers: 2,
    // GitHub's workflow parser imports JSON without import attributes, which Node 20 refuses;
    // inlining lets Vite transform it.
    server: { deps: { inline: ['@actions/workflow-parser'] } },
  },
});
