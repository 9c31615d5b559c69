import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../../shared/src/errors/index.js';
import { type EvaluateOptions, readEvaluationRows, runEvaluate } from '../../../shared/src/evaluate/index.js';
import { memoryLog, silentLog } from '../../../shared/src/logging/index.js';
import { pairedBootstrapDelta } from '../../../shared/src/metrics/index.js';
import { PENGUINS_FIXTURE, saveTfjsPenguinsModel } from '../models/penguins-fixture.js';

const golden = JSON.parse(readFileSync('test/fixtures/golden/metrics-penguins.json', 'utf8')) as {
  rows: number;
  overall: Record<string, number | null>;
  confusion_matrix: number[][];
  slices: Record<string, { n: number; metrics: Record<string, number | null> }>;
};
const schema = JSON.parse(readFileSync('docs/schemas/metrics.schema.json', 'utf8'));
const ajv = new Ajv2020.default({ allErrors: true, strict: false });
const validate = ajv.compile(schema);

const work = mkdtempSync(join(tmpdir(), 'mlops-evaluate-'));
const data = resolve(PENGUINS_FIXTURE, 'eval.csv');
let tfjsModel: string;

beforeAll(async () => {
  tfjsModel = await saveTfjsPenguinsModel(join(work, 'tfjs-model'));
  copyFileSync(join(PENGUINS_FIXTURE, 'preprocessing.json'), join(work, 'tfjs-model', 'preprocessing.json'));
});

function options(overrides: Partial<EvaluateOptions>): EvaluateOptions {
  return {
    confidence: 0.95,
    bootstrap: 200,
    seed: 42,
    latency: false,
    output: 'out/metrics.json',
    workingDirectory: work,
    ...overrides,
  };
}

function expectSchemaValid(metrics: unknown) {
  const ok = validate(metrics);
  expect(validate.errors ?? [], JSON.stringify(validate.errors)).toEqual([]);
  expect(ok).toBe(true);
}

/** Label metrics exactly; score metrics to float32 precision (the model runs in float32, sklearn saw float64). */
function expectMatchesSklearn(
  actual: Record<string, { value: number | null }>,
  expected: Record<string, number | null>,
) {
  for (const [name, value] of Object.entries(expected)) {
    if (value === null) expect(actual[name].value, name).toBeNull();
    else
      expect(Math.abs(actual[name].value! - value), name).toBeLessThanOrEqual(
        name === 'log_loss' ? 1e-5 : 1e-12,
      );
  }
}

