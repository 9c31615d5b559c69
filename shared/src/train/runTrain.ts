import { existsSync, statSync } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import type * as Tf from '@tensorflow/tfjs';
import { loadTf, type TfModule } from '../engines/tfjs.js';
import { UserError } from '../errors/index.js';
import { writeFileAtomic } from '../files/atomic-write.js';
import type { GpuUsageSummary } from '../gpu/nvidiaSmi.js';
import { type GpuMode, GpuSampler, resolveGpus } from '../gpu/probe.js';
import type { Log } from '../logging/index.js';
import {
  describeFill,
  describeFilled,
  inputNames,
  type OnInvalid,
  type Preprocessing,
} from '../models/preprocessing.js';
import { fileSaveHandler } from '../models/tfjs-files.js';
import { userProgramEnvironment } from '../platform/child-env.js';
import type { ArtifactStore, CacheStore } from '../platform/storage/types.js';
import { readReportedMetrics, reportedRunFields } from './commandMetrics.js';
import { hashFile, hashJson } from './contentHash.js';
import {
  type LayerSpec,
  MODEL_PRESETS,
  type ModelPreset,
  presetLayers,
  readLayersSpec,
  usesTrainingRandomness,
} from './modelSpec.js';
import { splitShellWords } from './shellWords.js';
import { renderTrainSummary, type TrainSummaryInput } from './summary.js';
import { type FeatureOptions, readTrainingTable, type TrainTask } from './tabularData.js';
import { type EpochRecord, trainTabular } from './tabularTrainer.js';
import { gpuSection, TRAINING_METRICS_SCHEMA, type TrainingMetricsDocument } from './trainingMetrics.js';
import { runUserCommand } from './userCommand.js';

export interface TrainOptions {
  /** The user's training program as one string, split by `splitShellWords` (no shell runs). */
  command?: string;
  /** The program as an argv array; wins over `command`. */
  commandArgv?: string[];
  /** `linear`, `logistic`, `mlp`, or a path to a Keras-style layers JSON file (built-in trainer). */
  model?: string;
  data?: string;
  target?: string;
  task?: string;
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  outputDir: string;
  resume: boolean;
  cache: boolean;
  artifactName?: string;
  gpu: GpuMode;
  timeoutMinutes?: number;
  workingDirectory: string;
  /** Held-out fraction for validation and early stopping; default 0.2. */
  validationSplit?: number;
  /** Epochs without improvement before early stopping; default 10. */
  patience?: number;
  /** Default: MLOPS_CHECKPOINT_DIR, else `<output-dir>/checkpoints`. */
  checkpointDir?: string;
  /** Seconds between SIGTERM and SIGKILL when the command times out; default 30. */
  killGraceSeconds?: number;
  /** mlops.yml's `features:` section (built-in trainer). */
  features?: FeatureOptions & { onInvalid?: OnInvalid };
  /**
   * Give the command the runner's file commands (GITHUB_ENV, GITHUB_PATH, GITHUB_OUTPUT,
   * GITHUB_STATE), with which it can change the job's later steps; default false.
   */
  runnerFileCommands?: boolean;
  /** More variables for the user's command (a search trial's MLOPS_PARAM_*), set after the filtering. */
  extraCommandEnv?: Record<string, string>;
}

export interface TrainDeps {
  log: Log;
  artifacts?: ArtifactStore;
  cache?: CacheStore;
  /** Environment for the user's command and MLOPS_CHECKPOINT_DIR; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Called after each built-in epoch's checkpoint; used by progress displays and the resume test. */
  onEpochEnd?: (epoch: number) => void | Promise<void>;
  /** Built-in trainer: asked after each epoch; a reason stops training there (successive halving). */
  stopAfterEpoch?: (record: EpochRecord) => string | undefined;
  /**
   * Told about the finished run before its folder is uploaded as the artifact, so what it writes
   * there (the run's tracking record) travels with the model.
   */
  beforeUpload?: (run: TrainedRun) => Promise<void>;
}

