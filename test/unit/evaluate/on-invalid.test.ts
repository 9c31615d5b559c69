/**
 * The on-invalid policy on the train and evaluate paths (the serving path is in
 * test/unit/serve/feature-contract-serving.test.ts): `error` stops with one message naming the
 * column, the row and the value and writes nothing; `warn` fills, counts and prints the counts;
 * `impute` fills and counts. Counts reach metrics.json and the step summary. mlops.yml's
 * `features:` sets the types and the missing-value tokens; an all-null feature gets a clear
 * message. On the old main, unseen categories were silently all zeros and unparseable numbers
 * silently mean-filled.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runEvaluate } from '../../../shared/src/evaluate/run.js';
import { memoryLog, silentLog } from '../../../shared/src/logging/index.js';
import { readPreprocessing } from '../../../shared/src/models/preprocessing.js';
import { runTrain, type TrainOptions } from '../../../shared/src/train/runTrain.js';

const work = mkdtempSync(join(tmpdir(), 'mlops-on-invalid-'));
let runs = 0;

function trainOptions(overrides: Partial<TrainOptions>): TrainOptions {
  return {
    model: 'linear',
    epochs: 1,
    batchSize: 32,
    learningRate: 0.01,
    seed: 1,
    validationSplit: 0,
    outputDir: join(work, `train-${++runs}`),
    resume: false,
    cache: false,
    gpu: 'off',
    workingDirectory: work,
    ...overrides,
  };
}

function csv(name: string, lines: string[]): string {
  const path = join(work, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

const TRAIN = csv('train.csv', [
  'size,colour,y',
  ...Array.from(
    { length: 30 },
    (_, i) => `${i % 10},${['red', 'green', 'blue'][i % 3]},${(i % 10) * 2 + (i % 3)}`,
  ),
]);
const EVAL = csv('eval.csv', [
  'size,colour,y',
  '3,red,6',
  'big,green,9',
  '4,purple,8',
  'inf,blue,10',
  '5,?,10',
  '2,red,',
]);

let modelPath: string;
beforeAll(async () => {
  modelPath = (
    await runTrain(trainOptions({ data: TRAIN, target: 'y', task: 'regression' }), { log: silentLog })
  ).modelPath;
});

function evaluate(data: string, onInvalid: 'error' | 'warn' | 'impute' | undefined, output: string) {
  const log = memoryLog();
  const run = runEvaluate(
    {
      model: modelPath,
      data,
      onInvalid,
      bootstrap: 0,
      confidence: 0.95,
      seed: 1,
      latency: false,
      metrics: ['mae'],
      output,
      workingDirectory: work,
    },
    log,
  );
  return { run, log };
}

describe('on-invalid at evaluate', () => {
  it('error (the default) stops at the first invalid value, naming column, row and value, and writes nothing', async () => {
    const { run } = evaluate(EVAL, undefined, 'error/metrics.json');
    await expect(run).rejects.toThrow(
      /data row 2: 'size' is "big", which is not a number nor a missing-value token/,
    );
    expect(existsSync(join(work, 'error/metrics.json'))).toBe(false);
    const { run: onlyUnseen } = evaluate(
      csv('unseen.csv', ['size,colour,y', '3,red,6', '4,purple,8']),
      'error',
      'error2/metrics.json',
    );
    await expect(onlyUnseen).rejects.toThrow(
      /data row 2: 'colour' is "purple", a category the model never saw in training \(it knows "blue", "green", "red"\)/,
    );
  });

  for (const policy of ['warn', 'impute'] as const) {
    it(`${policy} fills and counts per column and kind in metrics.json and the summary`, async () => {
      const { run, log } = evaluate(EVAL, policy, `${policy}/metrics.json`);
      const result = await run;
      expect(result.metrics.features).toEqual({
        on_invalid: policy,
        rows: 5,
        missing: { colour: 1 },
        invalid: { size: { unparseable: 1, non_finite: 1 }, colour: { unseen_category: 1 } },
        dropped_target_rows: 1,
        training_data: false,
      });
      expect(JSON.parse(readFileSync(result.metricsPath, 'utf8')).features).toEqual(result.metrics.features);
      expect(result.summaryMarkdown).toMatch(/3 feature values could not be read .*on\\-invalid\\: /);
      // The "?" colour is a missing value: filled like train's own, and said so with its count.
      expect(result.summaryMarkdown).toMatch(
        /1 missing feature values took the feature.s fill .*colour\\: 1/,
      );
      expect(
        log.lines.some((l) =>
          /1 missing feature values took .*colour: 1 filled with "\w+" \(most frequent\)\./.test(l.message),
        ),
      ).toBe(true);
      const warned = log.lines.some(
        (l) => l.level === 'warning' && /3 feature values .* could not be read/.test(l.message),
      );
      expect(warned).toBe(policy === 'warn');
    });
  }

  it('a missing feature column: an error naming it, or under impute counted as missing_column for every row', async () => {
    const data = csv('no-colour.csv', ['size,y', '3,6', '4,8']);
    await expect(evaluate(data, 'error', 'nc/metrics.json').run).rejects.toThrow(
      /lacks column\(s\) 'colour'/,
    );
    const result = await evaluate(data, 'impute', 'nc2/metrics.json').run;
    expect(result.metrics.features!.invalid).toEqual({ colour: { missing_column: 2 } });
  });
});

describe('on-invalid and features: at train', () => {
  const data = csv('typed.csv', [
    'n,code,empty,y',
    ...Array.from({ length: 20 }, (_, i) => `${i === 4 ? 'oops' : i},${i % 4},,${i}`),
  ]);

  it('features.types overrides the inferred kind and is written to preprocessing.json', async () => {
    const result = await runTrain(
      trainOptions({
        data: TRAIN,
        target: 'y',
        task: 'regression',
        features: { types: { size: 'categorical' } },
      }),
      { log: silentLog },
    );
    const spec = await readPreprocessing(join(result.modelPath, '..', 'preprocessing.json'));
    expect(spec.features.map((f) => [f.name, f.kind])).toEqual([
      ['size', 'categorical'],
      ['colour', 'categorical'],
    ]);
    expect(result.summaryMarkdown).toContain(
      '| size | categorical | set in mlops\\.yml features\\.types \\(inferred\\: numeric\\) | 10 | 0 |',
    );
  });

  it('a value the forced type cannot read follows on-invalid; an all-null column gets a clear message', async () => {
    const types = { n: 'numeric' as const };
    await expect(
      runTrain(trainOptions({ data, target: 'y', task: 'regression', features: { types } }), {
        log: silentLog,
      }),
    ).rejects.toThrow(/training row 5 .*: 'n' is "oops", which is not a number/);
    const log = memoryLog();
    await runTrain(
      trainOptions({ data, target: 'y', task: 'regression', features: { types, onInvalid: 'warn' } }),
      {
        log,
      },
    );
    const warnings = log.lines.filter((l) => l.level === 'warning').map((l) => l.message);
    expect(warnings).toContainEqual(expect.stringMatching(/could not read.*n: 1 unparseable/));
    expect(warnings).toContainEqual(
      expect.stringMatching(
        /Column 'empty' of .* is missing in all 20 training rows .* not used as a feature/,
      ),
    );
    await expect(
      runTrain(
        trainOptions({ data, target: 'y', task: 'regression', features: { types: { empty: 'numeric' } } }),
        {
          log: silentLog,
        },
      ),
    ).rejects.toThrow(
      /'empty' .* is set to numeric in mlops.yml features.types, but it is missing in all 20 training rows/,
    );
  });

  it('features.missing replaces the missing-value tokens, the same at train and evaluate', async () => {
    const dashes = csv('dashes.csv', [
      'w,y',
      ...Array.from({ length: 12 }, (_, i) => `${i % 5 === 0 ? '-' : i},${i}`),
    ]);
    const result = await runTrain(
      trainOptions({ data: dashes, target: 'y', task: 'regression', features: { missing: ['-'] } }),
      { log: silentLog },
    );
    const spec = await readPreprocessing(join(result.modelPath, '..', 'preprocessing.json'));
    expect(spec.missing).toEqual(['-']);
    expect(spec.features).toEqual([expect.objectContaining({ name: 'w', kind: 'numeric' })]);
    const evaluated = await runEvaluate(
      {
        model: result.modelPath,
        data: csv('dash-eval.csv', ['w,y', '-,1', '?,2', '3,3']),
        onInvalid: 'impute',
        bootstrap: 0,
        confidence: 0.95,
        seed: 1,
        latency: false,
        output: 'dash/metrics.json',
        workingDirectory: work,
      },
      silentLog,
    );
    // "-" is missing; "?" is not one of this model's tokens, so it is a value that is not a number.
    expect(evaluated.metrics.features).toMatchObject({
      missing: { w: 1 },
      invalid: { w: { unparseable: 1 } },
    });
  });
});
