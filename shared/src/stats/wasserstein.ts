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
