/**
 * Two cases of the metric definitions that the point-estimate goldens (golden.test.ts, every row
 * weighted once) cannot reach: the binary-only scores with more than two classes, and a bootstrap
 * resample that did not draw the highest-scored rows (a group of tied scores with weight 0).
 * Reference values: scikit-learn 1.2.1, given next to each case.
 */
import { describe, expect, it } from 'vitest';
import {
  type ClassificationMetricName,
  ClassificationPlan,
  confusionScores,
} from '../../../shared/src/metrics/index.js';

describe('binary-only scores', () => {
  it("precision, recall and F1 of the positive class are NaN from three classes (average='binary' is for two)", () => {
    // 3 x 3 confusion matrix, row = true class: class 1's precision would be 2/3, not a binary score.
    const counts = Float64Array.from([3, 1, 0, 0, 2, 1, 1, 0, 4]);
    const scores = confusionScores(counts, 3);
    expect(scores.precision).toBeNaN();
    expect(scores.recall).toBeNaN();
    expect(scores.f1).toBeNaN();
    // The averaged ones are defined: 9 of 12 correct.
    expect(scores.accuracy).toBe(0.75);
    expect(scores.f1_micro).toBe(0.75);
  });
});

describe('a resample that did not draw the highest-scored rows', () => {
  // Rows (label, positive-class score): (0, 0.2), (1, 0.2), (1, 0.9). Weights 1, 1, 0: the rows
  // drawn are y = [0, 1] with tied scores [0.2, 0.2], where scikit-learn gives
  // average_precision_score = 0.5 and roc_auc_score = 0.5 (all rows: 0.8333 and 0.75).
  const names: ClassificationMetricName[] = ['average_precision', 'roc_auc'];
  const plan = new ClassificationPlan(
    {
      classes: ['a', 'b'],
      yTrue: Int32Array.from([0, 1, 1]),
      yPred: Int32Array.from([0, 0, 1]),
      scores: Float64Array.from([0.8, 0.2, 0.8, 0.2, 0.1, 0.9]),
    },
    names,
  );
  const evaluate = (inputWeights: number[]) => {
    // Plan weights are in the plan's row order (sorted by score).
    const weights = Int32Array.from(plan.rowOrder!, (row) => inputWeights[row]);
    const out = new Float64Array(names.length);
    plan.evaluate(weights, out);
    return Object.fromEntries(names.map((name, j) => [name, out[j]]));
  };

  it('every row drawn once: the point estimate (0.8333 and 0.75)', () => {
    const all = evaluate([1, 1, 1]);
    expect(all.average_precision).toBeCloseTo(5 / 6, 14);
    expect(all.roc_auc).toBe(0.75);
  });

  it('the top group not drawn: average precision and ROC AUC of the rows drawn (0.5 and 0.5)', () => {
    expect(evaluate([1, 1, 0])).toEqual({ average_precision: 0.5, roc_auc: 0.5 });
  });
});
