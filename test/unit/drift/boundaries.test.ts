/**
 * Every drift decision at its boundary: exactly at, one double above and one below. DESIGN.md §5:
 * "Drift when p < 0.05 (KS: p <= 0.05) or distance >= 0.1; dataset drift when share of drifted
 * columns >= 0.5"; the method by reference size "n <= 1000" and by ">5 distinct values".
 */
import { describe, expect, it } from 'vitest';
import {
  DRIFT_METHODS,
  defaultMethod,
  isDrifted,
  METHOD_INFO,
  NUMERIC_AS_CATEGORY_MAX_DISTINCT,
  parseMethod,
  SMALL_REFERENCE_ROWS,
} from '../../../shared/src/drift/methods.js';
import { nextDown, nextUp } from '../../harness/floats.js';

describe('column verdict at the threshold (isDrifted)', () => {
  const distances = DRIFT_METHODS.filter((m) => METHOD_INFO[m].kind === 'distance');
  const strictTests = DRIFT_METHODS.filter((m) => METHOD_INFO[m].kind === 'test' && m !== 'ks');

  it.each(distances)(
    '%s: drift when distance >= threshold (at: drift, just below: none, above: drift)',
    (m) => {
      const t = METHOD_INFO[m].threshold;
      expect(isDrifted(m, t, t)).toBe(true);
      expect(isDrifted(m, nextDown(t), t)).toBe(false);
      expect(isDrifted(m, nextUp(t), t)).toBe(true);
    },
  );

  it.each(strictTests)('%s: drift when p < threshold (at: none, just below: drift, above: none)', (m) => {
    const t = METHOD_INFO[m].threshold;
    expect(isDrifted(m, t, t)).toBe(false);
    expect(isDrifted(m, nextDown(t), t)).toBe(true);
    expect(isDrifted(m, nextUp(t), t)).toBe(false);
  });

  it('ks: drift when p <= threshold, as Evidently (at: drift, just below: drift, above: none)', () => {
    const t = METHOD_INFO.ks.threshold;
    expect(isDrifted('ks', t, t)).toBe(true);
    expect(isDrifted('ks', nextDown(t), t)).toBe(true);
    expect(isDrifted('ks', nextUp(t), t)).toBe(false);
  });

  it('a NaN statistic is never a drift verdict, for tests and distances alike', () => {
    for (const m of DRIFT_METHODS) expect(isDrifted(m, Number.NaN, METHOD_INFO[m].threshold)).toBe(false);
  });

  it('the documented default thresholds: p 0.05 for tests, 0.1 for distances, 0.25 for PSI', () => {
    expect(Object.fromEntries(DRIFT_METHODS.map((m) => [m, METHOD_INFO[m].threshold]))).toEqual({
      ks: 0.05,
      chi2: 0.05,
      z: 0.05,
      wasserstein: 0.1,
      jensenshannon: 0.1,
      psi: 0.25,
      linf: 0.1,
      jsd_log2: 0.1,
    });
  });
});

describe('method choice by reference size: statistical tests when n <= 1000', () => {
  it('the documented boundary is 1000 rows and more than 5 distinct values is continuous', () => {
    expect(SMALL_REFERENCE_ROWS).toBe(1000);
    expect(NUMERIC_AS_CATEGORY_MAX_DISTINCT).toBe(5);
  });

  it('numeric, continuous: ks at 999 and 1000 rows (n <= 1000), wasserstein at 1001', () => {
    expect(defaultMethod('numeric', 999, 50)).toBe('ks');
    expect(defaultMethod('numeric', 1000, 50)).toBe('ks');
    expect(defaultMethod('numeric', 1001, 50)).toBe('wasserstein');
  });

  it('categorical with > 2 values: chi2 at 999 and 1000 rows (n <= 1000), jensenshannon at 1001', () => {
    expect(defaultMethod('categorical', 999, 3)).toBe('chi2');
    expect(defaultMethod('categorical', 1000, 3)).toBe('chi2');
    expect(defaultMethod('categorical', 1001, 3)).toBe('jensenshannon');
  });

  it('two values: z at 1000 rows (n <= 1000) and chi2 from 3 values (> 2 is chi-square)', () => {
    expect(defaultMethod('categorical', 1000, 2)).toBe('z');
    expect(defaultMethod('categorical', 1000, 1)).toBe('z');
    expect(defaultMethod('categorical', 1001, 2)).toBe('jensenshannon');
  });

  it('numeric with 5 distinct values is compared as categories (continuous only when > 5)', () => {
    expect(defaultMethod('numeric', 1000, 5)).toBe('chi2');
    expect(defaultMethod('numeric', 1000, 6)).toBe('ks');
    expect(defaultMethod('numeric', 1001, 5)).toBe('jensenshannon');
    expect(defaultMethod('numeric', 1001, 6)).toBe('wasserstein');
    expect(defaultMethod('numeric', 1000, 2)).toBe('z');
  });

  it('a categorical column is never continuous, however many distinct values: chi2 / jensenshannon', () => {
    expect(defaultMethod('categorical', 1000, 10)).toBe('chi2');
    expect(defaultMethod('categorical', 1001, 10)).toBe('jensenshannon');
  });
});

describe('method names', () => {
  it('auto or a listed method, any case, trimmed; anything else names the input and the choices', () => {
    expect(parseMethod(' KS ', 'method')).toBe('ks');
    expect(parseMethod('auto', 'method')).toBe('auto');
    expect(() => parseMethod('kolmogorov', 'x')).toThrow(expect.objectContaining({ input: 'method' }));
    expect(() => parseMethod('kolmogorov', 'the method input')).toThrow(
      "Unknown drift method 'kolmogorov' for the method input: expected auto or one of ks, chi2, z, wasserstein, jensenshannon, psi, linf, jsd_log2.",
    );
  });
});
