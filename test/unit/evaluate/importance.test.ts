import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCompareBaseline } from '../../../shared/src/compare/run.js';
import { UserError } from '../../../shared/src/errors/index.js';
import { computeImportance, IMPORTANCE_BATCH_ROWS } from '../../../shared/src/evaluate/importance.js';
import { type EvaluateOptions, runEvaluate } from '../../../shared/src/evaluate/index.js';
import { modelOutcome } from '../../../shared/src/evaluate/inference.js';
import type { EvaluationInput } from '../../../shared/src/evaluate/input.js';
import { memoryLog, silentLog } from '../../../shared/src/logging/index.js';
import { bootstrapMetrics, metricDirection, planFor, Xoshiro128 } from '../../../shared/src/metrics/index.js';
import { loadModel } from '../../../shared/src/models/load.js';
import {
  applyPreprocessing,
  featureBlocks,
  inputWidth,
  type Preprocessing,
  readPreprocessing,
} from '../../../shared/src/models/preprocessing.js';
import type { ModelAdapter } from '../../../shared/src/models/types.js';
import { escapeMarkdown } from '../../../shared/src/report/markdown.js';
import { PENGUINS_FIXTURE, saveTfjsPenguinsModel } from '../models/penguins-fixture.js';

const schema = JSON.parse(readFileSync('docs/schemas/metrics.schema.json', 'utf8'));
const validate = new Ajv2020.default({ allErrors: true, strict: false }).compile(schema);
const work = mkdtempSync(join(tmpdir(), 'mlops-importance-'));
let model: string;

beforeAll(async () => {
  model = await saveTfjsPenguinsModel(join(work, 'tfjs-model'));
  copyFileSync(join(PENGUINS_FIXTURE, 'preprocessing.json'), join(work, 'tfjs-model', 'preprocessing.json'));
});

function options(overrides: Partial<EvaluateOptions>): EvaluateOptions {
  return {
    model,
    data: resolve(PENGUINS_FIXTURE, 'eval.csv'),
    confidence: 0.95,
    bootstrap: 0,
    seed: 3,
    latency: false,
    output: 'out/metrics.json',
    workingDirectory: work,
    ...overrides,
  };
}

describe('evaluate with permutation importance', () => {
  it('ranks every model input column through the model, reproducibly, in metrics.json, the summary and the report', async () => {
    const spec = JSON.parse(readFileSync(join(work, 'tfjs-model', 'preprocessing.json'), 'utf8')) as {
      features: { name: string }[];
    };
    const run = () => runEvaluate(options({ importance: { nRepeats: 3, seed: 3 } }), silentLog);
    const first = await run();
    const importance = first.metrics.importance!;
    expect(validate(first.metrics), JSON.stringify(validate.errors)).toBe(true);
    expect(importance.features.map((f) => f.feature).sort()).toEqual(spec.features.map((f) => f.name).sort());
    expect(importance.scoring).toBe('accuracy');
    expect(importance.baseline).toBeCloseTo(first.metrics.metrics.accuracy.value!, 12);
    expect(importance.scorings).toBe(1 + spec.features.length * 3);
    const means = importance.features.map((f) => f.mean);
    expect([...means].sort((a, b) => b - a)).toEqual(means);
    // The penguins MLP leans on its measurements: shuffling the most important costs real accuracy.
    expect(means[0]).toBeGreaterThan(0.05);
    expect((await run()).metrics.importance).toEqual(importance);
    expect(first.summaryMarkdown).toContain('Feature importance (drop in accuracy');
    expect(readFileSync(first.reportPath, 'utf8')).toContain('<h2>Feature importance</h2>');
    // The PR comment shows the current model's top features, in a table of their own.
    const compared = await runCompareBaseline(
      {
        current: first.metricsPath,
        baseline: first.metricsPath,
        failOnRegression: true,
        reportPath: join(work, 'compare.json'),
        workingDirectory: work,
        modelKey: 'penguins',
        significance: 0.05,
      },
      { log: memoryLog() },
    );
    const section = compared.commentMarkdown.split('permutation importance of the current model')[1];
    expect(section).toContain(`| ${escapeMarkdown(importance.features[0].feature)} |`);
    // And the confusion matrix, as a table.
    const matrix = first.metrics.confusion_matrix!;
    const confusion = compared.commentMarkdown.split('columns: predicted class.')[1];
    expect(confusion).toContain(`| ${escapeMarkdown(matrix.labels[0])} | ${matrix.matrix[0].join(' | ')} |`);
  });

  it('negates a loss, so a drop in quality is still a positive importance', async () => {
    const result = await runEvaluate(
      options({ output: 'loss/metrics.json', importance: { nRepeats: 2, seed: 3, scoring: 'log_loss' } }),
      silentLog,
    );
    expect(result.metrics.importance!.scoring).toBe('neg_log_loss');
    expect(result.metrics.importance!.features[0].mean).toBeGreaterThan(0);
  });

  it('refuses importance without a model, zero repeats and an unknown scoring, each with one clear message', async () => {
    const cases: [Partial<EvaluateOptions>, RegExp][] = [
      [
        { model: undefined, predictions: 'p.csv', importance: { nRepeats: 2, seed: 1 } },
        /importance needs `model`/,
      ],
      [{ importance: { nRepeats: 0, seed: 1 } }, /importance-repeats must be a whole number.*at least 1/],
      [
        { importance: { nRepeats: 2, seed: 1, scoring: 'r2' } },
        /importance-scoring 'r2' is not a classification metric/,
      ],
    ];
    for (const [overrides, message] of cases) {
      const error = await runEvaluate(options({ output: 'bad/metrics.json', ...overrides }), silentLog).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(UserError);
      expect((error as Error).message).toMatch(message);
    }
  });
});