describe('runEvaluate', () => {
  it('evaluates the ONNX model on data: sklearn-equal metrics, slices, latency, schema-valid metrics.json', async () => {
    const log = memoryLog();
    const result = await runEvaluate(
      options({
        model: resolve(PENGUINS_FIXTURE, 'model.onnx'),
        data,
        slices: ['Island'],
        latency: true,
        git: { sha: 'abc123', ref: 'refs/heads/main' },
      }),
      log,
    );
    const m = result.metrics;
    expectSchemaValid(m);
    expect(JSON.parse(readFileSync(result.metricsPath, 'utf8'))).toEqual(m);
    expect(m.task).toBe('classification');
    expect(m.dataset.rows).toBe(golden.rows);
    expect(m.classes).toEqual(['Adelie', 'Chinstrap', 'Gentoo']);
    expectMatchesSklearn(m.metrics, golden.overall);
    expect(m.confusion_matrix!.matrix).toEqual(golden.confusion_matrix);
    for (const [value, s] of Object.entries(golden.slices)) {
      const slice = m.slices.find((x) => x.column === 'Island' && x.value === value)!;
      expect(slice.n).toBe(s.n);
      expect(slice.small).toBe(s.n < 30);
      expectMatchesSklearn(slice.metrics, s.metrics);
    }
    const accuracy = m.metrics.accuracy;
    expect(accuracy.ci![0]).toBeLessThanOrEqual(accuracy.value!);
    expect(accuracy.ci![1]).toBeGreaterThanOrEqual(accuracy.value!);
    expect(m.latency!.batches.map((b) => b.batch_size)).toEqual([1, 32, 256, 1024]);
    for (const b of m.latency!.batches) expect(b.p50_ms).toBeLessThanOrEqual(b.p99_ms);
    expect(m.model).toMatchObject({
      name: 'penguins',
      format: 'onnx',
      size_bytes: readFileSync(join(PENGUINS_FIXTURE, 'model.onnx')).length,
    });
    expect(m.git).toEqual({ sha: 'abc123', ref: 'refs/heads/main' });
    expect(result.summaryMarkdown).toContain('| accuracy | 0.9904 |');
    expect(JSON.parse(result.outputs.metrics).accuracy).toBe(accuracy.value);

    // The per-row file reads back as the same rows, for compare-baseline's paired test.
    const rows = await readEvaluationRows(result.predictionsPath);
    expect(rows.rows).toBe(golden.rows);
    const self = pairedBootstrapDelta(rows, rows, 'log_loss', { resamples: 50, seed: 1, confidence: 0.95 });
    expect(self.current).toBeCloseTo(m.metrics.log_loss.value!, 12);
    expect(self.delta).toBe(0);
  });

  it('the TF.js layers model with the same weights gives the same metrics, and so does its predictions file', async () => {
    const tf = await runEvaluate(
      options({
        model: tfjsModel,
        data,
        bootstrap: 0,
        output: 'tf/metrics.json',
        predictionsOutput: 'tf/predictions.csv',
      }),
      silentLog,
    );
    expect(tf.metrics.model!.format).toBe('tfjs-layers');
    expectMatchesSklearn(tf.metrics.metrics, golden.overall);
    expect(tf.metrics.metrics.accuracy.ci).toBeNull();
    const fromFile = await runEvaluate(
      options({ predictions: tf.predictionsPath, data, slices: ['Island'], output: 'pf/metrics.json' }),
      silentLog,
    );
    expectSchemaValid(fromFile.metrics);
    expect(fromFile.metrics.model).toBeNull();
    for (const [name, estimate] of Object.entries(tf.metrics.metrics)) {
      expect(Math.abs(fromFile.metrics.metrics[name].value! - estimate.value!), name).toBeLessThan(1e-9);
    }
    expect(fromFile.metrics.slices.map((s) => s.value).sort()).toEqual(Object.keys(golden.slices));
  });

  it('a class of the model that the rows never have is named, with why roc_auc is n/a', async () => {
    // birdstrikes' "B" damage class: one row, so a stratified split leaves the test file without it.
    const file = join(work, 'absent-class.csv');
    writeFileSync(
      file,
      'y_true,y_score_a,y_score_b,y_score_c\na,0.7,0.2,0.1\nb,0.2,0.7,0.1\na,0.5,0.4,0.1\nb,0.3,0.6,0.1\n',
    );
    const log = memoryLog();
    const result = await runEvaluate(
      options({ predictions: file, bootstrap: 0, output: 'absent/metrics.json' }),
      log,
    );
    expect(result.metrics.metrics.roc_auc_ovr.value).toBeNull();
    const note = result.metrics.notes.find((n) => n.includes('in the evaluation data ('));
    expect(note).toMatch(
      /1 of the model's 3 classes never occurs in the evaluation data \("c"\): roc_auc_ovr, roc_auc_ovo undefined \(n\/a\), and average_precision counting each such class as 0/,
    );
    expect(log.lines.some((l) => l.level === 'warning' && l.message === note)).toBe(true);
    expect(result.summaryMarkdown).toMatch(/never occurs in the evaluation data/);
  });

  it('evaluates a regression predictions file', async () => {
    const file = join(work, 'regression.csv');
    writeFileSync(file, 'y_true,y_pred,region\n1,1.5,a\n2,1.5,a\n3,3.5,b\n4,4,b\n10,9,b\n');
    const result = await runEvaluate(
      options({ predictions: file, slices: ['region'], output: 'reg/metrics.json' }),
      silentLog,
    );
    expectSchemaValid(result.metrics);
    expect(result.metrics.task).toBe('regression');
    expect(result.metrics.metrics.mae.value).toBeCloseTo((0.5 + 0.5 + 0.5 + 0 + 1) / 5, 14);
    expect(result.metrics.metrics.median_absolute_error.value).toBe(0.5);
    expect(result.metrics.slices.find((s) => s.value === 'a')).toMatchObject({ n: 2, small: true });
  });
});

