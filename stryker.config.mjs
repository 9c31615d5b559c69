// Mutation testing of the domain code (issue #25). Run through `npm run mutate`
// (shared/tools/mutate.mjs), which sets MUTATE_FOLDER and runs one folder at a time.
import { MUTATION_FOLDERS } from './shared/tools/mutation-folders.mjs';

const name = process.env.MUTATE_FOLDER ?? 'stats';
const folder = MUTATION_FOLDERS[name];
if (!folder) throw new Error(`MUTATE_FOLDER must be one of ${Object.keys(MUTATION_FOLDERS).join(', ')}`);
process.env.MUTATE_TESTS = folder.tests.join(',');

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutate.config.ts', related: false },
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.mutate.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  mutate: folder.mutate,
  coverageAnalysis: 'perTest',
  // Two cores shared with others: one test process and one checker.
  concurrency: Number(process.env.MUTATE_CONCURRENCY ?? 1),
  // Module-level constants need every test re-run per mutant; their values are pinned by the
  // boundary tests instead.
  ignoreStatic: true,
  incremental: true,
  incrementalFile: `test/mutation/${name}.incremental.json`,
  // Error and log messages are not decisions; their wording is pinned where it matters by the
  // tests that read them.
  mutator: { excludedMutations: ['StringLiteral'] },
  dryRunTimeoutMinutes: 15,
  reporters: ['json', 'clear-text', 'progress-append-only'],
  jsonReporter: { fileName: `reports/mutation/${name}.json` },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true, reportMutants: false },
  tempDirName: `.stryker-tmp/${name}`,
  // Not copied into the sandbox: other folders' sandboxes, reports and the bundle.
  ignorePatterns: ['.stryker-tmp', 'reports', 'dist', 'bench/out'],
  cleanTempDir: true,
  timeoutMS: 20_000,
  timeoutFactor: 2,
  thresholds: { high: 90, low: 85, break: null },
};
