import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { errorMessage, UserError } from '../errors/index.js';
import { writeFileAtomic } from '../files/atomic-write.js';
import { escapeMarkdown, inlineCode, markdownTable } from '../report/markdown.js';
import type { NewRunRecord, RunRecord, RunSearchPlace } from '../tracking/record.js';
import { codeShaOf, runnerOf, runUrlOf } from '../tracking/record.js';
import { keepTrainRecord } from '../tracking/record-file.js';
import type { RunStore } from '../tracking/store.js';
import { hashJson } from '../train/contentHash.js';
import {
  runTrain,
  type TrainDeps,
  type TrainedRun,
  type TrainOptions,
  type TrainResult,
} from '../train/runTrain.js';
import { SuccessiveHalving } from './halving.js';
import { paramEnvName, type SearchPlan, type TrialParams } from './space.js';

export const TRIAL_FILE = 'trial.json';
export const SEARCH_SUMMARY_SCHEMA = 'mlops-search/v1';
export const TRIAL_SCHEMA = 'mlops-search-trial/v1';

/** One trial's result, as `trial.json` in its output folder and in the search summary. */
export interface TrialOutcome {
  schema: typeof TRIAL_SCHEMA;
  search_id: string;
  trial: number;
  params: TrialParams;
  status: 'finished' | 'failed' | 'stopped';
  /** The search metric's final value; null when the trial failed. */
  value: number | null;
  metrics: Record<string, number>;
  /** The trial's output folder, relative to the search's output-dir. */
  folder: string;
  error?: string;
  stopped_by?: string;
  duration_seconds: number;
}

export interface SearchSummary {
  schema: typeof SEARCH_SUMMARY_SCHEMA;
  search_id: string;
  strategy: SearchPlan['strategy'];
  metric: string;
  direction: 'higher' | 'lower';
  seed: number;
  budget: number;
  best: TrialOutcome | null;
  /** Best first: finished trials by the metric, then stopped, then failed. */
  trials: TrialOutcome[];
}

export interface SearchRunOptions {
  train: TrainOptions;
  plan: SearchPlan;
  /** Trial numbers to run (one matrix job runs one); default all. */
  only?: number[];
  experiment: string;
  store?: RunStore;
}

export interface SearchRunResult {
  summary: SearchSummary;
  summaryPath: string;
  summaryMarkdown: string;
  /** The best trial's model (model.json, or its folder for a command that wrote none). */
  bestModelPath: string;
  /** The best trial's output folder. */
  bestFolder: string;
  results: Map<number, TrainResult>;
}

/** Names a search: the same plan (space, strategy, seed, budget, metric) gives the same id. */
export function searchId(plan: SearchPlan): string {
  return hashJson({
    strategy: plan.strategy,
    metric: plan.metric,
    direction: plan.direction,
    seed: plan.seed,
    budget: plan.budget,
    parameters: plan.parameters,
    halving: plan.strategy === 'halving' ? plan.halving : undefined,
  }).slice(0, 12);
}

export const trialFolder = (trial: number) => join('trials', `trial-${trial}`);

/** The trial's settings: the base train options with its parameters applied. */
export function trialOptions(
  base: TrainOptions,
  params: TrialParams,
  trial: number,
  folder: string,
): TrainOptions {
  const number = (name: string) => {
    const value = params[name];
    if (typeof value !== 'number')
      throw new UserError(`Search parameter '${name}' must be a number, got ${JSON.stringify(value)}.`, {
        input: `search.parameters.${name}`,
      });
    return value;
  };
  const options: TrainOptions = {
    ...base,
    outputDir: folder,
    checkpointDir: join(folder, 'checkpoints'),
    resume: false,
    cache: false,
  };
  for (const name of Object.keys(params)) {
    if (name === 'epochs') options.epochs = number(name);
    else if (name === 'batch-size') options.batchSize = number(name);
    else if (name === 'learning-rate') options.learningRate = number(name);
    else if (name === 'validation-split') options.validationSplit = number(name);
    else if (name === 'patience') options.patience = number(name);
    else if (name === 'seed') options.seed = number(name);
    else if (name === 'model') options.model = String(params[name]);
  }
  const commandMode = Boolean(base.commandArgv ?? base.command?.trim());
  if (commandMode) {
    options.extraCommandEnv = {
      ...base.extraCommandEnv,
      MLOPS_TRIAL: String(trial),
      MLOPS_PARAMS_FILE: join(folder, TRIAL_PARAMS_FILE),
      ...Object.fromEntries(
        Object.entries(params).map(([name, value]) => [paramEnvName(name), String(value)]),
      ),
    };
  }
  return options;
}

