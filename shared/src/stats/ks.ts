/**
 * Two-sample Kolmogorov–Smirnov test, two-sided, as scipy 1.10 `ks_2samp(method='auto')`:
 * exact p-value when both samples have at most 10,000 values, else (or when the exact recursion
 * fails) `kstwo.sf(D, round(n·m / (n + m)))`. The p-value depends on the data only through
 * (n, m, D), so callers that compute D elsewhere (in SQL over millions of rows) use
 * `ksPValue` directly.
 */
import { UserError } from '../errors/index.js';
import { kolmogorovSf } from './kolmogorov.js';

export interface KsResult {
  statistic: number;
  pValue: number;
  /** Which p-value scipy's 'auto' ends up using. */
  method: 'exact' | 'asymp';
}

/** Largest sample size per side for which 'auto' tries the exact distribution (scipy MAX_AUTO_N). */
export const KS_MAX_EXACT_N = 10_000;

function gcd(a: number, b: number): number {
  let x = a;
  let y = b;
  while (y) [x, y] = [y, x % y];
  return x;
}

/**
 * Pr(D_{n,n} >= h/n) for equal sample sizes: 2·Σ_k (-1)^(k+1) C(2n, n-kh)/C(2n, n), evaluated in
 * Horner form over ratios so nothing cancels or overflows.
 */
function probOutsideSquare(n: number, h: number): number {
  let p = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let ratio = 1;
    for (let j = 0; j < h; j++) ratio = ((n - k * h - j) * ratio) / (n + k * h + j + 1);
    p = ratio * (1 - p);
  }
  return 2 * p;
}

/**
 * Proportion of lattice paths from (0,0) to (m,n) that leave the band |x/m - y/n| < h/lcm(m,n),
 * computed directly as 1 - (inside proportion) with Viehmann's (2021) recursion, one sliding
 * column at a time.
 */
function probOutsideBand(m0: number, n0: number, g: number, h: number): number {
  const [m, n] = m0 >= n0 ? [m0, n0] : [n0, m0];
  const mg = m / g;
  const ng = n / g;
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const lenA = Math.min(2 * maxj + 2, n + 1);
  const A = new Float64Array(lenA).fill(1);
  A.fill(0, minj, maxj);
  for (let i = 1; i <= m; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1;
    let val = minj === 0 ? 0 : 1;
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj;
      val = (A[jj + minj - lastminj] * i + val * j) / (i + j);
      A[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) A.fill(1, maxj - minj, maxj - minj + (lastlen - curlen));
  }
  return A[maxj - minj - 1];
}

/**
 * scipy's `_attempt_exact_2kssamp` for the two-sided alternative. Also snaps D to the lattice
 * value h/lcm that scipy reports as the statistic in exact mode.
 */
function exactPValue(n1: number, n2: number, d: number): { ok: boolean; d: number; p: number } {
  const g = gcd(n1, n2);
  const lcm = (n1 / g) * n2;
  const h = Math.round(d * lcm);
  const snapped = h / lcm;
  if (h === 0) return { ok: true, d: snapped, p: 1 };
  const p = n1 === n2 ? probOutsideSquare(n1, h) : probOutsideBand(n1, n2, g, h);
  if (!Number.isFinite(p) || !(p >= 0 && p <= 1)) return { ok: false, d: snapped, p };
  return { ok: true, d: snapped, p };
}

/** Two-sided p-value of the two-sample KS statistic `d` for sample sizes n1 and n2, as ks_2samp. */
export function ksPValue(n1: number, n2: number, d: number): KsResult {
  if (!(Number.isInteger(n1) && Number.isInteger(n2) && n1 > 0 && n2 > 0)) {
    throw new UserError(`The KS test needs two non-empty samples; got sizes ${n1} and ${n2}.`);
  }
  let statistic = d;
  if (Math.max(n1, n2) <= KS_MAX_EXACT_N) {
    const exact = exactPValue(n1, n2, d);
    statistic = exact.d;
    if (exact.ok) return { statistic, pValue: exact.p, method: 'exact' };
  }
  const [m, n] = n1 >= n2 ? [n1, n2] : [n2, n1];
  const en = (m * n) / (m + n);
  // numpy rounds half to even; en is a ratio of integers, so an exact .5 is possible.
  const rounded = roundHalfEven(en);
  const p = Math.min(1, Math.max(0, kolmogorovSf(rounded, statistic)));
  return { statistic, pValue: p, method: 'asymp' };
}

function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * The two-sided KS statistic of two ascending-sorted samples: max |F1(x) - F2(x)| over all
 * observed x, each difference computed as cdf1 - cdf2 in doubles exactly as scipy does, so the
 * statistic is bit-identical.
 */
export function ksStatisticSorted(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n1 = a.length;
  const n2 = b.length;
  let i = 0;
  let j = 0;
  let maxDiff = Number.NEGATIVE_INFINITY;
  let minDiff = Number.POSITIVE_INFINITY;
  while (i < n1 || j < n2) {
    const x = j >= n2 || (i < n1 && a[i] <= b[j]) ? a[i] : b[j];
    while (i < n1 && a[i] <= x) i++;
    while (j < n2 && b[j] <= x) j++;
    const diff = i / n1 - j / n2;
    if (diff > maxDiff) maxDiff = diff;
    if (diff < minDiff) minDiff = diff;
  }
  const minS = Math.min(1, Math.max(0, -minDiff));
  return Math.max(minS, maxDiff);
}

/** Two-sample KS test on raw values (NaN is not allowed: drop missing values first). */
export function ksTwoSample(a: ArrayLike<number>, b: ArrayLike<number>): KsResult {
  if (a.length === 0 || b.length === 0) {
    throw new UserError(`The KS test needs two non-empty samples; got sizes ${a.length} and ${b.length}.`);
  }
  const sa = Float64Array.from(a).sort();
  const sb = Float64Array.from(b).sort();
  if (Number.isNaN(sa[sa.length - 1]) || Number.isNaN(sb[sb.length - 1])) {
    throw new UserError('The KS test got NaN values: drop missing values before testing.');
  }
  return ksPValue(sa.length, sb.length, ksStatisticSorted(sa, sb));
}
