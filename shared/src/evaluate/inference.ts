import { type Database, quoteIdent } from '../data/database.js';
import type { Dataset } from '../data/open-dataset.js';
import { UserError } from '../errors/index.js';
import type { Log } from '../logging/index.js';
import { applyPreprocessing, inputWidth, type Preprocessing } from '../models/preprocessing.js';
import type { ModelAdapter } from '../models/types.js';
import { argmaxRows, checkFinite, checkProbabilities, type EvaluationInput, encodeLabels } from './input.js';
import { labelSql } from './labels.js';
import { FloatColumn, streamColumns } from './stream.js';

/** Rows per model call: large enough to amortise the call, small enough to bound memory. */
export const INFERENCE_BATCH_ROWS = 4096;

export interface InferenceResult {
  input: EvaluationInput;
  /** The first preprocessed rows (up to 1024), reused to time latency. */
  sample: { features: Float32Array; rows: number; width: number };
}

/**
 * Streams the data's feature, target and slice columns out of DuckDB, preprocesses each batch as
 * in training and runs the model on it.
 */
export async function predictDataset(
  db: Database,
  dataset: Dataset,
  model: ModelAdapter,
  spec: Preprocessing,
  options: { target: string; slices: string[]; log: Log },
): Promise<InferenceResult> {
  const types = new Map(dataset.columns.map((c) => [c.name, c.type]));
  const needed = [...spec.features.map((f) => f.name), options.target, ...options.slices];
  const missing = [...new Set(needed)].filter((c) => !types.has(c));
  if (missing.length > 0) {
    throw new UserError(
      `The data '${dataset.path}' lacks column(s) ${missing.map((m) => `'${m}'`).join(', ')} that the model or inputs need (columns: ${[...types.keys()].join(', ')}).`,
      { input: 'data', file: dataset.path },
    );
  }
  const width = inputWidth(spec);
  if (model.inputWidth !== null && model.inputWidth !== width) {
    throw new UserError(
      `The model '${model.path}' takes ${model.inputWidth} features per row, but its preprocessing makes ${width} from the data (${spec.features.map((f) => f.name).join(', ')}).`,
      { input: 'model', file: model.path },
    );
  }
  const classification = spec.task === 'classification';
  const classes = spec.classes ?? [];
  const featureSql = spec.features.map((f) =>
    f.kind === 'numeric'
      ? `TRY_CAST(${quoteIdent(f.name)} AS DOUBLE)`
      : `CAST(${quoteIdent(f.name)} AS VARCHAR)`,
  );
  const target = quoteIdent(options.target);
  const targetSql = classification
    ? labelSql(target, types.get(options.target)!)
    : `TRY_CAST(${target} AS DOUBLE)`;
  const sql = `SELECT ${[...featureSql, targetSql, ...options.slices.map((s) => `CAST(${quoteIdent(s)} AS VARCHAR)`)].join(', ')} FROM ${quoteIdent(dataset.view)}`;

  const f = spec.features.length;
  const slices: Record<string, (string | null)[]> = Object.fromEntries(options.slices.map((s) => [s, []]));
  const labels: (string | null)[] = [];
  const targets = new FloatColumn();
  const outputs = new FloatColumn();
  let outputWidth = -1;
  let pending: unknown[][] = spec.features.map(() => []);
  let pendingRows = 0;
  let sample: InferenceResult['sample'] | undefined;

  const flush = async () => {
    if (pendingRows === 0) return;
    const columns = Object.fromEntries(spec.features.map((feature, j) => [feature.name, pending[j]]));
    const features = applyPreprocessing(spec, columns, pendingRows);
    sample ??= {
      features: features.slice(0, Math.min(pendingRows, 1024) * width),
      rows: Math.min(pendingRows, 1024),
      width,
    };
    let result: { values: Float32Array; width: number };
    try {
      result = await model.predict(features, pendingRows, width);
    } catch (error) {
      throw new UserError(
        `The model '${model.path}' failed on the data: ${(error as Error).message.split('\n')[0]}`,
        {
          input: 'model',
          cause: error,
        },
      );
    }
    if (outputWidth < 0) outputWidth = result.width;
    for (let i = 0; i < result.values.length; i++) outputs.push(result.values[i]);
    pending = spec.features.map(() => []);
    pendingRows = 0;
  };

  const rows = await streamColumns(db, sql, async (columns, n) => {
    for (let j = 0; j < f; j++) {
      const column = columns[j];
      const target = pending[j];
      for (let r = 0; r < n; r++) target.push(column[r]);
    }
    for (let r = 0; r < n; r++) {
      if (classification) labels.push(columns[f][r] as string | null);
      else targets.push((columns[f][r] as number | null) ?? Number.NaN);
    }
    options.slices.forEach((s, j) => {
      for (let r = 0; r < n; r++) slices[s].push(columns[f + 1 + j][r] as string | null);
    });
    pendingRows += n;
    if (pendingRows >= INFERENCE_BATCH_ROWS) await flush();
  });
  await flush();
  if (rows === 0)
    throw new UserError(`The data '${dataset.path}' has no rows to evaluate on.`, { input: 'data' });
  const values = outputs.toArray();
  const what = `The output of the model '${model.path}'`;

  if (!classification) {
    if (outputWidth !== 1) {
      throw new UserError(`${what} has ${outputWidth} values per row; a regression model must output one.`, {
        input: 'model',
      });
    }
    checkFinite(values, what);
    const yTrue = targets.toArray();
    checkFinite(yTrue, `The target '${options.target}'`);
    return { input: { task: 'regression', data: { yTrue, yPred: values }, rows, slices }, sample: sample! };
  }

  const k = classes.length;
  let scores: Float64Array;
  if (outputWidth === k) {
    scores = values;
  } else if (outputWidth === 1 && k === 2) {
    // A single sigmoid unit: the probability of the positive (second) class.
    scores = new Float64Array(rows * 2);
    for (let r = 0; r < rows; r++) {
      scores[r * 2] = 1 - values[r];
      scores[r * 2 + 1] = values[r];
    }
  } else {
    throw new UserError(
      `${what} has ${outputWidth} values per row, but the model has ${k} classes (${classes.join(', ')}).`,
      { input: 'model' },
    );
  }
  checkProbabilities(scores, k, what);
  const yTrue = encodeLabels(labels, classes, `The target '${options.target}' in '${dataset.path}'`);
  return {
    input: {
      task: 'classification',
      data: { classes, yTrue, yPred: argmaxRows(scores, k), scores },
      rows,
      slices,
    },
    sample: sample!,
  };
}
