import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CLASSIFICATION_METRICS,
  type ClassificationMetricName,
  ClassificationPlan,
  REGRESSION_METRICS,
  RegressionPlan,
  unitWeights,
} from '../../../shared/src/metrics/index.js';

interface GoldenCase {
  name: string;
  task: 'classification' | 'regression';
  k?: number;
  y_true: number[];
  y_pred: number[];
  scores?: number[][] | null;
  expected: Record<string, number | null>;
}

const golden = JSON.parse(readFileSync('test/fixtures/golden/metrics.json', 'utf8')) as {
  sklearn: string;
  cases: GoldenCase[];
};

/** 1e-12 relative, with an absolute floor for values that are 0 in exact arithmetic. */
function expectClose(actual: number | null, expected: number | null, label: string): void {
  if (expected === null) {
    expect(actual, label).toBeNull();
    return;
  }
  expect(actual, label).not.toBeNull();
  const tolerance = 1e-12 * Math.max(Math.abs(expected), 1e-3);
  expect(Math.abs((actual as number) - expected), `${label}: ${actual} vs ${expected}`).toBeLessThanOrEqual(
    tolerance,
  );
}

function evaluatePlan(plan: {
  names: readonly string[];
  n: number;
  evaluate(w: Int32Array, o: Float64Array): void;
}) {
  const out = new Float64Array(plan.names.length);
  plan.evaluate(unitWeights(plan.n), out);
  return Object.fromEntries(plan.names.map((m, j) => [m, Number.isFinite(out[j]) ? out[j] : null]));
}

describe(`metrics match scikit-learn ${golden.sklearn}`, () => {
  expect(golden.cases.length).toBeGreaterThan(30);
  for (const c of golden.cases) {
    it(c.name, () => {
      let actual: Record<string, number | null>;
      if (c.task === 'classification') {
        const k = c.k!;
        const names = CLASSIFICATION_METRICS.filter((m) => m in c.expected) as ClassificationMetricName[];
        const plan = new ClassificationPlan(
          {
            classes: Array.from({ length: k }, (_, i) => String(i)),
            yTrue: Int32Array.from(c.y_true),
            yPred: Int32Array.from(c.y_pred),
            scores: c.scores ? Float64Array.from(c.scores.flat()) : null,
          },
          names,
        );
        actual = evaluatePlan(plan);
      } else {
        const plan = new RegressionPlan(
          { yTrue: Float64Array.from(c.y_true), yPred: Float64Array.from(c.y_pred) },
          [...REGRESSION_METRICS],
        );
        actual = evaluatePlan(plan);
      }
      for (const [metric, expected] of Object.entries(c.expected))
        expectClose(actual[metric], expected, metric);
    });
  }
});
