/** Wasserstein-1 (earth mover's) distance between two empirical distributions. */
import { UserError } from '../errors/index.js';

/** scipy `wasserstein_distance(u, v)`: ∫|U(x) - V(x)| dx over the merged sorted values. */
export function wassersteinDistance(u: ArrayLike<number>, v: ArrayLike<number>): number {
  if (u.length === 0 || v.length === 0)
    throw new UserError('The Wasserstein distance needs two non-empty samples.');
  const a = Float64Array.from(u).sort();
  const b = Float64Array.from(v).sort();
  const n = a.length;
  const m = b.length;
  let i = 0;
  let j = 0;
  let total = 0;
  let previous = Math.min(a[0], b[0]);
  while (i < n || j < m) {
    const x = j >= m || (i < n && a[i] <= b[j]) ? a[i] : b[j];
    total += Math.abs(i / n - j / m) * (x - previous);
    previous = x;
    while (i < n && a[i] <= x) i++;
    while (j < m && b[j] <= x) j++;
  }
  return total;
}

/** Population standard deviation (numpy `std`, ddof = 0). */
export function populationStd(values: ArrayLike<number>): number {
  let mean = 0;
  for (let i = 0; i < values.length; i++) mean += values[i];
  mean /= values.length;
  let ss = 0;
  for (let i = 0; i < values.length; i++) ss += (values[i] - mean) ** 2;
  return Math.sqrt(ss / values.length);
}

/** Floor of the reference standard deviation when norming, as Evidently (a constant column). */
export const WASSERSTEIN_STD_FLOOR = 0.001;

/** Evidently's normed Wasserstein distance: W1 / max(std(reference), 0.001). */
export function normedWasserstein(reference: ArrayLike<number>, current: ArrayLike<number>): number {
  return wassersteinDistance(reference, current) / Math.max(populationStd(reference), WASSERSTEIN_STD_FLOOR);
}

/**
 * A binned sample pair, one entry per bin: the counts of each side in the bin and the smallest
 * and largest value of either side that fell in it. Bins must come in increasing order of value
 * (every value of a bin below every value of the next), as floor((x - lo) / width) gives them.
 */
export interface ValueBins {
  referenceCount: ArrayLike<number>;
  currentCount: ArrayLike<number>;
  lo: ArrayLike<number>;
  hi: ArrayLike<number>;
}

/**
 * The Wasserstein-1 distance from binned samples, with a bound on its error.
 *
 * Every value of both samples is moved to its bin's midpoint c = (lo + hi) / 2, where lo and hi
 * are the smallest and largest value of either sample in that bin; the distance is then computed
 * exactly between the moved samples (the same ∫|U − V| as `wassersteinDistance`, over the
 * midpoints). Moving a value costs at most (hi − lo) / 2, so W(U, U') <= Σ_b (r_b / n)(hi_b − lo_b) / 2
 * and likewise for V; by the triangle inequality |W(U', V') − W(U, V)| <= W(U, U') + W(V, V'):
 *
 *   bound = Σ_b (r_b / n + q_b / m) · (hi_b − lo_b) / 2  <=  the widest bin's width.
 *
 * A bin holding one distinct value adds nothing: when every bin does (integers, rounded data),
 * the result is the exact distance. The bound is of the arithmetic in real numbers; floating-point
 * summation adds rounding of the order of 1e-15 relative.
 */
export function binnedWasserstein(bins: ValueBins): { distance: number; bound: number } {
  const { referenceCount, currentCount, lo, hi } = bins;
  const length = referenceCount.length;
  let n = 0;
  let m = 0;
  for (let b = 0; b < length; b++) {
    n += referenceCount[b];
    m += currentCount[b];
  }
  if (n === 0 || m === 0) throw new UserError('The Wasserstein distance needs two non-empty samples.');
  let distance = 0;
  let bound = 0;
  let referenceBelow = 0;
  let currentBelow = 0;
  // (lo + hi) / 2 as lo / 2 + hi / 2: no overflow near the largest doubles, exactly lo when lo = hi.
  let midpoint = lo[0] / 2 + hi[0] / 2;
  for (let b = 0; b < length; b++) {
    bound += (referenceCount[b] / n + currentCount[b] / m) * (hi[b] / 2 - lo[b] / 2);
    referenceBelow += referenceCount[b];
    currentBelow += currentCount[b];
    if (b + 1 < length) {
      const next = lo[b + 1] / 2 + hi[b + 1] / 2;
      distance += Math.abs(referenceBelow / n - currentBelow / m) * (next - midpoint);
      midpoint = next;
    }
  }
  return { distance, bound };
}
