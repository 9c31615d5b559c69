/**
 * ROC AUC and average precision over rows presorted by score, with integer row weights (bootstrap
 * multiplicities; all ones for the point estimate). Sorting happens once per plan; each resample
 * is one linear pass.
 */

/** Which rows count, and which of them are positive: `positive` vs `negative`, or vs all others when `negative` is -1. */
export interface BinaryView {
  /** Row indices by ascending score. */
  order: Int32Array;
  /** Scores and labels in that order (so a pass reads them sequentially). */
  sortedScore: Float64Array;
  sortedLabel: Int32Array;
  positive: number;
  negative: number;
}

/**
 * Area under the ROC curve with ties counted half: for each group of tied scores,
 * positives × (negatives below + tied negatives / 2). Equal to scikit-learn's trapezoid over
 * distinct thresholds. NaN when one side is empty (scikit-learn raises there).
 */
export function weightedRocAuc(view: BinaryView, weights: Int32Array): number {
  const { order, sortedScore, sortedLabel, positive, negative } = view;
  const n = order.length;
  let negativesBelow = 0;
  let area = 0;
  let positives = 0;
  let i = 0;
  while (i < n) {
    const s = sortedScore[i];
    let groupPositive = 0;
    let groupNegative = 0;
    while (i < n && sortedScore[i] === s) {
      const w = weights[order[i]];
      const label = sortedLabel[i];
      if (label === positive) groupPositive += w;
      else if (negative < 0 || label === negative) groupNegative += w;
      i++;
    }
    area += groupPositive * (negativesBelow + groupNegative / 2);
    negativesBelow += groupNegative;
    positives += groupPositive;
  }
  if (positives === 0 || negativesBelow === 0) return Number.NaN;
  return area / (positives * negativesBelow);
}

/**
 * Average precision, step-wise (scikit-learn's definition, no interpolation): Σ (ΔTP / P) ×
 * precision over distinct thresholds from the highest score down. 0 when there is no positive,
 * as scikit-learn 1.2 returns (it sets recall to 1 for every threshold).
 */
export function weightedAveragePrecision(view: BinaryView, weights: Int32Array): number {
  const { order, sortedScore, sortedLabel, positive, negative } = view;
  let truePositives = 0;
  let falsePositives = 0;
  let sum = 0;
  let i = order.length - 1;
  while (i >= 0) {
    const s = sortedScore[i];
    let groupPositive = 0;
    let groupNegative = 0;
    while (i >= 0 && sortedScore[i] === s) {
      const w = weights[order[i]];
      const label = sortedLabel[i];
      if (label === positive) groupPositive += w;
      else if (negative < 0 || label === negative) groupNegative += w;
      i--;
    }
    truePositives += groupPositive;
    falsePositives += groupNegative;
    if (groupPositive > 0) sum += (groupPositive * truePositives) / (truePositives + falsePositives);
  }
  return truePositives === 0 ? 0 : sum / truePositives;
}

/** Row indices sorted by ascending value (stable). */
export function argsort(values: Float64Array): Int32Array {
  const order = new Int32Array(values.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  // A typed-array sort with a comparator is stable in V8 since 7.0.
  order.sort((a, b) => values[a] - values[b] || a - b);
  return order;
}

/** A view of rows sorted by one score column, for one positive (and optional negative) class. */
export function binaryView(
  order: Int32Array,
  score: Float64Array,
  labels: Int32Array,
  positive: number,
  negative = -1,
): BinaryView {
  const sortedScore = new Float64Array(order.length);
  const sortedLabel = new Int32Array(order.length);
  for (let i = 0; i < order.length; i++) {
    sortedScore[i] = score[order[i]];
    sortedLabel[i] = labels[order[i]];
  }
  return { order, sortedScore, sortedLabel, positive, negative };
}
