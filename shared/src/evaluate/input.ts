import { UserError } from '../errors/index.js';
import type { ClassificationData, EvaluationRows, RegressionData } from '../metrics/index.js';

/** Everything the metrics need, whichever way the predictions came (model or file). */
export type EvaluationInput = EvaluationRows & {
  rows: number;
  /** Values of each slice column per row, as text (null for SQL NULL). */
  slices: Record<string, (string | null)[]>;
  /**
   * Each row's 0-based position in the evaluated data, where rows were left out (a null target)
   * or the file says so (a `row_id` column); absent: row i is data row i.
   */
  rowIds?: Float64Array;
};

export type ClassificationInput = { task: 'classification'; data: ClassificationData };
export type RegressionInput = { task: 'regression'; data: RegressionData };

/** Maps label text to class indices; a label outside `classes` is the user's error, named with examples. */
export function encodeLabels(
  labels: readonly (string | null)[],
  classes: readonly string[],
  what: string,
): Int32Array {
  const index = new Map(classes.map((c, i) => [c, i]));
  const out = new Int32Array(labels.length);
  const unknown = new Map<string, number>();
  let firstRow = -1;
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i];
    const c = label === null ? undefined : index.get(label);
    if (c === undefined) {
      const key = label === null ? '(missing)' : JSON.stringify(label);
      unknown.set(key, (unknown.get(key) ?? 0) + 1);
      if (firstRow < 0) firstRow = i;
      continue;
    }
    out[i] = c;
  }
  if (unknown.size > 0) {
    const count = [...unknown.values()].reduce((a, b) => a + b, 0);
    const examples = [...unknown.keys()].slice(0, 5).join(', ');
    throw new UserError(
      `${what} has ${count} row(s) with labels that are not among the model's classes [${classes.map((c) => JSON.stringify(c)).join(', ')}]: ${examples} (first at row ${firstRow + 1}).`,
    );
  }
  return out;
}

/**
 * Rejects NaN and ±Infinity, naming the first row (1-based; `firstRow` is the 0-based row number
 * of the first value, when `values` are a batch of a longer set of rows).
 */
export function checkFinite(values: ArrayLike<number>, what: string, stride = 1, firstRow = 0): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new UserError(
        `${what} is ${values[i]} at row ${firstRow + Math.floor(i / stride) + 1}; predictions must be finite numbers.`,
      );
    }
  }
}

/**
 * Scores must be probabilities: each in [0, 1] and each row summing to 1 within `tolerance`
 * (float32 softmax outputs sum to 1 within ~1e-7; logits or unnormalised scores are far off).
 */
export const PROBABILITY_TOLERANCE = 1e-4;

export function checkProbabilities(
  scores: Float32Array | Float64Array,
  k: number,
  what: string,
  firstRow = 0,
): void {
  const found = firstImprobableRow(scores, k);
  if (found < 0) return;
  // Rows are named in the whole set of rows when `scores` is a batch starting at `firstRow`.
  const at = found * k;
  const bad = firstRow + found;
  // The first row that fails, checked value by value for the message. A NaN fails every
  // comparison, so `!(p >= lo && p <= hi)` catches it too, and gets the finite check's message.
  const lo = -PROBABILITY_TOLERANCE;
  const hi = 1 + PROBABILITY_TOLERANCE;
  let sum = 0;
  for (let c = 0; c < k; c++) {
    const p = scores[at + c];
    if (!(p >= lo && p <= hi)) {
      if (!Number.isFinite(p)) checkFinite(scores, what, k, firstRow);
      throw new UserError(
        `${what} has ${p} at row ${bad + 1}, outside [0, 1]: scores must be probabilities, not logits.`,
      );
    }
    sum += p;
  }
  throw new UserError(
    `${what}: the class probabilities of row ${bad + 1} sum to ${sum}, not 1 (tolerance ${PROBABILITY_TOLERANCE}). Apply softmax, or give probabilities.`,
  );
}

/**
 * The first row (0-based) with a score outside [0, 1] or NaN, or whose scores do not sum to 1,
 * within the tolerance; -1 when every row is probabilities. Two and three classes are written out
 * (`probable2`, `probable3`): the loop over classes costs more than the comparisons themselves,
 * and permutation importance checks every row at each re-scoring. Each sums in the loop's order,
 * so a row passes alike.
 */
function firstImprobableRow(scores: Float32Array | Float64Array, k: number): number {
  const rows = scores.length / k;
  if (k === 2) {
    for (let i = 0, at = 0; i < rows; i++, at += 2) if (!probable2(scores[at], scores[at + 1])) return i;
    return -1;
  }
  if (k === 3) {
    for (let i = 0, at = 0; i < rows; i++, at += 3) {
      if (!probable3(scores[at], scores[at + 1], scores[at + 2])) return i;
    }
    return -1;
  }
  const lo = -PROBABILITY_TOLERANCE;
  const hi = 1 + PROBABILITY_TOLERANCE;
  for (let i = 0, at = 0; i < rows; i++, at += k) {
    let sum = 0;
    for (let c = 0; c < k; c++) {
      const p = scores[at + c];
      if (!(p >= lo && p <= hi)) return i;
      sum += p;
    }
    if (!(Math.abs(sum - 1) <= PROBABILITY_TOLERANCE)) return i;
  }
  return -1;
}

