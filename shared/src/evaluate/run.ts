import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { Database, quoteIdent } from '../data/database.js';
import { openDataset } from '../data/open-dataset.js';
import type { TfPreference } from '../engines/tfjs.js';
import { UserError } from '../errors/index.js';
import { writeFileAtomic, writeJsonAtomic } from '../files/atomic-write.js';
import { isInside } from '../files/confined-path.js';
import type { Log } from '../logging/index.js';
import {
  bootstrapMetrics,
  type EvaluationRows,
  type MetricEstimate,
  mapeCaveat,
  planFor,
} from '../metrics/index.js';
import { subsetRows } from '../metrics/subset-rows.js';
import { loadModel, preprocessingBeside } from '../models/load.js';
import { DEFAULT_ON_INVALID, type OnInvalid } from '../models/preprocessing.js';
import { evaluationCurves, renderEvaluationHtml } from '../report/evaluation-html.js';
import { digestFiles, modelFiles, modelName } from './digest.js';
import {
  checkFairnessOptions,
  computeFairness,
  type FairnessOptions,
  type FairnessSection,
} from './fairness.js';
import { computeImportance, type ImportanceOptions, type ImportanceSection } from './importance.js';
import { predictDataset } from './inference.js';
import type { EvaluationInput } from './input.js';
import { measureLatency } from './latency.js';
import {
  MAX_SLICE_VALUES,
  METRICS_SCHEMA,
  type MetricsFile,
  type SliceMetrics,
  SMALL_SLICE_ROWS,
} from './metrics-file.js';
import { readPredictions, type TaskOption } from './predictions-file.js';
import { writePredictions } from './predictions-output.js';
import { selectMetrics } from './select-metrics.js';
import { streamColumns } from './stream.js';
import { renderEvaluateSummary } from './summary.js';

export interface EvaluateOptions {
  /** TF.js model.json (or its folder) or .onnx; exclusive with `predictions`. */
  model?: string;
  /** Predictions file (DESIGN.md §4 columns); exclusive with `model`. */
  predictions?: string;
  /** Evaluation data: required with `model`; with `predictions`, optional source of slice columns (same rows, same order). */
  data?: string;
  /** Target column in `data`; defaults to the target in the model's preprocessing.json. */
  target?: string;
  task?: TaskOption;
  /** Policy for feature values the model's contract cannot read; default error. */
  onInvalid?: OnInvalid;
  metrics?: string[];
  slices?: string[];
  confidence: number;
  bootstrap: number;
  seed: number;
  latency: boolean;
  /** metrics.json path. */
  output: string;
  /** Per-row predictions (CSV or Parquet by extension); default `predictions.parquet` beside `output`. */
  predictionsOutput?: string;
  workingDirectory: string;
  git?: { sha?: string; ref?: string };
  /** TF.js backend preference (benchmarks and tests); default auto. */
  tfBackend?: TfPreference;
  /** The HTML report; default `evaluation.html` beside `output`. */
  report?: string;
  /** Permutation importance of the model's input columns (needs `model`); null or absent: none. */
  importance?: ImportanceOptions | null;
  /** Group fairness over these sensitive columns (of the data, or of the predictions file). */
  fairness?: FairnessOptions;
}

export interface EvaluateResult {
  metricsPath: string;
  metrics: MetricsFile;
  predictionsPath: string;
  summaryMarkdown: string;
  reportPath: string;
  /** Action outputs, as strings. */
  outputs: { 'metrics-path': string; metrics: string; 'predictions-path': string; 'report-path': string };
}

