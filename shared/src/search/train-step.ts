import { join } from 'node:path';
import type { LoadedConfig } from '../config/load.js';
import { UserError } from '../errors/index.js';
import { writeFileAtomic } from '../files/atomic-write.js';
import { keepTrainRecord } from '../tracking/record-file.js';
import type { RunStore } from '../tracking/store.js';
import {
  runTrain,
  type TrainDeps,
  type TrainOptions,
  type TrainResult,
  trainFolders,
  uploadTrainedModel,
} from '../train/runTrain.js';
import {
  renderSearchSummary,
  runSearch,
  runTrials,
  selectBest,
  trainRunRecord,
  trialFolder,
} from './run-search.js';
import { planSearch, type SearchPlan } from './space.js';

export const SEARCH_MODES = ['off', 'run', 'plan', 'trial', 'select-best', 'auto'] as const;
export type SearchMode = (typeof SEARCH_MODES)[number];

export interface TrainStepOptions {
  train: TrainOptions;
  /**
   * off: one training run; run: every trial here; plan: the matrix only; trial: one trial;
   * select-best; auto: run when mlops.yml has a search: section, else off (a shared PR workflow).
   */
  search: SearchMode;
  /** trial: the trial number (from the plan's matrix). */
  searchTrial?: number;
  /** select-best: the folder the trials' artifacts were downloaded to. */
  searchTrials?: string;
  config?: LoadedConfig;
  /** The experiment run records go under: mlops.yml's name, else `default`. */
  experiment: string;
  /** Where run records are appended; undefined: tracking off. */
  store?: RunStore;
}

export interface TrainStepResult {
  outputs: Record<string, string | number | boolean>;
  summaryMarkdown: string;
}

/** The `plan` output: `strategy.matrix: ${{ fromJSON(steps.plan.outputs.plan) }}`, one entry per trial. */
export function planMatrix(plan: SearchPlan): { trial: number[] } {
  return { trial: plan.trials.map((_, i) => i + 1) };
}

/**
 * The train step with its search modes and tracking: every training run, a search's trials
 * included, appends a record to the tracking store; a failed plain run is recorded before its
 * error is raised.
 */
export async function runTrainStep(options: TrainStepOptions, deps: TrainDeps): Promise<TrainStepResult> {
  if (options.search === 'auto') {
    const search = options.config?.config.search ? 'run' : 'off';
    deps.log.info(
      search === 'run'
        ? `search: auto runs the search of ${options.config?.file}.`
        : 'search: auto trains once: mlops.yml has no search: section.',
    );
    return runTrainStep({ ...options, search }, deps);
  }
  const { train } = options;
  const env = deps.env ?? process.env;
  if (options.search === 'off') {
    const result = await trainTracked(options, deps, (tracked) => runTrain(train, tracked));
    return {
      outputs: {
        ...trainOutputs(result),
        'run-records': runRecordsOutput(options, outputFolder(train, env)),
      },
      summaryMarkdown: result.summaryMarkdown,
    };
  }
  const section = options.config?.config.search;
  if (!section) {
    throw new UserError(
      `search: ${options.search} needs a 'search:' section in mlops.yml${options.config ? ` (${options.config.file} has none)` : ' (none was found)'}.`,
      { input: 'search' },
    );
  }
  const mode = train.commandArgv || train.command?.trim() ? 'command' : 'builtin';
  const plan = planSearch(section, { mode, source: options.config?.source, defaultMetric: 'loss' });
  const { outputDir } = trainFolders(train, env);
  const matrix = JSON.stringify(planMatrix(plan));
  if (options.search === 'plan') {
    await writeFileAtomic(
      join(outputDir, 'search-plan.json'),
      `${JSON.stringify({ ...plan, matrix: planMatrix(plan) }, null, 2)}\n`,
    );
    if (plan.strategy === 'halving') {
      throw new UserError(
        'strategy halving runs in one job (search: run): its rungs compare trials as they train, which separate matrix jobs cannot.',
        { input: 'search' },
      );
    }
    deps.log.info(`Search plan: ${plan.trials.length} trials (${plan.strategy}, seed ${plan.seed}).`);
    return {
      outputs: { plan: matrix },
      summaryMarkdown: `### Hyperparameter search plan\n\n${plan.trials.length} trials (${plan.strategy}, seed ${plan.seed}).\n`,
    };
  }
  const searchRun = { train, plan, experiment: options.experiment, store: options.store };
  if (options.search === 'trial') {
    if (options.searchTrial === undefined)
      throw new UserError('search: trial needs search-trial (the matrix entry, e.g. ${{ matrix.trial }}).', {
        input: 'search-trial',
      });
    if (plan.strategy === 'halving')
      throw new UserError('strategy halving runs in one job (search: run), not one trial per matrix job.', {
        input: 'search',
      });
    const { outcomes, root } = await runTrials({ ...searchRun, only: [options.searchTrial] }, deps);
    const outcome = outcomes[0];
    const folder = join(root, trialFolder(outcome.trial));
    const uploaded = await uploadTrainedModel(train, deps, folder, join(folder, 'checkpoints'));
    return {
      outputs: {
        'model-path': join(folder, 'model.json'),
        'metrics-path': join(folder, 'training-metrics.json'),
        'trial-status': outcome.status,
        'run-records': runRecordsOutput(options, folder),
        'artifact-id': uploaded.artifactId,
        'artifact-url': uploaded.artifactUrl,
      },
      summaryMarkdown: `### Trial ${outcome.trial} of ${plan.trials.length}: ${outcome.status}\n\n${outcome.error ? `${outcome.error}\n` : `${plan.metric} = ${outcome.value}\n`}`,
    };
  }
  if (options.search === 'select-best' && !options.searchTrials)
    throw new UserError(
      'search: select-best needs search-trials (the folder of downloaded trial artifacts).',
      {
        input: 'search-trials',
      },
    );
  const result =
    options.search === 'run'
      ? await runSearch(searchRun, deps)
      : await selectBest(
          trainFolders({ ...train, outputDir: options.searchTrials ?? '' }, env).outputDir,
          plan,
          outputDir,
          deps.log,
        );
  const best = result.summary.best!;
  const bestFolder = result.bestFolder;
  const uploaded = await uploadTrainedModel(train, deps, bestFolder, join(bestFolder, 'checkpoints'));
  return {
    outputs: {
      'model-path': result.bestModelPath,
      'metrics-path': join(bestFolder, 'training-metrics.json'),
      'best-trial': best.trial,
      'best-params': JSON.stringify(best.params),
      'search-summary': result.summaryPath,
      plan: matrix,
      // run: every trial's record under output-dir; select-best: the downloaded trials' records.
      'run-records': runRecordsOutput(
        options,
        options.search === 'run'
          ? outputDir
          : trainFolders({ ...train, outputDir: options.searchTrials ?? '' }, env).outputDir,
      ),
      'artifact-id': uploaded.artifactId,
      'artifact-url': uploaded.artifactUrl,
    },
    summaryMarkdown: renderSearchSummary(result.summary),
  };
}

