import { createHash } from 'node:crypto';
import type * as Tf from '@tensorflow/tfjs';
import type { LoadedTf } from '../engines/tfjs.js';
import { UserError } from '../errors/index.js';
import type { Log } from '../logging/index.js';
import {
  applyPreprocessing,
  FeatureCounts,
  fitPreprocessing,
  inputWidth,
  type OnInvalid,
  type Preprocessing,
  type RawColumns,
} from '../models/preprocessing.js';
import { type LoopState, restoreCheckpoint, saveCheckpoint } from './checkpoint.js';
import { buildModel, type LayerSpec, lossFor } from './modelSpec.js';
import { SeededRandom } from './rng.js';
import type { TrainingTable, TrainTask } from './tabularData.js';

export interface TabularTrainOptions {
  task: TrainTask;
  target: string;
  layers: LayerSpec[];
  /** Names the model in messages (a preset name or the spec file). */
  modelSource: string;
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  /** Fraction of rows held out for validation and early stopping (0 = none). */
  validationSplit: number;
  /** Epochs without improvement of the monitored loss before stopping. */
  patience: number;
  checkpointDir: string;
  resume: boolean;
  /** Extra text mixed into the checkpoint fingerprint (e.g. the data file's hash). */
  dataFingerprint: string;
  /**
   * Stop after the epoch during which this many minutes have passed since the start (the epoch's
   * checkpoint is written first, so `resume: true` continues from it).
   */
  timeoutMinutes?: number;
  /** What to do with a training value the fitted contract cannot read (only with features.types overrides or ±Inf). */
  onInvalid?: OnInvalid;
  /** Called after each epoch's checkpoint is written; tests use it to kill a run mid-way. */
  onEpochEnd?: (epoch: number) => void | Promise<void>;
  /**
   * Asked after each epoch with its record: a reason ends training there (a search's successive
   * halving); the model as it is then is the result.
   */
  stopAfterEpoch?: (record: EpochRecord) => string | undefined;
}

export interface EpochRecord {
  epoch: number;
  [metric: string]: number;
}

export interface TabularTrainResult {
  model: Tf.Sequential;
  preprocessing: Preprocessing;
  /** Missing values filled and invalid values met while encoding the training rows. */
  featureCounts: FeatureCounts;
  history: EpochRecord[];
  /** Final metrics on the validation rows (or the training rows when there are none). */
  final: Record<string, number>;
  evaluatedOn: 'validation' | 'train';
  rows: { train: number; validation: number };
  epochsRun: number;
  resumedFromEpoch: number;
  stoppedEarly: boolean;
  /** Why `stopAfterEpoch` ended training, when it did. */
  stoppedBy?: string;
  /** Training rows processed per second of fitting (epochs x rows / seconds in fit). */
  rowsPerSecond: number;
}

/**
 * Trains a tabular model with a loop the trainer owns, so every source of randomness is seeded
 * and checkpointed: the validation split and each epoch's shuffle come from `SeededRandom`, weight
 * initialisers get seeds, and `fit` runs one epoch at a time with `shuffle: false`. Resuming from
 * the checkpoint of epoch k therefore replays epochs k+1.. exactly as an uninterrupted run does.
 */
