/**
 * Drift-check benchmark (not a timed test): reference and current = the two halves of
 * vega-datasets flights-3m.parquet (1.5M rows each, 5 columns), written once as CSV and as
 * Parquet. Debian's pandas has no Parquet engine, so the like-for-like figure has both sides read
 * the same CSV files; a second figure has drift-check read the Parquet halves (the data's own
 * format) against the same peer run on CSV. Whole-process wall time
 * of `runDriftCheck` (KS per numeric column, chi-square per categorical) in a fresh Node process
 * running bench/drift-check.child.ts bundled into plain JS as dist/ is (bench/bundle-child.ts),
 * next to the obvious pandas + scipy script (bench/drift-check.peer.py, /usr/bin/python3: read,
 * ks_2samp per numeric column, chi2_contingency per categorical). The statistics are compared:
 * KS statistic bit for bit, p-values to 1e-9 relative.
 * Run: `npx tsx bench/drift-check.ts` (writes bench/out/drift-check.json); env BENCH_DRIFT_ROWS
 * scales the data down. `runDriftCheckBench()` is exported for the aggregator.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Database, quoteLiteral } from '../shared/src/data/database.js';
import { bundleChild } from './bundle-child.js';
import { type TimedProcess, timedProcess } from './process-timing.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const FLIGHTS = join(root, 'node_modules/vega-datasets/data/flights-3m.parquet');

export interface DriftCheckBench {
  rows_per_side: number;
  /** drift-check on the CSV halves (same input as the peer). */
  ours_seconds: number;
  /** drift-check on the Parquet halves. */
  ours_parquet_seconds: number;
  peer_seconds: number;
  /** User + system CPU seconds (all threads) of each process: steadier than wall time on a shared machine. */
  ours_cpu_seconds: number;
  ours_parquet_cpu_seconds: number;
  peer_cpu_seconds: number;
  /** peer time / our time on the same CSV input: how many times faster drift-check is. */
  speedup: number;
  /** peer time on CSV / our time on Parquet. */
  speedup_parquet: number;
  agreement: {
    column: string;
    test: string;
    ours: { statistic: number; p_value: number };
    scipy: { statistic: number; p_value: number };
    statistic_exact: boolean;
    p_value_rel_error: number;
  }[];
  agree_to_1e9: boolean;
}

async function writeHalves(
  dir: string,
  rowsPerSide: number,
): Promise<{ reference: string; current: string; referenceParquet: string; currentParquet: string }> {
  const db = await Database.open();
  const reference = join(dir, 'reference.csv');
  const current = join(dir, 'current.csv');
  try {
    await db.run(
      `CREATE TABLE f AS SELECT *, row_number() OVER () AS i FROM read_parquet(${quoteLiteral(FLIGHTS)}) LIMIT ${2 * rowsPerSide}`,
    );
    for (const [path, where] of [
      [reference, `i <= ${rowsPerSide}`],
      [current, `i > ${rowsPerSide}`],
    ]) {
      const select = `SELECT date, delay, distance, origin, destination FROM f WHERE ${where} ORDER BY i`;
      await db.run(`COPY (${select}) TO ${quoteLiteral(path)} (HEADER, DELIMITER ',')`);
      await db.run(
        `COPY (${select}) TO ${quoteLiteral(path.replace(/\.csv$/, '.parquet'))} (FORMAT PARQUET)`,
      );
    }
  } finally {
    db.close();
  }
  const parquet = (p: string) => p.replace(/\.csv$/, '.parquet');
  return { reference, current, referenceParquet: parquet(reference), currentParquet: parquet(current) };
}

function timed(command: string, args: string[]): TimedProcess {
  const run = timedProcess(command, args, root);
  if (!run.ok) throw new Error(`${command} ${args.join(' ')} failed: ${run.stderr}`);
  return run;
}

function finiteOrString(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? String(value) : value;
}

export async function runDriftCheckBench(rowsPerSide = 1_500_000): Promise<DriftCheckBench> {
  const dir = mkdtempSync(join(tmpdir(), 'drift-bench-'));
  let child: string | undefined;
  try {
    const { reference, current, referenceParquet, currentParquet } = await writeHalves(dir, rowsPerSide);
    child = await bundleChild(join(root, 'bench/drift-check.child.ts'));
    const runOurs = (ref: string, cur: string) =>
      timed(process.execPath, [child!, ref, cur, join(dir, 'report.json')]);
    const ours = runOurs(reference, current);
    const oursParquet = runOurs(referenceParquet, currentParquet);
    const peer = timed('/usr/bin/python3', [join(root, 'bench/drift-check.peer.py'), reference, current]);
    const columns = JSON.parse(ours.stdout, (_, v) => (v === 'Infinity' ? Number.POSITIVE_INFINITY : v)) as {
      name: string;
      test_statistic: number;
      p_value: number;
    }[];
    // Python's json writes an infinite chi-square (a category the reference never saw) as Infinity.
    const scipy = JSON.parse(peer.stdout.replace(/\bInfinity\b/g, '1e999')) as Record<
      string,
      { test: string; statistic: number; p_value: number; gof_statistic?: number; gof_p_value?: number }
    >;
    const agreement = columns.map((column) => {
      const s = scipy[column.name];
      const isKs = s.test === 'ks';
      const expected = isKs
        ? { statistic: s.statistic, p_value: s.p_value }
        : { statistic: s.gof_statistic!, p_value: s.gof_p_value! };
      const relative = (a: number, b: number) =>
        a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
      return {
        column: column.name,
        test: isKs ? 'ks_2samp' : 'chisquare vs reference proportions',
        ours: { statistic: column.test_statistic, p_value: column.p_value },
        scipy: expected,
        statistic_exact: isKs
          ? column.test_statistic === expected.statistic
          : relative(column.test_statistic, expected.statistic) <= 1e-9,
        p_value_rel_error: relative(column.p_value, expected.p_value),
      };
    });
    return {
      rows_per_side: rowsPerSide,
      ours_seconds: ours.seconds,
      ours_parquet_seconds: oursParquet.seconds,
      peer_seconds: peer.seconds,
      ours_cpu_seconds: ours.cpuSeconds,
      ours_parquet_cpu_seconds: oursParquet.cpuSeconds,
      peer_cpu_seconds: peer.cpuSeconds,
      speedup: peer.seconds / ours.seconds,
      speedup_parquet: peer.seconds / oursParquet.seconds,
      agreement,
      agree_to_1e9: agreement.every((a) => a.statistic_exact && a.p_value_rel_error <= 1e-9),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    if (child) rmSync(dirname(child), { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await runDriftCheckBench(Number(process.env.BENCH_DRIFT_ROWS ?? 1_500_000));
  mkdirSync(join(root, 'bench/out'), { recursive: true });
  writeFileSync(join(root, 'bench/out/drift-check.json'), `${JSON.stringify(result, finiteOrString, 2)}\n`);
  console.log(JSON.stringify(result, finiteOrString, 2));
}
