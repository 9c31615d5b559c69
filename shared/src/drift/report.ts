/** The `mlops-drift/v1` report: documented by docs/schemas/drift.schema.json. */
import type { DriftColumnType, DriftMethod } from './methods.js';

export const DRIFT_SCHEMA = 'mlops-drift/v1';

export interface Bin {
  /** Category value or bin label `[lo, hi)`. */
  label: string;
  /** Share of the sample's non-missing values. */
  share: number;
  /** The bucket of the categories not listed ("(N more)"), not a category of its own. */
  other?: boolean;
}

export interface SideSummary {
  rows: number;
  /** Missing: null, NaN or infinite. */
  missing: number;
  distinct: number | null;
  mean?: number | null;
  std?: number | null;
  min?: number | null;
  max?: number | null;
  /** A small histogram (numeric) or the top categories, on bins shared by both sides. */
  bins: Bin[];
}

export type ColumnRole = 'feature' | 'prediction' | 'target';

export interface ColumnDrift {
  name: string;
  type: DriftColumnType;
  role: ColumnRole;
  method: DriftMethod;
  /** The method's value: a p-value for tests, the distance for distances. */
  statistic: number;
  /** The test's p-value, null for distances. */
  p_value: number | null;
  /** The test statistic behind the p-value (KS D, chi-square, z), when there is one. */
  test_statistic?: number | null;
  threshold: number;
  drifted: boolean;
  /**
   * With a distance method, the test beside it (KS for continuous numbers, chi-square for
   * categories), so a distance over its threshold can be told from sampling noise.
   */
  test?: { method: DriftMethod; p_value: number; statistic: number | null };
  /** Computed from a stored profile's histogram rather than the raw reference data. */
  approximate?: boolean;
  /**
   * How the statistic was computed: 'exact' over every value, or 'sketch' (Wasserstein on the
   * binned sketch of large data, or a stored profile's histogram or top values).
   */
  path: 'exact' | 'sketch';
  /**
   * The most the statistic can differ from the exact one: 0 on the exact path; on the sketch,
   * the derived bound (binned.ts); null where no bound is known (a profile's "(other)" bucket,
   * a divergence on a profile's bins).
   */
  error_bound: number | null;
  reference: SideSummary;
  current: SideSummary;
  note?: string;
}

export type FindingKind =
  | 'missing_column'
  | 'new_column'
  | 'type_changed'
  | 'all_missing'
  | 'not_tested'
  | 'method_fallback'
  | 'profile_limit'
  /** Columns computed on the sketch of large data, with their error bounds. */
  | 'sketch'
  | 'performance_decay'
  | 'not_model_input'
  | 'identifier'
  | 'within_noise'
  | 'invalid_values'
  /** Values of a column read as missing because they are missing-value tokens ('NA'), per side. */
  | 'missing_tokens';

export interface Finding {
  kind: FindingKind;
  column?: string;
  severity: 'error' | 'warning' | 'info';
  message: string;
}

export interface PerformanceCheck {
  metric: string;
  reference: number;
  current: number;
  /** current - reference in the metric's units. */
  delta: number;
  direction: 'higher' | 'lower';
  tolerance: number;
  decayed: boolean;
  rows: number;
}

export interface DriftReport {
  schema: typeof DRIFT_SCHEMA;
  created_at: string;
  reference: { path: string; rows: number; kind: 'dataset' | 'profile' };
  current: { path: string; rows: number };
  drift_detected: boolean;
  /** Drifted feature columns / tested feature columns. */
  share: number;
  drift_share: number;
  drifted_columns: string[];
  /** Features first (drifted first, then by how far past the threshold), then prediction, target. */
  columns: ColumnDrift[];
  prediction: ColumnDrift | null;
  performance: PerformanceCheck[];
  findings: Finding[];
  /**
   * With the model's feature contract (`model`): its inputs, and per input and kind the values a
   * request log says the contract could not read and filled (`_invalid`).
   */
  model?: { inputs: string[]; invalid_values: Record<string, Record<string, number>> };
}

/**
 * How far a column is past its threshold, for sorting: for tests, -log10(p / threshold); for
 * distances, value / threshold. Bigger means more drifted.
 */
export function severityScore(column: ColumnDrift): number {
  if (column.p_value !== null) {
    return -Math.log10(Math.max(column.p_value, 1e-300) / column.threshold);
  }
  return column.statistic / column.threshold - 1;
}

/** Drifted columns first, each group from the most to the least drifted, then by name. */
export function sortColumns(columns: ColumnDrift[]): ColumnDrift[] {
  return [...columns].sort(
    (a, b) =>
      Number(b.drifted) - Number(a.drifted) ||
      severityScore(b) - severityScore(a) ||
      a.name.localeCompare(b.name),
  );
}
