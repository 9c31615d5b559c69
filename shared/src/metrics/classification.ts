import { calibrationRows, ECE_BINS } from './calibration.js';
import { type ClassificationMetricName, SCORE_METRICS } from './names.js';
import type { MetricPlan, ResampleKernel } from './plan.js';
import { argsort, tieGroupEnds } from './ranking.js';
import {
  type ClassificationArrays,
  type ClassificationScratch,
  classificationPass,
  classificationScratch,
  confusionScores,
  type RankingView,
} from './resample-kernel.js';

/**
 * Classification rows, classes as indices into `classes`. `scores` is row-major n × k (class
 * probabilities, rows summing to 1); for two classes column 1 is the positive class.
 */
export interface ClassificationData {
  classes: readonly string[];
  yTrue: Int32Array;
  yPred: Int32Array;
  scores?: Float64Array | null;
}

/**
 * Log-loss clipping: scikit-learn 1.2.1 (the reference installed here) defaults to eps="auto",
 * i.e. `np.finfo(float64).eps` = 2^-52, not the 1e-15 of releases up to 1.1. Probabilities are
 * clipped to [eps, 1 - eps] and each row renormalised, as 1.2.1 does.
 */
export const LOG_LOSS_EPS = 2.220446049250313e-16;

/** Per-row log loss (scikit-learn 1.2.1: clip, renormalise the row, −log p[true]). */
export function rowLogLoss(scores: Float64Array, labels: Int32Array, k: number): Float64Array {
  const n = labels.length;
  const loss = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let c = 0; c < k; c++) sum += clip(scores[i * k + c]);
    loss[i] = -Math.log(clip(scores[i * k + labels[i]]) / sum);
  }
  return loss;
}

function clip(p: number): number {
  return Math.min(Math.max(p, LOG_LOSS_EPS), 1 - LOG_LOSS_EPS);
}

/**
 * Per-row Brier score. Two classes: (1[y = positive] − p_positive)², scikit-learn's
 * brier_score_loss. More: Σ_c (p_c − 1[y = c])² (Brier's original definition, which scikit-learn
 * adopted for multiclass in 1.7; 1.2.1 rejects multiclass input).
 */
export function rowBrier(scores: Float64Array, labels: Int32Array, k: number): Float64Array {
  const n = labels.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (k === 2) {
      const d = (labels[i] === 1 ? 1 : 0) - scores[i * 2 + 1];
      out[i] = d * d;
    } else {
      let s = 0;
      for (let c = 0; c < k; c++) {
        const d = scores[i * k + c] - (labels[i] === c ? 1 : 0);
        s += d * d;
      }
      out[i] = s;
    }
  }
  return out;
}

/**
 * A metric of the confusion matrix alone (any classification metric outside SCORE_METRICS) on
 * unweighted rows: the point estimate a plan gives (`bootstrapMetrics` without resamples, the same
 * counts into the same `confusionScores`), without building a plan, for a caller that scores many
 * times over (permutation importance). `counts` is scratch (k × k), reused when given. null where
 * the metric is undefined, as there.
 */
export function confusionMetric(
  yTrue: Int32Array,
  yPred: Int32Array,
  k: number,
  name: ClassificationMetricName,
  counts = new Float64Array(k * k),
): number | null {
  counts.fill(0);
  for (let i = 0; i < yTrue.length; i++) counts[yTrue[i] * k + yPred[i]]++;
  return confusionMatrixMetric(counts, k, name);
}

/**
 * A metric of the confusion matrix alone, from its counts (row = true class, column = predicted,
 * `k × k`): `confusionMetric` without the per-row classes, for callers that tally the counts
 * themselves. Null where the metric is undefined (0/0).
 */
export function confusionMatrixMetric(
  counts: Float64Array,
  k: number,
  name: ClassificationMetricName,
): number | null {
  if (SCORE_METRICS.has(name)) throw new Error(`${name} needs class scores, not only the confusion matrix`);
  const value = (confusionScores(counts, k) as unknown as Record<string, number>)[name];
  return Number.isFinite(value) ? value : null;
}

