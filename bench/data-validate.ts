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
const WIDE_ROWS = Number(process.env.BENCH_WIDE_ROWS ?? 1_000_000);
const WIDE = `SELECT i AS id, ${Array.from(
  { length: 20 },
  (_, c) => `(hash(i * 20 + ${c}) % 1000000000) / 1000000.0 AS f${c}`,
).join(', ')}, 'k' || (i % 9) AS cat FROM range(${WIDE_ROWS}) t(i)`;
/** BENCH_ONLY_WIDE=1 runs the wide CSV alone (a reduced run on a busy machine). */
const ONLY_WIDE = process.env.BENCH_ONLY_WIDE === '1';
/**
 * The memory bound of issue #19: a numeric CSV of `MEMORY_ROWS` rows x 50 continuous columns
 * (10M rows: about 5 GB, written to the temp folder and deleted afterwards) profiled with
 * `memory-limit: 1GB`; the row reports whether it finished and its peak RSS. Runs in a full run
 * and with BENCH_MEMORY=1; BENCH_MEMORY=0 (or BENCH_ONLY_WIDE=1 alone) leaves it out.
 * BENCH_MEMORY_ROWS sets the rows.
 */
const MEMORY_ROWS = Number(process.env.BENCH_MEMORY_ROWS ?? 10_000_000);
const MEMORY_COLUMNS = 50;
const MEMORY_LIMIT = '1GB';
const RUN_MEMORY = process.env.BENCH_MEMORY === '1' || (process.env.BENCH_MEMORY !== '0' && !ONLY_WIDE);
const NUMERIC_50 = `SELECT ${Array.from(
  { length: MEMORY_COLUMNS },
  (_, c) => `(hash(i * ${MEMORY_COLUMNS} + ${c}) % 1000000000) / 1000000.0 AS x${c}`,
).join(', ')} FROM range(${MEMORY_ROWS}) t(i)`;
const PARQUET = join(root, 'node_modules/vega-datasets/data/flights-3m.parquet');

export interface ProcessFigures {
  seconds: number;
  /** User + system CPU seconds of the process (all threads): steadier than wall time on a shared machine. */
  cpuSeconds: number;
  rowsPerSecond: number;
  peakRssMiB: number;
}

