import { arch, hostname, platform } from 'node:os';
import { UserError } from '../errors/index.js';
import type { EpochRecord } from '../train/tabularTrainer.js';
import type { SlurmRunRecord } from '../train/trainingMetrics.js';

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
  /** launcher: slurm: the job that trained (its id, final state, nodes, run and queue time). */
  slurm?: SlurmRunRecord;
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

const RUN_ID_PATTERN = /^[0-9a-f]{32}$/;
const KINDS = ['train', 'evaluate'];
const STATUSES = ['finished', 'failed', 'stopped'];

/**
 * Checks a record's shape field by field. Records are read from places that may hold anything (a
 * downloaded artifact, a tag anyone with push rights made), so each field is checked before the
 * record is stored, listed or exported; the first wrong field is named.
 */
export function checkRunRecord(value: unknown, where: string, numbered: boolean): RunRecord {
  const fail = (field: string, expected: string): never => {
    throw new Error(`${where}: '${field}' must be ${expected}`);
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('(record)', 'an object');
  const r = value as Record<string, unknown>;
  const isObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
  const stringOrNull = (field: string) => {
    if (r[field] !== null && typeof r[field] !== 'string') fail(field, 'a string or null');
  };
  if (r.schema !== RUN_RECORD_SCHEMA) fail('schema', `'${RUN_RECORD_SCHEMA}'`);
  if (typeof r.experiment !== 'string' || !EXPERIMENT_PATTERN.test(r.experiment))
    fail('experiment', 'letters, digits, - and _');
  if (numbered) {
    if (!Number.isSafeInteger(r.number) || (r.number as number) < 1) fail('number', 'a whole number from 1');
  } else if (r.number !== undefined) fail('number', 'absent (the store numbers a record)');
  if (typeof r.run_id !== 'string' || !RUN_ID_PATTERN.test(r.run_id))
    fail('run_id', '32 lower-case hex digits');
  if (!KINDS.includes(r.kind as string)) fail('kind', KINDS.join(' or '));
  if (!STATUSES.includes(r.status as string)) fail('status', STATUSES.join(', '));
  for (const field of ['started_at', 'ended_at'])
    if (typeof r[field] !== 'string' || Number.isNaN(Date.parse(r[field] as string)))
      fail(field, 'an ISO 8601 time');
  if (typeof r.duration_seconds !== 'number' || !(r.duration_seconds >= 0))
    fail('duration_seconds', 'a number of seconds');
  if (!isObject(r.params)) fail('params', 'an object');
  for (const [name, v] of Object.entries(r.params as object))
    if (!['string', 'number', 'boolean'].includes(typeof v))
      fail(`params.${name}`, 'a string, number or boolean');
  // JSON writes NaN and ±Infinity (a diverged trial's loss) as null: read back as NaN, so a
  // diverged run stays listable and exports as MLflow's `nan`.
  const numbers = (values: Record<string, unknown>, field: string) => {
    for (const [name, v] of Object.entries(values)) {
      if (v === null) values[name] = Number.NaN;
      else if (typeof v !== 'number') fail(`${field}.${name}`, 'a number (or null)');
    }
  };
  if (!isObject(r.metrics)) fail('metrics', 'an object');
  numbers(r.metrics as Record<string, unknown>, 'metrics');
  if (!Array.isArray(r.curves) || !r.curves.every(isObject)) fail('curves', 'a list of per-epoch objects');
  (r.curves as Record<string, unknown>[]).forEach((epoch, i) => {
    numbers(epoch, `curves[${i}]`);
  });
  stringOrNull('data_fingerprint');
  stringOrNull('code_sha');
  stringOrNull('backend');
  const runner = r.runner as Record<string, unknown>;
  if (!isObject(runner) || !['name', 'os', 'arch'].every((k) => typeof runner[k] === 'string'))
    fail('runner', 'an object of name, os and arch');
  if (r.search !== null) {
    const search = r.search as Record<string, unknown>;
    if (
      !isObject(search) ||
      typeof search.id !== 'string' ||
      !Number.isSafeInteger(search.trial) ||
      !Number.isSafeInteger(search.trials) ||
      typeof search.metric !== 'string'
    )
      fail('search', 'null or a search place (id, trial, trials, metric)');
  }
  for (const field of ['error', 'stopped_by'])
    if (r[field] !== undefined && typeof r[field] !== 'string') fail(field, 'a string');
  if (r.run_url !== undefined) stringOrNull('run_url');
  if (r.slurm !== undefined) {
    const slurm = r.slurm as Record<string, unknown>;
    if (!isObject(slurm) || typeof slurm.job_id !== 'string' || typeof slurm.state !== 'string')
      fail('slurm', 'a Slurm job (job_id, state, node_list, elapsed_seconds, queued_seconds)');
  }
  return value as RunRecord;
}

/** Reads a stored record, refusing anything that is not a well-formed `mlops-run/v1` record. */
export function parseRunRecord(text: string, where: string): RunRecord {
  return checkRunRecord(parseJson(text, where), where, true);
}

/** Reads a record that is not stored yet (train's run-record.json), refusing a malformed one. */
export function parseNewRunRecord(text: string, where: string): NewRunRecord {
  return checkRunRecord(parseJson(text, where), where, false);
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${where} is not JSON: ${(error as Error).message}`);
  }
}
