/**
 * Evaluate benchmark (not a timed test), one run:
 * 1. all default binary classification metrics + a `RESAMPLES`-resample bootstrap (default 1000)
 *    on 1,000,000 predictions, next to scikit-learn 1.2.1 computing the same metrics once (no
 *    bootstrap) and a plain bootstrap (numpy resampling + scikit-learn per resample, timed on a
 *    few resamples and scaled to the same count) — bench/evaluate.peer.py, Debian's /usr/bin/python3;
 *    the point estimates of both sides are compared too;
 * 2. inference throughput of the ONNX adapter and the TF.js adapter on the wasm and cpu backends,
 *    on the penguins MLP fixture (rows per second per batch size).
 * Run: `npx tsx bench/evaluate.ts` (writes bench/out/evaluate.json); env BENCH_ROWS,
 * BENCH_RESAMPLES, BENCH_PEER_RESAMPLES scale it down. `runEvaluateBench()` is for the aggregator.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadTf, resetTfForTests, type TfPreference } from '../shared/src/engines/tfjs.js';
import { type LatencyAtBatch, measureLatency } from '../shared/src/evaluate/latency.js';
import { defaultThreads } from '../shared/src/metrics/bootstrap-workers.js';
import {
  bootstrapMetrics,
  ClassificationPlan,
  defaultClassificationMetrics,
  Xoshiro128,
} from '../shared/src/metrics/index.js';
import { loadModel } from '../shared/src/models/load.js';
import { applyPreprocessing, readPreprocessing } from '../shared/src/models/preprocessing.js';
import { fileSaveHandler } from '../shared/src/models/tfjs-files.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const FIXTURE = join(root, 'test/fixtures/models/penguins');

/** Calibrated-ish scores: y ~ Bernoulli(p), so every metric is away from its bounds. */
function syntheticPredictions(n: number, seed: number) {
  const random = new Xoshiro128(seed);
  const yTrue = new Int32Array(n);
  const positive = new Float64Array(n);
  const scores = new Float64Array(n * 2);
  for (let i = 0; i < n; i++) {
    // Rounded to 1e-4 so ties occur, as with real float32 model outputs.
    const p = Math.round(random.nextFloat() * 10000) / 10000;
    positive[i] = p;
    scores[i * 2] = 1 - p;
    scores[i * 2 + 1] = p;
    yTrue[i] = random.nextFloat() < p ? 1 : 0;
  }
  const yPred = new Int32Array(n);
  for (let i = 0; i < n; i++) yPred[i] = positive[i] > 0.5 ? 1 : 0;
  return { yTrue, yPred, scores, positive };
}

async function metricsBench(rows: number, resamples: number, peerResamples: number) {
  const { yTrue, yPred, scores, positive } = syntheticPredictions(rows, 20240501);
  const names = defaultClassificationMetrics(2, true);
  let t = performance.now();
  const plan = new ClassificationPlan({ classes: ['0', '1'], yTrue, yPred, scores }, names);
  const point = bootstrapMetrics(plan, { resamples: 0, seed: 1, confidence: 0.95 });
  const onceSeconds = (performance.now() - t) / 1000;
  // The bootstrap on the default threads (every core), then on the main thread only: the
  // intervals are the same, the time is what threads buy here.
  const threads = defaultThreads(rows, resamples);
  t = performance.now();
  const withBootstrap = bootstrapMetrics(
    new ClassificationPlan({ classes: ['0', '1'], yTrue, yPred, scores }, names),
    { resamples, seed: 1, confidence: 0.95, threads },
  );
  const bootstrapSeconds = (performance.now() - t) / 1000;
  t = performance.now();
  const singleThread = bootstrapMetrics(
    new ClassificationPlan({ classes: ['0', '1'], yTrue, yPred, scores }, names),
    { resamples, seed: 1, confidence: 0.95, threads: 1 },
  );
  const singleThreadSeconds = (performance.now() - t) / 1000;
  if (JSON.stringify(singleThread) !== JSON.stringify(withBootstrap)) {
    throw new Error('bootstrap intervals differ between 1 thread and the default threads');
  }

  const folder = mkdtempSync(join(tmpdir(), 'bench-evaluate-'));
  writeFileSync(join(folder, 'y_true.i32'), Buffer.from(yTrue.buffer));
  writeFileSync(join(folder, 'y_score.f64'), Buffer.from(positive.buffer));
  const peer = spawnSync(
    '/usr/bin/python3',
    [join(root, 'bench/evaluate.peer.py'), folder, String(peerResamples)],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 24,
    },
  );
  if (peer.status !== 0) throw new Error(`peer failed: ${peer.stderr}`);
  const sk = JSON.parse(peer.stdout) as {
    metrics_once_s: number;
    bootstrap_seconds_per_resample: number;
    bootstrap_resamples_timed: number;
    values: Record<string, number>;
  };
  let maxRelativeDifference = 0;
  for (const name of names) {
    const ours = point[name].value!;
    const theirs = sk.values[name];
    maxRelativeDifference = Math.max(
      maxRelativeDifference,
      Math.abs(ours - theirs) / Math.max(Math.abs(theirs), 1e-300),
    );
  }
  const skBootstrapSeconds = sk.metrics_once_s + sk.bootstrap_seconds_per_resample * resamples;
  return {
    rows,
    metrics: names.length,
    resamples,
    ours: {
      metrics_once_s: onceSeconds,
      metrics_with_bootstrap_s: bootstrapSeconds,
      per_resample_ms: (bootstrapSeconds / resamples) * 1000,
      threads,
      /** 1-minute load average at the end: other processes on the machine slow the threads. */
      load_average_1min: loadavg()[0],
      metrics_with_bootstrap_1_thread_s: singleThreadSeconds,
      per_resample_1_thread_ms: (singleThreadSeconds / resamples) * 1000,
    },
    sklearn: {
      metrics_once_s: sk.metrics_once_s,
      plain_bootstrap_s_estimated: skBootstrapSeconds,
      plain_bootstrap_resamples_timed: sk.bootstrap_resamples_timed,
    },
    ratios: {
      /** > 1: we are faster. Our point estimates alone vs scikit-learn's. */
      metrics_once_sklearn_over_ours: sk.metrics_once_s / onceSeconds,
      /** Our metrics + full bootstrap vs scikit-learn's metrics without any bootstrap. */
      ours_with_bootstrap_vs_sklearn_without: sk.metrics_once_s / bootstrapSeconds,
      /** Same bootstrap on both sides. */
      bootstrap_sklearn_over_ours: skBootstrapSeconds / bootstrapSeconds,
      /** The same, ours on one thread. */
      bootstrap_sklearn_over_ours_1_thread: skBootstrapSeconds / singleThreadSeconds,
    },
    max_relative_difference_vs_sklearn: maxRelativeDifference,
    roc_auc: withBootstrap.roc_auc,
  };
}

