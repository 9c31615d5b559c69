import { createJob, defaultThreads, startWorkers } from './bootstrap-workers.js';
import { type ClassificationData, ClassificationPlan } from './classification.js';
import { isClassificationMetric, isRegressionMetric } from './names.js';
import type { MetricPlan } from './plan.js';
import { type RegressionData, RegressionPlan } from './regression.js';
import {
  claimReplicates,
  computeReplicate,
  type PairedArrays,
  type PairedSide,
  pairedPass,
  pairedScratch,
} from './resample-kernel.js';
import { percentileInterval } from './summary.js';

export interface BootstrapOptions {
  /** Resamples; 0 gives point estimates without intervals. */
  resamples: number;
  seed: number;
  /** Interval level, e.g. 0.95. */
  confidence: number;
  /** Called every few resamples with (done, total). */
  onProgress?: (done: number, total: number) => void;
  /**
   * Threads to spread resamples over, the main thread included; 1 keeps to the main thread.
   * Default: every core (at most 8) when the job is large enough to gain from threads.
   */
  threads?: number;
}

export interface MetricEstimate {
  /** null when the metric is undefined on these rows (e.g. ROC AUC with one class present). */
  value: number | null;
  /** Percentile bootstrap interval; null without resamples or when most resamples leave it undefined. */
  ci: [number, number] | null;
  n: number;
  /** Why the value is not meaningful on these rows (MAPE with true values of 0); absent otherwise. */
  note?: string;
}

/** Ones: the multiplicities of the original sample. */
export function unitWeights(n: number): Int32Array {
  return new Int32Array(n).fill(1);
}

/**
 * Point estimates and seeded percentile-bootstrap intervals for every metric of a plan. Each
 * resample draws n row multiplicities once (replicate r from stream r + 1 of the seed) and
 * evaluates every metric on them, so metrics share resamples (as a paired analysis would).
 * Replicates are spread over `threads` threads (worker threads running the plan's kernel, the
 * main thread taking its share); the result is the same for any number of threads. Synchronous:
 * the main thread blocks while workers finish.
 */
export function bootstrapMetrics(
  plan: MetricPlan,
  options: BootstrapOptions,
): Record<string, MetricEstimate> {
  const m = plan.names.length;
  const point = new Float64Array(m);
  plan.evaluate(unitWeights(plan.n), point);
  const replicates = options.resamples > 0 && plan.n > 0 ? runReplicates(plan, options).results : null;
  const result: Record<string, MetricEstimate> = {};
  for (let j = 0; j < m; j++) {
    const value = Number.isFinite(point[j]) ? point[j] : null;
    result[plan.names[j]] = {
      value,
      ci:
        value === null || replicates === null
          ? null
          : percentileInterval(column(replicates, j, m, options.resamples), options.confidence),
      n: plan.n,
    };
  }
  return result;
}

/**
 * Every replicate's metrics, row-major (`results[r * m + j]`), and how many worker threads
 * computed. Exported for tests (1 thread and N threads must agree), which can also leave every
 * replicate to the workers (`mainThreadClaims` false) to show they ran.
 */
