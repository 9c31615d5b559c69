/** Distances between two discrete distributions (histograms or category frequencies). */
import { UserError } from '../errors/index.js';

function normalised(weights: readonly number[], what: string): number[] {
  const total = weights.reduce((s, w) => s + w, 0);
  if (!(total > 0)) throw new UserError(`The ${what} distribution is empty (all weights are 0).`);
  return weights.map((w) => w / total);
}

function checkSameLength(p: readonly number[], q: readonly number[]): void {
  if (p.length !== q.length || p.length === 0) {
    throw new UserError(
      `Two distributions over the same bins are needed (got ${p.length} and ${q.length} bins).`,
    );
  }
}

/** x·ln(x/y) with scipy `rel_entr`'s conventions at 0. */
function relativeEntropy(x: number, y: number): number {
  if (x > 0 && y > 0) return x * Math.log(x / y);
  if (x === 0 && y >= 0) return 0;
  return Number.POSITIVE_INFINITY;
}

/** (KL(p‖m) + KL(q‖m)) / 2 in nats, m the midpoint, after normalising p and q. */
function jensenShannonNats(p0: readonly number[], q0: readonly number[]): number {
  checkSameLength(p0, q0);
  const p = normalised(p0, 'reference');
  const q = normalised(q0, 'current');
  let left = 0;
  let right = 0;
  for (let i = 0; i < p.length; i++) {
    const m = (p[i] + q[i]) / 2;
    left += relativeEntropy(p[i], m);
    right += relativeEntropy(q[i], m);
  }
  return (left + right) / 2;
}

/** Jensen–Shannon distance with natural log, as scipy `distance.jensenshannon(p, q)`. */
export function jensenShannonDistance(p: readonly number[], q: readonly number[]): number {
  return Math.sqrt(jensenShannonNats(p, q));
}

/** TFDV's Jensen–Shannon divergence: the divergence itself (not its square root) in bits. */
export function jensenShannonDivergenceLog2(p: readonly number[], q: readonly number[]): number {
  return jensenShannonNats(p, q) / Math.LN2;
}

/** TFDV's L-infinity distance: the largest absolute difference of normalised frequencies. */
export function lInfinityDistance(p0: readonly number[], q0: readonly number[]): number {
  checkSameLength(p0, q0);
  const p = normalised(p0, 'reference');
  const q = normalised(q0, 'current');
  let max = 0;
  for (let i = 0; i < p.length; i++) max = Math.max(max, Math.abs(p[i] - q[i]));
  return max;
}

/** Floor of an empty bin's proportion in PSI, so ln(0) never appears. */
export const PSI_EPSILON = 1e-4;

/** Population stability index Σ (c - r)·ln(c / r) over bin proportions floored at 1e-4. */
export function populationStabilityIndex(
  referenceCounts: readonly number[],
  currentCounts: readonly number[],
): number {
  checkSameLength(referenceCounts, currentCounts);
  const r = normalised(referenceCounts, 'reference');
  const c = normalised(currentCounts, 'current');
  let psi = 0;
  for (let i = 0; i < r.length; i++) {
    const ri = Math.max(r[i], PSI_EPSILON);
    const ci = Math.max(c[i], PSI_EPSILON);
    psi += (ci - ri) * Math.log(ci / ri);
  }
  return psi;
}

/**
 * Evidently's `get_binned_data(..., feel_zeroes=True)` step: proportions of each sample, with
 * empty bins replaced by a small positive value (min non-zero / 1e6 if that minimum is <= 1e-4,
 * else 1e-4) so divergences stay finite.
 */
export function proportionsWithZeroFill(counts: readonly number[], sampleSize: number): number[] {
  const proportions = counts.map((c) => c / sampleSize);
  const nonZero = proportions.filter((p) => p !== 0);
  if (nonZero.length === 0) return proportions;
  const min = Math.min(...nonZero);
  const fill = min <= 0.0001 ? min / 10 ** 6 : 0.0001;
  return proportions.map((p) => (p === 0 ? fill : p));
}
