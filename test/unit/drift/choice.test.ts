/**
 * The per-column decisions of drift detection (choice.ts), each at the case that separates it from
 * its neighbours and each threshold at, just above and just below its boundary. The same rules run
 * end to end through DuckDB in boundaries-run.test.ts, sketch.test.ts and birdstrikes-samples.test.ts;
 * here they run without data, so that mutation testing can afford them.
 */
import { describe, expect, it } from 'vitest';
import { coarseCounts, normedBinnedWasserstein, SKETCH_BINS } from '../../../shared/src/drift/binned.js';
import {
  type ChoiceOptions,
  type ColumnPlan,
  chooseMethod,
  companionTest,
  mayBeIdentifier,
  mayBeWasserstein,
  methodAsked,
  noiseTest,
  reachesThreshold,
  withinNoise,
} from '../../../shared/src/drift/choice.js';
import { METHOD_INFO } from '../../../shared/src/drift/methods.js';
import type { Finding } from '../../../shared/src/drift/report.js';
import { UserError } from '../../../shared/src/errors/index.js';
import { nextDown, nextUp } from '../../harness/floats.js';

const numeric: ColumnPlan = { name: 'x', role: 'feature', type: 'numeric' };
const category: ColumnPlan = { name: 'c', role: 'feature', type: 'categorical' };
const auto: ChoiceOptions = { method: 'auto' };

function choose(plan: ColumnPlan, n: number, distinct: number, options: ChoiceOptions) {
  const findings: Finding[] = [];
  return { ...chooseMethod(plan, n, distinct, options, findings), findings };
}

