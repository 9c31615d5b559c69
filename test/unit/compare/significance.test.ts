import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ciDifferenceTest,
  normalQuantile,
  normalUpperTail,
} from '../../../shared/src/compare/significance.js';

interface Golden {
  cases: {
    current: { value: number; ci: [number, number]; ci_level: number };
    baseline: { value: number; ci: [number, number]; ci_level: number };
    alpha: number;
    interval: [number, number];
    p_value: number;
  }[];
  quantiles: { p: number; z: number }[];
  upper_tails: { x: number; upper: number }[];
}

// Written by test/golden/compare_significance.py with scipy.stats.norm.
const golden = JSON.parse(
  readFileSync(new URL('../../fixtures/golden/compare-significance.json', import.meta.url), 'utf8'),
) as Golden;

describe('significance of a metric change (against scipy)', () => {
  it('normal tail and quantile match scipy.stats.norm', () => {
    for (const { x, upper } of golden.upper_tails) expect(normalUpperTail(x)).toBeCloseTo(upper, 14);
    for (const { p, z } of golden.quantiles)
      expect(Math.abs(normalQuantile(p) - z)).toBeLessThan(1e-7 * Math.max(1, Math.abs(z)));
  });

  it('CI-of-difference interval and p-value match', () => {
    for (const item of golden.cases) {
      const test = ciDifferenceTest(
        { value: item.current.value, ci: item.current.ci, ciLevel: item.current.ci_level },
        { value: item.baseline.value, ci: item.baseline.ci, ciLevel: item.baseline.ci_level },
        item.alpha,
      )!;
      expect(test.interval[0]).toBeCloseTo(item.interval[0], 9);
      expect(test.interval[1]).toBeCloseTo(item.interval[1], 9);
      expect(test.pValue).toBeCloseTo(item.p_value, 9);
    }
  });

  it('has no answer without CIs on both sides', () => {
    expect(ciDifferenceTest({ value: 0.9 }, { value: 0.8, ci: [0.7, 0.9] }, 0.05)).toBeUndefined();
  });
});
