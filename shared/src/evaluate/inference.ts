import { type Database, quoteIdent } from '../data/database.js';
import { rawFeatureSql, rawFeatureValue, sourceTypeOf } from '../data/feature-columns.js';
import type { Dataset } from '../data/open-dataset.js';
import { UserError } from '../errors/index.js';
import type { Log } from '../logging/index.js';
import {
  applyPreprocessing,
  DEFAULT_ON_INVALID,
  FeatureCounts,
  inputWidth,
  missingValueTest,
  type OnInvalid,
  type Preprocessing,
} from '../models/preprocessing.js';
import type { ModelAdapter } from '../models/types.js';
import {
  type ClassificationInput,
  checkFinite,
  type EvaluationInput,
  encodeLabels,
  predictedClasses,
  type RegressionInput,
} from './input.js';
import { labelSql } from './labels.js';
import { FloatColumn, streamColumns } from './stream.js';

/** Rows per model call: large enough to amortise the call, small enough to bound memory. */
export const INFERENCE_BATCH_ROWS = 4096;

export interface InferenceResult {
  input: EvaluationInput;
  /** The first preprocessed rows (up to 1024), reused to time latency. */
  sample: { features: Float32Array; rows: number; width: number };
  /** Missing values filled and invalid values met, per column (evaluated rows only). */
  featureCounts: FeatureCounts;
  /** Rows left out because their target is null, as train leaves them out. */
  droppedTargetRows: number;
  /** Every evaluated row's model input (row-major), with `keepFeatures`. */
  features?: Float32Array;
}

/** The evaluation rows as the feature contract read them (rows with a null target left out). */
export interface EvaluationRows {
  rows: number;
  /** Class labels (classification) or numeric targets (regression), one per row. */
  labels: (string | null)[];
  targets: Float64Array;
  slices: Record<string, (string | null)[]>;
  /** Each kept row's 0-based position in the data (gaps where a null target left a row out). */
  rowIds: Float64Array;
  featureCounts: FeatureCounts;
  droppedTargetRows: number;
}

/**
 * Streams the data's feature, target and slice columns out of DuckDB, reads each feature value
 * with the model's feature contract (the rules train used) and hands each batch's model input to
 * `onBatch`. Rows whose target is null are skipped and counted, exactly as train skips them.
 */
