import type { RegressionMetricName } from './names.js';
import type { MetricPlan } from './plan.js';
import { argsort } from './ranking.js';

export interface RegressionData {
  yTrue: Float64Array;
  yPred: Float64Array;
}

/** scikit-learn's MAPE guard against division by zero: `np.finfo(np.float64).eps`. */
const MAPE_EPS = 2.220446049250313e-16;

/**
 * Regression metrics with scikit-learn 1.2.1 definitions: RMSE = √MSE; R² and explained variance
 * with force_finite (constant target: 1 if the predictions are perfect, else 0); MAPE divides by
 * max(|y|, eps); median absolute error is the median of |y − ŷ| (mean of the two middle values
 * for an even count).
 */
export class RegressionPlan implements MetricPlan {
  readonly n: number;
  /** Rows sorted by absolute error when the median is wanted (its pass then reads in order). */
  readonly rowOrder: Int32Array | null = null;
  private readonly yTrue: Float64Array;
  private readonly error: Float64Array;
  private readonly absoluteError: Float64Array;

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
    this.yTrue = new Float64Array(n);
    this.error = new Float64Array(n);
    this.absoluteError = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const row = order === null ? i : order[i];
      this.yTrue[i] = data.yTrue[row];
      this.error[i] = data.yTrue[row] - data.yPred[row];
      this.absoluteError[i] = absolute[row];
    }
  }

  evaluate(weights: Int32Array, out: Float64Array): void {
    const { n, yTrue, error, absoluteError } = this;
    let total = 0;
    const sums = {
      y: new Neumaier(),
      e: new Neumaier(),
      e2: new Neumaier(),
      ae: new Neumaier(),
      ape: new Neumaier(),
    };
    for (let i = 0; i < n; i++) {
      const w = weights[i];
      if (w === 0) continue;
      total += w;
      const e = error[i];
      sums.y.add(w * yTrue[i]);
      sums.e.add(w * e);
      sums.e2.add(w * e * e);
      sums.ae.add(w * absoluteError[i]);
      sums.ape.add((w * absoluteError[i]) / Math.max(Math.abs(yTrue[i]), MAPE_EPS));
    }
    const meanY = sums.y.value() / total;
    const meanE = sums.e.value() / total;
    // Second pass for centred sums: Σ(y − ȳ)² from Σy² − (Σy)²/n loses every digit on large offsets.
    const centredY = new Neumaier();
    const centredE = new Neumaier();
    for (let i = 0; i < n; i++) {
      const w = weights[i];
      if (w === 0) continue;
      const dy = yTrue[i] - meanY;
      const de = error[i] - meanE;
      centredY.add(w * dy * dy);
      centredE.add(w * de * de);
    }
    const sse = sums.e2.value();
    for (let j = 0; j < this.names.length; j++) {
      switch (this.names[j]) {
        case 'mae':
          out[j] = sums.ae.value() / total;
          break;
        case 'mse':
          out[j] = sse / total;
          break;
        case 'rmse':
          out[j] = Math.sqrt(sse / total);
          break;
        case 'mape':
          out[j] = sums.ape.value() / total;
          break;
        case 'r2':
          out[j] = forceFinite(sse, centredY.value());
          break;
        case 'explained_variance':
          out[j] = forceFinite(centredE.value() / total, centredY.value() / total);
          break;
        case 'median_absolute_error':
          out[j] = sortedWeightedMedian(absoluteError, weights, total);
          break;
      }
    }
  }
}

/** 1 − numerator / denominator, with scikit-learn's force_finite for a zero denominator. */
function forceFinite(numerator: number, denominator: number): number {
  if (denominator !== 0) return 1 - numerator / denominator;
  return numerator === 0 ? 1 : 0;
}

/** Median of a multiset of ascending values with integer multiplicities (numpy's median). */
function sortedWeightedMedian(values: Float64Array, weights: Int32Array, total: number): number {
  const lowRank = Math.floor((total - 1) / 2);
  const highRank = Math.floor(total / 2);
  let seen = 0;
  let low = Number.NaN;
  for (let i = 0; i < values.length; i++) {
    const w = weights[i];
    if (w === 0) continue;
    const next = seen + w;
    if (Number.isNaN(low) && lowRank < next) low = values[i];
    if (highRank < next) return (low + values[i]) / 2;
    seen = next;
  }
  return Number.NaN;
}

/** Compensated running sum (Neumaier). */
export class Neumaier {
  private sum = 0;
  private compensation = 0;

  add(term: number): void {
    const t = this.sum + term;
    this.compensation += Math.abs(this.sum) >= Math.abs(term) ? this.sum - t + term : term - t + this.sum;
    this.sum = t;
  }

  value(): number {
    return this.sum + this.compensation;
  }
}
