/**
 * data-validate benchmark (not a timed test): the whole step, from process start to written
 * report, with an inferred schema, on the 3M-row flights data as Parquet (as shipped by
 * vega-datasets) and as CSV (converted once into a temp folder), next to the same checks written
 * the obvious way in pandas (bench/data-validate.peer.py, Debian's /usr/bin/python3), run side by
 * side in one run. Our side runs the child bundled into plain JS (bench/bundle-child.ts), as the
 * shipped dist/ bundle runs, not through tsx. Reports wall time, rows/s, peak RSS (GNU time's maximum resident set size)
 * and the ratio peer time / our time. Without pandas (or without pyarrow for Parquet) the peer is
 * reported as skipped with the reason, and our figures are still printed.
 *
 * Run: `npx tsx bench/data-validate.ts` (writes bench/out/data-validate.json).
 * `runDataValidateBench()` is exported for the aggregator.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Database } from '../shared/src/data/database.js';
import { bundleChild } from './bundle-child.js';
import { type TimedProcess, timedProcess } from './process-timing.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The shape where exact statistics cost most: every value unique in 21 of 22 columns (an id and
 * 20 continuous measurements, a category beside them), so each column's value counts are as large
 * as the column. Deterministic: the values are hashes of the row number.
 */
const WIDE = `SELECT i AS id, ${Array.from(
  { length: 20 },
  (_, c) => `(hash(i * 20 + ${c}) % 1000000000) / 1000000.0 AS f${c}`,
).join(', ')}, 'k' || (i % 9) AS cat FROM range(1000000) t(i)`;
const PARQUET = join(root, 'node_modules/vega-datasets/data/flights-3m.parquet');

export interface ProcessFigures {
  seconds: number;
  /** User + system CPU seconds of the process (all threads): steadier than wall time on a shared machine. */
  cpuSeconds: number;
  rowsPerSecond: number;
  peakRssMiB: number;
}

export interface FormatResult {
  /** `csv-wide`: a synthetic 1M-row CSV of 20 continuous columns, an id and a category (see `WIDE`). */
  format: 'csv' | 'parquet' | 'csv-wide';
  rows: number;
  ours: ProcessFigures & { inProcessSeconds: number };
  peer: ProcessFigures | { skipped: string };
  /** Peer seconds / our seconds (higher is better for us); null when the peer was skipped. */
  speedup: number | null;
}

export interface DataValidateBench {
  benchmark: 'data-validate';
  data: string;
  results: FormatResult[];
}

function timed(command: string, args: string[]): TimedProcess {
  return timedProcess(command, args, root);
}

function lastLine(text: string): string {
  return (
    text
      .trim()
      .split('\n')
      .filter((l) => !/^\s/.test(l) && !l.startsWith('Command being timed'))
      .at(-1) ?? ''
  );
}

function peerSkipReason(format: 'csv' | 'parquet'): string | undefined {
  if (!existsSync('/usr/bin/python3')) return '/usr/bin/python3 not found';
  const check = spawnSync(
    '/usr/bin/python3',
    ['-c', format === 'parquet' ? 'import pandas, pyarrow' : 'import pandas'],
    {
      encoding: 'utf8',
    },
  );
  if (check.status === 0) return undefined;
  return format === 'parquet'
    ? 'pandas cannot read Parquet here (neither pyarrow nor fastparquet is installed)'
    : 'pandas is not installed for /usr/bin/python3';
}

export async function runDataValidateBench(): Promise<DataValidateBench> {
  const work = mkdtempSync(join(tmpdir(), 'bench-data-validate-'));
  let child: string | undefined;
  try {
    const csv = join(work, 'flights-3m.csv');
    const wide = join(work, 'wide-1m.csv');
    const db = await Database.open();
    await db.run(`COPY (SELECT * FROM read_parquet('${PARQUET}')) TO '${csv}' (HEADER)`);
    await db.run(`COPY (${WIDE}) TO '${wide}' (HEADER)`);
    db.close();

    child = await bundleChild(join(root, 'bench/data-validate.child.ts'));
    const results: FormatResult[] = [];
    for (const [format, data] of [
      ['csv', csv],
      ['parquet', PARQUET],
      ['csv-wide', wide],
    ] as const) {
      const out = join(work, `ours-${format}`);
      mkdirSync(out);
      const ours = timed(process.execPath, [child!, data, out]);
      if (!ours.ok) throw new Error(`data-validate failed on ${format}: ${ours.stderr.slice(-2000)}`);
      const figures = JSON.parse(lastLine(ours.stdout)) as { rows: number; inProcessSeconds: number };

      let peer: FormatResult['peer'];
      const skip = peerSkipReason(format === 'parquet' ? 'parquet' : 'csv');
      if (skip) peer = { skipped: skip };
      else {
        const run = timed('/usr/bin/python3', [
          join(root, 'bench/data-validate.peer.py'),
          data,
          join(work, `peer-${format}.json`),
        ]);
        peer = run.ok
          ? {
              seconds: run.seconds,
              cpuSeconds: run.cpuSeconds,
              rowsPerSecond: figures.rows / run.seconds,
              peakRssMiB: run.peakRssMiB,
            }
          : { skipped: `peer failed: ${lastLine(run.stderr)}` };
      }
      results.push({
        format,
        rows: figures.rows,
        ours: {
          seconds: ours.seconds,
          cpuSeconds: ours.cpuSeconds,
          inProcessSeconds: figures.inProcessSeconds,
          rowsPerSecond: figures.rows / ours.seconds,
          peakRssMiB: ours.peakRssMiB,
        },
        peer,
        speedup: 'seconds' in peer ? peer.seconds / ours.seconds : null,
      });
    }
    return {
      benchmark: 'data-validate',
      data: 'vega-datasets flights-3m (3,000,000 rows, 5 columns); csv-wide: 1,000,000 rows x 22 columns, 21 of them all-unique',
      results,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
    if (child) rmSync(dirname(child), { recursive: true, force: true });
  }
}

function print(bench: DataValidateBench): void {
  const f = (x: number, digits = 2) => x.toFixed(digits);
  for (const r of bench.results) {
    const ours = `ours ${f(r.ours.seconds)} s (${f(r.ours.inProcessSeconds)} s in process, ${f(r.ours.cpuSeconds)} CPU s), ${Math.round(r.ours.rowsPerSecond).toLocaleString('en-US')} rows/s, peak RSS ${f(r.ours.peakRssMiB, 0)} MiB`;
    const peer =
      'skipped' in r.peer
        ? `pandas: skipped (${r.peer.skipped})`
        : `pandas ${f(r.peer.seconds)} s (${f(r.peer.cpuSeconds)} CPU s), ${Math.round(r.peer.rowsPerSecond).toLocaleString('en-US')} rows/s, peak RSS ${f(r.peer.peakRssMiB, 0)} MiB`;
    console.log(
      `${r.format.padEnd(8)} ${ours}; ${peer}${r.speedup === null ? '' : `; ${f(r.speedup, 1)}x faster`}`,
    );
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const bench = await runDataValidateBench();
  print(bench);
  mkdirSync(join(root, 'bench/out'), { recursive: true });
  writeFileSync(join(root, 'bench/out/data-validate.json'), `${JSON.stringify(bench, null, 2)}\n`);
}
