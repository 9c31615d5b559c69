import { describe, expect, it } from 'vitest';
import { UserError } from '../../../shared/src/errors/index.js';
import {
  argmaxRows,
  checkProbabilities,
  predictedClasses,
  tallyPredictions,
} from '../../../shared/src/evaluate/input.js';
import { Xoshiro128 } from '../../../shared/src/metrics/index.js';

/** argmax written as the plain loop: the first of the highest scores. */
function referenceArgmax(scores: ArrayLike<number>, k: number): Int32Array {
  const out = new Int32Array(scores.length / k);
  for (let i = 0; i < out.length; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (scores[i * k + c] > scores[i * k + best]) best = c;
    out[i] = best;
  }
  return out;
}

/** Rows of probabilities with ties (equal scores, 0 and 1 exactly) among them. */
function probabilityRows(rows: number, k: number, random: Xoshiro128): Float32Array {
  const scores = new Float32Array(rows * k);
  for (let i = 0; i < rows; i++) {
    const kind = i % 5;
    for (let c = 0; c < k; c++) {
      scores[i * k + c] =
        kind === 0
          ? 1 / k
          : kind === 1
            ? c === i % k
              ? 1
              : 0
            : kind === 2
              ? c < 2
                ? 0.5
                : 0
              : random.nextFloat();
    }
    if (kind >= 3) {
      let sum = 0;
      for (let c = 0; c < k; c++) sum += scores[i * k + c];
      for (let c = 0; c < k; c++) scores[i * k + c] /= sum;
    }
  }
  return scores;
}

function messageOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return (error as Error).message;
  }
  return 'no error';
}

describe('reading class scores', () => {
  it('takes the first highest score of each row, as the plain loop does, for any number of classes, ties included', () => {
    const random = new Xoshiro128(17);
    for (const k of [2, 3, 4, 7]) {
      const scores = probabilityRows(2000, k, random);
      const expected = referenceArgmax(scores, k);
      expect(argmaxRows(scores, k)).toEqual(expected);
      expect(argmaxRows(Float64Array.from(scores), k)).toEqual(expected);
      const reused = new Int32Array(2000).fill(-1);
      expect(predictedClasses(scores, k, 'scores', reused)).toBe(reused);
      expect(reused).toEqual(expected);
      // Tallied against true classes: the confusion counts of those very classes, added to what
      // the counts held.
      const yTrue = Int32Array.from({ length: 2000 }, () => Math.floor(random.nextFloat() * k));
      const counts = new Float64Array(k * k).fill(1);
      const reference = new Float64Array(k * k).fill(1);
      for (let i = 0; i < 2000; i++) reference[yTrue[i] * k + expected[i]]++;
      tallyPredictions(scores, k, 'scores', yTrue, counts);
      expect(counts).toEqual(reference);
    }
    // NaN loses every comparison in both forms.
    for (const k of [2, 3]) {
      const scores = Float64Array.from({ length: 6 * k }, (_, i) => (i % 4 === 1 ? Number.NaN : (i % 7) / 7));
      expect(argmaxRows(scores, k)).toEqual(referenceArgmax(scores, k));
    }
  });

  it('refuses rows that are not probabilities with the first bad row named, the same message whichever way it is read', () => {
    const cases: [number, number[], RegExp][] = [
      [2, [0.5, 0.5, 0.3, 0.3], /class probabilities of row 2 sum to 0\.6/],
      [2, [0.5, 0.5, 1.5, -0.5], /has 1\.5 at row 2, outside \[0, 1\]/],
      [3, [0.2, 0.3, 0.5, 0.1, Number.NaN, 0.9], /is NaN at row 2; predictions must be finite/],
      [3, [0.2, 0.3, 0.5, 0.2, 0.3, 0.5, 2, -1, 0], /has 2 at row 3, outside/],
      [3, [0.2, 0.3, 0.5, 0.2, 0.3, 0.6], /row 2 sum to 1\.1/],
      [4, [0.25, 0.25, 0.25, 0.25, 0.1, 0.1, 0.1, Number.POSITIVE_INFINITY], /is Infinity at row 2/],
    ];
    for (const [k, values, pattern] of cases) {
      for (const scores of [Float32Array.from(values), Float64Array.from(values)]) {
        const checked = messageOf(() => checkProbabilities(scores, k, 'The scores'));
        expect(checked).toMatch(pattern);
        expect(messageOf(() => predictedClasses(scores, k, 'The scores'))).toBe(checked);
        const yTrue = new Int32Array(scores.length / k);
        const counts = new Float64Array(k * k);
        expect(messageOf(() => tallyPredictions(scores, k, 'The scores', yTrue, counts))).toBe(checked);
      }
    }
    // A batch of a longer set names the row in the whole set.
    const batch = Float32Array.of(0.2, 0.3, 0.5, 0.2, 0.3, 0.6);
    const two = new Int32Array(2);
    expect(messageOf(() => tallyPredictions(batch, 3, 'x', two, new Float64Array(9), 4096))).toMatch(
      /row 4098 sum to 1\.1/,
    );
    expect(
      messageOf(() =>
        tallyPredictions(Float32Array.of(0.5, 0.5, Number.NaN, 1), 2, 'x', two, new Float64Array(4), 10),
      ),
    ).toMatch(/is NaN at row 12;/);
    // Within the tolerance is fine.
    expect(predictedClasses(Float64Array.of(0.50004, 0.50004, -0.00005, 1.00005), 2, 'x')).toEqual(
      Int32Array.of(0, 1),
    );
  });
});
