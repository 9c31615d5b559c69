import { type CalibrationRows, calibrationRows, weightedCalibrationError } from './calibration.js';
import { confusionScores } from './confusion.js';
import { BINARY_ONLY_METRICS, type ClassificationMetricName, SCORE_METRICS } from './names.js';
import type { MetricPlan } from './plan.js';
import { argsort, type BinaryView, binaryView, weightedAveragePrecision, weightedRocAuc } from './ranking.js';

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

export class ClassificationPlan implements MetricPlan {
  readonly n: number;
  readonly rowOrder: Int32Array | null = null;
  private readonly k: number;
  private readonly yTrue: Int32Array;
  private readonly yPred: Int32Array;
  /** One view per class (rows of that class positive, sorted by its score); built only if needed. */
  private readonly classViews: BinaryView[] = [];
  /** One-vs-one views: class a's score, a positive vs b; and b's score, b positive vs a. */
  private readonly pairViews: { viewA: BinaryView; viewB: BinaryView }[] = [];
  private readonly logLoss?: Float64Array;
  private readonly brier?: Float64Array;
  private readonly calibration?: CalibrationRows;
  private readonly counts: Float64Array;

  constructor(
    data: ClassificationData,
    readonly names: readonly ClassificationMetricName[],
  ) {
    this.n = data.yTrue.length;
    this.k = data.classes.length;
    const k = this.k;
    this.counts = new Float64Array(k * k);
    const wants = (m: ClassificationMetricName) => names.includes(m);
    const scores = data.scores ?? null;
    if (names.some((m) => SCORE_METRICS.has(m)) && scores === null) {
      throw new Error(`metrics ${names.filter((m) => SCORE_METRICS.has(m)).join(', ')} need class scores`);
    }
    const ranking =
      wants('roc_auc') || wants('roc_auc_ovr') || wants('roc_auc_ovo') || wants('average_precision');
    // Rows are kept sorted by one score column (the positive class's for two classes), so that
    // column's ranking passes read weights sequentially. Resampling does not care about row order.
    const primary = k === 2 ? 1 : 0;
    if (ranking && scores !== null) this.rowOrder = argsort(scoreColumn(scores, k, primary));
    this.yTrue = permute(data.yTrue, this.rowOrder);
    this.yPred = permute(data.yPred, this.rowOrder);
    if (scores === null) return;
    const sorted = permuteRows(scores, k, this.rowOrder);
    if (ranking) {
      const columns = k === 2 ? [1] : Array.from({ length: k }, (_, c) => c);
      const classOrders: (Int32Array | null)[] = [];
      const classScores: Float64Array[] = [];
      for (const c of columns) {
        classScores[c] = scoreColumn(sorted, k, c);
        classOrders[c] = c === primary ? null : argsort(classScores[c]);
        this.classViews[c] = binaryView(classOrders[c], classScores[c], this.yTrue, c);
      }
      if (k > 2 && wants('roc_auc_ovo')) {
        for (let a = 0; a < k; a++) {
          for (let b = a + 1; b < k; b++) {
            this.pairViews.push({
              viewA: binaryView(classOrders[a], classScores[a], this.yTrue, a, b),
              viewB: binaryView(classOrders[b], classScores[b], this.yTrue, b, a),
            });
          }
        }
      }
    }
    if (wants('log_loss')) this.logLoss = rowLogLoss(sorted, this.yTrue, k);
    if (wants('brier_score')) this.brier = rowBrier(sorted, this.yTrue, k);
    if (wants('expected_calibration_error')) this.calibration = calibrationRows(sorted, this.yTrue, k);
  }

  evaluate(weights: Int32Array, out: Float64Array): void {
    const { k, yTrue, yPred, counts } = this;
    counts.fill(0);
    let total = 0;
    for (let i = 0; i < this.n; i++) {
      const w = weights[i];
      counts[yTrue[i] * k + yPred[i]] += w;
      total += w;
    }
    const confusion = confusionScores(counts, k);
    for (let j = 0; j < this.names.length; j++) {
      const name = this.names[j];
      if (k !== 2 && BINARY_ONLY_METRICS.has(name)) {
        out[j] = Number.NaN;
        continue;
      }
      switch (name) {
        case 'roc_auc':
          out[j] = weightedRocAuc(this.classViews[1], weights);
          break;
        case 'roc_auc_ovr':
          out[j] =
            k === 2 ? weightedRocAuc(this.classViews[1], weights) : this.oneVsRest(weights, weightedRocAuc);
          break;
        case 'roc_auc_ovo':
          out[j] = k === 2 ? weightedRocAuc(this.classViews[1], weights) : this.oneVsOne(weights);
          break;
        case 'average_precision':
          out[j] =
            k === 2
              ? weightedAveragePrecision(this.classViews[1], weights)
              : this.oneVsRest(weights, weightedAveragePrecision);
          break;
        case 'log_loss':
          out[j] = weightedMean(this.logLoss!, weights, total);
          break;
        case 'brier_score':
          out[j] = weightedMean(this.brier!, weights, total);
          break;
        case 'expected_calibration_error':
          out[j] = weightedCalibrationError(this.calibration!, weights);
          break;
        default:
          out[j] = confusion[name];
      }
    }
  }

  /** Counts of the confusion matrix from the last `evaluate` (rows true, columns predicted). */
  confusionCounts(): Float64Array {
    return this.counts.slice();
  }

  /** Macro average over classes; NaN if any class's score is undefined (scikit-learn raises there). */
  private oneVsRest(weights: Int32Array, score: (view: BinaryView, weights: Int32Array) => number): number {
    let sum = 0;
    for (let c = 0; c < this.k; c++) sum += score(this.classViews[c], weights);
    return sum / this.k;
  }

  /** Hand & Till (2001) as scikit-learn: mean over class pairs of the two one-way AUCs' mean. */
  private oneVsOne(weights: Int32Array): number {
    let sum = 0;
    for (const { viewA, viewB } of this.pairViews) {
      sum += (weightedRocAuc(viewA, weights) + weightedRocAuc(viewB, weights)) / 2;
    }
    return sum / this.pairViews.length;
  }
}

/** Σ w·x / Σ w with Neumaier compensation, so a million rows sum as exactly as numpy's pairwise sum. */
export function weightedMean(values: Float64Array, weights: Int32Array, total: number): number {
  let sum = 0;
  let compensation = 0;
  for (let i = 0; i < values.length; i++) {
    const term = weights[i] * values[i];
    const t = sum + term;
    compensation += Math.abs(sum) >= Math.abs(term) ? sum - t + term : term - t + sum;
    sum = t;
  }
  return (sum + compensation) / total;
}

function scoreColumn(scores: Float64Array, k: number, c: number): Float64Array {
  const n = scores.length / k;
  const column = new Float64Array(n);
  for (let i = 0; i < n; i++) column[i] = scores[i * k + c];
  return column;
}

function permute(values: Int32Array, order: Int32Array | null): Int32Array {
  if (order === null) return values;
  const out = new Int32Array(order.length);
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
