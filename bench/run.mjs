// `npm run bench`: runs every benchmark once, side by side with the peer a user would otherwise
// use (pandas, scipy, scikit-learn, when Debian's python3 has them), then prints one table of our
// figures, the peers' and the ratios. Figures from one run on this machine; not a timed test.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = (name) => join(root, 'bench/out', `${name}.json`);
const tsx = join(root, 'node_modules/.bin/tsx');

const BENCHES = [
  { name: 'startup', run: [process.execPath, 'bench/startup.mjs'] },
  { name: 'data-validate', run: [tsx, 'bench/data-validate.ts'] },
  { name: 'drift-check', run: [tsx, 'bench/drift-check.ts'] },
  { name: 'drift-check-wide', run: [tsx, 'bench/drift-check-wide.ts'] },
  { name: 'evaluate', run: [tsx, 'bench/evaluate.ts'] },
  { name: 'importance', run: [tsx, 'bench/importance.ts'] },
  { name: 'train', run: [tsx, 'bench/train.ts'] },
  { name: 'search', run: [tsx, 'bench/search.ts'] },
  { name: 'serve', run: [tsx, 'bench/serve.ts'] },
];

const fmt = (x, digits = 2) => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(digits) : '–');
const ratio = (x) => (typeof x === 'number' && Number.isFinite(x) ? `${x.toFixed(2)}x` : '–');

