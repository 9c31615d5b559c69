import { gatherWeights } from './resample-kernel.js';

/**
 * A metric plan holds everything that does not change between bootstrap resamples (sort orders,
 * per-row losses) and computes all its metrics for one set of row multiplicities in a few linear
 * passes. The point estimate is the same code with every multiplicity 1, so the interval and the
 * value can never disagree on a definition.
 */
export interface MetricPlan {
  readonly names: readonly string[];
  /** Rows. */
  readonly n: number;
  /**
   * Plans may keep rows in their own order (e.g. sorted by score, so passes read sequentially):
   * plan row i is input row `rowOrder[i]`; null when rows are in input order. `evaluate` takes
   * weights in plan order; `weightsInPlanOrder` maps weights given per input row.
   */
  readonly rowOrder: Int32Array | null;
  /** Writes metric `names[j]` into `out[j]` (NaN where undefined) for rows weighted by `weights`. */
  evaluate(weights: Int32Array, out: Float64Array): void;
  /**
   * The same computation as `evaluate`, as a function of `resample-kernel.ts` over plain typed
   * arrays, which worker threads can run; absent where a plan has none (it then resamples on the
   * main thread only).
   */
  readonly kernel?: ResampleKernel;
}

/** `pass(arrays, weights, out, scratch(arrays))` ≡ `evaluate(weights, out)`; both functions from `resample-kernel.ts`. */
export interface ResampleKernel {
  // biome-ignore lint/suspicious/noExplicitAny: each kernel has its own arrays type; workers only pass them through.
  pass: (arrays: any, weights: Int32Array, out: Float64Array, scratch: any) => void;
  // biome-ignore lint/suspicious/noExplicitAny: as above.
  scratch: (arrays: any) => unknown;
  arrays: unknown;
}

/** Maps per-input-row weights to a plan's row order (into `scratch`, reused between resamples). */
export function weightsInPlanOrder(plan: MetricPlan, weights: Int32Array, scratch: Int32Array): Int32Array {
  return plan.rowOrder === null ? weights : gatherWeights(weights, plan.rowOrder, scratch);
}
