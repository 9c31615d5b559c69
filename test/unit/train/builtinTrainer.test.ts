import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTf } from '../../../shared/src/engines/tfjs.js';
import { UserError } from '../../../shared/src/errors/index.js';
import { memoryLog, silentLog } from '../../../shared/src/logging/index.js';
import { applyPreprocessing, readPreprocessing } from '../../../shared/src/models/preprocessing.js';
import { fileLoadHandler } from '../../../shared/src/models/tfjs-files.js';
import { filledLine, runTrain, type TrainOptions } from '../../../shared/src/train/runTrain.js';
import { readTrainingTable } from '../../../shared/src/train/tabularData.js';

const DATA = join(process.cwd(), 'node_modules/vega-datasets/data');
const work = mkdtempSync(join(tmpdir(), 'train-builtin-'));
let runs = 0;

function options(overrides: Partial<TrainOptions>): TrainOptions {
  return {
    epochs: 15,
    batchSize: 32,
    learningRate: 0.02,
    seed: 7,
    outputDir: join(work, `run-${++runs}`),
    resume: false,
    cache: false,
    gpu: 'off',
    workingDirectory: work,
    ...overrides,
  };
}

const penguins = { data: join(DATA, 'penguins.json'), target: 'Species', task: 'classification' };
const cars = { data: join(DATA, 'cars.json'), target: 'Miles_per_Gallon', task: 'regression' };

describe('built-in trainer on real data', () => {
  it('learns penguin species (held-out accuracy > 0.9) and saves a loadable TF.js model', async () => {
    const result = await runTrain(options({ ...penguins, model: 'mlp' }), { log: silentLog });
    expect(result.backend).toMatch(/^(wasm|cpu|tensorflow|tensorflow-gpu)$/);
    expect(result.final.accuracy).toBeGreaterThan(0.9);
    const metrics = JSON.parse(readFileSync(result.metricsPath, 'utf8'));
    expect(metrics.schema).toBe('mlops-training-metrics/v1');
    expect(metrics.evaluated_on).toBe('validation');
    expect(metrics.rows).toEqual({ train: 275, validation: 69 });
    expect(metrics.epochs[0]).toMatchObject({ epoch: 1 });
    expect(Object.keys(metrics.epochs[0]).sort()).toEqual([
      'accuracy',
      'epoch',
      'loss',
      'val_accuracy',
      'val_loss',
    ]);

    // Load with the models module's file handler (what evaluate and serve use) and score every
    // row through the saved preprocessing.
    const { tf } = await loadTf();
    const model = await tf.loadLayersModel(fileLoadHandler(tf, result.modelPath));
    const spec = await readPreprocessing(join(result.modelPath, '..', 'preprocessing.json'));
    expect(spec.classes).toEqual(['Adelie', 'Chinstrap', 'Gentoo']);
    const rows = JSON.parse(readFileSync(penguins.data, 'utf8')) as Record<string, unknown>[];
    const columns = Object.fromEntries(
      spec.features.map((f) => [f.name, rows.map((r) => r[f.name] ?? null)]),
    );
    const x = applyPreprocessing(spec, columns, rows.length);
    const width = x.length / rows.length;
    const predicted = (
      model.predict(tf.tensor2d(x, [rows.length, width])) as import('@tensorflow/tfjs').Tensor2D
    )
      .argMax(1)
      .arraySync() as number[];
    const correct = predicted.filter((p, i) => spec.classes![p] === rows[i].Species).length;
    expect(correct / rows.length).toBeGreaterThan(0.9);
  });

  it('fits car mileage (held-out R2 > 0.6)', async () => {
    const log = memoryLog();
    const result = await runTrain(options({ ...cars, model: 'mlp', epochs: 30, learningRate: 0.01 }), {
      log,
    });
    expect(result.final.r2).toBeGreaterThan(0.6);
    expect(result.final.rmse).toBeGreaterThan(0);
    // 'Name' is an identifier: left out, and said so.
    expect(log.lines.some((l) => l.level === 'warning' && l.message.includes("'Name'"))).toBe(true);
    // Horsepower is missing in 6 of the 398 rows with a mileage: filled, and said so with the count.
    // The line names the fill: the training mean Horsepower's missing values became.
    const spec = JSON.parse(readFileSync(join(result.modelPath, '..', 'preprocessing.json'), 'utf8'));
    const fill = spec.features.find((f: { name: string }) => f.name === 'Horsepower').fill as number;
    expect(log.lines.map((l) => l.message)).toContainEqual(
      `Filled 6 missing feature values with the training fill (kept for evaluate and serve): Horsepower: 6 filled with ${Number(fill.toPrecision(6))} (training mean).`,
    );
    expect(spec.features.map((f: { name: string }) => f.name)).not.toContain('Name');
  });

  it('gives identical metrics for the same seed and different ones for another seed', async () => {
    const a = await runTrain(options({ ...penguins, model: 'logistic', epochs: 5 }), { log: silentLog });
    const b = await runTrain(options({ ...penguins, model: 'logistic', epochs: 5 }), { log: silentLog });
    const c = await runTrain(options({ ...penguins, model: 'logistic', epochs: 5, seed: 8 }), {
      log: silentLog,
    });
    const epochs = (path: string) => JSON.parse(readFileSync(path, 'utf8')).epochs;
    expect(epochs(b.metricsPath)).toEqual(epochs(a.metricsPath));
    expect(readFileSync(join(b.modelPath, '..', 'weights.bin'))).toEqual(
      readFileSync(join(a.modelPath, '..', 'weights.bin')),
    );
    expect(epochs(c.metricsPath)).not.toEqual(epochs(a.metricsPath));
  });

  it('trains from a Keras-style layers spec file', async () => {
    const spec = join(work, 'layers.json');
    writeFileSync(
      spec,
      JSON.stringify({
        layers: [{ class_name: 'Dense', config: { units: 8, activation: 'tanh', use_bias: true } }],
      }),
    );
    const result = await runTrain(options({ ...penguins, model: spec, epochs: 10 }), { log: silentLog });
    const topology = JSON.parse(readFileSync(result.modelPath, 'utf8')).modelTopology.config.layers;
    expect(topology.map((l: { config: { units: number } }) => l.config.units)).toEqual([8, 3]);
    expect(result.final.accuracy).toBeGreaterThan(0.8);
  });
});

