/**
 * Permutation-importance benchmark (not a timed test): evaluate's permutation importance
 * (`computeImportance`: write one raw column's slots of the encoded rows in a shuffled row order,
 * re-run the model, re-score) on BENCH_ROWS rows (default 100,000) of the ten-column penguins ONNX
 * model (test/fixtures/models/penguins10, made by test/golden/penguins10_mlp.py: the penguins MLP's
 * size, 10 raw columns, 13 model inputs; BENCH_MODEL names another model folder), BENCH_REPEATS
 * repeats (default 5), beside its floor: the same number of plain inference passes over the same
 * rows (1 + features × repeats of them) and nothing else, with the same session (the same
 * onnxruntime options) and the same rows per call. The ratio is the cost of shuffling, reading the
 * outputs, scoring and bookkeeping on top of the inference a permutation test cannot avoid. The
 * raw rows are drawn from the model's feature contract (numbers uniform over mean ± 2 std,
 * categories uniform) and encoded once; the labels are the model's own classes with 10% changed.
 *
 * Each setting (session options × rows per call) is timed in BENCH_ROUNDS rounds (default 3),
 * the settings interleaved, each round timing the floor and then ours, and the fastest of each
 * kept: on a shared machine one slow round would otherwise decide the ratio. Wall time is the
 * figure; CPU time (this process, every thread) is reported beside it, since it moves less when
 * other processes share the cores. The headline (top-level fields) is what evaluate does:
 * onnxruntime's default threads and IMPORTANCE_BATCH_ROWS rows per call.
 * BENCH_BATCHES (default "4096,16384") and BENCH_THREADS (default "default,1") pick the settings.
 * Run: `npx tsx bench/importance.ts` (writes bench/out/importance.json).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { computeImportance, IMPORTANCE_BATCH_ROWS } from '../shared/src/evaluate/importance.js';
import type { EvaluationInput } from '../shared/src/evaluate/input.js';
import { Xoshiro128 } from '../shared/src/metrics/index.js';
import { loadModel } from '../shared/src/models/load.js';
import { applyPreprocessing, inputWidth, readPreprocessing } from '../shared/src/models/preprocessing.js';
import type { ModelAdapter } from '../shared/src/models/types.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const FIXTURE = join(root, process.env.BENCH_MODEL ?? 'test/fixtures/models/penguins10');
const rows = Number(process.env.BENCH_ROWS ?? 100_000);
const repeats = Number(process.env.BENCH_REPEATS ?? 5);

const spec = await readPreprocessing(join(FIXTURE, 'preprocessing.json'));
const width = inputWidth(spec);
const batches = (process.env.BENCH_BATCHES ?? `${IMPORTANCE_BATCH_ROWS},16384`).split(',').map(Number);
const threadSettings = (process.env.BENCH_THREADS ?? 'default,1').split(',');
const models = new Map<string, ModelAdapter>();
for (const threads of threadSettings) {
  const intraOp = threads === 'default' ? undefined : Number(threads);
  models.set(threads, await loadModel(join(FIXTURE, 'model.onnx'), { onnxIntraOpThreads: intraOp }));
}
const model = models.get(threadSettings[0])!;

// Raw rows drawn from the feature contract itself: each number uniform over mean ± 2 std, each
// category uniform over the categories; then encoded once by the contract.
const random = new Xoshiro128(20261207);
const columns: Record<string, unknown[]> = {};
for (const feature of spec.features) {
  const column: unknown[] = [];
  columns[feature.name] = column;
  for (let i = 0; i < rows; i++) {
    if (feature.kind === 'numeric') column.push(feature.mean + (random.nextFloat() * 4 - 2) * feature.std);
    else if (feature.kind === 'categorical')
      column.push(feature.categories[Math.floor(random.nextFloat() * feature.categories.length)]);
    else throw new Error(`the benchmark draws numeric and categorical features only, not ${feature.kind}`);
  }
}
const features = applyPreprocessing(spec, columns, rows);

/** One plain inference pass over every row, `batch` rows per call: the floor's unit. */
async function inferencePass(on: ModelAdapter, batch: number): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (let start = 0; start < rows; start += batch) {
    const n = Math.min(batch, rows - start);
    out.push((await on.predict(features.subarray(start * width, (start + n) * width), n, width)).values);
  }
  return out;
}

