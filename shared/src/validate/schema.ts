/**
 * The data schema (`schema.yaml`, `mlops-schema/v1`): what a dataset must look like, column by
 * column, in the spirit of TFDV's schema but small enough to read and edit by hand.
 */
import type { ColumnKind } from '../data/column-kind.js';

export const DATA_SCHEMA_ID = 'mlops-schema/v1';

export type Severity = 'error' | 'warning';
export const COLUMN_TYPES: readonly ColumnKind[] = [
  'numeric',
  'categorical',
  'boolean',
  'datetime',
  'string',
];
export const EXTRA_COLUMN_POLICIES = ['error', 'warning', 'ignore'] as const;
export type ExtraColumnPolicy = (typeof EXTRA_COLUMN_POLICIES)[number];

export type SchemaValue = string | number | boolean;

export interface ColumnRules {
  name: string;
  type: ColumnKind;
  /** An absent column is a `missing_column` anomaly. Default true. */
  required: boolean;
  /** Largest tolerated fraction of null values, 0..1 (`nullable: false` means 0). Absent: any. */
  max_null_fraction?: number;
  /** Numeric columns: inclusive bounds. Datetime columns: ISO dates or timestamps. */
  min?: number | string;
  max?: number | string;
  /** The column's domain (categorical columns, or any column with few values). */
  allowed_values?: SchemaValue[];
  /** Fraction of non-null values allowed outside `allowed_values` before it is an anomaly. Default 0. */
  max_new_category_fraction?: number;
  unique?: boolean;
  /** Every non-null value, as text, must match this RE2 pattern entirely. */
  regex?: string;
  /** Float columns: whether NaN and infinities are acceptable. Default false. */
  allow_nan_or_inf?: boolean;
  /** Reports this column's anomalies at this severity instead of each kind's default. */
  severity?: Severity;
  /**
   * The sample an inferred schema's bounds came from: `rows` (for max_null_fraction) and non-null
   * `values` (for the domain; finite values of a numeric column, for the range). Present: the column's max_null_fraction,
   * max_new_category_fraction and min/max are estimates, and a batch breaks them only when its
   * count is significantly above them (sample-bounds.ts). Absent (written by hand): hard limits.
   */
  inferred_from?: { rows: number; values: number };
  /**
   * Largest tolerated distance to the reference's distribution when the reference is a model's
   * training profile (`skew`), or an earlier dataset or profile (`drift`): TFDV's L-infinity
   * distance for categorical columns, Jensen–Shannon divergence (log2) for numeric ones. Default
   * `DEFAULT_DISTRIBUTION_THRESHOLD`. Setting one also compares an identifier-like column.
   */
  skew_threshold?: number;
  drift_threshold?: number;
  /** Why each inferred rule has its value (written as comments in schema.yaml, not read back). */
  derivation?: Partial<Record<'max_null_fraction' | 'range' | 'allowed_values', string>>;
}

/** Default threshold of the skew and drift comparators (TFDV leaves it to the user; 0.1 as drift-check). */
export const DEFAULT_DISTRIBUTION_THRESHOLD = 0.1;

export interface TableRules {
  min_rows?: number;
  max_rows?: number;
  /** What a column that the schema does not list is: an error, a warning, or nothing. Default warning. */
  extra_columns: ExtraColumnPolicy;
}

export interface DataSchema {
  schema: typeof DATA_SCHEMA_ID;
  table: TableRules;
  columns: ColumnRules[];
}

/** Keys a person may write, per level, for "did you mean" on typos. */
export const ROOT_KEYS = ['schema', 'table', 'columns'] as const;
export const TABLE_KEYS = ['min_rows', 'max_rows', 'extra_columns'] as const;
export const COLUMN_KEYS = [
  'type',
  'required',
  'nullable',
  'max_null_fraction',
  'min',
  'max',
  'allowed_values',
  'max_new_category_fraction',
  'unique',
  'regex',
  'allow_nan_or_inf',
  'severity',
  'inferred_from',
  'skew_threshold',
  'drift_threshold',
] as const;

/** Where each rule is written in schema.yaml (1-based lines), so an anomaly can point at its rule. */
export interface SchemaLocations {
  file: string;
  root: Partial<Record<(typeof ROOT_KEYS)[number], number>>;
  table: Partial<Record<(typeof TABLE_KEYS)[number], number>>;
  /** Per column: the line of the column's name (`_`) and of each of its keys. */
  columns: Record<string, Partial<Record<(typeof COLUMN_KEYS)[number] | '_', number>>>;
}
