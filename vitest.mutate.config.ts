import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// Stryker's vitest runner uses this config: only the test files of the folder under mutation
// (MUTATE_TESTS, set by stryker.config.mjs) and no closing-line reporter. (mergeConfig would
// append to the base's include list, not replace it.)
const include = (process.env.MUTATE_TESTS ?? '').split(',').filter(Boolean);

export default defineConfig({ ...base, test: { ...base.test, include, reporters: ['default'] } });
