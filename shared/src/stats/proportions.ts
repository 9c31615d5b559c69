/** Two-proportion Z-test (pooled variance), as Evidently's `z` drift test. */
import { UserError } from '../errors/index.js';
import { normalSf } from './special.js';

export interface ZTestResult {
  statistic: number;
  pValue: number;
}

/**
 * Tests p1 = x1/n1 against p2 = x2/n2 with the pooled standard error. The p-value is 2·sf(|z|)
 * rather than Evidently's 2·(1 - cdf(|z|)): equal where both are representable, but it keeps
 * small p-values instead of rounding them to 0.
 */
export function twoProportionZTest(x1: number, n1: number, x2: number, n2: number): ZTestResult {
  if (!(n1 > 0 && n2 > 0))
    throw new UserError(`The Z-test needs two non-empty samples; got sizes ${n1} and ${n2}.`);
  const p1 = x1 / n1;
  const p2 = x2 / n2;
  const pooled = (p1 * n1 + p2 * n2) / (n1 + n2);
  const variance = pooled * (1 - pooled) * (1 / n1 + 1 / n2);
  // Both samples all in (or all out of) the category: no evidence of any difference.
  if (variance === 0) return { statistic: 0, pValue: 1 };
  const statistic = (p1 - p2) / Math.sqrt(variance);
  return { statistic, pValue: Math.min(1, 2 * normalSf(Math.abs(statistic))) };
}
