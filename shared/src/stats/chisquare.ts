/** Pearson's chi-square tests: goodness of fit (scipy `chisquare`) and homogeneity of two samples. */
import { UserError } from '../errors/index.js';
import { chiSquareSf } from './special.js';

export interface ChiSquareResult {
  statistic: number;
  pValue: number;
  dof: number;
}

/** Test observed counts against expected counts; an expected 0 with observed > 0 gives p = 0. */
export function chiSquareTest(observed: readonly number[], expected: readonly number[]): ChiSquareResult {
  if (observed.length !== expected.length || observed.length === 0) {
    throw new UserError(
      `chi-square needs as many expected as observed counts (got ${observed.length} and ${expected.length}).`,
    );
  }
  let statistic = 0;
  for (let i = 0; i < observed.length; i++) {
    const diff = observed[i] - expected[i];
    if (expected[i] === 0) statistic += observed[i] === 0 ? 0 : Number.POSITIVE_INFINITY;
    else statistic += (diff * diff) / expected[i];
  }
  const dof = observed.length - 1;
  const pValue =
    dof === 0 ? Number.NaN : statistic === Number.POSITIVE_INFINITY ? 0 : chiSquareSf(statistic, dof);
  return { statistic, pValue, dof };
}

/**
 * Pearson's chi-square test of homogeneity on the 2 x K table of counts (scipy
 * `chi2_contingency(table, correction=False)`), the drift test on categories.
 *
 * Both sides are samples, so each cell's expected count comes from the pooled table:
 * E = row total x category total / grand total. A category seen on one side only has a finite
 * expected count on both sides and adds evidence in proportion to its size; Evidently's
 * goodness-of-fit test (reference proportions taken as exact) gives it an infinite statistic and
 * p = 0, which calls rare categories in random samples of one table drifted. Categories with no
 * count on either side carry no information and are left out of the table (scipy refuses them);
 * the degrees of freedom are the remaining categories less one (a single category: p is NaN).
 */
export function chiSquareHomogeneity(
  referenceCounts: readonly number[],
  currentCounts: readonly number[],
): ChiSquareResult {
  if (referenceCounts.length !== currentCounts.length) {
    throw new UserError(
      `chi-square needs the same categories on both sides (got ${referenceCounts.length} and ${currentCounts.length}).`,
    );
  }
  const nRef = referenceCounts.reduce((s, c) => s + c, 0);
  const nCur = currentCounts.reduce((s, c) => s + c, 0);
  if (nRef === 0 || nCur === 0)
    throw new UserError('chi-square needs non-empty reference and current samples.');
  const total = nRef + nCur;
  let statistic = 0;
  let categories = 0;
  for (let i = 0; i < referenceCounts.length; i++) {
    const pooled = referenceCounts[i] + currentCounts[i];
    if (pooled === 0) continue;
    categories++;
    const expectedRef = (nRef * pooled) / total;
    const expectedCur = (nCur * pooled) / total;
    const dRef = referenceCounts[i] - expectedRef;
    const dCur = currentCounts[i] - expectedCur;
    statistic += (dRef * dRef) / expectedRef + (dCur * dCur) / expectedCur;
  }
  const dof = categories - 1;
  return { statistic, pValue: dof === 0 ? Number.NaN : chiSquareSf(statistic, dof), dof };
}
