/**
 * evaluate reads rows exactly as train does: a model trained with validation-split 0 and then
 * evaluated on its own training file gives the training-time metric (to 1e-6), for a regression
 * model (cars, whose Year is a date and whose target has nulls) and a classification model
 * (seattle-weather, with its date column). On the old main, dates were encoded three different
 * ways, so these metrics disagreed (R2 0.87 at training vs 0.2-0.4 at evaluate), and the null
 * targets made evaluate fail. Evaluating the training file also warns loudly.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import preprocessingSchema from '../../../docs/schemas/preprocessing.schema.json' with { type: 'json' };
import { runEvaluate } from '../../../shared/src/evaluate/run.js';
import { memoryLog, silentLog } from '../../../shared/src/logging/index.js';
import { readPreprocessing } from '../../../shared/src/models/preprocessing.js';
import { runTrain } from '../../../shared/src/train/runTrain.js';

const DATA = join(process.cwd(), 'node_modules/vega-datasets/data');
const work = mkdtempSync(join(tmpdir(), 'evaluate-training-rows-'));

async function trainThenEvaluate(data: string, target: string, task: string, metrics: string[], dir: string) {
  const trainLog = memoryLog();
  const trained = await runTrain(
    {
      data,
      target,
      task,
      model: 'mlp',
      epochs: 8,
      batchSize: 32,
      learningRate: 0.01,
      seed: 3,
      validationSplit: 0,
      outputDir: join(work, dir),
      resume: false,
      cache: false,
      gpu: 'off',
      workingDirectory: work,
    },
    { log: trainLog },
  );
  const training = JSON.parse(readFileSync(trained.metricsPath, 'utf8'));
  expect(training.evaluated_on).toBe('train');
  const log = memoryLog();
  const evaluated = await runEvaluate(
    {
      model: trained.modelPath,
      data,
      bootstrap: 0,
      confidence: 0.95,
      seed: 1,
      latency: false,
      metrics,
      output: join(dir, 'metrics.json'),
      workingDirectory: work,
    },
    log,
  );
  return { trained, training, evaluated, log, trainLog };
}

describe('evaluate on the training rows gives the training metric', () => {
  it("a class label that is a missing-value token ('NA') is a missing target in train and evaluate alike", async () => {
    // seattle-weather with every 9th label written 'NA' (a default token): before, train learned a
    // class 'NA' while data-validate read it as missing.
    const lines = readFileSync(join(DATA, 'seattle-weather.csv'), 'utf8').trim().split('\n');
    const edited = lines.map((line, i) => (i > 0 && i % 9 === 0 ? line.replace(/,[a-z]+$/, ',NA') : line));
    const file = join(work, 'weather-na.csv');
    writeFileSync(file, `${edited.join('\n')}\n`);
    const dropped = Math.floor((lines.length - 1) / 9);
    const { trained, training, evaluated, trainLog } = await trainThenEvaluate(
      file,
      'weather',
      'classification',
      ['accuracy'],
      'weather-na',
    );
    const spec = await readPreprocessing(join(trained.modelPath, '..', 'preprocessing.json'));
    expect(spec.classes).not.toContain('NA');
    expect(
      trainLog.lines.some((l) => l.message.startsWith(`Dropped ${dropped} rows whose target is missing`)),
    ).toBe(true);
    expect(evaluated.metrics.features?.dropped_target_rows).toBe(dropped);
    expect(evaluated.metrics.dataset.rows).toBe(training.rows.train);
    expect(Math.abs(evaluated.metrics.metrics.accuracy!.value! - training.final.accuracy)).toBeLessThan(1e-6);
  }, 120_000);

  it('regression on cars (date Year, null targets left out and counted the same way)', async () => {
    const { trained, training, evaluated, log, trainLog } = await trainThenEvaluate(
      join(DATA, 'cars.json'),
      'Miles_per_Gallon',
      'regression',
      ['r2', 'rmse', 'mae'],
      'cars',
    );
    const spec = await readPreprocessing(join(trained.modelPath, '..', 'preprocessing.json'));
    expect(spec.features.find((f) => f.name === 'Year')?.kind).toBe('date');
    const validate = new Ajv2020({ strict: false }).compile(preprocessingSchema);
    const written = JSON.parse(readFileSync(join(trained.modelPath, '..', 'preprocessing.json'), 'utf8'));
    expect(validate(written), JSON.stringify(validate.errors)).toBe(true);
    expect(written.training_data.file).toBe('cars.json');
    expect(trained.summaryMarkdown).toMatch(/\| Year \| date \|/);
    expect(trainLog.lines.some((l) => /Features: .*Year \(date\)/.test(l.message))).toBe(true);
    for (const name of ['r2', 'rmse', 'mae']) {
      expect(Math.abs(evaluated.metrics.metrics[name]!.value! - training.final[name]), name).toBeLessThan(
        1e-6,
      );
    }
    expect(evaluated.metrics.dataset.rows).toBe(training.rows.train);
    expect(evaluated.metrics.features).toMatchObject({
      on_invalid: 'error',
      dropped_target_rows: 8,
      training_data: true,
      invalid: {},
    });
    expect(evaluated.metrics.features!.missing['Horsepower']).toBe(6);
    const warnings = log.lines.filter((l) => l.level === 'warning').map((l) => l.message);
    expect(warnings.some((w) => /is the very file the model was trained on/.test(w))).toBe(true);
    expect(
      warnings.some((w) => /Left out 8 of 406 rows .* target 'Miles_per_Gallon' is missing/.test(w)),
    ).toBe(true);
    expect(evaluated.summaryMarkdown).toMatch(
      /> WARNING\\: The evaluation data .* is the very file the model was trained on/,
    );
  });

  it('classification on seattle-weather (date column, weather classes)', async () => {
    const { training, evaluated } = await trainThenEvaluate(
      join(DATA, 'seattle-weather.csv'),
      'weather',
      'classification',
      ['accuracy'],
      'seattle',
    );
    expect(Math.abs(evaluated.metrics.metrics['accuracy']!.value! - training.final.accuracy)).toBeLessThan(
      1e-6,
    );
    expect(evaluated.metrics.features!.training_data).toBe(true);
  });

  it('a target of the wrong type for the task gets its own error naming the task and the column type', async () => {
    const trained = await runTrain(
      {
        data: join(DATA, 'cars.json'),
        target: 'Miles_per_Gallon',
        task: 'regression',
        model: 'linear',
        epochs: 1,
        batchSize: 64,
        learningRate: 0.01,
        seed: 1,
        outputDir: join(work, 'cars-linear'),
        resume: false,
        cache: false,
        gpu: 'off',
        workingDirectory: work,
      },
      { log: silentLog },
    );
    await expect(
      runEvaluate(
        {
          model: trained.modelPath,
          data: join(DATA, 'cars.json'),
          target: 'Origin',
          bootstrap: 0,
          confidence: 0.95,
          seed: 1,
          latency: false,
          output: 'wrong/metrics.json',
          workingDirectory: work,
        },
        silentLog,
      ),
    ).rejects.toThrow(/is a regression model, but the target 'Origin' in .* is VARCHAR, not a number/);
  });
});