export class ClassificationPlan implements MetricPlan {
  readonly n: number;
  readonly rowOrder: Int32Array | null = null;
  /** The plan's rows as plain typed arrays: what `classificationPass` reads (and workers share). */
  readonly arrays: ClassificationArrays;
  private readonly scratch: ClassificationScratch;
  readonly kernel: ResampleKernel;

  constructor(
    data: ClassificationData,
    readonly names: readonly ClassificationMetricName[],
  ) {
    this.n = data.yTrue.length;
    const k = data.classes.length;
    const wants = (m: ClassificationMetricName) => names.includes(m);
    const scores = data.scores ?? null;
    if (names.some((m) => SCORE_METRICS.has(m)) && scores === null) {
      throw new Error(`metrics ${names.filter((m) => SCORE_METRICS.has(m)).join(', ')} need class scores`);
    }
    const ranking =
      wants('roc_auc') || wants('roc_auc_ovr') || wants('roc_auc_ovo') || wants('average_precision');
    // Rows are kept sorted by one score column (the positive class's for two classes), so that
    // column's ranking statistics come out of the same sequential pass as everything else.
    // Resampling does not care about row order.
    const primary = k === 2 ? 1 : 0;
    if (ranking && scores !== null) this.rowOrder = argsort(scoreColumn(scores, k, primary));
    const yTrue = permute(data.yTrue, this.rowOrder);
    const yPred = permute(data.yPred, this.rowOrder);
    const cells = new Int32Array(this.n);
    for (let i = 0; i < this.n; i++) cells[i] = yTrue[i] * k + yPred[i];
    const sorted = scores === null ? null : permuteRows(scores, k, this.rowOrder);
    const views: RankingView[] = [];
    if (ranking && sorted !== null) {
      const columns = k === 2 ? [1] : Array.from({ length: k }, (_, c) => c);
      for (const c of columns) {
        const columnScores = scoreColumn(sorted, k, c);
        const order = c === primary ? null : argsort(columnScores);
        views.push({
          column: c,
          order,
          labels: permute(yTrue, order),
          groupEnds: tieGroupEnds(permute(columnScores, order)),
        });
      }
    }
    const calibration =
      sorted !== null && wants('expected_calibration_error') ? calibrationRows(sorted, yTrue, k) : null;
    this.arrays = {
      k,
      names,
      cells,
      logLoss: sorted !== null && wants('log_loss') ? rowLogLoss(sorted, yTrue, k) : null,
      brier: sorted !== null && wants('brier_score') ? rowBrier(sorted, yTrue, k) : null,
      calibrationBins: calibration?.bin ?? null,
      calibrationGaps: calibration?.gap ?? null,
      calibrationBinCount: ECE_BINS,
      views,
    };
    this.scratch = classificationScratch(this.arrays);
    this.kernel = { pass: classificationPass, scratch: classificationScratch, arrays: this.arrays };
  }

  evaluate(weights: Int32Array, out: Float64Array): void {
    classificationPass(this.arrays, weights, out, this.scratch);
  }

  /** Counts of the confusion matrix from the last `evaluate` (rows true, columns predicted). */
  confusionCounts(): Float64Array {
    return this.scratch.counts.slice();
  }
}

function scoreColumn(scores: Float64Array, k: number, c: number): Float64Array {
  const n = scores.length / k;
  const column = new Float64Array(n);
  for (let i = 0; i < n; i++) column[i] = scores[i * k + c];
  return column;
}

function permute<T extends Int32Array | Float64Array>(values: T, order: Int32Array | null): T {
  if (order === null) return values;
  const out = new (values.constructor as { new (n: number): T })(order.length);
  for (let i = 0; i < order.length; i++) out[i] = values[order[i]];
  return out;
}

function permuteRows(scores: Float64Array, k: number, order: Int32Array | null): Float64Array {
  if (order === null) return scores;
  const out = new Float64Array(scores.length);
  for (let i = 0; i < order.length; i++) {
    for (let c = 0; c < k; c++) out[i * k + c] = scores[order[i] * k + c];
  }
  return out;
}