/** The trial's parameters as JSON, for a user's command (MLOPS_PARAMS_FILE). */
export const TRIAL_PARAMS_FILE = 'trial-params.json';

/**
 * Runs the plan's trials one after another in this process: each trains into
 * `<output-dir>/trials/trial-<n>/`, is appended to the tracking store, and writes trial.json. A
 * trial that fails is recorded as failed and the search goes on; only when every trial fails does
 * the search fail.
 */
export async function runSearch(options: SearchRunOptions, deps: TrainDeps): Promise<SearchRunResult> {
  const { outcomes, results, root, id } = await runTrials(options, deps);
  return finishSearch(options.plan, id, outcomes, root, results, deps.log);
}

/**
 * The trials alone, without ranking them: a matrix job runs one, and its failure is recorded in
 * trial.json for select-best rather than failing the job.
 */
export async function runTrials(
  options: SearchRunOptions,
  deps: TrainDeps,
): Promise<{ outcomes: TrialOutcome[]; results: Map<number, TrainResult>; root: string; id: string }> {
  const { plan, log } = { plan: options.plan, log: deps.log };
  const id = searchId(plan);
  const root = resolve(options.train.workingDirectory, options.train.outputDir);
  const numbers = options.only ?? plan.trials.map((_, i) => i + 1);
  for (const n of numbers) {
    if (!Number.isInteger(n) || n < 1 || n > plan.trials.length)
      throw new UserError(`There is no trial ${n}: the search has trials 1 to ${plan.trials.length}.`, {
        input: 'search-trial',
      });
  }
  if (plan.gridSkipped > 0)
    log.warning(
      `The grid has ${plan.trials.length + plan.gridSkipped} points; budget ${plan.budget} runs the first ${plan.trials.length} and leaves ${plan.gridSkipped} out.`,
    );
  const halving =
    plan.strategy === 'halving'
      ? new SuccessiveHalving({ ...plan.halving, direction: plan.direction })
      : undefined;
  const outcomes: TrialOutcome[] = [];
  const results = new Map<number, TrainResult>();
  for (const n of numbers) {
    const params = plan.trials[n - 1];
    const folder = join(root, trialFolder(n));
    await mkdir(folder, { recursive: true });
    await writeFileAtomic(join(folder, TRIAL_PARAMS_FILE), `${JSON.stringify(params, null, 2)}\n`);
    log.info(`Trial ${n}/${plan.trials.length}: ${describeParams(params)}`);
    const started = new Date();
    const place: RunSearchPlace = {
      id,
      strategy: plan.strategy,
      trial: n,
      trials: plan.trials.length,
      metric: plan.metric,
      direction: plan.direction,
    };
    let outcome: TrialOutcome;
    let record: NewRunRecord;
    try {
      const result = await runTrain(trialOptions(options.train, params, n, folder), {
        ...deps,
        stopAfterEpoch: halving
          ? (epoch) =>
              halving.report(epoch.epoch, epoch[`val_${plan.metric}`] ?? epoch[plan.metric] ?? Number.NaN)
          : undefined,
      });
      results.set(n, result);
      const value = result.final[plan.metric];
      const reported = Object.keys(result.final).join(', ') || 'none';
      const missing = typeof value !== 'number' || !Number.isFinite(value);
      outcome = {
        schema: TRIAL_SCHEMA,
        search_id: id,
        trial: n,
        params,
        status: missing ? 'failed' : result.stoppedBy ? 'stopped' : 'finished',
        value: missing ? null : value,
        metrics: result.final,
        folder: trialFolder(n),
        ...(missing
          ? { error: `the trial reported no finite '${plan.metric}' (it reported: ${reported})` }
          : {}),
        ...(result.stoppedBy ? { stopped_by: result.stoppedBy } : {}),
        duration_seconds: result.durationSeconds,
      };
      record = trainRunRecord(options, {
        params,
        place,
        started,
        result,
        status: outcome.status,
        error: outcome.error,
        stoppedBy: result.stoppedBy,
      });
    } catch (error) {
      const message = errorMessage(error);
      log.warning(`Trial ${n} failed: ${message}`);
      outcome = {
        schema: TRIAL_SCHEMA,
        search_id: id,
        trial: n,
        params,
        status: 'failed',
        value: null,
        metrics: {},
        folder: trialFolder(n),
        error: message,
        duration_seconds: (Date.now() - started.getTime()) / 1000,
      };
      record = trainRunRecord(options, { params, place, started, status: 'failed', error: message });
    }
    await writeFileAtomic(join(folder, TRIAL_FILE), `${JSON.stringify(outcome, null, 2)}\n`);
    await keepTrainRecord(options.store, folder, record, log);
    outcomes.push(outcome);
  }
  return { outcomes, results, root, id };
}

