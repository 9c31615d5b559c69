import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  bootstrapMetrics,
  type EvaluationRows,
  FairnessPlan,
  groupRows,
  metricDirection,
  unitWeights,
} from '../../../shared/src/metrics/index.js';

interface GoldenCase {
  name: string;
  task: 'classification' | 'regression';
  classes?: string[];
  y_true: number[];
  y_pred: number[];
  groups: (string | null)[];
  min_group_size: number;
  expected: Record<string, number | null>;
}

// Made by test/golden/fairness.py (Fairlearn's definitions in pandas, numpy and scikit-learn).
const golden = JSON.parse(readFileSync('test/fixtures/golden/fairness.json', 'utf8')) as {
  cases: GoldenCase[];
};

function rowsOf(c: GoldenCase): EvaluationRows {
  return c.task === 'classification'
    ? {
        task: 'classification',
        data: {
          classes: c.classes!,
          yTrue: Int32Array.from(c.y_true),
          yPred: Int32Array.from(c.y_pred),
          scores: null,
        },
      }
    : {
        task: 'regression',
        data: { yTrue: Float64Array.from(c.y_true), yPred: Float64Array.from(c.y_pred) },
      };
}

describe('fairness disparities (Fairlearn definitions)', () => {
  it('has golden cases of every kind', () => {
    const names = golden.cases.map((c) => c.name).join(' | ');
    for (const kind of ['binary', 'multiclass', 'without positives', 'single group', 'missing', 'regression'])
      expect(names).toContain(kind);
  });

  for (const c of golden.cases) {
    it(`matches the reference: ${c.name}`, () => {
      const plan = new FairnessPlan(rowsOf(c), groupRows(c.groups), c.min_group_size);
      const out = new Float64Array(plan.names.length);
      plan.evaluate(unitWeights(plan.n), out);
      expect([...plan.names].sort()).toEqual(Object.keys(c.expected).sort());
      plan.names.forEach((name, j) => {
        const expected = c.expected[name];
        if (expected === null) expect(out[j], name).toBeNaN();
        else expect(Math.abs(out[j] - expected), name).toBeLessThanOrEqual(1e-12);
      });
    });
  }

  it('leaves groups under the minimum size out, and only those', () => {
    const c = golden.cases.find((x) => x.name === 'small group left out')!;
    const plan = new FairnessPlan(rowsOf(c), groupRows(c.groups), 30);
    expect(plan.gatedGroups).toEqual([0, 1]);
    // At exactly the minimum a group takes part (>= min_group_size).
    const at = new FairnessPlan(rowsOf(c), groupRows(c.groups), 33);
    expect(at.gatedGroups).toEqual([0, 1]);
    const above = new FairnessPlan(rowsOf(c), groupRows(c.groups), 34);
    expect(above.gatedGroups).toEqual([0]);
  });

  it('gives bootstrap intervals from the shared resampling engine, around the point value and reproducible', () => {
    const c = golden.cases.find((x) => x.name === 'binary random 0')!;
    const plan = new FairnessPlan(rowsOf(c), groupRows(c.groups), 1);
    const a = bootstrapMetrics(plan, { resamples: 300, seed: 5, confidence: 0.9 });
    const b = bootstrapMetrics(plan, { resamples: 300, seed: 5, confidence: 0.9 });
    expect(a).toEqual(b);
    const dp = a.demographic_parity_difference;
    expect(dp.value).toBeCloseTo(c.expected.demographic_parity_difference!, 12);
    expect(dp.ci![0]).toBeLessThanOrEqual(dp.value!);
    expect(dp.ci![1]).toBeGreaterThan(dp.value!);
  });

  it('ranks disparities lower-is-better and parity ratios higher-is-better', () => {
    expect(metricDirection('demographic_parity_difference')).toBe('lower');
    expect(metricDirection('r2_difference')).toBe('lower');
    expect(metricDirection('equalized_odds_ratio')).toBe('higher');
  });
});

describe('metric names', () => {
  it('metrics.schema.json allows exactly the metric names the suite writes', async () => {
    const names = await import('../../../shared/src/metrics/index.js');
    const schema = JSON.parse(readFileSync('docs/schemas/metrics.schema.json', 'utf8'));
    const allowed: string[] = schema.$defs.metricMap.propertyNames.enum;
    expect([...allowed].sort()).toEqual(
      [
        ...names.CLASSIFICATION_METRICS,
        ...names.REGRESSION_METRICS,
        ...names.FAIRNESS_CLASSIFICATION_METRICS,
        ...names.FAIRNESS_REGRESSION_METRICS,
      ].sort(),
    );
  });
});
