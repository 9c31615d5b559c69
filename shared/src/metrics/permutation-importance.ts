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
  const shuffled = new (matrix.constructor as Float32ArrayConstructor | Float64ArrayConstructor)(
    matrix.length,
  );
  const features: FeatureImportance[] = [];
  for (let f = 0; f < input.blocks.length; f++) {
    const block = input.blocks[f];
    // One stream per feature: adding or dropping a feature leaves the others' shuffles as they were.
    const random = new Xoshiro128(input.seed, f + 1);
    const repeats: number[] = [];
    for (let r = 0; r < input.nRepeats; r++) {
      const order = input.permutation ? input.permutation(f, r) : shuffledOrder(rows, random);
      shuffled.set(matrix);
      for (let i = 0; i < rows; i++) {
        const to = i * width + block.start;
        const from = order[i] * width + block.start;
        for (let s = 0; s < block.width; s++) shuffled[to + s] = matrix[from + s];
      }
      repeats.push(baseline - (await input.score(shuffled)));
    }
    const mean = repeats.reduce((a, b) => a + b, 0) / repeats.length;
    const variance = repeats.reduce((a, b) => a + (b - mean) ** 2, 0) / repeats.length;
    features.push({ feature: block.feature, mean, std: Math.sqrt(variance), repeats });
  }
  return { baseline, features, scorings: 1 + input.blocks.length * input.nRepeats };
}
