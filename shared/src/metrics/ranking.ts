/**
 * ROC AUC and average precision over rows presorted by score, with integer row weights (bootstrap
 * multiplicities; all ones for the point estimate). Sorting and tie grouping happen once per plan;
 * each resample is one branch-light linear pass (random multiplicities make branches unpredictable).
 */

/** Rows sorted by one score column, with the rows that count as positive and as negative marked. */
export interface BinaryView {
  /** Row index at each sorted position; null when rows are already in this order. */
  order: Int32Array | null;
  /** 1 where the row at that sorted position is positive / a counted negative. */
  positive: Uint8Array;
  negative: Uint8Array;
  /** Exclusive end position of each group of tied scores, ascending. */
  groupEnds: Int32Array;
}

/**
 * Area under the ROC curve with ties counted half: for each group of tied scores,
 * positives × (negatives below + tied negatives / 2). Equal to scikit-learn's trapezoid over
 * distinct thresholds. NaN when one side is empty (scikit-learn raises there).
 */
export function weightedRocAuc(view: BinaryView, weights: Int32Array): number {
  const { order, positive, negative, groupEnds } = view;
  let negativesBelow = 0;
  let positives = 0;
  let area = 0;
  let i = 0;
  for (let g = 0; g < groupEnds.length; g++) {
    const end = groupEnds[g];
    let groupPositive = 0;
    let groupNegative = 0;
    for (; i < end; i++) {
      const w = order === null ? weights[i] : weights[order[i]];
      groupPositive += w * positive[i];
      groupNegative += w * negative[i];
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
  const { order, positive, negative, groupEnds } = view;
  let truePositives = 0;
  let falsePositives = 0;
  let sum = 0;
  let i = groupEnds.length > 0 ? groupEnds[groupEnds.length - 1] - 1 : -1;
  for (let g = groupEnds.length - 1; g >= 0; g--) {
    const start = g > 0 ? groupEnds[g - 1] : 0;
    let groupPositive = 0;
    let groupNegative = 0;
    for (; i >= start; i--) {
      const w = order === null ? weights[i] : weights[order[i]];
      groupPositive += w * positive[i];
      groupNegative += w * negative[i];
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

/**
 * A view of rows in `order` (null: as they are, already sorted by `score`): rows labelled
 * `positiveClass` are positive; negatives are `negativeClass`, or every other row when it is -1.
 */
export function binaryView(
  order: Int32Array | null,
  score: Float64Array,
  labels: Int32Array,
  positiveClass: number,
  negativeClass = -1,
): BinaryView {
  const n = labels.length;
  const positive = new Uint8Array(n);
  const negative = new Uint8Array(n);
  const ends: number[] = [];
  let previous = Number.NaN;
  for (let i = 0; i < n; i++) {
    const row = order === null ? i : order[i];
    const label = labels[row];
    positive[i] = label === positiveClass ? 1 : 0;
    negative[i] = label !== positiveClass && (negativeClass < 0 || label === negativeClass) ? 1 : 0;
    if (i > 0 && score[row] !== previous) ends.push(i);
    previous = score[row];
  }
  if (n > 0) ends.push(n);
  return { order, positive, negative, groupEnds: Int32Array.from(ends) };
}