export async function runEvaluate(options: EvaluateOptions, log: Log): Promise<EvaluateResult> {
  checkOptions(options);
  const at = (p: string) => (isAbsolute(p) ? p : resolve(options.workingDirectory, p));
  const metricsPath = at(options.output);
  const predictionsPath = at(
    options.predictionsOutput ?? join(dirname(options.output), 'predictions.parquet'),
  );
  const reportPath = at(options.report ?? join(dirname(options.output), 'evaluation.html'));
  const slicesWanted = [...new Set((options.slices ?? []).map((s) => s.trim()).filter((s) => s !== ''))];
  const fairness = options.fairness && options.fairness.features.length > 0 ? options.fairness : null;
  // Sensitive columns are read the way slice columns are: as text, one value per row.
  const columnsWanted = [...new Set([...slicesWanted, ...(fairness?.features ?? [])])];
  const notes: string[] = [];
  const db = await Database.open();
  try {
    let input: EvaluationInput;
    let datasetFiles: string[];
    let target: string | null = null;
    let model: Awaited<ReturnType<typeof loadModel>> | null = null;
    let sample: Awaited<ReturnType<typeof predictDataset>>['sample'] | null = null;
    let importance: ImportanceSection | null = null;
    let features: MetricsFile['features'];

    if (options.model) {
      if (!options.data)
        throw new UserError('evaluate needs `data` (features and target) to run a model on.', {
          input: 'data',
        });
      model = await loadModel(at(options.model), { tfBackend: options.tfBackend });
      log.info(`Loaded ${model.format} model ${model.path} (${model.engine}, ${model.sizeBytes} bytes).`);
      const spec = await preprocessingBeside(model.path);
      if (spec === null) {
        throw new UserError(
          `No preprocessing.json beside the model '${model.path}': evaluate needs it (mlops-preprocessing/v2, written by train) to turn data columns into model inputs.`,
          { input: 'model' },
        );
      }
      if (options.task && options.task !== 'auto' && options.task !== spec.task) {
        throw new UserError(
          `task is '${options.task}' but the model's preprocessing.json says '${spec.task}'.`,
          { input: 'task' },
        );
      }
      target = options.target || spec.target;
      const dataset = await openDataset(db, at(options.data), { name: 'evaluation_data' });
      notes.push(...dataset.notes);
      if (fairness)
        checkFairnessOptions(
          fairness,
          dataset.columns.map((c) => c.name),
        );
      const onInvalid = options.onInvalid ?? DEFAULT_ON_INVALID;
      const result = await predictDataset(db, dataset, model, spec, {
        target,
        slices: columnsWanted,
        log,
        onInvalid,
        keepFeatures: Boolean(options.importance),
      });
      if (options.importance) {
        log.info(
          `Permutation importance: ${spec.features.length} features × ${options.importance.nRepeats} repeats, one inference pass each.`,
        );
        importance = await computeImportance(model, spec, result.features!, result.input, options.importance);
      }
      input = result.input;
      sample = result.sample;
      datasetFiles = dataset.files;
      const counts = result.featureCounts.toJSON();
      const trainingData =
        spec.training_data !== undefined && (await digestFiles(datasetFiles)) === spec.training_data.digest;
      if (trainingData) {
        const warning = `The evaluation data '${options.data}' is the very file the model was trained on (same sha256 as '${spec.training_data!.file}'): these metrics measure fit to the training rows, not performance on new data. Evaluate on held-out data.`;
        log.warning(warning);
        notes.unshift(`WARNING: ${warning}`);
      }
      if (result.droppedTargetRows > 0) {
        notes.push(
          `${result.droppedTargetRows} rows with a missing target '${target}' (null or a missing-value token) were left out, as train leaves them out.`,
        );
      }
      // A missing value is expected (train filled its own the same way), but it is still a value
      // the model did not get: said and counted, never silent.
      const missingTotal = result.featureCounts.missingTotal;
      if (missingTotal > 0) {
        const note = `${missingTotal} missing feature values took the feature's fill from training, as train filled its own: ${result.featureCounts.describeMissing(spec)}.`;
        log.info(note);
        notes.push(note);
      }
      const invalidTotal = result.featureCounts.invalidTotal;
      if (invalidTotal > 0) {
        notes.push(
          `${invalidTotal} feature values could not be read and were replaced by the feature's fill (on-invalid: ${onInvalid}): ${result.featureCounts.describeInvalid()}.`,
        );
      }
      features = {
        on_invalid: onInvalid,
        rows: counts.rows,
        missing: counts.missing,
        invalid: counts.invalid,
        dropped_target_rows: result.droppedTargetRows,
        training_data: trainingData,
      };
    } else {
      const predictions = await openDataset(db, at(options.predictions!), { name: 'evaluation_predictions' });
      notes.push(...predictions.notes);
      const own = new Set(predictions.columns.map((c) => c.name));
      input = await readPredictions(db, predictions, {
        task: options.task ?? 'auto',
        slices: columnsWanted.filter((s) => own.has(s)),
      });
      datasetFiles = predictions.files;
      target = 'y_true';
      const fromData = columnsWanted.filter((s) => !own.has(s));
      if (options.data) {
        const data = await openDataset(db, at(options.data), { name: 'evaluation_data' });
        if (fairness) checkFairnessOptions(fairness, [...own, ...data.columns.map((c) => c.name)]);
        if (data.rows !== input.rows) {
          throw new UserError(
            `The predictions file has ${input.rows} rows but the data '${data.path}' has ${data.rows}; they must be the same rows in the same order.`,
            { input: 'data' },
          );
        }
        await readSliceColumns(
          db,
          data.view,
          fromData,
          data.columns.map((c) => c.name),
          input,
        );
      } else if (fromData.length > 0) {
        if (fairness) checkFairnessOptions(fairness, [...own]);
        throw new UserError(
          `The slice column(s) ${fromData.join(', ')} are not in the predictions file, and no data was given.`,
          {
            input: 'slices',
          },
        );
      }
    }

    const names = selectMetrics(input, options.metrics);
    log.info(
      `Computing ${names.length} metrics on ${input.rows} rows with ${options.bootstrap} bootstrap resamples.`,
    );
    const bootstrap = { resamples: options.bootstrap, seed: options.seed, confidence: options.confidence };
    const metrics = bootstrapMetrics(planFor(input, names), {
      ...bootstrap,
      onProgress: (done, total) => log.progress('bootstrap', done, total),
    });
    const mape = markMapeCaveat(input, metrics);
    if (mape) {
      log.warning(`mape is ${metrics.mape!.value}: ${mape}`);
      notes.push(`mape: ${mape}`);
    }
    const absent = absentClassesNote(input, metrics);
    if (absent) {
      log.warning(absent);
      notes.push(absent);
    }
    const slices = computeSlices(input, names, bootstrap, notes, slicesWanted);
    let fairnessSection: FairnessSection | null = null;
    if (fairness) {
      const computed = computeFairness(input, fairness, names, bootstrap, notes);
      fairnessSection = computed.section;
      Object.assign(metrics, computed.headline);
    }

    let latency: MetricsFile['latency'] = null;
    if (options.latency) {
      if (model && sample) {
        latency = {
          engine: model.engine,
          model_size_bytes: model.sizeBytes,
          batches: await measureLatency(model, sample),
        };
      } else {
        notes.push('latency was requested but there is no model to time (predictions file input).');
      }
    }

    const { loss } = await writePredictions(db, input, predictionsPath);
    const file: MetricsFile = {
      schema: METRICS_SCHEMA,
      task: input.task,
      created_at: new Date().toISOString(),
      git: { sha: options.git?.sha || null, ref: options.git?.ref || null },
      model: model
        ? {
            name: modelName(model.path),
            path: options.model!,
            format: model.format,
            digest: await digestFiles(await modelFiles(model)),
            size_bytes: model.sizeBytes,
            engine: model.engine,
          }
        : null,
      dataset: {
        path: model ? options.data! : options.predictions!,
        rows: input.rows,
        digest: await digestFiles(datasetFiles),
      },
      target,
      classes: input.task === 'classification' ? [...input.data.classes] : null,
      metrics,
      bootstrap: { ...bootstrap, method: 'percentile' },
      slices,
      confusion_matrix: input.task === 'classification' ? confusionMatrix(input) : null,
      fairness: fairnessSection,
      importance,
      latency,
      predictions: { path: predictionsPathFor(metricsPath, predictionsPath, notes), row_id: 'row_id', loss },
      notes,
    };
    if (features !== undefined) file.features = features;
    model?.dispose();
    await writeJsonAtomic(metricsPath, file);
    await writeFileAtomic(reportPath, renderEvaluationHtml(file, evaluationCurves(input)));
    const headline = Object.fromEntries(Object.entries(metrics).map(([k, v]) => [k, v.value]));
    return {
      metricsPath,
      metrics: file,
      predictionsPath,
      reportPath,
      summaryMarkdown: renderEvaluateSummary(file),
      outputs: {
        'metrics-path': metricsPath,
        metrics: JSON.stringify(headline),
        'predictions-path': predictionsPath,
        'report-path': reportPath,
      },
    };
  } finally {
    db.close();
  }
}