/** What is known of a run once it has trained, before its upload. */
export type TrainedRun = Pick<
  TrainResult,
  'backend' | 'durationSeconds' | 'final' | 'document' | 'dataFingerprint' | 'stoppedBy'
>;

export interface TrainResult {
  /** model.json of the built-in trainer; the output folder (or its model.json) for a command. */
  modelPath: string;
  /** training-metrics.json (mlops-training-metrics/v1). */
  metricsPath: string;
  /** tfjs backend (`tensorflow-gpu`, `tensorflow`, `wasm`, `cpu`); `command` for a user's program. */
  backend: string;
  gpuCount: number;
  durationSeconds: number;
  cacheHit: boolean;
  /** Empty when nothing was uploaded. */
  artifactId: string;
  /** The uploaded artifact's page; empty when nothing was uploaded. */
  artifactUrl: string;
  summaryMarkdown: string;
  /** Final metrics, for the CLI's JSON output. */
  final: Record<string, number>;
  /** What was written to training-metrics.json. */
  document: TrainingMetricsDocument;
  /** sha256 of the data file ('' without one). */
  dataFingerprint: string;
  /** Why stopAfterEpoch ended training, when it did. */
  stoppedBy?: string;
}

const CACHE_KEY_PREFIX = 'mlops-train-v1';

/**
 * The `train` step: the built-in TF.js trainer (`data` + `target` + `task` + `model`) or the
 * user's own `command`, with GPU probing and sampling, checkpoints, resume, cache and artifact.
 */