export function runReplicates(
  plan: MetricPlan,
  options: BootstrapOptions,
  mainThreadClaims = true,
): { results: Float64Array; byWorkers: number } {
  const m = plan.names.length;
  const { resamples } = options;
  const kernel = plan.kernel;
  const requested = options.threads ?? defaultThreads(plan.n, resamples);
  const threads = kernel ? Math.max(1, Math.min(requested, resamples)) : 1;
  const job = createJob(options.seed, resamples, m, threads > 1);
  const workers = kernel && threads > 1 ? startWorkers(kernel, job, plan.n, m, threads - 1) : [];
  const pass = kernel
    ? kernel.pass
    : (_: unknown, weights: Int32Array, out: Float64Array) => plan.evaluate(weights, out);
  const arrays = kernel?.arrays;
  const scratch = kernel ? kernel.scratch(kernel.arrays) : undefined;
  const weights = new Int32Array(plan.n);
  const out = new Float64Array(m);
  const step = Math.max(1, Math.floor(resamples / 20));
  let reported = 0;
  const report = () => {
    const done = Math.min(resamples, Atomics.load(job.control, 1));
    if (options.onProgress && done >= reported + step) {
      reported = done - (done % step);
      options.onProgress(reported, resamples);
    }
  };
  const started = performance.now();
  let own = 0;
  while (
    (mainThreadClaims || workers.length === 0) &&
    claimReplicates(job, 1, pass, arrays, scratch, weights, out, false) === 1
  ) {
    own++;
    report();
  }
  // Workers finish the replicates they hold. One that failed (flag) or died (out of memory, say:
  // a long stall) would hold its replicate forever; the rest are then computed here (same
  // streams, same values).
  const stallMs = Math.max(10_000, (20 * (performance.now() - started)) / Math.max(1, own));
  let lastDone = -1;
  let lastChange = performance.now();
  for (;;) {
    const done = Atomics.load(job.control, 1);
    if (done >= resamples) break;
    report();
    if (done !== lastDone) {
      lastDone = done;
      lastChange = performance.now();
    }
    if (Atomics.load(job.control, 3) === 1 || performance.now() - lastChange > stallMs) {
      // Replicates no worker has claimed yet are claimed here; claimed but unfinished ones redone.
      claimReplicates(job, resamples, pass, arrays, scratch, weights, out, false);
      for (let r = 0; r < resamples; r++) {
        if (Atomics.load(job.finished, r) === 0)
          computeReplicate(job, r, pass, arrays, scratch, weights, out, false);
      }
      break;
    }
    Atomics.wait(job.control, 1, done, 100);
  }
  report();
  for (const worker of workers) void worker.terminate();
  return { results: job.results, byWorkers: Atomics.load(job.control, 2) };
}

function column(results: Float64Array, j: number, m: number, resamples: number): Float64Array {
  const values = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) values[r] = results[r * m + j];
  return values;
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
 * interval reflects the difference, not the two models' separate noise. Replicate r draws from
 * stream r + 1 of the seed, like `bootstrapMetrics`, and replicates spread over threads the same
 * way (identical results for any number).
 */
export function pairedBootstrapDelta(
  currentRows: EvaluationRows,
  baselineRows: EvaluationRows,
  metric: string,
  options: { resamples: number; seed: number; confidence: number; threads?: number },
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
  const differences = pairedDifferencePlan(currentRows.task, current, baselineRows.task, baseline);
  const deltas =
    options.resamples > 0 && current.n > 0
      ? runReplicates(differences, options).results
      : new Float64Array(options.resamples);
  let below = 0;
  let above = 0;
  let defined = 0;
  for (const d of deltas) {
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

/**
 * A one-metric plan whose value is current − baseline on the same weighted rows, built from the
 * two sides' plans (input row order; each side maps the weights to its own order).
 */
export function pairedDifferencePlan(
  currentTask: EvaluationRows['task'],
  current: MetricPlan,
  baselineTask: EvaluationRows['task'],
  baseline: MetricPlan,
): MetricPlan {
  const side = (task: EvaluationRows['task'], plan: MetricPlan): PairedSide => ({
    task,
    arrays: plan.kernel!.arrays as PairedSide['arrays'],
    rowOrder: plan.rowOrder,
  });
  const arrays: PairedArrays = {
    current: side(currentTask, current),
    baseline: side(baselineTask, baseline),
  };
  const scratch = pairedScratch(arrays);
  return {
    names: [`${current.names[0]} difference`],
    n: current.n,
    rowOrder: null,
    evaluate: (weights, out) => pairedPass(arrays, weights, out, scratch),
    kernel: { pass: pairedPass, scratch: pairedScratch, arrays },
  };
}