function checkOptions(options: EvaluateOptions): void {
  if (Boolean(options.model) === Boolean(options.predictions)) {
    throw new UserError(
      'evaluate needs exactly one of `model` (a TF.js model.json or .onnx) or `predictions` (a predictions file).',
      {
        input: options.model ? 'predictions' : 'model',
      },
    );
  }
  if (options.importance && !options.model) {
    throw new UserError(
      'importance needs `model`: permutation importance re-runs the model with each column shuffled, which a predictions file cannot do.',
      { input: 'importance' },
    );
  }
  if (!(options.confidence > 0 && options.confidence < 1)) {
    throw new UserError(`confidence must be between 0 and 1 (exclusive), got ${options.confidence}.`, {
      input: 'confidence',
    });
  }
  if (!Number.isInteger(options.bootstrap) || options.bootstrap < 0) {
    throw new UserError(
      `bootstrap must be a whole number of resamples (0 for none), got ${options.bootstrap}.`,
      { input: 'bootstrap' },
    );
  }
  if (!Number.isInteger(options.seed))
    throw new UserError(`seed must be an integer, got ${options.seed}.`, { input: 'seed' });
}

async function readSliceColumns(
  db: Database,
  view: string,
  names: string[],
  available: string[],
  input: EvaluationInput,
): Promise<void> {
  const missing = names.filter((n) => !available.includes(n));
  if (missing.length > 0)
    throw new UserError(
      `The slice column(s) ${missing.join(', ')} are in neither the predictions nor the data.`,
      { input: 'slices' },
    );
  if (names.length === 0) return;
  for (const n of names) input.slices[n] = [];
  await streamColumns(
    db,
    `SELECT ${names.map((n) => `CAST(${quoteIdent(n)} AS VARCHAR)`).join(', ')} FROM ${quoteIdent(view)}`,
    (columns, rows) => {
      names.forEach((n, j) => {
        for (let r = 0; r < rows; r++) input.slices[n].push(columns[j][r] as string | null);
      });
    },
  );
}

