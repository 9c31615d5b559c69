import type { MetricEstimate } from '../metrics/index.js';
import type { FairnessSection } from './fairness.js';
import type { ImportanceSection } from './importance.js';
import type { LatencyAtBatch } from './latency.js';

export const METRICS_SCHEMA = 'mlops-metrics/v1';

/** Slices with fewer rows than this are flagged `small`: their intervals are wide and their values noisy. */
export const SMALL_SLICE_ROWS = 30;

/** Slice values kept per column (the most frequent); the rest are counted in `other_values`. */
export const MAX_SLICE_VALUES = 50;

export interface SliceMetrics {
  column: string;
  /** The value as text; null for missing values. */
  value: string | null;
  n: number;
  small: boolean;
  metrics: Record<string, MetricEstimate>;
}

/** metrics.json: documented by docs/schemas/metrics.schema.json. */
export interface MetricsFile {
  schema: typeof METRICS_SCHEMA;
  task: 'classification' | 'regression';
  created_at: string;
  git: { sha: string | null; ref: string | null };
  model: {
    name: string;
    path: string;
    format: string;
    digest: string;
    size_bytes: number;
    engine: string;
  } | null;
  dataset: { path: string; rows: number; digest: string };
  target: string | null;
  classes: string[] | null;
  metrics: Record<string, MetricEstimate>;
  bootstrap: { resamples: number; confidence: number; seed: number; method: 'percentile' };
  slices: SliceMetrics[];
  confusion_matrix: { labels: string[]; matrix: number[][] } | null;
  /** Permutation importance of the model's inputs; absent or null when not asked for. */
  importance?: ImportanceSection | null;
  /** Group fairness over the sensitive features; absent or null when none were named. */
  fairness?: FairnessSection | null;
  latency: { engine: string; model_size_bytes: number; batches: LatencyAtBatch[] } | null;
  predictions: { path: string; row_id: 'row_id'; loss: string } | null;
  notes: string[];
  /**
   * How the model's feature contract read the data (model input only; absent for predictions
   * files): the policy, missing values filled and invalid values per column and kind, and rows
   * left out for a null target.
   */
  features?: {
    on_invalid: 'error' | 'warn' | 'impute';
    rows: number;
    missing: Record<string, number>;
    invalid: Record<
      string,
      Partial<Record<'unseen_category' | 'unparseable' | 'non_finite' | 'missing_column', number>>
    >;
    dropped_target_rows: number;
    /** True when the data has the very content the model was trained on (same sha256). */
    training_data: boolean;
  };
}