/**
 * Permutation importance written the plain way: for each repeat a Fisher–Yates order from
 * `nextFloat` (one stream, the same orders for every feature, as scikit-learn draws them), and for
 * each feature and repeat a fresh copy of the encoded rows
 * with the feature's block rows in that order, every output as float64, `modelOutcome` and the
 * metric plan. The fast path must give the very same numbers.
 */
async function plainImportance(
  model: ModelAdapter,
  spec: Preprocessing,
  features: Float32Array,
  input: EvaluationInput,
  nRepeats: number,
  seed: number,
  scoring: string,
) {
  const width = inputWidth(spec);
  const rows = input.rows;
  const sign = metricDirection(scoring) === 'lower' ? -1 : 1;
  const score = async (matrix: Float32Array) => {
    const values: number[] = [];
    let outputWidth = 0;
    for (let start = 0; start < rows; start += IMPORTANCE_BATCH_ROWS) {
      const n = Math.min(IMPORTANCE_BATCH_ROWS, rows - start);
      const result = await model.predict(matrix.slice(start * width, (start + n) * width), n, width);
      outputWidth = result.width;
      values.push(...result.values);
    }
    const outcome = modelOutcome(Float64Array.from(values), outputWidth, rows, spec, model.path, {
      labels: [],
      yTrue: input.task === 'classification' ? input.data.yTrue : undefined,
      targets: new Float64Array(0),
      target: 'the target',
    });
    return (
      sign *
      bootstrapMetrics(planFor(outcome, [scoring]), { resamples: 0, seed: 0, confidence: 0.95 })[scoring]
        .value!
    );
  };
  const baseline = await score(features);
  // scikit-learn's scheme: one seeded order per repeat, the same for every feature.
  const random = new Xoshiro128(seed, 1);
  const orders = Array.from({ length: nRepeats }, () => {
    const order = Int32Array.from({ length: rows }, (_, i) => i);
    for (let i = rows - 1; i > 0; i--) {
      const j = Math.floor(random.nextFloat() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    return order;
  });
  const result = featureBlocks(spec).map((block) => ({ block, repeats: [] as number[] }));
  for (const { block, repeats } of result) {
    for (const order of orders) {
      const shuffled = features.slice();
      for (let i = 0; i < rows; i++) {
        for (let s = 0; s < block.width; s++) {
          shuffled[i * width + block.start + s] = features[order[i] * width + block.start + s];
        }
      }
      repeats.push(baseline - (await score(shuffled)));
    }
  }
  return {
    baseline,
    features: result
      .map(({ block, repeats }) => {
        const mean = repeats.reduce((a, b) => a + b, 0) / repeats.length;
        const variance = repeats.reduce((a, b) => a + (b - mean) ** 2, 0) / repeats.length;
        return { feature: block.feature, mean, std: Math.sqrt(variance) };
      })
      .sort((a, b) => b.mean - a.mean),
  };
}

describe('permutation importance on the ONNX penguins model', () => {
  it('gives exactly the numbers of the plain computation, over several batches, for label and score metrics, with any onnxruntime thread count', async () => {
    const spec = await readPreprocessing(join(PENGUINS_FIXTURE, 'preprocessing.json'));
    const rows = IMPORTANCE_BATCH_ROWS + 904;
    const random = new Xoshiro128(8);
    const islands = ['Biscoe', 'Dream', 'Torgersen'];
    const columns: Record<string, unknown[]> = Object.fromEntries(spec.features.map((f) => [f.name, []]));
    for (let i = 0; i < rows; i++) {
      columns['Beak Length (mm)'].push(32 + random.nextFloat() * 28);
      columns['Beak Depth (mm)'].push(13 + random.nextFloat() * 8);
      columns['Flipper Length (mm)'].push(172 + random.nextFloat() * 59);
      columns['Body Mass (g)'].push(2700 + random.nextFloat() * 3600);
      columns.Island.push(islands[Math.floor(random.nextFloat() * 3)]);
    }
    const features = applyPreprocessing(spec, columns, rows);
    const yTrue = Int32Array.from({ length: rows }, () => Math.floor(random.nextFloat() * 3));
    const input: EvaluationInput = {
      task: 'classification',
      data: { classes: spec.classes!, yTrue, yPred: yTrue, scores: null },
      rows,
      slices: {},
    };
    const models = [
      await loadModel(join(PENGUINS_FIXTURE, 'model.onnx')),
      await loadModel(join(PENGUINS_FIXTURE, 'model.onnx'), { onnxIntraOpThreads: 1 }),
    ];
    try {
      for (const scoring of ['accuracy', 'f1_macro', 'log_loss', 'roc_auc_ovr']) {
        const plain = await plainImportance(models[0], spec, features, input, 2, 4, scoring);
        for (const model of models) {
          const fast = await computeImportance(model, spec, features, input, {
            nRepeats: 2,
            seed: 4,
            scoring,
          });
          expect(fast.baseline, scoring).toBe(plain.baseline);
          expect(fast.features, scoring).toEqual(plain.features);
        }
        expect(plain.features[0].mean, scoring).not.toBe(0);
      }
    } finally {
      for (const model of models) model.dispose();
    }
  });
});