export async function readEvaluationRows(
  db: Database,
  dataset: Dataset,
  spec: Preprocessing,
  options: { target: string; slices: string[]; log: Log; onInvalid?: OnInvalid; modelPath: string },
  onBatch: (features: Float32Array, rows: number) => Promise<void>,
): Promise<EvaluationRows> {
  const types = new Map(dataset.columns.map((c) => [c.name, c.type]));
  const onInvalid = options.onInvalid ?? DEFAULT_ON_INVALID;
  const needed = [options.target, ...options.slices];
  const missing = [...new Set(needed)].filter((c) => !types.has(c));
  const missingFeatures = spec.features.map((f) => f.name).filter((c) => !types.has(c));
  if (missing.length > 0 || (missingFeatures.length > 0 && onInvalid === 'error')) {
    throw new UserError(
      `The data '${dataset.path}' lacks column(s) ${[...missingFeatures, ...missing].map((m) => `'${m}'`).join(', ')} that the model '${options.modelPath}' or the inputs need (columns: ${[...types.keys()].join(', ')}).`,
      { input: 'data', file: dataset.path },
    );
  }
  const classification = spec.task === 'classification';
  const targetType = types.get(options.target)!;
  if (!classification && sourceTypeOf(targetType) !== 'number') {
    throw new UserError(
      `The model '${options.modelPath}' is a regression model, but the target '${options.target}' in '${dataset.path}' is ${targetType}, not a number. Evaluate a regression model on a numeric target, or name the right column with \`target\`.`,
      { input: 'target', file: dataset.path },
    );
  }
  const present = spec.features.filter((f) => types.has(f.name));
  const featureSql = present.map((f) => rawFeatureSql(f.name, types.get(f.name)!));
  const featureSources = present.map((f) => sourceTypeOf(types.get(f.name)!));
  const target = quoteIdent(options.target);
  const targetSql = classification ? labelSql(target, targetType) : `CAST(${target} AS DOUBLE)`;
  const sql = `SELECT ${[...featureSql, targetSql, ...options.slices.map((s) => `CAST(${quoteIdent(s)} AS VARCHAR)`)].join(', ')} FROM ${quoteIdent(dataset.view)}`;

  const f = present.length;
  const slices: Record<string, (string | null)[]> = Object.fromEntries(options.slices.map((s) => [s, []]));
  const labels: (string | null)[] = [];
  const targets = new FloatColumn();
  const rowIds = new FloatColumn();
  const featureCounts = new FeatureCounts();
  let pending: unknown[][] = present.map(() => []);
  let pendingFileRows: number[] = [];
  let pendingRows = 0;
  let fileRow = 0;
  let droppedTargetRows = 0;

  const flush = async () => {
    if (pendingRows === 0) return;
    const columns = Object.fromEntries(present.map((feature, j) => [feature.name, pending[j]!]));
    const fileRows = pendingFileRows;
    const features = applyPreprocessing(spec, columns, pendingRows, {
      onInvalid,
      counts: featureCounts,
      describeRow: (r) => `'${dataset.path}' data row ${fileRows[r]! + 1}`,
    });
    const n = pendingRows;
    pending = present.map(() => []);
    pendingFileRows = [];
    pendingRows = 0;
    await onBatch(features, n);
  };

  // A target that is one of the model's missing-value tokens is missing, as train read it.
  const missingTarget = missingValueTest(spec.missing);
  await streamColumns(db, sql, async (columns, n) => {
    for (let r = 0; r < n; r++, fileRow++) {
      const y = columns[f]![r];
      if (missingTarget(y)) {
        droppedTargetRows++;
        continue;
      }
      for (let j = 0; j < f; j++) pending[j]!.push(rawFeatureValue(columns[j]![r], featureSources[j]!));
      if (classification) labels.push(y as string);
      else targets.push(y as number);
      options.slices.forEach((s, j) => {
        slices[s]!.push(columns[f + 1 + j]![r] as string | null);
      });
      pendingFileRows.push(fileRow);
      rowIds.push(fileRow);
      pendingRows++;
    }
    if (pendingRows >= INFERENCE_BATCH_ROWS) await flush();
  });
  await flush();
  const rows = fileRow - droppedTargetRows;
  if (fileRow === 0)
    throw new UserError(`The data '${dataset.path}' has no rows to evaluate on.`, { input: 'data' });
  if (rows === 0) {
    throw new UserError(
      `The target '${options.target}' is null in all ${fileRow} rows of '${dataset.path}': there is nothing to evaluate.`,
      { input: 'data' },
    );
  }
  if (droppedTargetRows > 0) {
    options.log.warning(
      `Left out ${droppedTargetRows} of ${fileRow} rows of '${dataset.path}' whose target '${options.target}' is missing (null or a missing-value token; train leaves them out too).`,
    );
  }
  if (featureCounts.invalidTotal > 0 && onInvalid === 'warn') {
    options.log.warning(
      `${featureCounts.invalidTotal} feature values in '${dataset.path}' could not be read and were replaced by the feature's fill (on-invalid: warn): ${featureCounts.describeInvalid()}.`,
    );
  }
  return {
    rows,
    labels,
    targets: targets.toArray(),
    slices,
    rowIds: rowIds.toArray(),
    featureCounts,
    droppedTargetRows,
  };
}

