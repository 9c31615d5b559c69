import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { UserError } from '../../errors/index.js';
import { writeFileAtomic } from '../../files/atomic-write.js';
import { userProgramEnvironment } from '../../platform/child-env.js';
import { readReportedMetrics, reportedRunFields } from '../commandMetrics.js';
import {
  reportedMetricsFile,
  type TrainDeps,
  type TrainOptions,
  type TrainResult,
  trainFolders,
  uploadTrainedModel,
} from '../runTrain.js';
import { splitShellWords } from '../shellWords.js';
import { renderTrainSummary } from '../summary.js';
import {
  gpuSection,
  type SlurmRunRecord,
  TRAINING_METRICS_SCHEMA,
  type TrainingMetricsDocument,
} from '../trainingMetrics.js';
import {
  renderBatchScript,
  renderTemplate,
  type SlurmJobPaths,
  type SlurmResources,
  sbatchArguments,
} from './batchScript.js';
import { followJob } from './followJob.js';
import { finishedJobError } from './jobStates.js';
import { runSlurmTool, submitBatchJob } from './slurmTools.js';

/** The `slurm-*` inputs. Time limit is `timeout-minutes`, GPUs per node `slurm-gpus`. */
export interface SlurmLaunchOptions extends Omit<SlurmResources, 'timeLimitMinutes' | 'jobName'> {
  jobName?: string;
  /** A batch-script template file with `{{placeholders}}`; undefined: the generated script. */
  scriptTemplate?: string;
  /**
   * How a node starts the mlops CLI for the built-in trainer, as argv; default: this Node.js and
   * the bundle's cli.js beside the running step, which the nodes then need to see.
   */
  mlopsCommand?: string;
  pollSeconds: number;
}

export interface SlurmTrainDeps extends TrainDeps {
  /** Aborting it cancels the job; default: the process's SIGINT and SIGTERM (a cancelled workflow run). */
  stop?: AbortSignal;
  /** Told the job id as soon as sbatch returns it. */
  onSubmitted?: (jobId: string) => void | Promise<void>;
}

/**
 * `train` with `launcher: slurm`: the runner only submits and follows. The batch script (generated
 * from the inputs, or the user's template) runs the user's command, or the built-in trainer via
 * the mlops CLI, on the cluster; everything it writes lands in output-dir, which must be on a
 * filesystem the runner and the nodes share. Checkpoints stay there, so a retried job resumes.
 */
