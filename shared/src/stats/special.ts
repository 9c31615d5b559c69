/**
 * Special functions for the test statistics' distributions, written for double precision in the
 * tails (p-values of 1e-300 must stay relative-accurate, not collapse to 1 - 1 = 0).
 */

const LANCZOS_G = 5.2421875; // 671/128, Numerical Recipes 3rd ed. gammln
const LANCZOS_COEFFICIENTS = [
  57.15623566586292, -59.59796035547549, 14.136097974741746, -0.4919138160976202, 3.399464998481189e-5,
  4.652362892704858e-5, -9.837447530487956e-5, 0.0001580887032249125, -0.00021026444172410488,
  0.00021743961811521265, -0.16431810653676389e-3, 8.441822398385275e-5, -2.6190838401581408e-5,
  3.6899182659531625e-6,
];
const SQRT_2PI = 2.5066282746310007;

/** log Γ(x) for x > 0. */
export function logGamma(x: number): number {
  if (!(x > 0)) return Number.NaN;
  if (x === 1 || x === 2) return 0;
  // The Lanczos sum is accurate for x >= 1; below, Γ(x) = Γ(x + 1) / x keeps the absolute error tiny.
  if (x < 1) return logGamma(x + 1) - Math.log(x);
  let y = x;
  const tmp = x + LANCZOS_G;
  const head = (x + 0.5) * Math.log(tmp) - tmp;
  let series = 0.9999999999999971;
  for (const c of LANCZOS_COEFFICIENTS) {
    y += 1;
    series += c / y;
  }
  return head + Math.log((SQRT_2PI * series) / x);
}

const EPSILON = 2.220446049250313e-16;
const TINY = 1e-300;

/** e^(-x) x^a / Γ(a): the common prefactor of both incomplete gamma functions. */
function gammaPrefactor(a: number, x: number): number {
  return Math.exp(a * Math.log(x) - x - logGamma(a));
}

/** Lower regularized incomplete gamma P(a, x) by its power series (converges fast for x < a + 1). */
function gammaPSeries(a: number, x: number): number {
  let term = 1 / a;
  let sum = term;
  for (let k = 1; k < 100_000; k++) {
    term *= x / (a + k);
    sum += term;
    if (Math.abs(term) < Math.abs(sum) * EPSILON) break;
  }
  return sum * gammaPrefactor(a, x);
}

/** Upper regularized incomplete gamma Q(a, x) by its continued fraction (modified Lentz; x >= a + 1). */
function gammaQContinuedFraction(a: number, x: number): number {
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 100_000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPSILON) break;
  }
  return h * gammaPrefactor(a, x);
}

/** Regularized lower incomplete gamma P(a, x) (scipy `gammainc`). */
export function gammaIncLower(a: number, x: number): number {
  if (Number.isNaN(a) || Number.isNaN(x) || a <= 0 || x < 0) return Number.NaN;
  if (x === 0) return 0;
  if (x === Number.POSITIVE_INFINITY) return 1;
  return x < a + 1 ? gammaPSeries(a, x) : 1 - gammaQContinuedFraction(a, x);
}

/** Regularized upper incomplete gamma Q(a, x) = 1 - P(a, x) (scipy `gammaincc`). */
export function gammaIncUpper(a: number, x: number): number {
  if (Number.isNaN(a) || Number.isNaN(x) || a <= 0 || x < 0) return Number.NaN;
  if (x === 0) return 1;
  if (x === Number.POSITIVE_INFINITY) return 0;
  return x < a + 1 ? 1 - gammaPSeries(a, x) : gammaQContinuedFraction(a, x);
}

/** Survival function of the chi-square distribution with `dof` degrees of freedom. */
export function chiSquareSf(x: number, dof: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x <= 0) return 1;
  return gammaIncUpper(dof / 2, x / 2);
}

/** erfc(y), through erfc(y) = Q(1/2, y²) so the upper tail stays relative-accurate. */
export function erfc(y: number): number {
  if (Number.isNaN(y)) return Number.NaN;
  if (y < 0) return 2 - erfc(-y);
  return gammaIncUpper(0.5, y * y);
}

/** Survival function of the standard normal distribution, P(Z > z). */
export function normalSf(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}

/** Cumulative distribution function of the standard normal distribution. */
export function normalCdf(z: number): number {
  return normalSf(-z);
}
