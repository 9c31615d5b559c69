/**
 * The rules behind an inferred schema's bounds, each at its boundary (shared/src/validate/
 * sample-bounds.ts, README "Data validation"): a category is rare when count <= 1 or count <
 * 1% of the values; a value outside an inferred range is expected with chance 2 / (n + 1); an
 * out-of-range value is far beyond 4 widths; fail-on error/warning/never.
 */
import { describe, expect, it } from 'vitest';
import { clopperPearsonUpper } from '../../../shared/src/stats/binomial.js';
import {
  BOUND_CONFIDENCE,
  beyondNoise,
  boundSeverity,
  exceedsShare,
  expectedOutsideShare,
  farDistance,
  formatPValue,
  isRareCategory,
  isSignificant,
  NOISE_ALPHA,
  newCategoryBound,
  nullFractionBound,
  roundUpBound,
  TEST_ALPHA,
} from '../../../shared/src/validate/sample-bounds.js';
import { shouldFail } from '../../../shared/src/validate/should-fail.js';
import { nextDown, nextUp } from '../../harness/floats.js';

describe('sample bounds', () => {
  it('a category is rare when count <= 1 or count < 1% of values (strict)', () => {
    expect(isRareCategory(1, 10)).toBe(true);
    expect(isRareCategory(2, 10)).toBe(false);
    expect(isRareCategory(2, 200)).toBe(false); // 2 < 2 is false
    expect(isRareCategory(2, 201)).toBe(true); // 2 < 2.01
    expect(isRareCategory(0, 0)).toBe(true);
  });

  it('the null-fraction and new-category bounds are the Clopper-Pearson upper bound at 0.99, rounded up to 3 significant digits', () => {
    for (const [k, n] of [
      [0, 100],
      [3, 1000],
      [17, 344],
      [1, 7],
    ] as const) {
      const raw = clopperPearsonUpper(k, n, BOUND_CONFIDENCE);
      for (const bound of [nullFractionBound(k, n), newCategoryBound(k, n)]) {
        expect(bound).toBeGreaterThanOrEqual(raw);
        expect(bound - raw).toBeLessThan(10 ** (Math.floor(Math.log10(raw)) - 2) + 1e-15);
        expect(Number(bound.toPrecision(3))).toBe(bound);
      }
    }
    expect(BOUND_CONFIDENCE).toBe(0.99);
    expect(nullFractionBound(5, 5)).toBe(1);
  });

  it('rounding up to 3 significant digits keeps a value already on the grid (up to 1e-9 of float noise) and moves anything above it up one step', () => {
    for (const [x, rounded] of [
      [0.123, 0.123],
      [0.0456, 0.0456],
      [0.00999, 0.00999],
      [0.5, 0.5],
      [0.1231, 0.124],
      [0.0456001, 0.0457],
      [0.9991, 1],
    ] as const) {
      expect(roundUpBound(x)).toBe(rounded);
    }
    // Float noise in x / step within 1e-9 of a step stays on it; 1e-8 of a step above moves up.
    expect(roundUpBound(0.123 * (1 + 1e-12))).toBe(0.123);
    expect(roundUpBound(0.123 + 1e-11)).toBe(0.124);
    // Out of (0, 1): 0 and 1.
    expect(roundUpBound(0)).toBe(0);
    expect(roundUpBound(1)).toBe(1);
  });

  it('a value outside an inferred range of n values is expected with chance 2 / (n + 1)', () => {
    expect(expectedOutsideShare(1)).toBe(1);
    expect(expectedOutsideShare(99)).toBe(0.02);
  });

  it('far is 4 range widths, or 4 |max| (else 4) for a range of width 0', () => {
    expect(farDistance(1, 3)).toBe(8);
    expect(farDistance(-2, -2)).toBe(8);
    expect(farDistance(0, 0)).toBe(4);
  });

  it('p-values print with 2 digits from 0.001 up, in exponent form below, and the test alpha is 0.001', () => {
    expect(TEST_ALPHA).toBe(0.001);
    expect(formatPValue(0)).toBe('0');
    expect(formatPValue(0.001)).toBe('0.001');
    expect(formatPValue(0.0009999)).toBe('1.0e-3');
    expect(formatPValue(0.123456)).toBe('0.12');
  });
});

describe('noise: an excess over an inferred null bound counts when p < NOISE_ALPHA (strict)', () => {
  it('p < 0.05 is beyond noise: at 0.05 not, one double below beyond, one above not', () => {
    expect(NOISE_ALPHA).toBe(0.05);
    expect(beyondNoise(NOISE_ALPHA)).toBe(false);
    expect(beyondNoise(nextDown(NOISE_ALPHA))).toBe(true);
    expect(beyondNoise(nextUp(NOISE_ALPHA))).toBe(false);
    expect(beyondNoise(TEST_ALPHA)).toBe(true);
    expect(beyondNoise(1)).toBe(false);
  });
});

describe('significance: a test is significant when p < TEST_ALPHA (strict)', () => {
  it('p < 0.001 is significant: at 0.001 not (a warning), one double below significant (an error), one above not', () => {
    expect(isSignificant(TEST_ALPHA)).toBe(false);
    expect(isSignificant(nextDown(TEST_ALPHA))).toBe(true);
    expect(isSignificant(nextUp(TEST_ALPHA))).toBe(false);
    expect(boundSeverity(TEST_ALPHA)).toBe('warning');
    expect(boundSeverity(nextDown(TEST_ALPHA))).toBe('error');
    expect(boundSeverity(nextUp(TEST_ALPHA))).toBe('warning');
    expect(boundSeverity(0)).toBe('error');
    expect(boundSeverity(1)).toBe('warning');
  });

  it('a bound written by hand (no test, p null) is a hard limit: an error', () => {
    expect(boundSeverity(null)).toBe('error');
  });
});

describe('share limits: count / total <= limit passes (max_null_fraction, max_new_category_fraction)', () => {
  it('2 of 8 at a limit of 0.25 passes; one double below 0.25 fails; one above passes', () => {
    expect(exceedsShare(2, 8, 0.25)).toBe(false);
    expect(exceedsShare(2, 8, nextDown(0.25))).toBe(true);
    expect(exceedsShare(2, 8, nextUp(0.25))).toBe(false);
  });

  it('the share is count / total (not count / (total - count)), and a limit of 0 allows none', () => {
    expect(exceedsShare(2, 8, 0.3)).toBe(false); // 2/6 = 0.33 would fail
    expect(exceedsShare(0, 8, 0)).toBe(false);
    expect(exceedsShare(1, 8, 0)).toBe(true);
    expect(exceedsShare(8, 8, 1)).toBe(false);
  });

  it('no rows: nothing exceeds (0 / 0 is no share)', () => {
    expect(exceedsShare(0, 0, 0)).toBe(false);
    expect(exceedsShare(0, 0, -1)).toBe(false);
  });
});

describe('fail-on', () => {
  const warning = { severity: 'warning' as const };
  const error = { severity: 'error' as const };
  it('error fails on an error only; warning on any anomaly; never never', () => {
    expect(shouldFail({ anomalies: [warning] }, 'error')).toBe(false);
    expect(shouldFail({ anomalies: [warning, error] }, 'error')).toBe(true);
    expect(shouldFail({ anomalies: [warning] }, 'warning')).toBe(true);
    expect(shouldFail({ anomalies: [] }, 'warning')).toBe(false);
    expect(shouldFail({ anomalies: [error] }, 'never')).toBe(false);
  });
});