describe('runEvaluate rejects bad input with one clear UserError', () => {
  const csv = (name: string, text: string) => {
    const path = join(work, name);
    writeFileSync(path, text);
    return path;
  };
  const cases: [string, () => Partial<EvaluateOptions>, RegExp][] = [
    [
      'label not among the classes',
      () => ({ predictions: csv('a.csv', 'y_true,y_score_a,y_score_b\na,0.3,0.7\nc,0.5,0.5\n') }),
      /not among the model's classes.*"c"/,
    ],
    [
      'scores that do not sum to 1',
      () => ({ predictions: csv('b.csv', 'y_true,y_score_a,y_score_b\na,0.3,0.9\nb,0.5,0.5\n') }),
      /row 1 sum to 1\.2/,
    ],
    [
      'logits instead of probabilities',
      () => ({ predictions: csv('c.csv', 'y_true,y_score\n0,2.5\n1,0.5\n') }),
      /must be a probability/,
    ],
    [
      'NaN predictions',
      () => ({
        predictions: csv('d.csv', 'y_true,y_pred\n1.5,2\n2.5,nan\n3.7,1\n'),
        task: 'regression' as const,
      }),
      /y_pred .* is NaN at row 2/,
    ],
    [
      'mismatched row counts',
      () => ({
        predictions: csv('e.csv', 'y_true,y_pred\na,a\nb,a\n'),
        data: csv('e-data.csv', 'x\n1\n2\n3\n'),
      }),
      /2 rows but the data .* has 3/,
    ],
    [
      'model input shape not matching the data',
      () => {
        const spec = JSON.parse(readFileSync(join(PENGUINS_FIXTURE, 'preprocessing.json'), 'utf8'));
        spec.features = spec.features.slice(1);
        const folder = mkdtempSync(join(work, 'narrow-'));
        copyFileSync(join(PENGUINS_FIXTURE, 'model.onnx'), join(folder, 'model.onnx'));
        writeFileSync(join(folder, 'preprocessing.json'), JSON.stringify(spec));
        return { model: join(folder, 'model.onnx'), data };
      },
      /takes 7 features per row, but its preprocessing makes 6/,
    ],
    [
      'an unreadable model file',
      () => ({ model: csv('broken.onnx', 'garbage'), data }),
      /not a model onnxruntime can load/,
    ],
    [
      'a target label the model does not know',
      () => ({
        model: resolve(PENGUINS_FIXTURE, 'model.onnx'),
        data: csv('unknown.csv', readFileSync(data, 'utf8').replace(/^Adelie,/m, 'Emperor,')),
      }),
      /"Emperor"/,
    ],
    ['both model and predictions', () => ({ model: 'x.onnx', predictions: 'p.csv' }), /exactly one of/],
    [
      'a metric that needs scores from labels only',
      () => ({ predictions: csv('f.csv', 'y_true,y_pred\na,a\nb,a\n'), metrics: ['roc_auc'] }),
      /needs class scores/,
    ],
  ];
  for (const [name, make, message] of cases) {
    it(name, async () => {
      const attempt = runEvaluate(
        options({ ...make(), output: `bad/${name.replace(/\W+/g, '-')}.json` }),
        silentLog,
      );
      await expect(attempt).rejects.toBeInstanceOf(UserError);
      await expect(runEvaluate(options({ ...make(), output: 'bad/again.json' }), silentLog)).rejects.toThrow(
        message,
      );
    });
  }
});
