import { UserError } from '../errors/index.js';
import { Xoshiro128 } from './random.js';

/**
 * Permutation importance with scikit-learn's `permutation_importance` semantics: the importance of
 * a feature is the score on the data as it is minus the score with that feature's values shuffled
 * across rows, repeated `nRepeats` times; the result is their mean and (population, ddof 0)
 * standard deviation, and every repeat's value. Scores are "higher is better" (a loss enters
 * negated, as scikit-learn's `neg_*` scorers do), so a positive importance means the model leans
 * on the feature.
 *
 * Features are the model's raw input columns. Each feature fills a contiguous block of the encoded
 * input row (one slot for a number, one per category, one per date part), and encoding is per
 * value, so shuffling a raw column across rows is exactly shuffling the rows of its block: the
 * encoded matrix is built once and never re-encoded.
 */
export interface FeatureBlock {
  feature: string;
  /** First slot of the feature in an encoded row. */
  start: number;
  width: number;
}

export interface PermutationImportanceInput {
  /**
   * Encoded rows, row-major `rows × width` (float32 for models; float64 where a test wants every
   * digit). Shuffled in place during the call, one block at a time, and returned to its values
   * before the call ends (also when it throws): do not read it from elsewhere meanwhile.
   */
  matrix: Float32Array | Float64Array;
  rows: number;
  width: number;
  blocks: readonly FeatureBlock[];
  /**
   * The score of the model on a matrix of the same shape (higher is better). It is `matrix`,
   * rewritten between calls: read it during the call, keep nothing of it.
   */
  score: (matrix: Float32Array | Float64Array) => Promise<number>;
  nRepeats: number;
  seed: number;
  /**
   * Row order of each (feature, repeat): row i of the shuffled block is row `order[i]` of the
   * original. Default: `shuffledOrder` of one stream (`seed`, stream 1), one order per repeat,
   * the same for every feature, as in scikit-learn. Tests pass scikit-learn's own orders to
   * compare with it.
   */
  permutation?: (feature: number, repeat: number) => Int32Array;
}

export interface FeatureImportance {
  feature: string;
  mean: number;
  std: number;
  /** Importance of each repeat. */
  repeats: number[];
}

export interface PermutationImportanceResult {
  baseline: number;
  /** In the order of `blocks`. */
  features: FeatureImportance[];
  /** Model scorings done (1 + features × repeats): the floor's unit of work. */
  scorings: number;
}

export function checkRepeats(nRepeats: number): void {
  if (!Number.isInteger(nRepeats) || nRepeats < 1) {
    throw new UserError(
      `importance-repeats must be a whole number of shuffles per feature, at least 1; got ${nRepeats}.`,
      { input: 'importance-repeats' },
    );
  }
}

/** A seeded uniform shuffle of 0..n-1 (Fisher–Yates), into `order` when given (reused). */
export function shuffledOrder(n: number, random: Xoshiro128, order = new Int32Array(n)): Int32Array {
  for (let i = 0; i < n; i++) order[i] = i;
  random.shuffle(order);
  return order;
}