export async function runTrain(options: TrainOptions, deps: TrainDeps): Promise<TrainResult> {
  const started = performance.now();
  const { log } = deps;
  const env = deps.env ?? process.env;
  checkNumbers(options);
  const { cwd, at, outputDir, checkpointDir } = trainFolders(options, env);
  const argv =
    options.commandArgv ?? (options.command?.trim() ? splitShellWords(options.command) : undefined);
  const mode = argv ? 'command' : 'builtin';
  if (mode === 'builtin') {
    if (!options.data)
      throw new UserError("Give 'data' (a table file) for the built-in trainer, or a 'command' to run.", {
        input: 'data',
      });
    if (!options.target)
      throw new UserError("Give 'target': the column the model predicts.", { input: 'target' });
  }
  const requestedTask = parseTask(options.task);
  // Inputs are checked before the GPU probe, which can take seconds: a typo fails at once.
  if (options.data && !/[*?[]/.test(options.data) && !existsSync(at(options.data)))
    throw new UserError(`The data file '${options.data}' does not exist (resolved to ${at(options.data)}).`, {
      input: 'data',
      file: at(options.data),
    });
  // MLOPS_NVIDIA_SMI points at another nvidia-smi (a container's path, or a recorded one in tests).
  const nvidiaSmi = env.MLOPS_NVIDIA_SMI;
  const gpus = await resolveGpus(options.gpu, { binary: nvidiaSmi });
  if (gpus.devices.length > 0) {
    log.info(
      `GPUs: ${gpus.devices.map((d) => `${d.index}: ${d.name} (${d.memoryTotalMiB ?? '?'} MiB, driver ${d.driverVersion})`).join('; ')}`,
    );
  } else if (options.gpu !== 'off') {
    log.info(`No GPU in use (${gpus.reason ?? 'none found'}).`);
  }
  await mkdir(outputDir, { recursive: true });
  await mkdir(checkpointDir, { recursive: true });

  const dataPath = options.data ? at(options.data) : undefined;
  const dataHash = dataPath ? await hashFile(dataPath) : '';
  const layers = mode === 'builtin' ? await modelLayers(options.model ?? 'mlp', at) : [];
  const configHash = hashJson({
    mode,
    argv,
    layers,
    data: dataHash,
    target: options.target,
    task: requestedTask,
    epochs: options.epochs,
    batchSize: options.batchSize,
    learningRate: options.learningRate,
    seed: options.seed,
    validationSplit: options.validationSplit,
    patience: options.patience,
  });
  const cacheKey = `${CACHE_KEY_PREFIX}-${mode}-${configHash.slice(0, 40)}`;
  let cacheHit = false;
  let cacheRestored = false;
  if (options.cache && deps.cache) {
    const matched = await deps.cache.restore([checkpointDir], cacheKey, [`${cacheKey}-partial-`]);
    cacheHit = matched === cacheKey;
    cacheRestored = matched !== undefined;
    if (matched)
      log.info(`Restored checkpoints from the cache (${cacheHit ? 'exact key' : `partial run ${matched}`}).`);
  }
  const resume = options.resume || cacheRestored;

  const sampler = gpus.devices.length > 0 ? new GpuSampler({ binary: nvidiaSmi }) : undefined;
  sampler?.start();
  let usage: GpuUsageSummary | undefined;
  let outcome: Omit<
    TrainingMetricsDocument,
    'schema' | 'duration_seconds' | 'cache_hit' | 'gpu' | 'created_at'
  > & {
    modelPath: string;
  };
  let failed = true;
  let featureRows: TrainSummaryInput['features'];
  let stoppedBy: string | undefined;
  let missingFilled: Record<string, number> | undefined;
  try {
    if (mode === 'builtin') {
      // loadTf picks tfjs-node-gpu > tfjs-node > wasm > cpu once per process; gpu: off only hides
      // GPUs from user commands (CUDA_VISIBLE_DEVICES), as tfjs-node-gpu offers no switch.
      const loaded = await loadTf();
      // One short line; why faster backends were skipped is long (install errors) and goes to debug.
      log.info(
        `TensorFlow.js backend: ${loaded.backend}${loaded.notes.length > 0 ? ` (${loaded.notes.length} faster backend(s) unavailable; details in the debug log)` : ''}`,
      );
      for (const note of loaded.notes) log.debug(`TensorFlow.js backend skipped: ${note}`);
      if (usesTrainingRandomness(layers)) {
        log.warning(
          'The model has dropout/noise layers: they draw unseeded random numbers, so runs are not bit-for-bit repeatable.',
        );
      }
      const table = await readTrainingTable(dataPath!, options.target!, requestedTask, log, options.features);
      const task = table.task;
      if (table.droppedRows > 0)
        log.info(
          `Dropped ${table.droppedRows} rows whose target is missing (null or a missing-value token: ${table.missing.map((t) => JSON.stringify(t)).join(', ')}).`,
        );
      const trained = await trainTabular(
        loaded,
        table,
        {
          task,
          target: options.target!,
          layers,
          modelSource: options.model ?? 'mlp',
          epochs: options.epochs,
          batchSize: options.batchSize,
          learningRate: options.learningRate,
          seed: options.seed,
          validationSplit: options.validationSplit ?? 0.2,
          patience: options.patience ?? 10,
          checkpointDir,
          resume,
          dataFingerprint: dataHash,
          timeoutMinutes: options.timeoutMinutes,
          onEpochEnd: deps.onEpochEnd,
          stopAfterEpoch: deps.stopAfterEpoch,
          onInvalid: options.features?.onInvalid,
        },
        log,
      );
      const widths = new Map(
        trained.preprocessing.features.map((f) => [
          f.name,
          inputNames({ ...trained.preprocessing, features: [f] }).length,
        ]),
      );
      const fills = new Map(trained.preprocessing.features.map((f) => [f.name, describeFill(f)]));
      featureRows = table.inferred.map((c) => ({
        name: c.name,
        kind: c.kind,
        why: c.why,
        inputs: widths.get(c.name) ?? 0,
        fill: fills.get(c.name),
      }));
      missingFilled = trained.featureCounts.missing;
      stoppedBy = trained.stoppedBy;
      log.info(
        `Features: ${featureRows.map((f) => `${f.name} (${f.kind}${f.inputs === 0 ? ', dropped' : ''})`).join(', ')}.`,
      );
      // Filling is expected (evaluate and serve fill the same way) but it is still a value the data
      // did not have: said and counted here, as evaluate says it.
      if (trained.featureCounts.missingTotal > 0) {
        log.info(filledLine(trained.featureCounts.missing, trained.preprocessing));
      }
      if (trained.featureCounts.invalidTotal > 0) {
        log.warning(
          `The training rows had values the features could not read, replaced by each feature's fill (on-invalid: ${options.features?.onInvalid}): ${trained.featureCounts.describeInvalid()}.`,
        );
      }
      await saveModelFiles(loaded.tf, trained.model, outputDir);
      if (dataPath && existsSync(dataPath) && statSync(dataPath).isFile()) {
        trained.preprocessing.training_data = { file: basename(dataPath), digest: `sha256:${dataHash}` };
      }
      await writeFileAtomic(
        join(outputDir, 'preprocessing.json'),
        `${JSON.stringify(trained.preprocessing, null, 2)}\n`,
      );
      trained.model.dispose();
      outcome = {
        mode,
        task,
        target: options.target!,
        backend: loaded.backend,
        epochs: trained.history,
        final: trained.final,
        evaluated_on: trained.evaluatedOn,
        rows: trained.rows,
        seed: options.seed,
        epochs_run: trained.epochsRun,
        resumed_from_epoch: trained.resumedFromEpoch,
        stopped_early: trained.stoppedEarly,
        rows_per_second: trained.rowsPerSecond,
        modelPath: join(outputDir, 'model.json'),
      };
    } else {
      const metricsFile = reportedMetricsFile(outputDir, at, env);
      const visible = gpus.devices.map((d) => String(d.index)).join(',');
      const childEnv: NodeJS.ProcessEnv = {
        ...userProgramEnvironment(env, options.runnerFileCommands ?? false),
        MLOPS_OUTPUT_DIR: outputDir,
        MLOPS_METRICS_FILE: metricsFile,
        MLOPS_CHECKPOINT_DIR: checkpointDir,
        MLOPS_RESUME: String(resume),
        MLOPS_SEED: String(options.seed),
        MLOPS_EPOCHS: String(options.epochs),
        MLOPS_BATCH_SIZE: String(options.batchSize),
        MLOPS_LEARNING_RATE: String(options.learningRate),
        // gpu: off hides the GPUs from CUDA; otherwise a value the runner set is kept.
        CUDA_VISIBLE_DEVICES: options.gpu === 'off' ? '' : (env.CUDA_VISIBLE_DEVICES ?? visible),
        ...options.extraCommandEnv,
      };
      if (dataPath) childEnv.MLOPS_DATA = dataPath;
      if (options.target) childEnv.MLOPS_TARGET = options.target;
      if (requestedTask !== 'auto') childEnv.MLOPS_TASK = requestedTask;
      const ran = await runUserCommand({
        argv: argv!,
        cwd,
        env: childEnv,
        timeoutMinutes: options.timeoutMinutes,
        killGraceSeconds: options.killGraceSeconds,
        log,
      });
      const reported = await readReportedMetrics(metricsFile, ran.metricRows);
      outcome = {
        mode,
        task: requestedTask === 'auto' ? null : requestedTask,
        target: options.target ?? null,
        // The program picks its own framework and device; what it was given is in `gpu`.
        backend: 'command',
        ...reportedRunFields(reported, options.seed),
        modelPath: existsSync(join(outputDir, 'model.json')) ? join(outputDir, 'model.json') : outputDir,
      };
    }
    failed = false;
  } finally {
    usage = await sampler?.stop();
    if (
      failed &&
      options.cache &&
      deps.cache &&
      existsSync(checkpointDir) &&
      (await readdir(checkpointDir)).length > 0
    ) {
      // A timed-out or failed run keeps its progress for the next attempt (restored by prefix).
      await deps.cache.save([checkpointDir], `${cacheKey}-partial-${Date.now()}`);
    }
  }

  const durationSeconds = (performance.now() - started) / 1000;
  const gpuNames = gpus.devices.map((d) => d.name);
  const document: TrainingMetricsDocument = {
    schema: TRAINING_METRICS_SCHEMA,
    ...withoutModelPath(outcome),
    duration_seconds: durationSeconds,
    cache_hit: cacheHit,
    gpu: gpuSection(gpuNames, usage),
    created_at: new Date().toISOString(),
  };
  const metricsPath = join(outputDir, 'training-metrics.json');
  await writeFileAtomic(metricsPath, `${JSON.stringify(document, null, 2)}\n`);

  if (options.cache && deps.cache && !cacheHit) await deps.cache.save([checkpointDir], cacheKey);

  await deps.beforeUpload?.({
    backend: document.backend,
    durationSeconds,
    final: document.final,
    document,
    dataFingerprint: dataHash,
    ...(stoppedBy !== undefined ? { stoppedBy } : {}),
  });
  const { artifactId, artifactUrl } = await uploadTrainedModel(options, deps, outputDir, checkpointDir);

  const summaryMarkdown = renderTrainSummary({
    mode,
    final: document.final,
    evaluatedOn: document.evaluated_on,
    history: document.epochs,
    durationSeconds,
    backend: document.backend,
    gpu: { count: gpuNames.length, names: gpuNames, usage },
    cacheHit,
    resumedFromEpoch: document.resumed_from_epoch,
    stoppedEarly: document.stopped_early,
    artifact: artifactId ? { name: options.artifactName!, id: artifactId } : undefined,
    features: featureRows,
    missingFilled,
  });
  return {
    modelPath: outcome.modelPath,
    metricsPath,
    backend: document.backend,
    gpuCount: gpuNames.length,
    durationSeconds,
    cacheHit,
    artifactId,
    artifactUrl,
    summaryMarkdown,
    final: document.final,
    document,
    dataFingerprint: dataHash,
    ...(stoppedBy !== undefined ? { stoppedBy } : {}),
  };
}

/**
 * Saves through the shared TF.js file handler into a staging folder, then renames weights first
 * and model.json last: a job killed mid-save never leaves a model.json whose weights are partial.
 */
async function saveModelFiles(tf: TfModule, model: Tf.LayersModel, outputDir: string): Promise<void> {
  const staging = join(outputDir, `.model-staging-${process.pid}`);
  await rm(staging, { recursive: true, force: true });
  await model.save(fileSaveHandler(tf, staging));
  await rename(join(staging, 'weights.bin'), join(outputDir, 'weights.bin'));
  await rename(join(staging, 'model.json'), join(outputDir, 'model.json'));
  await rm(staging, { recursive: true, force: true });
}

/** The working directory, output and checkpoint folders of a training run, absolute. */
export function trainFolders(
  options: Pick<TrainOptions, 'workingDirectory' | 'outputDir' | 'checkpointDir'>,
  env: NodeJS.ProcessEnv,
): { cwd: string; at: (path: string) => string; outputDir: string; checkpointDir: string } {
  const cwd = resolve(options.workingDirectory);
  const at = (p: string) => (isAbsolute(p) ? p : resolve(cwd, p));
  const outputDir = at(options.outputDir);
  const checkpointDir = at(
    options.checkpointDir ?? env.MLOPS_CHECKPOINT_DIR ?? join(outputDir, 'checkpoints'),
  );
  return { cwd, at, outputDir, checkpointDir };
}

/** Where a user's program writes its metrics (MLOPS_METRICS_FILE). */
export function reportedMetricsFile(
  outputDir: string,
  at: (path: string) => string,
  env: NodeJS.ProcessEnv,
): string {
  return at(env.MLOPS_METRICS_FILE ?? join(outputDir, 'reported-metrics.json'));
}

function withoutModelPath<T extends { modelPath: string }>(value: T): Omit<T, 'modelPath'> {
  const { modelPath: _modelPath, ...rest } = value;
  return rest;
}

function parseTask(task: string | undefined): TrainTask | 'auto' {
  if (task === undefined || task === '') return 'auto';
  if (task === 'classification' || task === 'regression' || task === 'auto') return task;
  throw new UserError(`task must be 'classification', 'regression' or 'auto', got '${task}'.`, {
    input: 'task',
  });
}

async function modelLayers(model: string, at: (p: string) => string): Promise<LayerSpec[]> {
  if ((MODEL_PRESETS as readonly string[]).includes(model)) return presetLayers(model as ModelPreset);
  if (!model.endsWith('.json')) {
    throw new UserError(
      `model must be one of ${MODEL_PRESETS.join(', ')} or a layers spec .json file, got '${model}'.`,
      {
        input: 'model',
      },
    );
  }
  return readLayersSpec(at(model));
}

function checkNumbers(options: TrainOptions): void {
  const positiveInt = (name: string, value: number) => {
    if (!Number.isInteger(value) || value < 1)
      throw new UserError(`${name} must be a whole number >= 1, got ${value}.`, { input: name });
  };
  positiveInt('epochs', options.epochs);
  positiveInt('batch-size', options.batchSize);
  if (!(options.learningRate > 0) || !Number.isFinite(options.learningRate)) {
    throw new UserError(`learning-rate must be a positive number, got ${options.learningRate}.`, {
      input: 'learning-rate',
    });
  }
  if (!Number.isInteger(options.seed))
    throw new UserError(`seed must be a whole number, got ${options.seed}.`, { input: 'seed' });
  const split = options.validationSplit;
  if (split !== undefined && !(split >= 0 && split < 1)) {
    throw new UserError(`validation-split must be at least 0 and below 1, got ${split}.`, {
      input: 'validation-split',
    });
  }
  if (options.timeoutMinutes !== undefined && !(options.timeoutMinutes > 0)) {
    throw new UserError(`timeout-minutes must be a positive number, got ${options.timeoutMinutes}.`, {
      input: 'timeout-minutes',
    });
  }
}

/** Files of the output folder to upload: everything but the checkpoints and temp files. */
export async function listFiles(root: string, exclude: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string) => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (resolve(path) === resolve(exclude) || entry.name.includes('.tmp-')) continue;
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) out.push(path);
    }
  };
  await walk(root);
  return out.sort((a, b) => relative(root, a).localeCompare(relative(root, b)));
}

