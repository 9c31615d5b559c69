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
  /** Encoded rows, row-major `rows × width` (float32 for models; float64 where a test wants every digit). */
  matrix: Float32Array | Float64Array;
  rows: number;
  width: number;
  blocks: readonly FeatureBlock[];
  /** The score of the model on a matrix of the same shape (higher is better). */
  score: (matrix: Float32Array | Float64Array) => Promise<number>;
  nRepeats: number;
  seed: number;
  /**
   * Row order of each (feature, repeat): row i of the shuffled block is row `order[i]` of the
   * original. Default: seeded Fisher–Yates shuffles, one stream per feature. Tests pass
   * scikit-learn's own orders to compare with it.
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

/** A seeded uniform shuffle of 0..n-1 (Fisher–Yates). */
export function shuffledOrder(n: number, random: Xoshiro128): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random.nextFloat() * (i + 1));
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}

export async function permutationImportance(
  input: PermutationImportanceInput,
): Promise<PermutationImportanceResult> {
  checkRepeats(input.nRepeats);
  const { matrix, rows, width } = input;
  const baseline = await input.score(matrix);
  // Two working copies, scored in turn with one scoring in flight while the next is prepared: an
  // engine that infers off the main thread (onnxruntime) then runs while this thread reads the
  // previous outputs, so the cost approaches the inference floor. A copy is rewritten only in the
  // shuffled block, which is put back before that copy takes another feature.
  const copies = [0, 1].map(() => ({
    rows: new (matrix.constructor as Float32ArrayConstructor | Float64ArrayConstructor)(matrix),
    dirty: null as FeatureBlock | null,
    pending: null as Promise<void> | null,
  }));
  const repeats: number[][] = input.blocks.map(() => []);
  let turn = 0;
  for (let f = 0; f < input.blocks.length; f++) {
    const block = input.blocks[f];
    // One stream per feature: adding or dropping a feature leaves the others' shuffles as they were.
    const random = new Xoshiro128(input.seed, f + 1);
    const column = gatherBlock(matrix, block, width, rows);
    for (let r = 0; r < input.nRepeats; r++, turn++) {
      const order = input.permutation ? input.permutation(f, r) : shuffledOrder(rows, random);
      const copy = copies[turn % 2];
      if (copy.pending) await copy.pending;
      if (copy.dirty && copy.dirty !== block) restoreBlock(matrix, copy.rows, copy.dirty, width, rows);
      shuffleBlock(column, copy.rows, block, width, rows, order);
      copy.dirty = block;
      copy.pending = input.score(copy.rows).then((score) => {
        repeats[f][r] = baseline - score;
      });
    }
  }
  await Promise.all(copies.map((copy) => copy.pending));
  const features: FeatureImportance[] = input.blocks.map((block, f) => {
    const values = repeats[f];
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
    return { feature: block.feature, mean, std: Math.sqrt(variance), repeats: values };
  });
  return { baseline, features, scorings: 1 + input.blocks.length * input.nRepeats };
}

/** Writes `from`'s block into `to`, row i taking row i itself: undoes a shuffle. */
function restoreBlock(
  from: Float32Array | Float64Array,
  to: Float32Array | Float64Array,
  block: FeatureBlock,
  width: number,
  rows: number,
): void {
  for (let i = 0; i < rows; i++) {
    const at = i * width + block.start;
    for (let s = 0; s < block.width; s++) to[at + s] = from[at + s];
  }
}

/** A feature's block of every row, contiguous (`rows × block.width`). */
function gatherBlock(
  matrix: Float32Array | Float64Array,
  block: FeatureBlock,
  width: number,
  rows: number,
): Float32Array | Float64Array {
  const out = new (matrix.constructor as Float32ArrayConstructor | Float64ArrayConstructor)(
    rows * block.width,
  );
  for (let i = 0; i < rows; i++) {
    for (let s = 0; s < block.width; s++) out[i * block.width + s] = matrix[i * width + block.start + s];
  }
  return out;
}

/**
 * Writes the gathered block into `to`, row i taking row order[i]. Reading the shuffled rows from
 * the small contiguous copy, not the whole matrix, keeps the random reads in cache.
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
  for (let i = 0; i < rows; i++) {
    const target = i * width + block.start;
    const source = order[i] * bw;
    for (let s = 0; s < bw; s++) to[target + s] = column[source + s];
  }
}
