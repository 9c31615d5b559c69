import type { GpuUsageSummary } from '../gpu/nvidiaSmi.js';
import type { EpochRecord } from './tabularTrainer.js';

export const TRAINING_METRICS_SCHEMA = 'mlops-training-metrics/v1';

/** `training-metrics.json`, documented by docs/schemas/training-metrics.schema.json. */
export interface TrainingMetricsDocument {
  schema: typeof TRAINING_METRICS_SCHEMA;
  mode: 'builtin' | 'command';
  task: 'classification' | 'regression' | null;
  target: string | null;
  backend: string;
  /** One row per epoch: `epoch` plus metric values (`loss`, `val_loss`, `accuracy`, ...). */
  epochs: EpochRecord[];
  /** Metrics of the final model. */
  final: Record<string, number>;
  /** Which rows `final` was measured on: `validation`, `train`, or `reported` by the user's program. */
  evaluated_on: 'validation' | 'train' | 'reported';
  rows: { train: number; validation: number } | null;
  seed: number;
  epochs_run: number;
  resumed_from_epoch: number;
  stopped_early: boolean;
  duration_seconds: number;
  rows_per_second: number | null;
  cache_hit: boolean;
  gpu: {
    count: number;
    names: string[];
    utilization_percent: { mean: number; peak: number } | null;
    memory_used_mib: { mean: number; peak: number } | null;
  };
  created_at: string;
  /** Present when the run was a Slurm job (launcher: slurm). */
  slurm?: SlurmRunRecord;
}

/** The Slurm job that ran the training: what the controller reported when it ended. */
export interface SlurmRunRecord {
  job_id: string;
  state: string;
  node_list: string;
  /** Run time of the job on its nodes (not counting the time it waited in the queue). */
  elapsed_seconds: number;
  /** Seconds from submission until the job started. */
  queued_seconds: number;
}

export function gpuSection(names: string[], usage?: GpuUsageSummary): TrainingMetricsDocument['gpu'] {
  return {
    count: names.length,
    names,
    utilization_percent: usage?.utilizationPercent ?? null,
    memory_used_mib: usage?.memoryUsedMiB ?? null,
  };
}
