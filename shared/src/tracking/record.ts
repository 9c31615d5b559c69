import { arch, hostname, platform } from 'node:os';
import { UserError } from '../errors/index.js';
import type { EpochRecord } from '../train/tabularTrainer.js';

export const RUN_RECORD_SCHEMA = 'mlops-run/v1';

export type ParamValue = string | number | boolean;

/** A trial's place in a hyperparameter search. */
export interface RunSearchPlace {
  /** Names one search: the hash of its plan (same space, seed and budget: same id). */
  id: string;
  strategy: 'grid' | 'random' | 'halving';
  /** 1-based. */
  trial: number;
  trials: number;
  metric: string;
  direction: 'higher' | 'lower';
}

/** One train or evaluate run as the tracking store keeps it (`mlops-run/v1`). */
export interface RunRecord {
  schema: typeof RUN_RECORD_SCHEMA;
  /** The mlops.yml `name` (or `default`). */
  experiment: string;
  /** Position in the experiment, from 1, given by the store when the record is appended. */
  number: number;
  /** 32 hex digits, as MLflow run ids. */
  run_id: string;
  kind: 'train' | 'evaluate';
  /** `stopped`: ended early by successive halving (its metrics are from that epoch). */
  status: 'finished' | 'failed' | 'stopped';
  started_at: string;
  ended_at: string;
  duration_seconds: number;
  params: Record<string, ParamValue>;
  /** Final metrics. */
  metrics: Record<string, number>;
  /** Per-epoch metrics (training-metrics.json's `epochs`); empty for evaluate. */
  curves: EpochRecord[];
  /** sha256 of the data file, or null when there was none. */
  data_fingerprint: string | null;
  /** GITHUB_SHA, or null outside Actions. */
  code_sha: string | null;
  runner: { name: string; os: string; arch: string };
  /** The compute backend (tfjs backend, `command`, or the inference engine). */
  backend: string | null;
  search: RunSearchPlace | null;
  /** Why the run failed, or why halving stopped it. */
  error?: string;
  stopped_by?: string;
  /** The GitHub Actions run that made the record, when there is one. */
  run_url?: string | null;
}

/** A record before the store numbers it. */
export type NewRunRecord = Omit<RunRecord, 'number'>;

/** Where the run happened: the Actions runner's name when there is one, else the host. */
export function runnerOf(env: NodeJS.ProcessEnv): RunRecord['runner'] {
  return {
    name: env.RUNNER_NAME || hostname(),
    os: env.RUNNER_OS || platform(),
    arch: env.RUNNER_ARCH || arch(),
  };
}

export function codeShaOf(env: NodeJS.ProcessEnv): string | null {
  return env.GITHUB_SHA?.trim() || null;
}

export function runUrlOf(env: NodeJS.ProcessEnv): string | null {
  const { GITHUB_SERVER_URL, GITHUB_REPOSITORY, GITHUB_RUN_ID } = env;
  return GITHUB_SERVER_URL && GITHUB_REPOSITORY && GITHUB_RUN_ID
    ? `${GITHUB_SERVER_URL}/${GITHUB_REPOSITORY}/actions/runs/${GITHUB_RUN_ID}`
    : null;
}

const EXPERIMENT_PATTERN = /^[A-Za-z0-9]([A-Za-z0-9_-]*[A-Za-z0-9])?$/;

export function validateExperimentName(name: string): string {
  if (!EXPERIMENT_PATTERN.test(name))
    throw new UserError(
      `The experiment name ${JSON.stringify(name)} must be letters, digits, - and _ (it is mlops.yml's 'name').`,
      { input: 'name' },
    );
  return name;
}

/** Reads a stored record, refusing anything that is not `mlops-run/v1`. */
export function parseRunRecord(text: string, where: string): RunRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${where} is not JSON: ${(error as Error).message}`);
  }
  const record = value as RunRecord;
  if (record?.schema !== RUN_RECORD_SCHEMA || typeof record.run_id !== 'string')
    throw new Error(`${where} is not a ${RUN_RECORD_SCHEMA} record`);
  return record;
}