async function finishSearch(
  plan: SearchPlan,
  id: string,
  outcomes: TrialOutcome[],
  root: string,
  results: Map<number, TrainResult>,
  log: TrainDeps['log'],
): Promise<SearchRunResult> {
  const summary = summarise(plan, id, outcomes);
  if (!summary.best) {
    const first = outcomes.find((o) => o.error);
    throw new UserError(
      `Every trial of the search failed (${outcomes.length} of ${outcomes.length})${first ? `; trial ${first.trial}: ${first.error}` : ''}.`,
      { input: 'search' },
    );
  }
  const failed = outcomes.filter((o) => o.status === 'failed').length;
  if (failed > 0) log.warning(`${failed} of ${outcomes.length} trials failed; they are recorded as failed.`);
  const summaryPath = join(root, 'search-summary.json');
  await writeFileAtomic(summaryPath, `${JSON.stringify(summary, null, 2)}\n`);
  const summaryMarkdown = renderSearchSummary(summary);
  await writeFileAtomic(join(root, 'search-summary.md'), summaryMarkdown);
  const best = summary.best;
  const bestResult = results.get(best.trial);
  log.info(`Best trial: ${best.trial} (${plan.metric} = ${best.value}) ${describeParams(best.params)}`);
  return {
    summary,
    summaryPath,
    summaryMarkdown,
    bestModelPath: bestResult?.modelPath ?? join(root, best.folder, 'model.json'),
    bestFolder: join(root, best.folder),
    results,
  };
}

/** Ranks trials: finished ones by the metric (ties: lower trial number), then stopped, then failed. */
export function summarise(
  plan: Pick<SearchPlan, 'strategy' | 'metric' | 'direction' | 'seed' | 'budget'>,
  id: string,
  outcomes: TrialOutcome[],
): SearchSummary {
  const rank = { finished: 0, stopped: 1, failed: 2 } as const;
  const sign = plan.direction === 'higher' ? -1 : 1;
  const trials = [...outcomes].sort(
    (a, b) =>
      rank[a.status] - rank[b.status] ||
      (a.value !== null && b.value !== null ? sign * (a.value - b.value) : 0) ||
      a.trial - b.trial,
  );
  const best = trials.find((t) => t.status === 'finished') ?? null;
  return {
    schema: SEARCH_SUMMARY_SCHEMA,
    search_id: id,
    strategy: plan.strategy,
    metric: plan.metric,
    direction: plan.direction,
    seed: plan.seed,
    budget: plan.budget,
    best,
    trials,
  };
}

/**
 * select-best: reads the trial.json of every trial folder under `folder` (the matrix jobs'
 * downloaded artifacts, one folder each, at any depth up to 3) and ranks them.
 */