/** Metrics per value of each slice column, most frequent values first, each with its own bootstrap. */
function computeSlices(
  input: EvaluationInput,
  names: string[],
  bootstrap: { resamples: number; seed: number; confidence: number },
  notes: string[],
  columns: string[],
): SliceMetrics[] {
  const out: SliceMetrics[] = [];
  for (const column of columns) {
    const values = input.slices[column];
    const groups = new Map<string | null, number[]>();
    values.forEach((v, i) => {
      const g = groups.get(v);
      if (g) g.push(i);
      else groups.set(v, [i]);
    });
    const ordered = [...groups.entries()].sort((a, b) => b[1].length - a[1].length);
    if (ordered.length > MAX_SLICE_VALUES) {
      notes.push(
        `slice column '${column}' has ${ordered.length} values; metrics are given for the ${MAX_SLICE_VALUES} most frequent.`,
      );
    }
    for (const [value, rows] of ordered.slice(0, MAX_SLICE_VALUES)) {
      const subset = subsetRows(input, Int32Array.from(rows));
      let metrics: Record<string, MetricEstimate>;
      try {
        metrics = bootstrapMetrics(planFor(subset, names), bootstrap);
        markMapeCaveat(subset, metrics);
      } catch {
        metrics = Object.fromEntries(names.map((m) => [m, { value: null, ci: null, n: rows.length }]));
      }
      out.push({ column, value, n: rows.length, small: rows.length < SMALL_SLICE_ROWS, metrics });
    }
  }
  return out;
}

