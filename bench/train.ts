/**
 * Train benchmark (not a timed test):
 * 1. throughput of the built-in trainer (training rows per second of fitting) on a real dataset,
 *    on each TF.js backend available here, next to scikit-learn's MLPRegressor doing the same
 *    work (bench/train.peer.py, Debian's /usr/bin/python3) as the peer;
 * 2. the overhead `runTrain` adds around a user command: median time of `runTrain({command})`
 *    minus the median time of spawning the same program directly. Must stay under 1 s.
 * Run: `npx tsx bench/train.ts` (writes bench/out/train.json). `runTrainBench()` is exported for
 * the aggregator.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadTf, resetTfForTests, type TfPreference } from '../shared/src/engines/tfjs.js';
import { silentLog } from '../shared/src/logging/index.js';
import { presetLayers } from '../shared/src/train/modelSpec.js';
import { runTrain } from '../shared/src/train/runTrain.js';
import { readTrainingTable } from '../shared/src/train/tabularData.js';
import { trainTabular } from '../shared/src/train/tabularTrainer.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const DATA = join(root, 'node_modules/vega-datasets/data/flights-20k.json');
const TARGET = 'delay';
const EPOCHS = 3;
const BATCH = 256;
const OVERHEAD_RUNS = 9;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function throughput(
  backend: TfPreference,
): Promise<{ backend: string; rows: number; rowsPerSecond: number }> {
  resetTfForTests();
  const loaded = await loadTf(backend);
  const table = await readTrainingTable(DATA, TARGET, 'regression', silentLog);
  const result = await trainTabular(
    loaded,
    table,
    {
      task: 'regression',
      target: TARGET,
      layers: presetLayers('mlp'),
      modelSource: 'mlp',
      epochs: EPOCHS,
      batchSize: BATCH,
      learningRate: 0.001,
      seed: 0,
      // All rows train, as in the peer; no per-epoch validation pass inside the timing anyway.
      validationSplit: 0,
      patience: 1_000,
      checkpointDir: mkdtempSync(join(tmpdir(), 'bench-train-ckpt-')),
      resume: false,
      dataFingerprint: 'bench',
    },
    silentLog,
  );
  result.model.dispose();
  return { backend: loaded.backend, rows: result.rows.train, rowsPerSecond: result.rowsPerSecond };
}

function peerThroughput(): { rowsPerSecond: number } | { skipped: string } {
  if (!existsSync('/usr/bin/python3')) return { skipped: '/usr/bin/python3 not found' };
  const run = spawnSync(
    '/usr/bin/python3',
    [join(root, 'bench/train.peer.py'), DATA, TARGET, String(EPOCHS), String(BATCH)],
    {
      encoding: 'utf8',
    },
  );
  if (run.status !== 0) return { skipped: `peer failed: ${run.stderr.trim().split('\n').at(-1)}` };
  const parsed = JSON.parse(run.stdout) as { rows_per_second: number };
  return { rowsPerSecond: parsed.rows_per_second };
}

async function commandOverhead(): Promise<{ directMs: number; runTrainMs: number; overheadMs: number }> {
  const work = mkdtempSync(join(tmpdir(), 'bench-train-cmd-'));
  const program = ['/bin/sh', '-c', 'exit 0'];
  const direct: number[] = [];
  const wrapped: number[] = [];
  for (let i = 0; i < OVERHEAD_RUNS; i++) {
    let start = performance.now();
    spawnSync(program[0], program.slice(1));
    direct.push(performance.now() - start);
    start = performance.now();
    await runTrain(
      {
        commandArgv: program,
        epochs: 1,
        batchSize: 1,
        learningRate: 0.1,
        seed: 0,
        outputDir: join(work, `run-${i}`),
        resume: false,
        cache: false,
        gpu: 'auto',
        workingDirectory: work,
      },
      { log: silentLog },
    );
    wrapped.push(performance.now() - start);
  }
  const directMs = median(direct);
  const runTrainMs = median(wrapped);
  return { directMs, runTrainMs, overheadMs: runTrainMs - directMs };
}

export async function runTrainBench() {
  const backends: Record<string, unknown>[] = [];
  for (const backend of ['wasm', 'cpu'] as const) backends.push(await throughput(backend));
  const peer = peerThroughput();
  const rows = backends.map((b) => ({
    ...b,
    vsScikitLearn: 'rowsPerSecond' in peer ? (b.rowsPerSecond as number) / peer.rowsPerSecond : null,
  }));
  const overhead = await commandOverhead();
  return {
    name: 'train',
    dataset: 'vega-datasets flights-20k.json (regression on delay), mlp 64-32, batch 256, 3 epochs',
    throughput: {
      unit: 'training rows per second of fitting',
      rows,
      peer: { name: 'scikit-learn MLPRegressor', ...peer },
    },
    commandOverhead: {
      unit: 'ms (median of 9)',
      ...overhead,
      limitMs: 1000,
      withinLimit: overhead.overheadMs < 1000,
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await runTrainBench();
  mkdirSync(join(root, 'bench/out'), { recursive: true });
  writeFileSync(join(root, 'bench/out/train.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
}