export async function selectBest(
  folder: string,
  plan: SearchPlan,
  root: string,
  log: TrainDeps['log'],
): Promise<SearchRunResult> {
  const id = searchId(plan);
  const found: { outcome: TrialOutcome; dir: string }[] = [];
  const walk = async (dir: string, depth: number) => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => null);
    if (entries === null) {
      throw new UserError(
        `search-trials '${dir}' is not a folder: give the folder the trial artifacts were downloaded to.`,
        {
          input: 'search-trials',
        },
      );
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isFile() && entry.name === TRIAL_FILE) {
        let outcome: TrialOutcome;
        try {
          outcome = JSON.parse(await readFile(path, 'utf8')) as TrialOutcome;
        } catch (error) {
          throw new UserError(`${path} is not JSON: ${(error as Error).message}`, { file: path });
        }
        if (outcome.schema !== TRIAL_SCHEMA)
          throw new UserError(`${path} is not a ${TRIAL_SCHEMA} file.`, { file: path });
        if (outcome.search_id !== id) {
          throw new UserError(
            `${path} is trial ${outcome.trial} of search ${outcome.search_id}, not of this search (${id}): mlops.yml's search section changed between the matrix jobs and select-best.`,
            { file: path },
          );
        }
        found.push({ outcome, dir });
      } else if (entry.isDirectory() && depth < 3 && entry.name !== 'checkpoints')
        await walk(path, depth + 1);
    }
  };
  await walk(folder, 0);
  if (found.length === 0)
    throw new UserError(`No ${TRIAL_FILE} under '${folder}': download the trial artifacts there first.`, {
      input: 'search-trials',
    });
  const byTrial = new Map<number, { outcome: TrialOutcome; dir: string }>();
  for (const item of found) {
    if (byTrial.has(item.outcome.trial))
      throw new UserError(`Trial ${item.outcome.trial} appears twice under '${folder}'.`, {
        input: 'search-trials',
      });
    byTrial.set(item.outcome.trial, item);
  }
  const missing = plan.trials.map((_, i) => i + 1).filter((n) => !byTrial.has(n));
  if (missing.length > 0)
    log.warning(
      `${missing.length} of ${plan.trials.length} trials have no artifact (trials ${missing.join(', ')}); the best is chosen among the others.`,
    );
  const outcomes = [...byTrial.values()].map(({ outcome, dir }) => ({ ...outcome, folder: dir }));
  const result = await finishSearch(plan, id, outcomes, root, new Map(), log);
  const best = result.summary.best!;
  const model = join(best.folder, 'model.json');
  return { ...result, bestModelPath: existsSync(model) ? model : best.folder, bestFolder: best.folder };
}

function describeParams(params: TrialParams): string {
  return Object.entries(params)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? Number(v.toPrecision(6)) : v}`)
    .join(', ');
}

/** The PR comment's and job summary's view of a search: the best trial, its params, the top 5. */
export function renderSearchSummary(summary: SearchSummary): string {
  const best = summary.best;
  const names = [...new Set(summary.trials.flatMap((t) => Object.keys(t.params)))];
  const top = summary.trials.slice(0, 5);
  const lines = [
    `### Hyperparameter search (${summary.strategy}, ${summary.trials.length} trials)`,
    '',
    best
      ? `Best: trial ${best.trial}, ${inlineCode(summary.metric)} = ${best.value} (${summary.direction} is better). Params: ${Object.entries(
          best.params,
        )
          .map(([k, v]) => `${inlineCode(k)} ${inlineCode(String(v))}`)
          .join(', ')}`
      : 'No trial finished.',
    '',
    markdownTable(
      ['Trial', 'Status', ...names.map((n) => escapeMarkdown(n)), escapeMarkdown(summary.metric)],
      top.map((t) => [
        String(t.trial),
        t.status,
        ...names.map((n) => (n in t.params ? escapeMarkdown(String(t.params[n])) : '')),
        t.value === null ? '' : String(Number(t.value.toPrecision(6))),
      ]),
    ),
    '',
  ];
  const failed = summary.trials.filter((t) => t.status === 'failed').length;
  const stopped = summary.trials.filter((t) => t.status === 'stopped').length;
  if (failed + stopped > 0)
    lines.push(`${failed} failed, ${stopped} stopped early by successive halving.`, '');
  return `${lines.join('\n')}\n`;
}

