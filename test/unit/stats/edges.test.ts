/**
 * The small distribution tests and distances on inputs whose answer is known exactly: the empty
 * and degenerate cases each function documents, and values worked out by hand (scipy's
 * definitions: chisquare, Jensen-Shannon, Wasserstein-1; Evidently's PSI and zero fill).
 */
import { describe, expect, it } from 'vitest';
import {
  binCounts,
  binIndex,
  chiSquareHomogeneity,
  chiSquareSf,
  chiSquareTest,
  jensenShannonDistance,
  jensenShannonDivergenceLog2,
  lInfinityDistance,
  normalSf,
  populationStabilityIndex,
  proportionsWithZeroFill,
  quantileEdges,
  twoProportionZTest,
  wassersteinDistance,
} from '../../../shared/src/stats/index.js';

describe('chi-square', () => {
  it('sums (o - e)^2 / e with k - 1 degrees of freedom', () => {
    const r = chiSquareTest([10, 20], [15, 15]);
    expect(r.statistic).toBeCloseTo(50 / 15, 14);
    expect(r.dof).toBe(1);
    expect(r.pValue).toBe(chiSquareSf(r.statistic, 1));
  });
  it('an expected 0 adds nothing when observed is 0 too, and makes the statistic infinite (p 0) otherwise', () => {
    expect(chiSquareTest([5, 0, 5], [5, 0, 5])).toMatchObject({ statistic: 0, dof: 2 });
    expect(chiSquareTest([5, 1, 5], [5, 0, 6])).toMatchObject({
      statistic: Number.POSITIVE_INFINITY,
      pValue: 0,
    });
  });
  it('one category has no degrees of freedom: p is NaN', () => {
    expect(chiSquareTest([4], [4]).pValue).toBeNaN();
  });
  it('refuses mismatched or empty counts', () => {
    expect(() => chiSquareTest([1, 2], [1])).toThrow(/as many expected as observed/);
    expect(() => chiSquareTest([], [])).toThrow(/as many expected as observed/);
  });
  it('two samples: expected counts come from the pooled table, so a one-sided category is finite', () => {
    // 2 x 2 table [[1, 1], [3, 1]]: pooled shares 4/6 and 2/6; statistic 3/8 (hand computed).
    expect(chiSquareHomogeneity([1, 1], [3, 1]).statistic).toBeCloseTo(3 / 8, 14);
    // [[2, 0], [0, 2]]: every expected count is 1, statistic 4 on 1 dof (finite, not p = 0).
    const oneSided = chiSquareHomogeneity([2, 0], [0, 2]);
    expect([oneSided.statistic, oneSided.dof]).toEqual([4, 1]);
    expect(oneSided.pValue).toBeGreaterThan(0.04);
    expect(chiSquareHomogeneity([3, 0], [5, 0]).pValue).toBeNaN();
    expect(() => chiSquareHomogeneity([1, 1], [1])).toThrow(/same categories/);
    expect(() => chiSquareHomogeneity([0, 0], [1, 1])).toThrow(/non-empty/);
    expect(() => chiSquareHomogeneity([1, 1], [0, 0])).toThrow(/non-empty/);
  });
});

describe('two-proportion Z-test (pooled)', () => {
  it('z = (p1 - p2) / sqrt(p(1 - p)(1/n1 + 1/n2)), p = 2 sf(|z|)', () => {
    const r = twoProportionZTest(3, 4, 1, 4);
    expect(r.statistic).toBeCloseTo(0.5 / Math.sqrt(0.125), 14);
    expect(r.pValue).toBe(2 * normalSf(Math.abs(r.statistic)));
    expect(twoProportionZTest(1, 4, 3, 4).statistic).toBeCloseTo(-r.statistic, 14);
  });
  it('equal proportions: z 0, p 1; both samples all in the category: z 0, p 1', () => {
    expect(twoProportionZTest(1, 2, 2, 4)).toEqual({ statistic: 0, pValue: 1 });
    expect(twoProportionZTest(5, 5, 7, 7)).toEqual({ statistic: 0, pValue: 1 });
  });
  it('refuses an empty sample', () => {
    expect(() => twoProportionZTest(0, 0, 1, 2)).toThrow(/two non-empty samples/);
    expect(() => twoProportionZTest(1, 2, 0, 0)).toThrow(/two non-empty samples/);
  });
});

