import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bootstrapMetrics,
  CLASSIFICATION_METRICS,
  type ClassificationData,
  ClassificationPlan,
  pairedBootstrapDelta,
  REGRESSION_METRICS,
  RegressionPlan,
  unitWeights,
} from '../../../shared/src/metrics/index.js';

const K = 3;

/** Rows of a k-class problem: labels, predicted labels, and score rows summing to 1. */
const classificationRows = (k: number) =>
  fc
    .array(
      fc.record({
        y: fc.integer({ min: 0, max: k - 1 }),
        pred: fc.integer({ min: 0, max: k - 1 }),
        raw: fc.array(fc.integer({ min: 1, max: 20 }), { minLength: k, maxLength: k }),
      }),
      { minLength: 2, maxLength: 60 },
    )
    .map((rows) => rows.map((r) => ({ ...r, p: r.raw.map((x) => x / r.raw.reduce((a, b) => a + b, 0)) })));

type Row = { y: number; pred: number; p: number[] };

function dataOf(rows: Row[], k: number): ClassificationData {
  return {
    classes: Array.from({ length: k }, (_, i) => `c${i}`),
    yTrue: Int32Array.from(rows.map((r) => r.y)),
    yPred: Int32Array.from(rows.map((r) => r.pred)),
    scores: Float64Array.from(rows.flatMap((r) => r.p)),
  };
}

function pointEstimates(data: ClassificationData): Record<string, number> {
  const names = [...CLASSIFICATION_METRICS];
  const plan = new ClassificationPlan(data, names);
  const out = new Float64Array(names.length);
  plan.evaluate(unitWeights(plan.n), out);
  return Object.fromEntries(names.map((m, j) => [m, out[j]]));
}

function same(a: number, b: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  return Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(a));
}

