/**
 * One data-validate run as its own process, for bench/data-validate.ts to time from start to
 * report: `node <bundle of this file> <data> <workdir>` (bench/bundle-child.ts bundles it; `node
 * --import tsx bench/data-validate.child.ts ...` runs it unbundled).
 */
import { silentLog } from '../shared/src/logging/index.js';
import { runDataValidate } from '../shared/src/validate/index.js';

const [data, workingDirectory] = process.argv.slice(2) as [string, string];
const started = performance.now();
const result = await runDataValidate(
  {
    data,
    inferSchema: true,
    writeSchema: 'schema.yaml',
    failOn: 'never',
    reportPath: 'report.json',
    profilePath: 'profile.json',
    workingDirectory,
  },
  silentLog,
);
console.log(
  JSON.stringify({
    rows: result.rows,
    anomalies: result.anomalies.length,
    inProcessSeconds: (performance.now() - started) / 1000,
  }),
);