/** Runs the model on the evaluation rows read by `readEvaluationRows`. */
export async function predictDataset(
  db: Database,
  dataset: Dataset,
  model: ModelAdapter,
  spec: Preprocessing,
  options: { target: string; slices: string[]; log: Log; onInvalid?: OnInvalid; keepFeatures?: boolean },
): Promise<InferenceResult> {
  const width = inputWidth(spec);
  if (model.inputWidth !== null && model.inputWidth !== width) {
    throw new UserError(
      `The model '${model.path}' takes ${model.inputWidth} features per row, but its preprocessing makes ${width} from the data (${spec.features.map((f) => f.name).join(', ')}).`,
      { input: 'model', file: model.path },
    );
  }
  const classification = spec.task === 'classification';
  const outputs = new FloatColumn();
  let outputWidth = -1;
  let sample: InferenceResult['sample'] | undefined;
  // The whole model input, kept only when asked (permutation importance re-scores it).
  const kept: Float32Array[] | null = options.keepFeatures ? [] : null;
  const read = await readEvaluationRows(
    db,
    dataset,
    spec,
    { ...options, modelPath: model.path },
    async (features, n) => {
      sample ??= { features: features.slice(0, Math.min(n, 1024) * width), rows: Math.min(n, 1024), width };
      kept?.push(features.slice());
      let result: { values: Float32Array; width: number };
      try {
        result = await model.predict(features, n, width);
      } catch (error) {
        throw new UserError(
          `The model '${model.path}' failed on the data: ${(error as Error).message.split('\n')[0]}`,
          { input: 'model', cause: error },
        );
      }
      if (outputWidth < 0) outputWidth = result.width;
      for (let i = 0; i < result.values.length; i++) outputs.push(result.values[i]);
    },
  );
  const { rows, labels, slices, rowIds, featureCounts, droppedTargetRows } = read;
  const outcome = modelOutcome(outputs.toArray(), outputWidth, rows, spec, model.path, {
    labels,
    targets: read.targets,
    target: `The target '${options.target}'${classification ? ` in '${dataset.path}'` : ''}`,
  });
  return {
    input: { ...outcome, rows, slices, rowIds } as EvaluationInput,
    sample: sample!,
    featureCounts,
    droppedTargetRows,
    features: kept ? concatenate(kept) : undefined,
  };
}

/**
 * The model's outputs on the evaluation rows as metric rows: one value per row for regression;
 * class probabilities (or one sigmoid unit for two classes) for classification, checked, with the
 * predicted class the most probable one. Evaluation and permutation importance both read model
 * outputs through here. A caller that scores many times (permutation importance) passes `reuse`:
 * the predicted classes go into its array, and class scores are made only when `scores` is true
 * (otherwise `data.scores` is null; they are still checked).
 */
export function modelOutcome(
  values: Float32Array | Float64Array,
  outputWidth: number,
  rows: number,
  spec: Preprocessing,
  modelPath: string,
  truth: {
    labels: readonly (string | null)[];
    /** The labels as class indices, when the caller has them already (a re-scoring). */
    yTrue?: Int32Array;
    targets: Float64Array;
    target: string;
  },
  reuse?: { predicted: Int32Array; scores: boolean },
): ClassificationInput | RegressionInput {
  const what = modelOutputName(modelPath);
  if (spec.task !== 'classification') {
    if (outputWidth !== 1) {
      throw new UserError(`${what} has ${outputWidth} values per row; a regression model must output one.`, {
        input: 'model',
      });
    }
    checkFinite(values, what);
    checkFinite(truth.targets, truth.target);
    const yPred = values instanceof Float64Array ? values : Float64Array.from(values);
    return { task: 'regression', data: { yTrue: truth.targets, yPred } };
  }
  const classes = spec.classes ?? [];
  const k = classes.length;
  const scores = classScores(values, outputWidth, rows, spec, what);
  const yPred = predictedClasses(scores, k, what, reuse?.predicted);
  const yTrue = truth.yTrue ?? encodeLabels(truth.labels, classes, truth.target);
  const kept =
    reuse && !reuse.scores ? null : scores instanceof Float64Array ? scores : Float64Array.from(scores);
  return { task: 'classification', data: { classes, yTrue, yPred, scores: kept } };
}

/** How messages name a model's outputs (`modelOutcome`'s and the re-scorings' alike). */
export function modelOutputName(modelPath: string): string {
  return `The output of the model '${modelPath}'`;
}

/**
 * A classifier's outputs as class scores, `rows × classes`: the values themselves when there is
 * one per class; for two classes and a single sigmoid unit, the probability of the positive
 * (second) class and its complement. Any other width is refused. Not yet checked as probabilities.
 */
export function classScores(
  values: Float32Array | Float64Array,
  outputWidth: number,
  rows: number,
  spec: Preprocessing,
  what: string,
): Float32Array | Float64Array {
  const classes = spec.classes ?? [];
  const k = classes.length;
  if (outputWidth === k) return values;
  if (outputWidth === 1 && k === 2) {
    const scores = new Float64Array(rows * 2);
    for (let r = 0; r < rows; r++) {
      scores[r * 2] = 1 - values[r];
      scores[r * 2 + 1] = values[r];
    }
    return scores;
  }
  throw new UserError(
    `${what} has ${outputWidth} values per row, but the model has ${k} classes (${classes.join(', ')}).`,
    { input: 'model' },
  );
}

function concatenate(chunks: Float32Array[]): Float32Array {
  const out = new Float32Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
