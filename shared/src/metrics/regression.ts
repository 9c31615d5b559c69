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
