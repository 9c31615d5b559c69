/**
 * `mlops-profile/v1`: what data-validate writes as profile.json and what the registry stores with
 * a model so drift-check can compare against it without the training data. Documented by
 * docs/schemas/profile.schema.json. Every field is mergeable (see `mergeProfiles`): counts add,
 * moments combine by Chan's formula, histograms have shard-independent edges.
 */

import type { HllState } from '../stats/hll.js';
import type { KllState } from '../stats/kll.js';
import type { ColumnKind } from './column-kind.js';
import type { Histogram } from './histogram.js';

export const PROFILE_SCHEMA = 'mlops-profile/v1';

/** Quantiles every numeric column reports. */
export const PROFILE_QUANTILES = [0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99] as const;

/** Frequencies of every value are kept while a column has at most this many distinct values. */
export const MAX_TRACKED_VALUES = 256;

/** Values listed for a column with more distinct values than `MAX_TRACKED_VALUES`. */
export const TOP_K = 20;

export type ProfileValue = string | number | boolean;

export interface ValueCount {
  value: ProfileValue;
  count: number;
}

export interface NumericSummary {
  /** Finite values (nulls, NaN and infinities excluded from every statistic below). */
  count: number;
  min: number | null;
  max: number | null;
  mean: number | null;
  /** Sample standard deviation (ddof = 1, as pandas); null below two values. */
  std: number | null;
  /** Sum of squared deviations from the mean, kept so shards' variances combine exactly. */
  m2: number;
  /** `{q, value}` for each of `PROFILE_QUANTILES`. */
  quantiles: { q: number; value: number }[];
  /**
   * Exact (DuckDB `quantile_cont`), or from the KLL sketch (`sketches.kll`: a data value whose rank
   * is within ±1.33 % of n of the quantile's), or read from the histogram after merging profiles
   * without sketches (error under one bin).
   */
  quantiles_exact: boolean;
  histogram: Histogram | null;
}

/** Dates and timestamps: extremes as text and as epoch seconds, histogram over epoch seconds. */
export interface DatetimeSummary {
  min: string | null;
  max: string | null;
  min_epoch: number | null;
  max_epoch: number | null;
  histogram: Histogram | null;
}

/** Lengths in characters of text values. */
export interface TextSummary {
  min_length: number | null;
  max_length: number | null;
  mean_length: number | null;
}

export interface ColumnProfile {
  name: string;
  type: ColumnKind;
  /** DuckDB's type name, e.g. `DOUBLE`, `BIGINT`, `VARCHAR`, `DATE`. */
  physical_type: string;
  rows: number;
  nulls: number;
  nan: number;
  pos_inf: number;
  neg_inf: number;
  /** Distinct non-null values: exact when `distinct_exact`, else a HyperLogLog estimate. */
  distinct: number;
  distinct_exact: boolean;
  numeric?: NumericSummary;
  datetime?: DatetimeSummary;
  text?: TextSummary;
  /**
   * Mergeable sketches of a numeric column profiled on the sketch path (large data, `exact`
   * off): a KLL quantile sketch (rank error ±1.33 % at 99 %) of its finite values and a
   * HyperLogLog (±4.9 % at 99.7 %) of its distinct finite values. Absent on the exact path and in
   * profiles written before sketches existed; readers that do not know them ignore them.
   */
  sketches?: { kll: KllState; hll: HllState };
  /** Most frequent values, most frequent first (ties by value). */
  top_values: ValueCount[];
  /** True when `top_values` lists every non-null value with its exact count. */
  top_values_complete: boolean;
}

export interface DatasetProfile {
  schema: typeof PROFILE_SCHEMA;
  created_at: string;
  source: { path: string; format: string; files: number };
  rows: number;
  columns: ColumnProfile[];
  /** The sketch parameters the profile was made with (merging needs them equal). */
  sketch: { histogram_max_bins: number; max_tracked_values: number; top_k: number; quantiles: number[] };
  /** How many profiles were merged into this one (1 for a profile computed directly). */
  parts: number;
}