export async function trainTabular(
  loaded: LoadedTf,
  table: TrainingTable,
  options: TabularTrainOptions,
  log: Log,
): Promise<TabularTrainResult> {
  const { tf } = loaded;
  const classes = options.task === 'classification' ? classLabels(table.target, options.target) : undefined;
  const splitRng = new SeededRandom(options.seed);
  const order = splitRng.shuffle(Array.from({ length: table.rows }, (_, i) => i));
  const validationCount = Math.round(table.rows * options.validationSplit);
  const validationIdx = order.slice(0, validationCount);
  const trainIdx = order.slice(validationCount);
  if (trainIdx.length === 0) {
    throw new UserError(
      `No rows left to train on after holding out ${validationCount} of ${table.rows} for validation.`,
      {
        input: 'validation-split',
      },
    );
  }
  const trainColumns = pick(table.columns, trainIdx);
  const fitOptions = {
    features: table.features,
    target: options.target,
    task: options.task,
    classes,
    missing: table.missing,
    dropped: table.dropped,
  };
  const fitted = fitPreprocessing(trainColumns, trainIdx.length, fitOptions);
  // Scaling and fills come from the training split only; the categories from every row of the
  // training file, so a category that happens to fall only in the validation split is a known
  // value (with its own, untrained input) rather than an invalid one.
  const vocabulary =
    validationIdx.length > 0 ? fitPreprocessing(table.columns, table.rows, fitOptions) : fitted;
  const preprocessing: Preprocessing = {
    ...fitted,
    features: fitted.features.map((f, i) => {
      const all = vocabulary.features[i]!;
      return f.kind === 'categorical' && all.kind === 'categorical'
        ? { ...f, categories: all.categories }
        : f;
    }),
  };
  const width = inputWidth(preprocessing);
  const classCount = classes?.length ?? 0;
  const featureCounts = new FeatureCounts();
  const encode = (idx: number[]) => ({
    x: tf.tensor2d(
      applyPreprocessing(preprocessing, pick(table.columns, idx), idx.length, {
        onInvalid: options.onInvalid,
        counts: featureCounts,
        describeRow: (r) => `training row ${idx[r]! + 1} (of the rows with a target)`,
      }),
      [idx.length, width],
    ),
    y: encodeTarget(
      tf,
      idx.map((i) => table.target[i]),
      options.task,
      classes,
    ),
  });
  const train = encode(trainIdx);
  const validation = validationIdx.length > 0 ? encode(validationIdx) : undefined;

  const model = buildModel(tf, options.layers, {
    inputWidth: width,
    task: options.task,
    classCount,
    seed: options.seed,
    source: options.modelSource,
  });
  try {
    model.compile({
      optimizer: tf.train.adam(options.learningRate),
      loss: lossFor(options.task, classCount),
      metrics: options.task === 'classification' ? ['accuracy'] : ['mae'],
    });
  } catch (error) {
    throw new UserError(`The model does not compile: ${(error as Error).message}`, { input: 'model' });
  }

  const fingerprint = createHash('sha256')
    .update(
      JSON.stringify({
        data: options.dataFingerprint,
        task: options.task,
        target: options.target,
        layers: options.layers,
        batchSize: options.batchSize,
        learningRate: options.learningRate,
        seed: options.seed,
        validationSplit: options.validationSplit,
        patience: options.patience,
      }),
    )
    .digest('hex');

  let state: LoopState = {
    epoch: 0,
    rngState: new SeededRandom(options.seed ^ 0x5bd1e995).getState(),
    bestLoss: Number.POSITIVE_INFINITY,
    epochsWithoutImprovement: 0,
    stoppedEarly: false,
    history: [],
  };
  let resumedFromEpoch = 0;
  if (options.resume) {
    const restored = await restoreCheckpoint(tf, options.checkpointDir, model, fingerprint);
    if (restored) {
      state = restored;
      resumedFromEpoch = restored.epoch;
      log.info(`Resuming from the checkpoint of epoch ${restored.epoch} in ${options.checkpointDir}.`);
    }
  }

  const monitor = validation ? 'val_loss' : 'loss';
  const deadline = options.timeoutMinutes
    ? performance.now() + options.timeoutMinutes * 60_000
    : Number.POSITIVE_INFINITY;
  let fitSeconds = 0;
  let fitRows = 0;
  let stoppedBy: string | undefined;
  while (state.epoch < options.epochs && !state.stoppedEarly && stoppedBy === undefined) {
    const epoch = state.epoch + 1;
    const rng = SeededRandom.fromState(state.rngState);
    const perm = rng.shuffle(Array.from({ length: trainIdx.length }, (_, i) => i));
    const permTensor = tf.tensor1d(perm, 'int32');
    const xs = tf.gather(train.x, permTensor);
    const ys = tf.gather(train.y, permTensor);
    const started = performance.now();
    const fitted = await model.fit(xs, ys, {
      epochs: 1,
      batchSize: options.batchSize,
      shuffle: false,
      verbose: 0,
    });
    fitSeconds += (performance.now() - started) / 1000;
    fitRows += trainIdx.length;
    tf.dispose([permTensor, xs, ys]);
    const record: EpochRecord = { epoch, loss: Number(fitted.history.loss[0]) };
    const fitMetric = Object.keys(fitted.history).find((k) => k !== 'loss');
    if (fitMetric)
      record[options.task === 'classification' ? 'accuracy' : 'mae'] = Number(fitted.history[fitMetric][0]);
    if (validation) {
      for (const [name, value] of Object.entries(
        evaluate(tf, model, validation, options.task, options.batchSize),
      )) {
        record[`val_${name}`] = value;
      }
    }
    if (!Number.isFinite(record.loss)) {
      throw new UserError(
        `Training diverged at epoch ${epoch} (loss is ${record.loss}). Lower the learning-rate (now ${options.learningRate}).`,
        { input: 'learning-rate' },
      );
    }
    const monitored = record[monitor];
    const improved = monitored < state.bestLoss - 1e-7;
    state = {
      epoch,
      rngState: rng.getState(),
      bestLoss: improved ? monitored : state.bestLoss,
      epochsWithoutImprovement: improved ? 0 : state.epochsWithoutImprovement + 1,
      stoppedEarly: false,
      history: [...state.history, record],
    };
    if (state.epochsWithoutImprovement >= options.patience && epoch < options.epochs) {
      state.stoppedEarly = true;
      log.info(
        `Early stopping after epoch ${epoch}: ${monitor} has not improved for ${options.patience} epochs.`,
      );
    }
    await saveCheckpoint(options.checkpointDir, model, state, fingerprint);
    log.progress('epochs', epoch, options.epochs);
    log.debug(
      `epoch ${epoch}: ${Object.entries(record)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}`,
    );
    await options.onEpochEnd?.(epoch);
    stoppedBy = epoch < options.epochs && !state.stoppedEarly ? options.stopAfterEpoch?.(record) : undefined;
    if (stoppedBy !== undefined) {
      log.info(`Training stopped after epoch ${epoch}: ${stoppedBy}.`);
      break;
    }
    if (performance.now() > deadline && epoch < options.epochs && !state.stoppedEarly) {
      throw new UserError(
        `Training ran past timeout-minutes (${options.timeoutMinutes}) and stopped after epoch ${epoch} of ${options.epochs}. ` +
          `The checkpoint of epoch ${epoch} is in ${options.checkpointDir}; run again with resume: true to continue.`,
        { input: 'timeout-minutes' },
      );
    }
  }

  const evaluatedOn = validation ? 'validation' : 'train';
  const final = evaluate(tf, model, validation ?? train, options.task, options.batchSize);
  tf.dispose([train.x, train.y]);
  if (validation) tf.dispose([validation.x, validation.y]);
  return {
    model,
    preprocessing,
    featureCounts,
    history: state.history as EpochRecord[],
    final,
    evaluatedOn,
    rows: { train: trainIdx.length, validation: validationIdx.length },
    epochsRun: state.epoch,
    resumedFromEpoch,
    stoppedEarly: state.stoppedEarly,
    ...(stoppedBy !== undefined ? { stoppedBy } : {}),
    rowsPerSecond: fitSeconds > 0 ? fitRows / fitSeconds : 0,
  };
}

