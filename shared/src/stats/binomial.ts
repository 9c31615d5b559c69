/**
 * Binomial proportions: the one-sided Clopper–Pearson upper bound (scipy
 * `beta.ppf(confidence, k + 1, n - k)`), the one-sided binomial test (scipy
 * `binomtest(k, n, p, alternative='greater').pvalue`), and the exact law of how many new values
 * fall outside the extremes of an earlier sample of the same data.
 */
import { logGamma } from './special.js';

const EPSILON = 2.220446049250313e-16;
const TINY = 1e-300;

/** log B(a, b). */
function logBeta(a: number, b: number): number {
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}

/** The continued fraction of I_x(a, b) (modified Lentz; converges fast for x < (a + 1) / (a + b + 2)). */
function betaContinuedFraction(x: number, a: number, b: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m < 100_000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPSILON) break;
  }
  return h;
}

/** Regularized incomplete beta I_x(a, b) (scipy `betainc(a, b, x)`), for a, b > 0. */
export function betaInc(a: number, b: number, x: number): number {
  if (Number.isNaN(a) || Number.isNaN(b) || Number.isNaN(x) || a <= 0 || b <= 0) return Number.NaN;
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(a * Math.log(x) + b * Math.log1p(-x) - logBeta(a, b));
  // The fraction for I_x(a, b) or, past the mean, 1 - I_{1-x}(b, a): each side where it converges.
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(x, a, b)) / a;
  return 1 - (front * betaContinuedFraction(1 - x, b, a)) / b;
}

/** P(X >= k) for X ~ Binomial(n, p): scipy `binom.sf(k - 1, n, p)` = `binomtest(..., 'greater')`. */
export function binomialSf(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  // P(X >= k) = I_p(k, n - k + 1).
  return betaInc(k, n - k + 1, p);
}

/**
 * One-sided upper confidence bound of a binomial proportion after k successes in n trials
 * (Clopper–Pearson): the p with P(X <= k | n, p) = 1 - confidence, i.e. the `confidence` quantile
 * of Beta(k + 1, n - k). 1 when k = n; for k = 0 it is 1 - (1 - confidence)^(1/n).
 */
export function clopperPearsonUpper(k: number, n: number, confidence: number): number {
  if (!(n > 0) || k >= n) return 1;
  if (k <= 0) return -Math.expm1(Math.log1p(-confidence) / n);
  const a = k + 1;
  const b = n - k;
  // Bisection on the monotone I_x(a, b): 200 halvings reach the last bit of a double.
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (mid === lo || mid === hi) break;
    if (betaInc(a, b, mid) < confidence) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * The chance that at least `k` of `m` new values fall outside [min, max] of `n` earlier values of
 * the same (exchangeable, continuous) data. Each new value is outside with chance 2/(n + 1), but
 * the m values are not independent draws against a fixed rate (they share the one observed
 * minimum and maximum), so the binomial test would call a random split significant far too often;
 * this is the exact law. Ranking all n + m values, exactly j of the new ones lie outside when the
 * n earlier values occupy a block that starts and ends with one of them, leaving j outer places
 * split j + 1 ways: P(J = j) = (j + 1)·C(n + m - j - 2, n - 2) / C(n + m, n). Ties only make
 * values outside rarer, so the p-value stays valid (conservative) for discrete data.
 */
export function outsideExtremesSf(k: number, n: number, m: number): number {
  if (k <= 0) return 1;
  if (k > m) return 0;
  if (n < 2) return 1;
  const logTotal = logChoose(n + m, n);
  // The law is unimodal: once the terms fall and no longer add to the sum, the rest cannot.
  let sum = 0;
  let previous = Number.POSITIVE_INFINITY;
  for (let j = k; j <= m; j++) {
    const term = Math.exp(Math.log(j + 1) + logChoose(n + m - j - 2, n - 2) - logTotal);
    sum += term;
    if (term < previous && term <= sum * EPSILON) break;
    previous = term;
  }
  return Math.min(1, sum);
}

function logChoose(n: number, k: number): number {
  if (k < 0 || k > n) return Number.NEGATIVE_INFINITY;
  if (k === 0 || k === n) return 0;
  return logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);
}