describe('distances between distributions', () => {
  it('Jensen-Shannon: 0 for equal weights (any scale), sqrt(ln 2) nats for disjoint ones, 1 bit', () => {
    expect(jensenShannonDistance([1, 3], [2, 6])).toBeCloseTo(0, 15);
    expect(jensenShannonDistance([1, 0], [0, 1])).toBeCloseTo(Math.sqrt(Math.LN2), 15);
    expect(jensenShannonDivergenceLog2([1, 0], [0, 1])).toBeCloseTo(1, 15);
    expect(jensenShannonDivergenceLog2([0, 1], [1, 0])).toBeCloseTo(1, 15);
  });
  it('L-infinity: the largest difference of the normalised weights', () => {
    expect(lInfinityDistance([2, 2], [1, 3])).toBe(0.25);
    expect(lInfinityDistance([1, 0], [0, 1])).toBe(1);
  });
  it('PSI: sum (c - r) ln(c / r) with empty bins floored at 1e-4', () => {
    expect(populationStabilityIndex([5, 5], [5, 5])).toBe(0);
    expect(populationStabilityIndex([1, 0], [0, 1])).toBeCloseTo(2 * (1 - 1e-4) * Math.log(1e4), 12);
    expect(populationStabilityIndex([3, 1], [1, 3])).toBeCloseTo(2 * 0.5 * Math.log(3), 14);
  });
  it('refuses empty or mismatched distributions', () => {
    for (const f of [jensenShannonDistance, lInfinityDistance, populationStabilityIndex]) {
      expect(() => f([0, 0], [1, 1])).toThrow(/reference distribution is empty/);
      expect(() => f([1, 1], [0, 0])).toThrow(/current distribution is empty/);
      expect(() => f([1, 1], [1])).toThrow(/same bins/);
      expect(() => f([], [])).toThrow(/same bins/);
    }
  });
});

describe('Evidently zero fill', () => {
  it('fills 1e-4, or min / 1e6 when the smallest proportion is <= 1e-4 (inclusive)', () => {
    expect(proportionsWithZeroFill([0, 5, 5], 10)).toEqual([1e-4, 0.5, 0.5]);
    expect(proportionsWithZeroFill([0, 1], 10_000)).toEqual([1e-4 / 1e6, 1e-4]);
    expect(proportionsWithZeroFill([0, 2], 10_000)).toEqual([1e-4, 2e-4]);
    expect(proportionsWithZeroFill([0, 0], 10)).toEqual([0, 0]);
  });
});

describe('PSI bins', () => {
  it('edges are the reference quantiles (linear interpolation), bins take a value equal to an edge upward', () => {
    const sorted = Float64Array.from({ length: 11 }, (_, i) => i);
    expect(quantileEdges(sorted)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(quantileEdges(Float64Array.from([0, 10]), 4)).toEqual([2.5, 5, 7.5]);
    expect([
      binIndex([1, 2, 3], 0.5),
      binIndex([1, 2, 3], 1),
      binIndex([1, 2, 3], 2.5),
      binIndex([1, 2, 3], 3),
    ]).toEqual([0, 1, 2, 3]);
    expect(binCounts([1, 2], [0, 1, 1.5, 2, 9])).toEqual([1, 2, 2]);
  });
});

describe('Wasserstein-1', () => {
  it('is the area between the two empirical CDFs', () => {
    expect(wassersteinDistance([0], [1])).toBe(1);
    expect(wassersteinDistance([0, 1], [1, 0])).toBe(0);
    expect(wassersteinDistance([0, 0, 1], [1])).toBeCloseTo(2 / 3, 15);
    expect(wassersteinDistance([3, 1], [2])).toBe(1);
  });
  it('refuses an empty sample', () => {
    expect(() => wassersteinDistance([], [1])).toThrow(/two non-empty samples/);
    expect(() => wassersteinDistance([1], [])).toThrow(/two non-empty samples/);
  });
});
