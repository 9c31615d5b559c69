import type { MetricValue } from './metrics-file.js';

/** How sure we are that a difference between two metric values is real. */
export interface DifferenceTest {
  /** Interval of (current - baseline) at level 1 - alpha. */
  interval: [number, number];
  /** Two-sided p-value of "no difference". */
  pValue: number;
  method: 'ci-of-difference' | 'paired-bootstrap';
}

/**
 * Tests a difference from the two bootstrap CIs evaluate wrote, when the paired rows are not at
 * hand: each CI gives a standard error (half-width / z of its level), and the difference's
 * standard error is their root sum of squares. That treats the two estimates as independent;
 * on the same test rows they are positively correlated, so the true interval is narrower and
 * this errs towards "not significant", which is the side that keeps noise from blocking merges.
 * Returns undefined when either side has no CI.
 */
export function ciDifferenceTest(
  current: MetricValue,
  baseline: MetricValue,
  alpha: number,
): DifferenceTest | undefined {
  if (!current.ci || !baseline.ci) return undefined;
  const se = (metric: MetricValue) => {
    const [lo, hi] = metric.ci!;
    return (hi - lo) / 2 / normalQuantile(1 - (1 - (metric.ciLevel ?? 0.95)) / 2);
  };
  const delta = current.value - baseline.value;
  const standardError = Math.hypot(se(current), se(baseline));
  if (!Number.isFinite(delta) || !Number.isFinite(standardError)) return undefined;
  if (standardError === 0) {
    return { interval: [delta, delta], pValue: delta === 0 ? 1 : 0, method: 'ci-of-difference' };
  }
  const z = normalQuantile(1 - alpha / 2);
  return {
    interval: [delta - z * standardError, delta + z * standardError],
    pValue: 2 * normalUpperTail(Math.abs(delta) / standardError),
    method: 'ci-of-difference',
  };
}

/** P(Z > x) for a standard normal. */
export function normalUpperTail(x: number): number {
  return 0.5 * erfc(x / Math.SQRT2);
}

/**
 * Complementary error function to ~1e-14 relative: below 2 through erf's series with only
 * positive terms (no cancellation), above it through the continued fraction
 * erfc(x) = exp(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))), evaluated with
 * Lentz's method, which converges fast there.
 */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x < 0) return 2 - erfc(-x);
  if (x < 2) {
    let term = x;
    let sum = x;
    for (let n = 1; n < 200 && term > sum * 1e-17; n += 1) {
      term *= (2 * x * x) / (2 * n + 1);
      sum += term;
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x) * sum;
  }
  if (x > 27) return 0;
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < 500; n += 1) {
    const a = n / 2;
    d = x + a * d;
    d = Math.abs(d) < tiny ? tiny : d;
    c = x + a / c;
    c = Math.abs(c) < tiny ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}

/** Inverse of the standard normal CDF (Acklam's algorithm plus one Newton step, ~1e-15). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) return p === 0 ? -Infinity : p === 1 ? Infinity : Number.NaN;
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  let x: number;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    x =
      (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
      ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  } else if (p <= 1 - low) {
    const q = p - 0.5;
    const r = q * q;
    x =
      ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
      (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x =
      -(((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
      ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  // One Halley step against the accurate CDF.
  const error = 1 - normalUpperTail(x) - p;
  const u = error * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
  return x - u / (1 + (x * u) / 2);
}
