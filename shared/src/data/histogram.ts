/**
 * Mergeable fixed-edge histograms. The bin width is a power of two, 2^width_log2, and bin i covers
 * [i * w, (i + 1) * w): edges never depend on where a shard's values start, so the histograms of
 * two shards either share edges or one's bins are exact unions of the other's (a wider power of
 * two), and merging re-bins without any interpolation. Dividing by a power of two is exact in
 * floating point, so the bin of a value is the same in DuckDB's SQL and in JS.
 *
 * Sketch error: the width is chosen so the data's range spans at most `HISTOGRAM_MAX_BINS` bins,
 * i.e. w < 2 * range / (HISTOGRAM_MAX_BINS - 1); a quantile read from the histogram is off by at
 * most one bin width (under 1% of the range), usually far less since values are interpolated
 * inside the bin.
 */
export const HISTOGRAM_MAX_BINS = 256;

export interface Histogram {
  /** Bin width = 2 ** width_log2. */
  width_log2: number;
  /** Index of the first bin: it covers [start * w, (start + 1) * w). */
  start: number;
  counts: number[];
  /** The bin edges, `counts.length + 1` of them (derived from width and start; stored for readers). */
  edges: number[];
}

const MIN_LOG2 = -1000; // keeps 2^k a normal double

function spanBins(min: number, max: number, k: number): number {
  const w = 2 ** k;
  return Math.floor(max / w) - Math.floor(min / w) + 1;
}

/** The smallest power-of-two width (as log2) at which [min, max] spans at most `maxBins` bins. */
export function chooseWidthLog2(
  min: number,
  max: number,
  integer: boolean,
  maxBins = HISTOGRAM_MAX_BINS,
): number {
  const range = max - min;
  let k: number;
  if (range > 0) k = Math.max(MIN_LOG2, Math.floor(Math.log2(range / maxBins)));
  else k = Math.max(MIN_LOG2, Math.floor(Math.log2(Math.abs(min) || 1)) - 8);
  // Integers never need bins narrower than 1: with w >= 1 each bin holds whole numbers only.
  if (integer) k = Math.max(k, 0);
  while (spanBins(min, max, k) > maxBins) k++;
  return k;
}

/** The SQL expression of the bin index of a DOUBLE expression at width 2^k. */
export function binIndexSql(valueSql: string, k: number): string {
  return `CAST(floor(${valueSql} / CAST('${2 ** k}' AS DOUBLE)) AS BIGINT)`;
}

/** Builds a histogram from sparse (bin index -> count) pairs at width 2^k. */
export function histogramFromBins(k: number, bins: Iterable<[number, number]>): Histogram {
  const map = new Map<number, number>();
  for (const [index, count] of bins) if (count > 0) map.set(index, (map.get(index) ?? 0) + count);
  return fitBins(k, map);
}

function fitBins(k: number, map: Map<number, number>): Histogram {
  let width = k;
  let bins = map;
  const span = (m: Map<number, number>) => {
    if (m.size === 0) return 0;
    const keys = [...m.keys()];
    return Math.max(...keys) - Math.min(...keys) + 1;
  };
  while (span(bins) > HISTOGRAM_MAX_BINS) {
    bins = rebin(bins, 1);
    width++;
  }
  if (bins.size === 0) return { width_log2: width, start: 0, counts: [], edges: [] };
  const keys = [...bins.keys()];
  const start = Math.min(...keys);
  const end = Math.max(...keys);
  const counts = Array.from({ length: end - start + 1 }, (_, i) => bins.get(start + i) ?? 0);
  const w = 2 ** width;
  const edges = Array.from({ length: counts.length + 1 }, (_, i) => (start + i) * w);
  return { width_log2: width, start, counts, edges };
}

/** Coarsens sparse bins by 2^steps: bin i becomes floor(i / 2^steps), an exact union of bins. */
function rebin(bins: Map<number, number>, steps: number): Map<number, number> {
  if (steps === 0) return bins;
  const factor = 2 ** steps;
  const out = new Map<number, number>();
  for (const [index, count] of bins) {
    const coarse = Math.floor(index / factor);
    out.set(coarse, (out.get(coarse) ?? 0) + count);
  }
  return out;
}

function toMap(h: Histogram): Map<number, number> {
  const map = new Map<number, number>();
  h.counts.forEach((count, i) => {
    if (count > 0) map.set(h.start + i, count);
  });
  return map;
}

/** The histogram of the union of two samples: counts add exactly, at the wider of the two widths. */
export function mergeHistograms(a: Histogram | null, b: Histogram | null): Histogram | null {
  if (!a || a.counts.length === 0) return b;
  if (!b || b.counts.length === 0) return a;
  const k = Math.max(a.width_log2, b.width_log2);
  const merged = rebin(toMap(a), k - a.width_log2);
  for (const [index, count] of rebin(toMap(b), k - b.width_log2))
    merged.set(index, (merged.get(index) ?? 0) + count);
  return fitBins(k, merged);
}

/**
 * The q-quantile (linear interpolation between order statistics, as numpy/pandas by default)
 * estimated from a histogram: the rank is located in its bin and interpolated inside the bin,
 * whose outer bins are narrowed to the exact min and max.
 */
export function histogramQuantile(h: Histogram, q: number, min: number, max: number): number | null {
  const n = h.counts.reduce((s, c) => s + c, 0);
  if (n === 0) return null;
  if (n === 1) return min;
  const rank = q * (n - 1);
  const w = 2 ** h.width_log2;
  let before = 0;
  for (let i = 0; i < h.counts.length; i++) {
    const c = h.counts[i]!;
    if (c > 0 && rank < before + c) {
      const lo = Math.max(min, (h.start + i) * w);
      const hi = Math.min(max, (h.start + i + 1) * w);
      const value = lo + ((rank - before + 0.5) / c) * (hi - lo);
      return Math.min(max, Math.max(min, value));
    }
    before += c;
  }
  return max;
}
