/**
 * Wide drift-check benchmark (not a timed test), #19: reference and current CSVs of
 * BENCH_DRIFT_WIDE_ROWS rows (default 1,000,000) x 21 numeric columns (20 normal columns written
 * with 5 decimals, one uniform target; the first 5 normal columns shifted by 0.2 in the current
 * data). Whole-process wall time, CPU seconds and peak RSS of `runDriftCheck` (auto: the normed
 * Wasserstein distance on the sketch path) in a fresh Node process (bench/drift-check-wide.child.ts
 * bundled as dist/ is), of the same with `exact` (the exact path), and of the pandas + scipy peer
 * (bench/drift-check-wide.peer.py, /usr/bin/python3: read_csv, then wasserstein_distance and
 * ks_2samp per column). Agreement: every sketched distance within its stated error bound of
 * scipy's. Run: `npx tsx bench/drift-check-wide.ts` (writes bench/out/drift-check-wide.json);
 * BENCH_DRIFT_WIDE_EXACT=0 skips the exact run.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Database, quoteLiteral } from '../shared/src/data/database.js';
import { bundleChild } from './bundle-child.js';
import { type TimedProcess, timedProcess } from './process-timing.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** 20 standard normals by Box-Muller from hashes of the row number, and a uniform target. */
function wideSql(rows: number, seed: number, shifted: number): string {
  const uniform = (k: string) =>
    `((hash(i * 64 + ${k} + ${seed * 1_000_003}) % 1000000000) + 1) / 1000000001.0`;
  const normals = Array.from({ length: 20 }, (_, c) => {
    const z = `sqrt(-2 * ln(${uniform(`${2 * c}`)})) * cos(2 * pi() * ${uniform(`${2 * c + 1}`)})`;
    return `round(${z}${c < shifted ? ' + 0.2' : ''}, 5) AS f${c}`;
  });
  return `SELECT ${normals.join(', ')}, round(${uniform('50')}, 6) AS target FROM range(${rows}) t(i)`;
}

interface Figures {
  seconds: number;
  cpu_seconds: number;
  peak_rss_mib: number;
}

export interface DriftWideBench {
  rows_per_side: number;
  columns: number;
  ours: Figures;
  ours_exact?: Figures;
  peer: Figures & { read_s: number; wasserstein_s: number; ks_s: number };
  /** peer wall time / ours: how many times faster drift-check is (goal: >= 2). */
  speedup: number;
  speedup_cpu: number;
  /** Largest |ours − scipy| of the normed Wasserstein distance, and the largest stated bound. */
  max_abs_error: number;
  max_error_bound: number;
  /** Every sketched column within its stated bound of scipy. */
  within_bound: boolean;
  paths: Record<string, number>;
  drifted: string[];
}

function timed(command: string, args: string[]): TimedProcess {
  const run = timedProcess(command, args, root);
  if (!run.ok) throw new Error(`${command} ${args.join(' ')} failed: ${run.stderr}`);
  return run;
}

const figures = (run: TimedProcess): Figures => ({
  seconds: run.seconds,
  cpu_seconds: run.cpuSeconds,
  peak_rss_mib: run.peakRssMiB,
});

export async function runDriftWideBench(rowsPerSide = 1_000_000, withExact = true): Promise<DriftWideBench> {
  const dir = mkdtempSync(join(tmpdir(), 'drift-wide-bench-'));
  let child: string | undefined;
  try {
    const reference = join(dir, 'reference.csv');
    const current = join(dir, 'current.csv');
    const db = await Database.open();
    try {
      await db.run(`COPY (${wideSql(rowsPerSide, 1, 0)}) TO ${quoteLiteral(reference)} (HEADER)`);
      await db.run(`COPY (${wideSql(rowsPerSide, 2, 5)}) TO ${quoteLiteral(current)} (HEADER)`);
    } finally {
      db.close();
    }
    child = await bundleChild(join(root, 'bench/drift-check-wide.child.ts'));
    const ours = timed(process.execPath, [child, reference, current, join(dir, 'report.json')]);
    const oursExact = withExact
      ? timed(process.execPath, [child, reference, current, join(dir, 'report-exact.json'), 'exact'])
      : undefined;
    const peer = timed('/usr/bin/python3', [
      join(root, 'bench/drift-check-wide.peer.py'),
      reference,
      current,
    ]);
    const columns = JSON.parse(ours.stdout) as {
      name: string;
      method: string;
      statistic: number;
      path: string;
      error_bound: number | null;
      drifted: boolean;
    }[];
    const scipy = JSON.parse(peer.stdout) as {
      columns: Record<string, { wasserstein_normed: number }>;
      read_s: number;
      wasserstein_s: number;
      ks_s: number;
    };
    let maxError = 0;
    let maxBound = 0;
    let within = true;
    const paths: Record<string, number> = {};
    for (const column of columns) {
      const error = Math.abs(column.statistic - scipy.columns[column.name].wasserstein_normed);
      const bound = column.error_bound ?? Number.NaN;
      maxError = Math.max(maxError, error);
      maxBound = Math.max(maxBound, bound);
      if (!(column.method === 'wasserstein' && error <= bound + 1e-12)) within = false;
      paths[column.path] = (paths[column.path] ?? 0) + 1;
    }
    return {
      rows_per_side: rowsPerSide,
      columns: columns.length,
      ours: figures(ours),
      ...(oursExact ? { ours_exact: figures(oursExact) } : {}),
      peer: { ...figures(peer), read_s: scipy.read_s, wasserstein_s: scipy.wasserstein_s, ks_s: scipy.ks_s },
      speedup: peer.seconds / ours.seconds,
      speedup_cpu: peer.cpuSeconds / ours.cpuSeconds,
      max_abs_error: maxError,
      max_error_bound: maxBound,
      within_bound: within,
      paths,
      drifted: columns.filter((c) => c.drifted).map((c) => c.name),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    if (child) rmSync(dirname(child), { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await runDriftWideBench(
    Number(process.env.BENCH_DRIFT_WIDE_ROWS ?? 1_000_000),
    process.env.BENCH_DRIFT_WIDE_EXACT !== '0',
  );
  mkdirSync(join(root, 'bench/out'), { recursive: true });
  writeFileSync(join(root, 'bench/out/drift-check-wide.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
}
