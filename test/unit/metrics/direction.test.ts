import { describe, expect, it } from 'vitest';
import { defaultDirection } from '../../../shared/src/compare/thresholds.js';
import { metricDirection } from '../../../shared/src/metrics/names.js';

/**
 * One direction rule for every reader of a metric name: the gate (defaultDirection), evaluate's
 * summary, fairness and permutation importance (metricDirection). Before, a user's `loss` was
 * "lower is better" in the gate and "higher is better" in evaluate's summary.
 */
describe('metric direction', () => {
  const cases: [string, 'higher' | 'lower'][] = [
    ['accuracy', 'higher'],
    ['roc_auc', 'higher'],
    ['r2', 'higher'],
    ['log_loss', 'lower'],
    ['rmse', 'lower'],
    ['demographic_parity_difference', 'lower'],
    ['equalized_odds_ratio', 'higher'],
    // A user's own names: whole underscore-separated words.
    ['loss', 'lower'],
    ['val_loss', 'lower'],
    ['val-loss', 'lower'],
    ['p95_latency_ms', 'lower'],
    ['model_size_bytes', 'lower'],
    ['Error_Rate', 'lower'],
    ['lossless_share', 'higher'],
    ['timeliness', 'higher'],
  ];
  for (const [name, direction] of cases) {
    it(`${name} is better ${direction}, the same in the gate and in evaluate`, () => {
      expect(metricDirection(name)).toBe(direction);
      expect(defaultDirection(name)).toBe(direction);
    });
  }
});
