import { join } from 'node:path';
import type { LoadedConfig } from '../config/load.js';
import { UserError } from '../errors/index.js';
import { writeFileAtomic } from '../files/atomic-write.js';
import { appendOrWarn, type RunStore } from '../tracking/store.js';
import {
  runTrain,
  type TrainDeps,
  type TrainOptions,
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

export const SEARCH_MODES = ['off', 'run', 'plan', 'trial', 'select-best'] as const;
export type SearchMode = (typeof SEARCH_MODES)[number];

export interface TrainStepOptions {
  train: TrainOptions;
  /** off: one training run; run: every trial here; plan: the matrix only; trial: one trial; select-best. */
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
  const { train } = options;
  const env = deps.env ?? process.env;
  if (options.search === 'off') {
    const started = new Date();
    const record = { experiment: options.experiment, train };
    let result: Awaited<ReturnType<typeof runTrain>>;
    try {
      result = await runTrain(train, deps);
    } catch (error) {
      await appendOrWarn(
        options.store,
        trainRunRecord(record, {
          params: {},
          place: null,
          started,
          status: 'failed',
          error: (error as Error).message,
          env,
        }),
        deps.log,
      );
      throw error;
    }
    await appendOrWarn(
      options.store,
      trainRunRecord(record, { params: {}, place: null, started, result, status: 'finished', env }),
      deps.log,
    );
    return { outputs: trainOutputs(result), summaryMarkdown: result.summaryMarkdown };
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
      'artifact-id': uploaded.artifactId,
      'artifact-url': uploaded.artifactUrl,
    },
    summaryMarkdown: renderSearchSummary(result.summary),
  };
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
