/** Pearson's chi-square goodness-of-fit test (scipy `chisquare(f_obs, f_exp)`). */
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
 * Evidently's chi-square drift test: current category counts against the reference proportions
 * scaled to the current size (expected_i = ref_i · n_cur / n_ref), over the union of categories.
 */
export function chiSquareAgainstReference(
  referenceCounts: readonly number[],
  currentCounts: readonly number[],
): ChiSquareResult {
  const nRef = referenceCounts.reduce((s, c) => s + c, 0);
  const nCur = currentCounts.reduce((s, c) => s + c, 0);
  if (nRef === 0 || nCur === 0)
    throw new UserError('chi-square needs non-empty reference and current samples.');
  const scale = nCur / nRef;
  return chiSquareTest(
    currentCounts,
    referenceCounts.map((c) => c * scale),
  );
}