describe('task: auto', () => {
  it('calls text and few whole-number targets classes, quantities regression, and says so', async () => {
    const log = memoryLog();
    expect((await readTrainingTable(penguins.data, 'Species', 'auto', log)).task).toBe('classification');
    expect((await readTrainingTable(cars.data, 'Cylinders', 'auto', log)).task).toBe('classification');
    expect((await readTrainingTable(cars.data, 'Miles_per_Gallon', 'auto', log)).task).toBe('regression');
    expect((await readTrainingTable(cars.data, 'Weight_in_lbs', 'auto', log)).task).toBe('regression');
    expect(log.lines.map((l) => l.message)).toContain(
      "task: auto chose classification ('Cylinders' is numeric with 5 distinct whole-number values). Set task explicitly to override.",
    );
    const result = await runTrain(options({ ...penguins, task: 'auto', model: 'logistic', epochs: 3 }), {
      log: silentLog,
    });
    expect(JSON.parse(readFileSync(result.metricsPath, 'utf8')).task).toBe('classification');
  });
});

describe('built-in trainer: bad input', () => {
  const fails = async (overrides: Partial<TrainOptions>, message: RegExp) => {
    const run = runTrain(options(overrides), { log: silentLog });
    await expect(run).rejects.toBeInstanceOf(UserError);
    await expect(runTrain(options(overrides), { log: silentLog })).rejects.toThrow(message);
  };

  it('names an unknown target column and lists the columns', async () => {
    await fails(
      { ...penguins, target: 'species' },
      /target column 'species' is not in .*'Species', 'Island'/,
    );
  });

  it('refuses a target with one class', async () => {
    const file = join(work, 'one-class.csv');
    writeFileSync(file, 'x,label\n1,a\n2,a\n3,a\n4,a\n');
    await fails({ data: file, target: 'label', task: 'classification' }, /only one class \('a'\)/);
  });

  it('refuses data with no rows once null targets are dropped', async () => {
    const file = join(work, 'null-target.csv');
    writeFileSync(file, 'x,y\n1,\n2,\n');
    await fails(
      { data: file, target: 'y', task: 'regression' },
      /No rows left to train on: .* has 2 rows and the target 'y' is missing \(null or a missing-value token\) in all of them/,
    );
  });

  it('refuses a regression on a text target', async () => {
    await fails({ ...penguins, task: 'regression' }, /needs a numeric target, but 'Species' is VARCHAR/);
  });

  it('reports a layers spec that does not compile, naming the layer', async () => {
    const bad = join(work, 'bad-activation.json');
    writeFileSync(bad, JSON.stringify([{ type: 'dense', units: 4, activation: 'sparkle' }]));
    await fails(
      { ...penguins, model: bad },
      /does not compile: layer 1 \(dense\) of '.*bad-activation\.json'/,
    );
    const conv = join(work, 'conv.json');
    writeFileSync(conv, JSON.stringify([{ class_name: 'Conv2D', config: { filters: 3 } }]));
    await fails(
      { ...penguins, model: conv },
      /layer 1 of '.*conv\.json' has type 'Conv2D', which the tabular trainer does not support/,
    );
    const notJson = join(work, 'broken.json');
    writeFileSync(notJson, '{"layers": [');
    await fails({ ...penguins, model: notJson }, /broken\.json' is not valid JSON/);
  });

  it('names a missing data file and bad numbers', async () => {
    await fails({ ...penguins, data: join(work, 'nope.csv') }, /data file '.*nope\.csv' does not exist/);
    await fails({ ...penguins, epochs: 0 }, /epochs must be a whole number >= 1, got 0/);
    await fails(
      { ...penguins, task: 'ranking' },
      /task must be 'classification', 'regression' or 'auto', got 'ranking'/,
    );
  });
});

describe('the filled-values line', () => {
  it('lists the most-filled columns first and stays within 200 characters, counting the rest', () => {
    const many = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`feature_number_${i}`, i + 1]));
    const line = filledLine(many);
    expect(line.length).toBeLessThanOrEqual(200);
    expect(line).toMatch(
      /^Filled 465 missing feature values .*: feature_number_29: 30; feature_number_28: 29; /,
    );
    expect(line).toMatch(/; \+\d+ more columns\.$/);
    expect(filledLine({ a: 0, b: 2 })).toBe(
      'Filled 2 missing feature values with the training fill (kept for evaluate and serve): b: 2.',
    );
  });
});
