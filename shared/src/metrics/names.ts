/** Metric names as in DESIGN.md §4: scikit-learn scorer names without `neg_`. */
export const CLASSIFICATION_METRICS = [
  'accuracy',
  'balanced_accuracy',
  'precision',
  'recall',
  'f1',
  'precision_macro',
  'recall_macro',
  'f1_macro',
  'f1_micro',
  'f1_weighted',
  'roc_auc',
  'roc_auc_ovr',
  'roc_auc_ovo',
  'average_precision',
  'log_loss',
  'brier_score',
  'matthews_corrcoef',
  'cohen_kappa',
  'expected_calibration_error',
] as const;

export const REGRESSION_METRICS = [
  'mae',
  'mse',
  'rmse',
  'r2',
  'mape',
  'median_absolute_error',
  'explained_variance',
] as const;

export type ClassificationMetricName = (typeof CLASSIFICATION_METRICS)[number];
export type RegressionMetricName = (typeof REGRESSION_METRICS)[number];
export type MetricName = ClassificationMetricName | RegressionMetricName;

/** Metrics that need class scores (probabilities), not only predicted labels. */
export const SCORE_METRICS: ReadonlySet<string> = new Set([
  'roc_auc',
  'roc_auc_ovr',
  'roc_auc_ovo',
  'average_precision',
  'log_loss',
  'brier_score',
  'expected_calibration_error',
]);

/** Metrics defined for two classes only (positive class = the second class). */
export const BINARY_ONLY_METRICS: ReadonlySet<string> = new Set(['precision', 'recall', 'f1', 'roc_auc']);

const LOWER_IS_BETTER: ReadonlySet<string> = new Set([
  'log_loss',
  'brier_score',
  'expected_calibration_error',
  'mae',
  'mse',
  'rmse',
  'mape',
  'median_absolute_error',
]);

/**
 * Words that make a metric a user's own evaluation writes better lower (`loss`, `val_loss`,
 * `p95_latency_ms`, `model_size_bytes`, `val-loss`), as whole words between `_` or `-`.
 */
const LOWER_IS_BETTER_WORDS =
  /(^|[_-])(loss|error|mae|mse|rmse|mape|brier|latency|time|seconds|ms|bytes|size)([_-]|$)/i;

/**
 * Losses and errors are better lower, the rest higher (DESIGN.md §4 thresholds). Disparities
 * across groups (`*_difference`, fairness.ts) are better lower; parity ratios higher. The one
 * direction rule: the gate, the summary, fairness and importance all ask here.
 */
export function metricDirection(name: string): 'higher' | 'lower' {
  return LOWER_IS_BETTER.has(name) || name.endsWith('_difference') || LOWER_IS_BETTER_WORDS.test(name)
    ? 'lower'
    : 'higher';
}

export function isClassificationMetric(name: string): name is ClassificationMetricName {
  return (CLASSIFICATION_METRICS as readonly string[]).includes(name);
}

export function isRegressionMetric(name: string): name is RegressionMetricName {
  return (REGRESSION_METRICS as readonly string[]).includes(name);
}

/** The metrics computed when the user names none: all that apply to the data at hand. */
export function defaultClassificationMetrics(
  classCount: number,
  hasScores: boolean,
): ClassificationMetricName[] {
  return CLASSIFICATION_METRICS.filter(
    (m) => (hasScores || !SCORE_METRICS.has(m)) && (classCount === 2 || !BINARY_ONLY_METRICS.has(m)),
  );
}

/**
 * The primary metric of each task, in order of preference (the first one the metrics file has).
 *
 * - Classification: `accuracy`. evaluate writes it for every classifier (labels only, any number
 *   of classes, no scores needed), so the default gate applies to every model; it is the number a
 *   reviewer reads first; and its paired bootstrap over per-row correctness is the most direct
 *   test of "this model gets more rows wrong". Balanced accuracy and macro F1 follow for files
 *   written elsewhere.
 * - Regression: `r2`. It is scale-free, so the one-line explanation means the same for every
 *   target, and on the same rows it moves exactly opposite to MSE (r2 = 1 - mse / var(y)), so the
 *   paired test gives the verdict an MSE gate would. RMSE, MAE and MSE follow.
 */
export const PRIMARY_METRICS: Record<'classification' | 'regression', readonly string[]> = {
  classification: ['accuracy', 'balanced_accuracy', 'f1_macro', 'f1'],
  regression: ['r2', 'rmse', 'mae', 'mse'],
};