/** One row per figure: [benchmark, case, ours, peer, ratio (peer time / ours, or ours / peer rate)]. */
const SUMMARISE = {
  startup: (d) => d.rows.map((r) => ['startup', r.case, `${fmt(r.ms, 0)} ms`, '', '']),
  'data-validate': (d) =>
    d.results.flatMap((r) => [
      [
        'data-validate',
        `${r.format} ${r.mode ?? 'infer'}${r.memoryLimit ? ` under memory-limit ${r.memoryLimit}` : ''}, ${r.rows} rows, whole process`,
        `${fmt(r.ours.seconds)} s, ${fmt(r.ours.rowsPerSecond / 1e6)}M rows/s, ${fmt(r.ours.peakRssMiB, 0)} MiB`,
        r.peer?.seconds
          ? `pandas ${fmt(r.peer.seconds)} s, ${fmt(r.peer.peakRssMiB, 0)} MiB`
          : `pandas: ${r.peer?.skipped ?? 'not run'}`,
        ratio(r.speedup),
      ],
      ...(r.floor
        ? [
            [
              'data-validate',
              `${r.format}: engine floor (one SELECT), ours / floor`,
              `${fmt(r.ours.seconds)} s`,
              `floor ${fmt(r.floor.seconds)} s, ${fmt(r.floor.peakRssMiB, 0)} MiB`,
              `${fmt(r.overFloor)}x floor`,
            ],
          ]
        : []),
    ]),
  'drift-check': (d) => [
    [
      'drift-check',
      `2 x ${d.rows_per_side} rows, CSV`,
      `${fmt(d.ours_seconds)} s`,
      `pandas+scipy ${fmt(d.peer_seconds)} s`,
      ratio(d.speedup),
    ],
    [
      'drift-check',
      `2 x ${d.rows_per_side} rows, Parquet`,
      `${fmt(d.ours_parquet_seconds)} s`,
      `pandas+scipy (CSV) ${fmt(d.peer_seconds)} s`,
      ratio(d.speedup_parquet),
    ],
  ],
  'drift-check-wide': (d) => [
    [
      'drift-check',
      `wide: 2 x ${d.rows_per_side} rows x ${d.columns} numeric, CSV, auto (Wasserstein, sketch), whole process`,
      `${fmt(d.ours.seconds)} s, ${fmt(d.ours.cpu_seconds)} CPU s, ${fmt(d.ours.peak_rss_mib, 0)} MiB`,
      `pandas+scipy W+KS ${fmt(d.peer.seconds)} s, ${fmt(d.peer.cpu_seconds)} CPU s, ${fmt(d.peer.peak_rss_mib, 0)} MiB`,
      ratio(d.speedup),
    ],
    ...(d.ours_exact
      ? [
          [
            'drift-check',
            'wide: same with exact: true',
            `${fmt(d.ours_exact.seconds)} s, ${fmt(d.ours_exact.cpu_seconds)} CPU s, ${fmt(d.ours_exact.peak_rss_mib, 0)} MiB`,
            `pandas+scipy ${fmt(d.peer.seconds)} s`,
            ratio(d.peer.seconds / d.ours_exact.seconds),
          ],
        ]
      : []),
  ],
  evaluate: (d) => [
    [
      'evaluate',
      `${d.metrics.metrics} metrics on ${d.metrics.rows} rows`,
      `${fmt(d.metrics.ours.metrics_once_s)} s`,
      `scikit-learn ${fmt(d.metrics.sklearn.metrics_once_s)} s`,
      ratio(d.metrics.ratios.metrics_once_sklearn_over_ours),
    ],
    [
      'evaluate',
      `+ ${d.metrics.resamples}-resample bootstrap`,
      `${fmt(d.metrics.ours.metrics_with_bootstrap_s)} s`,
      `numpy bootstrap ~${fmt(d.metrics.sklearn.plain_bootstrap_s_estimated, 0)} s`,
      ratio(d.metrics.ratios.bootstrap_sklearn_over_ours),
    ],
    ...d.inference.map((a) => [
      'evaluate',
      `inference ${a.adapter}, batch ${a.batches.at(-1).batch_size}`,
      `${fmt(a.batches.at(-1).throughput_rows_per_s / 1e3, 0)}k rows/s`,
      '',
      '',
    ]),
  ],
  importance: (d) => [
    [
      'importance',
      `${d.rows} rows x ${d.features} cols x ${d.repeats} repeats, ${d.threads} threads, ${d.batch}/call`,
      `${fmt(d.ours_s, 3)} s`,
      `floor: ${d.passes} inference passes ${fmt(d.floor_s, 3)} s`,
      `${fmt(d.ratio_to_floor)}x of floor (CPU ${fmt(d.cpu_ratio_to_floor)}x)`,
    ],
    ...(d.settings ?? [])
      .filter((s) => s.threads !== d.threads || s.batch !== d.batch)
      .map((s) => [
        'importance',
        `same, ${s.threads} threads, ${s.batch}/call`,
        `${fmt(s.ours_s, 3)} s`,
        `floor ${fmt(s.floor_s, 3)} s`,
        `${fmt(s.ratio_to_floor)}x of floor (CPU ${fmt(s.cpu_ratio_to_floor)}x)`,
      ]),
  ],
  train: (d) => [
    ...d.throughput.rows.map((r) => [
      'train',
      `${r.backend} backend, ${r.rows} rows`,
      `${fmt(r.rowsPerSecond, 0)} rows/s`,
      `${d.throughput.peer.name} ${fmt(d.throughput.peer.rowsPerSecond, 0)} rows/s`,
      ratio(r.vsScikitLearn),
    ]),
    [
      'train',
      'overhead around a user command',
      `${fmt(d.commandOverhead.overheadMs, 1)} ms`,
      `limit ${d.commandOverhead.limitMs} ms`,
      '',
    ],
  ],
  search: (d) => [
    [
      'search',
      `${d.trials} random trials, one job (penguins mlp)`,
      `${fmt(d.searchSeconds)} s`,
      `floor: ${d.trials} x one trial ${fmt(d.floorSeconds)} s`,
      `overhead ${fmt(d.overheadPercent, 1)}%`,
    ],
  ],
  serve: (d) =>
    d.rows.map((r) => [
      'serve',
      r.case,
      `${fmt(r.rows_per_s, 0)} rows/s, p50 ${fmt(r.p50_ms)} ms, p99 ${fmt(r.p99_ms)} ms`,
      '',
      '',
    ]),
};

const only = process.argv.slice(2);
for (const bench of BENCHES) {
  if (only.length > 0 && !only.includes(bench.name)) continue;
  console.error(`running ${bench.name} ...`);
  const result = spawnSync(bench.run[0], bench.run.slice(1), {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (result.status !== 0) console.error(`${bench.name} exited with ${result.status}`);
}

const rows = [['benchmark', 'case', 'ours', 'peer', 'ratio']];
for (const bench of BENCHES) {
  if (!existsSync(out(bench.name))) continue;
  try {
    rows.push(...SUMMARISE[bench.name](JSON.parse(readFileSync(out(bench.name), 'utf8'))));
  } catch (error) {
    rows.push([bench.name, `could not read bench/out/${bench.name}.json: ${error.message}`, '', '', '']);
  }
}
const widths = rows[0].map((_, i) => Math.min(60, Math.max(...rows.map((r) => String(r[i]).length))));
console.log('\nRatios > 1 mean faster than the peer (same machine, one run).');
for (const row of rows)
  console.log(row.map((cell, i) => String(cell).slice(0, 60).padEnd(widths[i])).join('  '));
