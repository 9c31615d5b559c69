import type { RegressionMetricName } from './names.js';
import type { MetricPlan, ResampleKernel } from './plan.js';
import { argsort } from './ranking.js';
import { type RegressionArrays, regressionPass, regressionScratch } from './resample-kernel.js';

export interface RegressionData {
  yTrue: Float64Array;
  yPred: Float64Array;
}

/**
 * Regression plan: rows (sorted by absolute error when the median is wanted, so its pass reads in
 * order) for `regressionPass` of `resample-kernel.ts`, which holds the metric definitions.
 */
export class RegressionPlan implements MetricPlan {
  readonly n: number;
  readonly rowOrder: Int32Array | null = null;
  readonly arrays: RegressionArrays;
  readonly kernel: ResampleKernel;
  private readonly sums = regressionScratch();

  constructor(
    data: RegressionData,
    readonly names: readonly RegressionMetricName[],
  ) {
    const n = data.yTrue.length;
    this.n = n;
    const absolute = new Float64Array(n);
    for (let i = 0; i < n; i++) absolute[i] = Math.abs(data.yTrue[i] - data.yPred[i]);
    if (names.includes('median_absolute_error')) this.rowOrder = argsort(absolute);
    const order = this.rowOrder;
    const yTrue = new Float64Array(n);
    const error = new Float64Array(n);
    const absoluteError = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const row = order === null ? i : order[i];
      yTrue[i] = data.yTrue[row];
      error[i] = data.yTrue[row] - data.yPred[row];
      absoluteError[i] = absolute[row];
    }
    this.arrays = { names, yTrue, error, absoluteError };
    this.kernel = { pass: regressionPass, scratch: regressionScratch, arrays: this.arrays };
  }

  evaluate(weights: Int32Array, out: Float64Array): void {
    regressionPass(this.arrays, weights, out, this.sums);
  }
}

/**
 * MAPE's denominator floor, max(|y_true|, eps) with eps the float64 machine epsilon, as
 * scikit-learn's mean_absolute_percentage_error (`regressionPass` uses the same number).
 */
export const MAPE_EPS = 2.220446049250313e-16;

/**
 * Why MAPE is not meaningful on these rows, or undefined when it is: a true value of 0 (below
 * `MAPE_EPS` in size) is divided by 2.2e-16, as scikit-learn does, so a row with y_true 0 and any
 * error adds that error times 4.5e15 and the mean says nothing about the other rows. (A 0 predicted
 * exactly adds 0 and spoils nothing.) The value itself is kept, being scikit-learn's; this reason
 * is shown beside it.
 */
export function mapeCaveat(data: RegressionData): string | undefined {
  const { yTrue, yPred } = data;
  let zeros = 0;
  let missed = 0;
  for (let i = 0; i < yTrue.length; i++) {
    if (Math.abs(yTrue[i]) < MAPE_EPS) {
      zeros++;
      if (yPred[i] !== yTrue[i]) missed++;
    }
  }
  if (missed === 0) return undefined;
  return `${zeros} of ${yTrue.length} true values are 0: MAPE divides each error by |y_true| (scikit-learn puts 2.2e-16 for 0), so ${missed === zeros ? (zeros === 1 ? 'that row swamps' : 'those rows swamp') : `the ${missed} of them not predicted as exactly 0 swamp`} it and it is not meaningful here; use mae or rmse.`;
}