export interface FormatResult {
  /**
   * `csv-wide`: a synthetic 1M-row CSV of 20 continuous columns, an id and a category (see `WIDE`);
   * `csv-numeric-50`: `MEMORY_ROWS` x 50 continuous columns, run under `memoryLimit`.
   */
  format: 'csv' | 'parquet' | 'csv-wide' | 'csv-numeric-50';
  /**
   * `infer`: profile + inferred schema + validation against it (default profile: numeric columns
   * streamed, sketched past 50,000 distinct values); `validate`: against that schema;
   * `infer-exact`: `infer` with `exact: true` (every column's value counts, the path before #19).
   */
  mode: 'infer' | 'validate' | 'infer-exact';
  /** The `memory-limit` input of the run (DuckDB's limit; the default is 4GB). */
  memoryLimit?: string;
  rows: number;
  ours: ProcessFigures & { inProcessSeconds: number };
  peer: ProcessFigures | { skipped: string };
  /** Peer seconds / our seconds (higher is better for us); null when the peer was skipped. */
  speedup: number | null;
  /** The engine floor (bench/data-validate.floor.ts: one SELECT of every column's statistics), same file. */
  floor?: ProcessFigures;
  /** Our seconds / the floor's (1 = at the floor). */
  overFloor?: number;
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
  let floorChild: string | undefined;
  try {
    const csv = join(work, 'flights-3m.csv');
    const wide = join(work, 'wide-1m.csv');
    const numeric50 = join(work, 'numeric-50.csv');
    const db = await Database.open();
    if (!ONLY_WIDE) await db.run(`COPY (SELECT * FROM read_parquet('${PARQUET}')) TO '${csv}' (HEADER)`);
    await db.run(`COPY (${WIDE}) TO '${wide}' (HEADER)`);
    db.close();

    child = await bundleChild(join(root, 'bench/data-validate.child.ts'));
    floorChild = await bundleChild(join(root, 'bench/data-validate.floor.ts'));
    const results: FormatResult[] = [];
    const cases: (readonly [FormatResult['format'], string, FormatResult['mode']])[] = [
      ...(ONLY_WIDE
        ? []
        : ([
            ['csv', csv, 'infer'],
            ['parquet', PARQUET, 'infer'],
          ] as const)),
      ['csv-wide', wide, 'infer'],
      ['csv-wide', wide, 'validate'],
      ['csv-wide', wide, 'infer-exact'],
      ...(RUN_MEMORY ? ([['csv-numeric-50', numeric50, 'infer']] as const) : []),
    ];
    for (const [format, data, mode] of cases) {
      const memoryLimit = format === 'csv-numeric-50' ? MEMORY_LIMIT : undefined;
      if (memoryLimit) {
        // Written only now, and deleted after its run: it is the largest file of the bench.
        const gen = await Database.open();
        await gen.run(`COPY (${NUMERIC_50}) TO '${numeric50}' (HEADER)`);
        gen.close();
      }
      const out = join(work, `ours-${format}`);
      mkdirSync(out, { recursive: true });
      const args = [
        child!,
        data,
        out,
        mode === 'validate' ? 'validate' : 'infer',
        ...(mode === 'infer-exact' ? ['exact'] : []),
        ...(memoryLimit ? [`memory-limit=${memoryLimit}`] : []),
      ];
      const ours = timed(process.execPath, args);
      if (memoryLimit) rmSync(data, { force: true });
      if (!ours.ok)
        throw new Error(
          `data-validate failed on ${format} (${mode}${memoryLimit ? `, memory-limit ${memoryLimit}` : ''}): ${ours.stderr.slice(-2000)}`,
        );
      const figures = JSON.parse(lastLine(ours.stdout)) as { rows: number; inProcessSeconds: number };

      let peer: FormatResult['peer'];
      const skip = peerSkipReason(format === 'parquet' ? 'parquet' : 'csv');
      if (memoryLimit)
        peer = { skipped: 'the row proves the memory bound; pandas would need the whole table in memory' };
      else if (skip) peer = { skipped: skip };
      else if (mode !== 'infer') peer = { skipped: 'compared once, in the infer row' };
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
      let floor: ProcessFigures | undefined;
      if (mode === 'infer' && !memoryLimit) {
        const run = timed(process.execPath, [floorChild!, data]);
        if (!run.ok) throw new Error(`the floor query failed on ${format}: ${run.stderr.slice(-2000)}`);
        floor = {
          seconds: run.seconds,
          cpuSeconds: run.cpuSeconds,
          rowsPerSecond: figures.rows / run.seconds,
          peakRssMiB: run.peakRssMiB,
        };
      }
      results.push({
        format,
        mode,
        ...(memoryLimit ? { memoryLimit } : {}),
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
        ...(floor ? { floor, overFloor: ours.seconds / floor.seconds } : {}),
      });
    }
    return {
      benchmark: 'data-validate',
      data: `vega-datasets flights-3m (3,000,000 rows, 5 columns); csv-wide: ${WIDE_ROWS.toLocaleString('en-US')} rows x 22 columns, 21 of them all-unique${RUN_MEMORY ? `; csv-numeric-50: ${MEMORY_ROWS.toLocaleString('en-US')} rows x ${MEMORY_COLUMNS} continuous columns under memory-limit ${MEMORY_LIMIT}` : ''}`,
      results,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
    if (child) rmSync(dirname(child), { recursive: true, force: true });
    if (floorChild) rmSync(dirname(floorChild), { recursive: true, force: true });
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
    const floor = r.floor
      ? `; floor (one SELECT) ${f(r.floor.seconds)} s, peak RSS ${f(r.floor.peakRssMiB, 0)} MiB: ours ${f(r.overFloor!)}x the floor`
      : '';
    const label = `${r.format} ${r.mode}${r.memoryLimit ? ` (memory-limit ${r.memoryLimit})` : ''}`;
    console.log(
      `${label.padEnd(20)} ${ours}; ${peer}${r.speedup === null ? '' : `; ${f(r.speedup, 1)}x faster`}${floor}`,
    );
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const bench = await runDataValidateBench();
  print(bench);
  mkdirSync(join(root, 'bench/out'), { recursive: true });
  writeFileSync(join(root, 'bench/out/data-validate.json'), `${JSON.stringify(bench, null, 2)}\n`);
}