/** Sorted distinct labels (as strings); a single class cannot be learned. */
function classLabels(target: unknown[], name: string): string[] {
  const labels = [...new Set(target.map(String))].sort();
  if (labels.length < 2) {
    throw new UserError(
      `The target '${name}' has only one class (${labels.map((l) => `'${l}'`).join(', ')}): a classifier needs at least two.`,
      { input: 'target' },
    );
  }
  return labels;
}

function encodeTarget(
  tf: LoadedTf['tf'],
  values: unknown[],
  task: TrainTask,
  classes?: string[],
): Tf.Tensor2D {
  if (task === 'regression') return tf.tensor2d(values.map(Number), [values.length, 1]);
  const index = new Map(classes!.map((c, i) => [c, i]));
  if (classes!.length === 2)
    return tf.tensor2d(
      values.map((v) => index.get(String(v))!),
      [values.length, 1],
    );
  const out = new Float32Array(values.length * classes!.length);
  values.forEach((v, r) => {
    out[r * classes!.length + index.get(String(v))!] = 1;
  });
  return tf.tensor2d(out, [values.length, classes!.length]);
}

function pick(columns: RawColumns, idx: number[]): RawColumns {
  const out: RawColumns = {};
  for (const [name, values] of Object.entries(columns)) out[name] = idx.map((i) => values[i]);
  return out;
}

/**
 * Loss and task metrics on a held-out set: `loss`, and `accuracy` (classification) or `mae`,
 * `rmse`, `r2` (regression, r2 as scikit-learn's r2_score).
 */
function evaluate(
  tf: LoadedTf['tf'],
  model: Tf.LayersModel,
  set: { x: Tf.Tensor2D; y: Tf.Tensor2D },
  task: TrainTask,
  batchSize: number,
): Record<string, number> {
  const scores = tf.tidy(() => {
    const evaluated = model.evaluate(set.x, set.y, { batchSize }) as Tf.Scalar[];
    const predicted = model.predict(set.x, { batchSize }) as Tf.Tensor2D;
    return { loss: evaluated[0].dataSync()[0], predicted: predicted.arraySync(), truth: set.y.arraySync() };
  });
  const { predicted, truth } = scores;
  const n = truth.length;
  if (task === 'classification') {
    let correct = 0;
    for (let r = 0; r < n; r++) {
      const p = predicted[r];
      const t = truth[r];
      const guess = p.length === 1 ? (p[0] >= 0.5 ? 1 : 0) : argmax(p);
      const actual = t.length === 1 ? t[0] : argmax(t);
      if (guess === actual) correct++;
    }
    return { loss: scores.loss, accuracy: correct / n };
  }
  let mean = 0;
  for (let r = 0; r < n; r++) mean += truth[r][0] / n;
  let absolute = 0;
  let squared = 0;
  let total = 0;
  for (let r = 0; r < n; r++) {
    const error = truth[r][0] - predicted[r][0];
    absolute += Math.abs(error);
    squared += error * error;
    total += (truth[r][0] - mean) ** 2;
  }
  // scikit-learn's r2_score: 1.0 for a perfect fit of a constant target, 0.0 otherwise.
  const r2 = total === 0 ? (squared === 0 ? 1 : 0) : 1 - squared / total;
  return { loss: scores.loss, mae: absolute / n, rmse: Math.sqrt(squared / n), r2 };
}

function argmax(values: number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}