describe('chooseMethod: per-column method, else the method for all columns where it applies, else Evidently', () => {
  it("auto is Evidently's choice with the method's default threshold, and no finding", () => {
    expect(choose(numeric, 1000, 50, auto)).toEqual({ method: 'ks', threshold: 0.05, findings: [] });
    expect(choose(numeric, 1001, 50, auto)).toEqual({ method: 'wasserstein', threshold: 0.1, findings: [] });
    expect(choose(category, 1001, 3, auto)).toEqual({
      method: 'jensenshannon',
      threshold: 0.1,
      findings: [],
    });
    expect(choose(category, 10, 2, auto)).toEqual({ method: 'z', threshold: 0.05, findings: [] });
  });

  it("tfdv: L-infinity for categories and Jensen-Shannon (log2) for numbers, whatever the reference's size", () => {
    const tfdv = { ...auto, tfdv: true };
    expect(choose(category, 10, 3, tfdv)).toMatchObject({ method: 'linf', threshold: 0.1 });
    expect(choose(category, 5000, 3, tfdv)).toMatchObject({ method: 'linf' });
    expect(choose(numeric, 10, 50, tfdv)).toMatchObject({ method: 'jsd_log2', threshold: 0.1 });
    expect(choose(numeric, 5000, 50, tfdv)).toMatchObject({ method: 'jsd_log2' });
  });

  it('a method for all columns is used where it applies to the column type', () => {
    expect(choose(numeric, 10, 50, { method: 'psi' })).toEqual({
      method: 'psi',
      threshold: 0.25,
      findings: [],
    });
    expect(choose(category, 5000, 50, { method: 'chi2' })).toEqual({
      method: 'chi2',
      threshold: 0.05,
      findings: [],
    });
  });

  it("where it does not apply, the column keeps Evidently's choice and one info finding says so", () => {
    const result = choose(category, 5000, 3, { method: 'ks' });
    expect(result.method).toBe('jensenshannon');
    expect(result.threshold).toBe(0.1);
    expect(result.findings).toEqual([
      {
        kind: 'method_fallback',
        column: 'c',
        severity: 'info',
        message: "Method 'ks' does not apply to the categorical column 'c': used 'jensenshannon'.",
      },
    ]);
  });

  it('a per-column method wins over the method for all columns; per-column auto falls back to it', () => {
    expect(choose(numeric, 10, 50, { method: 'psi', perColumn: { x: { method: 'linf' } } }).method).toBe(
      'linf',
    );
    expect(choose(numeric, 10, 50, { method: 'psi', perColumn: { x: { method: 'auto' } } }).method).toBe(
      'psi',
    );
    expect(choose(numeric, 10, 50, { method: 'auto', perColumn: { x: { method: 'auto' } } }).method).toBe(
      'ks',
    );
    // Another column's override changes nothing here.
    expect(choose(numeric, 10, 50, { method: 'auto', perColumn: { y: { method: 'psi' } } }).method).toBe(
      'ks',
    );
  });

  it('a per-column method that cannot compare the column type is refused, naming the input and the methods that can', () => {
    let error: unknown;
    try {
      choose(category, 10, 3, { method: 'auto', perColumn: { c: { method: 'wasserstein' } } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).input).toBe('method');
    expect((error as Error).message).toBe(
      "Drift method 'wasserstein' cannot compare the categorical column 'c'; use one of chi2, z, jensenshannon, linf, jsd_log2.",
    );
  });

  it("threshold: the column's own, else the one for all columns, else the method's default", () => {
    expect(choose(numeric, 10, 50, { method: 'auto', threshold: 0.01 }).threshold).toBe(0.01);
    expect(
      choose(numeric, 10, 50, { method: 'auto', threshold: 0.01, perColumn: { x: { threshold: 0.2 } } })
        .threshold,
    ).toBe(0.2);
    // A per-column method alone keeps the threshold for all columns.
    expect(
      choose(numeric, 10, 50, { method: 'auto', threshold: 0.01, perColumn: { x: { method: 'psi' } } }),
    ).toMatchObject({ method: 'psi', threshold: 0.01 });
    expect(choose(numeric, 10, 50, { method: 'auto', perColumn: { x: { method: 'psi' } } }).threshold).toBe(
      METHOD_INFO.psi.threshold,
    );
    // A threshold of 0 is a threshold, not a missing one.
    expect(choose(numeric, 10, 50, { method: 'auto', perColumn: { x: { threshold: 0 } } }).threshold).toBe(0);
  });
});

describe('methodAsked: the user named the method used on this column', () => {
  it('a per-column method other than auto is asked for', () => {
    expect(methodAsked(category, { method: 'auto', perColumn: { c: { method: 'jensenshannon' } } })).toBe(
      true,
    );
    expect(methodAsked(category, { method: 'auto', perColumn: { c: { method: 'auto' } } })).toBe(false);
    expect(methodAsked(category, { method: 'auto', perColumn: { c: { threshold: 0.2 } } })).toBe(false);
  });

  it('a method for all columns is asked for only on the columns it applies to', () => {
    expect(methodAsked(category, { method: 'jensenshannon' })).toBe(true);
    expect(methodAsked(category, { method: 'ks' })).toBe(false);
    expect(methodAsked(numeric, { method: 'ks' })).toBe(true);
    expect(methodAsked(numeric, auto)).toBe(false);
  });

  it('an override of another column leaves this one to the method for all columns', () => {
    expect(methodAsked(category, { method: 'jensenshannon', perColumn: { d: { method: 'chi2' } } })).toBe(
      true,
    );
    expect(methodAsked(category, { method: 'auto', perColumn: { d: { method: 'chi2' } } })).toBe(false);
  });
});

describe('mayBeWasserstein: the sketch is tried when Wasserstein is asked for, or chosen above 1,000 reference values', () => {
  it('auto: not at 1,000 reference values (n <= 1000 picks the tests), from 1,001 (n > 1000)', () => {
    expect(mayBeWasserstein(numeric, 999, auto)).toBe(false);
    expect(mayBeWasserstein(numeric, 1000, auto)).toBe(false);
    expect(mayBeWasserstein(numeric, 1001, auto)).toBe(true);
  });

  it('a named method decides alone, per column first; TFDV never', () => {
    expect(mayBeWasserstein(numeric, 10, { method: 'wasserstein' })).toBe(true);
    expect(mayBeWasserstein(numeric, 5000, { method: 'ks' })).toBe(false);
    expect(mayBeWasserstein(numeric, 10, { method: 'ks', perColumn: { x: { method: 'wasserstein' } } })).toBe(
      true,
    );
    expect(
      mayBeWasserstein(numeric, 5000, { method: 'wasserstein', perColumn: { x: { method: 'psi' } } }),
    ).toBe(false);
    expect(
      mayBeWasserstein(numeric, 10, { method: 'wasserstein', perColumn: { x: { method: 'auto' } } }),
    ).toBe(true);
    expect(mayBeWasserstein(numeric, 5000, { method: 'auto', perColumn: { x: { method: 'auto' } } })).toBe(
      true,
    );
    expect(mayBeWasserstein(numeric, 5000, { method: 'auto', tfdv: true })).toBe(false);
    // Another column's override changes nothing here.
    expect(mayBeWasserstein(numeric, 5000, { method: 'auto', perColumn: { y: { method: 'psi' } } })).toBe(
      true,
    );
    expect(
      mayBeWasserstein(numeric, 10, { method: 'wasserstein', perColumn: { y: { method: 'psi' } } }),
    ).toBe(true);
    expect(mayBeWasserstein(numeric, 5000, { method: 'wasserstein', tfdv: true })).toBe(false);
  });
});

describe('mayBeIdentifier: only features the user did not name may be left out as identifiers', () => {
  it('a feature by default; not with compareIdentifiers', () => {
    expect(mayBeIdentifier(category, auto)).toBe(true);
    expect(mayBeIdentifier(category, { ...auto, compareIdentifiers: true })).toBe(false);
    expect(mayBeIdentifier(category, { ...auto, compareIdentifiers: false })).toBe(true);
  });

  it('prediction and target columns are always compared', () => {
    expect(mayBeIdentifier({ ...category, role: 'prediction' }, auto)).toBe(false);
    expect(mayBeIdentifier({ ...category, role: 'target' }, auto)).toBe(false);
  });

  it('a column named in columns or perColumn is asked for; naming others is not', () => {
    expect(mayBeIdentifier(category, { ...auto, columns: ['c'] })).toBe(false);
    expect(mayBeIdentifier(category, { ...auto, columns: ['d'] })).toBe(true);
    expect(mayBeIdentifier(category, { ...auto, perColumn: { c: {} } })).toBe(false);
    expect(mayBeIdentifier(category, { ...auto, perColumn: { d: {} } })).toBe(true);
  });
});

describe("noiseTest: a drifted distance of Evidently's choice needs its two-sample test to reject too", () => {
  it('KS beside the Wasserstein distance; chi-square beside the category and few-number distances', () => {
    expect(noiseTest(numeric, 'wasserstein', auto)).toBe('ks');
    expect(noiseTest(category, 'jensenshannon', auto)).toBe('chi2');
    expect(noiseTest(numeric, 'jensenshannon', auto)).toBe('chi2');
  });

  it('not with TFDV, and not for a test (it decides alone)', () => {
    expect(noiseTest(category, 'linf', { ...auto, tfdv: true })).toBeUndefined();
    expect(noiseTest(numeric, 'wasserstein', { ...auto, tfdv: true })).toBeUndefined();
    expect(noiseTest(category, 'chi2', auto)).toBeUndefined();
    expect(noiseTest(numeric, 'ks', auto)).toBeUndefined();
  });

  it('a method the user named keeps its rule alone; one named for another type does not count', () => {
    expect(noiseTest(category, 'jensenshannon', { method: 'jensenshannon' })).toBeUndefined();
    expect(noiseTest(numeric, 'wasserstein', { method: 'wasserstein' })).toBeUndefined();
    expect(
      noiseTest(category, 'jensenshannon', { method: 'auto', perColumn: { c: { method: 'jensenshannon' } } }),
    ).toBeUndefined();
    expect(noiseTest(category, 'jensenshannon', { method: 'ks' })).toBe('chi2');
  });
});

describe("withinNoise: the test's own rule (chi-square drifts at p < 0.05, KS at p <= 0.05)", () => {
  const alpha = METHOD_INFO.chi2.threshold;

  it('chi-square: at p = 0.05 within the noise; one double below: drift stands; one above: within', () => {
    expect(alpha).toBe(0.05);
    expect(withinNoise('chi2', alpha)).toBe(true);
    expect(withinNoise('chi2', nextDown(alpha))).toBe(false);
    expect(withinNoise('chi2', nextUp(alpha))).toBe(true);
    expect(withinNoise('chi2', 1)).toBe(true);
    expect(withinNoise('chi2', 0)).toBe(false);
  });

  it('KS: at p = 0.05 the drift stands (p <= 0.05); one double above: within the noise', () => {
    expect(METHOD_INFO.ks.threshold).toBe(0.05);
    expect(withinNoise('ks', 0.05)).toBe(false);
    expect(withinNoise('ks', nextUp(0.05))).toBe(true);
    expect(withinNoise('ks', nextDown(0.05))).toBe(false);
  });

  it('a p that is not finite (no degrees of freedom) cannot judge: the distance stands', () => {
    expect(withinNoise('chi2', Number.NaN)).toBe(false);
    expect(withinNoise('chi2', null)).toBe(false);
    expect(withinNoise('ks', Number.POSITIVE_INFINITY)).toBe(false);
  });
});

describe('companionTest: the test beside a TFDV distance', () => {
  it('KS for a numeric column with more than 5 distinct reference values; chi-square at 5 and for categories', () => {
    expect(companionTest('numeric', 6)).toBe('ks');
    expect(companionTest('numeric', 5)).toBe('chi2');
    expect(companionTest('categorical', 50)).toBe('chi2');
  });
});

describe('reachesThreshold: an approximate statistic is undecided when |statistic - threshold| <= bound', () => {
  it('above the threshold: at exactly the bound undecided, one double inside the bound decided', () => {
    expect(reachesThreshold(0.25, 0.125, 0.125)).toBe(true);
    expect(reachesThreshold(0.25, 0.125, nextDown(0.125))).toBe(false);
    expect(reachesThreshold(0.25, 0.125, nextUp(0.125))).toBe(true);
  });

  it('below the threshold the same distance counts (the absolute difference)', () => {
    expect(reachesThreshold(0, 0.125, 0.125)).toBe(true);
    expect(reachesThreshold(0, 0.125, nextDown(0.125))).toBe(false);
    expect(reachesThreshold(0, 0.5, 0.125)).toBe(false);
  });

  it('an exact statistic (bound 0) is undecided only exactly at the threshold', () => {
    expect(reachesThreshold(0.1, 0.1, 0)).toBe(true);
    expect(reachesThreshold(nextUp(0.1), 0.1, 0)).toBe(false);
    expect(reachesThreshold(nextDown(0.1), 0.1, 0)).toBe(false);
  });
});

describe('the sketch: normed distance and chart bins (binned.ts)', () => {
  const pair = (index: number[], reference: number[], current: number[], lo: number[], hi: number[]) => ({
    bins: {
      referenceCount: Float64Array.from(reference),
      currentCount: Float64Array.from(current),
      lo: Float64Array.from(lo),
      hi: Float64Array.from(hi),
    },
    index: Int32Array.from(index),
    referenceDistinctAtLeast: 2,
  });

  it('the distance and its bound are both divided by the standard deviation', () => {
    // Reference all at 0, current all at 2: distance 2; the current's bin spans [1, 3]: bound 1 (half
    // the width, once per side's share).
    const p = pair([0, 100], [4, 0], [0, 4], [0, 1], [0, 3]);
    expect(normedBinnedWasserstein(p, 1)).toEqual({ statistic: 2, bound: 1 });
    expect(normedBinnedWasserstein(p, 4)).toEqual({ statistic: 0.5, bound: 0.25 });
  });

  it('chart bins are sums of whole sketch bins: index i goes to floor(i / (SKETCH_BINS / coarse))', () => {
    const per = SKETCH_BINS / 10;
    const p = pair(
      [0, per - 1, per, 5 * per + 7, SKETCH_BINS - 1],
      [1, 2, 4, 8, 16],
      [32, 0, 64, 0, 128],
      [],
      [],
    );
    expect(coarseCounts(p, 10)).toEqual({
      reference: [3, 4, 0, 0, 0, 8, 0, 0, 0, 16],
      current: [32, 64, 0, 0, 0, 0, 0, 0, 0, 128],
    });
    expect(coarseCounts(p, 1)).toEqual({ reference: [31], current: [224] });
  });
});
