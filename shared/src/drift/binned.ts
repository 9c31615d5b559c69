/**
 * The sketch drift uses for Wasserstein on large samples: both sides counted on one grid of
 * `SKETCH_BINS` equal-width bins over the union of their ranges, with each bin's count and the
 * smallest and largest value in it. It is one GROUP BY with at most `SKETCH_BINS` groups per side
 * instead of a group per distinct value and a sort of the merged values (the exact ECDF), and it
 * bounds its own error (stats/wasserstein.ts `binnedWasserstein`): at most the widest bin's
 * width, nothing for a bin holding one distinct value.
 */
import type { Database } from '../data/database.js';
import { binnedWasserstein, type ValueBins } from '../stats/wasserstein.js';
import { doubleLiteral } from './ecdf.js';

/**
 * Bins of the sketch grid: 30 · 2^7, so the 10 chart bins and Evidently's 30 divergence bins are
 * unions of whole sketch bins, and under 4,096 (2^12), up to which DuckDB groups on a perfect hash
 * table: measured on 200,000 rows x 20 columns, 61,440 bins cost 1.8 CPU s, 4,096 bins 0.25 s. At
 * a range of 10 standard deviations (a normal sample of a million values), the normed Wasserstein
 * distance is then within 10 / 3,840 = 2.6e-3 of the exact one (the threshold is 0.1).
 */
export const SKETCH_BINS = 3_840;

export interface BinnedPair {
  /** Non-empty bins in increasing order of value. */
  bins: ValueBins;
  /** Sketch bin index of each entry of `bins`. */
  index: Int32Array;
  /**
   * A lower bound on the reference's distinct values: 1 for a bin whose values are all equal,
   * 2 for one that holds different values.
   */
  referenceDistinctAtLeast: number;
}

/**
 * Counts `(v DOUBLE, c BIGINT)` rows of both sides (present values, not grouped) on the sketch grid
 * over [lo, hi], the union of both sides' extremes. Null when the grid cannot be drawn in
 * doubles (one value only, or a range too narrow or too wide for its bin width to be finite).
 * The bins are streamed into typed arrays: as row objects they cost more than the query.
 */
export async function binnedPair(
  db: Database,
  referenceSql: string,
  currentSql: string,
  lo: number,
  hi: number,
): Promise<BinnedPair | null> {
  const scale = SKETCH_BINS / (hi - lo);
  if (!(hi > lo) || !Number.isFinite(scale) || !(scale > 0)) return null;
  const side = (sql: string) =>
    `SELECT CAST(least(floor((v - ${doubleLiteral(lo)}) * ${doubleLiteral(scale)}), ${SKETCH_BINS - 1}) AS INTEGER) AS b,
      CAST(sum(c) AS DOUBLE) AS c, min(v) AS lo, max(v) AS hi FROM (${sql}) GROUP BY 1`;
  const referenceCount = new Float64Array(SKETCH_BINS);
  const currentCount = new Float64Array(SKETCH_BINS);
  const binLo = new Float64Array(SKETCH_BINS);
  const binHi = new Float64Array(SKETCH_BINS);
  const index = new Int32Array(SKETCH_BINS);
  let length = 0;
  let referenceDistinctAtLeast = 0;
  await db.forEachChunk(
    `SELECT coalesce(r.b, k.b) AS b, coalesce(r.c, 0) AS rc, coalesce(k.c, 0) AS kc,
       least(coalesce(r.lo, k.lo), coalesce(k.lo, r.lo)) AS lo, greatest(coalesce(r.hi, k.hi), coalesce(k.hi, r.hi)) AS hi,
       CASE WHEN r.lo IS NULL THEN 0 WHEN r.lo = r.hi THEN 1 ELSE 2 END AS rd
     FROM (${side(referenceSql)}) AS r FULL OUTER JOIN (${side(currentSql)}) AS k ON r.b = k.b ORDER BY 1`,
    (chunk) => {
      const [b, rc, kc, l, h, rd] = [0, 1, 2, 3, 4, 5].map((j) => chunk.getColumnVector(j));
      for (let i = 0; i < chunk.rowCount; i++, length++) {
        index[length] = b.getItem(i) as number;
        referenceCount[length] = rc.getItem(i) as number;
        currentCount[length] = kc.getItem(i) as number;
        binLo[length] = l.getItem(i) as number;
        binHi[length] = h.getItem(i) as number;
        referenceDistinctAtLeast += rd.getItem(i) as number;
      }
    },
  );
  return {
    bins: {
      referenceCount: referenceCount.subarray(0, length),
      currentCount: currentCount.subarray(0, length),
      lo: binLo.subarray(0, length),
      hi: binHi.subarray(0, length),
    },
    index: index.subarray(0, length),
    referenceDistinctAtLeast,
  };
}

/** The normed Wasserstein distance of a binned pair and the bound on its error, both over `std`. */
export function normedBinnedWasserstein(pair: BinnedPair, std: number): { statistic: number; bound: number } {
  const { distance, bound } = binnedWasserstein(pair.bins);
  return { statistic: distance / std, bound: bound / std };
}

/**
 * Counts of each side in `coarse` equal-width bins over [lo, hi] (coarse divides SKETCH_BINS):
 * sums of whole sketch bins, for the report's chart.
 */
export function coarseCounts(pair: BinnedPair, coarse: number): { reference: number[]; current: number[] } {
  const per = SKETCH_BINS / coarse;
  const reference = new Array<number>(coarse).fill(0);
  const current = new Array<number>(coarse).fill(0);
  for (let i = 0; i < pair.index.length; i++) {
    const k = Math.min(coarse - 1, Math.floor(pair.index[i] / per));
    reference[k] += pair.bins.referenceCount[i];
    current[k] += pair.bins.currentCount[i];
  }
  return { reference, current };
}

/**
 * The two-sample KS statistic D = max |F_ref − F_cur| of a binned pair, as an interval. After the
 * last value of a bin both ECDFs are exact (every value up to the bin's largest is counted, none
 * above), and between bins they are flat, so the largest difference at bin ends is a value D
 * takes: `lower` <= D. Inside a bin holding different values each ECDF rises from its value at the
 * previous bin's end to its value at this one's, so the difference there is at most the larger of
 * F_ref(end) − F_cur(start) and F_cur(end) − F_ref(start): `upper` >= D. A bin of one distinct
 * value adds nothing to the gap; the gap is at most the largest bin's share of either side.
 * Differences are computed as scipy's ks_2samp does, `cr / n − ck / m` in doubles.
 */
export function binnedKs(pair: BinnedPair): { lower: number; upper: number; n: number; m: number } {
  const { referenceCount, currentCount, lo, hi } = pair.bins;
  let n = 0;
  let m = 0;
  for (let b = 0; b < referenceCount.length; b++) {
    n += referenceCount[b];
    m += currentCount[b];
  }
  let lower = 0;
  let upper = 0;
  let cr = 0;
  let ck = 0;
  for (let b = 0; b < referenceCount.length; b++) {
    const fr0 = cr / n;
    const fk0 = ck / m;
    cr += referenceCount[b];
    ck += currentCount[b];
    const fr = cr / n;
    const fk = ck / m;
    lower = Math.max(lower, Math.abs(fr - fk));
    if (lo[b] !== hi[b]) upper = Math.max(upper, fr - fk0, fk - fr0);
  }
  return { lower, upper: Math.max(lower, upper), n, m };
}
