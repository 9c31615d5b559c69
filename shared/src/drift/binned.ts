/**
 * The sketch drift uses for Wasserstein on large samples: both sides counted on one grid of
 * `SKETCH_BINS` equal-width bins over the union of their ranges, with each bin's count and the
 * smallest and largest value in it. It is one GROUP BY with at most `SKETCH_BINS` groups per side
 * instead of a group per distinct value and a sort of the merged values (the exact ECDF), and it
 * bounds its own error (stats/wasserstein.ts `binnedWasserstein`): at most the widest bin's
 * width, nothing for a bin holding one distinct value.
 */
import type { Database } from '../data/database.js';
import { binnedWasserstein, type ValueBin } from '../stats/wasserstein.js';
import { doubleLiteral } from './ecdf.js';

/**
 * Bins of the sketch grid: 30 · 2^11, so the 10 chart bins and Evidently's 30 divergence bins are
 * unions of whole sketch bins. At a range of 10 standard deviations (a normal sample of a million
 * values), the normed Wasserstein distance is then within 10 / 61,440 = 1.6e-4 of the exact one.
 */
export const SKETCH_BINS = 61_440;

export interface BinnedPair {
  /** Non-empty bins in increasing order of value. */
  bins: ValueBin[];
  /** Sketch bin index of each entry of `bins`. */
  index: number[];
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
      sum(c)::BIGINT AS c, min(v) AS lo, max(v) AS hi FROM (${sql}) GROUP BY 1`;
  const rows = await db.all<{
    b: number;
    rc: bigint | number;
    kc: bigint | number;
    rlo: number | null;
    rhi: number | null;
    klo: number | null;
    khi: number | null;
  }>(
    `SELECT coalesce(r.b, k.b) AS b, coalesce(r.c, 0) AS rc, coalesce(k.c, 0) AS kc, r.lo AS rlo, r.hi AS rhi, k.lo AS klo, k.hi AS khi
      FROM (${side(referenceSql)}) AS r FULL OUTER JOIN (${side(currentSql)}) AS k ON r.b = k.b ORDER BY 1`,
  );
  const bins: ValueBin[] = [];
  const index: number[] = [];
  let referenceDistinctAtLeast = 0;
  for (const row of rows) {
    const los = [row.rlo, row.klo].filter((x): x is number => x !== null);
    const his = [row.rhi, row.khi].filter((x): x is number => x !== null);
    bins.push({
      referenceCount: Number(row.rc),
      currentCount: Number(row.kc),
      lo: Math.min(...los),
      hi: Math.max(...his),
    });
    index.push(Number(row.b));
    if (row.rlo !== null) referenceDistinctAtLeast += row.rlo === row.rhi ? 1 : 2;
  }
  return { bins, index, referenceDistinctAtLeast };
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
  pair.bins.forEach((bin, i) => {
    const k = Math.min(coarse - 1, Math.floor(pair.index[i] / per));
    reference[k] += bin.referenceCount;
    current[k] += bin.currentCount;
  });
  return { reference, current };
}
