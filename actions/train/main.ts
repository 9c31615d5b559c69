import { defineAction } from '../../shared/src/actions/define.js';
import { ACTION_SPECS } from '../../shared/src/actions/specs.generated.js';
import { featureOptions } from '../../shared/src/config/schema.js';
import { UserError } from '../../shared/src/errors/index.js';
import {
  runRecordsOutput,
  runTrainStep,
  SEARCH_MODES,
  trainOutputs,
  trainTracked,
} from '../../shared/src/search/train-step.js';
import { openRunStore } from '../../shared/src/tracking/store.js';
import type { TrainDeps, TrainOptions } from '../../shared/src/train/runTrain.js';
import { runSlurmTrain } from '../../shared/src/train/slurm/runSlurmTrain.js';
import { cancelUnfinishedJob } from '../../shared/src/train/slurm/slurmTools.js';

/** The post step's handle on a submitted Slurm job. */
const SLURM_JOB_STATE = 'slurm-job-id';

export const trainAction = defineAction({
  name: 'train',
  async run({ inputs, config, log, services, platform }) {
    const artifactName = inputs.optional('artifact-name');
    const cache = inputs.boolean('cache');
    const options: TrainOptions = {
      command: inputs.optional('command'),
      model: inputs.optional('model'),
      data: inputs.path('data'),
      target: inputs.optional('target'),
      task: inputs.choice('task', ['classification', 'regression', 'auto']),
      epochs: inputs.number('epochs', { integer: true, min: 1 }),
      batchSize: inputs.number('batch-size', { integer: true, min: 1 }),
      learningRate: inputs.number('learning-rate', { min: 0, exclusiveMin: true }),
      seed: inputs.number('seed', { integer: true, min: 0 }),
      validationSplit: inputs.number('validation-split', { min: 0, max: 0.9 }),
      outputDir: inputs.resolvePath(inputs.required('output-dir')),
      resume: inputs.boolean('resume'),
      cache,
      artifactName,
      gpu: inputs.choice('gpu', ['auto', 'require', 'off']),
      timeoutMinutes: inputs.number('timeout-minutes', { min: 0 }) || undefined,
      runnerFileCommands: inputs.boolean('runner-file-commands'),
      workingDirectory: inputs.workingDirectory,
      features: featureOptions(config?.config),
    };
    const deps = {
      log,
      artifacts: artifactName ? services.artifacts() : undefined,
      cache: cache ? services.cache() : undefined,
    };
    let slurmJobId: string | undefined;
    const launcher = inputs.choice('launcher', ['local', 'slurm']);
    const search = inputs.choice('search', SEARCH_MODES);
    // auto without a search: section is one run, which a Slurm job can be.
    const searching = search === 'auto' ? Boolean(config?.config.search) : search !== 'off';
    if (launcher === 'slurm' && searching)
      throw new UserError(
        'search runs its trials on this runner, not as Slurm jobs; use launcher: local with search (README, Scaling out).',
        { input: 'search' },
      );
    const tracking = inputs.choice('tracking', ['local', 'off']);
    const store =
      tracking === 'off'
        ? undefined
        : openRunStore({
            backend: tracking,
            location: inputs.string('tracking-store'),
            workingDirectory: inputs.workingDirectory,
          });
    if (launcher === 'local') {
      // A Slurm setting without launcher: slurm would otherwise train on the runner without a word.
      for (const [name, spec] of Object.entries(ACTION_SPECS.train.inputs)) {
        if (name.startsWith('slurm-') && inputs.string(name) !== (spec.default ?? '')) {
          throw new UserError(`${name} applies to launcher: slurm; set launcher: slurm, or remove ${name}.`, {
            input: name,
          });
        }
      }
    }
    if (launcher === 'local') {
      const step = await runTrainStep(
        {
          train: options,
          search,
          searchTrial: inputs.optionalNumber('search-trial', { integer: true, min: 1 }),
          searchTrials: inputs.optional('search-trials'),
          config,
          experiment: config?.config.name ?? 'default',
          store,
        },
        deps,
      );
      return { outputs: step.outputs, summary: step.summaryMarkdown };
    }
    const experiment = config?.config.name ?? 'default';
    const slurm = (tracked: TrainDeps) =>
      runSlurmTrain(
        options,
        {
          partition: inputs.optional('slurm-partition'),
          account: inputs.optional('slurm-account'),
          gpus: inputs.number('slurm-gpus', { integer: true, min: 0 }),
          nodes: inputs.number('slurm-nodes', { integer: true, min: 1 }),
          tasks: inputs.number('slurm-tasks', { integer: true, min: 1 }),
          cpusPerTask: inputs.optionalNumber('slurm-cpus-per-task', { integer: true, min: 1 }),
          memory: inputs.optional('slurm-memory'),
          extraOptions: inputs
            .string('slurm-options')
            .split('\n')
            .map((line) => line.trim())
            .filter((line) => line !== ''),
          scriptTemplate: inputs.optional('slurm-script-template'),
          mlopsCommand: inputs.optional('slurm-mlops-command'),
          jobName: inputs.required('slurm-job-name'),
          pollSeconds: inputs.number('slurm-poll-seconds', { min: 0.1 }),
        },
        {
          ...tracked,
          onSubmitted: (jobId) => {
            slurmJobId = jobId;
            platform.saveState(SLURM_JOB_STATE, jobId);
          },
        },
      );
    // The record is kept when the job has ended, from what the runner read back (the job's state,
    // nodes and metrics); a failed job is recorded as failed.
    const result = await trainTracked({ train: options, experiment, store }, deps, slurm);
    return {
      outputs: {
        ...trainOutputs(result),
        'slurm-job-id': slurmJobId,
        'run-records': runRecordsOutput({ store }, options.outputDir),
      },
      summary: result.summaryMarkdown,
    };
  },
  async post({ platform, log }) {
    const jobId = platform.state(SLURM_JOB_STATE);
    if (jobId) log.info(await cancelUnfinishedJob(jobId, process.env));
  },
});