export type { EpochRecord };

/**
 * Uploads the output folder (the model and its reports, checkpoints left out) as the artifact
 * `artifact-name`, when one is asked for: the same for a run on this runner and a Slurm job.
 */
export async function uploadTrainedModel(
  options: Pick<TrainOptions, 'artifactName'>,
  deps: Pick<TrainDeps, 'artifacts' | 'log'>,
  outputDir: string,
  checkpointDir: string,
): Promise<{ artifactId: string; artifactUrl: string }> {
  if (!options.artifactName || !deps.artifacts) return { artifactId: '', artifactUrl: '' };
  const files = await listFiles(outputDir, checkpointDir);
  const uploaded = await deps.artifacts.upload(options.artifactName, files, outputDir);
  deps.log.info(
    `Uploaded ${files.length} files (${uploaded.size} bytes) as artifact '${options.artifactName}' (id ${uploaded.id}).`,
  );
  return { artifactId: uploaded.id, artifactUrl: uploaded.url };
}

/** An info line stays short (the step log's first lines): the most-filled columns, then how many more. */
const FILLED_LINE_MAX = 200;

/**
 * `Filled 18 missing feature values with the training fill (...): Sex: 10 filled with "MALE" (most
 * frequent); ...`: each column with what its missing values became (`describeFilled`).
 */
export function filledLine(missing: Record<string, number>, spec?: Preprocessing): string {
  const entries = Object.entries(missing)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1]);
  const total = entries.reduce((s, [, n]) => s + n, 0);
  const head = `Filled ${total} missing feature values with the training fill (kept for evaluate and serve): `;
  const parts: string[] = [];
  for (const [i, [column, n]] of entries.entries()) {
    const rest = entries.length - i - 1;
    const part = spec ? describeFilled(spec, column, n) : `${column}: ${n}`;
    const tail = rest > 0 ? `; +${rest} more columns.` : '.';
    if (
      head.length + [...parts, part].join('; ').length + tail.length > FILLED_LINE_MAX &&
      parts.length > 0
    ) {
      return `${head}${parts.join('; ')}; +${entries.length - i} more columns.`;
    }
    parts.push(part);
  }
  return `${head}${parts.join('; ')}.`;
}
