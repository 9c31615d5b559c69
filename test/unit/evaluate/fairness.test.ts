import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCompareBaseline } from '../../../shared/src/compare/run.js';
import { UserError } from '../../../shared/src/errors/index.js';
import { type EvaluateOptions, runEvaluate } from '../../../shared/src/evaluate/index.js';
import { memoryLog, silentLog } from '../../../shared/src/logging/index.js';
import { PENGUINS_FIXTURE, saveTfjsPenguinsModel } from '../models/penguins-fixture.js';

const schema = JSON.parse(readFileSync('docs/schemas/metrics.schema.json', 'utf8'));
const validate = new Ajv2020.default({ allErrors: true, strict: false }).compile(schema);
const work = mkdtempSync(join(tmpdir(), 'mlops-fairness-'));
const data = resolve(PENGUINS_FIXTURE, 'eval.csv');
let model: string;

beforeAll(async () => {
  model = await saveTfjsPenguinsModel(join(work, 'tfjs-model'));
  copyFileSync(join(PENGUINS_FIXTURE, 'preprocessing.json'), join(work, 'tfjs-model', 'preprocessing.json'));
});

function options(overrides: Partial<EvaluateOptions>): EvaluateOptions {
  return {
    model,
    data,
    confidence: 0.95,
    bootstrap: 100,
    seed: 42,
    latency: false,
    output: 'out/metrics.json',
    workingDirectory: work,
    ...overrides,
  };
}

describe('evaluate with sensitive features', () => {
  it('writes per-group rates and Fairlearn disparities, the worst of them as gateable metrics', async () => {
    const result = await runEvaluate(
      options({ fairness: { features: ['Sex', 'Island'], intersection: true, minGroupSize: 30 } }),
      silentLog,
    );
    const file = result.metrics;
    expect(validate(file), JSON.stringify(validate.errors)).toBe(true);
    const fairness = file.fairness!;
    expect(fairness.features.map((f) => f.columns)).toEqual([['Sex'], ['Island'], ['Sex', 'Island']]);
    // Three classes: one-vs-rest, no single positive class.
    expect(fairness.positive_class).toBeNull();
    for (const feature of fairness.features) {
      expect(feature.groups.reduce((s, g) => s + g.n, 0)).toBe(file.dataset.rows);
      for (const g of feature.groups) expect(g.gated).toBe(g.n >= 30);
    }
    // The headline is the worst feature: the largest difference, the smallest ratio.
    const per = (name: string) =>
      fairness.features.map((f) => f.disparities[name].value).filter((v): v is number => v !== null);
    expect(file.metrics.demographic_parity_difference.value).toBe(
      Math.max(...per('demographic_parity_difference')),
    );
    expect(file.metrics.equalized_odds_ratio.value).toBe(Math.min(...per('equalized_odds_ratio')));
    expect(file.metrics.demographic_parity_difference.ci).not.toBeNull();
    expect(result.summaryMarkdown).toContain('Fairness over Sex, Island');
    expect(result.summaryMarkdown).toContain('Confusion matrix');
  });

  it('names the columns when a sensitive feature does not exist', async () => {
    const error = await runEvaluate(
      options({ fairness: { features: ['gender'], intersection: false, minGroupSize: 30 } }),
      silentLog,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(/'gender' are not columns.*Species, Island/);
  });

  it('asks to bin a continuous sensitive feature', async () => {
    const error = await runEvaluate(
      options({ fairness: { features: ['Body Mass (g)'], intersection: false, minGroupSize: 30 } }),
      silentLog,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(/looks continuous.*Bin it/);
  });

  it('refuses a minimum group size under 1', async () => {
    const error = await runEvaluate(
      options({ fairness: { features: ['Sex'], intersection: false, minGroupSize: 0 } }),
      silentLog,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toContain('fairness-min-group-size');
  });

  it('takes missing sensitive values for a group of their own, from a predictions file (regression)', async () => {
    const rows = ['y_true,y_pred,region'];
    for (let i = 0; i < 120; i++) {
      const region = i % 3 === 0 ? 'north' : i % 3 === 1 ? 'south' : '';
      const y = (i * 7) % 13;
      rows.push(`${y},${y + (region === 'south' ? 2 : 0.5) * ((i % 5) - 2)},${region}`);
    }
    writeFileSync(join(work, 'preds.csv'), `${rows.join('\n')}\n`);
    const result = await runEvaluate(
      options({
        model: undefined,
        data: undefined,
        predictions: 'preds.csv',
        output: 'reg/metrics.json',
        fairness: { features: ['region'], intersection: false, minGroupSize: 30 },
      }),
      silentLog,
    );
    const groups = result.metrics.fairness!.features[0].groups;
    expect(groups.map((g) => g.values[0]).sort()).toEqual(['north', 'south', null].sort());
    expect(result.metrics.metrics.mae_difference.value).toBeGreaterThan(0.5);
    expect(result.summaryMarkdown).toContain('| region | missing | 40 |');
  });

  it('lets compare-baseline gate a disparity like any metric', async () => {
    const current = join(work, 'out/metrics.json');
    await runEvaluate(
      options({ fairness: { features: ['Sex'], intersection: false, minGroupSize: 30 } }),
      silentLog,
    );
    const value = (
      JSON.parse(readFileSync(current, 'utf8')) as { metrics: Record<string, { value: number }> }
    ).metrics.demographic_parity_difference.value;
    expect(value).toBeGreaterThan(0);
    const compare = (max: number) =>
      runCompareBaseline(
        {
          current,
          baseline: current,
          thresholds: `demographic_parity_difference: { max: ${max} }`,
          failOnRegression: true,
          reportPath: join(work, `compare-${max}.json`),
          workingDirectory: work,
          modelKey: 'penguins',
          significance: 0.05,
        },
        { log: memoryLog() },
      );
    const tight = await compare(value / 2);
    expect(tight.passed).toBe(false);
    expect(tight.regressions).toContain('demographic_parity_difference');
    // The disparity sits in its own section of the comment, not in the headline table.
    const comment = tight.commentMarkdown;
    const [main, rest] = comment.split('**Fairness across groups**');
    expect(rest).toMatch(/demographic\\?_parity\\?_difference/);
    expect(main).not.toMatch(/demographic\\?_parity\\?_difference/);
    const loose = await compare(Math.min(1, value * 2));
    expect(loose.regressions).not.toContain('demographic_parity_difference');
  });
});