/**
 * MAPE with true values of 0 keeps scikit-learn's value (a division by 2.2e-16) but carries the
 * reason it is not meaningful, beside the number wherever it is shown; returns that reason.
 */
function markMapeCaveat(rows: EvaluationRows, metrics: Record<string, MetricEstimate>): string | undefined {
  if (rows.task !== 'regression' || metrics.mape === undefined) return undefined;
  const caveat = mapeCaveat(rows.data);
  if (caveat !== undefined) metrics.mape.note = caveat;
  return caveat;
}

/**
 * Classes the model knows but the evaluation rows never have. scikit-learn leaves their ROC AUC
 * undefined (roc_auc_ovr/ovo are then n/a) and counts their average precision as 0, each with only
 * a Python warning: said here, so an n/a or a low macro average is not a mystery.
 */
function absentClassesNote(
  input: EvaluationInput,
  metrics: Record<string, MetricEstimate>,
): string | undefined {
  if (input.task !== 'classification') return undefined;
  const { classes, yTrue } = input.data;
  const seen = new Uint8Array(classes.length);
  for (let i = 0; i < yTrue.length; i++) seen[yTrue[i]] = 1;
  const absent = classes.filter((_, c) => seen[c] === 0);
  if (absent.length === 0) return undefined;
  const undefinedMetrics = Object.keys(metrics).filter(
    (m) => /^roc_auc/.test(m) && metrics[m].value === null,
  );
  const effects = [
    undefinedMetrics.length > 0 ? `${undefinedMetrics.join(', ')} undefined (n/a)` : '',
    'average_precision' in metrics ? 'average_precision counting each such class as 0' : '',
  ].filter((e) => e !== '');
  return `${absent.length} of the model's ${classes.length} classes ${absent.length === 1 ? 'never occurs' : 'never occur'} in the evaluation data (${absent.map((c) => JSON.stringify(c)).join(', ')})${effects.length > 0 ? `: ${effects.join(', and ')}, as scikit-learn defines them` : ''}. Evaluate on data with every class for these metrics.`;
}

function confusionMatrix(input: EvaluationInput & { task: 'classification' }): {
  labels: string[];
  matrix: number[][];
} {
  const { classes, yTrue, yPred } = input.data;
  const matrix = classes.map(() => classes.map(() => 0));
  for (let i = 0; i < yTrue.length; i++) matrix[yTrue[i]][yPred[i]]++;
  return { labels: [...classes], matrix };
}

/**
 * The predictions path as metrics.json records it: relative to the metrics file's folder, because
 * compare-baseline follows a path read from a metrics file only inside that folder (the files
 * travel together as an artifact). A file written elsewhere keeps its absolute path, with a note.
 */
function predictionsPathFor(metricsPath: string, predictionsPath: string, notes: string[]): string {
  if (isInside(dirname(metricsPath), predictionsPath)) {
    return relative(dirname(metricsPath), predictionsPath);
  }
  notes.push(
    `The per-row predictions (${predictionsPath}) are not in the folder of metrics.json: compare-baseline will not follow that path, so no paired test is possible. Write them beside metrics.json for one.`,
  );
  return predictionsPath;
}