export async function runSlurmTrain(
  options: TrainOptions,
  slurm: SlurmLaunchOptions,
  deps: SlurmTrainDeps,
): Promise<TrainResult> {
  const started = performance.now();
  const { log } = deps;
  const env = deps.env ?? process.env;
  const { cwd, at, outputDir, checkpointDir } = trainFolders(options, env);
  const userArgv =
    options.commandArgv ?? (options.command?.trim() ? splitShellWords(options.command) : undefined);
  const mode = userArgv ? 'command' : 'builtin';
  if (mode === 'builtin' && (!options.data || !options.target)) {
    throw new UserError(
      `Give 'data' and 'target' for the built-in trainer, or a 'command' for the Slurm job to run.`,
      { input: options.data ? 'target' : 'data' },
    );
  }
  if (options.gpu === 'require' && slurm.gpus === 0) {
    throw new UserError('gpu: require with launcher: slurm needs slurm-gpus of at least 1.', {
      input: 'slurm-gpus',
    });
  }
  // Before anything is written: a runner that cannot submit gets one message naming the launcher.
  await runSlurmTool('sbatch', ['--version'], env);
  if (options.cache) {
    log.info(
      'launcher: slurm keeps checkpoints in output-dir on the shared filesystem; the Actions cache is not used.',
    );
  }
  const metricsFile = reportedMetricsFile(outputDir, at, env);
  const jobFolder = join(outputDir, 'slurm');
  await mkdir(jobFolder, { recursive: true });
  await mkdir(checkpointDir, { recursive: true });
  const stamp = `${new Date().toISOString().replace(/[-:.]/g, '').replace('T', '-').slice(0, 15)}-${randomBytes(3).toString('hex')}`;
  const paths: SlurmJobPaths = {
    workingDirectory: cwd,
    outputDir,
    checkpointDir,
    metricsFile,
    jobOutputFile: join(jobFolder, `job-${stamp}.out`),
    sharedMarker: join(jobFolder, `.visible-${stamp}`),
  };
  const resources: SlurmResources = {
    ...slurm,
    jobName: slurm.jobName ?? 'mlops-train',
    timeLimitMinutes: options.timeoutMinutes ? Math.ceil(options.timeoutMinutes) : undefined,
  };
  const argv = userArgv ?? builtinTrainerArgv(options, slurm.mlopsCommand, cwd, outputDir);
  const script = slurm.scriptTemplate
    ? renderTemplate(
        await readTemplate(at(slurm.scriptTemplate)),
        at(slurm.scriptTemplate),
        {
          command: argv,
          working_directory: cwd,
          output_dir: outputDir,
          checkpoint_dir: checkpointDir,
          metrics_file: metricsFile,
          data: options.data ? at(options.data) : '',
          target: options.target ?? '',
          seed: String(options.seed),
          epochs: String(options.epochs),
          resume: String(options.resume),
        },
        paths,
      )
    : renderBatchScript(argv, resources, paths);
  const args = sbatchArguments(resources, paths);
  const scriptFile = join(jobFolder, `job-${stamp}.sh`);
  await writeFile(scriptFile, script, { mode: 0o644 });
  await writeFile(paths.sharedMarker, '');

  const jobEnv = jobEnvironment(options, env, { outputDir, checkpointDir, metricsFile }, at);
  // The node's mlops CLI would otherwise write its summary into the working directory.
  if (mode === 'builtin') jobEnv.MLOPS_SUMMARY_FILE = join(jobFolder, `job-${stamp}-summary.md`);
  // A metrics file of an earlier attempt must not pass for this job's.
  await rm(metricsFile, { force: true });
  if (mode === 'builtin') await rm(join(outputDir, 'training-metrics.json'), { force: true });

  const jobId = await submitBatchJob(args, script, jobEnv);
  log.info(`Submitted Slurm job ${jobId} (sbatch ${args.join(' ')}); batch script: ${scriptFile}`);
  await deps.onSubmitted?.(jobId);

  const stopping = deps.stop ? undefined : processStopSignal();
  let followed: Awaited<ReturnType<typeof followJob>>;
  try {
    followed = await followJob({
      jobId,
      outputFile: paths.jobOutputFile,
      env: jobEnv,
      log,
      pollSeconds: slurm.pollSeconds,
      stop: deps.stop ?? stopping?.signal,
    });
  } finally {
    stopping?.dispose();
    await rm(paths.sharedMarker, { force: true });
  }
  const { info } = followed;
  const slurmRecord: SlurmRunRecord = {
    job_id: jobId,
    state: info.state,
    node_list: info.nodeList,
    elapsed_seconds: info.elapsedSeconds,
    queued_seconds: info.queuedSeconds,
  };
  log.info(
    `Slurm job ${jobId} ended ${info.state} (exit code ${info.exitCode}) on ${info.nodeList || 'no node'} after ${info.elapsedSeconds} s (queued ${info.queuedSeconds} s).`,
  );
  const failure = finishedJobError({
    jobId,
    info,
    tail: followed.tail,
    cancelledBy: followed.cancelledBy,
    timeLimitMinutes: options.timeoutMinutes,
    memory: slurm.memory,
  });
  if (failure) throw failure;

  const gpuCount = slurm.gpus * slurm.nodes;
  const durationSeconds = (performance.now() - started) / 1000;
  let document: TrainingMetricsDocument;
  if (mode === 'builtin') {
    document = await readNodeMetrics(join(outputDir, 'training-metrics.json'), jobId);
    document = { ...document, duration_seconds: durationSeconds, slurm: slurmRecord };
  } else {
    const reported = await readReportedMetrics(metricsFile, followed.metricRows);
    document = {
      schema: TRAINING_METRICS_SCHEMA,
      mode: 'command',
      task: options.task === 'classification' || options.task === 'regression' ? options.task : null,
      target: options.target ?? null,
      backend: 'command',
      ...reportedRunFields(reported, options.seed),
      duration_seconds: durationSeconds,
      cache_hit: false,
      // GPUs are on the nodes, out of nvidia-smi's reach from the runner: counted, not sampled.
      gpu: gpuSection(Array.from({ length: gpuCount }, () => 'Slurm gres gpu')),
      created_at: new Date().toISOString(),
      slurm: slurmRecord,
    };
  }
  const metricsPath = join(outputDir, 'training-metrics.json');
  await writeFileAtomic(metricsPath, `${JSON.stringify(document, null, 2)}\n`);

  // The job hashes the data on its node; the runner may not see the file.
  await deps.beforeUpload?.({
    backend: document.backend,
    durationSeconds,
    final: document.final,
    document,
    dataFingerprint: '',
  });
  const { artifactId, artifactUrl } = await uploadTrainedModel(options, deps, outputDir, checkpointDir);
  const modelJson = join(outputDir, 'model.json');
  const summaryMarkdown = renderTrainSummary({
    mode,
    final: document.final,
    evaluatedOn: document.evaluated_on,
    history: document.epochs,
    durationSeconds,
    backend: document.backend,
    gpu: { count: document.gpu.count, names: document.gpu.names },
    cacheHit: false,
    resumedFromEpoch: document.resumed_from_epoch,
    stoppedEarly: document.stopped_early,
    artifact: artifactId ? { name: options.artifactName!, id: artifactId } : undefined,
    slurm: slurmRecord,
  });
  return {
    modelPath: existsSync(modelJson) ? modelJson : outputDir,
    metricsPath,
    backend: document.backend,
    gpuCount: document.gpu.count,
    durationSeconds,
    cacheHit: false,
    artifactId,
    artifactUrl,
    summaryMarkdown,
    final: document.final,
    document,
    // The job hashes the data on its node; the runner may not see the file.
    dataFingerprint: '',
  };
}