describe('metric properties', () => {
  it('are invariant under row permutation', () => {
    fc.assert(
      fc.property(classificationRows(K), fc.integer(), (rows, seed) => {
        const shuffled = [...rows].sort(
          (a, b) => ((a.y * 31 + a.pred * 7 + seed) % 5) - ((b.y * 31 + b.pred * 7 + seed) % 5),
        );
        const a = pointEstimates(dataOf(rows, K));
        const b = pointEstimates(dataOf(shuffled, K));
        for (const m of CLASSIFICATION_METRICS) expect(same(a[m], b[m]), m).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('stay within their bounds', () => {
    fc.assert(
      fc.property(classificationRows(K), (rows) => {
        const v = pointEstimates(dataOf(rows, K));
        for (const m of [
          'accuracy',
          'balanced_accuracy',
          'precision_macro',
          'recall_macro',
          'f1_macro',
          'f1_micro',
          'f1_weighted',
          'average_precision',
          'expected_calibration_error',
        ]) {
          expect(v[m], m).toBeGreaterThanOrEqual(0);
          expect(v[m], m).toBeLessThanOrEqual(1 + 1e-15);
        }
        for (const m of ['roc_auc_ovr', 'roc_auc_ovo'])
          if (!Number.isNaN(v[m])) expect(v[m]).toBeLessThanOrEqual(1);
        expect(Math.abs(v.matthews_corrcoef)).toBeLessThanOrEqual(1 + 1e-12);
        expect(v.log_loss).toBeGreaterThanOrEqual(0);
        expect(v.brier_score).toBeGreaterThanOrEqual(0);
        expect(v.brier_score).toBeLessThanOrEqual(2);
      }),
      { numRuns: 80 },
    );
  });

  it('give the ideal value for perfect predictions', () => {
    fc.assert(
      fc.property(classificationRows(2), (rows) => {
        const perfect = rows.map((r) => ({ y: r.y, pred: r.y, p: r.y === 1 ? [0, 1] : [1, 0] }));
        const v = pointEstimates(dataOf(perfect, 2));
        expect(v.accuracy).toBe(1);
        expect(v.f1_micro).toBe(1);
        expect(v.expected_calibration_error).toBe(0);
        expect(v.brier_score).toBe(0);
        expect(v.log_loss).toBeLessThan(1e-15);
        if (perfect.some((r) => r.y === 1) && perfect.some((r) => r.y === 0)) {
          expect(v.roc_auc).toBe(1);
          expect(v.average_precision).toBe(1);
          expect(v.matthews_corrcoef).toBe(1);
          expect(v.cohen_kappa).toBe(1);
        }
      }),
      { numRuns: 60 },
    );
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 50 }),
        (ys) => {
          const y = Float64Array.from(ys);
          const plan = new RegressionPlan({ yTrue: y, yPred: y.slice() }, [...REGRESSION_METRICS]);
          const out = new Float64Array(REGRESSION_METRICS.length);
          plan.evaluate(unitWeights(plan.n), out);
          expect(Array.from(out)).toEqual([0, 0, 0, 1, 0, 0, 1]);
        },
      ),
    );
  });
});

describe('bootstrap', () => {
  const rows: Row[] = Array.from({ length: 400 }, (_, i) => {
    const p = ((i * 7919) % 997) / 997;
    const y = (i * 104729) % 1000 < p * 1000 ? 1 : 0;
    return { y, pred: p > 0.5 ? 1 : 0, p: [1 - p, p] };
  });
  const data = dataOf(rows, 2);
  const names = ['accuracy', 'roc_auc', 'log_loss', 'f1'] as const;

  it('is reproducible for a seed, differs across seeds, and brackets the estimate', () => {
    const a = bootstrapMetrics(new ClassificationPlan(data, [...names]), {
      resamples: 200,
      seed: 7,
      confidence: 0.9,
    });
    const b = bootstrapMetrics(new ClassificationPlan(data, [...names]), {
      resamples: 200,
      seed: 7,
      confidence: 0.9,
    });
    const c = bootstrapMetrics(new ClassificationPlan(data, [...names]), {
      resamples: 200,
      seed: 8,
      confidence: 0.9,
    });
    expect(a).toEqual(b);
    expect(a.roc_auc.ci).not.toEqual(c.roc_auc.ci);
    for (const m of names) {
      const { value, ci, n } = a[m];
      expect(n).toBe(400);
      expect(ci![0]).toBeLessThanOrEqual(value!);
      expect(ci![1]).toBeGreaterThanOrEqual(value!);
      expect(ci![1] - ci![0]).toBeGreaterThan(0);
    }
    const wide = bootstrapMetrics(new ClassificationPlan(data, [...names]), {
      resamples: 200,
      seed: 7,
      confidence: 0.99,
    });
    expect(wide.accuracy.ci![1] - wide.accuracy.ci![0]).toBeGreaterThan(
      a.accuracy.ci![1] - a.accuracy.ci![0],
    );
  });

  it('the paired delta of a model with itself is exactly zero, and a better model has a positive interval', () => {
    const rowsOf = (d: ClassificationData) => ({ task: 'classification' as const, data: d });
    const self = pairedBootstrapDelta(rowsOf(data), rowsOf(data), 'roc_auc', {
      resamples: 100,
      seed: 1,
      confidence: 0.95,
    });
    expect(self.delta).toBe(0);
    expect(self.ci).toEqual([0, 0]);
    const better = dataOf(
      rows.map((r) => {
        const p = r.y === 1 ? Math.min(1, r.p[1] + 0.3) : Math.max(0, r.p[1] - 0.3);
        return { y: r.y, pred: p > 0.5 ? 1 : 0, p: [1 - p, p] };
      }),
      2,
    );
    const d = pairedBootstrapDelta(rowsOf(better), rowsOf(data), 'accuracy', {
      resamples: 300,
      seed: 1,
      confidence: 0.95,
    });
    expect(d.delta!).toBeGreaterThan(0);
    expect(d.ci![0]).toBeGreaterThan(0);
    expect(d.pValue!).toBeLessThan(0.05);
  });
});
