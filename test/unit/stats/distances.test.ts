import { describe, expect, it } from 'vitest';
import {
  chiSquareHomogeneity,
  jensenShannonDistance,
  jensenShannonDivergenceLog2,
  lInfinityDistance,
  normedWasserstein,
  proportionsWithZeroFill,
  psiQuantileBinned,
  twoProportionZTest,
  wassersteinDistance,
} from '../../../shared/src/stats/index.js';
import { expectClose, golden, sampleFrom } from './golden.js';

describe('tests and distances against scipy', () => {
  it('chi-square test of homogeneity on the 2 x K table (scipy chi2_contingency, no correction)', () => {
    // Includes categories seen on one side only and one seen on neither (left out of the dof).
    for (const c of golden.chisquare) {
      const r = chiSquareHomogeneity(c.reference, c.current);
      expect(r.dof, `dof (k=${c.reference.length})`).toBe(c.dof);
      expectClose(r.statistic, c.statistic, 1e-12, 0, 'statistic');
      expectClose(r.pValue, c.pValue, 1e-12, 1e-300, `p (k=${c.reference.length})`);
    }
  });

  it('two-proportion Z-test', () => {
    for (const c of golden.ztest) {
      const r = twoProportionZTest(c.x1, c.n1, c.x2, c.n2);
      expectClose(r.statistic, c.statistic, 1e-9, 1e-12, 'z');
      expectClose(r.pValue, c.pValue, 1e-9, 1e-300, `p ${c.x1}/${c.n1} vs ${c.x2}/${c.n2}`);
    }
  });

  it('Jensen-Shannon distance, TFDV log2 JS divergence and L-infinity', () => {
    for (const c of golden.distributions) {
      expectClose(jensenShannonDistance(c.p, c.q), c.jensenShannon, 1e-9, 1e-15, 'js');
      expectClose(jensenShannonDivergenceLog2(c.p, c.q), c.jsDivergenceLog2, 1e-9, 1e-15, 'js log2');
      expectClose(lInfinityDistance(c.p, c.q), c.lInfinity, 1e-9, 1e-15, 'linf');
    }
  });

  it('Wasserstein-1 (raw and normed by the reference std) and quantile-binned PSI', () => {
    for (const c of golden.sampleDistances) {
      const a = sampleFrom(c.a);
      const b = sampleFrom(c.b);
      const label = `n=${a.length} m=${b.length}`;
      expectClose(wassersteinDistance(a, b), c.wasserstein, 1e-9, 1e-15, `${label} W1`);
      expectClose(normedWasserstein(a, b), c.normedWasserstein, 1e-9, 1e-15, `${label} normed W1`);
      expectClose(psiQuantileBinned(a, b), c.psi, 1e-9, 1e-15, `${label} PSI`);
    }
  });
});

describe('synthetic shifts of known size', () => {
  // Deterministic uniform draws on a fine grid: the shift size is the only thing that changes.
  const grid = (n: number, shift: number) =>
    Float64Array.from({ length: n }, (_, i) => (i + 0.5) / n + shift);

  it('W1 of a pure location shift is the shift itself', () => {
    expectClose(wassersteinDistance(grid(1000, 0), grid(1000, 0.25)), 0.25, 1e-12, 0, 'W1');
  });

  it('PSI grows with the shift and crosses 0.25 for a large one', () => {
    const small = psiQuantileBinned(grid(2000, 0), grid(2000, 0.02));
    const large = psiQuantileBinned(grid(2000, 0), grid(2000, 0.3));
    expect(small).toBeLessThan(0.1);
    expect(large).toBeGreaterThan(0.25);
  });

  it('Z-test separates 10% from 20% at n=1000 but not 10% from 11%', () => {
    expect(twoProportionZTest(100, 1000, 200, 1000).pValue).toBeLessThan(0.05);
    expect(twoProportionZTest(100, 1000, 110, 1000).pValue).toBeGreaterThan(0.05);
  });

  it('zero-fill follows Evidently (1e-4, or min/1e6 when the minimum is tiny)', () => {
    expect(proportionsWithZeroFill([0, 5, 5], 10)).toEqual([0.0001, 0.5, 0.5]);
    expect(proportionsWithZeroFill([0, 1, 99_999], 100_000)).toEqual([1e-5 / 1e6, 1e-5, 0.99999]);
  });
});