const LOW = -PROBABILITY_TOLERANCE;
const HIGH = 1 + PROBABILITY_TOLERANCE;

function probable2(a: number, b: number): boolean {
  return a >= LOW && a <= HIGH && b >= LOW && b <= HIGH && Math.abs(a + b - 1) <= PROBABILITY_TOLERANCE;
}

function probable3(a: number, b: number, c: number): boolean {
  const inRange = a >= LOW && a <= HIGH && b >= LOW && b <= HIGH && c >= LOW && c <= HIGH;
  return inRange && Math.abs(a + b + c - 1) <= PROBABILITY_TOLERANCE;
}

/** argmax of two scores, first on ties: the comparison as a 0/1 number, no branch. */
function argmax2(a: number, b: number): number {
  return +(b > a);
}

/** argmax of three scores, first on ties: b beats a, then c must beat b; otherwise c must beat a. */
function argmax3(a: number, b: number, c: number): number {
  const bWins = +(b > a);
  return bWins * (1 + +(c > b)) + (1 - bWins) * 2 * +(c > a);
}

/**
 * The predicted class of each row of class scores: checks they are probabilities, with
 * `checkProbabilities`'s messages, and takes `argmaxRows` into `out` (reused when given). Two and
 * three classes do both in one pass over the scores, what a re-scoring reads most.
 */
export function predictedClasses(
  scores: Float32Array | Float64Array,
  k: number,
  what: string,
  out: Int32Array = new Int32Array(scores.length / k),
): Int32Array {
  const rows = scores.length / k;
  if (k === 2) {
    for (let i = 0, at = 0; i < rows; i++, at += 2) {
      const a = scores[at];
      const b = scores[at + 1];
      if (!probable2(a, b)) checkProbabilities(scores, k, what);
      out[i] = argmax2(a, b);
    }
    return out;
  }
  if (k === 3) {
    for (let i = 0, at = 0; i < rows; i++, at += 3) {
      const a = scores[at];
      const b = scores[at + 1];
      const c = scores[at + 2];
      if (!probable3(a, b, c)) checkProbabilities(scores, k, what);
      out[i] = argmax3(a, b, c);
    }
    return out;
  }
  checkProbabilities(scores, k, what);
  return argmaxRows(scores, k, out);
}

/**
 * `predictedClasses` tallied against the true classes into confusion counts (`counts[t * k + p]`
 * incremented, row = true class), without keeping the per-row classes: the same probability check
 * with the same messages and the same argmax, in one pass, for a caller that needs only the
 * confusion matrix of many scorings (permutation importance), batch by batch: `scores` and
 * `yTrue` are rows `firstRow`.. of the whole, which messages name.
 */
export function tallyPredictions(
  scores: Float32Array | Float64Array,
  k: number,
  what: string,
  yTrue: Int32Array,
  counts: Float64Array,
  firstRow = 0,
): void {
  const rows = scores.length / k;
  if (k === 2) {
    for (let i = 0, at = 0; i < rows; i++, at += 2) {
      const a = scores[at];
      const b = scores[at + 1];
      if (!probable2(a, b)) checkProbabilities(scores, k, what, firstRow);
      counts[yTrue[i] * 2 + argmax2(a, b)]++;
    }
    return;
  }
  if (k === 3) {
    for (let i = 0, at = 0; i < rows; i++, at += 3) {
      const a = scores[at];
      const b = scores[at + 1];
      const c = scores[at + 2];
      if (!probable3(a, b, c)) checkProbabilities(scores, k, what, firstRow);
      counts[yTrue[i] * 3 + argmax3(a, b, c)]++;
    }
    return;
  }
  checkProbabilities(scores, k, what, firstRow);
  const predicted = argmaxRows(scores, k);
  for (let i = 0; i < rows; i++) counts[yTrue[i] * k + predicted[i]]++;
}

/**
 * Index of the highest score per row (first on ties, like argmax), into `out` when given (reused).
 * Two and three classes take their comparisons as 0/1 numbers rather than branches (`argmax2`,
 * `argmax3`): which class wins varies from row to row, so branches mispredict often, and the
 * arithmetic form runs several times faster. Each makes the same comparisons as the loop, so ties
 * and NaN resolve alike.
 */
export function argmaxRows(
  scores: Float32Array | Float64Array,
  k: number,
  out: Int32Array = new Int32Array(scores.length / k),
): Int32Array {
  const rows = scores.length / k;
  if (k === 2) {
    for (let i = 0, at = 0; i < rows; i++, at += 2) out[i] = argmax2(scores[at], scores[at + 1]);
    return out;
  }
  if (k === 3) {
    for (let i = 0, at = 0; i < rows; i++, at += 3)
      out[i] = argmax3(scores[at], scores[at + 1], scores[at + 2]);
    return out;
  }
  for (let i = 0, at = 0; i < rows; i++, at += k) {
    let best = 0;
    let top = scores[at];
    for (let c = 1; c < k; c++) {
      const v = scores[at + c];
      if (v > top) {
        top = v;
        best = c;
      }
    }
    out[i] = best;
  }
  return out;
}