// Labels: the model's own predictions with 10% flipped, so accuracy is away from its bounds.
const k = spec.classes!.length;
const outputs = await inferencePass(model, IMPORTANCE_BATCH_ROWS);
const yTrue = new Int32Array(rows);
const scores = new Float64Array(rows * k);
let r = 0;
for (const batch of outputs) {
  for (let i = 0; i < batch.length / k; i++, r++) {
    let best = 0;
    for (let c = 0; c < k; c++) {
      scores[r * k + c] = batch[i * k + c];
      if (batch[i * k + c] > batch[i * k + best]) best = c;
    }
    yTrue[r] = random.nextFloat() < 0.1 ? (best + 1) % k : best;
  }
}
const input: EvaluationInput = {
  task: 'classification',
  data: { classes: spec.classes!, yTrue, yPred: yTrue, scores },
  rows,
  slices: {},
};

const passes = 1 + spec.features.length * repeats;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

interface Setting {
  threads: string;
  batch: number;
  floor_s: number;
  ours_s: number;
  floor_cpu_s: number;
  ours_cpu_s: number;
  ratio_to_floor: number;
  cpu_ratio_to_floor: number;
}
const settings: Setting[] = threadSettings.flatMap((threads) =>
  batches.map((batch) => ({
    threads,
    batch,
    floor_s: Infinity,
    ours_s: Infinity,
    floor_cpu_s: Infinity,
    ours_cpu_s: Infinity,
    ratio_to_floor: NaN,
    cpu_ratio_to_floor: NaN,
  })),
);

/** Wall and CPU seconds of `work`. */
async function timed(work: () => Promise<unknown>): Promise<{ wall: number; cpu: number }> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  await work();
  const wall = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  return { wall, cpu: (used.user + used.system) / 1e6 };
}

let importance!: Awaited<ReturnType<typeof computeImportance>>;
let reference: string | undefined;
for (let round = 0; round < ROUNDS; round++) {
  for (const setting of settings) {
    const on = models.get(setting.threads)!;
    const floor = await timed(async () => {
      for (let p = 0; p < passes; p++) await inferencePass(on, setting.batch);
    });
    const ours = await timed(async () => {
      importance = await computeImportance(on, spec, features, input, {
        nRepeats: repeats,
        seed: 1,
        batchRows: setting.batch,
      });
    });
    // Every setting must give the very same importances: the settings change speed only.
    const digits = JSON.stringify(importance);
    reference ??= digits;
    if (digits !== reference)
      throw new Error(`importances differ with ${setting.threads} threads, batch ${setting.batch}`);
    setting.floor_s = Math.min(setting.floor_s, floor.wall);
    setting.ours_s = Math.min(setting.ours_s, ours.wall);
    setting.floor_cpu_s = Math.min(setting.floor_cpu_s, floor.cpu);
    setting.ours_cpu_s = Math.min(setting.ours_cpu_s, ours.cpu);
  }
}
for (const setting of settings) {
  setting.ratio_to_floor = setting.ours_s / setting.floor_s;
  setting.cpu_ratio_to_floor = setting.ours_cpu_s / setting.floor_cpu_s;
}
const headline =
  settings.find((s) => s.threads === 'default' && s.batch === IMPORTANCE_BATCH_ROWS) ?? settings[0];

const result = {
  rows,
  features: spec.features.length,
  width,
  repeats,
  passes,
  rounds: ROUNDS,
  engine: model.engine,
  threads: headline.threads,
  batch: headline.batch,
  ours_s: headline.ours_s,
  floor_s: headline.floor_s,
  ratio_to_floor: headline.ratio_to_floor,
  cpu_ratio_to_floor: headline.cpu_ratio_to_floor,
  settings,
  top: importance.features.slice(0, 3),
};
mkdirSync(join(root, 'bench/out'), { recursive: true });
writeFileSync(join(root, 'bench/out/importance.json'), `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
for (const m of models.values()) m.dispose();
