import { calibrationBin, ECE_BINS } from './calibration.js';
import { argsort } from './ranking.js';

/**
 * Curves for the report, with scikit-learn 1.2.1's definitions (checked by test/golden/curves.py):
 * `roc_curve(drop_intermediate=False)` and `precision_recall_curve`, both over the distinct scores
 * of the positive class, and a reliability diagram over the ECE's 15 equal-width bins.
 */
export interface RocCurve {
  fpr: number[];
  tpr: number[];
  /** Descending; the first (no row predicted positive) is the highest score + 1, as scikit-learn 1.2.1 gives it. */
  thresholds: number[];
}

export interface PrCurve {
  /** Ordered by increasing threshold, ending with precision 1 at recall 0, as scikit-learn does. */
  precision: number[];
  recall: number[];
  thresholds: number[];
}

/** Cumulative true and false positives at each distinct score, from the highest score down. */
function cumulativeCounts(score: Float64Array, positive: Uint8Array) {
  const order = argsort(score);
  const tps: number[] = [];
  const fps: number[] = [];
  const thresholds: number[] = [];
  let tp = 0;
  let fp = 0;
  for (let i = order.length - 1; i >= 0; i--) {
    const row = order[i];
    if (positive[row]) tp++;
    else fp++;
    // The end of a run of equal scores (the next lower score differs, or no rows remain).
    if (i === 0 || score[order[i - 1]] !== score[row]) {
      tps.push(tp);
      fps.push(fp);
      thresholds.push(score[row]);
    }
  }
  return { tps, fps, thresholds };
}

/** null when one class is absent (the curve is undefined, as scikit-learn warns). */
export function rocCurve(score: Float64Array, positive: Uint8Array): RocCurve | null {
  const { tps, fps, thresholds } = cumulativeCounts(score, positive);
  const p = tps[tps.length - 1] ?? 0;
  const n = fps[fps.length - 1] ?? 0;
  if (p === 0 || n === 0) return null;
  return {
    fpr: [0, ...fps.map((f) => f / n)],
    tpr: [0, ...tps.map((t) => t / p)],
    thresholds: [thresholds[0] + 1, ...thresholds],
  };
}

/** null without positive rows. */
export function precisionRecallCurve(score: Float64Array, positive: Uint8Array): PrCurve | null {
  const { tps, fps, thresholds } = cumulativeCounts(score, positive);
  const p = tps[tps.length - 1] ?? 0;
  if (p === 0) return null;
  // Every distinct score (scikit-learn 1.2.1 keeps the thresholds past full recall too), lowest first.
  const precision: number[] = [];
  const recall: number[] = [];
  const kept: number[] = [];
  for (let i = tps.length - 1; i >= 0; i--) {
    precision.push(tps[i] / (tps[i] + fps[i]));
    recall.push(tps[i] / p);
    kept.push(thresholds[i]);
  }
  precision.push(1);
  recall.push(0);
  return { precision, recall, thresholds: kept };
}

export interface ReliabilityBin {
  /** Upper edge of the bin; the bin is (upper − 1/15, upper]. */
  upper: number;
  rows: number;
  /** Mean top-class probability of the bin's rows. */
  confidence: number;
  /** Share of the bin's rows whose top class is the true class. */
  accuracy: number;
}

/** The reliability diagram behind the expected calibration error (its bins; bins with rows only). */
export function reliabilityBins(scores: Float64Array, labels: Int32Array, k: number): ReliabilityBin[] {
  const rows = new Float64Array(ECE_BINS);
  const confidence = new Float64Array(ECE_BINS);
  const correct = new Float64Array(ECE_BINS);
  for (let i = 0; i < labels.length; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (scores[i * k + c] > scores[i * k + best]) best = c;
    const top = scores[i * k + best];
    const b = calibrationBin(top);
    rows[b]++;
    confidence[b] += top;
    if (best === labels[i]) correct[b]++;
  }
  const out: ReliabilityBin[] = [];
  for (let b = 0; b < ECE_BINS; b++) {
    if (rows[b] === 0) continue;
    out.push({
      upper: (b + 1) / ECE_BINS,
      rows: rows[b],
      confidence: confidence[b] / rows[b],
      accuracy: correct[b] / rows[b],
    });
  }
  return out;
}

/** Equal-count bins of a regression's rows by prediction, for a predicted-against-actual plot. */
export interface RegressionBin {
  rows: number;
  /** Lowest and highest prediction in the bin. */
  from: number;
  to: number;
  /** Mean prediction and mean actual target of the bin's rows. */
  predicted: number;
  actual: number;
}

/** Bins of a regression plot: enough to show a bend, few enough to read in a table. */
export const REGRESSION_BINS = 20;

/**
 * Rows sorted by prediction (stable, as numpy's `argsort(kind="stable")`) and cut into `bins`
 * runs of equal size as `numpy.array_split` cuts them (the first `n % bins` runs one row longer).
 * A well-calibrated model's bins sit on the diagonal; a bend shows where it over- or
 * under-predicts, which a single R² or MAE hides.
 */
export function regressionBins(
  yTrue: Float64Array,
  yPred: Float64Array,
  bins = REGRESSION_BINS,
): RegressionBin[] {
  const n = yPred.length;
  if (n === 0) return [];
  const order = argsort(yPred);
  const count = Math.min(bins, n);
  const base = Math.floor(n / count);
  const longer = n % count;
  const out: RegressionBin[] = [];
  let at = 0;
  for (let b = 0; b < count; b++) {
    const size = base + (b < longer ? 1 : 0);
    let predicted = 0;
    let actual = 0;
    for (let i = at; i < at + size; i++) {
      predicted += yPred[order[i]];
      actual += yTrue[order[i]];
    }
    out.push({
      rows: size,
      from: yPred[order[at]],
      to: yPred[order[at + size - 1]],
      predicted: predicted / size,
      actual: actual / size,
    });
    at += size;
  }
  return out;
}
