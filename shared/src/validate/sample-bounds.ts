/**
 * How an inferred schema accounts for the size of the sample it was inferred from, and how a batch
 * is tested against such a schema. One place for the levels, so inference (which writes a bound)
 * and validation (which tests against it) cannot disagree.
 *
 * - A bound inferred from n rows is a one-sided upper confidence bound at `BOUND_CONFIDENCE`: "0
 *   nulls in 240 rows" means "at most 1.9% nulls", not "never null".
 * - A batch breaks an inferred bound only when its observed count is significantly above it: a
 *   one-sided test at `TEST_ALPHA`. Above the bound but not significant is a warning, with the
 *   p-value, so a reader can tell a real problem from a fluke.
 * - Bounds a person wrote by hand (no `inferred_from` on the column) stay hard limits.
 */
import { binomialSf, clopperPearsonUpper, outsideExtremesSf } from '../stats/binomial.js';

/** Confidence of the inferred upper bounds (Clopper–Pearson, one-sided). */
export const BOUND_CONFIDENCE = 0.99;
/** Significance level of the tests against inferred bounds. */
export const TEST_ALPHA = 0.001;
/**
 * Below TEST_ALPHA an excess over an inferred null bound is an error; from here up to it, a
 * warning; at or above it, the batch's own sampling noise, not an anomaly (see `beyondNoise`).
 */
export const NOISE_ALPHA = 0.05;
/**
 * Categories seen in under this share of the sample's values (and every category seen once) are
 * its rare tail. A domain with a rare tail is open: new values are expected about as often as the
 * tail's values were seen, as TFDV's domain mass lets a share of values fall outside the domain.
 */
export const RARE_CATEGORY_SHARE = 0.01;
/**
 * A value is "far" outside an inferred range when it lies beyond the nearer bound by more than
 * this many widths of the range (max - min; for a range of one value, that value's magnitude, or
 * 1). Heavy-tailed data sets new records well past the old ones: in random 70/30 splits of
 * vega-datasets, a holdout's top box-office gross (movies) lands up to 1.4 widths past the
 * range inferred from the rest, and birdstrikes' top repair cost up to 3.2 widths. A unit change
 * (x10), a sentinel (-999, 99999) or a sign flip of spread-out data lands tens of widths away.
 */
export const FAR_WIDTHS = 4;

/**
 * Rounds a bound up to 3 significant digits, so it stays a bound and reads well in YAML. A value
 * already on the 3-digit grid stays as it is: x / step carries float noise (0.123 / 0.001 =
 * 122.99999999999999), which the 1e-9 absorbs rather than moving the bound up one step.
 */
export function roundUpBound(x: number): number {
  if (!(x > 0)) return 0;
  if (x >= 1) return 1;
  const step = 10 ** (Math.floor(Math.log10(x)) - 2);
  return Math.min(1, Number((Math.ceil(x / step - 1e-9) * step).toPrecision(12)));
}

/** The inferred max_null_fraction: upper bound of the null rate after `nulls` in `rows`. */
export function nullFractionBound(nulls: number, rows: number): number {
  return roundUpBound(clopperPearsonUpper(nulls, rows, BOUND_CONFIDENCE));
}

/** The inferred max_new_category_fraction: upper bound of the rate of values outside the domain. */
export function newCategoryBound(rareTailValues: number, values: number): number {
  return roundUpBound(clopperPearsonUpper(rareTailValues, values, BOUND_CONFIDENCE));
}

/** Whether a category seen `count` times among `values` belongs to the rare tail. */
export function isRareCategory(count: number, values: number): boolean {
  return count <= 1 || count < RARE_CATEGORY_SHARE * values;
}

/**
 * p-value of `count` in `of` against the rate `bound`: one-sided binomial test (scipy binomtest, 'greater').
 *
 * For new categories this is the one test: a batch's share of values outside the domain against
 * the rare tail's upper bound (newCategoryBound). A single never-seen value in a few rows stays a
 * warning on purpose. Were the batch and the training rows drawn alike (exchangeable), a value
 * that occurs k times in all would land entirely in a batch of m out of n + m rows with
 * probability C(m, k) / C(n + m, k): the smallest p-value any valid test of "drawn alike" can give
 * that value, with no correction for having picked it among many. For a 30% holdout that is about
 * 0.3^k: 0.0024 for k = 5 (penguins: n = 240, m = 104), above TEST_ALPHA, so 5 rows of one new
 * value cannot be an error at this level however few singletons the training had (Good–Turing's
 * N1/n estimate of the new-value rate is a point estimate; its sampling error is what the bound
 * covers). At 8 rows the binomial test already reaches p < 0.001 for such a closed domain
 * (penguins' Island: p ≈ 0.0009), so a second test would add little power and cost a multiplicity
 * correction.
 */
export function rateTestPValue(count: number, of: number, bound: number): number {
  return binomialSf(count, of, bound);
}

/**
 * Whether a test against an inferred bound (or the test beside a skew or drift distance) is
 * significant: p < TEST_ALPHA, strictly (p = 0.001 is not).
 */
export function isSignificant(p: number): boolean {
  return p < TEST_ALPHA;
}

/**
 * Whether a batch's null count above an inferred bound is more than its own sampling noise:
 * p < NOISE_ALPHA, strictly. The bound is the training sample's 99% upper limit, but a random
 * holdout of similar size varies as much again: 10-15% of random holdouts landed above it (a
 * scipy simulation of 2,000 splits, trial3), each a warning that `fail-on: warning` gated on.
 */
export function beyondNoise(p: number): boolean {
  return p < NOISE_ALPHA;
}

/**
 * The severity of a batch above a bound: a bound written by hand (no test ran, p null) is a hard
 * limit, an error; an inferred one is an error when the test is significant, else a warning.
 */
export function boundSeverity(p: number | null): 'error' | 'warning' {
  return p === null || isSignificant(p) ? 'error' : 'warning';
}

/**
 * Whether `count` of `total` is above a limit on their share (max_null_fraction,
 * max_new_category_fraction): count / total > limit, so a share exactly at the limit passes. Of no
 * rows (0 / 0, NaN) nothing exceeds: NaN is above no limit.
 */
export function exceedsShare(count: number, total: number, limit: number): boolean {
  return count / total > limit;
}

/** Share of new values expected outside the extremes of `sampleValues` earlier ones: 2/(n + 1). */
export function expectedOutsideShare(sampleValues: number): number {
  return 2 / (sampleValues + 1);
}

/** p-value of `count` of `of` new values outside an inferred range from `sampleValues` values. */
export function rangeTestPValue(count: number, of: number, sampleValues: number): number {
  return outsideExtremesSf(count, sampleValues, of);
}

/** How far beyond [min, max] a value must lie to be "far" outside (see FAR_WIDTHS). */
export function farDistance(min: number, max: number): number {
  const width = max - min;
  return FAR_WIDTHS * (width > 0 ? width : Math.abs(max) || 1);
}

/** Readable p-value: 3 significant digits, exponent below 0.001. */
export function formatPValue(p: number): string {
  if (p === 0) return '0';
  if (p < 0.001) return p.toExponential(1);
  return String(Number(p.toPrecision(2)));
}
