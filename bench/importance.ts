/**
 * Permutation-importance benchmark (not a timed test), one run: evaluate's permutation importance
 * (`computeImportance`: shuffle one column's block of the encoded rows, re-run the model, re-score)
 * on BENCH_ROWS rows (default 100,000) of the penguins ONNX model's inputs, BENCH_REPEATS repeats
 * (default 5), beside its floor measured in the same run (the fastest of BENCH_ROUNDS rounds, default 3, of each): the same number of plain inference
 * passes over the same rows (1 + features × repeats of them), nothing else. The ratio is the cost
 * of shuffling, scoring and bookkeeping on top of the inference a permutation test cannot avoid.
 * Run: `npx tsx bench/importance.ts` (writes bench/out/importance.json).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { computeImportance } from '../shared/src/evaluate/importance.js';
import { INFERENCE_BATCH_ROWS } from '../shared/src/evaluate/inference.js';
import type { EvaluationInput } from '../shared/src/evaluate/input.js';
import { Xoshiro128 } from '../shared/src/metrics/index.js';
import { loadModel } from '../shared/src/models/load.js';
import { applyPreprocessing, inputWidth, readPreprocessing } from '../shared/src/models/preprocessing.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const FIXTURE = join(root, 'test/fixtures/models/penguins');
const rows = Number(process.env.BENCH_ROWS ?? 100_000);
const repeats = Number(process.env.BENCH_REPEATS ?? 5);

const spec = await readPreprocessing(join(FIXTURE, 'preprocessing.json'));
const model = await loadModel(join(FIXTURE, 'model.onnx'));
const width = inputWidth(spec);

// Raw rows drawn around the penguins' own ranges, then encoded once by the feature contract.
const random = new Xoshiro128(20261207);
const islands = ['Biscoe', 'Dream', 'Torgersen'];
const columns: Record<string, unknown[]> = {
  'Beak Length (mm)': [],
  'Beak Depth (mm)': [],
  'Flipper Length (mm)': [],
  'Body Mass (g)': [],
  Island: [],
};
for (let i = 0; i < rows; i++) {
  columns['Beak Length (mm)'].push(32 + random.nextFloat() * 28);
  columns['Beak Depth (mm)'].push(13 + random.nextFloat() * 8);
  columns['Flipper Length (mm)'].push(172 + random.nextFloat() * 59);
  columns['Body Mass (g)'].push(2700 + random.nextFloat() * 3600);
  columns.Island.push(islands[Math.floor(random.nextFloat() * 3)]);
}
const features = applyPreprocessing(spec, columns, rows);

async function inferencePass(): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (let start = 0; start < rows; start += INFERENCE_BATCH_ROWS) {
    const n = Math.min(INFERENCE_BATCH_ROWS, rows - start);
    out.push((await model.predict(features.subarray(start * width, (start + n) * width), n, width)).values);
  }
  return out;
}

// Labels: the model's own predictions with 10% flipped, so accuracy is away from its bounds.
const k = spec.classes!.length;
const outputs = await inferencePass();
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
// Three rounds, each timing the floor and then ours, and the fastest of each kept: on a shared
// machine one slow round (another process, a GC) would otherwise decide the ratio.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
let floorSeconds = Number.POSITIVE_INFINITY;
let oursSeconds = Number.POSITIVE_INFINITY;
let importance!: Awaited<ReturnType<typeof computeImportance>>;
for (let round = 0; round < ROUNDS; round++) {
  let t = performance.now();
  for (let p = 0; p < passes; p++) await inferencePass();
  floorSeconds = Math.min(floorSeconds, (performance.now() - t) / 1000);
  t = performance.now();
  importance = await computeImportance(model, spec, features, input, { nRepeats: repeats, seed: 1 });
  oursSeconds = Math.min(oursSeconds, (performance.now() - t) / 1000);
}

const result = {
  rows,
  features: spec.features.length,
  width,
  repeats,
  passes,
  rounds: ROUNDS,
  engine: model.engine,
  ours_s: oursSeconds,
  floor_s: floorSeconds,
  ratio_to_floor: oursSeconds / floorSeconds,
  top: importance.features.slice(0, 3),
};
mkdirSync(join(root, 'bench/out'), { recursive: true });
writeFileSync(join(root, 'bench/out/importance.json'), `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
model.dispose();