async function inferenceBench(): Promise<{ adapter: string; batches: LatencyAtBatch[] }[]> {
  const spec = await readPreprocessing(join(FIXTURE, 'preprocessing.json'));
  const csv = readFileSync(join(FIXTURE, 'eval.csv'), 'utf8').trim().split('\n');
  const header = csv[0].split(',');
  const rows = csv.slice(1).map((l) => l.split(','));
  const columns = Object.fromEntries(header.map((h, j) => [h, rows.map((r) => (r[j] === '' ? null : r[j]))]));
  const features = applyPreprocessing(spec, columns, rows.length);
  const sample = { features, rows: rows.length, width: features.length / rows.length };
  const batchSizes = [1, 256, 4096];
  const results: { adapter: string; batches: LatencyAtBatch[] }[] = [];
  const onnx = await loadModel(join(FIXTURE, 'model.onnx'));
  results.push({
    adapter: onnx.engine,
    batches: await measureLatency(onnx, sample, { batchSizes, budgetMs: 1500 }),
  });
  onnx.dispose();
  const weights = JSON.parse(readFileSync(join(FIXTURE, 'weights.json'), 'utf8'));
  const folder = mkdtempSync(join(tmpdir(), 'bench-tfjs-'));
  for (const backend of ['wasm', 'cpu'] as TfPreference[]) {
    resetTfForTests();
    const { tf } = await loadTf(backend);
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [weights.w1.length], units: weights.w1[0].length, activation: 'relu' }),
        tf.layers.dense({ units: weights.b2.length, activation: 'softmax' }),
      ],
    });
    model.setWeights([
      tf.tensor2d(weights.w1),
      tf.tensor1d(weights.b1),
      tf.tensor2d(weights.w2),
      tf.tensor1d(weights.b2),
    ]);
    await model.save(fileSaveHandler(tf, folder));
    model.dispose();
    const adapter = await loadModel(join(folder, 'model.json'), { tfBackend: backend });
    results.push({
      adapter: adapter.engine,
      batches: await measureLatency(adapter, sample, { batchSizes, budgetMs: 1500 }),
    });
    adapter.dispose();
  }
  return results;
}

export async function runEvaluateBench() {
  const rows = Number(process.env.BENCH_ROWS ?? 1_000_000);
  const resamples = Number(process.env.BENCH_RESAMPLES ?? 1000);
  const peerResamples = Number(process.env.BENCH_PEER_RESAMPLES ?? 3);
  const metrics = await metricsBench(rows, resamples, peerResamples);
  const inference = await inferenceBench();
  const result = { bench: 'evaluate', created_at: new Date().toISOString(), metrics, inference };
  mkdirSync(join(root, 'bench/out'), { recursive: true });
  writeFileSync(join(root, 'bench/out/evaluate.json'), `${JSON.stringify(result, null, 2)}\n`);
  return result;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const r = await runEvaluateBench();
  const m = r.metrics;
  console.log(`${m.metrics} metrics on ${m.rows} rows:`);
  console.log(
    `  ours once ${m.ours.metrics_once_s.toFixed(2)} s; with ${m.resamples} resamples ${m.ours.metrics_with_bootstrap_s.toFixed(1)} s on ${m.ours.threads} threads (${m.ours.per_resample_ms.toFixed(1)} ms/resample), ${m.ours.metrics_with_bootstrap_1_thread_s.toFixed(1)} s on 1 thread`,
  );
  console.log(
    `  sklearn once ${m.sklearn.metrics_once_s.toFixed(2)} s; plain bootstrap ~${m.sklearn.plain_bootstrap_s_estimated.toFixed(0)} s (from ${m.sklearn.plain_bootstrap_resamples_timed} timed)`,
  );
  console.log(
    `  ratios (>1 = ours faster): once ${m.ratios.metrics_once_sklearn_over_ours.toFixed(2)}x; bootstrap ${m.ratios.bootstrap_sklearn_over_ours.toFixed(1)}x; ours+bootstrap vs sklearn without ${m.ratios.ours_with_bootstrap_vs_sklearn_without.toFixed(3)}x`,
  );
  console.log(
    `  max relative difference vs sklearn: ${m.max_relative_difference_vs_sklearn.toExponential(2)}`,
  );
  for (const a of r.inference) {
    console.log(
      `  ${a.adapter}: ${a.batches.map((b) => `batch ${b.batch_size}: ${Math.round(b.throughput_rows_per_s)} rows/s (p50 ${b.p50_ms.toFixed(3)} ms)`).join('; ')}`,
    );
  }
}
