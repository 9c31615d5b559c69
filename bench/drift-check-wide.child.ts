/**
 * One drift check on wide numeric data as its own process, for bench/drift-check-wide.ts:
 * `node <bundle of this file> <reference> <current> <report.json>`; prints the report's columns.
 * Evidently's default choice per column (auto): the normed Wasserstein distance above 1,000
 * reference values, on drift-check's sketch path.
 */
import { dirname } from 'node:path';
import { runDriftCheck } from '../shared/src/drift/index.js';
import { silentLog } from '../shared/src/logging/index.js';

const [reference, current, reportPath, exact] = process.argv.slice(2) as [string, string, string, string?];
const result = await runDriftCheck(
  {
    reference,
    current,
    method: 'auto',
    driftShare: 0.5,
    reportPath,
    workingDirectory: dirname(reportPath),
    exact: exact === 'exact',
  },
  silentLog,
);
process.stdout.write(
  JSON.stringify(
    result.report.columns.map((c) => ({
      name: c.name,
      method: c.method,
      statistic: c.statistic,
      path: c.path,
      error_bound: c.error_bound,
      drifted: c.drifted,
    })),
  ),
);