const outputFolder = (train: TrainOptions, env: NodeJS.ProcessEnv) => trainFolders(train, env).outputDir;

/** The `run-records` output: the folder holding the step's run-record.json files, when tracking is on. */
export const runRecordsOutput = (options: Pick<TrainStepOptions, 'store'>, folder: string) =>
  options.store ? folder : '';

/**
 * One training run (on this runner or as a Slurm job) with its record kept: run-record.json in
 * its output folder, written before the folder is uploaded so the record travels in the artifact,
 * and an append to the store. A run that fails is recorded as failed, then its error is raised.
 */
export async function trainTracked(
  options: Pick<TrainStepOptions, 'train' | 'experiment' | 'store'>,
  deps: TrainDeps,
  train: (deps: TrainDeps) => Promise<TrainResult>,
): Promise<TrainResult> {
  const env = deps.env ?? process.env;
  const folder = outputFolder(options.train, env);
  const started = new Date();
  const context = { experiment: options.experiment, train: options.train };
  let kept = false;
  const keep = async (run: Parameters<typeof trainRunRecord>[1]) => {
    kept = true;
    await keepTrainRecord(options.store, folder, trainRunRecord(context, run), deps.log);
  };
  let result: TrainResult;
  try {
    result = await train({
      ...deps,
      beforeUpload: (trained) =>
        keep({ params: {}, place: null, started, result: trained, status: 'finished', env }),
    });
  } catch (error) {
    // A failure after the record was kept (the upload) leaves the finished record: it trained.
    if (!kept)
      await keep({
        params: {},
        place: null,
        started,
        status: 'failed',
        error: (error as Error).message,
        env,
      });
    throw error;
  }
  if (!kept) await keep({ params: {}, place: null, started, result, status: 'finished', env });
  return result;
}

/** train's outputs for one trained model, wherever it ran (the runner or a Slurm job). */
export function trainOutputs(result: Awaited<ReturnType<typeof runTrain>>): TrainStepResult['outputs'] {
  return {
    'model-path': result.modelPath,
    'metrics-path': result.metricsPath,
    backend: result.backend,
    'gpu-count': result.gpuCount,
    'duration-seconds': result.durationSeconds.toFixed(1),
    'cache-hit': result.cacheHit,
    'artifact-id': result.artifactId,
    'artifact-url': result.artifactUrl,
  };
}