/**
 * The job's environment, handed to sbatch (which exports it to the job): the runner's, less this
 * action's credentials, plus the MLOPS_* paths. CUDA_VISIBLE_DEVICES is the node's business
 * (Slurm sets it for --gres), so the runner's value is not carried over.
 */
function jobEnvironment(
  options: TrainOptions,
  env: NodeJS.ProcessEnv,
  paths: { outputDir: string; checkpointDir: string; metricsFile: string },
  at: (path: string) => string,
): NodeJS.ProcessEnv {
  const jobEnv: NodeJS.ProcessEnv = {
    // The job runs the user's program: the same rule as a local command (no action secrets; the
    // runner's file commands only when asked, though a job on another node cannot reach them anyway).
    ...userProgramEnvironment(env, options.runnerFileCommands ?? false),
    MLOPS_OUTPUT_DIR: paths.outputDir,
    MLOPS_METRICS_FILE: paths.metricsFile,
    MLOPS_CHECKPOINT_DIR: paths.checkpointDir,
    MLOPS_RESUME: String(options.resume),
    MLOPS_SEED: String(options.seed),
    MLOPS_EPOCHS: String(options.epochs),
    MLOPS_BATCH_SIZE: String(options.batchSize),
    MLOPS_LEARNING_RATE: String(options.learningRate),
  };
  delete jobEnv.CUDA_VISIBLE_DEVICES;
  if (options.gpu === 'off') jobEnv.CUDA_VISIBLE_DEVICES = '';
  if (options.data) jobEnv.MLOPS_DATA = at(options.data);
  if (options.target) jobEnv.MLOPS_TARGET = options.target;
  if (options.task === 'classification' || options.task === 'regression') jobEnv.MLOPS_TASK = options.task;
  return jobEnv;
}

/** The node runs this step's built-in trainer locally, through the mlops CLI, with the same inputs. */
function builtinTrainerArgv(
  options: TrainOptions,
  mlopsCommand: string | undefined,
  cwd: string,
  outputDir: string,
): string[] {
  const mlops = mlopsCommand?.trim() ? splitShellWords(mlopsCommand) : defaultMlopsCommand();
  const inputs: [string, string | number | boolean | undefined][] = [
    ['launcher', 'local'],
    ['model', options.model ?? 'mlp'],
    ['data', options.data],
    ['target', options.target],
    ['task', options.task ?? 'auto'],
    ['epochs', options.epochs],
    ['batch-size', options.batchSize],
    ['learning-rate', options.learningRate],
    ['seed', options.seed],
    ['validation-split', options.validationSplit ?? 0.2],
    ['output-dir', outputDir],
    ['resume', options.resume],
    ['gpu', options.gpu],
    // The job's time limit is Slurm's; the Actions cache and artifacts belong to the runner.
    ['timeout-minutes', 0],
    ['cache', false],
    ['artifact-name', ''],
    ['working-directory', cwd],
  ];
  const args: string[] = [...mlops, 'train'];
  for (const [name, value] of inputs) if (value !== undefined) args.push(`--${name}`, String(value));
  return args;
}

/** This Node.js and the CLI bundle beside the running step (dist/train.js and dist/cli.js). */
function defaultMlopsCommand(): string[] {
  const cli = join(dirname(process.argv[1] ?? ''), 'cli.js');
  if (!process.argv[1] || !existsSync(cli)) {
    throw new UserError(
      'The built-in trainer on Slurm needs the mlops CLI on the nodes: set slurm-mlops-command (e.g. "node /shared/mlops/dist/cli.js").',
      { input: 'slurm-mlops-command' },
    );
  }
  return [process.execPath, cli];
}

async function readTemplate(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new UserError(`The Slurm script template '${path}' cannot be read: ${(error as Error).message}`, {
      input: 'slurm-script-template',
    });
  }
}

async function readNodeMetrics(path: string, jobId: string): Promise<TrainingMetricsDocument> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new UserError(
      `Slurm job ${jobId} completed but wrote no ${path}; the built-in trainer on the node did not finish its run.`,
      { input: 'output-dir' },
    );
  }
  const document = JSON.parse(text) as TrainingMetricsDocument;
  if (document.schema !== TRAINING_METRICS_SCHEMA) {
    throw new UserError(`${path} is not ${TRAINING_METRICS_SCHEMA} (schema '${String(document.schema)}').`, {
      file: path,
    });
  }
  return document;
}

/**
 * A cancelled workflow run sends the step SIGINT, then SIGTERM: both become one abort, so the
 * job is cancelled instead of the runner leaving it to run on the cluster.
 */
function processStopSignal(): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const handlers = (['SIGINT', 'SIGTERM'] as const).map((name) => {
    const handler = () => controller.abort(name);
    process.on(name, handler);
    return [name, handler] as const;
  });
  return {
    signal: controller.signal,
    dispose: () => {
      for (const [name, handler] of handlers) process.off(name, handler);
    },
  };
}
