/**
 * Log loss on float32 probability rows that do not sum exactly to 1, against scikit-learn 1.2.1
 * (test/golden/log_loss_float32.py): clip to [eps, 1 - eps], renormalise each row, -log p[true].
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LOG_LOSS_EPS, rowLogLoss } from '../../../shared/src/metrics/classification.js';
import { ClassificationPlan, unitWeights } from '../../../shared/src/metrics/index.js';

interface Case {
  name: string;
  k: number;
  y_true: number[];
  scores: number[][];
  row_sums: number[];
  log_loss: number;
  log_loss_sum: number;
}
const golden = JSON.parse(readFileSync('test/fixtures/golden/log-loss-float32.json', 'utf8')) as {
  sklearn: string;
  cases: Case[];
};

function logLoss(c: Case): number {
  const plan = new ClassificationPlan(
    {
      classes: Array.from({ length: c.k }, (_, i) => String(i)),
      yTrue: Int32Array.from(c.y_true),
      yPred: Int32Array.from(c.scores.map((row) => row.indexOf(Math.max(...row)))),
      scores: Float64Array.from(c.scores.flat()),
    },
    ['log_loss'],
  );
  const out = new Float64Array(1);
  plan.evaluate(unitWeights(plan.n), out);
  return out[0]!;
}

describe(`log loss on float32 rows that do not sum to 1 matches scikit-learn ${golden.sklearn}`, () => {
  it('the fixture has rows whose sum is not exactly 1 (else it could not see renormalisation)', () => {
    for (const c of golden.cases)
      expect(
        c.row_sums.some((s) => s !== 1),
        c.name,
      ).toBe(true);
  });

  it.each(golden.cases.map((c) => [c.name, c] as const))('%s: to 1e-12 relative', (_, c) => {
    const got = logLoss(c);
    expect(Math.abs(got - c.log_loss), `${got} vs ${c.log_loss}`).toBeLessThanOrEqual(1e-12 * c.log_loss);
    expect(Math.abs(got * c.y_true.length - c.log_loss_sum)).toBeLessThanOrEqual(1e-12 * c.log_loss_sum);
  });
});

describe('clipping bounds (scikit-learn 1.2.1: clip to [eps, 1 - eps] with eps = 2^-52, then renormalise)', () => {
  // Exact to the bit in JavaScript's own arithmetic: the clip's bounds move these values only in
  // their last digits, below the goldens' tolerance.
  it('a probability of exactly 1 is clipped to 1 - eps before the row is renormalised', () => {
    const loss = rowLogLoss(Float64Array.of(0.5, 1), Int32Array.of(0), 2)[0];
    expect(loss).toBe(-Math.log(0.5 / (0.5 + (1 - LOG_LOSS_EPS))));
    expect(loss).not.toBe(-Math.log(0.5 / 1.5));
  });
  it('a probability of exactly 0 is clipped up to eps', () => {
    const loss = rowLogLoss(Float64Array.of(0, 1), Int32Array.of(0), 2)[0];
    expect(loss).toBe(-Math.log(LOG_LOSS_EPS / (LOG_LOSS_EPS + (1 - LOG_LOSS_EPS))));
  });
});
