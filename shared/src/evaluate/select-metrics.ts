import { UserError } from '../errors/index.js';
import {
  BINARY_ONLY_METRICS,
  CLASSIFICATION_METRICS,
  type ClassificationMetricName,
  defaultClassificationMetrics,
  isClassificationMetric,
  isRegressionMetric,
  REGRESSION_METRICS,
  type RegressionMetricName,
  SCORE_METRICS,
} from '../metrics/names.js';
import type { EvaluationInput } from './input.js';

/** The metrics to compute: the user's list checked against the task and data, or every metric that applies. */
export function selectMetrics(input: EvaluationInput, requested: string[] | undefined): string[] {
  const list = (requested ?? []).map((m) => m.trim()).filter((m) => m !== '');
  if (input.task === 'regression') {
    if (list.length === 0) return [...REGRESSION_METRICS];
    for (const m of list) {
      if (!isRegressionMetric(m)) {
        throw new UserError(
          `'${m}' is not a regression metric. Regression metrics: ${REGRESSION_METRICS.join(', ')}.`,
          { input: 'metrics' },
        );
      }
    }
    return [...new Set(list)] as RegressionMetricName[];
  }
  const k = input.data.classes.length;
  const hasScores = input.data.scores != null;
  if (list.length === 0) return defaultClassificationMetrics(k, hasScores);
  for (const m of list) {
    if (!isClassificationMetric(m)) {
      throw new UserError(
        `'${m}' is not a classification metric. Classification metrics: ${CLASSIFICATION_METRICS.join(', ')}.`,
        { input: 'metrics' },
      );
    }
    if (SCORE_METRICS.has(m) && !hasScores) {
      throw new UserError(
        `The metric '${m}' needs class scores (y_score or y_score_<class>), and there are only labels.`,
        {
          input: 'metrics',
        },
      );
    }
    if (BINARY_ONLY_METRICS.has(m) && k !== 2) {
      throw new UserError(
        `The metric '${m}' is for two classes; there are ${k}. Use ${m === 'roc_auc' ? 'roc_auc_ovr or roc_auc_ovo' : `${m}_macro`} instead.`,
        { input: 'metrics' },
      );
    }
  }
  return [...new Set(list)] as ClassificationMetricName[];
}
