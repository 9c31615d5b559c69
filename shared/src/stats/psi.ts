/** PSI on 10 reference-quantile bins with open outer bins. */
import { populationStabilityIndex } from './divergence.js';

export const PSI_BINS = 10;

/**
 * Inner edges of the PSI bins: the reference's 10%, 20%, …, 90% quantiles (linear
 * interpolation, numpy's default). The outer bins are open: (-∞, q10) and [q90, ∞).
 */
export function quantileEdges(sortedReference: ArrayLike<number>, bins = PSI_BINS): number[] {
  const n = sortedReference.length;
  const edges: number[] = [];
  for (let k = 1; k < bins; k++) {
    const pos = ((n - 1) * k) / bins;
    const lo = Math.floor(pos);
    const hi = Math.min(lo + 1, n - 1);
    const frac = pos - lo;
    edges.push(sortedReference[lo] + (sortedReference[hi] - sortedReference[lo]) * frac);
  }
  return edges;
}

/** Bin index of x: the number of edges <= x (numpy `searchsorted(edges, x, side='right')`). */
export function binIndex(edges: readonly number[], x: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (edges[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Counts per bin of `values` for the given inner edges. */
export function binCounts(edges: readonly number[], values: ArrayLike<number>): number[] {
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (let i = 0; i < values.length; i++) counts[binIndex(edges, values[i])]++;
  return counts;
}

/** PSI of `current` against `reference` on reference-quantile bins. */
export function psiQuantileBinned(reference: ArrayLike<number>, current: ArrayLike<number>): number {
  const sorted = Float64Array.from(reference).sort();
  const edges = quantileEdges(sorted);
  return populationStabilityIndex(binCounts(edges, sorted), binCounts(edges, current));
}
