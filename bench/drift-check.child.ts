/**
 * One drift check as its own process, for bench/drift-check.ts to time from start to report:
 * `node <bundle of this file> <reference> <current> <report.json>`; prints the report's columns.
 */
import { dirname } from 'node:path';
import { runDriftCheck } from '../shared/src/drift/index.js';
import { silentLog } from '../shared/src/logging/index.js';

/** The tests the peer runs: KS on the numeric columns, chi-square on the categorical ones. */
const PER_COLUMN = {
  delay: { method: 'ks' },
  distance: { method: 'ks' },
  origin: { method: 'chi2' },
  destination: { method: 'chi2' },
};

function finiteOrString(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? String(value) : value;
}

const [reference, current, reportPath] = process.argv.slice(2) as [string, string, string];
const result = await runDriftCheck(
  {
    reference,
    current,
    method: 'auto',
    driftShare: 0.5,
    perColumn: PER_COLUMN,
    reportPath,
    workingDirectory: dirname(reportPath),
  },
  silentLog,
);
// JSON has no Infinity (a chi-square over a category the reference never saw): sent as a string.
process.stdout.write(JSON.stringify(result.report.columns, finiteOrString));