/** The tracking record of one train run (a search trial or a plain run). */
export function trainRunRecord(
  options: { experiment: string; train: TrainOptions },
  run: {
    params: TrialParams;
    place: RunSearchPlace | null;
    started: Date;
    result?: TrainedRun;
    status: RunRecord['status'];
    error?: string;
    stoppedBy?: string;
    env?: NodeJS.ProcessEnv;
  },
): NewRunRecord {
  const env = run.env ?? process.env;
  const ended = new Date();
  const base = options.train;
  const params: TrialParams = {
    model: base.commandArgv || base.command?.trim() ? 'command' : (base.model ?? 'mlp'),
    epochs: base.epochs,
    'batch-size': base.batchSize,
    'learning-rate': base.learningRate,
    seed: base.seed,
    ...(base.validationSplit !== undefined ? { 'validation-split': base.validationSplit } : {}),
    ...(base.patience !== undefined ? { patience: base.patience } : {}),
    ...run.params,
  };
  return {
    schema: 'mlops-run/v1',
    experiment: options.experiment,
    run_id: randomBytes(16).toString('hex'),
    kind: 'train',
    status: run.status,
    started_at: run.started.toISOString(),
    ended_at: ended.toISOString(),
    duration_seconds: run.result?.durationSeconds ?? (ended.getTime() - run.started.getTime()) / 1000,
    params,
    metrics: run.result?.final ?? {},
    curves: run.result?.document.epochs ?? [],
    data_fingerprint: run.result?.dataFingerprint ? `sha256:${run.result.dataFingerprint}` : null,
    code_sha: codeShaOf(env),
    runner: runnerOf(env),
    backend: run.result?.backend ?? null,
    search: run.place,
    run_url: runUrlOf(env),
    ...(run.error ? { error: run.error } : {}),
    ...(run.stoppedBy ? { stopped_by: run.stoppedBy } : {}),
    ...(run.result?.document.slurm ? { slurm: run.result.document.slurm } : {}),
  };
}

/**
 * Reads a search-summary.json for the PR comment. It may come from an artifact of an untrusted
 * run, so every field the comment shows is checked to be of its type (values are escaped when
 * rendered); anything else is refused.
 */
export async function readSearchSummary(path: string): Promise<SearchSummary> {
  let value: SearchSummary;
  try {
    value = JSON.parse(await readFile(path, 'utf8')) as SearchSummary;
  } catch (error) {
    throw new UserError(`Cannot read the search summary '${path}': ${(error as Error).message}`, {
      input: 'search-summary',
      file: path,
    });
  }
  const scalar = (v: unknown) => ['string', 'number', 'boolean'].includes(typeof v);
  const trialOk = (t: TrialOutcome) =>
    t !== null &&
    typeof t === 'object' &&
    Number.isInteger(t.trial) &&
    ['finished', 'failed', 'stopped'].includes(t.status) &&
    (t.value === null || typeof t.value === 'number') &&
    t.params !== null &&
    typeof t.params === 'object' &&
    Object.values(t.params).every(scalar);
  const ok =
    value?.schema === SEARCH_SUMMARY_SCHEMA &&
    typeof value.metric === 'string' &&
    ['higher', 'lower'].includes(value.direction) &&
    ['grid', 'random', 'halving'].includes(value.strategy) &&
    Array.isArray(value.trials) &&
    value.trials.every(trialOk) &&
    (value.best === null || trialOk(value.best));
  if (!ok)
    throw new UserError(`'${path}' is not a ${SEARCH_SUMMARY_SCHEMA} file (train's search-summary output).`, {
      input: 'search-summary',
      file: path,
    });
  return value;
}
