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
  /** Writes metric `names[j]` into `out[j]` (NaN where undefined) for rows weighted by `weights`. */
  evaluate(weights: Int32Array, out: Float64Array): void;
}
