/**
 * One data-validate run as its own process, for bench/data-validate.ts to time from start to
 * report: `node <bundle of this file> <data> <workdir>` (bench/bundle-child.ts bundles it; `node
 * --import tsx bench/data-validate.child.ts ...` runs it unbundled).
 */
import { silentLog } from '../shared/src/logging/index.js';
import { runDataValidate } from '../shared/src/validate/index.js';

// mode: `infer` (profile + infer schema.yaml + validate against it) or `validate` (against the
// schema.yaml an `infer` run wrote in the same folder); then flags: `exact` (the exact profile, input
// exact), `memory-limit=<size>` (input memory-limit).
const [data, workingDirectory, mode = 'infer', ...flags] = process.argv.slice(2) as [
  string,
  string,
  string?,
  ...string[],
];
const memoryLimit = flags.find((f) => f.startsWith('memory-limit='))?.slice('memory-limit='.length);
const started = performance.now();
const result = await runDataValidate(
  {
    data,
    ...(mode === 'validate' ? { schema: 'schema.yaml' } : { inferSchema: true, writeSchema: 'schema.yaml' }),
    exact: flags.includes('exact') ? true : undefined,
    memoryLimit,
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
