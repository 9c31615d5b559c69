import { type ClassificationData, ClassificationPlan } from './classification.js';
import { isClassificationMetric, isRegressionMetric } from './names.js';
import { type MetricPlan, weightsInPlanOrder } from './plan.js';
import { Xoshiro128 } from './random.js';
import { type RegressionData, RegressionPlan } from './regression.js';
import { percentileInterval } from './summary.js';

export interface BootstrapOptions {
  /** Resamples; 0 gives point estimates without intervals. */
  resamples: number;
  seed: number;
  /** Interval level, e.g. 0.95. */
  confidence: number;
  /** Called every few resamples with (done, total). */
  onProgress?: (done: number, total: number) => void;
}

export interface MetricEstimate {
  /** null when the metric is undefined on these rows (e.g. ROC AUC with one class present). */
  value: number | null;
  /** Percentile bootstrap interval; null without resamples or when most resamples leave it undefined. */
  ci: [number, number] | null;
  n: number;
}

/** Ones: the multiplicities of the original sample. */
export function unitWeights(n: number): Int32Array {
  return new Int32Array(n).fill(1);
}

/**
 * Point estimates and seeded percentile-bootstrap intervals for every metric of a plan. Each
 * resample draws n row multiplicities once and evaluates every metric on them, so metrics share
 * resamples (as a paired analysis would) and cost a linear pass each.
 */
export function bootstrapMetrics(
  plan: MetricPlan,
  options: BootstrapOptions,
): Record<string, MetricEstimate> {
  const m = plan.names.length;
  const point = new Float64Array(m);
  plan.evaluate(unitWeights(plan.n), point);
  const replicates = Array.from({ length: m }, () => new Float64Array(options.resamples));
  if (options.resamples > 0 && plan.n > 0) {
    const random = new Xoshiro128(options.seed);
    const weights = new Int32Array(plan.n);
    const out = new Float64Array(m);
    const step = Math.max(1, Math.floor(options.resamples / 20));
    for (let r = 0; r < options.resamples; r++) {
      // Drawn straight in the plan's row order: rows are exchangeable, and the same seed still
      // gives the same intervals because a plan's order is a deterministic function of the data.
      random.fillResampleCounts(weights);
      plan.evaluate(weights, out);
      for (let j = 0; j < m; j++) replicates[j][r] = out[j];
      if (options.onProgress && (r + 1) % step === 0) options.onProgress(r + 1, options.resamples);
    }
  }
  const result: Record<string, MetricEstimate> = {};
  for (let j = 0; j < m; j++) {
    const value = Number.isFinite(point[j]) ? point[j] : null;
    result[plan.names[j]] = {
      value,
      ci:
        value === null || options.resamples === 0
          ? null
          : percentileInterval(replicates[j], options.confidence),
      n: plan.n,
    };
  }
  return result;
}

/** Rows of one evaluation, enough to recompute any metric on a resample. */
export type EvaluationRows =
  | { task: 'classification'; data: ClassificationData }
  | { task: 'regression'; data: RegressionData };

export interface PairedDelta {
  metric: string;
  current: number | null;
  baseline: number | null;
  /** current − baseline on the same rows. */
  delta: number | null;
  ci: [number, number] | null;
  /** Two-sided bootstrap p-value for "no difference": 2 × the smaller share of resampled deltas on either side of 0. */
  pValue: number | null;
  resamples: number;
  n: number;
}

export function planFor(rows: EvaluationRows, metrics: string[]): MetricPlan {
  if (rows.task === 'classification') {
    const unknown = metrics.filter((m) => !isClassificationMetric(m));
    if (unknown.length > 0) throw new Error(`not classification metrics: ${unknown.join(', ')}`);
    return new ClassificationPlan(rows.data, metrics as never);
  }
  const unknown = metrics.filter((m) => !isRegressionMetric(m));
  if (unknown.length > 0) throw new Error(`not regression metrics: ${unknown.join(', ')}`);
  return new RegressionPlan(rows.data, metrics as never);
}

/**
 * Paired bootstrap of a metric's change between two models scored on the same rows (row i of
 * both is the same example): every resample applies the same multiplicities to both, so the
 * interval reflects the difference, not the two models' separate noise.
 */
export function pairedBootstrapDelta(
  currentRows: EvaluationRows,
  baselineRows: EvaluationRows,
  metric: string,
  options: { resamples: number; seed: number; confidence: number },
): PairedDelta {
  const current = planFor(currentRows, [metric]);
  const baseline = planFor(baselineRows, [metric]);
  if (current.n !== baseline.n) {
    throw new Error(`paired rows differ in length: current ${current.n}, baseline ${baseline.n}`);
  }
  const a = new Float64Array(1);
  const b = new Float64Array(1);
  const ones = unitWeights(current.n);
  current.evaluate(ones, a);
  baseline.evaluate(ones, b);
  const currentValue = Number.isFinite(a[0]) ? a[0] : null;
  const baselineValue = Number.isFinite(b[0]) ? b[0] : null;
  const delta = currentValue !== null && baselineValue !== null ? currentValue - baselineValue : null;
  const deltas = new Float64Array(options.resamples);
  const random = new Xoshiro128(options.seed);
  const weights = new Int32Array(current.n);
  const scratchCurrent = new Int32Array(current.n);
  const scratchBaseline = new Int32Array(current.n);
  let below = 0;
  let above = 0;
  let defined = 0;
  for (let r = 0; r < options.resamples; r++) {
    random.fillResampleCounts(weights);
    current.evaluate(weightsInPlanOrder(current, weights, scratchCurrent), a);
    baseline.evaluate(weightsInPlanOrder(baseline, weights, scratchBaseline), b);
    const d = a[0] - b[0];
    deltas[r] = d;
    if (!Number.isFinite(d)) continue;
    defined++;
    if (d <= 0) below++;
    if (d >= 0) above++;
  }
  return {
    metric,
    current: currentValue,
    baseline: baselineValue,
    delta,
    ci: delta === null || options.resamples === 0 ? null : percentileInterval(deltas, options.confidence),
    pValue: delta === null || defined === 0 ? null : Math.min(1, (2 * Math.min(below, above)) / defined),
    resamples: options.resamples,
    n: current.n,
  };
}
