/** Value at quantile q (0..1) of sorted finite values, with numpy's default linear interpolation. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const position = (n - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.min(lower + 1, n - 1);
  const fraction = position - lower;
  return sorted[lower] + (sorted[upper] - sorted[lower]) * fraction;
}

/** Percentile interval at `confidence` over the finite values (undefined replicates are dropped). */
export function percentileInterval(values: Float64Array, confidence: number): [number, number] | null {
  const finite = values.filter((v) => Number.isFinite(v)).sort();
  // Fewer than half the replicates defining the metric means the interval says nothing.
  if (finite.length === 0 || finite.length < values.length / 2) return null;
  const alpha = (1 - confidence) / 2;
  return [quantileSorted(finite, alpha), quantileSorted(finite, 1 - alpha)];
}