export async function permutationImportance(
  input: PermutationImportanceInput,
): Promise<PermutationImportanceResult> {
  checkRepeats(input.nRepeats);
  const { matrix, rows, width } = input;
  const baseline = await input.score(matrix);
  // scikit-learn's scheme: every feature is shuffled with the same sequence of row orders (it
  // seeds one RandomState per column with the same seed), so the orders are drawn once, one per
  // repeat, from one stream, and adding or dropping a feature changes no other feature's shuffles.
  // Drawing them once, not once per feature, leaves each scoring one pass that writes the block's
  // rows in order `order` into the matrix.
  const orders: Int32Array[] = [];
  const drawn = input.permutation ? null : new Xoshiro128(input.seed, 1);
  const orderOf = (f: number, r: number): Int32Array => {
    if (input.permutation) return input.permutation(f, r);
    orders[r] ??= shuffledOrder(rows, drawn!);
    return orders[r];
  };
  // The matrix itself is the working copy: one feature's block at a time is shuffled in it and put
  // back (from `column`) before the next, also when a scoring throws, so the caller gets its rows
  // back unchanged; no copy of the whole matrix. Scorings run one after another:
  // onnxruntime-node's `session.run` computes synchronously on this thread (so do TF.js's CPU and
  // WASM backends), so a second copy scored in flight would overlap nothing.
  const Values = matrix.constructor as Float32ArrayConstructor | Float64ArrayConstructor;
  const original = new Values(rows * Math.max(0, ...input.blocks.map((b) => b.width)));
  const repeats: number[][] = input.blocks.map(() => []);
  for (let f = 0; f < input.blocks.length; f++) {
    const block = input.blocks[f];
    const column = original.subarray(0, rows * block.width);
    gatherBlock(matrix, block, width, rows, column);
    try {
      for (let r = 0; r < input.nRepeats; r++) {
        shuffleBlock(column, matrix, block, width, rows, orderOf(f, r));
        repeats[f][r] = baseline - (await input.score(matrix));
      }
    } finally {
      writeBlock(column, matrix, block, width, rows);
    }
  }
  const features: FeatureImportance[] = input.blocks.map((block, f) => {
    const values = repeats[f];
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
    return { feature: block.feature, mean, std: Math.sqrt(variance), repeats: values };
  });
  return { baseline, features, scorings: 1 + input.blocks.length * input.nRepeats };
}

/** A feature's block of every row, contiguous (`rows × block.width`), into `out`. */
function gatherBlock(
  matrix: Float32Array | Float64Array,
  block: FeatureBlock,
  width: number,
  rows: number,
  out: Float32Array | Float64Array,
): void {
  for (let i = 0; i < rows; i++) {
    for (let s = 0; s < block.width; s++) out[i * block.width + s] = matrix[i * width + block.start + s];
  }
}

/** Writes a block's rows (contiguous, `rows × block.width`) into their slots of every row of `to`. */
function writeBlock(
  values: Float32Array | Float64Array,
  to: Float32Array | Float64Array,
  block: FeatureBlock,
  width: number,
  rows: number,
): void {
  const bw = block.width;
  if (bw === 1) {
    for (let i = 0, at = block.start; i < rows; i++, at += width) to[at] = values[i];
    return;
  }
  for (let i = 0, at = block.start, from = 0; i < rows; i++, at += width) {
    for (let s = 0; s < bw; s++, from++) to[at + s] = values[from];
  }
}

/**
 * Writes the gathered block into `to`, row i taking row order[i]. Reading the shuffled rows from
 * the small contiguous copy, not the whole matrix, keeps the random reads in cache. Blocks of one,
 * two and three slots (a number, a two- or three-category one-hot) are written out: the loop over
 * the slots costs more than the copies themselves (about a third of a three-slot block's time).
 */
function shuffleBlock(
  column: Float32Array | Float64Array,
  to: Float32Array | Float64Array,
  block: FeatureBlock,
  width: number,
  rows: number,
  order: Int32Array,
): void {
  const bw = block.width;
  if (bw === 1) {
    for (let i = 0, at = block.start; i < rows; i++, at += width) to[at] = column[order[i]];
    return;
  }
  if (bw === 2) {
    for (let i = 0, at = block.start; i < rows; i++, at += width) {
      const from = order[i] * 2;
      to[at] = column[from];
      to[at + 1] = column[from + 1];
    }
    return;
  }
  if (bw === 3) {
    for (let i = 0, at = block.start; i < rows; i++, at += width) {
      const from = order[i] * 3;
      to[at] = column[from];
      to[at + 1] = column[from + 1];
      to[at + 2] = column[from + 2];
    }
    return;
  }
  for (let i = 0, at = block.start; i < rows; i++, at += width) {
    const from = order[i] * bw;
    for (let s = 0; s < bw; s++) to[at + s] = column[from + s];
  }
}
