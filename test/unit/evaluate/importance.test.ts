import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCompareBaseline } from '../../../shared/src/compare/run.js';
import { UserError } from '../../../shared/src/errors/index.js';
import { type EvaluateOptions, runEvaluate } from '../../../shared/src/evaluate/index.js';
import { memoryLog, silentLog } from '../../../shared/src/logging/index.js';
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
