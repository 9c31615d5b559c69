import { type EvaluationRows, pairedBootstrapDelta } from '../metrics/index.js';
import type { DifferenceTest } from './significance.js';

export interface PairedRows {
  current: EvaluationRows;
  baseline: EvaluationRows;
  resamples?: number;
  seed?: number;
}

/**
 * A `pairedTest` for `compareMetrics` from both models' predictions on the same test rows: the
 * paired bootstrap sees the correlation the CI-based test ignores, so it can call a smaller real
 * change significant. Metrics it cannot compute on these rows fall back to the CI-based test.
 */
export function pairedBootstrapTest(
  rows: PairedRows,
): (metric: string, alpha: number) => DifferenceTest | undefined {
  return (metric, alpha) => {
    let result: ReturnType<typeof pairedBootstrapDelta>;
    try {
      result = pairedBootstrapDelta(rows.current, rows.baseline, metric, {
        resamples: rows.resamples ?? 1000,
        seed: rows.seed ?? 0,
        confidence: 1 - alpha,
      });
    } catch {
      return undefined;
    }
    if (result.ci === null || result.pValue === null) return undefined;
    return { interval: result.ci, pValue: result.pValue, method: 'paired-bootstrap' };
  };
}
